"""Where the components of the figures come from (registry.COMPONENTS): one grouped query per source
for every group at once (on PostgreSQL one for all the sources of records), and the same conditions row
by row for a drill-down.

Every condition is written once here, as a Q object or an expression, and used both ways: counted with
`Count(filter=...)` per group and as a 0/1 column per row. The money comes from the ledger's own sums
(projects.selectors.ledger_sums) and the one 本年累计完成 of the reports app
(reports.selectors.completion_figure), so a figure is never computed another way than the ledger's.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property, reduce
from operator import or_

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.alerts.models import LightSnapshot, PeriodLight
from tuijin.problems.choices import ProblemStatus
from tuijin.problems.models import Problem
from tuijin.projects.choices import CanonicalStage, Light
from tuijin.projects.selectors import YEAR_PLAN, ledger_sums, with_year_plan
from tuijin.reports.choices import HANDED_IN_STATES, WorkStatus, counted_states
from tuijin.reports.figures import schedule_share
from tuijin.reports.models import ProgressReport, ReportPeriod
from tuijin.reports.selectors import completion_figure, counted_label, last_due_period
from tuijin.schedules.choices import ApprovalStatus, NodeMark
from tuijin.schedules.models import Approval, Milestone

from . import registry
from .periods import MONTH, Period

# 序时 arithmetic: each plan's share of the year times its amount is kept to this many places before
# summing, so that a group's sum is the same whatever order or grouping the plans come in.
DUE_PLACES = Decimal("1e-10")


@dataclass(frozen=True)
class Basis:
    """What the figures are as of: the period asked for, the reporting period whose reports carry
    本年累计完成 at its end (the year's latest period ending by then), and the stated rule."""

    period: Period
    as_of: ReportPeriod | None
    today: date

    @property
    def end(self) -> date:
        return self.period.end

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def done_end(self) -> date:
        """The day 本年累计完成 is read as of (the reporting period's end, as the ledger reads it)."""
        return self.as_of.ends_on if self.as_of is not None else self.period.end

    @property
    def label(self) -> str:
        """截至2026年10月，已审核填报: stated on every page and output that shows figures."""
        return _("截至%(period)s，%(rule)s") % {"period": self.period.label, "rule": counted_label()}

    @cached_property
    def due_periods(self) -> list[int]:
        """The reporting periods of the period's own months whose deadline has passed (按时填报率 counts
        their reports)."""
        return list(ReportPeriod.objects.filter(ends_on__gte=self.period.start, ends_on__lte=self.end,
                                                due_on__lt=self.today).order_by("pk").values_list("pk", flat=True))

    def completion(self):
        """The ledger's 本年累计完成 expression (on projects joined to the year's plan)."""
        return completion_figure(self.done_end, self.as_of.pk if self.as_of is not None else None)


    @cached_property
    def light_snapshot(self) -> int | None:
        """The lights recorded for the period's last month (alerts.LightSnapshot, kept while that month was
        the one the warnings judged), if any: what the light figures count."""
        return (LightSnapshot.objects.filter(period__ends_on=self.end).order_by("-period_id")
                .values_list("pk", flat=True).first())

    @cached_property
    def lights_known(self) -> bool:
        """Whether the light figures have a value: recorded for the month, or the month is the one judged now
        or later (the projects' lights as they are). An earlier month without a record has none."""
        if self.light_snapshot is not None:
            return True
        judged = last_due_period(self.today)
        return judged is None or self.end >= judged.ends_on


def basis_for(period: Period, today: date | None = None) -> Basis:
    as_of = (ReportPeriod.objects.filter(year=period.year, ends_on__lte=period.end)
             .order_by("-ends_on", "-id").first())
    return Basis(period, as_of, today or timezone.localdate())


def has_last_year(basis: Basis) -> bool:
    """Whether last year has dispatch data to compare with (a reporting period by the same day)."""
    last = basis.period.last_year()
    return ReportPeriod.objects.filter(year=last.year, ends_on__lte=last.end).exists()


# ---------------------------------------------------------------------------------- the conditions


def planned_start_q(b: Basis) -> Q:
    return Q(planned_start__gte=b.period.year_start, planned_start__lte=b.end)


def started_q(b: Basis) -> Q:
    return planned_start_q(b) & Q(actual_start__lte=b.end)


def started_early_q(b: Basis) -> Q:
    return Q(actual_start__gte=b.period.year_start, actual_start__lte=b.end, planned_start__gt=b.end)


def planned_completion_q(b: Basis) -> Q:
    return Q(planned_completion__gte=b.period.year_start, planned_completion__lte=b.end)


def completion_q(b: Basis) -> Q:
    return planned_completion_q(b) & Q(actual_completion__lte=b.end)


def stage_q(stage: str) -> Q:
    return Q(stage__canonical=stage)


# The warning light's components: the lights recorded for the period's last month (alerts.LightSnapshot)
# when there is a record, else — the month judged now or a later one — the projects' lights as they are;
# an earlier month without a record counts nothing and its light figures are unknown (Basis.lights_known).
LIGHT_COMPONENTS = {"light_red": Light.RED, "light_yellow": Light.YELLOW, "light_green": Light.GREEN}


def light_q(b: Basis, light: int) -> Q:
    if b.light_snapshot is None:
        return Q(light=light) if b.lights_known else Q(pk__in=[])
    recorded = PeriodLight.objects.filter(snapshot_id=b.light_snapshot, project_id=OuterRef("pk"))
    if light == Light.GREEN:
        return ~Q(Exists(recorded))
    return Q(Exists(recorded.filter(light=light)))


def project_flags(b: Basis, wanted: set[str] | frozenset[str] | None = None) -> dict[str, Q]:
    """The ledger source's counted conditions on projects, by component (those `wanted`; None: all). The
    light conditions read the month's light record, so they are built only when asked for."""
    flags = {
        **{f"stage_{stage}": stage_q(stage) for stage in CanonicalStage.values},
        "planned_starts": planned_start_q(b), "started": started_q(b), "started_early": started_early_q(b),
        "planned_completions": planned_completion_q(b), "completions": completion_q(b),
    }
    if wanted is None or not wanted.isdisjoint(LIGHT_COMPONENTS):
        flags.update({name: light_q(b, light) for name, light in LIGHT_COMPONENTS.items()})
    return flags if wanted is None else {name: q for name, q in flags.items() if name in wanted}


WORKING_STATES = (WorkStatus.STARTED, WorkStatus.RESUMED)


def _q(prefix: str, **lookups) -> Q:
    """A condition on a related model's fields, seen from the model itself (prefix "") or from the
    project through a relation (prefix "milestones__")."""
    return Q(**{prefix + name: value for name, value in lookups.items()})


@dataclass(frozen=True)
class Related:
    """A source of records hanging off the project: which of them count (`where`), the component counting
    every one of them (`count`), and the components counting those meeting a condition (`flags`) or
    summing a field over them (`sums`: component → (field, condition)). Conditions are written once,
    with the field prefix of where they are read from; a flag may also read the project's own fields
    (`project` prefix: "project__" from the record, "" from the project)."""

    relation: str  # the reverse relation on Project
    model: type
    where: Callable  # (basis, prefix) -> Q | None (None: no record counts)
    count: str | None = None
    flags: Callable | None = None  # (basis, prefix, project prefix) -> {component: Q}
    sums: Callable | None = None  # (basis, prefix) -> {component: (field, Q)}

    def records(self, b: "Basis"):
        """The counting records (for a drill-down), each with its flags as 0/1 columns `figure_<name>`."""
        where = self.where(b, "")
        if where is None:
            return self.model.objects.none()
        flags = self.flags(b, "", "project__") if self.flags else {}
        sums = self.sums(b, "") if self.sums else {}
        return self.model.objects.filter(where).annotate(
            **{f"figure_{name}": Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())
               for name, q in flags.items()},
            **{f"figure_{name}": Case(When(q, then=F(column)), default=Value(0), output_field=IntegerField())
               for name, (column, q) in sums.items()})

    def parts(self, b: "Basis") -> list[str]:
        """The components a record adds to besides `count` (its flags and sums)."""
        return [*(self.flags(b, "", "project__") if self.flags else {}), *(self.sums(b, "") if self.sums else {})]


def work_where(b, prefix):
    """The reports 开复工 is read from: the counted reports of the reporting period as of the end."""
    if b.as_of is None:
        return None
    return _q(prefix, period_id=b.as_of.pk, period_end=b.as_of.ends_on, state__in=list(counted_states()))


def work_flags(b, prefix, project):
    return {"working": _q(prefix, work_status__in=list(WORKING_STATES))}


def milestone_where(b, prefix):
    return _q(prefix, planned_date__gte=b.period.year_start, planned_date__lte=b.end)


def milestone_flags(b, prefix, project):
    """On time: done no later than planned — its own actual date, or for a 开工 / 竣工 node without one the
    project's actual start / completion (Milestone.objects.with_inference's recorded facts). A node
    known done only because a later one is has no date, so it is not counted on time."""
    planned = F(f"{prefix}planned_date")
    on_time = (_q(prefix, actual_date__isnull=False, actual_date__lte=planned)
               | (_q(prefix, actual_date__isnull=True, marks=NodeMark.START)
                  & Q(**{f"{project}actual_start__lte": planned}))
               | (_q(prefix, actual_date__isnull=True, marks=NodeMark.COMPLETION)
                  & Q(**{f"{project}actual_completion__lte": planned})))
    return {"milestones_on_time": on_time}


def approval_where(b, prefix):
    return _q(prefix, required=True) & ~_q(prefix, status=ApprovalStatus.NOT_NEEDED)


def approval_flags(b, prefix, project):
    done = _q(prefix, status=ApprovalStatus.DONE) & (_q(prefix, done_date__isnull=True) | _q(prefix, done_date__lte=b.end))
    return {"approvals_done": done}


def problem_where(b, prefix):
    return _q(prefix, raised_on__gte=b.period.year_start, raised_on__lte=b.end)


def problem_closed(b, prefix) -> Q:
    """销号 by the end (the problems app's 办结: 已销号, problems.selectors.StatRow.rate)."""
    return _q(prefix, status=ProblemStatus.CLOSED) & (_q(prefix, closed_on__isnull=True) | _q(prefix, closed_on__lte=b.end))


def problem_flags(b, prefix, project):
    return {"problems_closed": problem_closed(b, prefix)}


def problem_sums(b, prefix):
    return {"problem_days": ("days_to_close", problem_closed(b, prefix))}


def reports_where(b, prefix):
    """The reports of the period's own months whose deadline has passed (they had to be handed in)."""
    if not b.due_periods:
        return None
    return _q(prefix, period_end__gte=b.period.start, period_end__lte=b.end, period_id__in=b.due_periods)


def reports_flags(b, prefix, project):
    return {"reports_on_time": _q(prefix, state__in=list(HANDED_IN_STATES), is_late=False)}


RELATED = {
    registry.WORK: Related("progress_reports", ProgressReport, work_where, flags=work_flags),
    registry.MILESTONES: Related("milestones", Milestone, milestone_where, "milestones_due", milestone_flags),
    registry.APPROVALS: Related("approvals", Approval, approval_where, "approvals_required", approval_flags),
    registry.PROBLEMS: Related("problems", Problem, problem_where, "problems", problem_flags, problem_sums),
    registry.REPORTING: Related("progress_reports", ProgressReport, reports_where, "reports_due", reports_flags),
}


# ------------------------------------------------------------------------------ 序时 (time progress)


def plan_due(rows: Iterable[tuple]) -> Decimal:
    """The plan due by the end summed over plans, from rows (amount, monthly plan, planned start, planned
    completion, end, number of plans): plans spread evenly are summed per (start, completion) first (the
    amount is their sum) and multiplied by their common share once; a plan with its own monthly plan is
    taken alone, times the number of plans with the same amount and monthly plan
    (reports.figures.schedule_share: the 序时进度 of a report). Grouped and row-by-row callers get the
    same sum for the same plans."""
    even: dict[tuple, Decimal] = defaultdict(Decimal)
    total = Decimal(0)
    for planned, monthly, start, completion, end, count in rows:
        if planned is None:
            continue
        if monthly:
            share = schedule_share(end, planned=planned, monthly_plan=monthly, planned_start=start,
                                   planned_completion=completion)
            total += (share * planned).quantize(DUE_PLACES) * count
        else:
            even[(start, completion, end)] += planned
    for (start, completion, end), planned in sorted(even.items(), key=lambda item: repr(item[0])):
        share = schedule_share(end, planned_start=start, planned_completion=completion)
        total += (share * planned).quantize(DUE_PLACES)
    return total


# ------------------------------------------------------------------------------ grouped computation


EMPTY_MONTHLY_PLAN: list = []


@dataclass(frozen=True)
class Grouping:
    """How a source groups its rows: the project lookup of the group value (None: everything in one
    group), whether rows without a group value are kept (under None), and a column whose equal values
    are left out (a responsible unit that is also the project's lead unit)."""

    lookup: str | None = None
    keep_empty: bool = False
    exclude_equal: str | None = None

    @property
    def columns(self) -> list[str]:
        return ["figure_group"] if self.lookup is not None else []

    def rows(self, queryset):
        """The queryset with its group value as `figure_group` (unchanged without a lookup)."""
        queryset = queryset.order_by()
        if self.lookup is None:
            return queryset
        rows = queryset.annotate(figure_group=F(self.lookup))
        if not self.keep_empty:
            rows = rows.filter(figure_group__isnull=False)
        if self.exclude_equal is not None:
            other = self.exclude_equal
            rows = rows.filter(Q(**{f"{other}__isnull": True}) | Q(figure_group__lt=F(other))
                               | Q(figure_group__gt=F(other)))
        return rows

    def run(self, queryset, **aggregates) -> dict:
        """{group value: {aggregate: value}}: one grouped query (one aggregate without a lookup)."""
        if self.lookup is None:
            return {None: queryset.order_by().aggregate(**aggregates)}
        return {row.pop("figure_group"): row
                for row in self.rows(queryset).values("figure_group").annotate(**aggregates).order_by()}


PLAN = f"{YEAR_PLAN}__"
# The sources the ledger's pass computes, and the components it always gives (the rest only when asked).
LEDGER_SOURCES = (registry.LEDGER, registry.SCHEDULE)
LEDGER_ALWAYS = ("projects", "total_investment", "annual_plan")


def ledger_components(projects, grouping: Grouping, b: Basis, parts=None) -> dict:
    """One pass over the projects with their year's plan: 项目数, stage counts, 总投资, 年度计划, 累计完成, the
    start and completion counts, and the rows plan_due sums (`plan_due_rows`, summed once groups are
    rolled up). The pass also groups by the plan's start, completion and monthly plan, so that plans
    spread evenly come summed per (start, completion) and plans sharing a monthly plan come with their
    number (and, when their amounts differ, which the plans' rules do not allow, one by one).

    `parts`: the components wanted (None: all of them). 项目数, 总投资 and 年度计划 always come; 累计完成 (a
    join of the reports when asked as of an earlier period), the counted conditions and the grouping by
    the plans' dates (序时) only when wanted, so a pass for project counts alone is a plain grouped count."""
    wanted = set(registry.COMPONENTS) if parts is None else set(parts)
    done = b.completion() if "completed" in wanted else None
    dated = "plan_due" in wanted
    aggregates = {**ledger_sums(done), **{name: Count("id", filter=q) for name, q in project_flags(b, wanted).items()
                                          if name in wanted}}
    keys: tuple = ()
    joined = with_year_plan(projects, b.year, done)
    if dated:
        aggregates.update(figure_low=Min(f"{PLAN}planned_investment"), figure_high=Max(f"{PLAN}planned_investment"))
        joined = joined.annotate(figure_start=F(f"{PLAN}planned_start"), figure_completion=F(f"{PLAN}planned_completion"),
                                 figure_monthly=F(f"{PLAN}monthly_plan"))
        keys = ("figure_start", "figure_completion", "figure_monthly")
    joined = grouping.rows(joined)
    columns = (*grouping.columns, *keys)
    found: dict = {}
    uneven: set = set()
    zero = Decimal("0.00")
    rows = (joined.values(*columns).annotate(**aggregates).order_by() if columns
            else [joined.aggregate(**aggregates)])
    for row in rows:
        key = row.pop("figure_group", None)
        planned, count = row.pop("plan") or zero, row.pop("n")
        if not count:
            continue  # the aggregate of no project (a group's pass never returns one)
        components = {"projects": count, "total_investment": row.pop("total") or zero, "annual_plan": planned}
        if done is not None:
            components["completed"] = row.pop("done") or zero
        if dated:
            start, completion, monthly = (row.pop(name) for name in keys)
            low, high = row.pop("figure_low"), row.pop("figure_high")
            if not monthly:
                due = [(planned, None, start, completion, b.end, 1)]
            elif low == high:
                due = [(low, monthly, start, completion, b.end, count)]
            else:
                due = []
                uneven.add((key, start, completion, tuple(monthly)))
            components["plan_due_rows"] = due
        merge_components(found.setdefault(key, {}), {**components, **row})
    if uneven:
        # Plans sharing a monthly plan but not their amount (which the plans' rules do not allow): one by one.
        rows = joined.exclude(**{f"{PLAN}monthly_plan": EMPTY_MONTHLY_PLAN}).values_list(
            *grouping.columns, f"{PLAN}planned_investment", *keys)
        for row in rows:
            key = row[0] if grouping.columns else None
            planned, start, completion, monthly = row[-4:]
            if (key, start, completion, tuple(monthly or ())) in uneven:
                found[key]["plan_due_rows"].append((planned, monthly, start, completion, b.end, 1))
    return found


def merge_components(target: dict, components: dict) -> None:
    """Add a group's components into `target` (counts and money add up; the plan rows are collected)."""
    for name, value in components.items():
        if name == "plan_due_rows":
            target.setdefault(name, []).extend(value)
        elif value is not None:
            target[name] = target.get(name, 0) + value


def source_components(source: Related, projects, grouping: Grouping, b: Basis) -> dict:
    """The records of one source per group, from the projects (a LEFT JOIN of only the counting records):
    one pass over the projects, each looked up in the records' index by project."""
    where = source.where(b, f"{source.relation}__")
    if where is None:
        return {}
    alias = f"figure_{source.relation}"
    prefix = f"{alias}__"
    aggregates = {}
    if source.count:
        aggregates[source.count] = Count(f"{prefix}id")
    for name, q in (source.flags(b, prefix, "") if source.flags else {}).items():
        aggregates[name] = Count(f"{prefix}id", filter=q)
    for name, (column, q) in (source.sums(b, prefix) if source.sums else {}).items():
        aggregates[name] = Sum(f"{prefix}{column}", filter=q)
    joined = projects.alias(**{alias: FilteredRelation(source.relation, condition=where)})
    found = grouping.run(joined, **aggregates)
    for row in found.values():
        for name in (source.sums(b, prefix) if source.sums else {}):
            row[name] = row[name] or 0
    return found


def related_components(specs: Iterable[Related], projects, grouping: Grouping, b: Basis) -> dict:
    """The records of every source in `specs` per group, in one query: each table's counting records are
    counted per project first (a derived table grouped by project; sources reading the same table share
    one, each counting its own rows), then joined to the grouped projects once and summed per group.

    One pass over the projects for all the sources: on PostgreSQL every pass is a scan and hash join of
    the projects and their plans, which five passes paid five times (docs/benchmarks.md, "The figures
    bench"). Every component is a count or an integer sum, so the sums of the per-project counts are
    the counts: 0 for a group without records."""
    tables: dict[type, list[tuple[Related, Q]]] = {}
    for spec in specs:
        where = spec.where(b, "")
        if where is not None:
            tables.setdefault(spec.model, []).append((spec, where))
    if not tables:
        return {}
    connection = connections[projects.db]
    quote = connection.ops.quote_name
    base = grouping.rows(projects).values(*grouping.columns, figure_project=F("pk"))
    try:
        sql, params = base.query.get_compiler(using=projects.db).as_sql()
    except EmptyResultSet:  # no project (a user without scope): as the aggregate of nothing
        names = [name for members in tables.values() for spec, _where in members for name in _record_counts(spec, b)]
        return {} if grouping.columns else {None: dict.fromkeys(names, 0)}
    selects, joins, names = [], [], []
    for number, (model, members) in enumerate(tables.items()):
        shared = len(members) > 1
        aggregates = {}
        for spec, own in members:
            for name, (column, condition) in _record_counts(spec, b).items():
                # On a table shared by several sources, each counts only its own records.
                if shared:
                    condition = own if condition is None else own & condition
                aggregates[f"figure_{len(names)}"] = (Count("pk", filter=condition) if column is None
                                                      else Sum(column, filter=condition))
                names.append(name)
        where = reduce(or_, (own for _spec, own in members))
        records = (model.objects.filter(where).order_by().values(figure_project=F("project_id"))
                   .annotate(**aggregates))
        try:
            records_sql, records_params = records.query.get_compiler(using=projects.db).as_sql()
        except EmptyResultSet:  # a condition no record can meet
            selects += ["0"] * len(aggregates)
            continue
        selects += [f"SUM(t{number}.{quote(alias)})" for alias in aggregates]
        joins.append(f" LEFT JOIN ({records_sql}) t{number} ON t{number}.{quote('figure_project')} = "
                     f"b.{quote('figure_project')}")
        params = (*params, *records_params)
    group = [f"b.{quote(column)}" for column in grouping.columns]
    query = (f"SELECT {', '.join([*group, *selects])} FROM ({sql}) b{''.join(joins)}"
             + (f" GROUP BY {group[0]}" if group else ""))
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for row in cursor.fetchall():
            # The group values are read as the driver gives them: ids (the dimensions group by foreign keys).
            key, values = (row[0], row[1:]) if group else (None, row)
            # SUM of counts is NUMERIC on PostgreSQL: back to int (0 for a group without records).
            found[key] = {name: int(value or 0) for name, value in zip(names, values, strict=True)}
    return found


def _record_counts(spec: Related, b: Basis) -> dict:
    """A source's components on its own records: {component: (the field summed, None to count; the
    condition, None for every record)}."""
    counts: dict = {spec.count: (None, None)} if spec.count else {}
    counts.update({name: (None, q) for name, q in (spec.flags(b, "", "project__") if spec.flags else {}).items()})
    counts.update(spec.sums(b, "") if spec.sums else {})
    return counts


def last_year_components(projects_last_year, grouping: Grouping, b_last: Basis) -> dict:
    """累计完成 of last year's projects (the same filters, last year's plans) as of the same day a year ago."""
    done = b_last.completion()
    found = grouping.run(with_year_plan(projects_last_year, b_last.year, done), done=Sum(done.expression))
    return {key: {"completed_last_year": row["done"] or Decimal("0.00")} for key, row in found.items()}


def grouped_components(wanted: set[str], projects, grouping: Grouping, b: Basis, parts=None) -> list[dict]:
    """The grouped queries for the sources `wanted` (last year's aside): the ledger's pass (which also
    carries 序时; only the components `parts` of it when given) and one pass for every source of records."""
    found = []
    if wanted & {registry.LEDGER, registry.SCHEDULE}:
        found.append(ledger_components(projects, grouping, b, parts))
    related = [RELATED[source] for source in sorted(wanted) if source in RELATED]
    if related and connections[projects.db].vendor == "sqlite":
        # SQLite looks each project's records up in their index, a pass per source: cheaper there than
        # building the per-project counts first (docs/benchmarks.md, "The figures bench").
        found += [source_components(spec, projects, grouping, b) for spec in related]
    elif related:
        found.append(related_components(related, projects, grouping, b))
    return found


# ------------------------------------------------------------------------------------ month by month

# The components a month-by-month series (selectors.monthly_figures) has: the year's plans (the same
# projects every month: the figures' projects depend on the year, not the month), 本年累计完成 and 序时 as
# of each month's end, and the year's problems raised and 销号 by then.
MONTHLY_PARTS = frozenset({"projects", "total_investment", "annual_plan", "completed", "plan_due", "problems",
                           "problems_closed", "problem_days", *LIGHT_COMPONENTS})


def month_bases(year: int, today: date) -> list[Basis]:
    """The basis of each month of `year` (1月…12月): what basis_for gives for the month, from one read of
    the year's reporting periods (each month's as-of period is the latest ending by the month's end)."""
    periods = list(ReportPeriod.objects.filter(year=year).order_by("ends_on", "id"))
    bases = []
    for month in range(1, 13):
        period = Period(MONTH, year, month)
        as_of = None
        for candidate in periods:  # in (ends_on, id) order: the last one by the end, as basis_for orders them
            if candidate.ends_on <= period.end:
                as_of = candidate
        bases.append(Basis(period, as_of, today))
    return bases


def _plan_rows(projects, b: Basis) -> tuple[dict, list[tuple]]:
    """The year's plans of the projects as the ledger's pass reads them for 序时 (ledger_components, asked
    for plan_due only): 项目数, 总投资 and 年度计划, and the rows plan_due sums without their end —
    (amount, monthly plan, planned start, planned completion, number of plans)."""
    found = ledger_components(projects, Grouping(), b, parts={"plan_due"}).get(None, {})
    zero = Decimal("0.00")
    totals = {"projects": found.get("projects", 0), "total_investment": found.get("total_investment", zero),
              "annual_plan": found.get("annual_plan", zero)}
    rows = [(planned, monthly, start, completion, count)
            for planned, monthly, start, completion, _end, count in found.get("plan_due_rows", [])]
    return totals, rows


def _completed_by_day(projects, year: int) -> list[tuple[date, Decimal]]:
    """The counted reports' 本期完成投资 of the year summed per period end (what 本年累计完成 as of a day sums:
    reports.selectors.counted_reports), over the projects."""
    from tuijin.reports.selectors import counted_reports

    found = (counted_reports(date(year, 12, 31)).filter(project__in=projects.order_by().values("pk"))
             .values("period_end").annotate(done=Sum("amount")).order_by("period_end"))
    return [(row["period_end"], row["done"]) for row in found]


def _first_month(conditions: list[Q], never: int) -> Case:
    """The number (1–12) of the first month whose condition holds, `never` if none does: a month bucket
    from the figures' own conditions, evaluated by the database. The conditions grow with the month (each
    holds whenever the one before it does: "by the month's end"), so the first that holds is found by
    halving — about four conditions a row instead of up to twelve."""

    def first_of(low: int, high: int):  # the first month in low..high, the condition of `high` holding
        if low == high:
            return Value(low)
        middle = (low + high) // 2
        return Case(When(conditions[middle - 1], then=first_of(low, middle)), default=first_of(middle + 1, high),
                    output_field=IntegerField())

    return Case(When(conditions[-1], then=first_of(1, len(conditions))), default=Value(never),
                output_field=IntegerField())


def _problems_by_month(projects, bases: list[Basis]) -> list[tuple[int, int, int, int]]:
    """The year's problems of the projects per month raised and month 销号 (the first month whose
    problem_where / problem_closed holds; 99 for never): rows (raised, closed, count, days to close)."""
    raised = _first_month([problem_where(b, "") for b in bases], 99)
    closed = _first_month([problem_closed(b, "") for b in bases], 99)
    found = (Problem.objects.filter(problem_where(bases[-1], ""), project__in=projects.order_by().values("pk"))
             .annotate(figure_raised=raised, figure_closed=closed).values("figure_raised", "figure_closed")
             .annotate(n=Count("pk"), days=Sum("days_to_close")).order_by())
    return [(r["figure_raised"], r["figure_closed"], r["n"], r["days"] or 0) for r in found]


def monthly_components(projects, bases: list[Basis], parts: set[str]) -> list[dict]:
    """The components `parts` (of MONTHLY_PARTS) as of each basis's month end, every month from the same
    few queries over the year (the plans, the counted reports per period end, the problems per month)
    instead of a figures() pass per month. Each month's components are those figures() gives for it."""
    year = bases[0].year
    months: list[dict] = [{} for _ in bases]
    if parts & {"projects", "total_investment", "annual_plan", "plan_due"}:
        totals, rows = _plan_rows(projects, bases[-1])
        for found, b in zip(months, bases, strict=True):
            found.update(totals)
            if "plan_due" in parts:
                found["plan_due"] = plan_due([(planned, monthly, start, completion, b.end, count)
                                              for planned, monthly, start, completion, count in rows])
    if "completed" in parts:
        by_day = _completed_by_day(projects, year)
        for found, b in zip(months, bases, strict=True):
            done = Decimal("0.00")
            for day, amount in by_day:
                if day <= b.done_end:
                    done += amount
            found["completed"] = done
    if parts & {"problems", "problems_closed", "problem_days"}:
        problems = _problems_by_month(projects, bases)
        for number, found in enumerate(months, start=1):
            raised = closed = days = 0
            for raised_in, closed_in, n, total_days in problems:
                if raised_in > number:
                    continue
                raised += n  # problem_where of the month: raised in the year by its end
                if closed_in <= number:  # and problem_closed of the month: 销号 by its end
                    closed += n
                    days += total_days
            found.update(problems=raised, problems_closed=closed, problem_days=days)
    if parts & set(LIGHT_COMPONENTS):
        _month_lights(projects, bases, months)
    return months


def _month_lights(projects, bases: list[Basis], months: list[dict]) -> None:
    """The light components of each month as figures() counts them (light_q): the month's recorded lights,
    else — the month judged now or later — the projects' lights as they are, else unknown (None). Two
    queries for the year: the recorded yellow and red projects per month, the lights as they are."""
    ends = [b.end for b in bases]
    snapshots = dict(LightSnapshot.objects.filter(period__ends_on__in=ends).order_by("period_id")
                     .values_list("period__ends_on", "pk"))  # the last period of an end, as Basis.light_snapshot
    recorded: dict = defaultdict(int)
    for snapshot, light, n in (PeriodLight.objects.filter(snapshot_id__in=list(snapshots.values()),
                                                          project__in=projects.values("pk"))
                               .values_list("snapshot_id", "light").order_by().annotate(n=Count("id"))):
        recorded[snapshot, light] = n
    total = current = None
    for found, b in zip(months, bases, strict=True):
        snapshot = snapshots.get(b.end)
        if snapshot is not None:
            b.__dict__["light_snapshot"] = snapshot  # Basis.light_snapshot, read once for the year
            if total is None:
                total = projects.count()
            red, yellow = recorded[snapshot, Light.RED], recorded[snapshot, Light.YELLOW]
            found.update(light_red=red, light_yellow=yellow, light_green=total - red - yellow)
            continue
        b.__dict__["light_snapshot"] = None
        if not b.lights_known:
            found.update({name: None for name in LIGHT_COMPONENTS})
            continue
        if current is None:
            current = dict(projects.values("light").order_by().annotate(n=Count("id")).values_list("light", "n"))
        found.update({name: current.get(light, 0) for name, light in LIGHT_COMPONENTS.items()})
