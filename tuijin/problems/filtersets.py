"""The problems app's list filters: one FilterSet per list, for its page and (later) the API, over the
user's scoped queryset.

The query parameters are those the pages and their links have always used, so bookmarks keep working. A
value a filter cannot use is left out, as a choice from an older page or a hand-edited link may be: the
list is shown unfiltered by it, never an error page. Ids and numbers are the exception, as everywhere on
the site (core.parsing): given but not a number, they are a 400 with a Chinese reason.
"""

from datetime import date

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.parsing import query_id, query_int
from tuijin.org.models import Leader, Unit
from tuijin.projects.models import ProjectLeader

from .choices import ACTIVE_PROBLEM_STATES, OPEN_ORDER_STATES, Ladder, OrderStatus, ProblemStatus, Source
from .models import Inspection, Meeting, Problem, ProblemType, SupervisionOrder

QUERY_MAX = 50  # characters of free text searched
DUE = [("overdue", _("已逾期")), ("soon", _("7天内到期"))]


def iso_day(value) -> date | None:
    """年-月-日 (ISO) as a date; anything else None."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _words(value: str) -> str:
    return (value or "").strip()[:QUERY_MAX]


class _DatedFilterSet(django_filters.FilterSet):
    """A FilterSet whose deadline filters are judged on `today` (the page's day, Asia/Shanghai)."""

    def __init__(self, data=None, *args, today: date, **kwargs):
        self.today = today
        super().__init__(data, *args, **kwargs)

    def filter_due(self, queryset, name, value):
        if value == "overdue":
            return queryset.overdue(self.today)
        if value == "soon":
            return queryset.due_soon(self.today)
        return queryset

    def filter_due_by(self, queryset, name, value):
        """What falls due by that day (a meeting's): open, deadline on or before it; not a date: ignored."""
        day = iso_day(value)
        return queryset.due_by(day) if day else queryset

    def describe_due_by(self, value) -> str:
        day = iso_day(value)
        return _("%(day)s前到期、尚未办结") % {"day": day.isoformat()} if day else ""

    def describe_leader(self, value) -> str:
        return str(Leader.objects.filter(pk=value).first() or "")


class ProblemFilterSet(_DatedFilterSet):
    """问题清单: status (or "active": not finished), type, level, source, handling unit, deadline, what falls
    due by a day (a meeting's), the leader it was escalated to (提请协调: the coordinating leader, at the
    leader's level or above) and words of the description or the project's name."""

    # The labels are the filter bar's: an export's title states the filters in force with them.
    status = django_filters.ChoiceFilter(label=_("状态"), choices=[("active", _("未办结")), *ProblemStatus.choices],
                                         method="filter_status")
    type = django_filters.NumberFilter(label=_("问题类型"), field_name="type_id")
    level = django_filters.NumberFilter(label=_("协调层级"), method="filter_level")
    source = django_filters.ChoiceFilter(label=_("来源"), choices=Source.choices)
    unit = django_filters.NumberFilter(label=_("责任单位"), field_name="handling_unit_id")
    due = django_filters.ChoiceFilter(label=_("时限"), choices=DUE, method="filter_due")
    due_by = django_filters.CharFilter(label=_("到期"), method="filter_due_by")
    leader = django_filters.NumberFilter(label=_("提请协调领导"), method="filter_leader")
    q = django_filters.CharFilter(label=_("关键词"), method="filter_words")

    class Meta:
        model = Problem
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:  # an unusable id or level is a 400 (core.parsing), as on every page
            query_id(data, "type")
            query_id(data, "unit")
            query_id(data, "leader")
            query_int(data, "level", minimum=0, maximum=99)
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(status__in=ACTIVE_PROBLEM_STATES)
        return queryset.filter(status=value)

    def filter_level(self, queryset, name, value):
        return queryset.filter(level=value) if value else queryset  # 0: any level

    def filter_leader(self, queryset, name, value):
        """Escalated to this leader (problems.selectors.leader_inbox's own part): they coordinate it at
        the leader's level or above."""
        return queryset.filter(coordinating_leader_id=value, level__gte=Ladder.LEADER)

    def filter_words(self, queryset, name, value):
        words = _words(value)
        return queryset.filter(Q(description__icontains=words) | Q(project__name__icontains=words)) if words else queryset

    # How an export's title states the filters that hold an id or a code (core.listexport.filter_terms).

    def describe_type(self, value) -> str:
        return ProblemType.objects.filter(pk=value).values_list("name", flat=True).first() or ""

    def describe_unit(self, value) -> str:
        return Unit.objects.filter(pk=value).values_list("name", flat=True).first() or ""

    def describe_level(self, value) -> str:
        return str(dict(Ladder.choices).get(int(value), "")) if value else ""

    def describe_due_by(self, value) -> str:
        day = iso_day(value)
        return _("%(day)s前到期、尚未解决") % {"day": day.isoformat()} if day else ""

    def describe_q(self, value) -> str:
        return _words(value)


class OrderFilterSet(_DatedFilterSet):
    """督办单: status ("overdue" too, as the overdue page links it, and "open": 待回复 or 整改中), deadline,
    what falls due by a day (a meeting's), the projects of a contact leader (联系领导, any role), and words
    of the content, the project's or the unit's name."""

    status = django_filters.ChoiceFilter(label=_("状态"), choices=[
        *OrderStatus.choices, ("overdue", _("已逾期")), ("open", _("未办结"))], method="filter_status")
    due = django_filters.ChoiceFilter(label=_("时限"), choices=DUE, method="filter_due")
    due_by = django_filters.CharFilter(label=_("到期"), method="filter_due_by")
    leader = django_filters.NumberFilter(label=_("联系领导"), method="filter_leader")
    q = django_filters.CharFilter(label=_("关键词"), method="filter_words")

    class Meta:
        model = SupervisionOrder
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            query_id(data, "leader")
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        if value == "overdue":
            return queryset.overdue(self.today)
        if value == "open":
            return queryset.filter(status__in=OPEN_ORDER_STATES)
        return queryset.filter(status=value)

    def filter_leader(self, queryset, name, value):
        return queryset.filter(project_id__in=ProjectLeader.objects.filter(leader_id=value).values("project_id"))

    def describe_q(self, value) -> str:
        return _words(value)

    def filter_words(self, queryset, name, value):
        words = _words(value)
        if not words:
            return queryset
        return queryset.filter(Q(content__icontains=words) | Q(project__name__icontains=words) | Q(unit__name__icontains=words))


class GatheringFilterSet(django_filters.FilterSet):
    """Meetings or inspections by kind (the value as given: one no kind has lists nothing)."""

    kind = django_filters.CharFilter(label=_("类型"), field_name="kind")

    class Meta:
        model = Meeting
        fields: list[str] = []

    def describe_kind(self, value) -> str:
        return str(dict(self._meta.model._meta.get_field("kind").choices).get(value, value))


class MeetingFilterSet(GatheringFilterSet):
    class Meta:
        model = Meeting
        fields: list[str] = []


class InspectionFilterSet(GatheringFilterSet):
    class Meta:
        model = Inspection
        fields: list[str] = []
