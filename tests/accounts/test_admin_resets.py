"""The administrators' resets (三权分立): only the system administrator resets passwords, only the security
administrator second factors; nobody resets their own; each is audited (an event) and leaves the user a
duty (change the temporary password; enrol again when the role requires it). Plus the 账户与安全 page."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from tests.events import heard
from tuijin.accounts import events, services
from tuijin.accounts.models import AccountState
from tuijin.org.choices import Role

from .helpers import code, enrolled, log_in

pytestmark = pytest.mark.django_db

USERS = reverse("accounts:users")
HOME = reverse("accounts:home")


@pytest.fixture
def admins(city):
    """A system administrator (not the superuser), a security and an audit administrator."""
    unit = city.units.development
    return {
        "system": f.member("sysadmin", "钱系统", unit, Role.ADMIN),
        "security": f.member("secadmin", "孙安全", unit, Role.SECURITY),
        "auditor": f.member("audadmin", "周审计", unit, Role.AUDITOR),
    }


def reset_password_url(user):
    return reverse("accounts:reset_password", args=[user.pk])


def reset_factor_url(user):
    return reverse("accounts:reset_factor", args=[user.pk])


# ------------------------------------------------------------------------------------- services


def test_only_the_system_administrator_resets_a_password(users, admins):
    target = users["reporter_a"]
    for by in (admins["security"], admins["auditor"], users["dispatcher"], users["leader"], users["outsider"]):
        with pytest.raises(PermissionDenied, match="只有系统管理员可以重置密码。"):
            services.reset_password(target, by)
    with pytest.raises(PermissionDenied, match="不能重置自己的密码"):
        services.reset_password(admins["system"], admins["system"])
    target.refresh_from_db()
    assert target.check_password(f.PASSWORD) and not AccountState.objects.exists()


def test_only_the_security_administrator_resets_a_second_factor(users, admins):
    target = users["reporter_a"]
    enrolled(target)
    for by in (admins["system"], admins["auditor"], users["dispatcher"], users["outsider"]):
        with pytest.raises(PermissionDenied, match="只有安全管理员可以重置双因素认证。"):
            services.reset_second_factor(target, by)
    enrolled(admins["security"])
    with pytest.raises(PermissionDenied, match="不能重置自己的双因素认证。"):
        services.reset_second_factor(admins["security"], admins["security"])
    assert TOTPDevice.objects.filter(user=target).exists() and TOTPDevice.objects.filter(user=admins["security"]).exists()


def test_a_reset_password_is_temporary_and_must_be_changed(client, users, admins, django_capture_on_commit_callbacks):
    target = users["reporter_a"]
    with heard(events.PasswordReset, events.PasswordChanged) as got, django_capture_on_commit_callbacks(execute=True):
        temporary = services.reset_password(target, admins["system"])
    assert got == [events.PasswordReset(user_id=target.pk, by_id=admins["system"].pk)]
    assert len(temporary) >= 12
    assert log_in(client, "reporter_a", f.PASSWORD).status_code == 200  # the old password is gone
    response = log_in(client, "reporter_a", temporary)
    assert response["Location"] == reverse("accounts:password")
    assert "管理员已重置您的密码" in client.get(reverse("accounts:password")).content.decode()
    assert client.get("/")["Location"] == reverse("accounts:password")
    with heard(events.PasswordChanged) as got, django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password"), {"old_password": temporary, "new_password1": "Hn9$kw2Lzq",
                                                   "new_password2": "Hn9$kw2Lzq"})
    assert got == [events.PasswordChanged(user_id=target.pk, by_id=target.pk, reason="reset")]
    assert client.get("/").status_code == 200
    assert not AccountState.objects.get(user=target).must_change_password


def test_a_reset_ends_the_users_open_sessions(client, users, admins):
    client.force_login(users["reporter_a"])
    assert client.get("/").status_code == 200
    services.reset_password(users["reporter_a"], admins["system"])
    assert client.get("/")["Location"].startswith(reverse("login"))


def test_a_second_factor_reset_sends_a_required_user_to_enrol_again(client, users, admins, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.TUIJIN_SECOND_FACTOR_ROLES = ["dispatcher"]
    target = users["dispatcher"]
    enrolled(target)
    with heard(events.FactorReset) as got, django_capture_on_commit_callbacks(execute=True):
        services.reset_second_factor(target, admins["security"])
    assert got == [events.FactorReset(user_id=target.pk, by_id=admins["security"].pk)]
    assert not TOTPDevice.objects.filter(user=target).exists() and not StaticDevice.objects.filter(user=target).exists()
    assert log_in(client, "dispatcher")["Location"] == reverse("accounts:enrol")


# ------------------------------------------------------------------------------------- the pages


def test_the_user_list_shows_each_administrator_their_own_button(client, users, admins):
    enrolled(users["reporter_a"])
    client.force_login(admins["system"])
    page = client.get(USERS).content.decode()
    assert reset_password_url(users["reporter_a"]) in page and reset_factor_url(users["reporter_a"]) not in page
    assert reset_password_url(admins["system"]) not in page  # not for oneself
    client.force_login(admins["security"])
    page = client.get(USERS).content.decode()
    assert reset_factor_url(users["reporter_a"]) in page and reset_password_url(users["reporter_a"]) not in page
    for name in ("auditor",):
        client.force_login(admins[name])
        assert client.get(USERS).status_code == 403
    for name in ("dispatcher", "reporter_a", "outsider"):
        client.force_login(users[name])
        assert client.get(USERS).status_code == 403


def test_the_reset_page_shows_the_temporary_password_once(client, users, admins):
    client.force_login(admins["system"])
    response = client.post(reset_password_url(users["reporter_a"]))
    assert response.status_code == 302 and response["Location"] == USERS
    page = client.get(USERS).content.decode()
    assert 'id="temporary-password"' in page
    temporary = page.split('<code class="fs-5">')[1].split("</code>")[0]
    assert get_user_model().objects.get(username="reporter_a").check_password(temporary)
    assert 'id="temporary-password"' not in client.get(USERS).content.decode()


def test_the_reset_pages_refuse_others_and_oneself(client, users, admins):
    enrolled(users["reporter_a"])
    client.force_login(admins["security"])
    assert client.post(reset_password_url(users["reporter_a"])).status_code == 403
    client.force_login(admins["system"])
    assert client.post(reset_factor_url(users["reporter_a"])).status_code == 403
    assert client.get(reset_password_url(users["reporter_a"])).status_code == 405
    own = client.post(reset_password_url(admins["system"]), follow=True).content.decode()
    assert "不能重置自己的密码" in own
    assert get_user_model().objects.get(username="sysadmin").check_password(f.PASSWORD)
    assert client.post(reverse("accounts:reset_password", args=[999_999])).status_code == 404
    client.force_login(admins["security"])
    assert client.post(reverse("accounts:reset_factor", args=[999_999])).status_code == 404
    assert TOTPDevice.objects.filter(user=users["reporter_a"]).exists()
    assert get_user_model().objects.get(username="reporter_a").check_password(f.PASSWORD)


def test_the_factor_reset_page_removes_the_devices(client, users, admins):
    enrolled(users["reporter_a"])
    client.force_login(admins["security"])
    response = client.post(reset_factor_url(users["reporter_a"]), follow=True)
    assert "已重置reporter_a的双因素认证。" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=users["reporter_a"]).exists()
    again = client.post(reset_factor_url(users["reporter_a"]), follow=True).content.decode()
    assert "该用户尚未启用双因素认证，无需重置。" in again


def test_every_signed_in_user_has_an_account_page(client, users):
    assert client.get(HOME)["Location"].startswith(reverse("login"))
    for name in ("reporter_a", "outsider", "leader"):
        client.force_login(users[name])
        page = client.get(HOME).content.decode()
        assert "账户与安全" in page and 'id="last-login"' in page and "修改密码" in page and "绑定验证器" in page
        assert f'href="{HOME}"' in page  # the top bar's link


def test_the_account_page_does_not_send_anyone_to_the_admin_login(client, users):
    client.force_login(users["reporter_a"])
    page = client.get(HOME).content.decode()
    assert "/admin/" not in page
    assert client.get(reverse("accounts:password")).status_code == 200


def test_the_code_step_then_enrolment_order_for_a_reset_required_user(client, users, admins, settings):
    """A dispatcher whose password was reset and who has an authenticator: code, then the new password."""
    settings.TUIJIN_SECOND_FACTOR_ROLES = ["dispatcher"]
    key, _codes = enrolled(users["dispatcher"])
    temporary = services.reset_password(users["dispatcher"], admins["system"])
    assert log_in(client, "dispatcher", temporary)["Location"] == reverse("login_code")
    assert client.post(reverse("login_code"), {"code": code(key, 1)})["Location"] == reverse("accounts:password")
    assert client.session[SESSION_KEY] == str(users["dispatcher"].pk)


def test_the_django_admin_login_hands_over_to_the_sites_two_step_login(client, users):
    response = client.get(reverse("admin:login") + "?next=/admin/auth/user/")
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next=/admin/auth/user/"
    posted = client.post(reverse("admin:login"), {"username": "admin", "password": f.PASSWORD})
    assert posted.status_code == 302 and SESSION_KEY not in client.session  # no sign-in past the second factor
    client.force_login(users["dispatcher"])
    assert client.get(reverse("admin:login")).status_code == 403
    client.force_login(users["admin"])
    assert client.get(reverse("admin:login"))["Location"] == reverse("admin:index")
    evil = client.get(reverse("admin:login") + "?next=https://evil.example/")
    assert evil["Location"] == reverse("admin:index")


def test_the_admin_site_shows_no_authenticator_secrets(client, users):
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice) and not admin.site.is_registered(StaticDevice)
    client.force_login(users["admin"])
    assert "otp_totp" not in client.get(reverse("admin:index")).content.decode()


def test_the_account_pages_have_english_translations(client, users):
    from django.conf import settings

    client.force_login(users["reporter_a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(HOME).content.decode()
    assert "Account and security" in page and "Change password" in page and "Bind an authenticator" in page
    refused = client.post(reverse("accounts:password"), {"old_password": f.PASSWORD, "new_password1": "luozhuang",
                                                         "new_password2": "luozhuang"}).content.decode()
    assert "This password is too common and easily guessed; choose another." in refused
