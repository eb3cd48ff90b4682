"""Writes to users' places (三权分立, 等保 2.0 level 3 §8.1.5): only the security administrator grants
roles (Membership), nobody grants themselves a role or changes their own memberships, and the
system administrator edits accounts but never their roles, staff or superuser flags. Every write keeps its
history (who, when, before/after) through django-simple-history."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuijin.core import events
from tuijin.core.history import stamp

from .events import GrantChanged
from .models import Membership
from .selectors import is_security_admin, is_system_admin

# The fields of an account a system administrator edits; the rest (is_staff, is_superuser, groups,
# permissions) are for the installation (a superuser) only, and roles are Memberships.
USER_FIELDS_FOR_SYSTEM_ADMIN = ("username", "first_name", "last_name", "email", "is_active")
PASSWORD_FIELDS = {"password", "password1", "password2", "usable_password"}  # the new account's first password


def may_grant(user) -> bool:
    """Grants and withdraws roles: the security administrator (a superuser during installation)."""
    return bool(user is not None and user.is_active and (user.is_superuser or is_security_admin(user)))


def membership_check(membership: Membership, by, *, original_user_id: int | None = None) -> None:
    """ValidationError (Chinese) when `by` may not write `membership`: nobody grants themselves a role or
    changes a membership of their own, nor moves a membership away from themselves. `original_user_id`:
    the user the membership belonged to before this change (an edit)."""
    if by is None:  # the system (CLI, demo): no person acts
        return
    if not may_grant(by):
        raise PermissionDenied
    if by.pk in {membership.user_id, original_user_id}:
        raise ValidationError(_("不能为自己授予角色或修改自己的角色，请由另一位安全管理员办理。"), code="self_grant")


GRANT_FIELDS = ("user_id", "unit_id", "role", "scope", "is_active")


def _values(membership) -> dict:
    return {name.removesuffix("_id"): getattr(membership, name) for name in GRANT_FIELDS}


@transaction.atomic
def membership_save(membership: Membership, by, reason: str = "") -> Membership:
    """Save a new or changed membership after membership_check, with its history; GrantChanged (with the
    values before and after) after the commit."""
    before = None
    if membership.pk is not None:
        stored = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        before = _values(stored) if stored is not None else None
    membership_check(membership, by, original_user_id=before["user"] if before else None)
    membership.full_clean()
    stamp(membership, by, reason or _("授权变更"))
    membership.save()
    event = GrantChanged(user=by, membership_id=membership.pk, account_id=membership.user_id,
                         action="changed" if before else "granted", before=before, after=_values(membership))
    transaction.on_commit(lambda: events.emit(event))
    return membership


@transaction.atomic
def membership_delete(membership: Membership, by, reason: str = "") -> None:
    membership_check(membership, by)
    before, pk = _values(membership), membership.pk
    stamp(membership, by, reason or _("撤销授权"))
    membership.delete()
    event = GrantChanged(user=by, membership_id=pk, account_id=before["user"], action="withdrawn",
                         before=before, after=None)
    transaction.on_commit(lambda: events.emit(event))


def user_check(account, by, changed_fields) -> None:
    """ValidationError (Chinese) when `by` may not make this change to `account`: a system
    administrator edits the name, e-mail and whether the account is active, never the staff or superuser
    flags; nobody changes their own superuser or staff flag or deactivates themselves."""
    if by is None:
        return
    changed = set(changed_fields)
    if account.pk == by.pk and changed & {"is_superuser", "is_staff", "is_active", "groups", "user_permissions"}:
        raise ValidationError(_("不能修改自己的超级用户、工作人员或启用状态。"), code="self_flags")
    if by.is_superuser:
        return
    if not is_system_admin(by):
        raise PermissionDenied
    if account.pk is not None and account.is_superuser:
        raise ValidationError(_("超级用户账号仅限安装时使用，系统管理员不能修改。"), code="superuser")
    if changed - set(USER_FIELDS_FOR_SYSTEM_ADMIN) - PASSWORD_FIELDS:
        raise ValidationError(_("系统管理员只能修改账号的用户名、姓名、邮箱和启用状态。"), code="fields")
