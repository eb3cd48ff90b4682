"""notify() stores the in-app message at once and queues a delivery per chosen outside channel after the
commit; deliver() sends them: quiet hours hold them, several to one person become a digest, failures are
retried with backoff and marked 失败 at the limit; the office retries a failed one."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from tuijin.core.models import Notification
from tuijin.core.notify import notify
from tuijin.reminders import jobs, services
from tuijin.reminders.models import Delivery, Preference

SHANGHAI = ZoneInfo("Asia/Shanghai")


def choose(user, channels, mobile="13800000001"):
    return Preference.objects.create(user=user, channels=",".join(channels), mobile=mobile)


def send(users, text, url="/reports/", capture=None):
    with capture(execute=True):
        return notify(users, text, url)


def test_notify_stores_the_message_and_queues_one_delivery_per_chosen_channel(users, channels, django_capture_on_commit_callbacks):
    choose(users["reporter_a"], ["sms", "wecom"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([users["reporter_a"], users["reporter_b"]], "您的填报被退回：请补充形象进度", "/reports/")
        assert Notification.objects.count() == 2 and not Delivery.objects.exists()  # in-app at once, nothing outside yet
    for callback in callbacks:
        callback()
    rows = sorted(Delivery.objects.values_list("user__username", "channel", "recipient", "status"))
    # reporter_b chose nothing and the office's default is none: only the in-app message reaches them.
    assert rows == [("reporter_a", "sms", "13800000001", "pending"), ("reporter_a", "wecom", "13800000001", "pending")]


def test_the_office_s_default_channels_reach_those_who_chose_none_and_unreachable_ones_are_skipped(users, channels, django_capture_on_commit_callbacks):
    channels.TUIJIN_REMINDER_DEFAULT_CHANNELS = ["file", "email"]
    users["reporter_b"].email = "zhao@example.cn"
    users["reporter_b"].save()
    send([users["reporter_a"], users["reporter_b"]], "催报", capture=django_capture_on_commit_callbacks)
    assert sorted(Delivery.objects.values_list("user__username", "channel")) == [
        ("reporter_a", "file"), ("reporter_b", "email"), ("reporter_b", "file")]  # reporter_a has no e-mail


def test_nothing_is_queued_when_the_office_offers_no_outside_channel(users, settings, django_capture_on_commit_callbacks):
    settings.TUIJIN_REMINDER_CHANNELS = []
    Preference.objects.create(user=users["reporter_a"], channels="sms", mobile="13800000001")
    send([users["reporter_a"]], "催报", capture=django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 1 and not Delivery.objects.exists()


def test_deliver_sends_and_several_pending_to_one_person_become_one_digest(users, channels, gateway, django_capture_on_commit_callbacks):
    choose(users["reporter_a"], ["wecom", "file"])
    for text in ("请于11月25日前完成11月调度填报", "问题已逾期3天：“临沂北站”征地", "督办〔2026〕3号：请于12月1日前回复整改方案"):
        send([users["reporter_a"]], text, capture=django_capture_on_commit_callbacks)
    result = jobs.deliver()
    assert result == {"sent": 6, "messages": 2, "retrying": 0, "failed": 0, "held": 0, "quiet": False}
    (request,) = gateway.requests  # one robot message, not three
    content = request["json"]["text"]["content"]
    assert content.startswith("您有3条新消息：\n1. 请于11月25日前完成11月调度填报\n2. 问题已逾期3天")
    assert set(Delivery.objects.values_list("status", "digest_size", "attempts")) == {("sent", 3, 1)}
    # Sent once: a second run sends nothing again.
    assert jobs.deliver()["sent"] == 0 and len(gateway.requests) == 1
    lines = (channels.TUIJIN_REMINDER_FILE and open(channels.TUIJIN_REMINDER_FILE, encoding="utf-8").read().splitlines())
    assert len(lines) == 1 and json.loads(lines[0])["recipient"] == "reporter_a"


def test_a_single_message_carries_its_link_when_the_site_address_is_set(users, channels, gateway, django_capture_on_commit_callbacks):
    channels.TUIJIN_REMINDER_SITE_URL = "https://tuijin.linyi.gov.cn"
    choose(users["reporter_a"], ["wecom"])
    send([users["reporter_a"]], "您的填报被退回", "/reports/7/", capture=django_capture_on_commit_callbacks)
    jobs.deliver()
    assert gateway.requests[0]["json"]["text"]["content"] == "您的填报被退回\nhttps://tuijin.linyi.gov.cn/reports/7/"


@pytest.mark.parametrize("hour, minute, quiet", [(22, 0, True), (23, 59, True), (3, 0, True), (7, 29, True),
                                                 (7, 30, False), (12, 0, False), (21, 59, False)])
def test_quiet_hours_are_22_to_07_30_shanghai_by_default(settings, hour, minute, quiet):
    settings.TUIJIN_REMINDER_QUIET = "22:00-07:30"
    assert services.in_quiet_hours(datetime(2026, 11, 20, hour, minute, tzinfo=SHANGHAI)) is quiet


def test_messages_in_quiet_hours_are_held_and_go_out_after(users, channels, gateway, time_machine, django_capture_on_commit_callbacks):
    channels.TUIJIN_REMINDER_QUIET = "22:00-07:30"
    time_machine.move_to(datetime(2026, 11, 20, 23, 10, tzinfo=SHANGHAI), tick=False)
    choose(users["reporter_a"], ["wecom"])
    send([users["reporter_a"]], "退回一", capture=django_capture_on_commit_callbacks)
    send([users["reporter_a"]], "退回二", capture=django_capture_on_commit_callbacks)
    held = jobs.deliver()
    assert held["quiet"] and held["held"] == 2 and gateway.requests == []
    assert Notification.objects.filter(user=users["reporter_a"]).count() == 2  # in the navbar meanwhile
    time_machine.move_to(datetime(2026, 11, 21, 7, 30, tzinfo=SHANGHAI), tick=False)
    assert jobs.deliver()["messages"] == 1
    assert gateway.requests[0]["json"]["text"]["content"].startswith("您有2条新消息：")


def test_a_failure_is_retried_with_backoff_and_marked_failed_at_the_limit(users, channels, gateway, time_machine, django_capture_on_commit_callbacks):
    channels.TUIJIN_REMINDER_MAX_ATTEMPTS = 3
    channels.TUIJIN_REMINDER_RETRY_MINUTES = 5
    start = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
    time_machine.move_to(start, tick=False)
    gateway.answers = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"}, 0)]
    choose(users["reporter_a"], ["wecom"])
    send([users["reporter_a"]], "催报", capture=django_capture_on_commit_callbacks)
    assert jobs.deliver() == {"sent": 0, "messages": 0, "retrying": 1, "failed": 0, "held": 0, "quiet": False}
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.next_at) == ("pending", 1, start + timedelta(minutes=5))
    assert row.last_error == "企业微信返回错误：errcode 45009（api freq out of limit）"
    assert jobs.deliver()["retrying"] == 0 and len(gateway.requests) == 1  # not due yet
    time_machine.move_to(start + timedelta(minutes=5), tick=False)
    jobs.deliver()
    row.refresh_from_db()
    assert (row.attempts, row.next_at) == (2, start + timedelta(minutes=15))  # the wait doubled
    time_machine.move_to(start + timedelta(minutes=15), tick=False)
    assert jobs.deliver()["failed"] == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 3)
    time_machine.move_to(start + timedelta(days=1), tick=False)
    assert jobs.deliver()["sent"] == 0 and len(gateway.requests) == 3  # a failed one is not tried again by itself


def test_the_office_retries_a_failed_delivery(users, channels, gateway):
    row = Delivery.objects.create(user=users["reporter_a"], channel="wecom", recipient="13800000001", text="催报",
                                  status="failed", attempts=5, last_error="企业微信连接超时（10秒）", next_at=timezone.now())
    with pytest.raises(Exception) as refused:
        services.delivery_retry(users["reporter_a"], row.pk)
    assert type(refused.value).__name__ == "PermissionDenied"
    services.delivery_retry(users["dispatcher"], row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)
    assert jobs.deliver()["sent"] == 1
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("sent", "")


def test_a_sent_delivery_is_not_retried(users, channels):
    row = Delivery.objects.create(user=users["reporter_a"], channel="file", recipient="reporter_a", text="催报",
                                  status="sent", attempts=1, next_at=timezone.now(), sent_at=timezone.now())
    with pytest.raises(ValidationError, match="该消息已发送，无需重发"):
        services.delivery_retry(users["dispatcher"], row.pk)
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 1


def test_a_channel_switched_off_after_queueing_fails_with_its_reason(users, channels, django_capture_on_commit_callbacks):
    choose(users["reporter_a"], ["file"])
    send([users["reporter_a"]], "催报", capture=django_capture_on_commit_callbacks)
    channels.TUIJIN_REMINDER_CHANNELS = ["email"]
    jobs.deliver()
    assert Delivery.objects.get().last_error == "渠道“文件（部署检查）”已停用"


def test_email_deliveries_reach_the_outbox(users, channels, django_capture_on_commit_callbacks):
    users["reporter_a"].email = "li@example.cn"
    users["reporter_a"].save()
    choose(users["reporter_a"], ["email"])
    send([users["reporter_a"]], "您的填报被退回", capture=django_capture_on_commit_callbacks)
    jobs.deliver()
    assert [m.to for m in mail.outbox] == [["li@example.cn"]] and mail.outbox[0].body == "您的填报被退回"


def test_a_person_chooses_channels_and_bad_input_writes_nothing(users, channels):
    reporter = users["reporter_a"]
    with pytest.raises(ValidationError) as error:
        services.preference_save(reporter, channels=["sms"], mobile="")
    assert error.value.message_dict == {"mobile": ["选择短信须填写手机号码"]}
    with pytest.raises(ValidationError) as error:
        services.preference_save(reporter, channels=["wecom"], mobile="1380000")
    assert error.value.message_dict == {"mobile": ["请填写11位手机号码"]}
    with pytest.raises(ValidationError) as error:
        services.preference_save(reporter, channels=["email", "fax"], mobile="")
    assert error.value.message_dict == {"channels": ["不可选择的渠道：fax", "您的账户未登记电子邮箱，请联系系统管理员登记后再选择电子邮件"]}
    assert not Preference.objects.exists()
    pref = services.preference_save(reporter, channels=["sms", "dingtalk"], mobile="138 0000 0001")
    assert (pref.channel_list, pref.mobile) == (["sms", "dingtalk"], "13800000001")
    assert pref.history.count() == 1


def test_the_office_s_cui_bao_now_reaches_the_clerks_channels(users, channels, own_project, django_capture_on_commit_callbacks):
    from tuijin.reports import services as report_services

    choose(users["reporter_a"], ["sms"])
    period = report_services.period_open(None, year=2026, month=11, project_ids=[own_project.pk])
    with django_capture_on_commit_callbacks(execute=True):
        report_services.period_remind(users["dispatcher"], period, all_units=True)
    (row,) = Delivery.objects.all()
    assert (row.user, row.channel, row.recipient) == (users["reporter_a"], "sms", "13800000001")
    assert "2026年11月调度填报" in row.text


def test_a_long_digest_lists_ten_and_counts_the_rest(users):
    from tuijin.reminders.models import Delivery as Row

    rows = [Row(text=f"第{i}条") for i in range(1, 13)]
    text = services.compose(rows)
    assert text.splitlines()[0] == "您有12条新消息："
    assert text.splitlines()[10] == "10. 第10条" and text.splitlines()[-1] == "另有2条，请登录平台查看"
