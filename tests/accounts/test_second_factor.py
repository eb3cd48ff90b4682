"""The second factor: enrolment (QR code, secret, confirming code, ten recovery codes shown once), the
two-step login (code, recovery code, wrong code), the roles that must enrol, re-binding, turning it off,
recovery codes regenerated, and the demo's exemption."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from tests.events import heard
from tuijin.accounts import events, selectors, services
from tuijin.accounts.models import AccountState
from tuijin.accounts.views import ENROL_KEY

from .helpers import LOGIN, LOGIN_CODE, code, enrolled, log_in

pytestmark = pytest.mark.django_db

ENROL = reverse("accounts:enrol")
HOME = reverse("accounts:home")
LEDGER = reverse("projects:list")
WRONG_CODE = "验证码错误或已过期，请重新输入。"


@pytest.fixture
def no_throttle(settings):
    """django-otp waits 1, 2, 4… seconds after each failure; these tests try the right code right after."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def required(settings):
    settings.TUIJIN_SECOND_FACTOR_ROLES = ["admin", "dispatcher", "security", "auditor"]


# ------------------------------------------------------------------------------------- enrolment


def test_enrolment_shows_a_qr_code_and_the_secret_then_ten_recovery_codes_once(client, users,
                                                                            django_capture_on_commit_callbacks):
    user = users["reporter_a"]
    client.force_login(user)
    page = client.get(ENROL).content.decode()
    key = client.session[ENROL_KEY]
    secret = selectors_secret(key)
    assert "<svg" in page and "<path" in page and secret in page
    assert not TOTPDevice.objects.filter(user=user).exists()  # nothing stored until a code confirms it
    with heard(events.FactorEnrolled) as got, django_capture_on_commit_callbacks(execute=True):
        response = client.post(ENROL, {"token": code(key)})
    assert response.status_code == 302 and response["Location"] == HOME
    assert got == [events.FactorEnrolled(user_id=user.pk)]
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.key == key
    tokens = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(tokens) == 10
    shown = client.get(HOME).content.decode()
    assert "恢复码（只显示这一次）" in shown and all(token in shown for token in tokens)
    again = client.get(HOME).content.decode()
    assert "只显示这一次" not in again and not any(token in again for token in tokens)
    assert "已启用" in again and "剩余恢复码10个" in again


def selectors_secret(key: str) -> str:
    from base64 import b32encode
    from binascii import unhexlify

    return b32encode(unhexlify(key.encode())).decode()


def test_a_wrong_enrolment_code_stores_nothing(client, users):
    client.force_login(users["reporter_a"])
    client.get(ENROL)
    key = client.session[ENROL_KEY]
    wrong = f"{(int(code(key)) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"token": wrong})
    assert response.status_code == 200
    assert "验证码不正确，请输入验证器当前显示的6位数字。" in response.content.decode()
    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()


def test_rebinding_asks_for_the_password_and_replaces_the_old_authenticator(client, users):
    user = users["reporter_a"]
    old_key, old_codes = enrolled(user)
    client.force_login(user)
    client.get(ENROL)
    key = client.session[ENROL_KEY]
    refused = client.post(ENROL, {"token": code(key), "password": "not-it"})
    assert "密码不正确。" in refused.content.decode()
    assert TOTPDevice.objects.get(user=user).key == old_key
    client.post(ENROL, {"token": code(key), "password": f.PASSWORD})
    assert list(TOTPDevice.objects.filter(user=user).values_list("key", flat=True)) == [key]
    assert not StaticToken.objects.filter(token__in=old_codes).exists()


# ------------------------------------------------------------------------------------- login


def test_login_with_a_code_is_two_steps(client, users):
    user = users["reporter_a"]
    key, _codes = enrolled(user)
    first = log_in(client, "reporter_a", next_url=LEDGER)
    assert first.status_code == 302 and first["Location"] == LOGIN_CODE
    assert SESSION_KEY not in client.session  # not signed in after the password alone
    assert client.get(LEDGER)["Location"].startswith(LOGIN)
    page = client.get(LOGIN_CODE).content.decode()
    assert "验证码或恢复码" in page
    done = client.post(LOGIN_CODE, {"code": code(key, 1)})  # the enrolment used this step's code
    assert done.status_code == 302 and done["Location"] == LEDGER
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_wrong_code_is_refused_in_chinese(client, users, no_throttle, django_capture_on_commit_callbacks):
    user = users["reporter_a"]
    key, _codes = enrolled(user)
    log_in(client, "reporter_a")
    wrong = f"{(int(code(key, 1)) + 1) % 1_000_000:06d}"
    with heard(events.SecondFactorFailed) as got, django_capture_on_commit_callbacks(execute=True):
        response = client.post(LOGIN_CODE, {"code": wrong})
    assert response.status_code == 200 and WRONG_CODE in response.content.decode()
    assert SESSION_KEY not in client.session and got == [events.SecondFactorFailed(user_id=user.pk)]
    assert client.post(LOGIN_CODE, {"code": code(key, 1)})["Location"] == "/"


def test_a_code_right_after_a_failure_is_throttled(client, users):
    key, _codes = enrolled(users["reporter_a"])
    log_in(client, "reporter_a")
    client.post(LOGIN_CODE, {"code": "000000" if code(key, 1) != "000000" else "111111"})
    response = client.post(LOGIN_CODE, {"code": code(key, 1)})
    assert WRONG_CODE in response.content.decode() and SESSION_KEY not in client.session


def test_a_used_code_cannot_be_replayed(client, users):
    from binascii import unhexlify

    from django_otp.oath import TOTP

    key, _codes = enrolled(users["reporter_a"])
    used = TOTP(unhexlify(key.encode()))
    used.time = TOTPDevice.objects.get(user=users["reporter_a"]).last_t * 30 + 1
    log_in(client, "reporter_a")
    response = client.post(LOGIN_CODE, {"code": f"{used.token():06d}"})  # the code the enrolment already used
    assert WRONG_CODE in response.content.decode()


def test_five_wrong_codes_end_the_attempt(client, users, no_throttle):
    key, _codes = enrolled(users["reporter_a"])
    log_in(client, "reporter_a")
    wrong = f"{(int(code(key, 1)) + 1) % 1_000_000:06d}"
    for _ in range(4):
        assert client.post(LOGIN_CODE, {"code": wrong}).status_code == 200
    fifth = client.post(LOGIN_CODE, {"code": wrong})
    assert fifth["Location"] == LOGIN
    assert client.get(LOGIN_CODE)["Location"] == LOGIN  # the password step must be passed again
    assert SESSION_KEY not in client.session


def test_a_recovery_code_logs_in_once(client, users, django_capture_on_commit_callbacks):
    user = users["reporter_a"]
    _key, codes = enrolled(user)
    log_in(client, "reporter_a")
    with heard(events.RecoveryCodeUsed) as got, django_capture_on_commit_callbacks(execute=True):
        response = client.post(LOGIN_CODE, {"code": codes[3].upper()})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(user.pk)
    assert got == [events.RecoveryCodeUsed(user_id=user.pk)]
    assert "剩余9个" in client.get("/").content.decode()
    client.post(reverse("logout"))
    log_in(client, "reporter_a")
    assert WRONG_CODE in client.post(LOGIN_CODE, {"code": codes[3]}).content.decode()


def test_the_code_step_without_a_password_step_goes_back_to_login(client, users):
    assert client.get(LOGIN_CODE)["Location"] == LOGIN
    assert client.post(LOGIN_CODE, {"code": "123456"})["Location"] == LOGIN


def test_a_required_role_without_an_authenticator_is_sent_to_enrolment(client, users, required):
    response = log_in(client, "dispatcher", next_url=LEDGER)
    assert response["Location"] == ENROL
    assert client.get(LEDGER)["Location"] == ENROL
    assert "您的角色须使用双因素认证" in client.get(ENROL).content.decode()
    key = client.session[ENROL_KEY]
    done = client.post(ENROL, {"token": code(key)})
    assert done["Location"] == HOME
    assert "恢复码（只显示这一次）" in client.get(HOME).content.decode()
    assert client.get(LEDGER).status_code == 200


def test_a_role_outside_the_setting_is_not_required(client, users, required):
    assert log_in(client, "reporter_a")["Location"] == "/"
    assert not selectors.second_factor_required(users["reporter_a"])
    assert selectors.second_factor_required(users["dispatcher"]) and selectors.second_factor_required(users["admin"])


def test_the_security_and_audit_administrators_are_required(city, required):
    from tuijin.org.choices import Role

    for role in (Role.SECURITY, Role.AUDITOR):
        user = f.member(f"the_{role}", "管理员", city.units.development, role)
        assert selectors.second_factor_required(user)


# ------------------------------------------------------------------------------------- managing it


def test_recovery_codes_are_regenerated_and_the_old_ones_die(client, users):
    user = users["reporter_a"]
    _key, old = enrolled(user)
    client.force_login(user)
    assert client.post(reverse("accounts:codes"))["Location"] == HOME
    page = client.get(HOME).content.decode()
    new = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(new) == 10 and not new & set(old) and all(token in page for token in new)


def test_regenerating_without_an_authenticator_is_refused(client, users):
    client.force_login(users["reporter_a"])
    page = client.post(reverse("accounts:codes"), follow=True).content.decode()
    assert "尚未启用双因素认证，无法生成恢复码。" in page and not StaticToken.objects.exists()


def test_a_user_not_required_may_turn_it_off_with_their_password(client, users, django_capture_on_commit_callbacks):
    user = users["reporter_a"]
    enrolled(user)
    client.force_login(user)
    refused = client.post(reverse("accounts:factor_remove"), {"password": "nope"}, follow=True)
    assert "密码不正确。" in refused.content.decode() and TOTPDevice.objects.filter(user=user).exists()
    with heard(events.FactorRemoved) as got, django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:factor_remove"), {"password": f.PASSWORD})
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticToken.objects.exists()
    assert got == [events.FactorRemoved(user_id=user.pk, by_id=user.pk)]
    assert log_in(client, "reporter_a")["Location"] == "/"  # one step again


def test_a_required_user_may_not_turn_it_off(client, users, required):
    user = users["dispatcher"]
    enrolled(user)
    client.force_login(user)
    page = client.post(reverse("accounts:factor_remove"), {"password": f.PASSWORD}, follow=True).content.decode()
    assert "您的角色必须使用双因素认证，不能关闭" in page and TOTPDevice.objects.filter(user=user).exists()


# ------------------------------------------------------------------------------------- the demo


def demo_marked(user):
    from tuijin.demo.models import DemoRun

    AccountState.objects.create(user=user, demo_exempt=True)
    DemoRun.objects.create(seed=1)


def test_demo_users_are_exempt_in_a_demo_installation(client, users, required, settings):
    settings.TUIJIN_PASSWORD_CHANGE_FIRST_LOGIN = True
    demo_marked(users["dispatcher"])
    page = client.get(LOGIN).content.decode()
    assert "这是演示系统：演示账号（密码 tuijin-demo）免于密码规则和双因素认证。" in page
    assert log_in(client, "dispatcher")["Location"] == "/"
    assert "演示账号：本演示系统中免于双因素认证。" in client.get(HOME).content.decode()


def test_the_demo_mark_counts_for_nothing_outside_a_demo(client, users, required):
    AccountState.objects.create(user=users["dispatcher"], demo_exempt=True)
    assert "这是演示系统" not in client.get(LOGIN).content.decode()
    assert log_in(client, "dispatcher")["Location"] == ENROL


def test_a_demo_user_with_an_authenticator_is_not_asked_for_a_code(client, users):
    enrolled(users["reporter_a"])
    demo_marked(users["reporter_a"])
    assert log_in(client, "reporter_a")["Location"] == "/"


def test_services_refuse_a_code_of_the_wrong_shape(users):
    key, _codes = enrolled(users["reporter_a"])
    assert services.totp_match(key, "12345") is None and services.totp_match(key, "abcdef") is None
    assert services.verify_second_factor(users["reporter_a"], "") is None
