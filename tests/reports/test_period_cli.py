"""`tuijin period open|close|status YYYY-MM`: what it prints and what it writes, and its Chinese errors."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tuijin.reports import services
from tuijin.reports.choices import PeriodStatus, ReportState
from tuijin.reports.models import ProgressReport, ReportPeriod

from .. import factories as f


def run(*args) -> str:
    out = StringIO()
    call_command("period", *args, stdout=out)
    return out.getvalue()


def run_json(*args) -> dict:
    out = run(*args, "--json")
    assert out.count("\n") == 1 and out.endswith("\n"), out  # exactly one line…
    result = json.loads(out)                                   # …holding one JSON object
    assert isinstance(result, dict)
    return result


def test_open_prints_one_json_object_with_the_counts(own_project, other_project, users):
    result = run_json("open", "2026-11", "--due", "2026-11-28")
    period = ReportPeriod.objects.get()
    assert result == {"period": "2026年11月", "id": period.pk, "due_on": "2026-11-28", "projects": 2, "status": "open"}
    assert (period.year, period.month, period.cadence, period.due_on) == (2026, 11, "month", date(2026, 11, 28))
    assert period.opened_by is None
    assert set(period.reports.values_list("project_id", flat=True)) == {own_project.pk, other_project.pk}


def test_open_prints_a_chinese_line_without_json(own_project):
    assert run("open", "2026-11") == "2026年11月调度期已开启：1个项目须填报，截止2026-11-25\n"


def test_open_a_ten_day_period(own_project):
    result = run_json("open", "2026-11", "--cadence", "ten", "--seq", "2")
    assert (result["period"], result["due_on"], result["projects"]) == ("2026年11月中旬", "2026-11-20", 1)


def test_open_as_the_dispatcher(users, own_project):
    run_json("open", "2026-11", "--user", "dispatcher")
    assert ReportPeriod.objects.get().opened_by == users["dispatcher"]


@pytest.fixture
def november(city, users, own_project, other_project):
    """2026-11 opened from the CLI with three projects: own approved, a second 兰山区 one a draft, the
    罗庄区 one submitted; due on 2026-11-28."""
    second = f.ProjectFactory(name="兰山区第二项目", region=city.regions.lanshan, lead_unit=city.units.lanshan_government)
    run_json("open", "2026-11", "--due", "2026-11-28")
    period = ReportPeriod.objects.get()
    reports = {r.project_id: r for r in period.reports.all()}
    own, draft, other = reports[own_project.pk], reports[second.pk], reports[other_project.pk]
    services.reports_save(users["reporter_a"], period, [
        {"id": own.pk, "version": own.version, "amount": "100.00", "progress": "施工中"},
        {"id": draft.pk, "version": draft.version, "amount": "20.00"},
    ], submit={own.pk})
    own.refresh_from_db()
    services.report_approve(users["dispatcher"], own, version=own.version)
    services.reports_save(users["reporter_b"], period, [
        {"id": other.pk, "version": other.version, "amount": "300.00", "progress": "河道清淤"},
    ], submit=True)
    return period


# Handed in on the due day: on time; the day after (December now): both handed-in reports are late.
@pytest.mark.parametrize(("on_day", "late"), [((2026, 11, 28), 0), ((2026, 12, 1), 2)], indirect=["on_day"])
def test_status_counts_match_the_database(on_day, late, city, november):
    result = run_json("status", "2026-11")
    reports = ProgressReport.objects.filter(period=november)
    assert reports.filter(is_late=True).count() == late

    assert result["period"] == "2026年11月"
    assert result["id"] == november.pk
    assert (result["status"], result["status_label"], result["due_on"]) == ("open", "填报中", "2026-11-28")
    assert result["by_state"] == {"pending": 0, "draft": 1, "submitted": 1, "returned": 0, "approved": 1}
    assert result["by_state"] == {s: reports.filter(state=s).count() for s in ReportState.values}
    assert (result["required"], result["handed_in"], result["missing"], result["late"]) == (3, 2, 1, late)

    by_unit = {u["unit_id"]: u for u in result["by_unit"]}
    lanshan, luozhuang = city.units.lanshan_government, city.units.luozhuang_government
    assert set(by_unit) == {lanshan.pk, luozhuang.pk}
    assert by_unit[lanshan.pk]["unit"] == "兰山区人民政府"
    assert (by_unit[lanshan.pk]["required"], by_unit[lanshan.pk]["handed_in"], by_unit[lanshan.pk]["missing"]) == (2, 1, 1)
    assert by_unit[luozhuang.pk]["unit"] == "罗庄区人民政府"
    assert (by_unit[luozhuang.pk]["required"], by_unit[luozhuang.pk]["handed_in"], by_unit[luozhuang.pk]["missing"]) == (1, 1, 0)
    for unit_id, unit in by_unit.items():
        rows = reports.filter(unit_id=unit_id)
        assert unit["by_state"] == {s: rows.filter(state=s).count() for s in ReportState.values}
        assert unit["late"] == rows.filter(is_late=True).count()
    assert [u["unit_id"] for u in result["by_unit"]] == [lanshan.pk, luozhuang.pk]  # most missing first


def test_status_prints_chinese_lines_without_json(november):
    lines = run("status", "2026-11").splitlines()
    late = ProgressReport.objects.filter(period=november, is_late=True).count()
    assert lines[0] == f"2026年11月（填报中，截止2026-11-28）：应报3，已上报2，未上报1，逾期{late}"
    assert lines[1:] == ["  兰山区人民政府：应报2，已上报1，未上报1", "  罗庄区人民政府：应报1，已上报1，未上报0"]


def test_close(november):
    with pytest.raises(CommandError) as error:
        run("close", "2026-11")  # 罗庄区's report still awaits review
    assert str(error.value).startswith("还有1个填报待审核：请先审核通过或退回，再关闭调度期")
    assert ReportPeriod.objects.get(pk=november.pk).status == PeriodStatus.OPEN
    result = run_json("close", "2026-11", "--force")
    assert result == {"period": "2026年11月", "id": november.pk, "status": "closed"}
    november.refresh_from_db()
    assert november.status == PeriodStatus.CLOSED
    assert november.closed_at is not None
    assert run_json("status", "2026-11")["status"] == "closed"

    with pytest.raises(CommandError) as error:
        run("close", "2026-11")
    assert str(error.value) == "2026年11月的调度期已关闭"


def test_close_or_status_of_a_month_without_a_period(own_project):
    for action in ("close", "status"):
        with pytest.raises(CommandError) as error:
            run(action, "2026-10")
        assert str(error.value) == "2026年10月没有已开启的调度期"
    assert ReportPeriod.objects.count() == 0


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026/11", "26-11", "2026-1a", ""])
def test_bad_month_is_refused(db_state, own_project, month):
    before = db_state()
    with pytest.raises(CommandError) as error:
        run("open", month)
    assert str(error.value) == f"月份“{month}”格式不正确，应写作 YYYY-MM，如 2026-11"
    assert db_state() == before


@pytest.mark.parametrize("due", ["2026-11-31", "28/11/2026", "明天"])
def test_bad_due_date_is_refused(db_state, own_project, due):
    before = db_state()
    with pytest.raises(CommandError) as error:
        run("open", "2026-11", "--due", due)
    assert str(error.value) == f"日期“{due}”格式不正确，应写作 YYYY-MM-DD，如 2026-11-25"
    assert db_state() == before


def test_due_date_before_the_month_is_refused(db_state, own_project):
    before = db_state()
    with pytest.raises(CommandError) as error:
        run("open", "2026-11", "--due", "2026-10-31")
    assert str(error.value) == "填报截止日期不能早于本期开始日期（2026-11-01）"
    assert db_state() == before


def test_duplicate_open_is_refused(db_state, own_project):
    run_json("open", "2026-11", "--due", "2026-11-28")
    before = db_state()
    with pytest.raises(CommandError) as error:
        run("open", "2026-11", "--due", "2026-11-29")
    assert str(error.value) == "2026年11月的调度期已经开启过"
    assert db_state() == before
    assert ReportPeriod.objects.get().due_on == date(2026, 11, 28)


def test_overlapping_open_is_refused(db_state, own_project):
    run_json("open", "2026-11")
    before = db_state()
    with pytest.raises(CommandError) as error:
        run("open", "2026-11", "--cadence", "half", "--seq", "2")
    assert str(error.value) == "与已有调度期“2026年11月”时间重叠"
    assert db_state() == before


@pytest.mark.parametrize("username", ["reporter_a", "leader", "inspector"])
def test_user_without_office_role_is_refused(db_state, users, own_project, username):
    before = db_state()
    with pytest.raises(CommandError) as error:
        run("open", "2026-11", "--user", username)
    assert str(error.value) == "该用户无权管理调度期（须为调度员或系统管理员）"
    assert db_state() == before


def test_reporter_cannot_close(users, own_project):
    run_json("open", "2026-11")
    with pytest.raises(CommandError) as error:
        run("close", "2026-11", "--user", "reporter_a")
    assert str(error.value) == "该用户无权管理调度期（须为调度员或系统管理员）"
    assert ReportPeriod.objects.get().status == PeriodStatus.OPEN


def test_unknown_or_inactive_user_is_refused(db_state, users, own_project):
    users["dispatcher"].is_active = False
    users["dispatcher"].save()
    before = db_state()
    for username in ("nobody", "dispatcher"):
        with pytest.raises(CommandError) as error:
            run("open", "2026-11", "--user", username)
        assert str(error.value) == f"用户“{username}”不存在或已停用"
    assert db_state() == before
