"""The monthly dispatch's writes (tuijin.reports.services): periods, batches of reports, the cumulative
figures they keep, the submit → return/approve workflow, lateness, closing and reminders.

Every bad input asserts its Chinese message and that nothing was written (the `db_state` snapshot, or
the counts of the rows the write would have added). Money literals are worked out by hand.
"""

import calendar
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tuijin.core.exceptions import ConflictError, NotFound
from tuijin.core.models import Notification
from tuijin.org.choices import RegionLevel
from tuijin.projects.models import AnnualPlan, Project, Stage
from tuijin.projects.selectors import current_year
from tuijin.reports import selectors, services
from tuijin.reports.choices import PeriodStatus, ReportAction, ReportState
from tuijin.reports.models import ProgressReport, Reminder, ReportEvent, ReportPeriod

from .. import factories as f
from ..clock import MONTH_ENDS, NEW_YEAR, YEAR_END, at

D = Decimal


def year() -> int:
    """The year of the fixtures' annual plans."""
    return current_year()


def far_due() -> date:
    """A due date no test run will pass."""
    return date(year() + 5, 1, 31)


def open_month(user, month: int, *, y: int | None = None, due_on: date | None = None, **kwargs) -> ReportPeriod:
    return services.period_open(user, year=y or year(), month=month, due_on=due_on or far_due(), **kwargs)


def report_of(period: ReportPeriod, project) -> ProgressReport:
    return ProgressReport.objects.get(period=period, project=project)


def row(report: ProgressReport, **values) -> dict:
    report.refresh_from_db()
    return {"id": report.pk, "version": report.version, **values}


def save(user, report: ProgressReport, *, submit=False, **values) -> list[ProgressReport]:
    return services.reports_save(user, report.period, [row(report, **values)], submit=submit)


def submit(user, report: ProgressReport, amount="100.00", progress="主体结构施工中", **values):
    return save(user, report, submit=True, amount=amount, progress=progress, **values)


def hand_in(user, report: ProgressReport, amount: str) -> list[ProgressReport]:
    """Submit an amount: only amounts handed in count for the months after them."""
    return save(user, report, submit=True, amount=amount, progress="施工中")


def send_back(user, report: ProgressReport, comment: str = "请核实") -> ProgressReport:
    report.refresh_from_db()
    return services.report_return(user, report, version=report.version, comment=comment)


def approve(user, report: ProgressReport, comment: str = "") -> ProgressReport:
    report.refresh_from_db()
    return services.report_approve(user, report, version=report.version, comment=comment)


def give_back(user, report: ProgressReport, comment: str) -> ProgressReport:
    report.refresh_from_db()
    return services.report_return(user, report, version=report.version, comment=comment)


def stage_project(city, name: str, stage: str, **fields):
    return f.ProjectFactory(name=name, region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
                            stage=f.dictionary(Stage, stage), **fields)


def counts() -> tuple[int, int, int, int, int]:
    """The rows a report write adds: events, report history, reminders, notifications, periods."""
    return (ReportEvent.objects.count(), ProgressReport.history.count(), Reminder.objects.count(),
            Notification.objects.count(), ReportPeriod.objects.count())


@pytest.fixture
def dispatcher(users):
    return users["dispatcher"]


@pytest.fixture
def reporter(users):
    return users["reporter_a"]


@pytest.fixture
def march(dispatcher, own_project, other_project) -> ReportPeriod:
    """This year's March, due far in the future, with the two fixture projects."""
    return open_month(dispatcher, 3)


@pytest.fixture
def own_report(march, own_project) -> ProgressReport:
    return report_of(march, own_project)


@pytest.fixture
def other_report(march, other_project) -> ProgressReport:
    return report_of(march, other_project)


def plan_of(project) -> AnnualPlan:
    return AnnualPlan.objects.get(project=project, year=year())


def plans_page(project) -> tuple[Decimal, date | None]:
    """本年累计完成 as the project's plans page shows it, with the period end it is through: the figure its
    annual plan carries by the rule in force (checked against the reports' own)."""
    done, through = selectors.completion_by_year(project.pk).get(year(), (D("0.00"), None))
    assert getattr(plan_of(project), selectors.counted_column()) == done
    return done, through


# ============================================================================================ periods


def test_open_creates_a_pending_report_per_project_in_the_reporting_stages(city, dispatcher):
    wanted = {
        stage_project(city, "前期项目", "前期").pk,
        stage_project(city, "预备项目", "预备").pk,
        stage_project(city, "新开工项目", "新开工").pk,
        stage_project(city, "续建项目", "续建").pk,
        stage_project(city, "在建项目", "在建").pk,
    }
    stage_project(city, "谋划项目", "谋划")
    stage_project(city, "竣工项目", "竣工")
    stage_project(city, "投产项目", "投产")
    stage_project(city, "已归档续建项目", "续建", is_archived=True)

    period = services.period_open(dispatcher, year=2026, month=5)

    reports = list(period.reports.all())
    assert {r.project_id for r in reports} == wanted
    assert {r.state for r in reports} == {ReportState.PENDING}
    assert {r.unit_id for r in reports} == {city.units.lanshan_government.pk}
    assert {r.period_end for r in reports} == {date(2026, 5, 31)}
    assert (period.starts_on, period.ends_on, period.due_on) == (date(2026, 5, 1), date(2026, 5, 31), date(2026, 5, 25))
    assert period.status == PeriodStatus.OPEN
    assert period.opened_by == dispatcher
    assert period.label == "2026年5月"
    assert period.history.get().history_change_reason == "开启调度期"


def test_open_with_explicit_projects_takes_exactly_those(city, dispatcher, own_project, other_project):
    reserve = stage_project(city, "谋划项目", "谋划")
    period = services.period_open(dispatcher, year=2026, month=5, project_ids=[reserve.pk, other_project.pk])
    assert set(period.reports.values_list("project_id", flat=True)) == {reserve.pk, other_project.pk}
    assert report_of(period, other_project).unit == city.units.luozhuang_government


def test_open_with_unknown_project_writes_nothing(dispatcher, own_project, db_state):
    before = db_state()
    with pytest.raises(ValidationError) as error:
        services.period_open(dispatcher, year=2026, month=5, project_ids=[own_project.pk, 987654])
    assert error.value.message_dict == {"projects": ["以下项目不存在或不在您的范围内：987654"]}
    assert db_state() == before


def test_open_twice_for_the_same_month_is_refused_and_writes_nothing(dispatcher, own_project, db_state):
    services.period_open(dispatcher, year=2026, month=5)
    before = db_state()
    with pytest.raises(ValidationError) as error:
        services.period_open(dispatcher, year=2026, month=5, due_on=date(2026, 5, 28))
    assert error.value.message_dict == {"month": ["2026年5月的调度期已经开启过"]}
    assert db_state() == before
    assert ReportPeriod.objects.count() == 1


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ({"cadence": "month"}, {"cadence": "half", "seq": 1}, "与已有调度期“2026年5月”时间重叠"),
        ({"cadence": "month"}, {"cadence": "ten", "seq": 3}, "与已有调度期“2026年5月”时间重叠"),
        ({"cadence": "ten", "seq": 2}, {"cadence": "month"}, "与已有调度期“2026年5月中旬”时间重叠"),
        ({"cadence": "half", "seq": 2}, {"cadence": "ten", "seq": 3}, "与已有调度期“2026年5月下半月”时间重叠"),
    ],
)
def test_open_refuses_a_period_overlapping_another_cadence(dispatcher, own_project, db_state, first, second, message):
    services.period_open(dispatcher, year=2026, month=5, **first)
    before = db_state()
    with pytest.raises(ValidationError) as error:
        services.period_open(dispatcher, year=2026, month=5, **second)
    assert error.value.message_dict == {"month": [message]}
    assert db_state() == before


def test_sub_periods_of_a_month_follow_each_other(dispatcher, own_project):
    first = services.period_open(dispatcher, year=2026, month=2, cadence="ten", seq=1)
    second = services.period_open(dispatcher, year=2026, month=2, cadence="ten", seq=2)
    third = services.period_open(dispatcher, year=2026, month=2, cadence="ten", seq=3)
    assert [(p.starts_on, p.ends_on, p.due_on, p.label) for p in (first, second, third)] == [
        (date(2026, 2, 1), date(2026, 2, 10), date(2026, 2, 10), "2026年2月上旬"),
        (date(2026, 2, 11), date(2026, 2, 20), date(2026, 2, 20), "2026年2月中旬"),
        (date(2026, 2, 21), date(2026, 2, 28), date(2026, 2, 28), "2026年2月下旬"),
    ]
    half = services.period_open(dispatcher, year=2028, month=2, cadence="half", seq=2)
    assert (half.starts_on, half.ends_on, half.label) == (date(2028, 2, 16), date(2028, 2, 29), "2028年2月下半月")
    assert ProgressReport.objects.filter(project=own_project).count() == 4


def test_open_refuses_a_due_date_before_the_start(dispatcher, own_project, db_state):
    before = db_state()
    with pytest.raises(ValidationError) as error:
        services.period_open(dispatcher, year=2026, month=5, due_on=date(2026, 4, 30))
    assert error.value.message_dict == {"due_on": ["填报截止日期不能早于本期开始日期（2026-05-01）"]}
    assert db_state() == before


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"month": 13}, "month", "月份应在1至12之间"),
        ({"month": 0}, "month", "月份应在1至12之间"),
        ({"year": 1999}, "year", "年度应在2000至2100之间"),
        ({"seq": 2}, "seq", "期次不正确"),
        ({"cadence": "ten", "seq": 4}, "seq", "期次不正确"),
        ({"cadence": "week"}, "cadence", "填报周期不正确"),
    ],
)
def test_open_rejects_bad_periods(dispatcher, own_project, db_state, kwargs, field, message):
    before = db_state()
    with pytest.raises(ValidationError) as error:
        services.period_open(dispatcher, **{"year": 2026, "month": 5, **kwargs})
    assert error.value.message_dict == {field: [message]}
    assert db_state() == before


@pytest.mark.parametrize("principal", ["reporter_a", "leader", "handler", "dept_reporter", "outsider"])
def test_only_the_office_opens_periods(users, own_project, db_state, principal):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.period_open(users[principal], year=2026, month=5)
    assert db_state() == before


def test_admin_opens_periods(users, own_project):
    period = services.period_open(users["admin"], year=2026, month=5)
    assert list(period.reports.values_list("project_id", flat=True)) == [own_project.pk]


def test_system_user_opens_for_every_project_the_dispatcher_only_for_the_city(city, dispatcher, own_project):
    jinan = f.RegionFactory(code="370100", name="济南市", level=RegionLevel.CITY, parent=city.regions.province)
    outside = f.ProjectFactory(name="济南市外部项目", region=jinan)

    system = services.period_open(None, year=2026, month=5)
    assert system.opened_by is None
    assert set(system.reports.values_list("project_id", flat=True)) == {own_project.pk, outside.pk}

    office = services.period_open(dispatcher, year=2026, month=6)
    assert set(office.reports.values_list("project_id", flat=True)) == {own_project.pk}
    with pytest.raises(ValidationError) as error:
        services.period_open(dispatcher, year=2026, month=7, project_ids=[outside.pk])
    assert error.value.message_dict == {"projects": [f"以下项目不存在或不在您的范围内：{outside.pk}"]}
    assert not ReportPeriod.objects.filter(month=7).exists()


# ----------------------------------------------------------------------------- adding and removing


def test_add_projects_creates_pending_reports_for_the_new_ones_only(city, dispatcher, own_project, other_project):
    period = services.period_open(dispatcher, year=2026, month=5, project_ids=[own_project.pk])
    assert services.period_add_projects(dispatcher, period, [own_project.pk, other_project.pk]) == 1
    assert services.period_add_projects(dispatcher, period, [own_project.pk, other_project.pk]) == 0
    added = report_of(period, other_project)
    assert (added.state, added.unit, added.period_end) == (ReportState.PENDING, city.units.luozhuang_government,
                                                          date(2026, 5, 31))
    assert period.reports.count() == 2


def test_add_projects_gives_the_new_report_its_cumulative_figures(dispatcher, reporter, own_project, other_project):
    january = open_month(dispatcher, 1, project_ids=[own_project.pk])
    hand_in(reporter, report_of(january, own_project), "130.00")
    february = open_month(dispatcher, 2, project_ids=[other_project.pk])
    services.period_add_projects(dispatcher, february, [own_project.pk])
    added = report_of(february, own_project)
    assert (added.year_to_date, added.since_start) == (D("130.00"), D("130.00"))


def test_add_unknown_project_writes_nothing(dispatcher, own_project, db_state):
    period = services.period_open(dispatcher, year=2026, month=5)
    before = db_state()
    with pytest.raises(ValidationError) as error:
        services.period_add_projects(dispatcher, period, [987654])
    assert error.value.messages == ["以下项目不存在或不在您的范围内：987654"]
    assert db_state() == before


def test_reporter_cannot_add_projects(users, dispatcher, own_project, other_project):
    period = services.period_open(dispatcher, year=2026, month=5, project_ids=[own_project.pk])
    with pytest.raises(PermissionDenied):
        services.period_add_projects(users["reporter_b"], period, [other_project.pk])
    assert period.reports.count() == 1


def test_only_a_pending_report_can_be_removed(dispatcher, reporter, own_report, other_report, db_state):
    services.period_remove_report(dispatcher, other_report)
    assert not ProgressReport.objects.filter(pk=other_report.pk).exists()
    assert ProgressReport.history.filter(id=other_report.pk).latest().history_change_reason == "移出调度期"

    save(reporter, own_report, amount="10.00")
    before = db_state()
    with pytest.raises(ValidationError) as error:
        services.period_remove_report(dispatcher, own_report)
    assert error.value.messages == ["该项目本期已有填报内容，不能移出"]
    assert db_state() == before


def test_reporter_cannot_remove_reports(reporter, own_report):
    with pytest.raises(PermissionDenied):
        services.period_remove_report(reporter, own_report)
    assert ProgressReport.objects.filter(pk=own_report.pk).exists()


# ============================================================================================ reports


def test_save_draft(reporter, own_report, own_project):
    saved = save(reporter, own_report, amount="120.5", progress="  路基完成60%  ", work_status="started",
                 workers_planned="80", workers_on_site="72", problems="征地拆迁未完成")
    assert [r.pk for r in saved] == [own_report.pk]
    own_report.refresh_from_db()
    assert own_report.state == ReportState.DRAFT
    assert own_report.amount == D("120.50")
    assert own_report.progress == "路基完成60%"
    assert (own_report.work_status, own_report.workers_planned, own_report.workers_on_site) == ("started", 80, 72)
    assert own_report.problems == "征地拆迁未完成"
    assert own_report.version == 2
    assert (own_report.year_to_date, own_report.since_start) == (D("120.50"), D("120.50"))
    assert own_report.submitted_at is None
    event = own_report.events.get()
    assert (event.action, event.from_state, event.to_state, event.user) == (
        ReportAction.SAVE, ReportState.PENDING, ReportState.DRAFT, reporter)
    last = own_report.history.latest()
    assert (last.history_user, last.history_change_reason, last.amount) == (reporter, "保存草稿", D("120.50"))


def test_saving_unchanged_values_writes_nothing(reporter, own_report, db_state):
    save(reporter, own_report, amount="50.00")
    before = db_state()
    assert save(reporter, own_report, amount="50.00") == []
    assert db_state() == before


def test_submit(reporter, own_report):
    save(reporter, own_report, submit=True, amount="0", progress="停工待料")
    own_report.refresh_from_db()
    assert own_report.state == ReportState.SUBMITTED
    assert own_report.amount == D("0.00")
    assert own_report.submitted_by == reporter
    assert own_report.submitted_at is not None
    assert own_report.is_late is False
    event = own_report.events.get()
    assert (event.action, event.from_state, event.to_state) == (ReportAction.SUBMIT, ReportState.PENDING,
                                                               ReportState.SUBMITTED)


def test_submit_only_the_ticked_rows(dispatcher, own_report, other_report):
    rows = [row(own_report, amount="10.00", progress="施工中"), row(other_report, amount="20.00")]
    services.reports_save(dispatcher, own_report.period, rows, submit={own_report.pk})
    own_report.refresh_from_db()
    other_report.refresh_from_db()
    assert (own_report.state, other_report.state) == (ReportState.SUBMITTED, ReportState.DRAFT)


def test_inbox_submit_hands_in_drafts_as_they_stand(reporter, own_report):
    save(reporter, own_report, amount="66.00", progress="桩基施工")
    services.reports_submit(reporter, own_report.period, [own_report.pk])
    own_report.refresh_from_db()
    assert (own_report.state, own_report.amount) == (ReportState.SUBMITTED, D("66.00"))


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"amount": "-0.01"}, "amount", "本期完成投资不能为负数"),
        ({"amount": "-100"}, "amount", "本期完成投资不能为负数"),
        ({"amount": "十万"}, "amount", "本期完成投资应为数字（万元）"),
        ({"work_status": "flying"}, "work_status", "开复工情况不正确"),
        ({"workers_planned": "很多"}, "workers_planned", "应出勤施工人数应为整数"),
        ({"workers_on_site": "-3"}, "workers_on_site", "现场施工人数不能为负数"),
        ({"workers_on_site": "1000001"}, "workers_on_site", "现场施工人数超出合理范围"),
        ({"progress": "进" * 2001}, "progress", "内容过长（不超过2000字）"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(reporter, own_report, db_state, values, field, message):
    before = db_state()
    with pytest.raises(services.BatchError) as error:
        save(reporter, own_report, **values)
    assert str(error.value) == "填报未保存：请按提示修改后重新保存"
    assert error.value.problems.errors == {own_report.pk: {field: [message]}}
    assert db_state() == before


def test_negative_amount_on_submit_writes_no_event_or_history(reporter, own_report):
    before = counts()
    with pytest.raises(services.BatchError) as error:
        submit(reporter, own_report, amount="-5.00")
    assert error.value.problems.errors[own_report.pk]["amount"] == ["本期完成投资不能为负数"]
    assert counts() == before
    own_report.refresh_from_db()
    assert (own_report.state, own_report.amount, own_report.version) == (ReportState.PENDING, None, 1)


def test_since_start_above_total_investment_is_refused(reporter, own_project, own_report, db_state):
    AnnualPlan.objects.filter(project=own_project).update(completed_before=D("10000.00"))
    before = db_state()
    with pytest.raises(services.BatchError) as error:
        save(reporter, own_report, amount="2345.68")
    assert error.value.problems.errors == {
        own_report.pk: {"amount": ["开工累计完成投资（12,345.68万元）将超过总投资（12,345.67万元）"]}
    }
    assert db_state() == before

    save(reporter, own_report, amount="2345.67")  # exactly the total is allowed
    own_report.refresh_from_db()
    assert own_report.since_start == D("12345.67")


def test_since_start_check_counts_the_earlier_months(dispatcher, reporter, own_project):
    january, february = open_month(dispatcher, 1), open_month(dispatcher, 2)
    hand_in(reporter, report_of(january, own_project), "12000.00")
    with pytest.raises(services.BatchError) as error:
        save(reporter, report_of(february, own_project), amount="400.00")
    assert error.value.problems.errors[report_of(february, own_project).pk] == {
        "amount": ["开工累计完成投资（12,400.00万元）将超过总投资（12,345.67万元）"]
    }
    assert report_of(february, own_project).amount is None


def test_raising_an_earlier_month_cannot_push_a_later_month_above_total(dispatcher, reporter, own_project):
    january, february = open_month(dispatcher, 1), open_month(dispatcher, 2)
    hand_in(reporter, report_of(january, own_project), "100.00")
    hand_in(reporter, report_of(february, own_project), "12000.00")   # 开工累计 12,100.00 ≤ 12,345.67
    send_back(dispatcher, report_of(january, own_project))  # January reopens for a correction
    hand_in(reporter, report_of(january, own_project), "100.00")
    send_back(dispatcher, report_of(january, own_project))
    with pytest.raises(services.BatchError):
        save(reporter, report_of(january, own_project), amount="400.00")  # February would be 12,400.00 once handed in
    assert report_of(february, own_project).since_start <= own_project.total_investment


def test_submit_needs_amount_and_progress(reporter, own_report, db_state):
    before = db_state()
    with pytest.raises(services.BatchError) as error:
        save(reporter, own_report, submit=True, problems="无")
    assert error.value.problems.errors == {own_report.pk: {
        "amount": ["上报前请填写本期完成投资（没有完成请填0）"],
        "progress": ["上报前请填写形象进度"],
    }}
    assert db_state() == before


def test_submit_of_a_draft_uses_its_saved_values(reporter, own_report, db_state):
    save(reporter, own_report, amount="30.00")
    before = db_state()
    with pytest.raises(services.BatchError) as error:
        save(reporter, own_report, submit=True)
    assert error.value.problems.errors == {own_report.pk: {"progress": ["上报前请填写形象进度"]}}
    assert db_state() == before


def test_stale_version_is_a_conflict_and_writes_nothing(users, reporter, own_report, db_state):
    stale = row(own_report, amount="10.00")
    save(users["dispatcher"], own_report, amount="20.00")
    before = db_state()
    with pytest.raises(services.BatchError) as error:
        services.reports_save(reporter, own_report.period, [stale])
    assert set(error.value.problems.conflicts) == {own_report.pk}
    assert error.value.problems.conflicts[own_report.pk].amount == D("20.00")
    assert error.value.problems.errors == {}
    assert db_state() == before


def test_one_bad_row_saves_none_of_the_batch(dispatcher, own_report, other_report, db_state):
    before = db_state()
    rows = [row(own_report, amount="10.00", progress="正常施工"), row(other_report, amount="-1.00")]
    with pytest.raises(services.BatchError) as error:
        services.reports_save(dispatcher, own_report.period, rows)
    assert error.value.problems.errors == {other_report.pk: {"amount": ["本期完成投资不能为负数"]}}
    assert db_state() == before
    assert report_of(own_report.period, own_report.project).amount is None


def test_one_stale_row_saves_none_of_the_batch(dispatcher, own_report, other_report, db_state):
    rows = [row(own_report, amount="10.00"), row(other_report, amount="20.00")]
    save(dispatcher, other_report, amount="25.00")   # someone else saved the second row meanwhile
    before = db_state()
    with pytest.raises(services.BatchError) as error:
        services.reports_save(dispatcher, own_report.period, rows)
    assert set(error.value.problems.conflicts) == {other_report.pk}
    assert db_state() == before


def test_empty_and_repeated_batches_are_refused(reporter, own_report, db_state):
    before = db_state()
    with pytest.raises(ValidationError) as error:
        services.reports_save(reporter, own_report.period, [])
    assert error.value.messages == ["没有要保存的填报"]
    with pytest.raises(ValidationError) as error:
        services.reports_save(reporter, own_report.period, [row(own_report, amount="1"), row(own_report, amount="2")])
    assert error.value.messages == ["同一项目在本次提交中出现了多次"]
    assert db_state() == before


def test_closed_period_cannot_be_filled(dispatcher, reporter, own_report, db_state):
    services.period_close(dispatcher, own_report.period, version=own_report.period.version)
    before = db_state()
    with pytest.raises(ValidationError) as error:
        save(reporter, own_report, amount="10.00")
    assert error.value.messages == [f"{year()}年3月的调度期已关闭，不能再填报"]
    assert db_state() == before


def test_report_out_of_scope_is_not_found(users, own_report, db_state):
    before = db_state()
    for principal in ("reporter_b", "dept_reporter", "leader", "outsider"):
        with pytest.raises(NotFound):
            save(users[principal], own_report, amount="10.00")
    assert db_state() == before


def test_report_of_another_period_is_not_found(dispatcher, reporter, own_report, own_project, db_state):
    april = open_month(dispatcher, 4)
    before = db_state()
    with pytest.raises(NotFound):
        services.reports_save(reporter, april, [row(own_report, amount="10.00")])
    assert db_state() == before
    assert report_of(april, own_project).amount is None


@pytest.mark.parametrize(("reviewed", "state_label"), [(False, "已上报"), (True, "已审核")])
def test_handed_in_report_is_not_editable(dispatcher, reporter, own_report, db_state, reviewed, state_label):
    submit(reporter, own_report)
    if reviewed:
        approve(dispatcher, own_report)
    before = db_state()
    with pytest.raises(services.BatchError) as error:
        save(reporter, own_report, amount="999.00")
    assert error.value.problems.errors == {own_report.pk: {"__all__": [f"该填报{state_label}，不能修改"]}}
    assert db_state() == before


# ================================================================================ cumulative figures


@pytest.fixture
def quarter(dispatcher, own_project):
    """January–March of this year; the plan's 开工至上年底累计 is 1,000.00."""
    AnnualPlan.objects.filter(project=own_project).update(completed_before=D("1000.00"))
    return [report_of(open_month(dispatcher, m), own_project) for m in (1, 2, 3)]


def figures_of(reports) -> list[tuple[Decimal, Decimal]]:
    result = []
    for report in reports:
        report.refresh_from_db()
        result.append((report.year_to_date, report.since_start))
    return result


def test_pending_reports_start_from_the_opening_balance(quarter):
    assert figures_of(quarter) == [(D("0.00"), D("1000.00"))] * 3


def test_three_months_of_amounts(reporter, quarter):
    january, february, march = quarter
    hand_in(reporter, january, "100.00")
    hand_in(reporter, february, "250.50")
    hand_in(reporter, march, "75.25")
    assert figures_of(quarter) == [
        (D("100.00"), D("1100.00")),      # 100.00;                 1,000 + 100.00
        (D("350.50"), D("1350.50")),      # 100.00 + 250.50
        (D("425.75"), D("1425.75")),      # 350.50 + 75.25
    ]


def test_changing_an_earlier_month_updates_the_later_ones(dispatcher, reporter, quarter):
    january, february, march = quarter
    hand_in(reporter, march, "75.25")
    hand_in(reporter, february, "250.50")
    assert figures_of(quarter) == [(D("0.00"), D("1000.00")), (D("250.50"), D("1250.50")),
                                   (D("325.75"), D("1325.75"))]
    hand_in(reporter, january, "100.00")
    assert figures_of(quarter) == [(D("100.00"), D("1100.00")), (D("350.50"), D("1350.50")),
                                   (D("425.75"), D("1425.75"))]
    send_back(dispatcher, january)  # returned: its 100.00 stops counting for February and March
    assert figures_of(quarter) == [(D("100.00"), D("1100.00")), (D("250.50"), D("1250.50")),
                                   (D("325.75"), D("1325.75"))]
    hand_in(reporter, january, "40.00")
    assert figures_of(quarter) == [(D("40.00"), D("1040.00")), (D("290.50"), D("1290.50")),
                                   (D("365.75"), D("1365.75"))]


def test_a_draft_shows_its_own_amount_but_does_not_carry_it_forward(reporter, quarter):
    january, february, _march = quarter
    save(reporter, january, amount="100.00")  # never submitted
    hand_in(reporter, february, "50.00")
    assert figures_of(quarter) == [(D("100.00"), D("1100.00")), (D("50.00"), D("1050.00")),
                                   (D("50.00"), D("1050.00"))]


def test_a_month_opened_later_starts_from_the_amounts_so_far(dispatcher, reporter, quarter, own_project):
    hand_in(reporter, quarter[0], "100.00")
    hand_in(reporter, quarter[1], "250.50")
    april = report_of(open_month(dispatcher, 4), own_project)
    assert (april.year_to_date, april.since_start) == (D("350.50"), D("1350.50"))


def test_opening_balance_change_is_picked_up_by_the_next_save(reporter, own_project, quarter):
    hand_in(reporter, quarter[0], "100.00")
    AnnualPlan.objects.filter(project=own_project).update(completed_before=D("2000.00"))
    hand_in(reporter, quarter[1], "50.00")
    assert figures_of(quarter) == [(D("100.00"), D("2100.00")), (D("150.00"), D("2150.00")),
                                   (D("150.00"), D("2150.00"))]


def test_other_projects_are_not_touched(dispatcher, reporter, own_project, other_project):
    january = open_month(dispatcher, 1)
    save(dispatcher, report_of(january, other_project), amount="500.00")
    save(reporter, report_of(january, own_project), amount="100.00")
    other = report_of(january, other_project)
    assert (other.year_to_date, other.since_start) == (D("500.00"), D("500.00"))


@pytest.fixture
def last_year(dispatcher, reporter, own_project):
    """November and December of last year reported 300.00 + 200.00 (no annual plan for last year)."""
    november = report_of(open_month(dispatcher, 11, y=year() - 1), own_project)
    december = report_of(open_month(dispatcher, 12, y=year() - 1), own_project)
    hand_in(reporter, november, "300.00")
    hand_in(reporter, december, "200.00")
    return november, december


def test_new_year_opens_from_last_years_last_since_start(dispatcher, reporter, own_project, last_year):
    assert figures_of(last_year) == [(D("300.00"), D("300.00")), (D("500.00"), D("500.00"))]
    january = report_of(open_month(dispatcher, 1), own_project)
    assert (january.year_to_date, january.since_start) == (D("0.00"), D("500.00"))
    save(reporter, january, amount="100.00")
    assert figures_of([january]) == [(D("100.00"), D("600.00"))]

    send_back(dispatcher, last_year[1])
    hand_in(reporter, last_year[1], "250.00")  # last December corrected: this January follows
    assert figures_of([*last_year, january]) == [(D("300.00"), D("300.00")), (D("550.00"), D("550.00")),
                                                 (D("100.00"), D("650.00"))]


def test_new_year_uses_the_plans_opening_balance_when_given(dispatcher, reporter, own_project, last_year):
    AnnualPlan.objects.filter(project=own_project).update(completed_before=D("800.00"))
    january = report_of(open_month(dispatcher, 1), own_project)
    save(reporter, january, amount="100.00")
    assert figures_of([january]) == [(D("100.00"), D("900.00"))]
    send_back(dispatcher, last_year[1])
    hand_in(reporter, last_year[1], "250.00")  # the plan's figure wins over last year's reports
    assert figures_of([january]) == [(D("100.00"), D("900.00"))]


def test_this_years_since_start_does_not_depend_on_which_refresh_ran_last(dispatcher, reporter, own_project):
    AnnualPlan.objects.create(project=own_project, year=year() - 1, planned_investment=D("1000.00"),
                              completed_before=D("5000.00"))
    december = report_of(open_month(dispatcher, 12, y=year() - 1), own_project)   # last December, never filled
    assert (december.year_to_date, december.since_start) == (D("0.00"), D("5000.00"))
    january = report_of(open_month(dispatcher, 1), own_project)
    save(reporter, january, amount="100.00")
    first = figures_of([january])
    open_month(dispatcher, 11, y=year() - 1)   # any write that refreshes from last year on
    assert figures_of([january]) == first
    assert first == [(D("100.00"), D("5100.00"))]   # 5,000.00 at the end of last year + 100.00


# ============================================================================================ workflow


def events_of(report) -> list[tuple]:
    return [(e.action, e.from_state, e.to_state, e.user.username if e.user else None, e.comment)
            for e in report.events.order_by("at", "id")]


def test_workflow_submit_return_resubmit_approve(dispatcher, reporter, own_project, own_report):
    label = f"{year()}年3月"
    save(reporter, own_report, amount="300.00")
    submit(reporter, own_report, amount="300.00", progress="路基完成60%")

    before = counts()
    with pytest.raises(ValidationError) as error:
        give_back(dispatcher, own_report, "   ")
    assert error.value.message_dict == {"comment": ["请填写退回原因"]}
    assert counts() == before
    own_report.refresh_from_db()
    assert own_report.state == ReportState.SUBMITTED

    returned = give_back(dispatcher, own_report, "本期完成投资与形象进度不符")
    assert returned.state == ReportState.RETURNED
    assert (returned.reviewed_by, returned.review_comment) == (dispatcher, "本期完成投资与形象进度不符")
    notes = list(Notification.objects.filter(user=reporter))
    assert [(n.text, n.url) for n in notes] == [
        (f"{label}“兰山区北城新区道路改造工程”的填报被退回：本期完成投资与形象进度不符",
         reverse("reports:report", args=[own_report.pk]))
    ]

    save(reporter, own_report, amount="280.00")  # a returned report is editable again
    own_report.refresh_from_db()
    assert (own_report.state, own_report.amount) == (ReportState.DRAFT, D("280.00"))
    submit(reporter, own_report, amount="280.00", progress="路基完成55%")

    assert plans_page(own_project) == (D("0.00"), None)
    approved = approve(dispatcher, own_report, comment="同意")
    assert approved.state == ReportState.APPROVED
    assert plans_page(own_project) == (D("280.00"), date(year(), 3, 31))

    assert events_of(own_report) == [
        ("save", "pending", "draft", "reporter_a", ""),
        ("submit", "draft", "submitted", "reporter_a", ""),
        ("return", "submitted", "returned", "dispatcher", "本期完成投资与形象进度不符"),
        ("save", "returned", "draft", "reporter_a", ""),
        ("submit", "draft", "submitted", "reporter_a", ""),
        ("approve", "submitted", "approved", "dispatcher", "同意"),
    ]

    before = counts()
    with pytest.raises(services.BatchError) as error:  # approved: locked
        save(reporter, own_report, amount="1.00")
    assert error.value.problems.errors == {own_report.pk: {"__all__": ["该填报已审核，不能修改"]}}
    with pytest.raises(ValidationError) as error:
        approve(dispatcher, own_report)
    assert error.value.messages == ["只有已上报的填报才能审核（当前：已审核）"]
    assert counts() == before


def test_resubmitting_a_returned_report_directly(dispatcher, reporter, own_report):
    submit(reporter, own_report, amount="10.00")
    give_back(dispatcher, own_report, "请补充形象进度")
    submit(reporter, own_report, amount="12.00", progress="补充：桥梁桩基完成")
    own_report.refresh_from_db()
    assert (own_report.state, own_report.amount) == (ReportState.SUBMITTED, D("12.00"))
    assert events_of(own_report)[-1] == ("submit", "returned", "submitted", "reporter_a", "")


def test_return_notifies_the_submitter_and_the_units_reporters(users, dispatcher, own_report):
    submit(users["admin"], own_report)
    give_back(dispatcher, own_report, "数据有误")
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["admin", "reporter_a"]


def test_approval_does_not_notify(dispatcher, reporter, own_report):
    submit(reporter, own_report)
    approve(dispatcher, own_report)
    assert Notification.objects.count() == 0


def test_review_is_for_the_office_only(users, reporter, own_report, db_state):
    submit(reporter, own_report)
    before = db_state()
    for principal in ("reporter_a", "leader", "inspector"):
        with pytest.raises(PermissionDenied):
            approve(users[principal], own_report)
        with pytest.raises(PermissionDenied):
            give_back(users[principal], own_report, "不行")
    assert db_state() == before


def test_only_submitted_reports_are_reviewed(dispatcher, reporter, own_report, db_state):
    save(reporter, own_report, amount="10.00")
    before = db_state()
    with pytest.raises(ValidationError) as error:
        approve(dispatcher, own_report)
    assert error.value.messages == ["只有已上报的填报才能审核（当前：草稿）"]
    assert db_state() == before


def test_stale_review_is_a_conflict(dispatcher, reporter, own_report, db_state):
    submit(reporter, own_report)
    own_report.refresh_from_db()
    before = db_state()
    with pytest.raises(ConflictError):
        services.report_approve(dispatcher, own_report, version=own_report.version - 1)
    assert db_state() == before


def test_approving_many_is_all_or_nothing(dispatcher, reporter, own_report, other_report, db_state):
    submit(reporter, own_report)  # the submitter may not approve (separation of duties)
    save(dispatcher, other_report, amount="5.00")
    own_report.refresh_from_db()
    other_report.refresh_from_db()
    before = db_state()
    with pytest.raises(ValidationError):
        services.reports_approve_many(dispatcher, own_report.period,
                                      {own_report.pk: own_report.version, other_report.pk: other_report.version})
    assert db_state() == before
    assert services.reports_approve_many(dispatcher, own_report.period, {own_report.pk: own_report.version}) == 1


def test_approved_figure_on_the_plan_counts_only_approved_amounts(dispatcher, reporter, own_project):
    """One rule (settings.TUIJIN_COUNTED_REPORTS = approved): January only submitted does not count in
    February's approved figure (main counted it: 160.00 at once, as the ledger's mixed 口径 did)."""
    january, february = open_month(dispatcher, 1), open_month(dispatcher, 2)
    jan, feb = report_of(january, own_project), report_of(february, own_project)
    submit(reporter, jan, amount="100.00")
    submit(reporter, feb, amount="60.00")
    approve(dispatcher, feb)
    february_end = date(year(), 2, calendar.monthrange(year(), 2)[1])
    assert plans_page(own_project) == (D("60.00"), february_end)
    approve(dispatcher, jan)
    assert plans_page(own_project) == (D("160.00"), february_end)   # 100.00 + 60.00


def test_handed_in_rule_counts_submitted_amounts_on_the_plan(dispatcher, reporter, own_project, settings):
    settings.TUIJIN_COUNTED_REPORTS = "handed_in"
    january, february = open_month(dispatcher, 1), open_month(dispatcher, 2)
    jan, feb = report_of(january, own_project), report_of(february, own_project)
    submit(reporter, jan, amount="100.00")
    assert plans_page(own_project) == (D("100.00"), date(year(), 1, 31))
    submit(reporter, feb, amount="60.00")
    assert plans_page(own_project)[0] == D("160.00")
    send_back(dispatcher, jan)
    assert plans_page(own_project)[0] == D("60.00")


def test_a_correction_of_an_earlier_month_updates_the_approved_figure_on_the_plan(dispatcher, reporter, own_project):
    february, march = open_month(dispatcher, 2), open_month(dispatcher, 3)
    feb, mar = report_of(february, own_project), report_of(march, own_project)
    hand_in(reporter, feb, "100.00")
    submit(reporter, mar, amount="50.00")
    approve(dispatcher, mar)
    assert plans_page(own_project)[0] == D("50.00")  # February is not approved yet
    send_back(dispatcher, feb)
    hand_in(reporter, feb, "200.00")
    approve(dispatcher, feb)
    mar.refresh_from_db()
    assert mar.year_to_date == D("250.00")
    assert plans_page(own_project)[0] == mar.year_to_date


# ================================================================================================ late


def test_submitting_after_the_due_date_is_late(dispatcher, reporter, own_project):
    past = open_month(dispatcher, 11, y=year() - 1, due_on=date(year() - 1, 11, 25))
    report = report_of(past, own_project)
    submit(reporter, report)
    report.refresh_from_db()
    assert report.is_late is True


# The due day itself at month ends (30, 31, a common and a leap February) and on the last day of the year,
# late in the evening: still the due day in Shanghai.
@pytest.mark.parametrize("on_day", [(*day, 23, 30) for day in [*MONTH_ENDS, YEAR_END]], indirect=True)
def test_submitting_on_the_due_date_is_not_late(on_day, dispatcher, reporter, own_project):
    period = services.period_open(dispatcher, year=on_day.year, month=on_day.month, due_on=on_day)
    report = report_of(period, own_project)
    submit(reporter, report)
    report.refresh_from_db()
    assert report.is_late is False


def test_submitting_just_after_new_year_in_shanghai_is_late_for_a_december_31_due_date(
        time_machine, dispatcher, reporter, own_project):
    period = services.period_open(dispatcher, year=2026, month=12, due_on=date(*YEAR_END))
    report = report_of(period, own_project)
    time_machine.move_to(at(*NEW_YEAR, 0, 30))  # still 2026-12-31 in UTC: the office's calendar counts
    submit(reporter, report)
    report.refresh_from_db()
    assert report.is_late is True


@pytest.mark.parametrize("on_day", [(2026, 7, 10), YEAR_END], indirect=True)
def test_late_flag_follows_the_resubmission(on_day, dispatcher, reporter, own_project):
    past = open_month(dispatcher, 11, y=year() - 1, due_on=date(year() - 1, 11, 25))
    report = report_of(past, own_project)
    submit(reporter, report)
    give_back(dispatcher, report, "补充说明")
    past.due_on = on_day + timedelta(days=3)   # the office extended the deadline (into next year on Dec 31)
    past.save(update_fields=["due_on"])
    submit(reporter, report)
    report.refresh_from_db()
    assert report.is_late is False


# =============================================================================================== close


def test_close_freezes_the_period(dispatcher, reporter, own_report, other_report, db_state):
    submit(reporter, own_report)
    before = db_state()
    with pytest.raises(ValidationError) as error:
        services.period_close(dispatcher, own_report.period, version=own_report.period.version)
    assert error.value.messages[0].startswith("还有1个填报待审核")
    assert db_state() == before
    period = services.period_close(dispatcher, own_report.period, version=own_report.period.version, force=True)
    assert period.status == PeriodStatus.CLOSED
    assert period.closed_by == dispatcher
    assert period.closed_at is not None
    assert period.version == 2
    assert period.history.latest().history_change_reason == "关闭调度期"

    label = f"{year()}年3月"
    before = db_state()
    with pytest.raises(ValidationError) as error:
        save(reporter, other_report, amount="1.00")
    assert error.value.messages == [f"{label}的调度期已关闭，不能再填报"]
    with pytest.raises(ValidationError) as error:
        approve(dispatcher, own_report)
    assert error.value.messages == [f"{label}的调度期已关闭，不能再审核"]
    with pytest.raises(ValidationError) as error:
        give_back(dispatcher, own_report, "退回")
    assert error.value.messages == [f"{label}的调度期已关闭，不能再审核"]
    with pytest.raises(ValidationError) as error:
        services.period_close(dispatcher, period, version=period.version)
    assert error.value.messages == [f"{label}的调度期已关闭"]
    with pytest.raises(ValidationError) as error:
        services.period_remind(dispatcher, period, all_units=True)
    assert error.value.messages == [f"{label}的调度期已关闭，不能再修改"]
    with pytest.raises(ValidationError) as error:
        services.period_remove_report(dispatcher, other_report)
    assert error.value.messages == [f"{label}的调度期已关闭，不能再修改"]
    assert db_state() == before


def test_close_needs_the_office_and_the_current_version(users, march, db_state):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.period_close(users["reporter_a"], march, version=march.version)
    with pytest.raises(ConflictError):
        services.period_close(users["dispatcher"], march, version=march.version + 1)
    assert db_state() == before


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_a_close_without_the_version_it_was_read_at_is_refused_not_skipped(users, march, db_state, version):
    before = db_state()
    with pytest.raises(ValidationError) as error:
        services.period_close(users["dispatcher"], march, version=version)
    assert error.value.messages == ["表单缺少版本号，请刷新页面后重试"]
    assert db_state() == before


def test_a_close_after_the_due_date_moved_names_who_moved_it(users, march, db_state):
    read_at = march.version
    services.period_set_due(users["admin"], march, march.due_on + timedelta(days=1), version=read_at)
    before = db_state()
    with pytest.raises(ConflictError) as conflict:
        services.period_close(users["dispatcher"], march, version=read_at)
    assert (conflict.value.saved_by, conflict.value.current.version) == ("系统管理员", read_at + 1)
    assert conflict.value.changed.startswith("已被系统管理员于 ")
    assert db_state() == before


# ============================================================================================ reminders


def test_remind_every_unit_with_missing_reports(city, dispatcher, reporter, march, own_report):
    save(reporter, own_report, amount="5.00")   # a draft is still missing
    reminders = services.period_remind(dispatcher, march, all_units=True)

    rows = sorted(Reminder.objects.values_list("unit_id", "missing", "recipients", "sent_by_id", "period_id"))
    assert rows == sorted([
        (city.units.lanshan_government.pk, 1, 1, dispatcher.pk, march.pk),
        (city.units.luozhuang_government.pk, 1, 1, dispatcher.pk, march.pk),
    ])
    assert len(reminders) == 2
    text = f"请于{far_due().month}月{far_due().day}日前完成{year()}年3月调度填报：尚有1个项目未上报"
    assert sorted(Notification.objects.values_list("user__username", "text", "url")) == [
        ("reporter_a", text, reverse("reports:inbox")),
        ("reporter_b", text, reverse("reports:inbox")),
    ]


def test_remind_one_unit(city, dispatcher, march):
    services.period_remind(dispatcher, march, unit_id=city.units.lanshan_government.pk)
    assert list(Reminder.objects.values_list("unit_id", "missing", "recipients")) == [
        (city.units.lanshan_government.pk, 1, 1)
    ]
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["reporter_a"]


@pytest.mark.parametrize("on_day", [(2026, 7, 10), YEAR_END, (2027, 1, 25)], indirect=True)
def test_a_reminder_before_the_due_date_names_it(on_day, city, dispatcher, own_project):
    period = services.period_open(dispatcher, year=2027, month=1, due_on=date(2027, 1, 25))
    services.period_remind(dispatcher, period, all_units=True)
    assert list(Notification.objects.values_list("text", flat=True)) == [
        "请于1月25日前完成2027年1月调度填报：尚有1个项目未上报"]  # the due day itself is not past


@pytest.mark.parametrize(("on_day", "text"), [
    ((2026, 5, 28), "请于5月28日前完成2026年5月调度填报：尚有2个项目未上报"),
    ((2026, 5, 29), "2026年5月调度填报已超过截止日期（5月28日），尚有2个项目未上报，请尽快填报"),
], indirect=["on_day"])
def test_remind_counts_each_units_missing_projects(on_day, text, city, dispatcher, reporter, own_project):
    for name in ("兰山区第二项目", "兰山区第三项目"):
        stage_project(city, name, "续建")
    period = services.period_open(dispatcher, year=2026, month=5, due_on=date(2026, 5, 28))
    submit(reporter, report_of(period, own_project))
    services.period_remind(dispatcher, period, unit_id=city.units.lanshan_government.pk)
    assert list(Reminder.objects.values_list("missing", "recipients")) == [(2, 1)]
    assert list(Notification.objects.values_list("text", flat=True)) == [text]


def test_remind_a_unit_without_clerks_reaches_the_districts_reporters(city, dispatcher):
    owner_led = f.ProjectFactory(name="城投牵头项目", region=city.regions.lanshan, lead_unit=city.units.owner)
    period = services.period_open(dispatcher, year=2026, month=5, project_ids=[owner_led.pk])
    services.period_remind(dispatcher, period, unit_id=city.units.owner.pk)
    assert list(Reminder.objects.values_list("unit_id", "recipients")) == [(city.units.owner.pk, 1)]
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["reporter_a"]


def test_remind_with_nothing_missing_is_refused(city, dispatcher, reporter, march, own_report, db_state):
    submit(reporter, own_report)
    before = db_state()
    with pytest.raises(ValidationError) as error:
        services.period_remind(dispatcher, march, unit_id=city.units.lanshan_government.pk)
    assert error.value.messages == ["没有需要催报的单位：所选单位的项目都已上报"]
    assert db_state() == before
    assert (Reminder.objects.count(), Notification.objects.count()) == (0, 0)


def test_remind_is_for_the_office_only(city, users, march, db_state):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.period_remind(users["reporter_a"], march, all_units=True)
    assert db_state() == before


# ------------------------------------------- the counted 本年累计 each report stores (issue #13 §3, speed)


def stored(project) -> list[tuple]:
    """(月份, counted_approved, counted_handed_in) of the project's reports, in period order."""
    return [(end.month, a, h) for end, a, h in ProgressReport.objects.filter(project=project).order_by("period_end")
            .values_list("period_end", "counted_approved", "counted_handed_in")]


def summed(project, end: date, states) -> Decimal | None:
    """本年累计完成 as the ledger defined it before it was stored: the year's counted amounts up to `end`."""
    amounts = list(ProgressReport.objects.filter(project=project, state__in=states, amount__isnull=False,
                                                 period_end__gte=date(end.year, 1, 1), period_end__lte=end)
                   .values_list("amount", flat=True))
    return sum(amounts, D("0.00")) if amounts else None


def test_the_stored_counted_figure_follows_approval_return_and_an_earlier_months_correction(
        dispatcher, reporter, own_project, settings):
    jan, feb, mar = (report_of(open_month(dispatcher, m), own_project) for m in (1, 2, 3))
    assert stored(own_project) == [(1, None, None), (2, None, None), (3, None, None)]   # nothing counts yet
    hand_in(reporter, jan, "100.00")
    hand_in(reporter, feb, "60.00")
    hand_in(reporter, mar, "40.00")
    approve(dispatcher, feb)
    approve(dispatcher, mar)
    # approved: February 60.00, March 60.00 + 40.00; handed in: 100.00, 160.00, 200.00
    assert stored(own_project) == [(1, None, D("100.00")), (2, D("60.00"), D("160.00")), (3, D("100.00"), D("200.00"))]
    assert AnnualPlan.objects.filter(project=own_project, year=mar.period_end.year).values_list(
        "counted_approved", "counted_handed_in").get() == (D("100.00"), D("200.00"))
    send_back(dispatcher, jan)     # January's 100.00 stops counting for every month
    assert stored(own_project) == [(1, None, None), (2, D("60.00"), D("60.00")), (3, D("100.00"), D("100.00"))]
    hand_in(reporter, jan, "90.00")    # the clerk corrects January and hands it in again
    assert stored(own_project) == [(1, None, D("90.00")), (2, D("60.00"), D("150.00")), (3, D("100.00"), D("190.00"))]
    approve(dispatcher, jan)
    assert stored(own_project) == [(1, D("90.00"), D("90.00")), (2, D("150.00"), D("150.00")),
                                   (3, D("190.00"), D("190.00"))]
    # The year's plan carries its latest report's (March's) figures by both rules, through every step.
    assert AnnualPlan.objects.filter(project=own_project, year=mar.period_end.year).values_list(
        "counted_approved", "counted_handed_in").get() == (D("190.00"), D("190.00"))
    end = mar.period_end
    assert selectors.completion_as_of([own_project.pk], end) == {own_project.pk: D("190.00")}   # 90 + 60 + 40
    assert selectors.completion_total(Project.objects.filter(pk=own_project.pk), end) == D("190.00")
    for report in (jan, feb, mar):     # the stored figure is the sum it replaces, by either rule
        report.refresh_from_db()
        assert report.counted_approved == summed(own_project, report.period_end, [ReportState.APPROVED])
        assert report.counted_handed_in == summed(own_project, report.period_end,
                                                  [ReportState.SUBMITTED, ReportState.APPROVED])


def test_a_project_without_a_report_in_the_chosen_period_shows_its_earlier_figure(
        dispatcher, reporter, users, own_project, other_project):
    """own_project reports in January and February but is not in March's dispatch: as of March its
    figure is its February one (January's approved 100.00); other_project's is March's 7.00."""
    january, february = open_month(dispatcher, 1), open_month(dispatcher, 2)
    march = open_month(dispatcher, 3, project_ids=[other_project.pk])
    assert not march.reports.filter(project=own_project).exists()
    hand_in(reporter, report_of(january, own_project), "100.00")
    approve(dispatcher, report_of(january, own_project))
    other = report_of(march, other_project)
    hand_in(users["reporter_b"], other, "7.00")
    approve(dispatcher, other)
    both = Project.objects.filter(pk__in=[own_project.pk, other_project.pk])
    assert selectors.completion_as_of(both, march.ends_on) == {own_project.pk: D("100.00"), other_project.pk: D("7.00")}
    assert selectors.completion_total(both, march.ends_on) == D("107.00")                  # 100.00 + 7.00
    assert selectors.completion_as_of(both, february.ends_on) == {own_project.pk: D("100.00")}
    assert selectors.completion_total(both, february.ends_on) == D("100.00")
    assert selectors.completion_total(both, january.ends_on - timedelta(days=1)) == D("0.00")  # before any report
