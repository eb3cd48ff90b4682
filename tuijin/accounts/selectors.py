"""Reads about a user's sign-in duties: is a second factor required, enrolled, is the password due."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import AccountState


def is_demo_installation() -> bool:
    """`tuijin demo` loaded the demo city here (its DemoRun marker exists)."""
    from django.apps import apps

    return apps.get_model("demo", "DemoRun").objects.exists()


def state_of(user) -> AccountState:
    """The user's AccountState as stored, or an unsaved default (never written by a read)."""
    state = AccountState.objects.filter(user=user).first()
    return state if state is not None else AccountState(user=user)


def is_exempt(user, state: AccountState | None = None) -> bool:
    """A demo user (marked by the demo builder) in a demo installation: no password rules at login, no
    second factor. Anywhere else the mark counts for nothing."""
    state = state if state is not None else state_of(user)
    return state.demo_exempt and is_demo_installation()


def second_factor_required(user) -> bool:
    """The user holds a role of TUIJIN_SECOND_FACTOR_ROLES (the superuser holds every role)."""
    from tuijin.org.selectors import user_access

    roles = set(settings.TUIJIN_SECOND_FACTOR_ROLES)
    return bool(roles) and user_access(user).has_role(*roles)


def totp_device(user):
    """The user's confirmed authenticator (TOTPDevice), or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_device(user):
    from django_otp.plugins.otp_static.models import StaticDevice

    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def password_expires_at(state: AccountState) -> datetime | None:
    days = settings.TUIJIN_PASSWORD_MAX_AGE_DAYS
    if not days or state.password_changed_at is None:
        return None
    return state.password_changed_at + timedelta(days=days)


def password_change_reason(user, state: AccountState | None = None) -> str | None:
    """Why the user must change their password before going on: "reset" (an administrator set a temporary
    one), "first" (never chosen by themselves), "expired"; None when not."""
    state = state if state is not None else state_of(user)
    if state.must_change_password:
        return "reset"
    if is_exempt(user, state):
        return None
    if state.password_changed_at is None:
        return "first" if settings.TUIJIN_PASSWORD_CHANGE_FIRST_LOGIN else None
    expires = password_expires_at(state)
    if expires is not None and expires <= timezone.now():
        return "expired"
    return None


def password_days_left(state: AccountState) -> int | None:
    """Whole days until the password expires, when that falls within the warning period; else None."""
    expires = password_expires_at(state)
    if expires is None:
        return None
    left = expires - timezone.now()
    if left > timedelta(days=settings.TUIJIN_PASSWORD_WARN_DAYS):
        return None
    return max(0, left.days)


@dataclass(frozen=True)
class Duties:
    """What a user must still do after the password step: a second factor to verify, a password to change,
    an authenticator to enrol."""
    verify: bool
    change_password: str | None
    enrol: bool


def sign_in_duties(user) -> Duties:
    state = state_of(user)
    exempt = is_exempt(user, state)
    enrolled = totp_device(user) is not None
    required = not exempt and second_factor_required(user)
    return Duties(verify=enrolled and not exempt, change_password=password_change_reason(user, state),
                  enrol=required and not enrolled)


@dataclass(frozen=True)
class UserRow:
    user: object
    roles: str
    enrolled: bool
    must_change: bool


def user_rows() -> list[UserRow]:
    """Every account for the administrators' list: roles, second factor, pending forced change."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tuijin.org.models import Membership

    users = list(get_user_model().objects.order_by("username"))
    roles: dict[int, list[str]] = {}
    for membership in Membership.objects.filter(is_active=True).select_related("unit").order_by("id"):
        roles.setdefault(membership.user_id, []).append(f"{membership.unit.name} {membership.get_role_display()}")
    enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    forced = set(AccountState.objects.filter(must_change_password=True).values_list("user_id", flat=True))
    return [UserRow(user=user, roles="；".join(roles.get(user.pk, [])), enrolled=user.pk in enrolled,
                    must_change=user.pk in forced) for user in users]
