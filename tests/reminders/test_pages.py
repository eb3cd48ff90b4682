"""The 消息提醒 section of 账户与安全 and the office's delivery log (failures first, a retry button)."""

from django.urls import reverse
from django.utils import timezone

from tuijin.reminders.models import Delivery, Preference


def test_the_account_page_offers_the_office_s_channels_and_saves_the_choice(client, users, channels):
    client.force_login(users["reporter_a"])
    page = client.get(reverse("accounts:home")).content.decode()
    assert 'id="reminders"' in page and 'value="sms"' in page and 'value="dingtalk"' in page
    assert "免打扰时段" not in page  # the channels fixture switched quiet hours off
    assert 'id="deliveries-link"' not in page  # a clerk has no delivery log
    response = client.post(reverse("reminders:preferences"), {"channels": ["sms", "wecom"], "mobile": "13800000001"}, follow=True)
    assert "消息提醒设置已保存。" in response.content.decode()
    pref = Preference.objects.get(user=users["reporter_a"])
    assert (pref.channel_list, pref.mobile) == (["sms", "wecom"], "13800000001")
    page = client.get(reverse("accounts:home")).content.decode()
    assert 'value="sms" id="channel-sms" checked' in page and 'value="email" id="channel-email">' in page


def test_bad_input_on_the_account_page_shows_the_reason_and_writes_nothing(client, users, channels):
    client.force_login(users["reporter_a"])
    response = client.post(reverse("reminders:preferences"), {"channels": ["sms"], "mobile": "12345"}, follow=True)
    page = response.content.decode()
    assert "请填写11位手机号码" in page and "选择短信须填写手机号码" not in page
    assert not Preference.objects.exists()


def test_without_outside_channels_the_page_says_only_in_app_messages(client, users, settings):
    settings.TUIJIN_REMINDER_CHANNELS = []
    client.force_login(users["dispatcher"])
    page = client.get(reverse("accounts:home")).content.decode()
    assert 'id="reminders-inapp-only"' in page and 'id="deliveries-link"' in page


def test_the_delivery_log_lists_failures_first_and_retries_one(client, users, channels):
    now = timezone.now()
    sent = Delivery.objects.create(user=users["reporter_a"], channel="wecom", recipient="13800000001", text="已发出的",
                                   status="sent", attempts=1, next_at=now, sent_at=now)
    failed = Delivery.objects.create(user=users["reporter_b"], channel="sms", recipient="13900000002", text="失败的",
                                     status="failed", attempts=5, last_error="短信网关连接超时（10秒）", next_at=now)
    client.force_login(users["dispatcher"])
    page = client.get(reverse("reminders:deliveries")).content.decode()
    assert page.index("失败的") < page.index("已发出的")
    assert "短信网关连接超时（10秒）" in page
    assert reverse("reminders:delivery_retry", args=[failed.pk]) in page
    assert reverse("reminders:delivery_retry", args=[sent.pk]) not in page  # nothing to retry
    only_failed = client.get(reverse("reminders:deliveries"), {"status": "failed"}).content.decode()
    assert "失败的" in only_failed and "已发出的" not in only_failed
    response = client.post(reverse("reminders:delivery_retry", args=[failed.pk]), follow=True)
    assert "已安排重发" in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert client.post(reverse("reminders:delivery_retry", args=[999999])).status_code == 404


def test_the_delivery_log_is_the_office_s(client, users):
    client.force_login(users["reporter_a"])
    assert client.get(reverse("reminders:deliveries")).status_code == 403
