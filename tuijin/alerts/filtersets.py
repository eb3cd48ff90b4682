"""The warnings list's own filters (the projects are filtered by the ledger's LedgerFilterSet): one
FilterSet for the page and, later, the API."""

from datetime import datetime, time

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.projects.choices import Light

from .choices import Dimension
from .models import Alert

WARNING_LIGHTS = [(str(light.value), light.label) for light in (Light.RED, Light.YELLOW)]


class AlertFilterSet(django_filters.FilterSet):
    """`light` 2 or 1 (red, yellow; else both), `dimension`, `mine=1` (projects the user is the contact
    leader of: the queryset is annotated with `mine`, alerts.selectors.alert_list), `since` (年-月-日: the
    alert has had its present light since that day or later, e.g. the red lights new this month). A
    value outside the choices, or not a date, filters nothing, as an empty one."""

    light = django_filters.ChoiceFilter(label=_("灯色"), choices=WARNING_LIGHTS, field_name="level")
    dimension = django_filters.ChoiceFilter(label=_("预警维度"), choices=Dimension.choices)
    mine = django_filters.ChoiceFilter(label=_("只看我联系的项目"), choices=[("1", _("是"))], method="filter_mine")
    since = django_filters.DateFilter(label=_("亮灯日期不早于"), method="filter_since", widget=forms.DateInput())

    class Meta:
        model = Alert
        fields: list[str] = []

    def filter_mine(self, queryset, name, value):
        return queryset.filter(mine=True)

    def filter_since(self, queryset, name, value):
        start = datetime.combine(value, time.min, tzinfo=timezone.get_current_timezone())
        return queryset.filter(level_since__gte=start)

    def chosen(self, name: str):
        """The valid value of filter `name` ("" when not given or not valid), for the page's selects."""
        self.form.is_valid()
        return getattr(self.form, "cleaned_data", {}).get(name) or ""
