"""The one statistics layer: every figure of the registry for any ledger filter and period, grouped by
any dimension (`figures`), and the rows behind any one of them (`explain`).

The projects are the ledger's: the user's scope (Project.objects.visible_to), the ledger's FilterSet
with the period's year (so only projects with that year's plan), admitted projects only (the ledger's
合计 row). The ledger opened with a group's parameters (`ledger_params`) lists the same projects with the
same totals. Figures are read as of the period's end and state it ("截至2026年10月，已审核填报").
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, F, IntegerField, Value, When
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import NotFound
from tuijin.core.fields import MoneyField
from tuijin.problems.choices import ProblemStatus
from tuijin.projects.filtersets import LedgerFilterSet
from tuijin.projects.models import Project
from tuijin.projects.selectors import YEAR_PLAN, ledger_queryset, with_year_plan
from tuijin.reports.choices import ReportState, WorkStatus
from tuijin.reports.figures import gap_text, schedule_share
from tuijin.reports.models import ReportPeriod
from tuijin.reports.selectors import counted_reports
from tuijin.schedules.choices import ApprovalStatus

from . import registry, sources
from .dimensions import DIMENSIONS, NONE, REGION_LEVELS, Dimension, Group, make
from .periods import Period, PeriodError, parse_period
from .registry import FIGURES, MONEY_COMPONENTS, Figure

# Query parameters that are not ledger filters here: the figures' own, and the ledger's that the
# figures fix (the year is the period's; only admitted projects count) or that do not filter.
OWN_PARAMS = ("period", "by", "region_level", "figure", "group", "format")
FIXED_PARAMS = ("year", "admission", "page", "sort", "as_of", "archived")


class FiguresError(ValueError):
    """Input the figures cannot be computed from (a period, a dimension, a filter); the message is Chinese."""


# ------------------------------------------------------------------------------------------ inputs


def period_of(value) -> Period:
    if isinstance(value, Period):
        return value
    try:
        return parse_period(value)
    except PeriodError as exc:
        raise FiguresError(str(exc)) from exc


def _filter_data(filters) -> QueryDict:
    data = QueryDict(mutable=True)
    if filters:
        items = filters.lists() if hasattr(filters, "lists") else ((k, v if isinstance(v, list) else [v])
                                                                    for k, v in filters.items())
        for name, values in items:
            if name in OWN_PARAMS or name in FIXED_PARAMS:
                continue
            data.setlist(name, [str(v) for v in values])
    return data


def ledger_filter(user, filters, year: int) -> LedgerFilterSet:
    """The ledger's FilterSet over the user's scope (every project for the system, user None) with the
    year fixed; FiguresError naming each filter that is not valid (the ledger would ignore it)."""
    data = _filter_data(filters)
    data["year"] = str(year)
    queryset = Project.objects.filter(is_archived=False) if user is None else ledger_queryset(user)
    filterset = LedgerFilterSet(data, queryset=queryset, user=user)
    if not filterset.is_valid():
        problems = [f"{filterset.form.fields[name].label}：{'；'.join(errors)}"
                    for name, errors in filterset.form.errors.items() if name in filterset.form.fields]
        raise FiguresError(_("筛选条件不正确：%(errors)s") % {"errors": "；".join(problems) or _("请重新选择")})
    return filterset


def _projects(filterset, exclude=()):
    """The filter's admitted projects, less those `exclude` names (ids: a scheme's exempted projects)."""
    projects = filterset.qs.admitted()
    return projects.exclude(pk__in=list(exclude)) if exclude else projects


def projects_of(user, *, period, filters=None):
    """The projects the figures of `period` count for `user` and the ledger `filters` (the same rule as
    `figures()`): what a page listing records behind the figures (warnings, problems) starts from."""
    return _projects(ledger_filter(user, filters, period_of(period).year))


def filter_params(filterset) -> dict:
    """The filters in force as ledger parameters (ids), without the year: what a link carries."""
    params = {}
    for name, value in filterset.form.cleaned_data.items():
        if name in FIXED_PARAMS or value in (None, "", []):
            continue
        params[name] = value.pk if hasattr(value, "pk") else value
    for name, pk, _words in filterset.narrowing:
        params[name] = pk
    return params


def dimension_of(group_by: str | None, filterset, region_level: str | None = None) -> Dimension | None:
    if not group_by:
        return None
    if group_by not in DIMENSIONS:
        raise FiguresError(_("分组“%(by)s”不存在，可选：%(all)s") % {"by": group_by, "all": "、".join(DIMENSIONS)})
    if region_level and region_level not in REGION_LEVELS:
        raise FiguresError(_("区域层级“%(v)s”不存在，可选：%(all)s") % {"v": region_level, "all": "、".join(REGION_LEVELS)})
    return make(group_by, filterset, filterset.form.cleaned_data, region_level or None)


def keys_of(keys) -> list[str]:
    if not keys:
        return list(FIGURES)
    unknown = [key for key in keys if key not in FIGURES]
    if unknown:
        raise FiguresError(_("指标“%(keys)s”不存在") % {"keys": "、".join(unknown)})
    return list(keys)


# ------------------------------------------------------------------------------------------ figures


@dataclass
class GroupFigures:
    """One group's figures (or the total's): `values[figure key]`, from `components`."""

    key: str
    name: str
    components: dict
    values: dict
    group: Group | None = None

    def __getitem__(self, key: str):
        return self.values[key]

    def get(self, key: str, default=None):
        return self.values.get(key, default)

    @property
    def deviation_text(self) -> str:
        return gap_text(self.values.get("deviation_points"))

    def as_json(self) -> dict:
        """Money as exact decimal strings in 万元, rates and points as decimal strings with one place."""
        result: dict = {"key": self.key, "name": self.name}
        for key, value in self.values.items():
            kind = FIGURES[key].kind
            if value is None:
                result[key] = None
            elif kind in (registry.COUNT,):
                result[key] = int(value)
            elif kind == registry.STAGES:
                result[key] = {stage: int(n) for stage, n in value.items()}
            else:
                result[key] = str(value)
        if "deviation_points" in self.values:
            result["deviation_text"] = self.deviation_text
        return result


@dataclass
class FigureTable:
    basis: sources.Basis
    keys: list[str]
    groups: list[GroupFigures]
    total: GroupFigures
    dimension: Dimension | None = None
    filterset: LedgerFilterSet | None = None
    last_year: bool = False
    excluded: frozenset = frozenset()  # the projects left out (the ledger cannot leave them out: no link)

    @property
    def label(self) -> str:
        return self.basis.label

    def group(self, key: str) -> GroupFigures | None:
        return next((g for g in self.groups if g.key == key), None)

    def ledger_params(self, group: GroupFigures | None = None) -> dict | None:
        if self.excluded:
            return None
        return ledger_params(self.filterset, self.basis, group.group if group is not None else None)

    def as_json(self) -> dict:
        return {
            "period": self.basis.period.key, "label": self.label, "as_of_period": self.basis.as_of.label
            if self.basis.as_of is not None else None,
            "by": self.dimension.key if self.dimension is not None else None,
            "groups": [g.as_json() for g in self.groups], "total": self.total.as_json(),
        }


def ledger_params(filterset, basis: sources.Basis, group: Group | None) -> dict | None:
    """The ledger's query parameters that list exactly the figures' projects (the group's, or all of
    them) with the same totals: the filters, the group's parameters, the year, admitted projects only
    and 本年累计完成 as of the same period. None when the ledger has no filter for the group."""
    if group is not None and not group.linkable:
        return None
    params = {**filter_params(filterset), **(group.params if group is not None else {})}
    params.update(year=basis.year, admission="admitted")
    if basis.as_of is not None:
        params["as_of"] = basis.as_of.pk
    return params


def _finish(components: dict, computed: set[str], last_year: bool, parts=None) -> dict:
    """Fill in the components of the sources computed (0 where a group had no rows) and plan_due.
    `parts`: the components the ledger's pass was asked for (None: all); its others were not computed."""
    result = dict(components)
    for name, source in registry.COMPONENTS.items():
        if source not in computed or name in result:
            continue
        if parts is not None and source in sources.LEDGER_SOURCES and name not in parts \
                and name not in sources.LEDGER_ALWAYS:
            continue
        if source == registry.LAST_YEAR and not last_year:
            continue
        result[name] = Decimal("0.00") if name in MONEY_COMPONENTS else (Decimal(0) if name == "plan_due" else 0)
    if "plan_due_rows" in result:
        result["plan_due"] = sources.plan_due(result.pop("plan_due_rows"))
    if registry.LAST_YEAR in computed and not last_year:
        result["completed_last_year"] = None
    return result


def _lights_of(components: dict, basis) -> dict:
    """The light components unknown (None) for an earlier month without recorded lights (sources.light_q)."""
    if any(name in components for name in sources.LIGHT_COMPONENTS) and not basis.lights_known:
        components.update({name: None for name in sources.LIGHT_COMPONENTS if name in components})
    return components


def figures(user, *, period, group_by: str | None = None, filters=None, keys=None,
            region_level: str | None = None, today: date | None = None, exclude=()) -> FigureTable:
    """Every figure (or those of `keys`) of the projects `user` sees that pass the ledger's `filters`, as
    of the end of `period` (a Period or its text: 2026-10, 2026-Q3, 2026-H1, 2026), per group of
    `group_by` (a key of dimensions.DIMENSIONS) and in total. `user` None: every project (the system).
    `exclude`: ids of projects left out of every figure, this year's and last year's (a scheme's
    exempted projects); the table then offers no ledger link. FiguresError for input it cannot compute
    from (Chinese message)."""
    period = period_of(period)
    keys = keys_of(keys)
    exclude = frozenset(exclude or ())
    filterset = ledger_filter(user, filters, period.year)
    dimension = dimension_of(group_by, filterset, region_level)
    basis = sources.basis_for(period, today)
    projects = _projects(filterset, exclude)
    wanted = registry.sources_of(keys)
    parts = registry.parts_of(keys)
    last_year = registry.LAST_YEAR in wanted and sources.has_last_year(basis)
    last_projects = last_basis = None
    if last_year:
        last_projects = _projects(ledger_filter(user, filters, period.year - 1), exclude)
        last_basis = sources.basis_for(period.last_year(), basis.today)

    def gather(grouping) -> dict:
        raw: dict = defaultdict(dict)
        results = sources.grouped_components(set(wanted) - {registry.LAST_YEAR}, projects, grouping, basis, parts)
        if last_year:
            results.append(sources.last_year_components(last_projects, grouping, last_basis))
        for found in results:
            for key, components in found.items():
                sources.merge_components(raw[key], components)
        return raw

    groups: list[GroupFigures] = []
    total_components: dict = {}
    if dimension is not None:
        raw: dict = defaultdict(dict)
        for grouping in dimension.groupings():
            for key, components in gather(grouping).items():
                sources.merge_components(raw[key], components)
        named = dimension.groups(list(raw))
        by_group: dict[str, tuple[Group, dict]] = {}
        present = set()
        for key, components in raw.items():
            group = named.get(key)
            if group is None:
                continue
            entry = by_group.setdefault(group.key, (group, {}))
            sources.merge_components(entry[1], components)
            if any(n != "completed_last_year" for n in components):
                present.add(group.key)  # a group of this year's projects, not only of last year's
        # In the dimension's order; the group of projects without a value (no lead unit) last.
        ordered = sorted(by_group.items(), key=lambda item: (item[0] == NONE, item[1][0].sort))
        for group_key, (group, components) in ordered:
            if group_key not in present:
                continue
            done = _lights_of(_finish(components, wanted, last_year, parts), basis)
            groups.append(GroupFigures(group.key, group.name, done, registry.values_of(done, keys), group))
        if dimension.partition:
            for components in raw.values():
                sources.merge_components(total_components, components)
    if dimension is None or not dimension.partition:
        total_components = gather(sources.Grouping()).get(None, {})
    total = _lights_of(_finish(total_components, wanted, last_year, parts), basis)
    return FigureTable(basis, keys, groups, GroupFigures("total", _("合计"), total, registry.values_of(total, keys)),
                       dimension, filterset, last_year, exclude)


def project_groups(project_ids, *, period, group_by: str, region_level: str | None = None) -> dict[int, set[str]]:
    """{project id: the keys of the groups of `group_by` it falls in} by the same rules as `figures()`
    (a project of several units or leaders falls in several; one without a value in none, or in the
    group of those without one). What a page needs to say which of its subjects a project counts for."""
    period = period_of(period)
    dimension = dimension_of(group_by, ledger_filter(None, None, period.year), region_level)
    result: dict[int, set[str]] = defaultdict(set)
    if dimension is None or not project_ids:
        return result
    projects = Project.objects.filter(pk__in=list(project_ids))
    for grouping in dimension.groupings():
        rows = list(grouping.rows(projects).values_list("pk", "figure_group"))
        named = dimension.groups(list(dict.fromkeys(raw for _pk, raw in rows)))
        for pk, raw in rows:
            if raw in named:
                result[pk].add(named[raw].key)
    return result


# ---------------------------------------------------------------------------------- month by month


@dataclass
class MonthFigures:
    """One month's figures (as of its end): `values[figure key]`, from `components`."""

    basis: sources.Basis
    components: dict
    values: dict

    @property
    def period(self) -> Period:
        return self.basis.period

    def __getitem__(self, key: str):
        return self.values[key]

    def get(self, key: str, default=None):
        return self.values.get(key, default)


@dataclass
class MonthlyTable:
    """The figures of each month of a year (1月…12月), each equal to figures() of that month."""

    year: int
    keys: list[str]
    months: list[MonthFigures]
    filterset: LedgerFilterSet

    def month(self, number: int) -> MonthFigures:
        return self.months[number - 1]

    def ledger_params(self, month: MonthFigures) -> dict | None:
        """The ledger listing the month's projects with 本年累计完成 as of the month (its 合计 is the month's
        累计完成投资)."""
        return ledger_params(self.filterset, month.basis, None)


def monthly_keys(keys) -> list[str]:
    """The figures a month-by-month series can give (those computed from sources.MONTHLY_PARTS)."""
    wanted = keys_of(keys) if keys else [key for key, figure in FIGURES.items()
                                         if set(figure.parts) <= sources.MONTHLY_PARTS]
    unknown = [key for key in wanted if not set(FIGURES[key].parts) <= sources.MONTHLY_PARTS]
    if unknown:
        raise FiguresError(_("指标“%(keys)s”不能逐月统计") % {"keys": "、".join(unknown)})
    return wanted


def monthly_figures(user, *, period, filters=None, keys=None, today: date | None = None) -> MonthlyTable:
    """The figures `keys` (those of sources.MONTHLY_PARTS: 项目数, 年度计划, 累计完成投资, 1—N月计划, 年计划完成率,
    序时进度, 与序时进度之差, 收集问题, 已办结问题, 问题办结率…) of every month of the period's year, each as of
    the month's end — what figures(user, period="YYYY-MM", filters=…) gives for each month — for the same
    projects (the user's scope and the ledger's `filters`, the year's plans). A few grouped queries for
    the whole year (sources.monthly_components), not twelve figures() calls. FiguresError for input it
    cannot compute from."""
    period = period_of(period)
    keys = monthly_keys(keys)
    filterset = ledger_filter(user, filters, period.year)
    bases = sources.month_bases(period.year, today or timezone.localdate())
    found = sources.monthly_components(_projects(filterset), bases, registry.parts_of(keys))
    months = [MonthFigures(basis, components, registry.values_of(components, keys))
              for basis, components in zip(bases, found, strict=True)]
    return MonthlyTable(period.year, keys, months, filterset)


# ------------------------------------------------------------------------------------------ explain


@dataclass
class ExplainRow:
    """A project behind a figure: its contribution to each component and the records it comes from."""

    project_id: int
    name: str = ""
    code: str = ""
    region: str = ""
    parts: dict = field(default_factory=dict)
    items: list = field(default_factory=list)  # reports, nodes, approvals, problems: {"text": …, …}

    def as_json(self) -> dict:
        return {"project_id": self.project_id, "name": self.name, "code": self.code, "region": self.region,
                "parts": {k: _json_value(k, v) for k, v in self.parts.items()}, "items": self.items}


def _json_value(component: str, value):
    if value is None:
        return None
    if component in MONEY_COMPONENTS or component == "plan_due":
        return str(value)
    return int(value)


@dataclass
class Explanation:
    figure: Figure
    basis: sources.Basis
    group: Group | None
    rows: list[ExplainRow]
    totals: dict  # each component summed over the rows
    value: object  # the figure computed from the totals: equal to the grouped figure
    ledger: dict | None = None  # the ledger's parameters listing the same projects

    @property
    def label(self) -> str:
        return self.basis.label

    def as_json(self) -> dict:
        totals = dict(self.totals)
        totals.pop("plan_due_rows", None)
        value = GroupFigures("", "", {}, {self.figure.key: self.value}).as_json()[self.figure.key]
        return {
            "figure": self.figure.key, "label": str(self.figure.label), "unit": self.figure.unit,
            "definition": str(self.figure.definition), "period": self.basis.period.key, "as_of": self.label,
            "group": {"key": self.group.key, "name": self.group.name} if self.group is not None else None,
            "value": value, "totals": {k: _json_value(k, v) for k, v in totals.items()},
            "rows": [row.as_json() for row in self.rows],
        }


def _flag(q):
    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


class Labels:
    """The words a drill-down writes on its rows, translated once per drill-down rather than per row."""

    def __init__(self):
        self.state = {value: str(label) for value, label in ReportState.choices}
        self.work = {value: str(label) for value, label in WorkStatus.choices}
        self.approval = {value: str(label) for value, label in ApprovalStatus.choices}
        self.problem = {value: str(label) for value, label in ProblemStatus.choices}
        self.not_filled, self.late, self.on_time = _("未填"), _("逾期"), _("，按期")
        self.no_date = _("无实际完成日期")
        self.node = _("“%(n)s”计划%(p)s，实际%(a)s%(ok)s")
        self._periods: dict | None = None

    def period(self, pk: int) -> str:
        if self._periods is None:
            self._periods = {p.pk: p.label for p in ReportPeriod.objects.only("pk", "year", "month", "seq", "cadence")}
        return self._periods.get(pk, "")


def _explain_ledger(projects, basis, parts, rows, labels):
    flags = sources.project_flags(basis, set(parts))
    done = basis.completion() if "completed" in parts else None
    found = (with_year_plan(projects, basis.year, done).order_by()
             .annotate(figure_done=done.expression if done is not None else Value(None, output_field=MoneyField()),
                       figure_plan=F(f"{YEAR_PLAN}__planned_investment"),
                       **{f"figure_{name}": _flag(q) for name, q in flags.items()})
             .values_list("pk", "total_investment", "figure_plan", "figure_done", *(f"figure_{name}" for name in flags)))
    zero = Decimal("0.00")
    for pk, total, plan, done, *flagged in found:
        target = rows[pk].parts
        target.update(projects=1, total_investment=total, annual_plan=plan or zero, completed=done or zero)
        target.update(zip(flags, flagged, strict=True))
    if "completed" in parts:
        reports = (counted_reports(basis.done_end).filter(project__in=projects.order_by().values("pk"))
                   .order_by("project_id", "period_end", "id").values_list("project_id", "period_id", "amount", "state"))
        for pk, period_id, amount, state in reports:
            label = labels.period(period_id)
            rows[pk].items.append({"kind": "report", "text": f"{label} {labels.state[state]} {amount:,.2f}万元",
                                   "period": label, "amount": str(amount), "state": state})


def _explain_schedule(projects, basis, parts, rows, labels):
    found = (with_year_plan(projects, basis.year).filter(**{f"{YEAR_PLAN}__isnull": False}).order_by()
             .values_list("pk", f"{YEAR_PLAN}__planned_investment", f"{YEAR_PLAN}__monthly_plan",
                          f"{YEAR_PLAN}__planned_start", f"{YEAR_PLAN}__planned_completion"))
    spread, own = _("按年内建设月份平均分解"), _("按月度累计计划")
    text = _("1—%(m)s月计划%(due)s万元（%(how)s）")
    due_of: dict = {}  # a plan's due amount, the same as plan_due([its row]); shares cached by their dates
    for pk, planned, monthly, start, completion in found:
        plan_row = (planned, monthly or None, start, completion, basis.end, 1)
        target = rows[pk].parts
        target.setdefault("plan_due_rows", []).append(plan_row)
        if monthly:
            due = sources.plan_due([plan_row])
        else:
            if (start, completion) not in due_of:
                due_of[(start, completion)] = schedule_share(basis.end, planned_start=start, planned_completion=completion)
            due = (due_of[(start, completion)] * planned).quantize(sources.DUE_PLACES)
        target["plan_due"] = due
        rows[pk].items.append({"kind": "plan", "text": text % {
            "m": basis.end.month, "due": f"{due:,.2f}", "how": own if monthly else spread}})


def _related_explainer(source: str, fields: tuple, describe):
    """A drill-down of a source of records (sources.RELATED): each counting record of the group's
    projects adds to its project's components and is listed under it (`describe`: its words)."""
    def explain_source(projects, basis, parts, rows, labels):
        spec = sources.RELATED[source]
        names = spec.parts(basis)
        records = (spec.records(basis).filter(project__in=projects.order_by().values("pk")).order_by("project_id", "pk")
                   .values("project_id", *fields, *(f"figure_{name}" for name in names)))
        for record in records:
            target = rows[record["project_id"]].parts
            if spec.count:
                target[spec.count] = target.get(spec.count, 0) + 1
            for name in names:
                target[name] = target.get(name, 0) + (record[f"figure_{name}"] or 0)
            rows[record["project_id"]].items.append(describe(record, labels))
    return explain_source


def _describe_work(r, labels):
    return {"kind": "report", "text": f"{labels.period(r['period_id'])} {labels.work.get(r['work_status'], labels.not_filled)}",
            "work_status": r["work_status"]}


def _describe_milestone(r, labels):
    actual = r["actual_date"]
    text = labels.node % {"n": r["name"], "p": r["planned_date"], "a": actual or labels.no_date,
                          "ok": labels.on_time if r["figure_milestones_on_time"] else ""}
    return {"kind": "milestone", "text": text, "planned": r["planned_date"].isoformat(),
            "actual": actual.isoformat() if actual else None}


def _describe_approval(r, labels):
    done = f"（{r['done_date']}）" if r["done_date"] else ""
    return {"kind": "approval", "text": f"{r['type__name']}：{labels.approval[r['status']]}{done}", "status": r["status"]}


def _describe_problem(r, labels):
    days = r["days_to_close"] if r["figure_problems_closed"] else None
    return {"kind": "problem", "id": r["id"], "text": f"{r['raised_on']} {r['type__name']}：{r['description'][:40]}"
            f"（{labels.problem[r['status']]}）", "days_to_close": days}


def _describe_report(r, labels):
    late = labels.late if r["is_late"] else ""
    return {"kind": "report", "text": f"{labels.period(r['period_id'])} {labels.state[r['state']]}{late}",
            "state": r["state"], "is_late": r["is_late"]}


def _explain_last_year(projects, basis, parts, rows):
    done = basis.completion()
    found = (with_year_plan(projects, basis.year, done).order_by().annotate(figure_done=done.expression)
             .values_list("pk", "figure_done"))
    for pk, done in found:
        rows[pk].parts["completed_last_year"] = done or Decimal("0.00")


EXPLAIN = {
    registry.LEDGER: _explain_ledger, registry.SCHEDULE: _explain_schedule,
    registry.WORK: _related_explainer(registry.WORK, ("period_id", "work_status"), _describe_work),
    registry.MILESTONES: _related_explainer(registry.MILESTONES, ("name", "planned_date", "actual_date"),
                                            _describe_milestone),
    registry.APPROVALS: _related_explainer(registry.APPROVALS, ("type__name", "status", "done_date"), _describe_approval),
    registry.PROBLEMS: _related_explainer(registry.PROBLEMS, ("id", "raised_on", "type__name", "description", "status",
                                                              "days_to_close"), _describe_problem),
    registry.REPORTING: _related_explainer(registry.REPORTING, ("period_id", "state", "is_late"), _describe_report),
}


def explain(user, figure_key: str, group_key: str | None, *, period, filters=None, group_by: str | None = None,
            region_level: str | None = None, today: date | None = None, exclude=()) -> Explanation:
    """The projects (and their reports, nodes, approvals, problems) one figure of one group was computed
    from; `group_key` None (or "total"): of every project. The components summed over the rows give the
    figure again (Explanation.value equals figures(...) for the group, with the same `exclude`). NotFound
    for a group the user has no project in; FiguresError for input it cannot compute from."""
    figure = FIGURES.get(figure_key)
    if figure is None:
        raise FiguresError(_("指标“%(key)s”不存在") % {"key": figure_key})
    period = period_of(period)
    exclude = frozenset(exclude or ())
    filterset = ledger_filter(user, filters, period.year)
    basis = sources.basis_for(period, today)
    projects = _projects(filterset, exclude)
    group = None
    dimension = dimension_of(group_by, filterset, region_level)
    if group_key in (None, "", "total"):
        dimension = None
    else:
        if dimension is None:
            raise FiguresError(_("请指明分组方式（by）"))
        group, projects = dimension.restrict(projects, str(group_key))
        if not projects.exists():
            raise NotFound(group_key)
    wanted = {registry.COMPONENTS[part] for part in figure.parts}
    rows: dict[int, ExplainRow] = defaultdict(lambda: ExplainRow(0))
    labels = Labels()
    for source in wanted - {registry.LAST_YEAR}:
        EXPLAIN[source](projects, basis, set(figure.parts), rows, labels)
    last_year = registry.LAST_YEAR in wanted and sources.has_last_year(basis)
    if last_year:
        last_projects = _projects(ledger_filter(user, filters, period.year - 1), exclude)
        if dimension is not None:
            _group, last_projects = dimension.restrict(last_projects, str(group_key))
        _explain_last_year(last_projects, sources.basis_for(period.last_year(), basis.today), figure.parts, rows)
    kept = {pk: row for pk, row in rows.items()
            if any(row.parts.get(part) not in (None, 0) for part in figure.parts)}
    _name_rows(kept)
    ordered = sorted(kept.values(), key=lambda row: (row.region, row.name, row.project_id))
    totals: dict = {}
    for row in ordered:
        sources.merge_components(totals, {k: v for k, v in row.parts.items() if k in figure.parts or k == "plan_due_rows"})
    computed = set(wanted)
    finished = _finish(totals, computed, last_year)
    finished = {k: v for k, v in finished.items() if k in figure.parts}
    value = figure.compute(finished)
    linked = not exclude and (group is not None or dimension is None)
    return Explanation(figure, basis, group, ordered, finished, value,
                       ledger_params(filterset, basis, group) if linked else None)


def _name_rows(rows: dict[int, ExplainRow]) -> None:
    for pk, name, code, region in Project.objects.filter(pk__in=list(rows)).values_list(
            "pk", "name", "code", "region__name"):
        row = rows[pk]
        row.project_id, row.name, row.code, row.region = pk, name, code, region


# ------------------------------------------------------------------------------ problems by type


@dataclass
class ProblemTypeRow:
    """The problems of one type (前期手续, 用地 …) among the figures' projects: raised in the year up to
    the period's end (`total`, the figure 收集问题's rule), raised within the period's own months
    (`new`), 销号 by the end (`closed`, the figure 已办结问题's rule) and still open (`open`)."""

    key: int | None
    name: str
    total: int = 0
    new: int = 0
    closed: int = 0
    open: int = 0
    days: int = 0

    @property
    def rate(self) -> Decimal | None:
        return registry._rate("problems_closed", "problems")({"problems_closed": self.closed, "problems": self.total})

    def add(self, other: "ProblemTypeRow") -> None:
        for name in ("total", "new", "closed", "open", "days"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def problems_by_type(user, *, period, filters=None, today: date | None = None) -> tuple[list[ProblemTypeRow], ProblemTypeRow]:
    """The problems behind 收集问题 / 已办结问题 / 问题办结率 grouped by their type, most raised first, and
    the total (which equals those figures for the same user, period and filters)."""
    from django.db.models import Count, Q, Sum

    from tuijin.problems.choices import ACTIVE_PROBLEM_STATES
    from tuijin.problems.models import Problem, ProblemType

    period = period_of(period)
    basis = sources.basis_for(period, today)
    projects = projects_of(user, period=period, filters=filters)
    closed = sources.problem_closed(basis, "")
    rows = (Problem.objects.filter(sources.problem_where(basis, ""), project__in=projects.values("pk"))
            .values("type_id").order_by("type_id")
            .annotate(total=Count("pk"), new=Count("pk", filter=Q(raised_on__gte=period.start)),
                      closed=Count("pk", filter=closed),
                      open=Count("pk", filter=Q(status__in=list(ACTIVE_PROBLEM_STATES)) | (
                          Q(status=ProblemStatus.CLOSED) & Q(closed_on__gt=basis.end))),
                      days=Sum("days_to_close", filter=closed)))
    names = dict(ProblemType.objects.values_list("pk", "name"))
    result = [ProblemTypeRow(r["type_id"], names.get(r["type_id"], _("其他")), r["total"], r["new"], r["closed"],
                             r["open"], r["days"] or 0) for r in rows]
    result.sort(key=lambda r: (-r.total, r.name))
    total = ProblemTypeRow(None, _("合计"))
    for row in result:
        total.add(row)
    return result, total
