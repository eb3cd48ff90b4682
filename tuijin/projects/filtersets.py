"""The ledger filter: one FilterSet for the list page, the export and (later) the API."""

import html
import time

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db.models import Exists, OuterRef, Q
from django.template import Context
from django.template.base import render_value_in_context
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from tuijin.org.models import Leader, Region, Unit

from .choices import Admission, Light
from .models import Category, Level, Program, Project, ProjectResponsibleUnit, Stage
from .selectors import YEAR_PLAN, current_year, with_year_plan


class LeanSelect(forms.Select):
    """A `<select>` rendered in Python, byte for byte what Django's select templates render.

    The template engine costs tens of microseconds per `<option>` (an include per option and per
    attribute list); the unit and region dropdowns hold over a thousand options at province scale,
    which made rendering the ledger's filter bar cost more than all its SQL (docs/benchmarks.md). Grouped
    choices and multiple selection fall back to the templates.
    """

    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        wanted = self.format_value(value)
        choices = self.choices
        if isinstance(choices, OneQueryChoices):
            # The cached options' HTML is written once per option list and language (_rendered_options).
            cached = _rendered_options(choices.options())
            rows = None if cached is None else _option_rows(choices.head()) + cached
        else:
            rows = _option_rows(choices)
        if rows is None:  # grouped choices
            return super().render(name, value, attrs, renderer)
        options = [row[1] for row in rows]
        for index, (key, _plain, chosen) in enumerate(rows):
            if key in wanted:  # the first option with the value is the selected one
                options[index] = chosen
                break
        html_attrs = "".join(
            f" {_escape(key)}" if val is True else f' {_escape(key)}="{_escape(str(val))}"'
            for key, val in self.build_attrs(self.attrs, attrs).items()
            if val is not False
        )
        return mark_safe(f'<select name="{_escape(name)}"{html_attrs}>{"".join(options)}\n</select>')


def _option_rows(choices) -> list[tuple[str, str, str]] | None:
    """(value, the `<option>` as written, the same selected) for each choice; None for grouped choices."""
    context = Context(autoescape=True)
    rows = []
    for option_value, option_label in choices:
        if isinstance(option_label, (list, tuple)):
            return None
        if option_value is None:
            option_value = ""
        # `{{ widget.label }}`: plain strings are simply escaped; anything else (lazy, safe,
        # numbers, dates) goes through the template engine's own rendering of a variable.
        label = html.escape(option_label) if type(option_label) is str else render_value_in_context(option_label, context)
        text = str(option_value) if type(option_value) is int else _escape(str(option_value))
        rows.append((str(option_value), f'\n  <option value="{text}">{label}</option>\n',
                     f'\n  <option value="{text}" selected>{label}</option>\n'))
    return rows


# The `<option>`s of a cached option list as written, per list and language: a province's unit and region
# dropdowns hold about a thousand options, escaped again on every page view otherwise. Emptied with the
# option lists (options_changed); an expired list is replaced by a new one, so an entry never outlives
# what it was written from by more than a minute.
_rendered: dict[tuple[int, str], tuple[list, list | None]] = {}


def _rendered_options(options: list) -> list[tuple[str, str, str]] | None:
    key = (id(options), translation.get_language() or "")
    hit = _rendered.get(key)
    if hit is not None and hit[0] is options:
        return hit[1]
    rows = _option_rows(options)
    if len(_rendered) > 200:
        _rendered.clear()
    _rendered[key] = (options, rows)  # the list is kept alive with its HTML, so its id is not reused
    return rows


# The filter bar's options, kept for a minute per process. They are read on every ledger view (seven
# queries and about a thousand options at province scale: 8-13 ms) and change rarely: a save or delete
# of anything they show empties the cache of the process that made it (signals in apps.py), and other
# processes see the change within OPTIONS_TTL seconds.
OPTIONS_TTL = 60.0
_options: dict[tuple, tuple[float, list]] = {}


def options_changed(**kwargs) -> None:
    """Forget every cached option list (connected to saves and deletes in ProjectsConfig.ready)."""
    _options.clear()
    _rendered.clear()


def _cached_options(field_name: str, queryset, build, key: tuple | None = None) -> list:
    """The options `build()` makes from `queryset`, cached under `key` — what the queryset depends on,
    when its maker states it (LedgerFilterSet: the field, and for regions and units the user's scope) —
    else under the queryset's SQL: the same SQL and parameters (the user's scope is part of them) give the
    same options. (Compiling the SQL of seven querysets on every page view cost more than their HTML.)"""
    if queryset.query.is_empty():  # .none(): e.g. a user with no scope
        return []
    if key is not None:
        key = (queryset.db, field_name, "stated", *key)
    else:
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:
            return []
        key = (queryset.db, field_name, sql, params)
    now = time.monotonic()
    hit = _options.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    options = build()
    if len(_options) > 500:  # many distinct scopes: start over rather than grow without bound
        _options.clear()
    _options[key] = (now + OPTIONS_TTL, options)
    return options


class OneQueryChoices(django_filters.fields.ModelChoiceIterator):
    """A dropdown's options from one plain SELECT, cached (see _cached_options).

    Django reads choices through `.iterator()`, which on PostgreSQL is a server-side cursor (DECLARE,
    FETCH, CLOSE): three round trips for each of the filter bar's seven dropdowns on every page view.
    """

    def head(self) -> list:
        """The options before the queryset's: the empty label, the null label."""
        head = []
        if self.field.empty_label is not None:
            head.append(("", self.field.empty_label))
        if self.field.null_label is not None:
            head.append((self.field.null_value, self.field.null_label))
        return head

    def options(self) -> list:
        """The queryset's options, cached (the same list object while the cache holds it)."""
        return _cached_options(self.field.label, self.queryset, lambda: [self.choice(obj) for obj in self.queryset.all()],
                               getattr(self.field, "options_key", None))

    def __iter__(self):
        yield from self.head()
        yield from self.options()


class NameChoices(OneQueryChoices):
    """Options straight from (pk, name) rows, for models whose label is their name (Region, Unit).

    The dispatcher's bar lists about a thousand regions and units; building a model instance for
    each cost more than the query. tests/test_bench.py checks the result against Django's own.
    """

    def options(self) -> list:
        return _cached_options(self.field.label, self.queryset, lambda: list(self.queryset.values_list("pk", "name")),
                               getattr(self.field, "options_key", None))


def _escape(text) -> str:
    """django.utils.html.conditional_escape without its lazy-string wrapper (called per option)."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


SELECT = LeanSelect(attrs={"class": "form-select form-select-sm"})


class OneCheckbox(forms.CheckboxInput):
    """A checkbox posting "1": ticked by exactly that value, so any other value in an address (a stale
    or mistyped link) reads as unticked rather than as ticked."""

    def __init__(self, attrs=None):
        super().__init__({"value": "1", **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        return data.get(name) == "1"


def _scope_key(user) -> tuple:
    """What regions_visible_to(user) depends on: the user's grants' regions, or all (superuser, system)."""
    from tuijin.org.selectors import user_access

    if user is None:
        return ("all",)
    access = user_access(user)
    return ("all",) if access.is_superuser else tuple(sorted({g.region_path for g in access.grants}))


class LedgerFilterSet(django_filters.FilterSet):
    # First, so the condition leads the query as it did when the base queryset held it.
    archived = django_filters.BooleanFilter(
        label=_("含已归档"), method="filter_archived", widget=OneCheckbox(attrs={"class": "form-check-input"}),
    )
    year = django_filters.ChoiceFilter(label=_("年度"), method="filter_year", empty_label=_("全部年度"), widget=SELECT)
    region = django_filters.ModelChoiceFilter(
        label=_("区域"), queryset=Region.objects.none(), method="filter_region", empty_label=_("全部区域"), widget=SELECT
    )
    level = django_filters.ModelChoiceFilter(label=_("级别"), queryset=Level.objects.filter(is_active=True), empty_label=_("全部级别"), widget=SELECT)
    category = django_filters.ModelChoiceFilter(
        label=_("类别"), queryset=Category.objects.filter(is_active=True).select_related("parent").only("name", "parent__name"),
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
        label=_("联系领导"), queryset=Leader.objects.filter(is_active=True).only("name", "title"), method="filter_leader",
        empty_label=_("全部领导"), widget=SELECT,
    )
    light = django_filters.ChoiceFilter(
        label=_("预警"), choices=[(str(v), label) for v, label in Light.choices], empty_label=_("全部"),
        widget=SELECT, method="filter_light",
    )
    admission = django_filters.ChoiceFilter(
        label=_("入库状态"), choices=Admission.choices, empty_label=_("全部"), widget=SELECT, method="filter_admission",
    )
    q = django_filters.CharFilter(
        label=_("关键词"), method="filter_text",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("项目名称、代码或业主")}),
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data=None, *args, user=None, archived=True, **kwargs):
        """`archived` False: a page over unarchived projects only (ledger_queryset), which offers no
        "含已归档" (the warnings, the Gantt chart)."""
        data = data.copy() if data is not None else {}
        if "year" not in data:
            data["year"] = str(current_year())
        super().__init__(data, *args, **kwargs)
        if not archived:
            del self.filters["archived"]
        from tuijin.org.selectors import regions_visible_to

        years = range(current_year() + 1, current_year() - 6, -1)
        self.filters["year"].extra["choices"] = [(str(y), f"{y}年") for y in years]
        regions = regions_visible_to(user).exclude(level="province") if user else Region.objects.all()
        # The chosen region is loaded with what filter_region reads, not timestamps and contacts.
        regions = regions.only("id", "name", "path")
        self.filters["region"].queryset = regions
        self.form.fields["region"].queryset = regions
        # EXISTS per unit rather than a join on led_projects: the join multiplied units by their
        # projects (20,000 rows at province scale) only for DISTINCT to fold them back.
        # Owners are excluded first so that SQLite only probes projects for the few other units.
        leads = Exists(Project.objects.filter(lead_unit=OuterRef("pk")))
        units = Unit.objects.exclude(kind="owner").filter(Q(kind__in=["government", "department"]) | leads)
        units = units.filter(is_active=True, region__in=regions)
        self.filters["unit"].queryset = units
        self.form.fields["unit"].queryset = units
        # Every dropdown reads its options in one plain query; regions and units as (id, name) rows. Their
        # cache key is what the querysets above depend on: the field, and for regions and units the
        # regions the user sees (regions_visible_to: the grants' regions, or all for a superuser).
        scope = _scope_key(user)
        for name, field in self.form.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = NameChoices if name in ("region", "unit") else OneQueryChoices
                field.options_key = (name, scope) if name in ("region", "unit") else (name,)
                field.widget.choices = field.choices

    @property
    def include_archived(self) -> bool:
        """Whether archived projects are listed too (`archived=1`)."""
        self.form.is_valid()
        return bool(getattr(self.form, "cleaned_data", {}).get("archived"))

    @property
    def selected_year(self) -> int | None:
        # The year stands even when another field is invalid (e.g. a stale bookmarked region).
        self.form.is_valid()
        value = getattr(self.form, "cleaned_data", {}).get("year")
        return int(value) if value else None

    def filter_archived(self, queryset, name, value):
        return queryset if value else queryset.filter(is_archived=False)

    def filter_year(self, queryset, name, value):
        if not value:
            return queryset
        # A join on the year's plan (unique per project and year, so no row is repeated), which the
        # totals and the sort by plan then reuse. SQLite reads the year's plans in project order
        # and fetches each project once; with `pk IN (...)` or EXISTS it probed per project, and
        # EXISTS let it walk the whole sort index for a user who sees few projects (70 ms for page 7
        # of a district at province scale).
        return with_year_plan(queryset, int(value)).filter(**{f"{YEAR_PLAN}__isnull": False})

    def filter_region(self, queryset, name, value):
        # The subtree's region ids as a subquery (one LIKE over 200 regions), not a LIKE per project.
        return queryset.filter(region__in=value.subtree())

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

    def filter_light(self, queryset, name, value):
        # A light is a verdict on a project in the ledger: 申报中 and 已退回 projects have none.
        return queryset.admitted().filter(light=int(value)) if value else queryset

    def filter_admission(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.admitted() if value == Admission.ADMITTED else queryset.filter(admission=value)

    def filter_text(self, queryset, name, value):
        for word in value.lower().split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    # Narrowings the filter bar does not offer, with which a figure's drill-down opens the ledger on
    # exactly its group's rows (tuijin.figures): 牵头单位 alone (the bar's unit is 牵头 or 责任) and a
    # region's own projects without its sub-regions (市本级). Read from the query string as ids; the
    # ledger states them above its table and carries them through the filter bar (narrowing).
    NARROWINGS = {"lead_unit": (_("牵头单位"), Unit), "own_region": (_("本级"), Region)}

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        for name, pk in self._narrowing_ids().items():
            queryset = narrow(queryset, name, pk)
        return queryset

    def _narrowing_ids(self) -> dict[str, int]:
        from tuijin.core.parsing import parse_id

        found = {}
        for name in self.NARROWINGS:
            pk = parse_id(self.data.get(name)) if self.data.get(name) not in (None, "") else None
            if pk is not None:
                found[name] = pk
        return found

    @property
    def narrowing(self) -> list[tuple[str, int, str]]:
        """(parameter, id, words) of each narrowing in force, e.g. ("lead_unit", 5, "牵头单位：兰山区人民政府")."""
        result = []
        for name, pk in self._narrowing_ids().items():
            label, model = self.NARROWINGS[name]
            target = model.objects.filter(pk=pk).values_list("name", flat=True).first() or "—"
            words = f"{target}{label}" if name == "own_region" else f"{label}：{target}"
            result.append((name, pk, words))
        return result


    def extra_terms(self) -> list[tuple[str, str]]:
        """The narrowings in force as an export's title states them (core.listexport.filter_terms)."""
        return [("", words) for _name, _pk, words in self.narrowing]


def narrow(queryset, name: str, pk: int):
    """A narrowing of LedgerFilterSet.NARROWINGS applied to projects: the one definition, which the ledger
    and the figures' groups (tuijin.figures.dimensions) both use."""
    if name == "lead_unit":
        return queryset.filter(lead_unit_id=pk)
    if name == "own_region":
        return queryset.filter(region_id=pk)
    raise KeyError(name)


class AdmissionFilterSet(django_filters.FilterSet):
    """The office's queue of applications (项目申报审核): `kind` new (申报入库) or level (级别调整), `region`
    (a region of the user's scope, with its subtree). A value outside the choices filters nothing."""

    NEW, LEVEL = "new", "level"

    kind = django_filters.ChoiceFilter(
        label=_("申报事项"), choices=[(NEW, _("新增入库")), (LEVEL, _("级别调整"))], empty_label=_("全部"),
        method="filter_kind", widget=SELECT,
    )
    region = django_filters.ModelChoiceFilter(
        label=_("区域"), queryset=Region.objects.none(), method="filter_region", empty_label=_("全部区域"), widget=SELECT,
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data=None, *args, user=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        from tuijin.org.selectors import regions_visible_to

        regions = regions_visible_to(user).only("id", "name", "path") if user else Region.objects.all()
        self.filters["region"].queryset = regions
        self.form.fields["region"].queryset = regions

    def filter_kind(self, queryset, name, value):
        # As the queue shows them: a pending project is a new one, whatever level it asks for.
        if value == self.NEW:
            return queryset.filter(admission=Admission.PENDING)
        return queryset.exclude(admission=Admission.PENDING).filter(requested_level__isnull=False)

    def filter_region(self, queryset, name, value):
        return queryset.filter(region__in=value.subtree())
