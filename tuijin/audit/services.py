"""Writing the audit trail: `record()` appends an entry, `seal_pending()` chains entries, `verify()` and
`verify_file()` check the chain, `archive()` moves old entries to a file that keeps it.

Two steps, so that recording never holds a lock for the length of someone else's transaction:

1. `record()` INSERTs the entry in the caller's transaction, without seq or hash. It commits or rolls back
   with the change it tells of: a data change that was rolled back did not happen and leaves no entry. The
   events that must be kept whatever the request does next (a failed login, a lockout, a refused access, a
   refused import) are recorded where no transaction is open — the login signals, the access middleware
   after the response, the import's refusal after its transaction has rolled back — so they commit at once.
2. `seal_pending()` gives the committed, unsealed entries their place in the chain: in one short
   transaction it locks the chain head (`ChainHead`, one row: SELECT … FOR UPDATE on PostgreSQL; on SQLite
   every transaction begins IMMEDIATE, so writers are serialised anyway), numbers the entries in the order
   they were written (id), sets each one's `prev_hash` and `hash`, and moves the head. It runs at once when
   `record()` was called outside a transaction, otherwise right after the caller's transaction commits
   (`on_commit`), and before every verification and archive; an entry left unsealed by a crash is sealed
   by the next one. Two writers never chain from the same head: the head row is locked.

Taking the head's lock inside the callers' transactions instead would serialise every audited transaction
on one row until it commits (a ledger import holds its transaction for seconds) and could deadlock two
transactions that lock rows in different orders.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from .chain import Check, check, dumps_line, entry_hash
from .choices import Action, Result
from .models import AuditEntry, ChainHead

logger = logging.getLogger(__name__)

COLUMNS = ("id", "seq", "at", "actor_id", "username", "action", "target", "detail", "address", "result",
           "prev_hash", "hash")
MIN_RETENTION_DAYS = 184  # 网络安全法 Art. 21: network logs kept at least six months (181-184 days)


# ------------------------------------------------------------------------------------------- writing


def current_request():
    """The request being served, if any (django-simple-history's middleware keeps it for the thread):
    who is acting when a signal of a model tells of a change."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _clean_detail(detail) -> dict:
    """The detail as it will read back from the database: plain JSON (dates, Decimals and lazy texts as
    text), no NUL character (PostgreSQL refuses it)."""
    if not detail:
        return {}
    text = json.dumps(detail, cls=DjangoJSONEncoder, ensure_ascii=False).replace("\\u0000", "")
    value = json.loads(text)
    return value if isinstance(value, dict) else {"value": value}


def entry(action: str, *, actor=None, request=None, target: str = "", detail: dict | None = None,
          result: str = Result.SUCCESS, at=None) -> AuditEntry:
    """An unsaved entry: the actor is `actor`, else the request's signed-in user; the address is the
    request's (tuijin.core.lockout.client_ip: behind the proxy, the address the proxy saw)."""
    from tuijin.core.lockout import client_ip

    if request is None:
        request = current_request()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    address = (client_ip(request) or "") if request is not None else ""
    username = actor.get_username() if actor is not None else ""
    if not username and detail and detail.get("username"):
        username = str(detail["username"])
    return AuditEntry(action=action, actor_id=getattr(actor, "pk", None), username=username[:150],
                      target=str(target or "")[:500], detail=_clean_detail(detail), address=address[:45],
                      result=result, at=at or timezone.now())


def record(action: str, *, actor=None, request=None, target: str = "", detail: dict | None = None,
           result: str = Result.SUCCESS) -> AuditEntry:
    """Append one entry to the trail (see the module's docstring for when it is chained)."""
    item = entry(action, actor=actor, request=request, target=target, detail=detail, result=result)
    if connection.in_atomic_block:
        item.save()
        _seal_on_commit()
    else:
        with transaction.atomic():
            item.save()
            seal_pending()
    return item


def record_many(items: list[AuditEntry]) -> None:
    """Append entries built with `entry()` in one INSERT (a bulk import's data changes)."""
    if not items:
        return
    if connection.in_atomic_block:
        AuditEntry.objects.bulk_create(items)
        _seal_on_commit()
    else:
        with transaction.atomic():
            AuditEntry.objects.bulk_create(items)
            seal_pending()


def _seal_on_commit() -> None:
    if not any(func is _seal_after_commit for _sids, func, _robust in connection.run_on_commit):
        transaction.on_commit(_seal_after_commit, robust=True)


def _seal_after_commit() -> None:
    seal_pending()


# ------------------------------------------------------------------------------------------- the chain


def _locked_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def seal_pending() -> int:
    """Chain the committed entries that have no place yet; returns how many."""
    with transaction.atomic(savepoint=False):  # inside record()'s own transaction: no savepoint needed
        head = _locked_head()
        rows = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id").values(*COLUMNS))
        if not rows:
            return 0
        seq, previous, updates = head.seq, head.hash, []
        for row in rows:
            seq += 1
            row["seq"], row["prev_hash"] = seq, previous
            previous = entry_hash(row)
            updates.append((seq, row["prev_hash"], previous, row["id"]))
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",
                               updates)
        ChainHead.objects.filter(pk=1).update(seq=seq, hash=previous)
    return len(rows)


def head() -> ChainHead:
    return ChainHead.objects.get_or_create(pk=1)[0]


def verify(*, store: bool = True) -> Check:
    """Recompute the chain in the database from its anchor (the tail of the last archive) to its head,
    after sealing what is pending. The result is kept on the head for the audit page's status line."""
    seal_pending()
    top = head()
    rows = (AuditEntry.objects.filter(seq__isnull=False, seq__lte=top.seq).order_by("seq").values(*COLUMNS)
            .iterator(chunk_size=5000))
    result = check(rows, start_seq=top.anchor_seq, start_hash=top.anchor_hash)
    if result.ok and (result.last_seq, result.last_hash) != (top.seq, top.hash):
        result.fail(None, f"链尾应为第{top.seq}条，数据库中只到第{result.last_seq}条（末尾的记录被删除）")
        result.broken_seq = result.last_seq + 1
    if store:
        ChainHead.objects.filter(pk=1).update(
            verified_seq=result.last_seq, verified_at=timezone.now(), verified_ok=result.ok,
            verified_message=result.reason)
    return result


def read_archive(path: Path):
    """The entries of an archive file, in order."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def verify_file(path: Path) -> Check:
    """Check an archive file's own chain: from its first entry's seq and previous hash to its last."""
    rows = read_archive(path)
    first = next(rows, None)
    if first is None:
        return Check(ok=False, reason="归档文件为空")

    def all_rows():
        yield first
        yield from rows

    return check(all_rows(), start_seq=int(first.get("seq") or 1) - 1, start_hash=first.get("prev_hash") or "")


# ------------------------------------------------------------------------------------------ retention


def retention_days() -> int:
    days = int(getattr(settings, "TUIJIN_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))
    if days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"TUIJIN_AUDIT_RETENTION_DAYS={days}：审计记录至少保存{MIN_RETENTION_DAYS}天（网络安全法：不少于六个月）")
    return days


def archive_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "audit"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class ArchiveRefused(Exception):
    """The entries to archive do not verify: nothing is moved."""


def archive(*, now=None) -> dict | None:
    """Move the entries older than the retention period (the chain's oldest part, in seq order, up to the
    first newer entry) to a gzip JSON-lines file in the data directory's audit folder, with their hashes;
    the entries left in the database then start from the file's last hash (the head's anchor). The file
    is written, read back and checked before any entry is deleted, in one transaction; an entry 审计归档
    names the file, its sha256 and its range. None when nothing is old enough."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    seal_pending()
    folder = archive_folder()
    path = None
    try:
        with transaction.atomic():
            top = _locked_head()
            newer = (AuditEntry.objects.filter(seq__isnull=False, at__gte=cutoff).order_by("seq")
                     .values_list("seq", flat=True).first())
            old = AuditEntry.objects.filter(seq__isnull=False, seq__gt=top.anchor_seq)
            if newer is not None:
                old = old.filter(seq__lt=newer)
            first = old.order_by("seq").values_list("seq", flat=True).first()
            if first is None:
                return None
            stamp = timezone.localtime(now).strftime("%Y%m%d%H%M%S")
            path = folder / f"audit-{first:010d}-{stamp}.jsonl.gz"
            tmp = path.with_suffix(".tmp")
            checked = Check(last_seq=top.anchor_seq, last_hash=top.anchor_hash)
            with gzip.open(tmp, "wt", encoding="utf-8") as handle:
                for row in old.order_by("seq").values(*COLUMNS).iterator(chunk_size=5000):
                    step = check([row], start_seq=checked.last_seq, start_hash=checked.last_hash)
                    if not step.ok:
                        raise ArchiveRefused(step.reason)
                    checked.count += 1
                    checked.last_seq, checked.last_hash = step.last_seq, step.last_hash
                    handle.write(dumps_line(row) + "\n")
            with open(tmp, "rb") as written_file:  # on the disk before any entry leaves the database
                os.fsync(written_file.fileno())
            os.replace(tmp, path)
            written = verify_file(path)
            if not written.ok or (written.count, written.last_hash) != (checked.count, checked.last_hash):
                raise ArchiveRefused(f"归档文件校验失败：{written.reason}")
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            table = connection.ops.quote_name(AuditEntry._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE seq >= %s AND seq <= %s", [first, checked.last_seq])
            ChainHead.objects.filter(pk=1).update(anchor_seq=checked.last_seq, anchor_hash=checked.last_hash)
            summary = {"file": path.name, "sha256": digest, "first_seq": first, "last_seq": checked.last_seq,
                       "count": checked.count, "tail_hash": checked.last_hash, "cutoff": cutoff.isoformat(),
                       "retention_days": retention_days()}
            record(Action.ARCHIVE, target=path.name, detail=summary)
    except BaseException:
        if path is not None:
            path.unlink(missing_ok=True)
            path.with_suffix(".tmp").unlink(missing_ok=True)
        raise
    return summary


def check_text(result: Check) -> dict:
    return asdict(result)
