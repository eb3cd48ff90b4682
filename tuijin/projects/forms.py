"""Ledger forms: field-level checks here, the ledger's rules in services.project_validate."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tuijin.core.fields import MoneyFormField, number_text
from tuijin.core.versioning import MISSING_VERSION
from tuijin.org.geo import boundary_url, city_codes_of
from tuijin.org.models import Leader, Region, Unit
from tuijin.org.selectors import regions_editable_by

from . import services
from .choices import LeaderRole
from .location import LATITUDE, LONGITUDE, CoordinateError, coordinate_errors, parse_degrees
from .models import AnnualPlan, Category, Level, Nature, Program, Project, Stage
from .plans import active_months, even_monthly_plan


def _require_version(form: forms.ModelForm, cleaned: dict) -> None:
    """An edit must say which version it was made on; otherwise the lost-update check cannot work."""
    if form.instance.pk and not cleaned.get("version"):
        form.add_error(None, MISSING_VERSION)


class MarkInvalidMixin:
    """Fields with errors get Bootstrap's is-invalid, so the red marks the message promises are there."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
            continue
        css = "form-select" if isinstance(widget, forms.Select | forms.SelectMultiple) else "form-control"
        widget.attrs.setdefault("class", css)


class CoordinateField(forms.DecimalField):
    """经度 or 纬度: decimal degrees (any number of places, rounded to six) or 度分秒 ("118°20′24″"),
    full-width digits accepted; typed, or set by clicking the small map beside it (location_picker.js)."""

    def __init__(self, *, axis: str, **kwargs):
        self.axis = axis
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        super().__init__(**kwargs)
        self.validators = []  # the range is the location's rule (location.coordinate_errors, in clean())

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_degrees(value, self.axis)
        except CoordinateError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def bound_data(self, data, initial):
        data = super().bound_data(data, initial)
        return number_text(data) if isinstance(data, str) else data


class ProjectForm(MarkInvalidMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    contracted_leaders = forms.ModelMultipleChoiceField(
        label=_("分包领导"), queryset=Leader.objects.filter(is_active=True), required=False
    )
    linked_leaders = forms.ModelMultipleChoiceField(
        label=_("挂点领导"), queryset=Leader.objects.filter(is_active=True), required=False
    )
    reason = forms.CharField(label=_("修改说明"), max_length=200, required=False)
    longitude = CoordinateField(axis=LONGITUDE, label=_("经度"), required=False,
                                widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "118.340000"}))
    latitude = CoordinateField(axis=LATITUDE, label=_("纬度"), required=False,
                               widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "35.060000"}))

    class Meta:
        model = Project
        fields = [
            "name", "code", "stats_code", "year_listed", "level", "category", "nature", "stage", "is_paused",
            "programs", "region", "address", "longitude", "latitude", "scale",
            "total_investment", "fund_central", "fund_provincial", "fund_local", "fund_bond", "fund_loan",
            "fund_enterprise", "fund_other", "start_year", "end_year", "planned_start", "actual_start",
            "planned_completion", "actual_completion", "land_area", "owner", "owner_contact", "owner_phone",
            "lead_unit", "responsible_units", "parent", "remarks",
        ]
        widgets = {
            "scale": forms.Textarea(attrs={"rows": 3}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
            "programs": forms.CheckboxSelectMultiple,
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "actual_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_completion": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "actual_completion": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "responsible_units": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        regions = regions_editable_by(user).exclude(level="province")
        if self.instance.pk:
            # Editors who reach the project through their unit (lead/responsible) keep its region.
            regions = regions | Region.objects.filter(pk=self.instance.region_id)
        self.fields["region"].queryset = regions
        self.fields["level"].queryset = Level.objects.filter(is_active=True)
        self.fields["nature"].queryset = Nature.objects.filter(is_active=True)
        self.fields["stage"].queryset = Stage.objects.filter(is_active=True)
        self.fields["programs"].queryset = Program.objects.filter(is_active=True)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related("parent")
        units = Unit.objects.filter(is_active=True).select_related("region")
        self.fields["owner"].queryset = units.filter(kind="owner")
        self.fields["lead_unit"].queryset = units.exclude(kind="owner")
        self.fields["responsible_units"].queryset = units.exclude(kind="owner")
        # A package (打包项目) is chosen among top-level projects of the same region; on a new project,
        # among existing packages. Keeps the list short at province scale.
        parents = Project.objects.editable_by(user).filter(is_archived=False, parent__isnull=True).only("id", "name")
        if self.instance.pk:
            parents = parents.filter(region_id=self.instance.region_id).exclude(pk=self.instance.pk)
        else:
            parents = parents.filter(children__isnull=False).distinct()
        self.fields["parent"].queryset = parents
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            links = list(self.instance.leader_links.all())
            self.fields["contracted_leaders"].initial = [
                link.leader_id for link in links if link.role == LeaderRole.CONTRACTED
            ]
            self.fields["linked_leaders"].initial = [link.leader_id for link in links if link.role != LeaderRole.CONTRACTED]
            self.fields["responsible_units"].initial = list(
                self.instance.responsible_links.values_list("unit_id", flat=True)
            )
        else:
            self.fields["reason"].widget = forms.HiddenInput()
        for name in ("total_investment",):
            self.fields[name].min_value = None
        _style(self)

    def clean(self):
        cleaned = super().clean()
        _require_version(self, cleaned)
        both = set(cleaned.get("contracted_leaders") or []) & set(cleaned.get("linked_leaders") or [])
        if both:
            self.add_error("linked_leaders", _("同一位领导不能同时是分包领导和挂点领导"))
        if "longitude" not in self.errors and "latitude" not in self.errors:
            for name, message in coordinate_errors(cleaned.get("longitude"), cleaned.get("latitude")):
                self.add_error(name, message)
        return cleaned

    def location_maps(self) -> dict:
        """{region id: {geo: the URL of its city's district boundaries, city: the city's code, region: its
        own}} for the regions offered: the small map the location is clicked on (location_picker.js) shows
        the chosen region's city, centred on the region (its district's boundary is keyed by its code)."""
        regions = list(self.fields["region"].queryset.only("pk", "code", "path"))
        codes = {region.pk: region.code for region in regions}
        maps = {}
        for region_id, city in city_codes_of(regions).items():
            url = boundary_url(city)
            if url is not None:
                maps[str(region_id)] = {"geo": url, "city": city, "region": codes[region_id]}
        return maps

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        try:
            services.project_validate(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)

    def leader_pairs(self):
        pairs = [(leader, LeaderRole.CONTRACTED) for leader in self.cleaned_data.get("contracted_leaders") or []]
        pairs += [(leader, LeaderRole.LINKED) for leader in self.cleaned_data.get("linked_leaders") or []]
        return pairs


class AnnualPlanForm(MarkInvalidMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("修改说明"), max_length=200, required=False)

    class Meta:
        model = AnnualPlan
        fields = [
            "year", "planned_investment", "completed_before", "construction_goal", "progress_goal",
            "planned_start", "planned_completion",
        ]
        widgets = {
            "construction_goal": forms.Textarea(attrs={"rows": 3}),
            "progress_goal": forms.Textarea(attrs={"rows": 3}),
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_completion": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    MONTH_FIELDS = tuple(f"month_{m}" for m in range(1, 13))

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        if self.instance.pk:
            self.fields["year"].disabled = True
            self.fields["version"].initial = self.instance.version
        monthly = list(self.instance.monthly_plan or [])
        even = []
        if self.instance.planned_investment is not None and self.instance.year:
            first, last = active_months(self.instance.year, self.instance.planned_start, self.instance.planned_completion)
            even = even_monthly_plan(self.instance.planned_investment, first, last)
        for month, name in enumerate(self.MONTH_FIELDS, start=1):
            self.fields[name] = MoneyFormField(
                label=_("%(m)s月累计") % {"m": month}, required=False, max_digits=15, decimal_places=2,
                initial=monthly[month - 1] if len(monthly) == 12 else None,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control form-control-sm",
                                              "placeholder": f"{even[month - 1]:.2f}" if even else ""}),
            )
        _style(self)

    def month_fields(self):
        return [self[name] for name in self.MONTH_FIELDS]

    def clean(self):
        cleaned = super().clean()
        _require_version(self, cleaned)
        values = [cleaned.get(name) for name in self.MONTH_FIELDS]
        if all(v is None for v in values):
            self.instance.monthly_plan = []
        elif any(v is None for v in values):
            missing = "、".join(f"{m}月" for m, v in enumerate(values, start=1) if v is None)
            self.add_error(None, _("月度累计计划须12个月都填写（缺：%(months)s），或全部留空按月平均分解") % {"months": missing})
        else:
            self.instance.monthly_plan = [f"{v:.2f}" for v in values]
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        try:
            services.annual_plan_validate(self.instance)
        except ValidationError as exc:
            errors = exc.message_dict
            monthly = errors.pop("monthly_plan", [])
            if errors:
                self._update_errors(ValidationError(errors))
            for message in monthly:
                self.add_error(None, message)


class ArchiveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": MISSING_VERSION})
    reason = forms.CharField(
        label=_("归档原因"), max_length=200, error_messages={"required": _("请填写归档原因")},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
