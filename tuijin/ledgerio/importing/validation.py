"""Validation: every project row through the edit form's rules (projects.services.project_rules,
annual_plan_rules) plus the bulk checks (codes, scope, years), with what they need read in bulk; the
project and plan each valid row will save (`build_project`, `build_plan`)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.org.models import Region
from tuijin.projects.models import AnnualPlan, Project
from tuijin.projects.services import annual_plan_rules, project_rules

from ..mapping import ColumnMap
from .analysis import REQUIRED, ZERO, Analysis, F, Issue, Row, _present
from .rows import REGION_REASON

# Fields a sheet may give in a column of their own or within another's: a message about one of them
# points at the other column when the sheet has no column of its own for it.
_COMBINED = {F.START_YEAR: F.PERIOD, F.END_YEAR: F.PERIOD, F.LONGITUDE: F.COORDINATES, F.LATITUDE: F.COORDINATES}

_CHAR_LIMITS = {name: Project._meta.get_field(name).max_length
                for name in ("name", "code", "stats_code", "address", "owner_contact", "owner_phone")}


def _validate(analysis: Analysis) -> None:
    """Every project row through the edit form's rules (projects.services.project_rules) and the
    annual plan's, with what they need from the database read in bulk."""
    rows = [r for r in analysis.project_rows if r.values.get(F.NAME) and r.action]
    present = _present(analysis)
    missing_everywhere = [name for name in REQUIRED if name not in present and name not in analysis.defaults]
    for name in missing_everywhere:
        if not any(name in r.values or name in r.context for r in rows):
            analysis.missing.append(name)
            if name == F.REGION:
                message = _("表中没有区域列（所属区域、所属县区等），分组行也没有指明区域：请选择默认区域（命令行："
                            "--default region=区划代码），不会把整个文件记到上级区域")
            else:
                message = _("表中没有“%(field)s”列，请在“默认值”中选择%(field)s，或在列对应中指定") % {"field": F(name).label}
            analysis.errors.append(Issue(analysis.sheet, None, str(F(name).label), message))
    existing_ids = [r.project.pk for r in rows if r.project is not None]
    plans: dict[int, list] = defaultdict(list)
    if existing_ids:
        for plan in AnnualPlan.objects.filter(project_id__in=existing_ids).order_by("year"):
            plans[plan.project_id].append(plan)
    code_owner = {}
    codes = [r.values[F.CODE] for r in rows if r.values.get(F.CODE)]
    if codes:
        code_owner = dict(Project.objects.filter(code__in=codes, is_archived=False).values_list("code", "id"))
    scoped = analysis.user is not None
    editable_ids = set()
    if scoped and existing_ids:
        editable_ids = set(Project.objects.editable_by(analysis.user).filter(pk__in=existing_ids).values_list("id", flat=True))
    code_field = Project._meta.get_field("code")
    today = timezone.localdate()
    required = [(name, analysis.column(name)) for name in REQUIRED if name not in analysis.missing]
    total_column = analysis.column(F.TOTAL_INVESTMENT)

    def unreadable(row: Row, column: ColumnMap | None) -> bool:
        """Whether the row's cell in `column` is there but unreadable (and has said so already)."""
        return column is not None and any(e.letter == column.letter for e in row.errors)

    for row in rows:
        values = row.values

        def error(name: str, message: str, row=row) -> None:
            column = analysis.column(name) or analysis.column(_COMBINED.get(name, ""))
            row.errors.append(Issue(analysis.sheet, row.number, column.label if column else str(F(name).label) if name in F.values else "",
                                    message, column.letter if column else ""))

        for name, column in required:
            if values.get(name) is None and (row.action == "create" or name == F.REGION) and not unreadable(row, column):
                if name == F.REGION and row.context.get(REGION_REASON):
                    error(name, row.context[REGION_REASON])  # the group row above names no region we know
                else:
                    error(name, _("缺少%(field)s") % {"field": F(name).label})
        if values.get(F.TOTAL_INVESTMENT) is None and row.action == "create" and not unreadable(row, total_column):
            error(F.TOTAL_INVESTMENT, _("总投资不能为空"))  # (an unreadable amount has its own message)
        for name, limit in _CHAR_LIMITS.items():
            if len(values.get(name) or "") > limit:
                error(name, _("不能超过%(limit)s个字（现有%(n)s个）") % {"limit": limit, "n": len(values[name])})
        if values.get(F.CODE):
            try:
                code_field.run_validators(values[F.CODE])
            except ValidationError as exc:
                error(F.CODE, exc.messages[0])
            owner = code_owner.get(values[F.CODE])
            if owner is not None and (row.project is None or owner != row.project.pk):
                error(F.CODE, _("项目代码 %(code)s 已被系统中另一个项目使用") % {"code": values[F.CODE]})
        region = values.get(F.REGION)
        if region is not None and scoped:
            if not _region_editable(analysis, region):
                error(F.REGION, _("“%(region)s”不在您的管辖范围内，不能导入该区域的项目") % {"region": region.name})
        if row.project is not None and scoped and row.project.pk not in editable_ids:
            error(F.NAME, _("该项目已在系统中，但不在您的管辖范围内"))
        if values.get(F.YEAR_LISTED) is not None and not 2000 <= values[F.YEAR_LISTED] <= 2100:
            error(F.YEAR_LISTED, _("年份%(year)s超出范围（2000–2100）") % {"year": values[F.YEAR_LISTED]})
        for name in (F.START_YEAR, F.END_YEAR):
            year = values.get(name)
            if year is not None and not 1990 <= year <= 2100:
                error(name, _("年份%(year)s超出范围（1990–2100）") % {"year": year})
        if row.errors:
            continue
        project = build_project(row, analysis)
        existing = plans.get(project.pk, ()) if row.project is not None else ()
        plan_rows = [(p.year, p.planned_investment, p.completed_before) for p in existing if p.year != analysis.year]
        plan = build_plan(row, analysis, project, existing)
        if plan is not None:
            plan_rows.append((plan.year, plan.planned_investment, plan.completed_before))
            plan_rows.sort()
        for name, messages in project_rules(project, plans=plan_rows, today=today).items():
            for message in messages:
                error(name, message)
        if plan is not None:
            for name, messages in annual_plan_rules(plan, project.total_investment).items():
                target = {"planned_investment": F.PLAN_INVESTMENT, "completed_before": F.COMPLETED_BEFORE,
                          "monthly_plan": F.MONTHLY_PLAN}.get(name, name)
                for message in messages:
                    error(target, message)
        row.built = (project, plan)


def _region_editable(analysis: Analysis, region: Region) -> bool:
    paths = analysis.editable_paths
    if paths is None:
        return True
    editable = analysis.editable_regions.get(region.id)
    if editable is None:
        editable = analysis.editable_regions[region.id] = any(region.path.startswith(p) for p in paths)
    return editable


PROJECT_VALUE_FIELDS = (
    F.YEAR_LISTED, F.CODE, F.STATS_CODE, F.NAME, F.ADDRESS, F.SCALE, F.START_YEAR, F.END_YEAR, F.PLANNED_START,
    F.PLANNED_COMPLETION, F.TOTAL_INVESTMENT, F.OWNER_CONTACT, F.OWNER_PHONE, F.LAND_AREA, F.REMARKS,
    F.LONGITUDE, F.LATITUDE,
)
PROJECT_FK_FIELDS = (F.REGION, F.LEVEL, F.CATEGORY, F.NATURE, F.STAGE)
_FK_ATTNAMES = [(name, f"{name}_id") for name in PROJECT_FK_FIELDS]


class _Record:
    """A new row to insert: its attributes are its columns (attname → value), and `vars(record)` is the
    {attname: value} dict tuijin.core.bulk.create_rows takes. The edit form's rules (project_rules,
    annual_plan_rules) read it like a model instance. Ten thousand model instances cost more than
    validating and writing their rows; plain attributes (no __getattr__) keep the rules' reads cheap."""

    def __init__(self, values: dict):
        self.__dict__.update(values)

    @property
    def pk(self):
        return self.__dict__.get("id")


_BLANKS: dict = {}


def _blank(model) -> _Record:
    """A new row of `model` with every field at its default."""
    if model not in _BLANKS:
        fields = model._meta.concrete_fields
        fixed = {f.attname: None if f.primary_key else f.get_default() for f in fields}
        fresh = [f for f in fields if f.has_default() and callable(f.default)]  # one each
        _BLANKS[model] = (fixed, fresh)
    fixed, fresh = _BLANKS[model]
    record = _Record(fixed)
    for model_field in fresh:
        setattr(record, model_field.attname, model_field.get_default())
    return record


def _copy(instance):
    """An unsaved-state copy of a model instance read from the database (the values of its fields, a fresh
    _state as Model(*values) would have, no cached relations): what the rows of an import are built on."""
    model, stored = type(instance), instance.__dict__
    copy = model.__new__(model)
    copy.__dict__.update({name: stored[name] if name in stored else getattr(instance, name) for name in _ATTNAMES[model]})
    copy._state = ModelState()
    copy._state.adding = False
    return copy


_ATTNAMES = {model: [f.attname for f in model._meta.concrete_fields] for model in (Project, AnnualPlan)}


def build_project(row: Row, analysis: Analysis) -> Project:
    """The project as it will be saved: an unsaved copy of the existing one with the sheet's values
    over it (blank cells keep what is there), or a new one."""
    values = row.values
    if row.project is not None:
        project = _copy(row.project)
    else:
        project = _blank(Project)
        project.year_listed = analysis.year
    attributes = project.__dict__
    attributes.update({name: value for name in PROJECT_VALUE_FIELDS
                       if (value := values.get(name)) is not None and value != ""})
    # (.id, not Django's .pk property: dictionary rows and regions all have an id)
    attributes.update({attname: value.id for name, attname in _FK_ATTNAMES if (value := values.get(name)) is not None})
    return project


def build_plan(row: Row, analysis: Analysis, project: Project, existing: list) -> AnnualPlan | None:
    values = row.values
    given = [values.get(F.PLAN_INVESTMENT), values.get(F.COMPLETED_BEFORE), values.get(F.CONSTRUCTION_GOAL),
             values.get(F.MONTHLY_PLAN)]
    if all(v in (None, "") for v in given):
        return None
    plan = next((p for p in existing if p.year == analysis.year), None)
    if plan is None:
        plan = _blank(AnnualPlan)
        plan.year, plan.planned_investment, plan.completed_before = analysis.year, ZERO, ZERO
    else:
        plan = _copy(plan)
    plan.project = project
    if values.get(F.PLAN_INVESTMENT) is not None:
        plan.planned_investment = values[F.PLAN_INVESTMENT]
    if values.get(F.COMPLETED_BEFORE) is not None:
        plan.completed_before = values[F.COMPLETED_BEFORE]
    if values.get(F.CONSTRUCTION_GOAL):
        plan.construction_goal = values[F.CONSTRUCTION_GOAL]
    if values.get(F.MONTHLY_PLAN):
        plan.monthly_plan = cumulative_plan(values[F.MONTHLY_PLAN])
    return plan


def cumulative_plan(months: dict[int, tuple[Decimal, bool]]) -> list[str]:
    """The twelve cumulative amounts from a sheet's month columns: amounts per month are added up,
    cumulative ones ("1-3月累计计划") taken as they are. Months missing leave the list short, which the
    annual plan's rules report ("月度累计计划须有12个月的数值")."""
    plan, running = [], ZERO
    for month in range(1, 13):
        if month not in months:
            return plan
        amount, cumulative = months[month]
        running = amount if cumulative else running + amount
        plan.append(f"{running:.2f}")
    return plan
