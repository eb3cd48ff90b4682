"""Every read of the monthly dispatch, always through the scoped querysets."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, F, FilteredRelation, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, IsNull
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import get_or_not_found
from tuijin.core.fields import MoneyField
from tuijin.org.models import Region, Unit
from tuijin.projects.completion import AsOf, Figure
from tuijin.projects.models import AnnualPlan, Project
from tuijin.projects.plans import active_months, even_monthly_plan

from . import figures
from .choices import (
    EDITABLE_STATES,
    HANDED_IN_STATES,
    PeriodStatus,
    ReportAction,
    ReportState,
    counted_states,
)
from .models import ProgressReport, Reminder, ReportPeriod, ReportPhoto


def open_periods():
    return ReportPeriod.objects.filter(status=PeriodStatus.OPEN).order_by("-starts_on", "-id")


def period_get(pk: int) -> ReportPeriod:
    return get_or_not_found(ReportPeriod.objects.all(), pk=pk)


def report_for_user(user, pk: int, *, editable: bool = False) -> ProgressReport:
    reports = ProgressReport.objects.editable_by_acting(user) if editable else ProgressReport.objects.visible_to_acting(user)
    return get_or_not_found(reports.select_related("period", "project", "project__region", "unit"), pk=pk)


def report_editable(user, report: ProgressReport) -> bool:
    """Whether the report is among those the user may fill (their editable scope), whatever its state."""
    return ProgressReport.objects.editable_by(user).filter(pk=report.pk).exists()


def photo_for_user(user, pk: int) -> ReportPhoto:
    return get_or_not_found(ReportPhoto.objects.visible_to(user), pk=pk)


def report_photo(report: ProgressReport, pk: int) -> ReportPhoto:
    return get_or_not_found(report.photos.all(), pk=pk)


def projects_named(user, words) -> tuple[list[int], list[str]]:
    """The user's unarchived projects named by each word (its 项目代码, else its exact name): (ids, the
    words that name none or several)."""
    visible = Project.objects.visible_to(user).filter(is_archived=False)
    ids, unknown = [], []
    for word in words:
        found = list(visible.filter(code=word).values_list("pk", flat=True)) or list(
            visible.filter(name=word).values_list("pk", flat=True))
        if len(found) == 1:
            ids.append(found[0])
        else:
            unknown.append(word)
    return ids, unknown


def inbox(user, period: ReportPeriod):
    """The user's reports of a period that they may fill, by state then project."""
    return (
        ProgressReport.objects.editable_by(user).filter(period=period)
        .select_related("project", "project__region", "unit")
        .order_by("project__region__path", "project__name", "id")
    )


def state_counts(reports) -> dict[str, int]:
    counts = dict.fromkeys(ReportState.values, 0)
    for state, n in reports.order_by().values_list("state").annotate(n=Count("id")):
        counts[state] = n
    return counts


# ---------------------------------------------------------------------------------- figures for rows


# The two sums a report's figures start from. Reads, so they live here; services.check_rows and
# refresh_cumulative use them too (services may import selectors, never the other way round).


def opening_balances(project_ids, year: int) -> dict[int, Decimal]:
    """开工至上年底累计 per project: the year's annual plan where it gives one (above zero), otherwise
    what the project's reports before the year add up to (the last one's 开工累计 without its own amount
    if it was never handed in), otherwise zero."""
    ids = list(set(project_ids))
    result = {pk: figures.ZERO for pk in ids}
    given = dict(
        AnnualPlan.objects.filter(project_id__in=ids, year=year, completed_before__gt=0)
        .values_list("project_id", "completed_before")
    )
    rest = [pk for pk in ids if pk not in given]
    if rest:
        last = (
            ProgressReport.objects.filter(project_id__in=rest, period_end__lt=date(year, 1, 1))
            .order_by("project_id", "-period_end")
            .values_list("project_id", "since_start", "amount", "state")
        )
        for pk, since_start, amount, state in last:
            if pk not in given:
                # A report not handed in shows its own amount on top of what counts; the year after
                # opens from what counts.
                own = amount if amount is not None and state not in HANDED_IN_STATES else figures.ZERO
                given[pk] = since_start - own
    result.update(given)
    return result


def earlier_this_year(project_ids, period: ReportPeriod) -> dict[int, Decimal]:
    """Sum of each project's amounts handed in for the year's periods before this one."""
    totals: dict[int, Decimal] = defaultdict(lambda: figures.ZERO)
    rows = ProgressReport.objects.filter(
        project_id__in=project_ids, period_end__gte=date(period.year, 1, 1), period_end__lt=period.ends_on,
        amount__isnull=False, state__in=list(HANDED_IN_STATES),
    ).values_list("project_id", "amount")
    for pk, amount in rows:
        totals[pk] += amount
    return totals


@dataclass
class Basis:
    """What a report's derived figures are computed from, besides its own amount."""

    earlier: Decimal
    opening: Decimal
    planned: Decimal | None
    total: Decimal | None
    monthly_plan: list | None
    planned_start: date | None
    planned_completion: date | None

    def figures(self, amount, period_end: date) -> figures.Figures:
        return figures.compute(amount=amount, earlier_this_year=self.earlier, opening=self.opening,
                               planned=self.planned, total=self.total, period_end=period_end,
                               monthly_plan=self.monthly_plan, planned_start=self.planned_start,
                               planned_completion=self.planned_completion)

    def schedule_pct(self, period_end: date) -> Decimal:
        return self.figures(None, period_end).schedule_pct


def bases(reports: list[ProgressReport], period: ReportPeriod) -> dict[int, Basis]:
    """Per project of `reports`: the basis of its figures for `period` (three queries for any number)."""
    project_ids = [r.project_id for r in reports]
    earlier = earlier_this_year(project_ids, period)
    openings = opening_balances(project_ids, period.year)
    plans = {
        p.project_id: p for p in AnnualPlan.objects.filter(project_id__in=project_ids, year=period.year).only(
            "project_id", "planned_investment", "monthly_plan", "planned_start", "planned_completion")
    }
    totals = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "total_investment"))
    result = {}
    for pk in project_ids:
        plan = plans.get(pk)
        result[pk] = Basis(
            earlier=earlier[pk], opening=openings.get(pk, figures.ZERO), total=totals.get(pk),
            planned=plan.planned_investment if plan else None, monthly_plan=plan.monthly_plan if plan else None,
            planned_start=plan.planned_start if plan else None,
            planned_completion=plan.planned_completion if plan else None,
        )
    return result


# ------------------------------------------------------------------------------------------ overview


@dataclass
class Tally:
    name: str
    key: object = None
    required: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(ReportState.values, 0))
    late: int = 0
    reminders: int = 0
    last_reminder: object = None

    @property
    def handed_in(self) -> int:
        return sum(self.counts[s] for s in HANDED_IN_STATES)

    @property
    def missing(self) -> int:
        return self.required - self.handed_in

    @property
    def rate(self) -> Decimal | None:
        return figures.percent(Decimal(self.handed_in), Decimal(self.required))


@dataclass
class Overview:
    period: ReportPeriod
    total: Tally
    by_unit: list[Tally]
    by_region: list[Tally]
    overdue: bool


def period_overview(user, period: ReportPeriod) -> Overview:
    """Submitted / late / missing by unit and by region, within what the user may see: one grouped
    query over the period's reports, whatever their number (and the names of the units and regions
    found). `user` None: every project (the CLI)."""
    reports = ProgressReport.objects.visible_to_acting(user).filter(period=period).order_by()
    # One pass over the period's reports, grouped by unit, region and state (a few thousand groups at
    # province scale; grouping by unit and by region separately read the reports twice), then the
    # names of the units and regions found. Units in id order, so that ties in the sort below keep
    # the order they always had.
    rows = sorted(
        reports.values_list("unit_id", "project__region_id", "state")
        .annotate(n=Count("id"), late=Count("id", filter=Q(is_late=True))).order_by(),
        key=lambda row: (row[0] is not None, row[0] or 0),
    )
    unit_names = dict(Unit.objects.filter(pk__in={row[0] for row in rows if row[0] is not None})
                      .order_by().values_list("pk", "name"))
    region_names = {pk: (name, path) for pk, name, path in Region.objects.filter(pk__in={row[1] for row in rows})
                    .order_by().values_list("pk", "name", "path")}
    total = Tally(name="合计")
    units: dict = {}
    regions: dict = {}
    for unit_id, region_id, state, n, late in rows:
        unit = units.get(unit_id)
        if unit is None:
            unit = units[unit_id] = Tally(name=unit_names.get(unit_id) or "（未指定牵头单位）", key=unit_id)
        region = regions.get(region_id)
        if region is None:
            name, path = region_names[region_id]
            region = regions[region_id] = Tally(name=name, key=path)
        for t in (unit, region, total):
            t.counts[state] += n
            t.required += n
            t.late += late
    for unit_id, n, last in Reminder.objects.filter(period=period).values_list("unit_id").annotate(
        n=Count("id"), last=Max("created_at")
    ):
        if unit_id in units:
            units[unit_id].reminders, units[unit_id].last_reminder = n, last
    by_unit = sorted(units.values(), key=lambda t: (-t.missing, t.name))
    by_region = sorted(regions.values(), key=lambda t: t.key)
    return Overview(period, total, by_unit, by_region, timezone.localdate() > period.due_on)


def review_queue(user, period: ReportPeriod):
    """The submitted reports of `period` the user may review, oldest first; none once the period is
    closed (they can no longer be reviewed: the page, its export and the next-report link agree)."""
    if not period.is_open:
        return ProgressReport.objects.none()
    return (
        ProgressReport.objects.visible_to(user).filter(period=period, state=ReportState.SUBMITTED)
        .select_related("project", "project__region", "unit", "submitted_by")
        .order_by("submitted_at", "id")
    )


def person_name(user) -> str:
    if user is None:
        return _("系统")
    return user.get_full_name() or user.username


def report_hands(report: ProgressReport, events=None) -> dict:
    """Who filled and who handed in the report as it stands (separation of duties on the review
    page): the people who wrote its values since it was last returned, and its submitter."""
    events = list(report.events.select_related("user").order_by("at", "id")) if events is None else list(events)
    since = 0
    for index, event in enumerate(events):
        if event.action == ReportAction.RETURN:
            since = index + 1
    filled: list[str] = []
    for event in events[since:]:
        if event.action in (ReportAction.SAVE, ReportAction.SUBMIT, ReportAction.IMPORT):
            name = person_name(event.user)
            if name not in filled:
                filled.append(name)
    return {"filled": filled, "submitted": person_name(report.submitted_by) if report.submitted_by_id else "",
            "submitted_by_id": report.submitted_by_id}


def reporters_for_units(paths_by_unit) -> dict:
    """Who a 催报 reaches, per unit of `paths_by_unit` ({unit id or None: the region paths of its projects
    with reports missing}): the unit's active clerks (填报员); for a unit with none, and for reports
    without a unit, the region-scoped clerks whose unit's region holds one of those projects. Two queries
    for any number of units; each list in user id order."""
    from tuijin.org.choices import Role, Scope
    from tuijin.org.models import Membership

    active = Membership.objects.filter(role=Role.REPORTER, is_active=True, user__is_active=True).select_related("user")
    found: dict = {unit: {} for unit in paths_by_unit}
    unit_ids = [unit for unit in paths_by_unit if unit]
    for member in active.filter(unit_id__in=unit_ids).order_by("user_id"):
        found[member.unit_id].setdefault(member.user_id, member.user)
    wanting = {unit: paths for unit, paths in paths_by_unit.items() if not found[unit] and paths}
    if wanting:
        prefixes = {path[:i] for paths in wanting.values() for path in paths for i in range(1, len(path) + 1)}
        near = list(active.filter(unit__region__path__in=prefixes, scope=Scope.REGION)
                    .annotate(region_path=F("unit__region__path")).order_by("user_id"))
        for unit, paths in wanting.items():
            for member in near:
                if any(path.startswith(member.region_path) for path in paths):
                    found[unit].setdefault(member.user_id, member.user)
    return {unit: list(users.values()) for unit, users in found.items()}


def missing_reports(user, period: ReportPeriod):
    """Reports of the period not handed in yet (pending, draft, returned); filtersets.ReportFilterSet
    narrows them to one unit."""
    reports = ProgressReport.objects.visible_to(user).filter(period=period, state__in=list(EDITABLE_STATES))
    return reports.select_related("project", "unit").order_by("unit__name", "project__name")


# ---------------------------------------------------------------------------------- project history


def project_reports(project: Project):
    return project.progress_reports.select_related("period").order_by("-period_end", "-id")


def s_curve(project: Project, year: int) -> dict:
    """Planned vs actual cumulative investment of a year, month by month (万元, as strings for ECharts):
    the plan from the annual plan (its monthly plan, or spread evenly), the actual from the reports."""
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    planned = []
    if plan is not None:
        if plan.monthly_plan:
            planned = [Decimal(v) for v in plan.monthly_plan]
        else:
            planned = even_monthly_plan(plan.planned_investment, *active_months(year, plan.planned_start, plan.planned_completion))
    actual: dict[int, Decimal] = {}
    for end, ytd in project.progress_reports.filter(
        period_end__year=year
    ).exclude(state=ReportState.PENDING).order_by("period_end").values_list("period_end", "year_to_date"):
        actual[end.month] = ytd
    last = max(actual, default=0)
    actual_series, running = [], None
    for month in range(1, 13):
        if month in actual:
            running = actual[month]
        actual_series.append(str(running) if running is not None and month <= last else None)
    return {
        "year": year,
        "months": [f"{m}月" for m in range(1, 13)],
        "planned": [str(v) for v in planned],
        "actual": actual_series,
        "planned_total": str(plan.planned_investment) if plan else None,
    }


# ------------------------------------------------------------------ 本年累计完成: one 口径 for every screen


def counted_label() -> str:
    return _("已审核填报") if counted_states() == (ReportState.APPROVED,) else _("已上报填报（含待审核）")


def counted_reports(period_end: date):
    """The counted reports of `period_end`'s year up to that day: what 本年累计完成 as of it sums."""
    return ProgressReport.objects.filter(state__in=counted_states(), amount__isnull=False,
                                         period_end__gte=date(period_end.year, 1, 1), period_end__lte=period_end)


def counted_column() -> str:
    """The stored per-report figure of the rule in force (ProgressReport.counted_approved / counted_handed_in)."""
    return "counted_approved" if counted_states() == (ReportState.APPROVED,) else "counted_handed_in"


def _as_of_period(period_end: date):
    """The period whose reports carry the figures as of `period_end` (the first of those ending that day)."""
    return ReportPeriod.objects.filter(ends_on=period_end).order_by("pk").values_list("pk", flat=True).first()


def _latest_counted(period_end: date, outer: str = "pk"):
    """The stored counted 本年累计 of a project's latest report of the year up to `period_end` (every report
    ending the same day carries the same figure), on a project id column (`outer`)."""
    return Subquery(
        ProgressReport.objects.filter(project_id=OuterRef(outer), period_end__gte=date(period_end.year, 1, 1),
                                      period_end__lte=period_end)
        .order_by("-period_end").values(counted_column())[:1],
        output_field=MoneyField(),
    )


def completion_as_of(project_ids, period_end: date, period_id: int | None = None, *,
                     latest: bool | None = None) -> dict[int, Decimal]:
    """本年累计完成 per project as of `period_end` (ids or a queryset of projects): the sum of its counted
    amounts of the year's periods up to that day (completion_figure); projects without any are left out
    (0). `period_id`: a period ending that day, when the caller has it (else looked up)."""
    from tuijin.projects.selectors import with_year_plan

    ids = project_ids.order_by().values("pk") if hasattr(project_ids, "values") else list(project_ids)
    figure = completion_figure(period_end, period_id, latest=latest)
    rows = (with_year_plan(Project.objects.filter(pk__in=ids), period_end.year, figure).order_by()
            .annotate(done=figure.expression).filter(done__isnull=False).values_list("pk", "done"))
    return {pk: Decimal(done) for pk, done in rows}


def completion_total(projects, period_end: date, period_id: int | None = None, *, latest: bool | None = None) -> Decimal:
    """本年累计完成 of a queryset of projects as of `period_end`: one SUM over the filtered projects of
    completion_figure, integer cents, exact on SQLite and PostgreSQL."""
    from tuijin.projects.selectors import with_year_plan

    figure = completion_figure(period_end, period_id, latest=latest)
    done = with_year_plan(projects, period_end.year, figure).order_by().aggregate(done=Sum(figure.expression))["done"]
    return Decimal(done) if done is not None else figures.ZERO


AS_OF_REPORT = "as_of_report"  # a project's report in the period the figures are as of (completion_figure)


def completion_figure(period_end: date, period_id: int | None = None, *, latest: bool | None = None) -> Figure:
    """A project's 本年累计完成 as of `period_end`, as an expression on projects with the year's plan joined
    as `year_plan` (projects.selectors.with_year_plan), for sums and rows (a completion.Figure).

    Every figure is one that services.refresh_cumulative stores: each report carries the counted 本年累计
    through its period's end, each annual plan its latest report's. As of the year's latest period (no
    period of the year ends later) that is the plan's figure, read on the join the ledger's filters and
    totals make anyway. As of an earlier period it is the project's report in that period, joined once
    for all projects (one index range of the period's reports); a project with no report there counts
    nothing if its plan counts nothing all year (the figure only grows within a year), else its latest
    report up to that day (taken out of the period or added to the dispatch later). A project without
    the year's plan (the ledger's "all years") falls back to that report lookup too: a correlated lookup
    per project costs tens of milliseconds over a province's 20,000 projects, so it is only evaluated
    where nothing else answers (docs/benchmarks.md). `latest`: whether no period of the year ends later,
    when the caller knows (else looked up)."""
    from tuijin.projects.selectors import YEAR_PLAN

    column = counted_column()
    lookup = _latest_counted(period_end)
    if latest if latest is not None else _latest_of_year(period_end):
        # The plan's column is never NULL: the lookup runs only where the plan is missing.
        return Figure(Coalesce(f"{YEAR_PLAN}__{column}", lookup, output_field=MoneyField()))
    period_id = period_id or _as_of_period(period_end)
    # Conditions as lookups, not Q objects: a Q in a CASE makes the ORM turn the year filter's INNER JOIN
    # of the plans into a LEFT JOIN, and SQLite then probes the plans per project instead of reading the
    # year's plans in order from their covering index (3× the time at province scale).
    expression = Case(
        # (project_id rather than id: the covering index of a period's figures holds it.)
        When(IsNull(F(f"{AS_OF_REPORT}__project_id"), False), then=F(f"{AS_OF_REPORT}__{column}")),
        When(Exact(F(f"{YEAR_PLAN}__{column}"), 0), then=Value(0)),
        default=lookup,
        output_field=MoneyField(),
    )
    return Figure(expression, {AS_OF_REPORT: FilteredRelation(
        "progress_reports", condition=Q(progress_reports__period_id=period_id))})


def _latest_of_year(period_end: date) -> bool:
    """No period of the year ends after `period_end`: the figures as of it are the year's latest."""
    return not ReportPeriod.objects.filter(ends_on__gt=period_end, ends_on__lte=date(period_end.year, 12, 31)).exists()


def completion_subquery(period_end: date, outer: str = "pk"):
    """The same figure as a correlated subquery on a project id column (`outer`), for annotations."""
    return _latest_counted(period_end, outer)


def plan_figures(pairs) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """What new annual plans of these (project id, year) pairs carry (AnnualPlan.counted_approved /
    counted_handed_in): the figures their project's latest report of the year stores, 0 while nothing
    counts; pairs without a report that year are left out."""
    wanted = set(pairs)
    found: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    years = {year for _pk, year in wanted}
    ids = sorted({pk for pk, _year in wanted})
    for start in range(0, len(ids), 2000):
        rows = (ProgressReport.objects.filter(project_id__in=ids[start:start + 2000], period_end__gte=date(min(years), 1, 1),
                                              period_end__lte=date(max(years), 12, 31))
                .order_by("project_id", "period_end", "id")
                .values_list("project_id", "period_end", "counted_approved", "counted_handed_in"))
        for pk, end, approved, handed_in in rows:
            if (pk, end.year) in wanted:  # in period-end order: the year's latest report stays
                found[(pk, end.year)] = (approved or figures.ZERO, handed_in or figures.ZERO)
    return found


def completion_by_year(project_id: int) -> dict[int, tuple[Decimal, date]]:
    """Per year, the project's 本年累计完成 by the rule in force and the end of the last period whose report
    counts (the plans page's "截至10月"): that report's stored figure, the year's latest."""
    found: dict[int, tuple[Decimal, date]] = {}
    rows = (ProgressReport.objects.filter(project_id=project_id, state__in=counted_states(), amount__isnull=False)
            .order_by("period_end", "id").values_list("period_end", counted_column()))
    for end, done in rows:
        found[end.year] = (done, end)
    return found


def progress_as_of(project_ids, period_end: date) -> dict[int, str]:
    """形象进度 per project as of `period_end`: the text of its latest counted report of the year up to then."""
    ids = project_ids.order_by().values("pk") if hasattr(project_ids, "values") else list(project_ids)
    latest: dict[int, str] = {}
    rows = (ProgressReport.objects.filter(state__in=counted_states(), project_id__in=ids, period_end__lte=period_end,
                                          period_end__gte=date(period_end.year, 1, 1)).exclude(progress="")
            .order_by("project_id", "period_end", "id").values_list("project_id", "progress"))
    for pk, text in rows:
        latest[pk] = text
    return latest


def last_due_period(today: date, year: int | None = None) -> ReportPeriod | None:
    """The latest period already due and ended (年初至上月底), of `year` if given: what the warnings judge
    the year's progress on (alerts.engine.evaluation_period) and what the ledger's figures are as of by
    default, so that a light's reason and the figures beside it speak of the same month."""
    periods = ReportPeriod.objects.filter(due_on__lt=today, ends_on__lt=today)
    if year is not None:
        periods = periods.filter(year=year)
    return periods.order_by("-ends_on", "-id").first()


def _is_due(period: ReportPeriod, today: date) -> bool:
    """last_due_period's rule for one period already read."""
    return period.due_on < today and period.ends_on < today


def completion_period(year: int, key=None, periods: list[ReportPeriod] | None = None) -> ReportPeriod | None:
    """The period 本年累计完成 is shown as of: the one chosen (`key`, its id, if it is of `year`), else the
    year's latest period already due (last_due_period, as the warnings), else — none due yet, the year's
    first weeks — its latest period begun. `periods`: the year's periods, newest first, if already read."""
    if periods is None:
        periods = list(ReportPeriod.objects.filter(year=year).order_by("-ends_on", "-id"))
    if key not in (None, ""):
        try:
            wanted = int(key)
        except (TypeError, ValueError, OverflowError):
            wanted = None
        chosen = next((p for p in periods if p.pk == wanted), None)
        if chosen is not None:
            return chosen
    today = timezone.localdate()
    return (next((p for p in periods if _is_due(p, today)), None)
            or next((p for p in periods if p.starts_on <= today), None))


@dataclass(frozen=True)
class LedgerAsOf(AsOf):
    latest_of_year: bool | None = None  # no period of the year ends later (completion_figure)


class LedgerCompletion:
    """The provider tuijin.projects.completion asks (registered in apps.py)."""

    def as_of(self, year: int, key):
        if not 2000 <= year <= 2100:
            return None
        periods = list(ReportPeriod.objects.filter(year=year).order_by("-ends_on", "-id"))  # a few dozen at most
        period = completion_period(year, key, periods)
        if period is None:
            return None
        today = timezone.localdate()
        begun = max(today, period.starts_on)
        choices = [(str(p.pk), p.label) for p in periods if p.starts_on <= begun]
        if period.due_on >= today:  # its reports are still coming in: say so beside the figures
            label = _("截至%(period)s（填报中，截止%(due)s），%(rule)s") % {
                "period": period.label, "due": f"{period.due_on.month}月{period.due_on.day}日", "rule": counted_label()}
        else:
            label = _("截至%(period)s，%(rule)s") % {"period": period.label, "rule": counted_label()}
        return LedgerAsOf(str(period.pk), period.ends_on, label, choices,
                           latest_of_year=periods[0].ends_on <= period.ends_on)

    def amounts(self, as_of, project_ids):
        return completion_as_of(project_ids, as_of.period_end, int(as_of.key), latest=_latest(as_of))

    def total(self, as_of, projects):
        return completion_total(projects, as_of.period_end, int(as_of.key), latest=_latest(as_of))

    def figure(self, as_of):
        return completion_figure(as_of.period_end, int(as_of.key), latest=_latest(as_of))

    def progress(self, as_of, project_ids):
        return progress_as_of(project_ids, as_of.period_end)

    def plan_figures(self, pairs):
        return plan_figures(pairs)

    def by_year(self, project_id):
        return completion_by_year(project_id)



def _latest(as_of) -> bool | None:
    return getattr(as_of, "latest_of_year", None)
