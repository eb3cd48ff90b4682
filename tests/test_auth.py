"""Login and logout in Chinese, account lock after 5 failures for 30 minutes, session timeouts, headers.

No clock-freezing library is installed, so "30 minutes later" is made by moving django-axes'
attempt timestamps and the session's stored times into the past.
"""

import os
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from . import factories as f

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
LEDGER = reverse("projects:list")
WRONG_PASSWORD_MESSAGE = "用户名或密码错误。连续失败5次，账号将被锁定30分钟。"
LOCKED_MESSAGE = "连续登录失败次数过多，该账号已被锁定30分钟"


def log_in(client, username, password=f.PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def logs_in(client, username) -> bool:
    """The right password gets `username` in: a redirect, and the client's session is now theirs."""
    response = log_in(client, username)
    user_pk = str(f.UserFactory._meta.model.objects.get(username=username).pk)
    return response.status_code == 302 and client.session.get(SESSION_KEY) == user_pk


def fail(client, username, times):
    return [log_in(client, username, "wrong-password-1") for _ in range(times)]


def move_attempts_back(minutes: int, username: str) -> None:
    AccessAttempt.objects.filter(username=username).update(attempt_time=timezone.now() - timedelta(minutes=minutes))


# ------------------------------------------------------------------------------------------ login


def test_the_login_page_is_in_chinese(client):
    response = client.get(LOGIN)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in body
    for words in ("登录", "用户名", "密码", "重点项目管理服务平台", "连续5次密码错误，账号将锁定30分钟；空闲30分钟自动退出。"):
        assert words in body


def test_the_right_password_logs_in_and_lands_on_the_first_screen(client, users):
    response = log_in(client, "reporter_a")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(users["reporter_a"].pk)
    landed = client.get(response["Location"], follow=True)
    assert landed.request["PATH_INFO"] == "/" and 'id="home-head"' in landed.content.decode()


def test_a_wrong_password_is_refused_in_chinese(client, users):
    response = log_in(client, "reporter_a", "not-the-password")
    assert response.status_code == 200
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert SESSION_KEY not in client.session


def test_logging_in_gives_a_new_session_id(client, users):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    log_in(client, "reporter_a")
    assert client.session.session_key != before


def test_a_login_redirect_stays_on_this_site(client, users):
    response = client.post(f"{LOGIN}?next=https://evil.example/", {"username": "reporter_a", "password": f.PASSWORD})
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


# -------------------------------------------------------------------------------------- lockout


def test_four_failures_still_allow_the_right_password(client, users):
    fail(client, "reporter_a", 4)
    assert logs_in(client, "reporter_a")


def test_five_failures_lock_the_account_even_for_the_right_password(client, users):
    responses = fail(client, "reporter_a", 5)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429

    sixth = log_in(client, "reporter_a")

    assert sixth.status_code == 429
    body = sixth.content.decode()
    assert "账号已锁定" in body
    assert LOCKED_MESSAGE in body
    assert SESSION_KEY not in client.session


def test_the_lock_is_per_username_and_address(users):
    """An attacker failing 5 times for the leader at address A locks the leader out at A only."""
    attacker = Client(REMOTE_ADDR="10.0.0.66")
    responses = fail(attacker, "leader", 5)
    assert responses[4].status_code == 429
    assert LOCKED_MESSAGE in responses[4].content.decode()
    assert log_in(attacker, "leader").status_code == 429
    real = Client(REMOTE_ADDR="10.0.0.8")
    response = log_in(real, "leader")
    assert response.status_code == 302
    assert real.session[SESSION_KEY] == str(users["leader"].pk)


def test_failures_spread_over_addresses_do_not_lock_the_account(users):
    for i in range(5):
        Client(REMOTE_ADDR=f"10.0.0.{i + 1}").post(LOGIN, {"username": "reporter_a", "password": "wrong-1"})
    assert logs_in(Client(REMOTE_ADDR="10.0.0.99"), "reporter_a")


ADDRESS_MESSAGE = "本网络地址登录失败次数过多，已暂停从该地址登录15分钟"


def spray(address: str, n: int = 30) -> list:
    """One wrong password for each of n usernames from one address (password spraying)."""
    sprayer = Client(REMOTE_ADDR=address)
    return [sprayer.post(LOGIN, {"username": f"user{i:02d}", "password": "Spring2026!"}) for i in range(n)]


def test_password_spraying_from_one_address_is_throttled(users):
    responses = spray("10.9.9.9")
    codes = [r.status_code for r in responses]
    assert codes[:20] == [200] * 20  # each username failed once: no account is locked
    assert codes[20:] == [429] * 10  # the 21st try from that address is refused, whatever the username
    body = responses[-1].content.decode()
    assert ADDRESS_MESSAGE in body and "登录暂停" in body
    # Refused before the password is checked: a real user at that address waits too; elsewhere gets in.
    assert log_in(Client(REMOTE_ADDR="10.9.9.9"), "reporter_a").status_code == 429
    assert logs_in(Client(REMOTE_ADDR="10.9.9.10"), "reporter_a")
    assert AccessAttempt.objects.filter(ip_address="10.9.9.9").count() == 20  # the refused tries were not counted


def test_the_address_throttle_ends_after_the_window(users):
    spray("10.9.9.9", 21)
    assert log_in(Client(REMOTE_ADDR="10.9.9.9"), "reporter_a").status_code == 429
    AccessAttempt.objects.filter(ip_address="10.9.9.9").update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert log_in(Client(REMOTE_ADDR="10.9.9.9"), "reporter_a").status_code == 429
    AccessAttempt.objects.filter(ip_address="10.9.9.9").update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert logs_in(Client(REMOTE_ADDR="10.9.9.9"), "reporter_a")


def test_the_admin_unlocks_a_locked_user_from_the_command_line(users):
    from django.core.management import call_command

    client = Client(REMOTE_ADDR="10.0.0.5")
    fail(client, "leader", 5)
    assert log_in(client, "leader").status_code == 429
    call_command("axes_reset_username", "leader", stdout=open(os.devnull, "w"))
    assert logs_in(client, "leader")


def test_the_admin_lifts_an_address_throttle_from_the_command_line(users):
    from django.core.management import call_command

    spray("10.9.9.9", 21)
    call_command("axes_reset_ip", "10.9.9.9", stdout=open(os.devnull, "w"))
    assert logs_in(Client(REMOTE_ADDR="10.9.9.9"), "reporter_a")


def test_the_admin_sees_and_can_delete_lockouts_in_the_admin(users):
    fail(Client(REMOTE_ADDR="10.0.0.5"), "leader", 5)
    admin = Client()
    admin.force_login(users["admin"])
    response = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert "leader" in response.content.decode()
    attempt = AccessAttempt.objects.get(username="leader")
    response = admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert logs_in(Client(REMOTE_ADDR="10.0.0.5"), "leader")


def test_the_lock_still_holds_after_29_minutes(client, users):
    fail(client, "reporter_a", 5)
    move_attempts_back(29, "reporter_a")
    assert log_in(client, "reporter_a").status_code == 429


def test_the_lock_ends_after_30_minutes(client, users):
    fail(client, "reporter_a", 5)
    move_attempts_back(31, "reporter_a")
    response = log_in(client, "reporter_a")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(users["reporter_a"].pk)


def test_locking_one_user_does_not_lock_another(client, users):
    fail(client, "reporter_a", 5)
    assert log_in(client, "reporter_a").status_code == 429
    other = Client()
    assert logs_in(other, "reporter_b")


def test_an_unknown_user_is_locked_the_same_way_as_a_known_one(client, users):
    responses = fail(client, "nobody-at-all", 5)
    assert responses[0].status_code == 200
    assert WRONG_PASSWORD_MESSAGE in responses[0].content.decode()
    assert responses[4].status_code == 429


def test_a_successful_login_resets_the_failure_count(client, users):
    fail(client, "reporter_a", 4)
    assert logs_in(client, "reporter_a")
    client.post(reverse("logout"))
    fail(client, "reporter_a", 4)
    assert logs_in(client, "reporter_a")


# ------------------------------------------------------------------------------------- sessions


def logged_in(client, user):
    client.force_login(user)
    assert client.get(LEDGER).status_code == 200
    return client


def test_a_session_idle_for_more_than_thirty_minutes_sends_the_user_to_login(client, users):
    logged_in(client, users["reporter_a"])
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(LEDGER)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_each_request_expires_the_session_thirty_minutes_later(client, users):
    logged_in(client, users["reporter_a"])
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    assert timedelta(minutes=29) < expiry - timezone.now() <= timedelta(minutes=30)


def test_activity_slides_the_idle_deadline(client, users):
    logged_in(client, users["reporter_a"])
    key = client.session.session_key
    # 29 minutes idle: one minute left, and the idle timer was last renewed long ago.
    session = client.session
    session["_tj_seen_at"] = int(time.time()) - 29 * 60
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=1))

    assert client.get(LEDGER).status_code == 200

    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry - timezone.now() > timedelta(minutes=29)


def test_a_session_older_than_twelve_hours_ends_even_when_active(client, users):
    logged_in(client, users["reporter_a"])
    session = client.session
    session["_tj_login_at"] = int(time.time()) - 12 * 3600 + 60  # a minute short of twelve hours: still in
    session.save()
    assert client.get(LEDGER).status_code == 200
    session = client.session
    session["_tj_login_at"] = int(time.time()) - 12 * 3600 - 1
    session.save()
    response = client.get(LEDGER)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert client.get(LEDGER).status_code == 302


def test_the_session_cookie_is_http_only_and_not_kept_after_the_browser_closes(client, users):
    response = log_in(client, "reporter_a")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["expires"] and not cookie["max-age"]


# --------------------------------------------------------------------------------------- logout


def test_logout_by_post_ends_the_session_in_chinese(client, users):
    logged_in(client, users["reporter_a"])
    response = client.post(reverse("logout"), follow=True)
    assert SESSION_KEY not in client.session
    assert response.redirect_chain[-1][0] == LOGIN
    assert "用户名" in response.content.decode()
    assert client.get(LEDGER).status_code == 302


def test_logout_by_get_is_refused(client, users):
    logged_in(client, users["reporter_a"])
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(LEDGER).status_code == 200


def test_a_cookie_replayed_after_logout_is_dead(client, users):
    logged_in(client, users["reporter_a"])
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = replay.get(LEDGER)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_disabled_user_is_logged_out_on_the_next_request(client, users):
    logged_in(client, users["reporter_a"])
    users["reporter_a"].is_active = False
    users["reporter_a"].save()
    response = client.get(LEDGER)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    # The session ends for good: enabling the account again does not bring it back without a login.
    users["reporter_a"].is_active = True
    users["reporter_a"].save()
    response = client.get(LEDGER)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# -------------------------------------------------------------------------------------- headers


def test_every_page_has_a_content_security_policy(client):
    response = client.get(LOGIN)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp


def test_pages_forbid_sniffing_framing_and_cross_site_referrers(client, users):
    logged_in(client, users["reporter_a"])
    response = client.get(LEDGER)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_authenticated_pages_are_not_stored_by_the_browser(client, users, own_project):
    logged_in(client, users["reporter_a"])
    for url in (LEDGER, reverse("projects:detail", args=[own_project.pk])):
        assert client.get(url)["Cache-Control"] == "no-store"


def test_behind_the_proxy_failures_count_against_the_forwarded_address(users, settings):
    settings.TUIJIN_BEHIND_PROXY = True
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(5):
        # A client may prepend anything; the proxy appends the address it saw (the last entry).
        proxy.post(LOGIN, {"username": "leader", "password": "wrong-1"}, HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.66")
    assert AccessAttempt.objects.get(username="leader").ip_address == "10.0.0.66"
    locked = proxy.post(LOGIN, {"username": "leader", "password": f.PASSWORD}, HTTP_X_FORWARDED_FOR="10.0.0.66")
    assert locked.status_code == 429
    elsewhere = proxy.post(LOGIN, {"username": "leader", "password": f.PASSWORD}, HTTP_X_FORWARDED_FOR="10.0.0.8")
    assert elsewhere.status_code == 302
