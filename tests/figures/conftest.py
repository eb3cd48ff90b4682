"""A small city built by hand for the figures (统计分析), every figure worked out next to it.

On 2026-11-20 (Shanghai) the figures are asked for 2026-10 (as of 2026-10-31: 序时 10/12 for a plain
plan). Reports count when approved (the default rule). 2025-10 is last year's comparable period.

  project           region   level  stage  total      plan 2026  reports 2026 (Sep / Oct / Nov)            plan dates
  P1 兰山快速路      兰山区    市重点  续建   10,000.00  1,000.00   A 400.00 / A 572.00 (on time, 开工)      even
  P2 兰山产业园      兰山区    省重点  新开工  6,000.00    600.00   A 10.00 / A 50.00 late (复工)            own monthly plan
  P3 罗庄河道        罗庄区    市重点  续建   20,000.00  2,000.00   A 300.00 / S 200.00 (on time) / A 999.00 even
  P4 罗庄学校        罗庄区    县重点  前期    1,500.50    100.00   D 5.00 / pending                          from June
  P5 市体育中心      临沂市    省重点  新开工 30,000.00  3,000.00   A 1,000.00 / R 500.00                     from March
  P6 兰山污水厂      兰山区    市重点  竣工      800.25    500.00   (does not report)                         until August
  P7 罗庄申报项目    罗庄区    (申报中: not admitted, never counted)          800.00
  P8 兰山旧项目      兰山区    续建, a 2025 plan only (not in 2026's figures; in last year's)
  P9 兰山已归档      兰山区    archived, plan 900.00 (never counted)
  P1 and P5 are in the first programme (专项行动), P5 also in the second; both have the 联系领导 王建国.
  2025-10: P1 approved 700.00, P8 approved 500.00 (last year's plans: P1 800.00, P6 1,000.00, P8 400.00).
"""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tuijin.problems.choices import ProblemStatus
from tuijin.problems.models import Problem, ProblemType
from tuijin.projects.models import AnnualPlan, Level, Program, Project, Stage
from tuijin.reports import services as report_services
from tuijin.reports.choices import ReportState, WorkStatus
from tuijin.reports.models import ProgressReport, ReportPeriod
from tuijin.schedules.choices import ApprovalStatus, NodeMark
from tuijin.schedules.models import Approval, ApprovalType, Milestone

from .. import factories as f
from ..clock import at

D = Decimal
A, S, R, DR, P = (ReportState.APPROVED, ReportState.SUBMITTED, ReportState.RETURNED, ReportState.DRAFT,
                  ReportState.PENDING)
P2_MONTHLY = ["0.00"] * 8 + ["100.00", "300.00", "450.00", "600.00"]


@pytest.fixture
def today(time_machine):
    time_machine.move_to(at(2026, 11, 20))
    return date(2026, 11, 20)


def _project(city, name, region, *, level="市重点", stage="续建", total, lead=None, **extra):
    return f.ProjectFactory(name=name, region=region, level=f.dictionary(Level, level), stage=f.dictionary(Stage, stage),
                            total_investment=D(total), lead_unit=lead, start_year=2024, end_year=2028,
                            year_listed=2025, **extra)


def _plan(project, year, planned, **extra):
    return AnnualPlan.objects.create(project=project, year=year, planned_investment=D(planned),
                                     completed_before=D("0.00"), **extra)


def _reports(period, table: dict):
    """{project: (state, amount, work status, late)} written directly, as the reports would stand."""
    for project, (state, amount, work, late) in table.items():
        ProgressReport.objects.filter(period=period, project=project).update(
            state=state, amount=None if amount is None else D(amount), work_status=work, is_late=late,
            submitted_at=None if state in (P, DR) else at(period.year, period.month, 20))


@pytest.fixture
def town(today, city):
    regions, units = city.regions, city.units
    city_region = regions.city
    lanshan, luozhuang = regions.lanshan, regions.luozhuang
    p = SimpleNamespace()
    first, second = list(Program.objects.order_by("sort", "id")[:2])
    p.p1 = _project(city, "兰山快速路", lanshan, total="10000.00", lead=units.lanshan_government,
                    planned_start=date(2024, 5, 1), actual_start=date(2024, 5, 10), planned_completion=date(2026, 10, 15),
                    responsible_units=[units.transport], leaders=[city.contact_leader], programs=[first])
    p.p2 = _project(city, "兰山产业园", lanshan, level="省重点", stage="新开工", total="6000.00",
                    lead=units.development, planned_start=date(2026, 12, 1), actual_start=date(2026, 10, 10))
    p.p3 = _project(city, "罗庄河道", luozhuang, total="20000.00", lead=units.luozhuang_government,
                    planned_start=date(2026, 9, 1), actual_start=date(2026, 11, 2), planned_completion=date(2027, 6, 30),
                    responsible_units=[units.transport])
    p.p4 = _project(city, "罗庄学校", luozhuang, level="县（区）重点", stage="前期", total="1500.50",
                    lead=units.luozhuang_government, planned_start=date(2026, 6, 1))
    p.p5 = _project(city, "市体育中心", city_region, level="省重点", stage="新开工", total="30000.00",
                    lead=units.development, planned_start=date(2026, 3, 1), actual_start=date(2026, 2, 20),
                    leaders=[city.contact_leader], programs=[first, second])
    p.p6 = _project(city, "兰山污水厂", lanshan, stage="竣工", total="800.25", lead=units.lanshan_government,
                    planned_start=date(2025, 1, 10), actual_start=date(2025, 1, 15),
                    planned_completion=date(2026, 8, 31), actual_completion=date(2026, 9, 15))
    p.p7 = _project(city, "罗庄申报项目", luozhuang, total="9000.00", lead=units.luozhuang_government)
    Project.objects.filter(pk=p.p7.pk).update(admission="pending")
    p.p8 = _project(city, "兰山旧项目", lanshan, total="5000.00", lead=units.lanshan_government)
    p.p9 = _project(city, "兰山已归档", lanshan, total="7000.00", lead=units.lanshan_government)
    Project.objects.filter(pk=p.p9.pk).update(is_archived=True)

    _plan(p.p1, 2026, "1000.00")
    _plan(p.p2, 2026, "600.00", monthly_plan=P2_MONTHLY)
    _plan(p.p3, 2026, "2000.00")
    _plan(p.p4, 2026, "100.00", planned_start=date(2026, 6, 1))
    _plan(p.p5, 2026, "3000.00", planned_start=date(2026, 3, 1))
    _plan(p.p6, 2026, "500.00", planned_completion=date(2026, 8, 31))
    _plan(p.p7, 2026, "800.00")
    _plan(p.p9, 2026, "900.00")
    _plan(p.p1, 2025, "800.00")
    _plan(p.p6, 2025, "1000.00")
    _plan(p.p8, 2025, "400.00")

    reporting = [p.p1, p.p2, p.p3, p.p4, p.p5, p.p8]
    ids = [x.pk for x in reporting]
    last = report_services.period_open(None, year=2025, month=10, project_ids=ids)
    sep = report_services.period_open(None, year=2026, month=9, project_ids=ids)
    oct_ = report_services.period_open(None, year=2026, month=10, project_ids=ids)
    nov = report_services.period_open(None, year=2026, month=11, project_ids=ids)
    _reports(last, {p.p1: (A, "700.00", "", False), p.p8: (A, "500.00", "", False)})
    _reports(sep, {p.p1: (A, "400.00", WorkStatus.STARTED, False), p.p2: (A, "10.00", "", False),
                   p.p3: (A, "300.00", "", False), p.p4: (DR, "5.00", "", False), p.p5: (A, "1000.00", "", False),
                   p.p8: (A, "77.00", "", False)})
    _reports(oct_, {p.p1: (A, "572.00", WorkStatus.STARTED, False), p.p2: (A, "50.00", WorkStatus.RESUMED, True),
                    p.p3: (S, "200.00", WorkStatus.STARTED, False), p.p5: (R, "500.00", WorkStatus.STARTED, False),
                    p.p8: (A, "88.00", WorkStatus.STARTED, False)})
    _reports(nov, {p.p3: (A, "999.00", WorkStatus.STARTED, False)})
    report_services.refresh_cumulative(ids, 2025)
    for period in (last, sep, oct_):
        ReportPeriod.objects.filter(pk=period.pk).update(status="closed")

    Milestone.objects.create(project=p.p1, name="桩基完成", sort=10, planned_date=date(2026, 3, 31),
                             actual_date=date(2026, 3, 30))
    Milestone.objects.create(project=p.p1, name="主体封顶", sort=20, planned_date=date(2026, 6, 30),
                             actual_date=date(2026, 7, 5))
    Milestone.objects.create(project=p.p1, name="路面铺装", sort=30, planned_date=date(2026, 9, 30))
    Milestone.objects.create(project=p.p1, name="竣工验收", sort=40, planned_date=date(2026, 12, 31))
    Milestone.objects.create(project=p.p5, name="开工", sort=10, planned_date=date(2026, 3, 1), marks=NodeMark.START)
    Milestone.objects.create(project=p.p3, name="去年节点", sort=10, planned_date=date(2025, 12, 1),
                             actual_date=date(2025, 11, 1))

    kinds = list(ApprovalType.objects.order_by("sort", "id")[:4])
    Approval.objects.create(project=p.p4, type=kinds[0], status=ApprovalStatus.DONE, done_date=date(2026, 3, 1))
    Approval.objects.create(project=p.p4, type=kinds[1], status=ApprovalStatus.DONE, done_date=date(2026, 10, 31))
    Approval.objects.create(project=p.p4, type=kinds[2], status=ApprovalStatus.IN_PROGRESS)
    Approval.objects.create(project=p.p4, type=kinds[3], required=False, status=ApprovalStatus.NOT_NEEDED)
    Approval.objects.create(project=p.p2, type=kinds[0], status=ApprovalStatus.DONE, done_date=date(2026, 11, 5))

    kind = ProblemType.objects.order_by("sort", "id").first()

    def problem(project, raised, status, closed=None, days=None):
        Problem.objects.create(project=project, type=kind, description=f"{project.name}的问题", raised_on=raised,
                               status=status, closed_on=closed, days_to_close=days)

    problem(p.p1, date(2026, 2, 1), ProblemStatus.CLOSED, date(2026, 3, 3), 30)
    problem(p.p1, date(2026, 4, 10), ProblemStatus.CLOSED, date(2026, 4, 20), 10)
    problem(p.p3, date(2026, 5, 1), ProblemStatus.CLOSED, date(2026, 11, 5), 188)
    problem(p.p4, date(2026, 7, 1), ProblemStatus.PENDING)
    problem(p.p5, date(2025, 12, 1), ProblemStatus.CLOSED, date(2025, 12, 11), 10)
    problem(p.p7, date(2026, 7, 1), ProblemStatus.PENDING)
    return SimpleNamespace(p=p, city=city, periods=SimpleNamespace(last=last, sep=sep, oct=oct_, nov=nov))
