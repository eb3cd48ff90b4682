"""In-app messages and the hook for outside channels (SMS, e-mail)."""

import pytest
from django.urls import reverse

from tuijin.core.models import Notification
from tuijin.core.notify import mark_read, notify, unread_count

SENT = []


def record_channel(notifications):
    SENT.append([n.text for n in notifications])


def broken_channel(notifications):
    raise RuntimeError("gateway down")


@pytest.fixture(autouse=True)
def _clear():
    SENT.clear()


def test_one_message_per_active_user_and_the_channels_run_after_commit(users, settings, django_capture_on_commit_callbacks):
    settings.TUIJIN_NOTIFY_CHANNELS = ["tests.test_notify.broken_channel", "tests.test_notify.record_channel"]
    users["reporter_b"].is_active = False
    users["reporter_b"].save()
    with django_capture_on_commit_callbacks(execute=True):
        created = notify([users["reporter_a"], users["reporter_a"], users["reporter_b"], None], "请填报11月调度", "/reports/")
    assert [n.user for n in created] == [users["reporter_a"]]
    # The broken gateway is logged and skipped; the next channel still gets the message.
    assert SENT == [["请填报11月调度"]]
    assert unread_count(users["reporter_a"]) == 1


def test_nothing_reaches_the_channels_when_the_transaction_rolls_back(users, settings, django_capture_on_commit_callbacks):
    settings.TUIJIN_NOTIFY_CHANNELS = ["tests.test_notify.record_channel"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([users["reporter_a"]], "催报")
    assert len(callbacks) == 1 and SENT == []


def test_the_navbar_counts_unread_and_the_page_marks_them_read(client, users):
    notify([users["reporter_a"]], "您的填报被退回：请补充形象进度", "/reports/")
    client.force_login(users["reporter_a"])
    page = client.get(reverse("notifications")).content.decode()
    assert "您的填报被退回：请补充形象进度" in page
    assert '<span class="badge text-bg-danger">1</span>' in page
    response = client.post(reverse("notifications_read"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications")  # never an outside redirect
    assert unread_count(users["reporter_a"]) == 0
    assert Notification.objects.get().read_at is not None


def test_mark_read_touches_only_the_users_own_messages(users):
    notify([users["reporter_a"], users["reporter_b"]], "通知")
    assert mark_read(users["reporter_a"]) == 1
    assert unread_count(users["reporter_b"]) == 1


def test_opening_a_message_marks_it_read_and_goes_to_its_page(client, users):
    item = notify([users["reporter_a"]], "退回", "/reports/")[0]
    client.force_login(users["reporter_b"])
    assert client.get(reverse("notification_open", args=[item.pk])).status_code == 404  # not theirs
    client.force_login(users["reporter_a"])
    response = client.get(reverse("notification_open", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == "/reports/"
    assert unread_count(users["reporter_a"]) == 0
