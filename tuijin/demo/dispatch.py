"""The demo city's monthly dispatch as of the day it is built: every month of this year before this
one closed with approved reports (in January, the whole of last year), this month's period open and
due in the future with reports in every state, so every dispatch page has something real to show.

形象进度 follows each project's cumulative progress, which only grows: before work starts the text
walks through the approval steps in order, afterwards it names the works reached and the share of the
total done. Submissions, reviews and closings are dated on earlier days by the right people (the lead
unit's clerk submits, the office reviews); returned reports carry a reason and the clerk's message;
the office's reminder (催报) for the open period goes out through the real service, as of yesterday.
Deterministic for a seed and a day; written in bulk with history."""

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from tuijin.core.notify import notify
from tuijin.org.choices import Role
from tuijin.org.models import Membership
from tuijin.projects.models import AnnualPlan, Project
from tuijin.reports.choices import (
    DEFAULT_REPORTING_STAGES,
    PeriodStatus,
    ReportAction,
    ReportState,
    WorkStatus,
)
from tuijin.reports.figures import schedule_share
from tuijin.reports.models import ProgressReport, ReportEvent, ReportPeriod, period_bounds
from tuijin.reports.services import period_remind, refresh_cumulative

from .clock import Clock, dispatch_calendar, month_end

CENT = Decimal("0.01")
REASON = "加载演示数据"

PRELIMINARY_STEPS = [
    "完成项目建议书编制，正在开展可行性研究", "可行性研究报告已批复，正在办理用地预审和规划选址",
    "用地预审与规划选址意见书已取得，环评报告编制中", "环评批复已取得，正在开展初步设计",
    "初步设计及概算已批复，施工图审查中", "施工图审查通过，正在组织施工招标", "施工招标已完成，办理施工许可，具备开工条件",
]
# (cumulative share of the total investment in %, the works reached by then)
WORKS = [
    (8, "施工准备及场地平整"), (20, "桩基及基础工程施工"), (45, "主体结构施工"), (65, "主体结构完工，二次结构及机电安装"),
    (85, "装饰装修及室外配套工程施工"), (101, "收尾工程及竣工验收准备"),
]
PRELIMINARY_SHARE = Decimal("0.03")  # at most this share of the total is spent before the works start
PROBLEM_ODDS = 0.08  # share of handed-in reports that name a difficulty (each becomes a problem)
PROBLEMS = ["用地指标尚未落实", "征迁补偿未谈妥，影响施工作业面", "专项债资金未到位",
            "电力接入需协调供电公司", "施工许可办理进度慢，影响开工", "环评批复尚未取得"]
RETURN_REASONS = [
    "形象进度描述过于笼统，请补充主体工程完成比例", "本月完成投资与现场进度不符，请核实后重新上报",
    "未上传现场照片，请补充", "在岗人数与现场督导情况不符，请核实", "存在问题表述不清，请写明需协调的事项和单位",
]
STATE_WEIGHTS = [(ReportState.PENDING, 26), (ReportState.DRAFT, 14), (ReportState.SUBMITTED, 28),
                 (ReportState.RETURNED, 7), (ReportState.APPROVED, 25)]


def progress_text(before_start: bool, prelim_step: int, share: Decimal) -> str:
    """形象进度 from a project's cumulative position: later months never read as less progress."""
    if before_start:
        return PRELIMINARY_STEPS[min(prelim_step, len(PRELIMINARY_STEPS) - 1)]
    pct = max(1, min(99, int(share * 100)))
    works = next(text for limit, text in WORKS if pct < limit)
    return f"{works}，累计完成总工程量约{pct}%"


def progress_percent(text: str) -> int | None:
    """The cumulative percentage a 形象进度 written by `progress_text` states (None before work starts)."""
    if "累计完成总工程量约" not in text:
        return None
    return int(text.rsplit("约", 1)[1].rstrip("%"))


def unit_clerks() -> dict[int, object]:
    """unit id → the clerk who hands in its reports (a 填报员 of the unit, else its first user)."""
    clerks: dict[int, object] = {}
    rows = Membership.objects.filter(is_active=True).select_related("user").order_by("id")
    for m in sorted(rows, key=lambda m: (m.role != Role.REPORTER, m.pk)):
        clerks.setdefault(m.unit_id, m.user)
    return clerks


def build_dispatch(rng: random.Random, dispatcher, clock: Clock) -> dict:
    """Write the periods and reports; returns counts for the demo summary."""
    today = clock.today
    cal = dispatch_calendar(today)
    clerks = unit_clerks()
    months = [*cal.closed, (cal.open_year, cal.open_month)]
    years = sorted({y for y, _ in months})
    # The reporting stages, and the projects completed in a year being dispatched: they reported up to
    # their completion, so their plan for that year reads as done.
    projects = list(
        Project.objects.filter(Q(stage__canonical__in=DEFAULT_REPORTING_STAGES)
                               | Q(actual_completion__year__in=years, actual_start__isnull=False), is_archived=False)
        .select_related("stage", "region").order_by("id")
    )
    plans = {(p.project_id, p.year): p for p in AnnualPlan.objects.filter(year__in=years, project__in=projects)}

    periods = []
    for year, month in months:
        starts, ends = period_bounds("month", year, month, 1)
        is_open = (year, month) == (cal.open_year, cal.open_month)
        closed_at = None if is_open else clock.moment(min(ends + timedelta(days=3), today), 9, 30)
        note = ""
        if is_open and cal.extended:
            note = f"本月填报截止日期已延至{cal.due_on.month}月{cal.due_on.day}日，请尚未上报的单位抓紧填报"
        periods.append(ReportPeriod(
            year=year, month=month, starts_on=starts, ends_on=ends,
            due_on=cal.due_on if is_open else starts.replace(day=25), note=note,
            status=PeriodStatus.OPEN if is_open else PeriodStatus.CLOSED, opened_by=dispatcher,
            closed_by=None if is_open else dispatcher, closed_at=closed_at,
        ))
    periods = bulk_create_with_history(periods, ReportPeriod, default_change_reason=REASON, default_user=dispatcher)
    if periods[0].pk is None:
        periods = list(ReportPeriod.objects.filter(year__in=years).order_by("year", "month"))

    reports = []
    returned = []
    for project in projects:
        clerk = clerks.get(project.lead_unit_id) or dispatcher
        # This project's pace against 序时进度: most on schedule, some a little behind, a few far behind.
        roll = rng.random()
        low, high = (0.97, 1.1) if roll < 0.8 else (0.8, 0.92) if roll < 0.94 else (0.55, 0.68)
        pace = Decimal(str(round(rng.uniform(low, high), 3)))
        prelim_step = rng.randint(0, 2)
        done_share = Decimal(0)
        for year in years:
            plan = plans.get((project.pk, year))
            if plan is None:
                continue
            room = project.total_investment - plan.completed_before
            if project.actual_start is None:
                # 前期: only design, land and approval money is spent before the works start.
                room = min(room, plan.planned_investment, (project.total_investment * PRELIMINARY_SHARE).quantize(CENT))
            finish = project.actual_completion
            ytd = Decimal("0.00")
            for period in (p for p in periods if p.year == year):
                if finish is not None and finish < period.starts_on:
                    break  # completed: nothing more to report
                completing = finish is not None and finish <= period.ends_on
                is_open = period.status == PeriodStatus.OPEN
                state = rng.choices([s for s, _ in STATE_WEIGHTS], [w for _, w in STATE_WEIGHTS])[0] if is_open \
                    else ReportState.APPROVED
                before_start = (
                    project.stage.canonical == "preliminary"  # 前期: approvals, no physical work to report yet
                    or (project.start_year is not None and project.start_year > year)
                    or (project.actual_start is not None and project.actual_start > month_end(year, period.month))
                )
                # Before its works start a project still spends its plan's 前期 money (design, land) on
                # schedule, except one that started late: nothing before its actual start.
                late = project.actual_start is not None and project.actual_start > month_end(year, period.month)
                amount = None
                if state != ReportState.PENDING and late:
                    amount = Decimal("0.00")
                elif state != ReportState.PENDING:
                    due = schedule_share(period.ends_on, planned=plan.planned_investment, monthly_plan=plan.monthly_plan,
                                         planned_start=plan.planned_start, planned_completion=plan.planned_completion)
                    target = plan.planned_investment * due * pace * Decimal(str(round(rng.uniform(0.97, 1.03), 3)))
                    if completing:  # the month it was completed settles the year's plan
                        target = plan.planned_investment
                    amount = max(min(target - ytd, room - ytd), Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
                    ytd += amount
                if state != ReportState.PENDING and before_start and rng.random() < 0.45:
                    prelim_step += 1
                # A new year's plan counts from its own 上年底累计: the text never reads as less done.
                done_share = max(done_share, (plan.completed_before + ytd) / project.total_investment)
                text = progress_text(before_start, prelim_step, done_share)
                submitted = reviewed = None
                if state not in (ReportState.PENDING, ReportState.DRAFT):
                    if is_open:
                        low = max(clock.moment(period.starts_on, 9), clock.now - timedelta(days=9))
                        span = max(60, int((clock.now - low).total_seconds() // 60) - 240)
                        submitted = min(low + timedelta(minutes=rng.randint(0, span)), clock.now - timedelta(hours=3))
                    else:
                        submitted = clock.office_hours(rng, period.due_on - timedelta(days=rng.randint(0, 7)))
                    if state in (ReportState.APPROVED, ReportState.RETURNED):
                        reviewed = submitted + timedelta(hours=rng.randint(2, 40))
                        reviewed = min(reviewed, clock.now - timedelta(minutes=30))
                        if period.closed_at:
                            reviewed = min(reviewed, period.closed_at - timedelta(minutes=10))
                report = ProgressReport(
                    period=period, project=project, period_end=period.ends_on, unit_id=project.lead_unit_id,
                    state=state, amount=amount, progress="" if state == ReportState.PENDING else text,
                    work_status="" if state == ReportState.PENDING else (
                        WorkStatus.NOT_STARTED if before_start else WorkStatus.STARTED),
                    workers_planned=None if amount is None or before_start else rng.randint(40, 400),
                    problems=rng.choice(PROBLEMS) if state != ReportState.PENDING and rng.random() < PROBLEM_ODDS else "",
                    year_to_date=ytd, since_start=plan.completed_before + ytd,
                    submitted_at=submitted, submitted_by=clerk if submitted else None,
                    reviewed_at=reviewed, reviewed_by=dispatcher if reviewed else None,
                    review_comment=rng.choice(RETURN_REASONS) if state == ReportState.RETURNED else "",
                )
                if report.workers_planned:
                    report.workers_on_site = int(report.workers_planned * rng.uniform(0.6, 1.0))
                reports.append(report)
    reports = bulk_create_with_history(reports, ProgressReport, default_change_reason=REASON, default_user=dispatcher)
    if reports[0].pk is None:
        reports = list(ProgressReport.objects.select_related("project", "period").order_by("id"))
    events = []
    for report in reports:
        if report.submitted_at:
            events.append(ReportEvent(report=report, action=ReportAction.SUBMIT, from_state=ReportState.DRAFT,
                                      to_state=ReportState.SUBMITTED, user=report.submitted_by))
        if report.reviewed_at:
            action = ReportAction.APPROVE if report.state == ReportState.APPROVED else ReportAction.RETURN
            events.append(ReportEvent(report=report, action=action, from_state=ReportState.SUBMITTED,
                                      to_state=report.state, user=dispatcher, comment=report.review_comment))
        if report.state == ReportState.RETURNED:
            returned.append(report)
    ReportEvent.objects.bulk_create(events, batch_size=2000)
    _date_events()
    # The counted 本年累计 each report and each annual plan stores (the ledger's figure), as the services keep it.
    refresh_cumulative([p.pk for p in projects], min(years))
    messages = _messages(returned, periods, dispatcher, clock)
    return {"periods": len(periods), "reports": len(reports), "messages": messages,
            "closed": len(cal.closed), "open": (cal.open_year, cal.open_month, cal.due_on)}


def _messages(returned, periods, dispatcher, clock: Clock) -> int:
    """退回 to the clerks who submitted, at the review's time; the office's 催报 for the open period."""
    sent = 0
    for report in returned:
        with clock.at(report.reviewed_at):
            sent += len(notify([report.submitted_by],
                               f"{report.period.label}“{report.project.name}”的填报被退回：{report.review_comment}",
                               reverse("reports:report", args=[report.pk])))
    open_period = next(p for p in periods if p.status == PeriodStatus.OPEN)
    remind_day = max(open_period.starts_on, clock.today - timedelta(days=1))
    with clock.at(clock.moment(remind_day, 9, 0)):
        try:
            reminders = period_remind(dispatcher, open_period, all_units=True)
        except Exception:  # noqa: BLE001 - every report already handed in: nothing to chase
            reminders = []
    return sent + sum(r.recipients for r in reminders)


def _date_events() -> None:
    """auto_now_add stamped the events with the load time; give them the report's own times."""
    submitted = ProgressReport.objects.filter(pk=OuterRef("report_id")).values("submitted_at")[:1]
    reviewed = ProgressReport.objects.filter(pk=OuterRef("report_id")).values("reviewed_at")[:1]
    ReportEvent.objects.filter(action=ReportAction.SUBMIT).update(at=Subquery(submitted))
    ReportEvent.objects.exclude(action=ReportAction.SUBMIT).update(at=Subquery(reviewed))
