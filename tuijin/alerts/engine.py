"""What each warning dimension measures, for a whole set of projects at once.

A measure takes a rule (its method decides which reading of the data is the value) and a queryset of
the projects in the rule's scope, and answers {project id: Finding} for the projects it has something
to say about, in a few queries whatever the number of projects (the province's 20,000 in seconds,
one project in milliseconds). Each measure reaches the engine through `register`: the ones below read
projects, reports and schedules; the problems dimension is measured in `problem_measures.py` and
registered by the alerts app's `ready()`, so this module imports nothing of problems. A dimension
nobody measures finds nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from tuijin.projects.choices import CanonicalStage
from tuijin.projects.models import AnnualPlan
from tuijin.reports.choices import DEFAULT_REPORTING_STAGES, HANDED_IN_STATES
from tuijin.reports.figures import schedule_share
from tuijin.reports.models import ProgressReport, ReportPeriod
from tuijin.reports.selectors import completion_subquery, counted_label, counted_reports, last_due_period
from tuijin.schedules.choices import OPEN_APPROVAL_STATES, ApprovalStatus, NodeMark
from tuijin.schedules.models import Approval, Milestone

from .choices import Dimension, Method
from .rules import months_elapsed, round1

HUNDRED = Decimal(100)
NOT_STARTED_STAGES = (CanonicalStage.RESERVE, CanonicalStage.PRELIMINARY, CanonicalStage.NEW_START)
MAX_PERIODS_BACK = 12


@dataclass(frozen=True)
class Finding:
    value: Decimal
    reason: str
    subject: str = ""


Measure = Callable[..., dict[int, Finding]]  # (rule, projects queryset, today) → findings
_measures: dict[str, Measure] = {}


def register(dimension: str, measure: Measure) -> None:
    _measures[dimension] = measure


def is_measured(dimension: str) -> bool:
    return dimension in _measures


def measure(rule, projects, today: date) -> dict[int, Finding]:
    found = _measures.get(rule.dimension)
    return found(rule, projects, today) if found else {}


def _ids(projects):
    return projects.values("pk")


# ------------------------------------------------------------------------------------ start overdue


def start_overdue(rule, projects, today: date) -> dict[int, Finding]:
    """Not started (no actual start, stage before construction) after the planned start date; the
    reason names the ledger's planned start date and the missing fact."""
    rows = projects.filter(planned_start__lt=today, actual_start__isnull=True,
                           stage__canonical__in=NOT_STARTED_STAGES).values_list("pk", "planned_start")
    found = {}
    for pk, planned in rows:
        if rule.method == Method.DAYS_OVERDUE:
            value = (today - planned).days
            reason = ngettext("计划开工日期%(d)s，已逾期%(n)s天未开工（无实际开工记录）",
                              "计划开工日期%(d)s，已逾期%(n)s天未开工（无实际开工记录）", value) % {"d": planned, "n": value}
        else:
            value = months_elapsed(planned, today)
            if value <= 0:
                continue
            reason = ngettext("计划开工日期%(d)s，已滞后%(n)s个月未开工（无实际开工记录）",
                              "计划开工日期%(d)s，已滞后%(n)s个月未开工（无实际开工记录）", value) % {"d": planned, "n": value}
        found[pk] = Finding(Decimal(value), reason)
    return found


# ----------------------------------------------------------------------------------- investment lag


def evaluation_period(today: date) -> ReportPeriod | None:
    """The latest period already due (年初至上月底): what the year's progress is judged on. In January
    that is last December, judged against last year's plan, until this year's first period falls due."""
    return last_due_period(today)


def investment_lag(rule, projects, today: date, *, period: ReportPeriod | None = None) -> dict[int, Finding]:
    """The year's investment as of the evaluated period (本年累计完成 by the one rule of which reports
    count, reports.selectors.completion_subquery — the ledger's figure) against 序时进度 at that
    period's end: as points behind, or as a ratio of the plan due. Projects in a reporting stage only
    (DEFAULT_REPORTING_STAGES)."""
    period = period or evaluation_period(today)
    if period is None:
        return {}
    end = period.ends_on
    counted = completion_subquery(end, outer="project_id")
    latest = counted_reports(end).filter(project_id=OuterRef("project_id")).order_by("-period_end")
    # Judged: the projects that report their investment (前期, 新开工, 续建在建); a completed or operating
    # project's plan is closed off by its completion, not by monthly reports.
    reporting = projects.filter(stage__canonical__in=list(DEFAULT_REPORTING_STAGES))
    plans = AnnualPlan.objects.filter(year=end.year, project__in=_ids(reporting), planned_investment__gt=0)
    if rule.min_annual_plan is not None:
        plans = plans.filter(planned_investment__gte=rule.min_annual_plan)
    rows = plans.annotate(done=counted, done_as_of=Subquery(latest.values("period_end")[:1])).values_list(
        "project_id", "planned_investment", "monthly_plan", "planned_start", "planned_completion", "done", "done_as_of")
    found = {}
    for pk, planned, monthly, start, completion, done, as_of in rows:
        share = schedule_share(end, planned=planned, monthly_plan=monthly, planned_start=start, planned_completion=completion)
        if share <= 0:
            continue
        basis = _investment_basis(end, planned, done, as_of)
        done = Decimal(done or 0)
        done_pct = round1(done * HUNDRED / planned)
        due_pct = round1(share * HUNDRED)
        if rule.method == Method.RATIO_OF_PLAN:
            value = round1(done * HUNDRED / (planned * share))
            if value >= HUNDRED:
                continue
            reason = _("截至%(y)s年%(m)s月底完成投资%(done)s万元，为序时计划的%(v)s%%（序时进度%(due)s%%；%(basis)s）") % {
                "y": end.year, "m": end.month, "done": f"{done:,.2f}", "v": value, "due": due_pct, "basis": basis}
        else:
            value = due_pct - done_pct
            if value <= 0:
                continue
            reason = _("截至%(y)s年%(m)s月底完成年度计划%(done)s%%，低于序时进度%(v)s个百分点（%(basis)s）") % {
                "y": end.year, "m": end.month, "done": done_pct, "v": value, "basis": basis}
        found[pk] = Finding(value, reason, f"period:{period.pk}")
    return found


def judges_period(period_id: int, today: date) -> bool:
    """Whether a change to the reports of this period can move a reporting warning today: the
    investment measure reads the counted reports up to the evaluated period's end, the missing-report
    measure the periods already due; the reports of a period not due yet and ending after the evaluated
    one (this month's, at the deadline) move neither, until the period falls due (the nightly refresh)."""
    period = ReportPeriod.objects.filter(pk=period_id).values_list("due_on", "ends_on").first()
    if period is None or period[0] < today:
        return True
    judged = evaluation_period(today)
    return judged is not None and period[1] <= judged.ends_on


def _investment_basis(end: date, planned: Decimal, done, as_of: date | None) -> str:
    """Which reports the year's figure comes from: the counted ones (TUIJIN_COUNTED_REPORTS, the ledger's
    rule) up to the judged period, the last of them named, or that there was none (counted as 0)."""
    rule = counted_label()
    if done is None or as_of is None:
        return _("%(y)s年1—%(m)s月无%(rule)s，按0计；年度计划%(plan)s万元") % {
            "y": end.year, "m": end.month, "rule": rule, "plan": f"{planned:,.2f}"}
    late = "" if (as_of.year, as_of.month) == (end.year, end.month) else _("，%(m)s月无%(rule)s") % {
        "m": end.month, "rule": rule}
    return _("据%(y)s年%(m)s月%(rule)s，本年累计%(done)s万元%(late)s；年度计划%(plan)s万元") % {
        "y": as_of.year, "m": as_of.month, "rule": rule, "done": f"{Decimal(done):,.2f}", "late": late,
        "plan": f"{planned:,.2f}"}


# ------------------------------------------------------------------------------- milestones, approvals


def milestone_overdue(rule, projects, today: date) -> dict[int, Finding]:
    """Nodes past their planned date and not done — neither on record nor by inference: a 开工 node
    of a project with an actual start, a 竣工 node of one with an actual completion and any node
    before a done one count as done (Milestone.objects.with_inference). The project's earliest open
    node is named, with the fact that is missing."""
    rows = (Milestone.objects.filter(project__in=_ids(projects), actual_date__isnull=True, planned_date__lt=today)
            .open().order_by("project_id", "planned_date", "sort", "id")
            .values_list("project_id", "pk", "name", "planned_date", "marks"))
    missing = {NodeMark.START: _("无实际开工记录"), NodeMark.COMPLETION: _("无实际竣工记录")}
    return overdue_findings(((pk, item, name, planned, missing.get(marks, _("无实际完成记录")))
                     for pk, item, name, planned, marks in rows),
                    today, "milestone", ngettext_lazy("“%(name)s”计划%(d)s，已逾期%(n)s天（%(fact)s）",
                                                      "“%(name)s”计划%(d)s，已逾期%(n)s天（%(fact)s）", "n"),
                    _("等%(k)s个节点逾期"))


def approval_overdue(rule, projects, today: date) -> dict[int, Finding]:
    """Required procedures still open after their target date. Nothing is inferred from the project's
    start (building before a 施工许可 is itself what an office must see), but the reason says so."""
    rows = (Approval.objects.filter(project__in=_ids(projects), required=True, status__in=OPEN_APPROVAL_STATES,
                                    target_date__lt=today)
            .order_by("project_id", "target_date", "type__sort", "id")
            .values_list("project_id", "pk", "type__name", "target_date", "status", "project__actual_start"))
    return overdue_findings(((pk, item, name, planned, _approval_fact(status, started))
                     for pk, item, name, planned, status, started in rows),
                    today, "approval", ngettext_lazy("“%(name)s”计划%(d)s办结，已逾期%(n)s天（%(fact)s）",
                                                     "“%(name)s”计划%(d)s办结，已逾期%(n)s天（%(fact)s）", "n"),
                    _("等%(k)s项手续逾期"))


def _approval_fact(status: str, started: date | None) -> str:
    fact = ApprovalStatus(status).label
    if started is not None:
        fact = _("%(status)s；项目已于%(d)s实际开工") % {"status": fact, "d": started}
    return str(fact)


def overdue_findings(rows, today: date, kind: str, first_text: str, more_text: str) -> dict[int, Finding]:
    """One finding per project from rows (project id, item, name, due date[, missing fact]) that list each
    project's most overdue item first: its days overdue, `first_text` naming it (subject `kind:item`, or
    the item as given when `kind` is empty; an ngettext_lazy(…, "n") takes the plural form its days
    need), and `more_text` with the count when there are several."""
    found: dict[int, Finding] = {}
    counts: dict[int, int] = {}
    for project_id, pk, name, planned, *fact in rows:
        counts[project_id] = counts.get(project_id, 0) + 1
        if project_id not in found:  # the earliest is the most overdue
            days = (today - planned).days
            subject = f"{kind}:{pk}" if kind else pk
            text = first_text % {"name": name, "n": days, "d": planned, "fact": fact[0] if fact else ""}
            found[project_id] = Finding(Decimal(days), text, subject)
    for project_id, n in counts.items():
        if n > 1:
            f = found[project_id]
            found[project_id] = Finding(f.value, f"{f.reason}{more_text % {'k': n}}", f.subject)
    return found


# ---------------------------------------------------------------------------------- reports missing


def report_missing(rule, projects, today: date) -> dict[int, Finding]:
    """Consecutive latest periods past their due date whose report was not handed in on time: not
    handed in at all (pending, draft, returned) or handed in late."""
    wanted = min(max(int(rule.red), int(rule.yellow), 1), MAX_PERIODS_BACK)
    periods = list(ReportPeriod.objects.filter(due_on__lt=today).order_by("-due_on", "-id")[:wanted])
    if not periods:
        return {}
    reports = ProgressReport.objects.filter(period__in=[p.pk for p in periods], project__in=_ids(projects))
    status: dict[int, dict[int, str]] = {}
    for project_id, period_id, state, late in reports.values_list("project_id", "period_id", "state", "is_late"):
        if state not in HANDED_IN_STATES:
            status.setdefault(project_id, {})[period_id] = "missing"
        elif late:
            status.setdefault(project_id, {})[period_id] = "late"
    found = {}
    for project_id, by_period in status.items():
        words = []
        for period in periods:  # newest first; the chain stops at the first on-time (or absent) report
            kind = by_period.get(period.pk)
            if kind is None:
                break
            words.append((_("%(p)s未报") if kind == "missing" else _("%(p)s逾期补报")) % {"p": period.label})
        if words:
            n = len(words)
            reason = words[0] if n == 1 else _("连续%(n)s期未按时填报（%(w)s）") % {"n": n, "w": "、".join(words)}
            found[project_id] = Finding(Decimal(n), reason, f"period:{periods[0].pk}")
    return found


register(Dimension.START_OVERDUE, start_overdue)
register(Dimension.INVESTMENT_LAG, investment_lag)
register(Dimension.MILESTONE_OVERDUE, milestone_overdue)
register(Dimension.APPROVAL_OVERDUE, approval_overdue)
register(Dimension.REPORT_MISSING, report_missing)
