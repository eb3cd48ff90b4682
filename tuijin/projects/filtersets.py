"""The ledger filter: one FilterSet for the list page, the export and (later) the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.org.models import Leader, Region, Unit

from .models import AnnualPlan, Category, Level, Program, Project, ProjectResponsibleUnit, Stage
from .selectors import current_year

SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})


class LedgerFilterSet(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(label=_("年度"), method="filter_year", empty_label=_("全部年度"), widget=SELECT)
    region = django_filters.ModelChoiceFilter(
        label=_("区域"), queryset=Region.objects.none(), method="filter_region", empty_label=_("全部区域"), widget=SELECT
    )
    level = django_filters.ModelChoiceFilter(label=_("级别"), queryset=Level.objects.filter(is_active=True), empty_label=_("全部级别"), widget=SELECT)
    category = django_filters.ModelChoiceFilter(
        label=_("类别"), queryset=Category.objects.filter(is_active=True).select_related("parent"),
        method="filter_category", empty_label=_("全部类别"), widget=SELECT,
    )
    stage = django_filters.ModelChoiceFilter(label=_("阶段"), queryset=Stage.objects.filter(is_active=True), empty_label=_("全部阶段"), widget=SELECT)
    program = django_filters.ModelChoiceFilter(
        label=_("专项行动"), field_name="programs", queryset=Program.objects.filter(is_active=True),
        empty_label=_("全部专项"), widget=SELECT, distinct=False, method="filter_program",
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("牵头/责任单位"), queryset=Unit.objects.none(), method="filter_unit", empty_label=_("全部单位"), widget=SELECT
    )
    leader = django_filters.ModelChoiceFilter(
        label=_("联系领导"), queryset=Leader.objects.filter(is_active=True), method="filter_leader",
        empty_label=_("全部领导"), widget=SELECT,
    )
    q = django_filters.CharFilter(
        label=_("关键词"), method="filter_text",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("项目名称、代码或业主")}),
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data=None, *args, user=None, **kwargs):
        data = data.copy() if data is not None else {}
        if "year" not in data:
            data["year"] = str(current_year())
        super().__init__(data, *args, **kwargs)
        from tuijin.org.selectors import regions_visible_to

        years = range(current_year() + 1, current_year() - 6, -1)
        self.filters["year"].extra["choices"] = [(str(y), f"{y}年") for y in years]
        regions = regions_visible_to(user).exclude(level="province") if user else Region.objects.all()
        self.filters["region"].queryset = regions
        self.form.fields["region"].queryset = regions
        units = Unit.objects.filter(Q(led_projects__isnull=False) | Q(kind__in=["government", "department"]))
        units = units.filter(is_active=True, region__in=regions).exclude(kind="owner").distinct()
        self.filters["unit"].queryset = units
        self.form.fields["unit"].queryset = units

    @property
    def selected_year(self) -> int | None:
        value = self.form.cleaned_data.get("year") if self.form.is_valid() else None
        return int(value) if value else None

    def filter_year(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=AnnualPlan.objects.filter(year=int(value)).values("project_id"))

    def filter_region(self, queryset, name, value):
        return queryset.filter(region__path__startswith=value.path)

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id__in=value.subtree_ids())

    def filter_program(self, queryset, name, value):
        return queryset.filter(pk__in=Project.programs.through.objects.filter(program=value).values("project_id"))

    def filter_unit(self, queryset, name, value):
        return queryset.filter(
            Q(lead_unit=value) | Q(pk__in=ProjectResponsibleUnit.objects.filter(unit=value).values("project_id"))
        )

    def filter_leader(self, queryset, name, value):
        return queryset.filter(leader_links__leader=value)

    def filter_text(self, queryset, name, value):
        for word in value.lower().split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset
