"""Field-level history in human words, on top of django-simple-history records."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext as _

from .fields import MoneyField


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    subject: str
    changes: list[Change]
    reason: str


ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}


def _label(obj) -> str:
    """People by their display name (张调度), everything else by its str()."""
    if hasattr(obj, "get_full_name"):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


def _display(field: models.Field, value, names: dict) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, MoneyField):
        return f"{value:,.2f}"
    if isinstance(field, models.ForeignKey):
        return names.get((field.related_model, value), f"#{value}")
    return str(value)


def describe(records, model, subject=lambda record: "", skip=("version", "id"), mask=None) -> list[HistoryEntry]:
    """Turn historical records into entries, newest first, each with before/after per changed field.
    `mask`: {field name: function} for the fields shown masked (personal information, core.masking)."""
    mask = mask or {}
    records = list(records)
    fields = {f.attname: f for f in model._meta.concrete_fields if f.attname not in skip}
    # Resolve foreign keys to names in one query per related model.
    wanted: dict = {}
    for record in records:
        for attname, field in fields.items():
            if isinstance(field, models.ForeignKey) and getattr(record, attname, None) is not None:
                wanted.setdefault(field.related_model, set()).add(getattr(record, attname))
    names = {}
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids):
            names[(related, obj.pk)] = _label(obj)

    def shown(field, value) -> str:
        if field.name in mask and value not in (None, ""):
            return mask[field.name](value)
        return _display(field, value, names)

    entries = []
    last_by_object: dict = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous = last_by_object.get(record.id)
        last_by_object[record.id] = record
        changes = []
        for attname, field in fields.items():
            if field.name in {"created_at", "updated_at", "search_text"} or not hasattr(record, attname):
                continue
            new = getattr(record, attname)
            if record.history_type == "+" or previous is None:
                if new in (None, "", False) or field.name == "is_archived":
                    continue
                changes.append(Change(field.name, str(field.verbose_name), "", shown(field, new)))
            else:
                old = getattr(previous, attname, None)
                if old != new:
                    changes.append(
                        Change(field.name, str(field.verbose_name), shown(field, old), shown(field, new))
                    )
        user = record.history_user
        who = (user.get_full_name() or user.username) if user else _("系统")
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=who,
                action=ACTIONS.get(record.history_type, record.history_type),
                subject=subject(record),
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    entries.reverse()
    return entries


def stamp(obj, user, reason: str = ""):
    """Tell django-simple-history who makes the next save or delete of `obj` and why (also outside a
    request: the CLI, imports); a user without a pk (the system) is recorded as nobody."""
    obj._history_user = user if getattr(user, "pk", None) else None
    obj._change_reason = reason
    return obj
