"""What gets recorded: the signals of Django, django-axes, django-simple-history and core that the audit
trail listens to, each turned into one entry (services.record). Connected once, in AppConfig.ready().

Account events (tuijin.accounts.events: password and second-factor changes) come through core.events;
ACCOUNT_EVENTS maps each event class's name to its action and result, so another event is one line."""

from __future__ import annotations

import importlib
import logging
from dataclasses import fields, is_dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from tuijin.core import events
from tuijin.core.signals import exported, history_bulk_written

from . import services
from .choices import Action, Result

logger = logging.getLogger(__name__)

SUPERUSER_NOTE = "Django 管理后台的超级用户仅用于安装，其每次使用均被审计"
USER_FLAGS = ("is_active", "is_staff", "is_superuser")

# tuijin.accounts.events' classes (by name) → (action, result). Each event carries user_id (whose
# account) and, where someone else acted, by_id.
ACCOUNT_EVENTS: dict[str, tuple[str, str]] = {
    "PasswordChanged": (Action.PASSWORD, Result.SUCCESS),
    "PasswordReset": (Action.PASSWORD, Result.SUCCESS),
    "FactorEnrolled": (Action.SECOND_FACTOR, Result.SUCCESS),
    "FactorRemoved": (Action.SECOND_FACTOR, Result.SUCCESS),
    "FactorReset": (Action.SECOND_FACTOR, Result.SUCCESS),
    "RecoveryCodeUsed": (Action.SECOND_FACTOR, Result.SUCCESS),
    "SecondFactorFailed": (Action.SECOND_FACTOR, Result.FAILURE),
}


def _safe(handler):
    """A listener never breaks what it listens to: a failure to record is logged loudly."""
    def wrapped(*args, **kwargs):
        try:
            handler(*args, **kwargs)
        except Exception:
            logger.exception("audit: could not record %s", handler.__name__)
            if getattr(settings, "TUIJIN_AUDIT_STRICT", False):
                raise
    wrapped.__name__ = handler.__name__
    return wrapped


def connect() -> None:
    from axes.models import AccessAttempt
    from axes.signals import user_locked_out
    from django.contrib.admin.models import LogEntry
    from simple_history.signals import post_create_historical_record

    User = get_user_model()
    user_logged_in.connect(on_login, dispatch_uid="audit.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    user_logged_out.connect(on_logout, dispatch_uid="audit.logout")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit.locked_out")
    post_delete.connect(on_attempt_deleted, sender=AccessAttempt, dispatch_uid="audit.unlock")
    post_create_historical_record.connect(on_history, dispatch_uid="audit.history")
    history_bulk_written.connect(on_history_bulk, dispatch_uid="audit.history_bulk")
    pre_save.connect(on_user_before, sender=User, dispatch_uid="audit.user_before")
    post_save.connect(on_user_after, sender=User, dispatch_uid="audit.user_after")
    m2m_changed.connect(on_user_m2m, sender=User.groups.through, dispatch_uid="audit.user_groups")
    m2m_changed.connect(on_user_m2m, sender=User.user_permissions.through, dispatch_uid="audit.user_permissions")
    post_save.connect(on_admin_log, sender=LogEntry, dispatch_uid="audit.admin")
    exported.connect(on_export, dispatch_uid="audit.export")
    connect_account_events()


def connect_account_events(module_name: str = "tuijin.accounts.events") -> None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return
    for name, (action, result) in ACCOUNT_EVENTS.items():
        event_class = getattr(module, name, None)
        if event_class is not None:
            events.subscribe(event_class, partial(on_account_event, action, result))


# ------------------------------------------------------------------------------------- sign-in and out


@_safe
def on_login(sender, request, user, **kwargs):
    detail = {"superuser": True, "note": SUPERUSER_NOTE} if user.is_superuser else {}
    services.record(Action.LOGIN, actor=user, request=request, target=user.get_username(), detail=detail)


@_safe
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username") or "")[:150]
    actor = get_user_model().objects.filter(username=username).first() if username else None
    services.record(Action.LOGIN_FAILED, actor=actor, request=request, target=username,
                    detail={"username": username}, result=Result.FAILURE)


@_safe
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        services.record(Action.LOGOUT, actor=user, request=request, target=user.get_username())


@_safe
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    actor = get_user_model().objects.filter(username=username).first() if username else None
    services.record(Action.LOCKOUT, actor=actor, request=request, target=username or "",
                    detail={"username": username or "", "ip_address": ip_address or "",
                            "failures": settings.AXES_FAILURE_LIMIT,
                            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
                    result=Result.REFUSED)


@_safe
def on_attempt_deleted(sender, instance, **kwargs):
    """An axes attempt row that was a lock (failures at the limit) is deleted: by the security
    administrator (the admin page, `tuijin axes_reset_username` / `axes_reset_ip`) or after the lock ran
    out. Rows below the limit (a success resets them) lock nobody and are not recorded."""
    if instance.failures_since_start < settings.AXES_FAILURE_LIMIT:
        return
    services.record(Action.UNLOCK, target=instance.username or instance.ip_address or "",
                    detail={"username": instance.username or "", "ip_address": instance.ip_address or "",
                            "failures": instance.failures_since_start, "locked_at": instance.attempt_time})


# ------------------------------------------------------------------------------------------ data


def _label(model) -> str:
    return str(model._meta.verbose_name)


@_safe
def on_history(sender, instance, history_instance, history_user=None, history_change_reason=None, **kwargs):
    """A django-simple-history row was written: a 数据变更 entry pointing at it (and, for a membership,
    a 角色授权变更 entry with the grant before and after)."""
    model = type(instance)
    kind = history_instance.history_type
    services.record(
        Action.DATA_CHANGE, actor=history_user if getattr(history_user, "pk", None) else None,
        # Not str(instance): some models' names read related rows (a query per save); the history row has all.
        target=f"{_label(model)} #{instance.pk}",
        detail={"model": model._meta.label_lower, "history_id": history_instance.pk, "object_id": instance.pk,
                "history_type": kind, "reason": history_change_reason or ""})
    from tuijin.org.models import Membership

    if model is Membership:
        _grant_change(history_instance, history_user)


def _grant_of(history) -> dict | None:
    from tuijin.org.choices import Role, Scope
    from tuijin.org.models import Unit

    if history is None:
        return None
    unit = Unit.objects.filter(pk=history.unit_id).values_list("name", flat=True).first()
    return {"role": str(Role(history.role).label) if history.role in Role.values else history.role,
            "scope": str(Scope(history.scope).label) if history.scope in Scope.values else history.scope,
            "unit": unit or str(history.unit_id), "is_active": "有效" if history.is_active else "停用"}


def _grant_change(history, history_user) -> None:
    kind = history.history_type
    before = _grant_of(history.prev_record) if kind != "+" else None
    after = _grant_of(history) if kind != "-" else None
    if kind == "-":
        before = _grant_of(history)
    if before == after:
        return
    member = get_user_model().objects.filter(pk=history.user_id).values_list("username", flat=True).first()
    services.record(Action.GRANT, actor=history_user if getattr(history_user, "pk", None) else None,
                    target=member or str(history.user_id),
                    detail={"what": "membership", "membership_id": history.id, "user": member or "",
                            "before": before, "after": after, "change": {"+": "授予", "~": "变更", "-": "撤销"}[kind]})


def ranges(ids) -> list[list[int]]:
    """Sorted ids as [first, last] runs: ten thousand consecutive ids are one pair."""
    values = sorted(ids)
    if not values:
        return []
    if values[-1] - values[0] == len(values) - 1 and len(set(values)) == len(values):
        return [[int(values[0]), int(values[-1])]]  # the usual bulk write: ids reserved in one run (in C, no loop)
    out: list[list[int]] = []
    for value in sorted(set(int(i) for i in values)):
        if out and value == out[-1][1] + 1:
            out[-1][1] = value
        else:
            out.append([value, value])
    return out


@_safe
def on_history_bulk(sender, model, object_ids, history_type, user, reason, when, **kwargs):
    """History rows written in bulk (core.bulk: the ledger import, bulk saves): one entry for the batch,
    naming the model, the objects (as id ranges) and the history rows' time, which finds them."""
    services.record(
        Action.DATA_CHANGE, actor=user if getattr(user, "pk", None) else None,
        target=f"{_label(model)}：{len(object_ids)}条",
        detail={"model": model._meta.label_lower, "history_type": history_type, "count": len(object_ids),
                "object_ids": ranges(object_ids), "history_date": when, "reason": reason or ""})


# --------------------------------------------------------------------------------------- user rights


def on_user_before(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(USER_FLAGS):
        return  # e.g. last_login on every sign-in: nothing to compare
    instance._audit_before = sender.objects.filter(pk=instance.pk).values(*USER_FLAGS).first()


@_safe
def on_user_after(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    after = {flag: getattr(instance, flag) for flag in USER_FLAGS}
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if created:
        if not (instance.is_staff or instance.is_superuser):
            return
        before = None
    elif before is None or before == after:
        return
    changed = [flag for flag in USER_FLAGS if before is None or before[flag] != after[flag]]
    services.record(Action.GRANT, target=instance.get_username(),
                    detail={"what": "user", "user": instance.get_username(), "fields": changed,
                            "before": {f: before[f] for f in changed} if before else None,
                            "after": {f: after[f] for f in changed}})


def on_user_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Groups or permissions of a user added, removed or cleared: the names before and after."""
    User = get_user_model()
    if reverse or not isinstance(instance, User):
        return  # from the group's side: rare (the admin edits users); recorded as 后台操作
    field = "groups" if sender is User.groups.through else "user_permissions"
    if action.startswith("pre_"):
        instance.__dict__.setdefault("_audit_m2m", {})[field] = _names(getattr(instance, field).all())
        return
    if not action.startswith("post_"):
        return
    _record_m2m(instance, field)


def _names(queryset) -> list[str]:
    return sorted(str(item) for item in queryset)


@_safe
def _record_m2m(instance, field):
    before = instance.__dict__.get("_audit_m2m", {}).pop(field, None)
    after = _names(getattr(instance, field).all())
    if before == after:
        return
    services.record(Action.GRANT, target=instance.get_username(),
                    detail={"what": field, "user": instance.get_username(), "before": before, "after": after})


# ------------------------------------------------------------------------------------- admin, export


ADMIN_FLAGS = {1: "添加", 2: "修改", 3: "删除"}


@_safe
def on_admin_log(sender, instance, created=False, **kwargs):
    if not created:
        return
    actor = instance.user
    detail = {"content_type": instance.content_type.model if instance.content_type_id else "",
              "model": str(instance.content_type.name) if instance.content_type_id else "",
              "object_id": instance.object_id or "", "object": instance.object_repr,
              "operation": ADMIN_FLAGS.get(instance.action_flag, str(instance.action_flag)),
              "message": instance.get_change_message(), "superuser": bool(actor and actor.is_superuser)}
    if detail["superuser"]:
        detail["note"] = SUPERUSER_NOTE
    services.record(Action.ADMIN, actor=actor, target=f"{detail['model']}：{instance.object_repr}"[:500], detail=detail)


@_safe
def on_export(sender, request, what, filter="", rows=None, format="", filename="", extra=None, **kwargs):
    detail = {"what": what, "filter": filter, "rows": rows, "format": format, "filename": filename,
              "query": request.GET.urlencode()[:1000] if request is not None else "", **(extra or {})}
    services.record(Action.EXPORT, request=request, target=what, detail=detail)


# ------------------------------------------------------------------------------------------ accounts


def _plain(value):
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


@_safe
def on_account_event(action, result, event):
    data = {f.name: _plain(getattr(event, f.name)) for f in fields(event)} if is_dataclass(event) else {}
    User = get_user_model()
    user_id, by_id = data.get("user_id"), data.get("by_id")
    names = dict(User.objects.filter(pk__in=[i for i in (user_id, by_id) if i]).values_list("pk", "username"))
    actor = User.objects.filter(pk=by_id or user_id).first() if (by_id or user_id) else None
    services.record(action, actor=actor, target=names.get(user_id, str(user_id or "")), result=result,
                    detail={"event": type(event).__name__, **data, "user": names.get(user_id, ""),
                            "by": names.get(by_id, "")})
