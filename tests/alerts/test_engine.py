"""The warning engine end to end: small data per dimension, `services.refresh(...)` on an explicit day,
and the Alert rows, lights and reasons it leaves; presets and rule edits.

Dates are fixed (TODAY = 2026-07-10, a Friday) so nothing depends on when the suite runs. Expected
values are worked out by hand next to each literal. Report periods are opened with the reports
service (as tests/reports/test_services.py does) and the reports' states and 本年累计 then set
directly, as the monthly dispatch would have left them.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuijin.alerts import engine, services
from tuijin.alerts.choices import Dimension, Method, Preset
from tuijin.alerts.models import Alert, AlertRule
from tuijin.core.exceptions import ConflictError
from tuijin.projects.choices import Light
from tuijin.projects.models import AnnualPlan, Level, Project, Stage
from tuijin.reports import services as report_services
from tuijin.reports.choices import ReportState
from tuijin.reports.events import ReportChanged
from tuijin.reports.models import ProgressReport, ReportPeriod
from tuijin.schedules import services as schedule_services
from tuijin.schedules.choices import ApprovalStatus
from tuijin.schedules.models import Approval, ApprovalType, Milestone

from .. import factories as f
from ..clock import NEW_YEAR, YEAR_END, at

D = Decimal
TODAY = date(2026, 7, 10)
G, Y, R = Light.GREEN, Light.YELLOW, Light.RED


# ------------------------------------------------------------------------------------------ helpers


@pytest.fixture
def dispatcher(users):
    return users["dispatcher"]


def make_project(city, name: str, stage: str = "续建", **fields) -> Project:
    return f.ProjectFactory(name=name, region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
                            stage=f.dictionary(Stage, stage), **fields)


def refresh(*projects, today: date = TODAY, dimensions=None):
    return services.refresh([p.pk for p in projects], today=today, dimensions=dimensions)


def alerts(project) -> list[tuple]:
    """The project's active alerts as (dimension, level, value, reason)."""
    return list(Alert.objects.active().filter(project=project).order_by("rule__sort", "rule_id")
                .values_list("dimension", "level", "value", "reason"))


def light(project) -> tuple[int, str]:
    project.refresh_from_db()
    return project.light, project.light_reason


def standard(dimension) -> AlertRule:
    return AlertRule.objects.get(preset=Preset.STANDARD, dimension=dimension)


def active_rules() -> set[tuple[str, str]]:
    return set(AlertRule.objects.filter(is_active=True).values_list("preset", "dimension"))


def node(project, name: str, planned: date | None, actual: date | None = None, sort: int = 10) -> Milestone:
    return Milestone.objects.create(project=project, name=name, planned_date=planned, actual_date=actual, sort=sort)


# ================================================================================== start overdue


@pytest.mark.parametrize(
    ("planned_start", "expected"),
    [
        # whole calendar months elapsed from the planned date to today (2026-07-10)
        (date(2026, 7, 1), None),                                        # this month: 0, not judged yet
        (date(2026, 6, 30), None),                                       # 10 days: not a whole month
        (date(2026, 6, 11), None),                                       # a day short of a month
        (date(2026, 6, 10), (Y, D(1), "计划开工日期2026-06-10，已滞后1个月未开工（无实际开工记录）")),   # a whole month
        (date(2026, 5, 1), (Y, D(2), "计划开工日期2026-05-01，已滞后2个月未开工（无实际开工记录）")),
        (date(2026, 4, 11), (Y, D(2), "计划开工日期2026-04-11，已滞后2个月未开工（无实际开工记录）")),  # 90 days: not 3
        (date(2026, 4, 10), (R, D(3), "计划开工日期2026-04-10，已滞后3个月未开工（无实际开工记录）")),   # 连续3个月
        (date(2025, 12, 15), (R, D(6), "计划开工日期2025-12-15，已滞后6个月未开工（无实际开工记录）")),  # across the year end
        (date(2026, 7, 10), None),                                       # today is not "past"
        (date(2026, 9, 1), None),
    ],
)
def test_start_overdue_by_months(city, planned_start, expected):
    project = make_project(city, "未开工项目", "前期", planned_start=planned_start)
    refresh(project)
    if expected is None:
        assert alerts(project) == []
        assert light(project) == (G, "")
    else:
        level, value, reason = expected
        assert alerts(project) == [(Dimension.START_OVERDUE, level, value, reason)]
        assert light(project) == (level, reason)


def test_start_overdue_by_days(city):
    rule = standard(Dimension.START_OVERDUE)
    AlertRule.objects.filter(pk=rule.pk).update(method=Method.DAYS_OVERDUE, yellow=D(1), red=D(90))
    # 2026-04-01 → 07-10: 30 (Apr) + 31 (May) + 30 (Jun) + 9 = 100 days ≥ 90
    late = make_project(city, "晚100天", "新开工", planned_start=date(2026, 4, 1))
    # 2026-05-01 → 07-10: 31 + 30 + 9 = 70 days
    later = make_project(city, "晚70天", "谋划", planned_start=date(2026, 5, 1))
    # yesterday: 1 day, yellow although the months reading would say 0
    yesterday = make_project(city, "晚1天", "前期", planned_start=date(2026, 7, 9))
    refresh(late, later, yesterday)
    assert alerts(late) == [(Dimension.START_OVERDUE, R, D(100), "计划开工日期2026-04-01，已逾期100天未开工（无实际开工记录）")]
    assert alerts(later) == [(Dimension.START_OVERDUE, Y, D(70), "计划开工日期2026-05-01，已逾期70天未开工（无实际开工记录）")]
    assert alerts(yesterday) == [(Dimension.START_OVERDUE, Y, D(1), "计划开工日期2026-07-09，已逾期1天未开工（无实际开工记录）")]
    # In English one day is a day (ngettext with one Chinese msgid for both forms).
    from django.utils import translation

    with translation.override("en"):
        refresh(late, yesterday)
    assert alerts(yesterday)[0][3] == "Planned start 2026-07-09, 1 day overdue without a start (no actual start recorded)"
    assert alerts(late)[0][3] == "Planned start 2026-04-01, 100 days overdue without a start (no actual start recorded)"


def test_started_or_building_projects_are_not_start_overdue(city):
    started = make_project(city, "已开工", "前期", planned_start=date(2026, 1, 1), actual_start=date(2026, 6, 1))
    building = make_project(city, "续建项目", "续建", planned_start=date(2026, 1, 1))
    unplanned = make_project(city, "未定开工", "前期", planned_start=None)
    refresh(started, building, unplanned)
    assert alerts(started) == alerts(building) == alerts(unplanned) == []


# ================================================================================== investment lag


@pytest.fixture
def half_year(city, dispatcher):
    """A 续建 project planning 1,200 万元 for 2026, its May (due 06-05) and June (due 07-05) reports.
    On TODAY the June period is the one judged: 序时 = 6/12 = 50.0 %, the plan due 600 万元."""
    project = make_project(city, "投资项目")
    AnnualPlan.objects.create(project=project, year=2026, planned_investment=D("1200.00"))
    for month, due in ((5, date(2026, 6, 5)), (6, date(2026, 7, 5))):
        report_services.period_open(dispatcher, year=2026, month=month, due_on=due, project_ids=[project.pk])
    return project


def hand_in(project, month: int, year_to_date: str, state=ReportState.APPROVED, late: bool = False):
    """The month's report in `state` with 本年累计 `year_to_date`: its amount is what the earlier months'
    amounts leave (the investment measure sums the counted amounts, as the ledger does; by default only
    approved reports count, settings.TUIJIN_COUNTED_REPORTS)."""
    earlier = sum(ProgressReport.objects.filter(project=project, period__year=2026, period__month__lt=month,
                                                amount__isnull=False).values_list("amount", flat=True), D("0.00"))
    assert ProgressReport.objects.filter(project=project, period__year=2026, period__month=month).update(
        state=state, year_to_date=D(year_to_date), amount=D(year_to_date) - earlier, is_late=late) == 1
    report_services.refresh_cumulative([project.pk], 2026)  # the stored counted figures, as the services keep them


@pytest.mark.parametrize(
    ("year_to_date", "expected"),
    [
        # points = 序时 50.0 − round1(本年累计 ÷ 1,200)
        ("720.00", None),                                                                  # 60.0 %: ahead
        ("600.00", None),                                                                  # 50.0 %: on 序时
        ("482.40", None),                                                                  # 40.2 %: 9.8 points
        ("480.00", (Y, "10.0", "截至2026年6月底完成年度计划40.0%，低于序时进度10.0个百分点（据2026年6月已审核填报，本年累计480.00万元；年度计划1,200.00万元）")),      # 40.0 %: 10.0 (含)
        ("240.00", (Y, "30.0", "截至2026年6月底完成年度计划20.0%，低于序时进度30.0个百分点（据2026年6月已审核填报，本年累计240.00万元；年度计划1,200.00万元）")),      # 20.0 %: 30.0 (含)
        ("238.80", (R, "30.1", "截至2026年6月底完成年度计划19.9%，低于序时进度30.1个百分点（据2026年6月已审核填报，本年累计238.80万元；年度计划1,200.00万元）")),      # 19.9 %: 超过30
        ("0.00", (R, "50.0", "截至2026年6月底完成年度计划0.0%，低于序时进度50.0个百分点（据2026年6月已审核填报，本年累计0.00万元；年度计划1,200.00万元）")),
    ],
)
def test_investment_points_behind_schedule(half_year, year_to_date, expected):
    hand_in(half_year, 5, "0.00")
    hand_in(half_year, 6, year_to_date)
    refresh(half_year)
    if expected is None:
        assert alerts(half_year) == []
    else:
        level, value, reason = expected
        assert alerts(half_year) == [(Dimension.INVESTMENT_LAG, level, D(value), reason)]
        assert light(half_year) == (level, reason)


@pytest.mark.parametrize(
    ("year_to_date", "expected"),
    [
        # ratio = 本年累计 ÷ (1,200 × 6/12 = 600)
        ("600.00", None),                                                                        # 100.0 %
        ("480.00", None),                                                                        # 80.0 %: not below 80
        ("479.40", (Y, "79.9", "截至2026年6月底完成投资479.40万元，为序时计划的79.9%（序时进度50.0%；据2026年6月已审核填报，本年累计479.40万元；年度计划1,200.00万元）")),
        ("360.00", (Y, "60.0", "截至2026年6月底完成投资360.00万元，为序时计划的60.0%（序时进度50.0%；据2026年6月已审核填报，本年累计360.00万元；年度计划1,200.00万元）")),
        ("359.40", (R, "59.9", "截至2026年6月底完成投资359.40万元，为序时计划的59.9%（序时进度50.0%；据2026年6月已审核填报，本年累计359.40万元；年度计划1,200.00万元）")),
        ("1500.00", None),
    ],
)
def test_investment_ratio_of_plan_wuhan(half_year, dispatcher, year_to_date, expected):
    services.apply_preset(dispatcher, Preset.WUHAN)
    hand_in(half_year, 5, "0.00")
    hand_in(half_year, 6, year_to_date)
    refresh(half_year)
    if expected is None:
        assert alerts(half_year) == []
    else:
        level, value, reason = expected
        assert alerts(half_year) == [(Dimension.INVESTMENT_LAG, level, D(value), reason)]


@pytest.mark.parametrize(
    ("year_to_date", "expected"),
    [
        ("600.00", None),            # 100.0 % of 序时
        ("599.40", (Y, "99.9")),     # below 序时
        ("300.00", (Y, "50.0")),     # exactly half: not "more than 50 % below"
        ("299.40", (R, "49.9")),
    ],
)
def test_investment_ratio_of_plan_sanya(half_year, dispatcher, year_to_date, expected):
    services.apply_preset(dispatcher, Preset.SANYA)
    hand_in(half_year, 5, "0.00")
    hand_in(half_year, 6, year_to_date)
    refresh(half_year)
    assert [(a[1], a[2]) for a in alerts(half_year)] == ([] if expected is None else [(expected[0], D(expected[1]))])


@pytest.mark.parametrize(("planned", "judged"), [("999.99", False), ("1000.00", True), ("1200.00", True)])
def test_sanya_judges_only_annual_plans_of_ten_million(half_year, dispatcher, planned, judged):
    services.apply_preset(dispatcher, Preset.SANYA)
    AnnualPlan.objects.filter(project=half_year).update(planned_investment=D(planned))
    hand_in(half_year, 6, "0.00")
    refresh(half_year)
    assert [a[:3] for a in alerts(half_year)] == ([(Dimension.INVESTMENT_LAG, R, D("0.0"))] if judged else [])


def test_the_last_handed_in_report_counts(half_year):
    # June not handed in (returned, with a figure the office sent back); May submitted with 400:
    # 400 ÷ 1,200 = 33.3 %, 50.0 − 33.3 = 16.7 points.
    hand_in(half_year, 5, "400.00", state=ReportState.APPROVED)
    hand_in(half_year, 6, "700.00", state=ReportState.RETURNED)
    refresh(half_year, dimensions=[Dimension.INVESTMENT_LAG])
    assert alerts(half_year) == [(Dimension.INVESTMENT_LAG, Y, D("16.7"),
                                  "截至2026年6月底完成年度计划33.3%，低于序时进度16.7个百分点（据2026年5月已审核填报，本年累计400.00万元，6月无已审核填报；年度计划1,200.00万元）")]


@pytest.mark.parametrize("stage", ["竣工", "投产", "谋划"])
def test_only_projects_that_report_are_judged_on_investment(half_year, stage):
    # A completed or operating project (or one still in 谋划) has no monthly reports to judge: its
    # plan for the year is not "0 % done".
    Project.objects.filter(pk=half_year.pk).update(stage=Stage.objects.get(name=stage))
    refresh(half_year, dimensions=[Dimension.INVESTMENT_LAG])
    assert alerts(half_year) == []


@pytest.mark.parametrize("state", [ReportState.PENDING, ReportState.DRAFT, ReportState.RETURNED])
def test_reports_not_handed_in_count_nothing(half_year, state):
    hand_in(half_year, 5, "600.00", state=state)
    hand_in(half_year, 6, "600.00", state=state)
    refresh(half_year, dimensions=[Dimension.INVESTMENT_LAG])
    assert alerts(half_year) == [(Dimension.INVESTMENT_LAG, R, D("50.0"),
                                  "截至2026年6月底完成年度计划0.0%，低于序时进度50.0个百分点（2026年1—6月无已审核填报，按0计；年度计划1,200.00万元）")]


def test_a_period_not_yet_due_is_not_judged(half_year):
    # On 07-04 June (due 07-05) is not due: May is judged, 序时 5/12 = 41.7 %.
    hand_in(half_year, 5, "0.00")
    hand_in(half_year, 6, "600.00")
    refresh(half_year, today=date(2026, 7, 4), dimensions=[Dimension.INVESTMENT_LAG])
    assert alerts(half_year) == [(Dimension.INVESTMENT_LAG, R, D("41.7"),
                                  "截至2026年5月底完成年度计划0.0%，低于序时进度41.7个百分点（据2026年5月已审核填报，本年累计0.00万元；年度计划1,200.00万元）")]
    assert Alert.objects.get(project=half_year).subject.startswith("period:")


def test_which_periods_reports_can_move_a_reporting_warning(half_year):
    may, june = ReportPeriod.objects.filter(year=2026, month__in=(5, 6)).order_by("month")
    assert engine.judges_period(june.pk, TODAY) and engine.judges_period(may.pk, TODAY)   # both due on 07-10
    # On 07-04 June (due 07-05) is not due and ends after May, the period judged: its reports move nothing.
    assert not engine.judges_period(june.pk, date(2026, 7, 4))
    assert engine.judges_period(may.pk, date(2026, 7, 4))
    # A May whose due date was put off still ends before the judged period (June, on 07-10): its amounts count.
    ReportPeriod.objects.filter(pk=may.pk).update(due_on=date(2026, 8, 1))
    assert engine.judges_period(may.pk, TODAY)
    assert not engine.judges_period(may.pk, date(2026, 6, 1))      # nothing is due yet on 06-01
    assert engine.judges_period(999999, TODAY)                     # unknown: refresh, as before


@pytest.mark.parametrize("on_day", [(2026, 7, 10), YEAR_END, NEW_YEAR], indirect=True)
def test_a_hand_in_of_a_period_not_due_yet_reads_no_warning_rules(on_day, city, dispatcher):
    """At the deadline most hand-ins are of the open month, not due yet: the subscriber skips the refresh
    (no query on the rules or alerts in the clerk's request); a due month's hand-in still refreshes."""
    from tuijin.alerts import subscribers

    project = make_project(city, "投资项目")
    later = on_day + timedelta(days=62)
    ahead = report_services.period_open(dispatcher, year=later.year, month=later.month, due_on=later,
                                        project_ids=[project.pk])
    before = on_day - timedelta(days=62)
    due = report_services.period_open(dispatcher, year=before.year, month=before.month, due_on=before,
                                      project_ids=[project.pk])
    with CaptureQueriesContext(connection) as ahead_queries:
        subscribers.on_reports(ReportChanged(project_ids=(project.pk,), period_id=ahead.pk, user=None))
    assert not [q for q in ahead_queries.captured_queries if "alerts_" in q["sql"]]
    with CaptureQueriesContext(connection) as due_queries:
        subscribers.on_reports(ReportChanged(project_ids=(project.pk,), period_id=due.pk, user=None))
    assert [q for q in due_queries.captured_queries if "alerts_alertrule" in q["sql"]]


def test_no_period_due_means_no_investment_judgement(half_year):
    refresh(half_year, today=date(2026, 6, 5))  # May is due on 06-05: not yet past
    assert alerts(half_year) == []


def test_in_january_last_december_is_judged_against_last_years_plan(city, dispatcher):
    # December 2026 (due 2027-01-05) is the latest period due on 2027-01-20: 序时 100 %, 900 of 1,200
    # handed in = 75.0 % → 25.0 points behind, yellow; the 2027 plan plays no part yet.
    project = make_project(city, "跨年项目")
    AnnualPlan.objects.create(project=project, year=2026, planned_investment=D("1200.00"))
    AnnualPlan.objects.create(project=project, year=2027, planned_investment=D("5000.00"))
    report_services.period_open(dispatcher, year=2026, month=12, due_on=date(2027, 1, 5), project_ids=[project.pk])
    assert ProgressReport.objects.filter(project=project).update(state=ReportState.APPROVED, year_to_date=D("900.00"),
                                                                         amount=D("900.00")) == 1
    report_services.refresh_cumulative([project.pk], 2026)
    refresh(project, today=date(2027, 1, 20), dimensions=[Dimension.INVESTMENT_LAG])
    assert alerts(project) == [(Dimension.INVESTMENT_LAG, Y, D("25.0"), "截至2026年12月底完成年度计划75.0%，低于序时进度25.0个百分点（据2026年12月已审核填报，本年累计900.00万元；年度计划1,200.00万元）")]


def test_the_projects_own_monthly_plan_is_its_schedule(half_year):
    # cumulative plan: June 400 of 1,200 → 序时 33.3 %; 200 done = 16.7 % → 16.6 points (even spread: 33.3)
    AnnualPlan.objects.filter(project=half_year).update(
        monthly_plan=["0", "0", "100", "200", "300", "400", "500", "600", "800", "1000", "1100", "1200"])
    hand_in(half_year, 6, "200.00")
    refresh(half_year, dimensions=[Dimension.INVESTMENT_LAG])
    assert alerts(half_year) == [(Dimension.INVESTMENT_LAG, Y, D("16.6"),
                                  "截至2026年6月底完成年度计划16.7%，低于序时进度16.6个百分点（据2026年6月已审核填报，本年累计200.00万元；年度计划1,200.00万元）")]
    hand_in(half_year, 6, "400.00")  # exactly the plan due
    refresh(half_year, dimensions=[Dimension.INVESTMENT_LAG])
    assert alerts(half_year) == []


def test_a_mid_year_start_in_the_annual_plan_is_its_schedule(half_year):
    """The annual plan's 年内计划开工 2026-04-01 spreads the plan over April–December, as the report
    grid does (tuijin.reports.selectors.bases): June's 序时 = 3/9 = 33.3 %. 100 done = 8.3 % →
    25.0 points behind (yellow). The project's own planned_start is not set."""
    AnnualPlan.objects.filter(project=half_year).update(planned_start=date(2026, 4, 1))
    hand_in(half_year, 6, "100.00")
    refresh(half_year, dimensions=[Dimension.INVESTMENT_LAG])
    assert alerts(half_year) == [(Dimension.INVESTMENT_LAG, Y, D("25.0"),
                                  "截至2026年6月底完成年度计划8.3%，低于序时进度25.0个百分点（据2026年6月已审核填报，本年累计100.00万元；年度计划1,200.00万元）")]


# ===================================================================================== milestones


def test_milestone_overdue_names_the_earliest_and_counts_the_rest(city):
    project = make_project(city, "节点项目")
    node(project, "主体封顶", date(2026, 7, 1), sort=30)          # 9 days
    node(project, "基础完成", date(2026, 6, 1), sort=20)          # Jun 1 → Jul 10: 39 days, the earliest
    node(project, "开工进场", date(2026, 5, 1), actual=date(2026, 5, 3), sort=10)   # done: not counted
    node(project, "装修完成", date(2026, 7, 9), sort=40)          # 1 day
    node(project, "交付使用", date(2026, 7, 10), sort=50)         # due today: not overdue
    node(project, "未排期", None, sort=60)
    refresh(project)
    first = Milestone.objects.get(name="基础完成")
    assert alerts(project) == [(Dimension.MILESTONE_OVERDUE, R, D(39),
                                "“基础完成”计划2026-06-01，已逾期39天（无实际完成记录）等3个节点逾期")]
    assert Alert.objects.get(project=project).subject == f"milestone:{first.pk}"
    assert light(project) == (R, "“基础完成”计划2026-06-01，已逾期39天（无实际完成记录）等3个节点逾期")


@pytest.mark.parametrize(
    ("planned", "expected"),
    [
        (date(2026, 7, 10), None),
        (date(2026, 7, 9), (Y, 1)),
        (date(2026, 6, 11), (Y, 29)),   # Jun 11 → Jul 10: 19 + 10
        (date(2026, 6, 10), (R, 30)),   # 逾期满30天
        (date(2025, 7, 10), (R, 365)),
    ],
)
def test_milestone_overdue_thresholds(city, planned, expected):
    project = make_project(city, "单节点项目")
    node(project, "主体封顶", planned)
    refresh(project)
    if expected is None:
        assert alerts(project) == []
    else:
        level, days = expected
        assert alerts(project) == [(Dimension.MILESTONE_OVERDUE, level, D(days),
                                    f"“主体封顶”计划{planned}，已逾期{days}天（无实际完成记录）")]


# What happened counts: a node is done when a later one is, or when the project's facts say so.


def started_building(city, **facts) -> Project:
    """A 续建 project whose 开工进场 was planned 2026-03-01 (131 days before TODAY: Mar 31 − 1 = 30,
    + Apr 30 + May 31 + Jun 30 + 10 = 131) and whose later nodes fall after it."""
    project = make_project(city, "已开工项目", **facts)
    Milestone.objects.create(project=project, name="开工进场", planned_date=date(2026, 3, 1), sort=10, marks="start")
    node(project, "基础完成", date(2026, 5, 1), sort=20)
    node(project, "主体封顶", date(2026, 7, 1), sort=30)
    Milestone.objects.create(project=project, name="竣工验收", planned_date=date(2026, 7, 5), sort=40, marks="completion")
    return project


def test_the_start_node_without_an_actual_start_names_the_missing_fact(city):
    project = started_building(city)
    refresh(project)
    assert alerts(project) == [(Dimension.MILESTONE_OVERDUE, R, D(131),
                                "“开工进场”计划2026-03-01，已逾期131天（无实际开工记录）等4个节点逾期")]


def test_an_actual_start_makes_the_start_node_done(city):
    """The issue's case: started 2025-11, later nodes done — no "开工进场 已逾期" red."""
    project = started_building(city, actual_start=date(2025, 11, 3))
    Milestone.objects.filter(project=project, name="基础完成").update(actual_date=date(2026, 5, 20))
    refresh(project)
    # 开工进场 (fact) and 基础完成 (recorded) are done; 主体封顶 is 9 days late, 竣工验收 5 days.
    assert alerts(project) == [(Dimension.MILESTONE_OVERDUE, Y, D(9),
                                "“主体封顶”计划2026-07-01，已逾期9天（无实际完成记录）等2个节点逾期")]


def test_a_later_node_done_makes_the_earlier_ones_done(city):
    project = started_building(city)
    Milestone.objects.filter(project=project, name="主体封顶").update(actual_date=date(2026, 7, 2))
    refresh(project)
    assert alerts(project) == [(Dimension.MILESTONE_OVERDUE, Y, D(5),
                                "“竣工验收”计划2026-07-05，已逾期5天（无实际竣工记录）")]
    Project.objects.filter(pk=project.pk).update(actual_completion=date(2026, 7, 8))
    refresh(project)
    assert alerts(project) == []
    assert light(project) == (G, "")


def test_setting_the_actual_start_through_the_ledger_resolves_the_start_node(city, dispatcher):
    from tuijin.projects import services as project_services

    project = started_building(city)
    Milestone.objects.filter(project=project).exclude(name="开工进场").update(actual_date=None, planned_date=None)
    refresh(project)
    assert light(project)[0] == R
    project.refresh_from_db()
    project.actual_start = date(2026, 3, 5)
    project_services.project_update(dispatcher, project, version=project.version, reason="补录实际开工日期")
    refresh(project)   # what the PROJECT_CHANGED event does after the commit, on TODAY
    assert alerts(project) == []


def test_an_approval_is_not_inferred_from_the_start_but_the_reason_says_it(city):
    # Building before the 施工许可 is what an office must see: still overdue, with the start named.
    project = make_project(city, "未批先建项目", "新开工", actual_start=date(2026, 6, 1))
    approval(project, "施工许可", date(2026, 6, 10))
    refresh(project)
    assert alerts(project) == [(Dimension.APPROVAL_OVERDUE, R, D(30),
                                "“施工许可证”计划2026-06-10办结，已逾期30天（办理中；项目已于2026-06-01实际开工）")]


@pytest.fixture
def late_node(city):
    """A project whose one node was due 2026-06-01: 39 days overdue on TODAY, red."""
    project = make_project(city, "逾期节点项目")
    node(project, "基础完成", date(2026, 6, 1))
    refresh(project)
    return project


def test_a_second_full_refresh_with_nothing_changed_only_confirms(late_node):
    before = Alert.objects.get(project=late_node)
    result = services.refresh(None, today=TODAY)
    after = Alert.objects.get(project=late_node)
    assert (result.created, result.changed, result.resolved, result.lights_changed) == (0, 0, 0, 0)
    assert Alert.objects.filter(project=late_node).count() == 1
    assert (after.pk, after.first_seen, after.level_since, after.reason) == (
        before.pk, before.first_seen, before.level_since, before.reason)
    assert after.last_seen > before.last_seen


def test_a_refresh_after_a_save_that_changes_nothing_writes_nothing(late_node):
    # What the events trigger after every save: reads only, so no write transaction (SQLite's lock).
    before = Alert.objects.get(project=late_node)
    with CaptureQueriesContext(connection) as queries:
        result = refresh(late_node)
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN"))]
    assert writes == []
    assert result.projects == 1 and (result.created, result.changed, result.resolved) == (0, 0, 0)
    assert Alert.objects.get(project=late_node).last_seen == before.last_seen


def test_a_day_later_the_value_changes_and_the_level_keeps_its_start(city):
    project = make_project(city, "临界节点项目")
    node(project, "主体封顶", date(2026, 6, 12))   # 28 days on TODAY: yellow
    refresh(project)
    first = Alert.objects.get(project=project)
    assert (first.level, first.value) == (Y, D(28))
    result = refresh(project, today=date(2026, 7, 11))   # 29 days: still yellow
    second = Alert.objects.get(project=project)
    assert (result.created, result.changed) == (0, 1)
    assert (second.pk, second.level, second.value, second.level_since) == (first.pk, Y, D(29), first.level_since)
    refresh(project, today=date(2026, 7, 12))   # 30 days: red
    third = Alert.objects.get(project=project)
    assert (third.pk, third.level, third.value, third.first_seen) == (first.pk, R, D(30), first.first_seen)
    assert third.level_since > first.level_since
    assert light(project) == (R, "“主体封顶”计划2026-06-12，已逾期30天（无实际完成记录）")


def test_recording_the_actual_date_resolves_the_alert(late_node, dispatcher):
    alert = Alert.objects.get(project=late_node)
    milestone = Milestone.objects.get(project=late_node)
    schedule_services.milestone_update(dispatcher, milestone, version=milestone.version, actual_date=date(2026, 7, 8))
    result = refresh(late_node)
    alert.refresh_from_db()
    assert result.resolved == 1 and result.lights_changed == 1
    assert alert.resolved_at is not None
    assert alerts(late_node) == []
    assert light(late_node) == (G, "")
    # it stays as the record; a new lateness would be a new alert
    assert Alert.objects.filter(project=late_node).count() == 1


@pytest.mark.parametrize("change", ["paused", "archived", "paused_stage", "cancelled_stage"])
def test_paused_and_archived_projects_get_no_alerts(city, late_node, change):
    fresh = make_project(city, "新逾期项目")
    node(fresh, "基础完成", date(2026, 6, 1))
    for project in (late_node, fresh):
        if change == "paused":
            project.is_paused = True
        elif change == "archived":
            project.is_archived = True
        else:
            project.stage = f.dictionary(Stage, "暂停" if change == "paused_stage" else "取消")
        project.save()
    result = refresh(late_node, fresh)
    assert alerts(fresh) == []
    assert Alert.objects.filter(project=fresh).count() == 0
    assert alerts(late_node) == []                                   # the old one is resolved
    assert result.resolved == 1
    assert light(late_node) == (G, "")


def test_refresh_only_touches_the_projects_asked_for(city, late_node):
    other = make_project(city, "另一个项目")
    node(other, "基础完成", date(2026, 6, 1))
    refresh(late_node)
    assert alerts(other) == []
    assert alerts(late_node) != []


# ====================================================================================== approvals


def approval(project, type_name: str, target: date | None, *, status=ApprovalStatus.IN_PROGRESS, required=True):
    kind = ApprovalType.objects.get(short_name=type_name)
    return Approval.objects.create(project=project, type=kind, status=status, required=required, target_date=target)


def test_approval_overdue(city):
    project = make_project(city, "手续项目", "前期")
    approval(project, "环评", date(2026, 6, 10))                                     # 30 days: the earliest
    approval(project, "能评", date(2026, 7, 1), status=ApprovalStatus.NOT_STARTED)   # 9 days
    approval(project, "可研", date(2026, 5, 1), status=ApprovalStatus.DONE)           # done: not counted
    approval(project, "水保", date(2026, 5, 1), status=ApprovalStatus.NOT_NEEDED, required=False)
    approval(project, "立项", None)                                                   # no target date
    approval(project, "施工许可", date(2026, 7, 10))                                  # due today
    refresh(project)
    eia = Approval.objects.get(project=project, type__short_name="环评")
    assert alerts(project) == [(Dimension.APPROVAL_OVERDUE, R, D(30),
                                "“环境影响评价”计划2026-06-10办结，已逾期30天（办理中）等2项手续逾期")]
    assert Alert.objects.get(project=project).subject == f"approval:{eia.pk}"


def test_one_approval_a_day_late_is_yellow(city):
    project = make_project(city, "手续项目", "前期")
    approval(project, "能评", date(2026, 7, 9))
    refresh(project)
    assert alerts(project) == [(Dimension.APPROVAL_OVERDUE, Y, D(1), "“节能审查”计划2026-07-09办结，已逾期1天（办理中）")]


# ================================================================================= reports missing


@pytest.fixture
def reporting(city, dispatcher):
    """A project in April, May and June 2026 (due 05-05, 06-05, 07-05): all three due on TODAY, on time."""
    project = make_project(city, "填报项目")
    for month in (4, 5, 6):
        report_services.period_open(dispatcher, year=2026, month=month, due_on=date(2026, month + 1, 5),
                                    project_ids=[project.pk])
    ProgressReport.objects.filter(project=project).update(state=ReportState.APPROVED, is_late=False)
    return project


def report(project, month: int, state=ReportState.SUBMITTED, late: bool = False):
    ProgressReport.objects.filter(project=project, period__month=month).update(state=state, is_late=late)


@pytest.mark.parametrize(
    ("june", "may", "expected"),
    [
        ("on_time", "missing", None),                                              # chain broken at once
        ("missing", "on_time", (Y, 1, "2026年6月未报")),
        ("late", "on_time", (Y, 1, "2026年6月逾期补报")),
        ("missing", "missing", (R, 2, "连续2期未按时填报（2026年6月未报、2026年5月未报）")),
        ("late", "missing", (R, 2, "连续2期未按时填报（2026年6月逾期补报、2026年5月未报）")),
        ("missing", "late", (R, 2, "连续2期未按时填报（2026年6月未报、2026年5月逾期补报）")),
        ("draft", "returned", (R, 2, "连续2期未按时填报（2026年6月未报、2026年5月未报）")),
    ],
)
def test_report_missing(reporting, june, may, expected):
    states = {"on_time": (ReportState.APPROVED, False), "missing": (ReportState.PENDING, False),
              "late": (ReportState.SUBMITTED, True), "draft": (ReportState.DRAFT, False),
              "returned": (ReportState.RETURNED, False)}
    report(reporting, 6, *states[june])
    report(reporting, 5, *states[may])
    refresh(reporting, dimensions=[Dimension.REPORT_MISSING])
    if expected is None:
        assert alerts(reporting) == []
    else:
        level, n, reason = expected
        assert alerts(reporting) == [(Dimension.REPORT_MISSING, level, D(n), reason)]


def test_report_missing_counts_back_as_far_as_the_red_threshold(reporting):
    rule = standard(Dimension.REPORT_MISSING)
    AlertRule.objects.filter(pk=rule.pk).update(red=D(3))
    for month in (4, 5, 6):
        report(reporting, month, ReportState.PENDING)
    refresh(reporting, dimensions=[Dimension.REPORT_MISSING])
    assert alerts(reporting) == [(Dimension.REPORT_MISSING, R, D(3),
                                  "连续3期未按时填报（2026年6月未报、2026年5月未报、2026年4月未报）")]
    report(reporting, 4, ReportState.APPROVED)   # April on time: 2 of red 3 → yellow
    refresh(reporting, dimensions=[Dimension.REPORT_MISSING])
    assert [a[1:3] for a in alerts(reporting)] == [(Y, D(2))]


def test_a_period_not_yet_due_is_not_missing(reporting):
    report(reporting, 6, ReportState.PENDING)
    refresh(reporting, today=date(2026, 7, 5), dimensions=[Dimension.REPORT_MISSING])  # June due 07-05: not past
    assert alerts(reporting) == []


def test_a_project_without_a_report_in_the_latest_period_breaks_the_chain(city, dispatcher, reporting):
    report(reporting, 6, ReportState.PENDING)
    ProgressReport.objects.filter(project=reporting, period__month=6).delete()
    report(reporting, 5, ReportState.PENDING)
    refresh(reporting, dimensions=[Dimension.REPORT_MISSING])
    assert alerts(reporting) == []


# ========================================================================================= lights


def test_the_light_is_the_worst_alert_and_names_its_reasons(city, dispatcher):
    project = make_project(city, "多项预警项目", "前期", planned_start=date(2026, 6, 1))   # 1 month: yellow
    node(project, "基础完成", date(2026, 6, 1))                                            # 39 days: red
    approval(project, "环评", date(2026, 7, 9))                                            # 1 day: yellow
    refresh(project)
    assert [a[:2] for a in alerts(project)] == [
        (Dimension.START_OVERDUE, Y), (Dimension.MILESTONE_OVERDUE, R), (Dimension.APPROVAL_OVERDUE, Y)]
    # red: only the red reasons
    assert light(project) == (R, "“基础完成”计划2026-06-01，已逾期39天（无实际完成记录）")

    approval(project, "能评", date(2026, 6, 1))  # now an approval 39 days overdue too: a second red
    refresh(project)
    assert light(project) == (R, "“基础完成”计划2026-06-01，已逾期39天（无实际完成记录）；"
                                 "“节能审查”计划2026-06-01办结，已逾期39天（办理中）等2项手续逾期")

    Milestone.objects.filter(project=project).update(actual_date=date(2026, 7, 1))
    Approval.objects.filter(project=project).update(status=ApprovalStatus.DONE, done_date=date(2026, 7, 1))
    refresh(project)
    # yellow: the start is still overdue, alone
    assert light(project) == (Y, "计划开工日期2026-06-01，已滞后1个月未开工（无实际开工记录）")


def test_an_unrefreshed_dimension_keeps_its_alerts(city):
    project = make_project(city, "两维预警项目", "前期", planned_start=date(2026, 4, 1))   # 3 months: red
    node(project, "基础完成", date(2026, 7, 1))                                            # 9 days: yellow
    refresh(project)
    Milestone.objects.filter(project=project).update(actual_date=date(2026, 7, 2))
    refresh(project, dimensions=[Dimension.START_OVERDUE])   # milestones not looked at
    assert [a[0] for a in alerts(project)] == [Dimension.START_OVERDUE, Dimension.MILESTONE_OVERDUE]
    refresh(project, dimensions=[Dimension.MILESTONE_OVERDUE])
    assert [a[0] for a in alerts(project)] == [Dimension.START_OVERDUE]
    assert light(project) == (R, "计划开工日期2026-04-01，已滞后3个月未开工（无实际开工记录）")


# ========================================================================================== scope


def test_an_inactive_rule_raises_nothing_and_resolves_its_alerts(late_node):
    AlertRule.objects.filter(dimension=Dimension.MILESTONE_OVERDUE).update(is_active=False)
    result = refresh(late_node)
    assert result.resolved == 1
    assert alerts(late_node) == []
    assert light(late_node) == (G, "")


def test_rule_levels_scope(late_node):
    rule = standard(Dimension.MILESTONE_OVERDUE)
    rule.levels.set([f.dictionary(Level, "省重点")])      # the project is 市重点
    refresh(late_node)
    assert alerts(late_node) == []
    rule.levels.add(f.dictionary(Level, "市重点"))
    refresh(late_node)
    assert [a[0] for a in alerts(late_node)] == [Dimension.MILESTONE_OVERDUE]


def test_rule_categories_scope_includes_subcategories(late_node):
    rule = standard(Dimension.MILESTONE_OVERDUE)
    rule.categories.set([f.category("教育")])             # the project is 市政 / 道路桥梁
    refresh(late_node)
    assert alerts(late_node) == []
    rule.categories.set([f.category("市政")])             # the parent covers 道路桥梁
    refresh(late_node)
    assert [a[0] for a in alerts(late_node)] == [Dimension.MILESTONE_OVERDUE]
    rule.categories.set([f.category("市政", "道路桥梁")])
    refresh(late_node)
    assert [a[0] for a in alerts(late_node)] == [Dimension.MILESTONE_OVERDUE]


def test_min_annual_plan_scope_on_a_custom_rule(half_year):
    AlertRule.objects.create(name="自定义：年计划5000万以上", dimension=Dimension.INVESTMENT_LAG,
                             method=Method.POINTS_BEHIND, yellow=D(5), red=D(20), min_annual_plan=D("5000.00"),
                             preset=Preset.CUSTOM, sort=5)
    hand_in(half_year, 6, "0.00")
    refresh(half_year, dimensions=[Dimension.INVESTMENT_LAG])
    assert [r for (r,) in Alert.objects.active().filter(project=half_year).values_list("rule__name")] == ["投资进度低于序时"]
    AnnualPlan.objects.filter(project=half_year).update(planned_investment=D("5000.00"))
    refresh(half_year, dimensions=[Dimension.INVESTMENT_LAG])
    assert sorted(r for (r,) in Alert.objects.active().filter(project=half_year).values_list("rule__name")) == [
        "投资进度低于序时", "自定义：年计划5000万以上"]


def test_every_dimension_is_registered_and_one_nobody_measures_finds_nothing(late_node):
    # The problems dimension arrives through register() from the alerts app's ready() like the others.
    assert [d for d in Dimension.values if not engine.is_measured(d)] == []
    rule = standard(Dimension.MILESTONE_OVERDUE)
    assert list(engine.measure(rule, Project.objects.all(), TODAY)) == [late_node.pk]
    rule.dimension = "not_registered"
    assert not engine.is_measured(rule.dimension)
    assert engine.measure(rule, Project.objects.all(), TODAY) == {}


# ======================================================================================== presets


STANDARD_ACTIVE = {(Preset.STANDARD, d) for d in Dimension.values}
KEPT = {(Preset.STANDARD, d) for d in (Dimension.MILESTONE_OVERDUE, Dimension.APPROVAL_OVERDUE,
                                       Dimension.REPORT_MISSING, Dimension.PROBLEM_OVERDUE)}


def test_the_standard_preset_is_on_by_default(db):
    assert active_rules() == STANDARD_ACTIVE
    assert services.active_preset() == Preset.STANDARD


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        (Preset.WUHAN, {(Preset.WUHAN, Dimension.INVESTMENT_LAG), (Preset.STANDARD, Dimension.START_OVERDUE)} | KEPT),
        (Preset.SANYA, {(Preset.SANYA, Dimension.INVESTMENT_LAG), (Preset.STANDARD, Dimension.START_OVERDUE)} | KEPT),
        (Preset.YINCHUAN, {(Preset.YINCHUAN, Dimension.INVESTMENT_LAG), (Preset.YINCHUAN, Dimension.START_OVERDUE)} | KEPT),
        (Preset.STANDARD, STANDARD_ACTIVE),
    ],
)
def test_apply_preset_switches_on_exactly_its_rules(dispatcher, preset, expected):
    services.apply_preset(dispatcher, Preset.YINCHUAN if preset != Preset.YINCHUAN else Preset.WUHAN)  # from elsewhere
    services.apply_preset(dispatcher, preset)
    assert active_rules() == expected
    assert services.active_preset() == preset


def test_apply_preset_records_the_switch(dispatcher):
    services.apply_preset(dispatcher, Preset.WUHAN)
    on = AlertRule.objects.get(preset=Preset.WUHAN)
    off = standard(Dimension.INVESTMENT_LAG)
    assert on.history.order_by("-history_id").first().history_change_reason == "启用预设：武汉：完成进度低于时序进度80%黄、60%红"
    assert off.history.order_by("-history_id").first().history_change_reason == "切换预设：武汉：完成进度低于时序进度80%黄、60%红"
    assert on.history.order_by("-history_id").first().history_user_id == dispatcher.pk
    assert (on.is_active, off.is_active) == (True, False)
    assert off.version == 2


def test_custom_rules_survive_a_preset_switch_and_do_not_change_the_preset(dispatcher):
    custom = AlertRule.objects.create(name="自定义节点", dimension=Dimension.MILESTONE_OVERDUE,
                                      method=Method.DAYS_OVERDUE, yellow=D(7), red=D(60), preset=Preset.CUSTOM)
    services.apply_preset(dispatcher, Preset.SANYA)
    custom.refresh_from_db()
    assert custom.is_active
    assert services.active_preset() == Preset.SANYA


def test_an_extra_preset_rule_switched_on_makes_the_set_custom(dispatcher):
    AlertRule.objects.filter(preset=Preset.WUHAN).update(is_active=True)   # both investment readings on
    assert services.active_preset() == Preset.CUSTOM
    services.apply_preset(dispatcher, Preset.STANDARD)
    assert services.active_preset() == Preset.STANDARD


def test_switching_preset_changes_the_verdict(half_year, dispatcher):
    # 359.40 done: 29.95 → 30.0 % of the plan, 20.0 points behind (yellow); 59.9 % of 序时 under 武汉 (red)
    hand_in(half_year, 6, "359.40")
    refresh(half_year, dimensions=[Dimension.INVESTMENT_LAG])
    assert [a[1:3] for a in alerts(half_year)] == [(Y, D("20.0"))]
    services.apply_preset(dispatcher, Preset.WUHAN)
    result = refresh(half_year, dimensions=[Dimension.INVESTMENT_LAG])
    assert (result.created, result.resolved) == (1, 1)
    assert [a[1:3] for a in alerts(half_year)] == [(R, D("59.9"))]
    assert light(half_year)[0] == R


@pytest.mark.parametrize("preset", ["custom", "beijing", ""])
def test_apply_preset_refuses_unknown_ones(dispatcher, preset):
    before = active_rules()
    with pytest.raises(ValidationError) as exc:
        services.apply_preset(dispatcher, preset)
    assert exc.value.message_dict == {"preset": ["请选择一个预设规则"]}
    assert active_rules() == before


@pytest.mark.parametrize("principal", ["reporter_a", "leader", "handler", "inspector", "outsider"])
def test_only_the_office_switches_presets_and_edits_rules(users, principal):
    rule = standard(Dimension.MILESTONE_OVERDUE)
    with pytest.raises(PermissionDenied):
        services.apply_preset(users[principal], Preset.WUHAN)
    with pytest.raises(PermissionDenied):
        services.rule_update(users[principal], rule, version=rule.version, name="改", method=Method.DAYS_OVERDUE,
                             yellow=D(1), red=D(10), is_active=True)
    assert active_rules() == STANDARD_ACTIVE
    rule.refresh_from_db()
    assert (rule.name, rule.red, rule.version) == ("节点逾期", D(30), 1)


# ===================================================================================== rule update


def update(user, rule, **changes):
    values = {"version": rule.version, "name": rule.name, "method": rule.method, "yellow": rule.yellow,
              "red": rule.red, "is_active": rule.is_active, "min_annual_plan": rule.min_annual_plan, "note": rule.note}
    values.update(changes)
    return services.rule_update(user, rule, **values)


def test_rule_update_changes_thresholds_and_scope(dispatcher, late_node):
    rule = standard(Dimension.MILESTONE_OVERDUE)
    level = f.dictionary(Level, "市重点")
    update(dispatcher, rule, name=" 节点逾期（严） ", yellow=D(7), red=D(60), levels=[level], note="市推进办2026年口径")
    rule.refresh_from_db()
    assert (rule.name, rule.yellow, rule.red, rule.version, rule.note) == ("节点逾期（严）", D(7), D(60), 2, "市推进办2026年口径")
    assert list(rule.levels.all()) == [level]
    newest = rule.history.order_by("-history_id").first()
    assert (newest.history_user_id, newest.history_change_reason) == (dispatcher.pk, "修改预警规则")
    refresh(late_node)   # what the on_commit hook does: 39 days is now yellow (red from 60)
    assert [a[1:3] for a in alerts(late_node)] == [(Y, D(39))]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "  "}, {"name": ["请填写规则名称"]}),
        ({"name": "规" * 101}, {"name": ["规则名称不能超过100个字"]}),
        ({"method": Method.RATIO_OF_PLAN}, {"method": ["该预警维度不能使用此判定方法"]}),
        ({"method": "nonsense"}, {"method": ["该预警维度不能使用此判定方法"]}),
        ({"yellow": D(30), "red": D(1)}, {"red": ["红灯阈值应不低于黄灯阈值"]}),
        ({"yellow": D(0)}, {"yellow": ["天数、月数或期数阈值至少为1"]}),
        ({"yellow": None}, {"yellow": ["请填写黄灯阈值"]}),
        ({"min_annual_plan": D("-1.00")}, {"min_annual_plan": ["金额不能为负数"]}),
        ({"note": "说" * 301}, {"note": ["说明不能超过300个字"]}),
    ],
)
def test_rule_update_validates_and_writes_nothing(dispatcher, changes, expected):
    rule = standard(Dimension.MILESTONE_OVERDUE)
    history = rule.history.count()
    with pytest.raises(ValidationError) as exc:
        update(dispatcher, rule, **changes)
    assert exc.value.message_dict == expected
    stored = AlertRule.objects.get(pk=rule.pk)
    assert (stored.name, stored.method, stored.yellow, stored.red, stored.version) == (
        "节点逾期", Method.DAYS_OVERDUE, D(1), D(30), 1)
    assert rule.history.count() == history


def test_an_investment_rule_may_switch_reading(dispatcher):
    rule = standard(Dimension.INVESTMENT_LAG)
    with pytest.raises(ValidationError) as exc:   # 10/30 as a ratio has red above yellow
        update(dispatcher, rule, method=Method.RATIO_OF_PLAN)
    assert exc.value.message_dict == {"red": ["比例口径下红灯阈值应不高于黄灯阈值（如黄灯80%、红灯60%）"]}
    update(dispatcher, rule, method=Method.RATIO_OF_PLAN, yellow=D(80), red=D(60))
    rule.refresh_from_db()
    assert (rule.method, rule.yellow, rule.red) == (Method.RATIO_OF_PLAN, D(80), D(60))


def test_a_stale_rule_update_is_a_conflict(dispatcher, users):
    rule = standard(Dimension.MILESTONE_OVERDUE)
    stale = AlertRule.objects.get(pk=rule.pk)
    update(users["admin"], rule, red=D(45))
    history = rule.history.count()
    with pytest.raises(ConflictError) as exc:
        update(dispatcher, stale, red=D(20))
    assert exc.value.current.red == D(45)
    assert exc.value.saved_by == "系统管理员" and exc.value.changed.startswith("已被系统管理员于 ")
    stored = AlertRule.objects.get(pk=rule.pk)
    assert (stored.red, stored.version) == (D(45), 2)
    assert rule.history.count() == history


# The node was due 2026-06-01. Half past midnight in Shanghai it is still the day before in UTC: the
# office's day counts.
@pytest.mark.parametrize(("moment", "days"), [((2026, 7, 11, 0, 30), 40), ((*NEW_YEAR, 0, 30), 214)])
def test_today_defaults_to_the_local_date(time_machine, moment, days, late_node):
    time_machine.move_to(at(*moment))
    services.refresh([late_node.pk])
    alert = Alert.objects.active().get(project=late_node)
    assert alert.value == D(days)
    assert alert.level == R


def test_saving_a_rule_or_a_preset_re_judges_the_projects_at_once(on_day, city, dispatcher,
                                                                  django_capture_on_commit_callbacks):
    # The refresh runs after the commit, on the clock's date: a node 40 days overdue is red (满30天), then
    # yellow once the red threshold is raised to 60 days.
    project = make_project(city, "规则联动项目")
    node(project, "主体封顶", on_day - timedelta(days=40))
    services.refresh([project.pk])
    assert alerts(project)[0][1] == R
    rule = standard(Dimension.MILESTONE_OVERDUE)
    with django_capture_on_commit_callbacks(execute=True):
        services.rule_update(dispatcher, rule, version=rule.version, name=rule.name, method=rule.method,
                             yellow=D("1"), red=D("60"), is_active=True)
    assert alerts(project)[0][1] == Y
    assert light(project)[0] == Y
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_preset(dispatcher, "wuhan")
    assert alerts(project)[0][1] == Y  # 武汉 changes the investment rule only; the node rule stays


def test_a_refresh_of_more_projects_than_one_query_may_name_goes_in_parts(late_node, monkeypatch):
    # A 20,000-row import names more ids than SQLite takes in one `IN (…)`: the refresh splits them.
    monkeypatch.setattr(services, "CHUNK", 2)
    project_ids = [late_node.pk, late_node.pk + 100_000, late_node.pk + 200_000]
    Alert.objects.filter(project=late_node).delete()
    result = services.refresh(project_ids, today=TODAY)
    assert result.projects == 3 and result.created == 1
    assert alerts(late_node)[0][0] == Dimension.MILESTONE_OVERDUE


def test_the_rule_page_says_who_saved_the_rule_meanwhile(client, users):
    rule = standard(Dimension.MILESTONE_OVERDUE)
    page = {"version": rule.version, "name": rule.name, "method": rule.method, "yellow": str(rule.yellow),
            "red": "20", "is_active": "on", "note": rule.note}
    update(users["admin"], rule, red=D(45))
    client.force_login(users["dispatcher"])
    response = client.post(reverse("alerts:rule", args=[rule.pk]), page)
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and errors[0].startswith("该规则已被系统管理员于 ")
    assert errors[0].endswith(" 修改，您的修改未保存。请刷新后在最新内容上重新修改。")
    assert AlertRule.objects.get(pk=rule.pk).red == D(45)
