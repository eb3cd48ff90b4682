"""The cockpit's and the big screen's tests start from the figures' hand-built town (tests/figures/conftest.py),
on the same day as the scene below.

A small city for the first screens (首页), on 2026-11-20 (Shanghai): the figures are as of 2026-10 (the
last period already due), the 2026-11 period is open (due 11-25).

  project         region   contact leader     light   2026 plan  Oct (approved)  Nov report
  我的红灯项目     兰山区    王领导 (the leader)  red     1,000.00   300.00          submitted
  我的绿灯项目     罗庄区    王领导              green   2,000.00   1,000.00        returned
  他人红灯项目     兰山区    王建国 (another)     red       500.00   100.00          pending
  无领导黄灯项目   罗庄区    —                  yellow    800.00   600.00          draft

Red alerts: 我的红灯项目's since 2026-11-05 (new this month), 他人红灯项目's since 2026-10-10; a yellow
one on 无领导黄灯项目.
Problems: escalated to 王领导 (level 4, handled by 市自然资源和规划局, the handler's unit) on 我的红灯项目;
escalated to 王建国 on 他人红灯项目 (same unit); at the committee (level 5, 王建国) on 无领导黄灯项目; overdue
(deadline 11-10) handled by 罗庄区人民政府 on 无领导黄灯项目; solved, awaiting verification (市自然资源和规划局)
on 我的绿灯项目; raised and not yet assigned on 他人红灯项目.
Orders: to 市自然资源和规划局 about 我的红灯项目, reply due 11-15 (overdue); to 兰山区人民政府 about 他人红灯项目,
due 11-30.
Nodes: 我的红灯项目 "主体封顶" planned 10-01 (overdue) and "竣工验收" 11-24 (due within a week); 他人红灯项目
"桩基完成" 09-01 (overdue).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tuijin.alerts.models import Alert, AlertRule
from tuijin.org.models import Leader
from tuijin.problems.models import Problem, ProblemType, SupervisionOrder
from tuijin.projects.models import AnnualPlan, Project
from tuijin.reports import services as report_services
from tuijin.reports.choices import ReportState
from tuijin.reports.models import ProgressReport, ReportPeriod
from tuijin.schedules.models import Milestone

from .. import factories as f
from ..clock import SHANGHAI, at
from ..figures.conftest import town  # noqa: F401

TODAY = date(2026, 11, 20)


@pytest.fixture
def today(time_machine):
    time_machine.move_to(at(2026, 11, 20))
    return TODAY


def make_project(name, region, lead, *, plan, leaders=(), light=0, reason=""):
    project = f.ProjectFactory(name=name, region=region, lead_unit=lead, leaders=list(leaders), start_year=2025,
                               end_year=2028, year_listed=2026)
    AnnualPlan.objects.create(project=project, year=2026, planned_investment=Decimal(plan), completed_before=Decimal(0))
    Project.objects.filter(pk=project.pk).update(light=light, light_reason=reason)
    return project


def make_alert(project, level: int, since: date, reason: str):
    rule = AlertRule.objects.filter(is_active=True).order_by("id").first()
    moment = datetime(since.year, since.month, since.day, 9, tzinfo=SHANGHAI)
    return Alert.objects.create(project=project, rule=rule, dimension=rule.dimension, level=level, value=10, reason=reason,
                                first_seen=moment, last_seen=moment, level_since=moment)


def make_problem(project, text, *, unit=None, leader=None, level=1, status="handling", deadline=None, raised_by=None):
    return Problem.objects.create(
        project=project, type=ProblemType.objects.get_or_create(name="用地")[0], description=text, raised_by=raised_by,
        raised_on=TODAY - timedelta(days=20), handling_unit=unit, coordinating_leader=leader, level=level,
        deadline=deadline, status=status)


def make_order(project, unit, seq, reply_by, status="issued"):
    return SupervisionOrder.objects.create(year=2026, seq=seq, project=project, unit=unit, content=f"督办事项{seq}",
                                           reply_by=reply_by, issued_on=TODAY - timedelta(days=15), status=status)


def set_reports(period, table: dict):
    for project, (state, amount) in table.items():
        ProgressReport.objects.filter(period=period, project=project).update(
            state=state, amount=None if amount is None else Decimal(amount),
            submitted_at=None if state in (ReportState.PENDING, ReportState.DRAFT) else at(period.year, period.month, 20))


@pytest.fixture
def scene(today, city):
    regions, units, users = city.regions, city.units, city.users
    me = Leader.objects.create(name="王领导", title="副市长", unit=units.city_government, user=users["leader"])
    other = city.contact_leader
    s = SimpleNamespace(city=city, me=me, other=other)
    s.mine_red = make_project("我的红灯项目", regions.lanshan, units.lanshan_government, plan="1000.00", leaders=[me],
                              light=2, reason="投资进度落后序时40个百分点")
    s.mine_green = make_project("我的绿灯项目", regions.luozhuang, units.luozhuang_government, plan="2000.00",
                                leaders=[me])
    s.other_red = make_project("他人红灯项目", regions.lanshan, units.lanshan_government, plan="500.00",
                               leaders=[other], light=2, reason="节点逾期")
    s.other_yellow = make_project("无领导黄灯项目", regions.luozhuang, units.luozhuang_government, plan="800.00",
                                  light=1, reason="未按时填报")
    projects = [s.mine_red, s.mine_green, s.other_red, s.other_yellow]
    ids = [p.pk for p in projects]

    s.october = report_services.period_open(None, year=2026, month=10, project_ids=ids)
    set_reports(s.october, {s.mine_red: (ReportState.APPROVED, "300.00"), s.mine_green: (ReportState.APPROVED, "1000.00"),
                            s.other_red: (ReportState.APPROVED, "100.00"), s.other_yellow: (ReportState.APPROVED, "600.00")})
    ReportPeriod.objects.filter(pk=s.october.pk).update(status="closed")
    s.november = report_services.period_open(None, year=2026, month=11, project_ids=ids)
    set_reports(s.november, {s.mine_red: (ReportState.SUBMITTED, "50.00"), s.mine_green: (ReportState.RETURNED, "80.00"),
                             s.other_red: (ReportState.PENDING, None), s.other_yellow: (ReportState.DRAFT, "10.00")})
    report_services.refresh_cumulative(ids, 2026)

    make_alert(s.mine_red, 2, date(2026, 11, 5), "投资进度落后序时40个百分点")
    make_alert(s.other_red, 2, date(2026, 10, 10), "节点逾期")
    make_alert(s.other_yellow, 1, date(2026, 11, 3), "未按时填报")

    later = TODAY + timedelta(days=10)
    s.p_mine = make_problem(s.mine_red, "征地拆迁未完成（提请王领导）", unit=units.land, leader=me, level=4, deadline=later,
                            raised_by=users["reporter_a"])
    s.p_other = make_problem(s.other_red, "管线迁改受阻（提请王建国）", unit=units.land, leader=other, level=4,
                             deadline=later)
    s.p_committee = make_problem(s.other_yellow, "资金缺口（推进委员会）", unit=units.luozhuang_government, leader=other,
                                 level=5, deadline=later)
    s.p_overdue = make_problem(s.other_yellow, "施工许可未办（已逾期）", unit=units.luozhuang_government,
                               deadline=date(2026, 11, 10))
    s.p_resolved = make_problem(s.mine_green, "用电接入（待销号）", unit=units.land, status="resolved", deadline=later)
    s.p_new = make_problem(s.other_red, "新提出问题（待交办）", status="pending")

    s.o_mine = make_order(s.mine_red, units.land, 1, date(2026, 11, 15))
    s.o_other = make_order(s.other_red, units.lanshan_government, 2, date(2026, 11, 30))

    Milestone.objects.create(project=s.mine_red, name="主体封顶", sort=10, planned_date=date(2026, 10, 1))
    Milestone.objects.create(project=s.mine_red, name="竣工验收", sort=20, planned_date=date(2026, 11, 24))
    Milestone.objects.create(project=s.other_red, name="桩基完成", sort=10, planned_date=date(2026, 9, 1))
    return s
