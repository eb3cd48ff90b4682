"""Writes of the accounts app: passwords (own change, administrator's reset) and the second factor
(enrolment, recovery codes, removal, administrator's reset). Each validates, keeps history (AccountState
is historical; PasswordHistory keeps the old hashes) and emits its event after commit."""

import secrets
import time

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.events import emit

from . import events
from .models import AccountState, PasswordHistory
from .selectors import recovery_device, second_factor_required, totp_device

RECOVERY_CODES = 10


def _emit(event) -> None:
    transaction.on_commit(lambda: emit(event))


def _state_for_update(user) -> AccountState:
    state, _created = AccountState.objects.select_for_update().get_or_create(user=user)
    return state


def _keep_old_password(user) -> None:
    """The hash being replaced joins the history; only the last TUIJIN_PASSWORD_HISTORY are kept."""
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    keep = max(settings.TUIJIN_PASSWORD_HISTORY, 0)
    stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


# ------------------------------------------------------------------------------------------ passwords


def password_change(user, *, old_password: str, new_password: str, reason: str = "self"):
    """The user changes their own password: the old one must be right, the new one pass every rule
    (AUTH_PASSWORD_VALIDATORS: length, classes, username, common, the last passwords)."""
    if reason not in {"self", "reset", "expired", "first"}:
        raise ValueError(reason)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("原密码不正确。")]})
    if new_password == old_password:
        raise ValidationError({"new_password1": [_("新密码不能与原密码相同。")]})
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password1": error.messages}) from None
    with transaction.atomic():
        state = _state_for_update(user)
        _keep_old_password(user)
        user.set_password(new_password)
        user.save(update_fields=["password"])
        state.password_changed_at = timezone.now()
        state.must_change_password = False
        state._change_reason = "修改密码"
        state.save()
        _emit(events.PasswordChanged(user_id=user.pk, by_id=user.pk, reason=reason))
    return user


def temporary_password(length: int = 14) -> str:
    """A random password that passes the rules: upper, lower, digits and a symbol, no look-alikes."""
    upper, lower, digits = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789"
    symbols = "#%+=@"
    alphabet = upper + lower + digits + symbols
    while True:
        chars = [secrets.choice(alphabet) for _ in range(length)]
        if all(any(c in group for c in chars) for group in (upper, lower, digits, symbols)):
            return "".join(chars)


def reset_password(target, by) -> str:
    """The system administrator sets a one-time temporary password for another user (shown once to them),
    which the user must change at their next login. Ends the user's sessions (the password changed)."""
    from tuijin.org.selectors import is_system_admin

    if by is None or not is_system_admin(by):
        raise PermissionDenied(_("只有系统管理员可以重置密码。"))
    if by.pk == target.pk:
        raise PermissionDenied(_("不能重置自己的密码，请在“账户与安全”中修改。"))
    password = temporary_password()
    with transaction.atomic():
        state = _state_for_update(target)
        _keep_old_password(target)
        target.set_password(password)
        target.save(update_fields=["password"])
        state.must_change_password = True
        state._change_reason = "管理员重置密码"
        state.save()
        _emit(events.PasswordReset(user_id=target.pk, by_id=by.pk))
    return password


# ------------------------------------------------------------------------------------------ second factor


def new_totp_key() -> str:
    from django_otp.util import random_hex

    return random_hex(20)


def totp_match(key: str, token: str, *, after: int = -1) -> int | None:
    """The time step (30 s) of the key whose 6-digit code is `token`, within one step either side of now and
    later than `after`; None when it matches none."""
    from binascii import unhexlify

    from django_otp.oath import TOTP

    token = (token or "").strip().replace(" ", "")
    if len(token) != 6 or not token.isdigit():
        return None
    totp = TOTP(unhexlify(key.encode()), step=30, t0=0, digits=6)
    totp.time = time.time()
    if totp.verify(int(token), tolerance=1, min_t=after + 1):
        return totp.t()
    return None


def _new_recovery_codes(user) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def factor_enrol(user, *, key: str, token: str) -> list[str]:
    """Confirm an authenticator app: `token` must be the current code of `key` (the secret shown to the user).
    Replaces any earlier authenticator and recovery codes; returns the 10 new recovery codes (shown once)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    step = totp_match(key, token)
    if step is None:
        raise ValidationError({"token": [_("验证码不正确，请输入验证器当前显示的6位数字。")]})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name=_("验证器"), key=key, confirmed=True, last_t=step)
        codes = _new_recovery_codes(user)
        _emit(events.FactorEnrolled(user_id=user.pk))
    return codes


def recovery_codes_regenerate(user) -> list[str]:
    if totp_device(user) is None:
        raise ValidationError(_("尚未启用双因素认证，无法生成恢复码。"))
    with transaction.atomic():
        return _new_recovery_codes(user)


def _remove_devices(user) -> int:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return removed


def factor_remove(user, *, password: str) -> None:
    """The user turns their second factor off (their password asked again). Refused when their role
    requires one: they re-enrol instead."""
    if second_factor_required(user):
        raise ValidationError(_("您的角色必须使用双因素认证，不能关闭；如需更换手机，请重新绑定。"))
    if not user.check_password(password):
        raise ValidationError({"password": [_("密码不正确。")]})
    if totp_device(user) is None:
        raise ValidationError(_("尚未启用双因素认证。"))
    with transaction.atomic():
        _remove_devices(user)
        _emit(events.FactorRemoved(user_id=user.pk, by_id=user.pk))


def reset_second_factor(target, by) -> None:
    """The security administrator removes another user's authenticator and recovery codes (a lost phone);
    the user enrols again at their next login when their role requires it."""
    from tuijin.org.selectors import is_security_admin

    if by is None or not is_security_admin(by):
        raise PermissionDenied(_("只有安全管理员可以重置双因素认证。"))
    if by.pk == target.pk:
        raise PermissionDenied(_("不能重置自己的双因素认证。"))
    if totp_device(target) is None and recovery_device(target) is None:
        raise ValidationError(_("该用户尚未启用双因素认证，无需重置。"))
    with transaction.atomic():
        _remove_devices(target)
        _emit(events.FactorReset(user_id=target.pk, by_id=by.pk))


def verify_second_factor(user, code: str) -> str | None:
    """The login's second step: a 6-digit authenticator code ("totp") or an unused recovery code
    ("recovery", used up by this); None when it is neither (SecondFactorFailed is emitted). django-otp
    throttles a device after failures and refuses a code already used."""
    from django_otp.plugins.otp_static.models import StaticDevice

    code = (code or "").strip().replace(" ", "").lower()
    device = totp_device(user)
    if code and code.isdigit() and device is not None:
        if device.verify_token(code):
            return "totp"
    elif code:
        for recovery in StaticDevice.objects.filter(user=user, confirmed=True):
            if recovery.verify_token(code):
                _emit(events.RecoveryCodeUsed(user_id=user.pk))
                return "recovery"
    _emit(events.SecondFactorFailed(user_id=user.pk))
    return None


def mark_demo_users(users) -> None:
    """The demo builder's accounts: exempt from the password rules at login and from the second factor,
    honoured only while the installation is a demo (selectors.is_exempt)."""
    AccountState.objects.bulk_create([AccountState(user=user, demo_exempt=True) for user in users],
                                     ignore_conflicts=True)
