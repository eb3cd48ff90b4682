"""Password rules (table-driven, with the probe's weak passwords), no reuse of the last five, changing one's
own password, the forced change (first login, expiry, an administrator's reset) and the expiry warning."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.events import heard
from tuijin.accounts import events, services
from tuijin.accounts.models import AccountState, PasswordHistory

from .helpers import log_in

pytestmark = pytest.mark.django_db

PASSWORD_URL = reverse("accounts:password")
LEDGER = reverse("projects:list")

# password, the codes of the rules it breaks (for user "zhangwei")
WEAK = [
    ("luozhuang", {"password_too_simple", "password_too_common"}),
    ("tuijin123", {"password_too_simple", "password_too_common"}),
    ("linyi2026", {"password_too_simple", "password_too_common"}),
    ("00000000a", {"password_too_simple", "password_too_common"}),
    ("Admin@123", {"password_too_common"}),
    ("tuijin-demo", {"password_too_simple", "password_too_common"}),
    ("ADMIN@123", {"password_too_common"}),
    ("P@ssw0rd", {"password_too_common"}),
    ("Ab1!xyz", {"password_too_short"}),
    ("abcdefghijkl", {"password_too_simple"}),
    ("Abcdefghijkl", {"password_too_simple"}),
    ("12345678!", {"password_too_simple"}),
    ("Zhangwei#2026", {"password_contains_username"}),
    ("my-ZHANGWEI-9", {"password_contains_username"}),
]
GOOD = ["Qx7#mLp2vR", "Hn9$kw2Lzq", "Yi-meng-Shan-58", "蒙山Sunrise-2026", "correct Horse 9 staple", "s7T-vb4Qw8ee",
        "NoSymbolsBut3Classes"]
REASONS = {
    "password_too_simple": "密码太简单：须包含大写字母、小写字母、数字、符号四类中的至少3类。",
    "password_too_common": "密码过于常见，容易被猜中，请换一个。",
    "password_too_short": "密码太短：至少需要8个字符。",
    "password_contains_username": "密码不能包含用户名。",
}


@pytest.fixture
def zhangwei():
    return f.UserFactory(username="zhangwei")


@pytest.mark.parametrize(("password", "broken"), WEAK, ids=[w for w, _ in WEAK])
def test_a_weak_password_is_refused_with_each_chinese_reason(zhangwei, password, broken):
    with pytest.raises(ValidationError) as caught:
        validate_password(password, zhangwei)
    assert {e.code for e in caught.value.error_list} == broken
    assert sorted(caught.value.messages) == sorted(REASONS[code] for code in broken)


@pytest.mark.parametrize("password", GOOD)
def test_a_good_password_passes(zhangwei, password):
    validate_password(password, zhangwei)


def test_the_rules_follow_the_settings(zhangwei, settings):
    settings.TUIJIN_PASSWORD_MIN_LENGTH = 12
    settings.TUIJIN_PASSWORD_MIN_CLASSES = 4
    with pytest.raises(ValidationError) as caught:
        validate_password("Qx7#mLp2vR", zhangwei)
    assert caught.value.messages == ["密码太短：至少需要12个字符。"]
    with pytest.raises(ValidationError) as caught:
        validate_password("NoSymbolsBut3Classes", zhangwei)
    assert caught.value.messages == ["密码太简单：须包含大写字母、小写字母、数字、符号四类中的至少4类。"]


def test_the_last_five_passwords_may_not_be_used_again(zhangwei):
    passwords = [f.PASSWORD] + [f"Fresh-{n}-Pass" for n in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        services.password_change(zhangwei, old_password=old, new_password=new)
    assert PasswordHistory.objects.filter(user=zhangwei).count() == 5
    for reused in passwords[1:]:  # the current one and the four before it
        with pytest.raises(ValidationError) as caught:
            services.password_change(zhangwei, old_password=passwords[-1], new_password=reused)
        assert caught.value.message_dict["new_password1"] in (["不能使用最近5次用过的密码。"],
                                                              ["新密码不能与原密码相同。"])
    zhangwei.refresh_from_db()
    assert zhangwei.check_password(passwords[-1])
    services.password_change(zhangwei, old_password=passwords[-1], new_password=passwords[0])  # six ago: allowed
    zhangwei.refresh_from_db()
    assert zhangwei.check_password(passwords[0])


def test_a_wrong_old_password_changes_nothing(zhangwei, django_capture_on_commit_callbacks):
    with heard(events.PasswordChanged) as got, django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError) as caught:
            services.password_change(zhangwei, old_password="not-it", new_password="Qx7#mLp2vR")
    assert caught.value.message_dict == {"old_password": ["原密码不正确。"]}
    zhangwei.refresh_from_db()
    assert zhangwei.check_password(f.PASSWORD) and got == []
    assert not AccountState.objects.filter(user=zhangwei).exists()


# ------------------------------------------------------------------------------------ the page


def test_any_signed_in_user_changes_their_own_password_on_the_page(client, users, django_capture_on_commit_callbacks):
    client.force_login(users["reporter_a"])
    page = client.get(PASSWORD_URL)
    assert page.status_code == 200 and "再次输入新密码" in page.content.decode()
    with heard(events.PasswordChanged) as got, django_capture_on_commit_callbacks(execute=True):
        response = client.post(PASSWORD_URL, {"old_password": f.PASSWORD, "new_password1": "Qx7#mLp2vR",
                                              "new_password2": "Qx7#mLp2vR"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")
    user = get_user_model().objects.get(username="reporter_a")
    assert user.check_password("Qx7#mLp2vR")
    assert got == [events.PasswordChanged(user_id=user.pk, by_id=user.pk, reason="self")]
    assert AccountState.objects.get(user=user).password_changed_at is not None
    assert client.get(LEDGER).status_code == 200  # still signed in (the session follows the new password)


@pytest.mark.parametrize(("new1", "new2", "message"), [
    ("Qx7#mLp2vR", "Qx7#mLp2vX", "两次输入的新密码不一致。"),
    ("luozhuang", "luozhuang", "密码过于常见，容易被猜中，请换一个。"),
    ("Admin@123", "Admin@123", "密码过于常见，容易被猜中，请换一个。"),
])
def test_the_page_refuses_in_chinese_and_writes_nothing(client, users, new1, new2, message):
    client.force_login(users["reporter_a"])
    response = client.post(PASSWORD_URL, {"old_password": f.PASSWORD, "new_password1": new1, "new_password2": new2})
    assert response.status_code == 200 and message in response.content.decode()
    assert get_user_model().objects.get(username="reporter_a").check_password(f.PASSWORD)
    assert not PasswordHistory.objects.exists()


# ------------------------------------------------------------------------------ forced change


def test_the_first_login_must_choose_a_new_password(client, users, settings, django_capture_on_commit_callbacks):
    settings.TUIJIN_PASSWORD_CHANGE_FIRST_LOGIN = True
    response = log_in(client, "reporter_a", next_url=LEDGER)
    assert response.status_code == 302 and response["Location"] == PASSWORD_URL
    assert client.session[SESSION_KEY] == str(users["reporter_a"].pk)
    held = client.get(LEDGER)
    assert held.status_code == 302 and held["Location"] == PASSWORD_URL
    assert "首次登录，请先设置您自己的密码。" in client.get(PASSWORD_URL).content.decode()
    with heard(events.PasswordChanged) as got, django_capture_on_commit_callbacks(execute=True):
        done = client.post(PASSWORD_URL, {"old_password": f.PASSWORD, "new_password1": "Hn9$kw2Lzq",
                                          "new_password2": "Hn9$kw2Lzq"})
    assert done.status_code == 302 and done["Location"] == LEDGER  # on to where the user was going
    assert got[0].reason == "first"
    assert client.get(LEDGER).status_code == 200
    client.post(reverse("logout"))
    assert log_in(client, "reporter_a", "Hn9$kw2Lzq")["Location"] == "/"  # once is enough


def test_a_held_user_may_still_log_out_and_load_static_files(client, users, settings):
    settings.TUIJIN_PASSWORD_CHANGE_FIRST_LOGIN = True
    log_in(client, "reporter_a")
    for url in (reverse("accounts:home"), reverse("notifications"), "/"):
        assert client.get(url)["Location"] == PASSWORD_URL
    assert client.get(f"{settings.STATIC_URL}vendor/missing.css").status_code == 404  # passed through
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert SESSION_KEY not in client.session


def test_an_expired_password_must_be_changed(client, users, django_capture_on_commit_callbacks):
    user = users["reporter_a"]
    AccountState.objects.create(user=user, password_changed_at=timezone.now() - timedelta(days=91))
    response = log_in(client, "reporter_a")
    assert response["Location"] == PASSWORD_URL
    assert "您的密码已过期，请修改后继续使用。" in client.get(PASSWORD_URL).content.decode()
    with heard(events.PasswordChanged) as got, django_capture_on_commit_callbacks(execute=True):
        client.post(PASSWORD_URL, {"old_password": f.PASSWORD, "new_password1": "Hn9$kw2Lzq", "new_password2": "Hn9$kw2Lzq"})
    assert [e.reason for e in got] == ["expired"]


def test_a_password_close_to_expiry_is_warned_about(client, users):
    AccountState.objects.create(user=users["reporter_a"], password_changed_at=timezone.now() - timedelta(days=85))
    page = client.get(log_in(client, "reporter_a")["Location"], follow=True).content.decode()
    assert "您的密码将在4天后过期" in page
    account = client.get(reverse("accounts:home")).content.decode()
    assert 'id="password-expiry"' in account and "4天后过期" in account


def test_no_warning_long_before_expiry_and_no_expiry_when_turned_off(client, users, settings):
    AccountState.objects.create(user=users["reporter_a"], password_changed_at=timezone.now() - timedelta(days=60))
    assert "后过期" not in client.get(log_in(client, "reporter_a")["Location"], follow=True).content.decode()
    settings.TUIJIN_PASSWORD_MAX_AGE_DAYS = 0
    AccountState.objects.filter(user=users["reporter_a"]).update(password_changed_at=timezone.now() - timedelta(days=900))
    client.post(reverse("logout"))
    assert log_in(client, "reporter_a")["Location"] == "/"
