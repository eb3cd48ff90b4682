"""The demo city's monthly dispatch: 2026's periods January–October closed with approved reports,
November open (due the 25th) with the reports in every state, so every dispatch page has something
real to show. Deterministic for a seed, like the rest of the demo; written in bulk with history."""

import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history

from tuijin.projects.models import AnnualPlan, Project
from tuijin.reports.choices import (
    DEFAULT_REPORTING_STAGES,
    PeriodStatus,
    ReportAction,
    ReportState,
    WorkStatus,
)
from tuijin.reports.models import ProgressReport, ReportEvent, ReportPeriod, default_due, period_bounds
from tuijin.reports.services import refresh_approved

YEAR = 2026
CLOSED_MONTHS = range(1, 11)
OPEN_MONTH = 11
CENT = Decimal("0.01")
SHANGHAI = ZoneInfo("Asia/Shanghai")
REASON = "加载演示数据"

PROGRESS = {
    "preliminary": ["完成可研报告编制，正在办理用地预审", "初步设计已批复，施工图审查中", "环评公示结束，正在开展招标准备"],
    "new_start": ["场地平整完成，桩基施工中", "完成围挡和临建，主体基础开挖", "已办理施工许可，土方工程完成40%"],
    "construction": ["主体结构施工至第{n}层", "钢结构吊装完成{p}%", "设备基础施工完成，设备进场安装", "路基工程完成{p}%，开始路面施工",
                     "管网铺设完成{p}%", "二次结构砌筑及机电安装同步推进"],
}
PROBLEMS = ["", "", "", "", "用地指标尚未落实", "征迁补偿未谈妥，影响施工作业面", "专项债资金未到位", "电力接入需协调供电公司"]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


def build_dispatch(rng: random.Random, dispatcher) -> dict:
    """Write the periods and reports; returns counts for the demo summary."""
    clerks = {u.username: u for u in get_user_model().objects.filter(username__in=["reporter", "reporter2"])}
    projects = list(
        Project.objects.filter(is_archived=False, stage__canonical__in=DEFAULT_REPORTING_STAGES)
        .select_related("stage", "region").order_by("id")
    )
    plans = {p.project_id: p for p in AnnualPlan.objects.filter(year=YEAR, project__in=projects)}
    projects = [p for p in projects if p.pk in plans]
    periods = []
    for month in [*CLOSED_MONTHS, OPEN_MONTH]:
        starts, ends = period_bounds("month", YEAR, month, 1)
        closed = month != OPEN_MONTH
        periods.append(ReportPeriod(
            year=YEAR, month=month, starts_on=starts, ends_on=ends, due_on=default_due("month", starts, ends),
            status=PeriodStatus.CLOSED if closed else PeriodStatus.OPEN, opened_by=dispatcher,
            closed_by=dispatcher if closed else None, closed_at=_at(ends + timedelta(days=3), 10) if closed else None,
        ))
    periods = bulk_create_with_history(periods, ReportPeriod, default_change_reason=REASON, default_user=dispatcher)
    if periods[0].pk is None:
        periods = list(ReportPeriod.objects.filter(year=YEAR).order_by("month"))

    reports, events = [], []
    district_clerk = {"兰山区": clerks.get("reporter"), "罗庄区": clerks.get("reporter2")}
    for project in projects:
        plan = plans[project.pk]
        pace = Decimal(str(rng.uniform(0.55, 1.25)))  # this project's pace against its plan
        room = project.total_investment - plan.completed_before
        ytd = Decimal("0.00")
        clerk = district_clerk.get(project.region.name) or dispatcher
        for period in periods:
            month = period.month
            if month == OPEN_MONTH:
                state = rng.choices(
                    [ReportState.PENDING, ReportState.DRAFT, ReportState.SUBMITTED, ReportState.RETURNED, ReportState.APPROVED],
                    weights=[30, 15, 30, 5, 20],
                )[0]
            else:
                state = ReportState.APPROVED
            amount = None
            before_start = (
                project.stage.canonical == "preliminary"  # 前期: approvals, no physical work to report yet
                or (project.start_year is not None and project.start_year > YEAR)
                or (plan.planned_start is not None and plan.planned_start.year == YEAR and month < plan.planned_start.month)
            )
            if state != ReportState.PENDING and before_start:
                amount = Decimal("0.00")  # still in 前期 this month: no physical work yet
            elif state != ReportState.PENDING:
                share = plan.planned_investment * pace / 12 * Decimal(str(rng.uniform(0.5, 1.5)))
                amount = min(share, room - ytd).quantize(CENT, rounding=ROUND_HALF_UP)
                amount = max(amount, Decimal("0.00"))
                ytd += amount
            canonical = "preliminary" if before_start else project.stage.canonical
            n = month + 2
            text = rng.choice(PROGRESS.get(canonical, PROGRESS["construction"])).format(n=n, p=min(95, month * 9))
            submitted = _at(period.due_on - timedelta(days=rng.randint(0, 6)), 16) if state not in (
                ReportState.PENDING, ReportState.DRAFT) else None
            reviewed = submitted + timedelta(days=1) if submitted and state in (ReportState.APPROVED, ReportState.RETURNED) else None
            report = ProgressReport(
                period=period, project=project, period_end=period.ends_on, unit_id=project.lead_unit_id, state=state,
                amount=amount, progress="" if state == ReportState.PENDING else text,
                work_status="" if state == ReportState.PENDING else (
                    WorkStatus.NOT_STARTED if canonical == "preliminary" else WorkStatus.STARTED),
                workers_planned=None if amount is None or canonical == "preliminary" else rng.randint(40, 400),
                problems="" if state == ReportState.PENDING else rng.choice(PROBLEMS),
                year_to_date=ytd, since_start=plan.completed_before + ytd,
                submitted_at=submitted, submitted_by=clerk if submitted else None,
                reviewed_at=reviewed, reviewed_by=dispatcher if reviewed else None,
                review_comment="形象进度描述过于笼统，请补充主体工程完成比例" if state == ReportState.RETURNED else "",
            )
            if report.workers_planned:
                report.workers_on_site = int(report.workers_planned * rng.uniform(0.6, 1.0))
            reports.append(report)
    reports = bulk_create_with_history(reports, ProgressReport, default_change_reason=REASON, default_user=dispatcher)
    if reports[0].pk is None:
        reports = list(ProgressReport.objects.order_by("id"))
    for report in reports:
        if report.submitted_at:
            events.append(ReportEvent(report=report, action=ReportAction.SUBMIT, from_state=ReportState.DRAFT,
                                      to_state=ReportState.SUBMITTED, user=report.submitted_by))
        if report.reviewed_at:
            action = ReportAction.APPROVE if report.state == ReportState.APPROVED else ReportAction.RETURN
            events.append(ReportEvent(report=report, action=action, from_state=ReportState.SUBMITTED,
                                      to_state=report.state, user=dispatcher, comment=report.review_comment))
    ReportEvent.objects.bulk_create(events, batch_size=2000)
    _date_events()
    refresh_approved([p.pk for p in projects], YEAR)
    return {"periods": len(periods), "reports": len(reports)}


def _date_events() -> None:
    """auto_now_add stamped the events with the load time; give them the report's own times."""
    events = list(ReportEvent.objects.select_related("report"))
    for event in events:
        when = event.report.submitted_at if event.action == ReportAction.SUBMIT else event.report.reviewed_at
        if when:
            event.at = when
    ReportEvent.objects.bulk_update(events, ["at"], batch_size=2000)
