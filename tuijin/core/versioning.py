"""The one optimistic lock every service uses against lost updates (no edit silently overwrites another).

A page carries the version of the record it showed; the write claims that version with one
conditional UPDATE (`… SET version = version + 1 WHERE id = %s AND version = %s`), which also takes
the row lock until the transaction ends. Zero rows means someone saved in between: ConflictError,
carrying who saved last and when, so the message can say "已被张调度于 10:42 修改". A write without a
version cannot prove it is current and is refused, never waved through.
"""

from django.core.exceptions import ValidationError
from django.db.models import F, Model
from django.utils.translation import gettext_lazy as _

from .exceptions import ConflictError, changed_text
from .parsing import parse_int

MISSING_VERSION = _("表单缺少版本号，请刷新页面后重试")


def require_version(version) -> int:
    """The version a page was read at, as a number; None, "" or anything not a whole number raises
    ValidationError with MISSING_VERSION (any number is a claim: it matches the stored one or not)."""
    number = parse_int(version)
    if number is None:
        raise ValidationError(MISSING_VERSION, code="version")
    return number


def claim(obj: Model, version, **where) -> int:
    """Claim `obj` at `version`: bump the stored version if it still is `version` (and the row still
    matches `where`, e.g. state="submitted"), set obj.version to the new one and return it. Else
    ConflictError with the record as stored now and who saved it last. Call it inside the write's
    transaction, after validating and before saving."""
    version = require_version(version)
    model = type(obj)
    if not model._default_manager.filter(pk=obj.pk, version=version, **where).update(version=F("version") + 1):
        raise conflict(model, obj.pk)
    obj.version = version + 1
    return obj.version


def claim_many(model: type[Model], versions: dict, *also: str, chunk: int = 2000) -> tuple[list, dict]:
    """The batch form of claim, for saves of many rows at once (the report grid, the ledger import):
    lock the rows of `versions` ({pk: version read}) in primary-key order — two batches over the same
    rows then queue behind each other instead of deadlocking — and compare. Returns (the stale pks in
    the order given, {pk: (stored version, *the `also` fields)}); a row gone is stale. One SELECT … FOR
    UPDATE per `chunk` rows; the caller writes the new versions with its rows."""
    stored: dict = {}
    ids = sorted(versions)
    for start in range(0, len(ids), chunk):
        rows = (model._default_manager.select_for_update().filter(pk__in=ids[start:start + chunk]).order_by("pk")
                .values_list("pk", "version", *also))
        stored.update((pk, tuple(rest)) for pk, *rest in rows)
    stale = [pk for pk, version in versions.items() if stored.get(pk, (None,))[0] != version]
    return stale, stored


def conflict(model: type[Model], pk) -> ConflictError:
    """The ConflictError for record `pk` of `model` (the batch saves raise it per stale row too):
    the record as stored now, and from its history who saved it last and when."""
    current = model._default_manager.filter(pk=pk).first()
    saved_by, saved_at = last_save(model, pk)
    if saved_at is None and current is not None:
        saved_at = getattr(current, "updated_at", None)
    return ConflictError(current=current, saved_by=saved_by, saved_at=saved_at)


def last_save(model: type[Model], pk):
    """(who, when) of the record's latest history row: who is the person's display name, "" for the
    system (a save without a user: the CLI, an import); (None, None) without history."""
    return last_saves(model, [pk]).get(pk, (None, None))


def last_saves(model: type[Model], pks) -> dict:
    """{pk: (who, when)} of the records' latest history rows, in one query (a batch's stale rows)."""
    history = getattr(model, "history", None)
    if history is None or not pks:
        return {}
    attname = model._meta.pk.attname
    found: dict = {}
    for record in (history.filter(**{f"{attname}__in": list(pks)}).select_related("history_user")
                   .order_by("-history_date", "-history_id")):
        key = getattr(record, attname)
        if key not in found:
            user = record.history_user
            found[key] = ((user.get_full_name() or user.get_username()) if user is not None else "", record.history_date)
    return found


def mark_changed(model: type[Model], records: dict) -> dict:
    """Give each stale record of a batch ({pk: record as stored now}) its `changed` phrase
    ("已被张调度于 10:42 修改") for the row's note; returns `records`."""
    saves = last_saves(model, [pk for pk, record in records.items() if record is not None])
    for pk, record in records.items():
        if record is not None:
            who, when = saves.get(pk, (None, getattr(record, "updated_at", None)))
            record.changed = changed_text(who, when)
    return records
