"""The scan: each trigger reminds the right people of the right thing, once per thing and day even when
the scan runs twice; overdue and awaiting ones again only after TUIJIN_REMIND_REPEAT_DAYS."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from tuijin.core.models import Notification
from tuijin.problems.choices import OrderStatus, ProblemStatus
from tuijin.problems.models import Problem, ProblemType, SupervisionOrder
from tuijin.reminders import jobs
from tuijin.reminders.models import ReminderSent
from tuijin.reports import services as report_services
from tuijin.schedules import services as schedule_services
from tuijin.schedules.models import MilestoneTemplate

TODAY = date(2026, 11, 20)


@pytest.fixture
def day(on_day):
    return on_day


def texts(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("text", flat=True))


@pytest.fixture
def period(city, own_project, other_project):
    return report_services.period_open(None, year=2026, month=11, due_on=date(2026, 11, 25),
                                       project_ids=[own_project.pk, other_project.pk])


@pytest.mark.parametrize("on_day", [(2026, 11, 22)], indirect=True)
def test_three_days_before_the_due_date_the_units_missing_reports_are_reminded_once(on_day, period, users, own_project):
    report = period.reports.get(project=own_project)
    report_services.reports_save(users["reporter_a"], period, [
        {"id": report.pk, "version": report.version, "amount": "5", "progress": "主体施工"}], submit=True)
    first = jobs.scan()
    assert first["report_due"] == 1  # reporter_b's unit still owes; reporter_a handed in
    assert texts(users["reporter_b"]) == ["请于11月25日前完成2026年11月调度填报：尚有1个项目未上报"]
    assert texts(users["reporter_a"]) == []
    assert jobs.scan()["report_due"] == 0  # the scan ran twice: sent once
    assert len(texts(users["reporter_b"])) == 1 and ReminderSent.objects.count() == 1


@pytest.mark.parametrize("on_day", [(2026, 11, 23)], indirect=True)
def test_no_reminder_on_a_day_not_configured(on_day, period, users):
    assert jobs.scan()["report_due"] == 0 and texts(users["reporter_b"]) == []


@pytest.mark.parametrize("on_day", [(2026, 11, 25)], indirect=True)
def test_on_the_due_date_the_reminder_says_today(on_day, period, users):
    jobs.scan()
    assert texts(users["reporter_a"]) == ["今天是2026年11月调度填报截止日，尚有1个项目未上报"]


@pytest.mark.parametrize("on_day", [(2026, 11, 26)], indirect=True)
def test_a_period_overdue_is_reminded_and_again_only_after_the_repeat_days(on_day, period, users, settings, time_machine):
    settings.TUIJIN_REMIND_REPEAT_DAYS = 3
    jobs.scan()
    assert texts(users["reporter_a"]) == ["2026年11月调度填报已超过截止日期（11月25日），尚有1个项目未上报，请尽快填报"]
    for later in (date(2026, 11, 27), date(2026, 11, 28)):
        assert jobs.scan(later)["report_overdue"] == 0
    assert jobs.scan(date(2026, 11, 29))["report_overdue"] == 2  # both districts' clerks, three days on
    assert len(texts(users["reporter_a"])) == 2


@pytest.mark.parametrize("on_day", [(2026, 11, 20)], indirect=True)
def test_a_problem_overdue_reminds_the_handling_unit(on_day, users, units, own_project):
    kind = ProblemType.objects.get_or_create(name="征地拆迁/民事纠纷")[0]
    Problem.objects.create(project=own_project, type=kind, description="3户未签协议", raised_on=date(2026, 10, 1),
                           handling_unit=units.land, deadline=date(2026, 11, 17), status=ProblemStatus.HANDLING)
    Problem.objects.create(project=own_project, type=kind, description="已解决的", raised_on=date(2026, 10, 1),
                           handling_unit=units.land, deadline=date(2026, 11, 1), status=ProblemStatus.RESOLVED)
    assert jobs.scan()["problem_overdue"] == 1
    assert texts(users["handler"]) == [f"问题已逾期3天：“{own_project.name}”3户未签协议（解决时限11月17日）"]
    assert jobs.scan()["problem_overdue"] == 0


@pytest.mark.parametrize("on_day", [(2026, 11, 20)], indirect=True)
def test_a_supervision_order_due_and_one_overdue_remind_the_unit(on_day, users, units, own_project):
    SupervisionOrder.objects.create(year=2026, seq=1, project=own_project, unit=units.land, content="加快征地",
                                    reply_by=date(2026, 11, 23), issued_on=date(2026, 11, 1))
    SupervisionOrder.objects.create(year=2026, seq=2, project=own_project, unit=units.land, content="整改",
                                    reply_by=date(2026, 11, 5), rectify_by=date(2026, 11, 18),
                                    status=OrderStatus.RECTIFYING, issued_on=date(2026, 11, 1))
    result = jobs.scan()
    assert (result["order_due"], result["order_overdue"]) == (1, 1)
    assert texts(users["handler"]) == [
        f"督办〔2026〕1号：请于11月23日前回复整改方案（{own_project.name}）",
        f"督办〔2026〕2号已逾期2天：请尽快完成整改（{own_project.name}，时限11月18日）"]
    again = jobs.scan()
    assert (again["order_due"], again["order_overdue"]) == (0, 0)


@pytest.mark.parametrize("on_day", [(2026, 11, 20)], indirect=True)
def test_a_schedule_awaiting_its_baseline_tells_the_office_until_approved(on_day, users, own_project):
    template = MilestoneTemplate.objects.get(kind="building")
    schedule_services.apply_template(None, own_project, template, TODAY + timedelta(days=365))
    assert jobs.scan()["schedule_pending"] == 1  # the city's dispatcher (the admin principal holds no grant)
    assert texts(users["dispatcher"]) == [f"“{own_project.name}”的进度计划（倒排工期）已编排，待批准基线"]
    assert texts(users["reporter_a"]) == []
    assert jobs.scan()["schedule_pending"] == 0
    schedule_services.baseline_approve(users["dispatcher"], own_project)
    assert jobs.scan(TODAY + timedelta(days=30))["schedule_pending"] == 0


@pytest.mark.parametrize("on_day", [(2026, 11, 22)], indirect=True)
def test_the_cli_scans_and_delivers_with_json(on_day, period, users, capsys, settings, tmp_path):
    settings.TUIJIN_REMINDER_CHANNELS = ["file"]
    settings.TUIJIN_REMINDER_DEFAULT_CHANNELS = ["file"]
    settings.TUIJIN_REMINDER_FILE = str(tmp_path / "outbox.jsonl")
    settings.TUIJIN_REMINDER_QUIET = ""
    call_command("reminders", "scan", "--json")
    import json

    assert json.loads(capsys.readouterr().out)["report_due"] == 2
    call_command("reminders", "scan")
    assert capsys.readouterr().out.strip() == "没有需要提醒的事项"


@pytest.mark.parametrize("on_day", [(2026, 11, 20)], indirect=True)
def test_several_schedules_awaiting_are_one_message_to_each_office_person(on_day, users, own_project, other_project):
    template = MilestoneTemplate.objects.get(kind="building")
    for project in (own_project, other_project):
        schedule_services.apply_template(None, project, template, TODAY + timedelta(days=365))
    assert jobs.scan()["schedule_pending"] == 1
    (text,) = texts(users["dispatcher"])
    assert text.startswith("2个项目的进度计划（倒排工期）已编排，待批准基线：")
    assert own_project.name in text and other_project.name in text
    assert ReminderSent.objects.filter(trigger="schedule_pending").count() == 2
    assert jobs.scan()["schedule_pending"] == 0
