"""The Gantt chart's node filter (挂图作战; the projects are filtered by the ledger's LedgerFilterSet):
one FilterSet for the page's data and, later, the API."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DUE_SOON_DAYS, MilestoneStatus
from .models import Milestone

OPEN, DONE = "open", "done"
NODE_STATUSES = [(OPEN, _("未完成")), (MilestoneStatus.OVERDUE, _("已逾期")),
                 (MilestoneStatus.DUE_SOON, _("临近时限（7天内）")), (DONE, _("已完成"))]


class MilestoneFilterSet(django_filters.FilterSet):
    """`status`: open (not done, neither on record nor by inference), overdue, due within a week, done
    (on record or inferred: Milestone.objects.with_inference); another value filters nothing."""

    status = django_filters.ChoiceFilter(label=_("节点状态"), choices=NODE_STATUSES, empty_label=_("全部节点"),
                                         method="filter_status",
                                         widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    class Meta:
        model = Milestone
        fields: list[str] = []

    def __init__(self, data=None, *args, today=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.today = today or timezone.localdate()

    def filter_status(self, queryset, name, value):
        today = self.today
        if value == MilestoneStatus.OVERDUE:
            return queryset.filter(actual_date__isnull=True, planned_date__lt=today).open()
        if value == MilestoneStatus.DUE_SOON:
            return queryset.filter(actual_date__isnull=True, planned_date__gte=today,
                                   planned_date__lte=today + timedelta(days=DUE_SOON_DAYS)).open()
        if value == OPEN:
            return queryset.filter(actual_date__isnull=True).open()
        return queryset.with_inference().exclude(done_basis="")  # DONE
