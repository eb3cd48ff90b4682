"""Where the components of the figures come from (registry.COMPONENTS): one grouped query per source
for every group at once, and the same conditions row by row for a drill-down.

Every condition is written once here, as a Q object or an expression, and used both ways: counted with
`Count(filter=...)` per group and as a 0/1 column per row. The money comes from the ledger's own sums
(projects.selectors.ledger_sums) and the one 本年累计完成 of the reports app
(reports.selectors.completion_figure), so a figure is never computed another way than the ledger's.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.problems.choices import ProblemStatus
from tuijin.problems.models import Problem
from tuijin.projects.choices import CanonicalStage
from tuijin.projects.selectors import YEAR_PLAN, ledger_sums, with_year_plan
from tuijin.reports.choices import HANDED_IN_STATES, WorkStatus, counted_states
from tuijin.reports.figures import schedule_share
from tuijin.reports.models import ProgressReport, ReportPeriod
from tuijin.reports.selectors import completion_figure, counted_label
from tuijin.schedules.choices import ApprovalStatus, NodeMark
from tuijin.schedules.models import Approval, Milestone

from . import registry
from .periods import Period

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

    def completion(self):
        """The ledger's 本年累计完成 expression (on projects joined to the year's plan)."""
        return completion_figure(self.done_end, self.as_of.pk if self.as_of is not None else None)


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


def project_flags(b: Basis) -> dict[str, Q]:
    """The ledger source's counted conditions on projects, by component."""
    return {
        **{f"stage_{stage}": stage_q(stage) for stage in CanonicalStage.values},
        "planned_starts": planned_start_q(b), "started": started_q(b), "started_early": started_early_q(b),
        "planned_completions": planned_completion_q(b), "completions": completion_q(b),
    }


WORKING_STATES = (WorkStatus.STARTED, WorkStatus.RESUMED)


def work_reports(b: Basis):
    """The reports 开复工 is read from: the counted reports of the reporting period as of the end."""
    if b.as_of is None:
        return ProgressReport.objects.none()
    return ProgressReport.objects.filter(period_id=b.as_of.pk, state__in=counted_states())


def working_q() -> Q:
    return Q(work_status__in=WORKING_STATES)


def milestones_due(b: Basis):
    return Milestone.objects.filter(planned_date__gte=b.period.year_start, planned_date__lte=b.end)


def milestone_on_time_q() -> Q:
    """Done no later than planned: its own actual date, or for a 开工 / 竣工 node without one the
    project's actual start / completion (Milestone.objects.with_inference's recorded facts). A node
    known done only because a later one is has no date, so it is not counted on time."""
    planned = F("planned_date")
    return (Q(actual_date__isnull=False, actual_date__lte=planned)
            | Q(actual_date__isnull=True, marks=NodeMark.START, project__actual_start__lte=planned)
            | Q(actual_date__isnull=True, marks=NodeMark.COMPLETION, project__actual_completion__lte=planned))


def approvals_required():
    return Approval.objects.filter(required=True).exclude(status=ApprovalStatus.NOT_NEEDED)


def approval_done_q(b: Basis) -> Q:
    return Q(status=ApprovalStatus.DONE) & (Q(done_date__isnull=True) | Q(done_date__lte=b.end))


def problems_raised(b: Basis):
    return Problem.objects.filter(raised_on__gte=b.period.year_start, raised_on__lte=b.end)


def problem_closed_q(b: Basis) -> Q:
    """销号 by the end (the problems app's 办结: 已销号, problems.selectors.StatRow.rate)."""
    return Q(status=ProblemStatus.CLOSED) & (Q(closed_on__isnull=True) | Q(closed_on__lte=b.end))


def reports_due(b: Basis):
    """The reports of the period's own months whose deadline has passed (they had to be handed in)."""
    return ProgressReport.objects.filter(period_end__gte=b.period.start, period_end__lte=b.end,
                                         period__due_on__lt=b.today)


def report_on_time_q() -> Q:
    return Q(state__in=list(HANDED_IN_STATES), is_late=False)


# ------------------------------------------------------------------------------ 序时 (time progress)


def plan_due(rows: Iterable[tuple]) -> Decimal:
    """The plan due by the end summed over plans, from rows (amount, monthly plan, planned start,
    planned completion, end): plans spread evenly are summed per (start, completion) first and
    multiplied by their common share once, each plan with its own monthly plan is taken alone
    (reports.figures.schedule_share, the 序时进度 of a report). Grouped and row-by-row callers get the
    same sum for the same plans."""
    even: dict[tuple, Decimal] = defaultdict(Decimal)
    total = Decimal(0)
    for planned, monthly, start, completion, end in rows:
        if planned is None:
            continue
        if monthly:
            share = schedule_share(end, planned=planned, monthly_plan=monthly, planned_start=start,
                                   planned_completion=completion)
            total += (share * planned).quantize(DUE_PLACES)
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

    def on(self, prefix: str) -> "Grouping":
        """The same grouping seen from a model hanging off the project (`project__`)."""
        if self.lookup is None:
            return self
        return Grouping(prefix + self.lookup, self.keep_empty,
                        prefix + self.exclude_equal if self.exclude_equal else None)

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


def _projects_of(model_queryset, projects):
    return model_queryset.filter(project__in=projects.order_by().values("pk"))


def ledger_components(projects, grouping: Grouping, b: Basis) -> dict:
    """项目数, stage counts, 总投资, 年度计划, 累计完成 and the start and completion counts per group: one pass."""
    aggregates = {**ledger_sums(b.completion()),
                  **{name: Count("id", filter=q) for name, q in project_flags(b).items()}}
    zero = Decimal("0.00")
    return {key: {"projects": row.pop("n"), "total_investment": row.pop("total") or zero,
                  "annual_plan": row.pop("plan") or zero, "completed": row.pop("done") or zero, **row}
            for key, row in grouping.run(with_year_plan(projects, b.year), **aggregates).items()}


PLAN = f"{YEAR_PLAN}__"


def schedule_components(projects, grouping: Grouping, b: Basis) -> dict:
    """The rows plan_due sums, per group (`plan_due_rows`, summed by plan_due once groups are rolled up):
    plans spread evenly summed per (start, completion) by the query, plans with a monthly plan one by one."""
    joined = grouping.rows(with_year_plan(projects, b.year).filter(**{f"{PLAN}isnull": False}))
    result: dict = defaultdict(list)
    even = (joined.filter(**{f"{PLAN}monthly_plan": EMPTY_MONTHLY_PLAN})
            .values_list(*grouping.columns, f"{PLAN}planned_start", f"{PLAN}planned_completion")
            .annotate(planned=Sum(f"{PLAN}planned_investment")).order_by())
    for row in even:
        key = row[0] if grouping.columns else None
        result[key].append((row[-1], None, row[-3], row[-2], b.end))
    own = (joined.exclude(**{f"{PLAN}monthly_plan": EMPTY_MONTHLY_PLAN})
           .values_list(*grouping.columns, f"{PLAN}planned_investment", f"{PLAN}monthly_plan",
                        f"{PLAN}planned_start", f"{PLAN}planned_completion"))
    for row in own:
        key = row[0] if grouping.columns else None
        result[key].append((row[-4], row[-3], row[-2], row[-1], b.end))
    return {key: {"plan_due_rows": rows} for key, rows in result.items()}


def work_components(projects, grouping: Grouping, b: Basis) -> dict:
    found = grouping.on("project__").run(_projects_of(work_reports(b), projects),
                                         working=Count("id", filter=working_q()))
    return {key: {"working": row["working"]} for key, row in found.items()}


def milestone_components(projects, grouping: Grouping, b: Basis) -> dict:
    found = grouping.on("project__").run(_projects_of(milestones_due(b), projects), milestones_due=Count("id"),
                                         milestones_on_time=Count("id", filter=milestone_on_time_q()))
    return found


def approval_components(projects, grouping: Grouping, b: Basis) -> dict:
    return grouping.on("project__").run(_projects_of(approvals_required(), projects), approvals_required=Count("id"),
                                        approvals_done=Count("id", filter=approval_done_q(b)))


def problem_components(projects, grouping: Grouping, b: Basis) -> dict:
    closed = problem_closed_q(b)
    found = grouping.on("project__").run(_projects_of(problems_raised(b), projects), problems=Count("id"),
                                         problems_closed=Count("id", filter=closed),
                                         problem_days=Sum("days_to_close", filter=closed))
    for row in found.values():
        row["problem_days"] = row["problem_days"] or 0
    return found


def reporting_components(projects, grouping: Grouping, b: Basis) -> dict:
    return grouping.on("project__").run(_projects_of(reports_due(b), projects), reports_due=Count("id"),
                                        reports_on_time=Count("id", filter=report_on_time_q()))


def last_year_components(projects_last_year, grouping: Grouping, b_last: Basis) -> dict:
    """累计完成 of last year's projects (the same filters, last year's plans) as of the same day a year ago."""
    found = grouping.run(with_year_plan(projects_last_year, b_last.year), done=Sum(b_last.completion()))
    return {key: {"completed_last_year": row["done"] or Decimal("0.00")} for key, row in found.items()}


GROUPED = {
    registry.LEDGER: ledger_components,
    registry.SCHEDULE: schedule_components,
    registry.WORK: work_components,
    registry.MILESTONES: milestone_components,
    registry.APPROVALS: approval_components,
    registry.PROBLEMS: problem_components,
    registry.REPORTING: reporting_components,
}
