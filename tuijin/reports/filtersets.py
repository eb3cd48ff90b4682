"""The report lists' filters: one FilterSet for the period page's list of missing reports (and, later,
the API)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from tuijin.core.parsing import parse_int
from tuijin.org.models import Unit

from .models import ProgressReport

NO_UNIT = "none"  # the `unit` value of reports whose project has no lead unit


class ReportFilterSet(django_filters.FilterSet):
    """`unit`: a unit's id, or "none" for the reports without one; anything else filters nothing."""

    unit = django_filters.CharFilter(label=_("填报单位"), method="filter_unit")

    class Meta:
        model = ProgressReport
        fields: list[str] = []

    def filter_unit(self, queryset, name, value):
        if value == NO_UNIT:
            return queryset.filter(unit__isnull=True)
        unit_id = parse_int(value)
        return queryset if unit_id is None else queryset.filter(unit_id=unit_id)

    def describe_unit(self, value) -> str:
        """How an export's title states the filter (core.listexport.filter_terms): the unit's name."""
        if value == NO_UNIT:
            return _("（未指定牵头单位）")
        unit_id = parse_int(value)
        return "" if unit_id is None else Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first() or ""

    @property
    def unit_key(self):
        """The unit asked for as the overview keys its units (None: without one), or "" when none is."""
        value = self.data.get("unit")
        if value is None:
            return ""
        return None if value == NO_UNIT else parse_int(value)
