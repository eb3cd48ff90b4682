"""Every read of the monthly dispatch, always through the scoped querysets."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import get_or_not_found
from tuijin.core.fields import MoneyField
from tuijin.org.models import Region, Unit
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


def _counted_as_of(period_end: date, period_id: int | None, outer: str = "pk"):
    """A project's stored figure as of `period_end`: its report in the period (one row of a covering
    index), else — no report there, or nothing counted yet — its latest report of the year up to that
    day (a project taken out of the period or added to the dispatch later keeps its earlier figure;
    one that never counted stays None either way, the figure only grows within a year)."""
    latest = _latest_counted(period_end, outer)
    if period_id is None:
        return latest
    in_period = Subquery(ProgressReport.objects.filter(period_id=period_id, project_id=OuterRef(outer)).order_by()
                         .values(counted_column())[:1], output_field=MoneyField())
    return Coalesce(in_period, latest, output_field=MoneyField())


def completion_as_of(project_ids, period_end: date, period_id: int | None = None) -> dict[int, Decimal]:
    """本年累计完成 per project as of `period_end` (ids or a queryset of projects): the sum of its counted
    amounts of the year's periods up to that day, read from the figure each report stores
    (services.refresh_cumulative); projects without any are left out (0). `period_id`: a period ending
    that day, when the caller has it (else looked up)."""
    ids = project_ids.order_by().values("pk") if hasattr(project_ids, "values") else list(project_ids)
    rows = (Project.objects.filter(pk__in=ids).order_by()
            .annotate(done=_counted_as_of(period_end, period_id or _as_of_period(period_end)))
            .filter(done__isnull=False).values_list("pk", "done"))
    return {pk: Decimal(done) for pk, done in rows}


def completion_total(projects, period_end: date, period_id: int | None = None) -> Decimal:
    """本年累计完成 of a queryset of projects as of `period_end`: one SUM over the filtered projects of
    completion_figure, integer cents, exact on SQLite and PostgreSQL."""
    from tuijin.projects.selectors import with_year_plan

    figure = completion_figure(period_end, period_id)
    done = with_year_plan(projects, period_end.year).order_by().aggregate(done=Sum(figure))["done"]
    return Decimal(done) if done is not None else figures.ZERO


def completion_figure(period_end: date, period_id: int | None = None):
    """A project's 本年累计完成 as of `period_end`, as an expression on projects with the year's plan
    joined as `year_plan` (projects.selectors.with_year_plan), for sums.

    As of the year's latest period (the ledger's default), the figure its annual plan carries
    (AnnualPlan.counted_*, its latest report's); a project without a plan for the year, or whose plan
    carries nothing yet, falls back to its reports. As of an earlier period, the figure is looked up in
    its reports (services.refresh_cumulative keeps both). A report looked up per project costs tens of
    milliseconds over a province's 20,000 projects; the plan's column rides on the join the ledger's
    filters and totals read anyway (docs/benchmarks.md)."""
    from tuijin.projects.selectors import YEAR_PLAN

    if _latest_of_year(period_end):
        return Coalesce(f"{YEAR_PLAN}__{counted_column()}", _latest_counted(period_end), output_field=MoneyField())
    return _counted_as_of(period_end, period_id or _as_of_period(period_end))


def _latest_of_year(period_end: date) -> bool:
    """No period of the year ends after `period_end`: the figures as of it are the year's latest."""
    return not ReportPeriod.objects.filter(ends_on__gt=period_end, ends_on__lte=date(period_end.year, 12, 31)).exists()


def completion_subquery(period_end: date, outer: str = "pk"):
    """The same figure as a correlated subquery on a project id column (`outer`), for annotations."""
    return _latest_counted(period_end, outer)


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


def completion_period(year: int, key=None) -> ReportPeriod | None:
    """The period 本年累计完成 is shown as of: the one chosen (`key`, its id, if it is of `year`), else the
    year's latest period already begun, closed or open."""
    periods = ReportPeriod.objects.filter(year=year)
    if key not in (None, ""):
        try:
            chosen = periods.filter(pk=int(key)).first()
        except (TypeError, ValueError, OverflowError):
            chosen = None
        if chosen is not None:
            return chosen
    return periods.filter(starts_on__lte=timezone.localdate()).order_by("-ends_on", "-id").first()


class LedgerCompletion:
    """The provider tuijin.projects.completion asks (registered in apps.py)."""

    def as_of(self, year: int, key):
        from tuijin.projects.completion import AsOf

        if not 2000 <= year <= 2100:
            return None
        period = completion_period(year, key)
        if period is None:
            return None
        choices = [(str(pk), ReportPeriod(year=y, month=m, seq=s, cadence=c).label)
                   for pk, y, m, s, c in ReportPeriod.objects.filter(year=year, starts_on__lte=max(
                       timezone.localdate(), period.starts_on)).order_by("-ends_on", "-id")
                   .values_list("pk", "year", "month", "seq", "cadence")]
        label = _("截至%(period)s，%(rule)s") % {"period": period.label, "rule": counted_label()}
        return AsOf(str(period.pk), period.ends_on, label, choices)

    def amounts(self, as_of, project_ids):
        return completion_as_of(project_ids, as_of.period_end, int(as_of.key))

    def total(self, as_of, projects):
        return completion_total(projects, as_of.period_end, int(as_of.key))

    def figure(self, as_of):
        return completion_figure(as_of.period_end, int(as_of.key))

    def progress(self, as_of, project_ids):
        return progress_as_of(project_ids, as_of.period_end)
