"""The hash chain: an entry's canonical text, its hash, and the check of a run of entries.

hash = sha256 of the canonical JSON (keys sorted, no spaces, UTF-8) of the entry's fields and the
previous entry's hash. Archived files hold the same fields, one JSON object a line, so a file is
checked by the very same function as the database."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

FIELDS = ("seq", "at", "actor_id", "username", "action", "target", "detail", "address", "result", "prev_hash")


def at_text(value: datetime | str) -> str:
    """The time as hashed and archived: UTC, ISO 8601 with microseconds."""
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def fields_of(row: dict) -> dict:
    """The hashed fields of an entry (a dict of its columns, `at` a datetime or its text)."""
    out = {name: row.get(name) for name in FIELDS}
    out["at"] = at_text(row["at"])
    out["detail"] = row.get("detail") or {}
    return out


def canonical(row: dict) -> bytes:
    return json.dumps(fields_of(row), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(row: dict) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


@dataclass
class Check:
    """What a check of the chain found: `ok`, how many entries it read, the last good seq, and for a
    broken chain the first broken entry (its seq and time) and why."""
    ok: bool = True
    count: int = 0
    last_seq: int = 0
    last_hash: str = ""
    broken_seq: int | None = None
    broken_at: str = ""
    reason: str = ""

    def fail(self, row: dict | None, reason: str) -> Check:
        self.ok = False
        if row is not None:
            self.broken_seq, self.broken_at = row.get("seq"), at_text(row["at"])
        self.reason = reason
        return self


def check(rows: Iterable[dict], *, start_seq: int, start_hash: str) -> Check:
    """Walk `rows` in seq order from the anchor (`start_seq`, `start_hash`): every seq follows the one
    before, every entry names the previous one's hash and its own hash is its content's."""
    result = Check(last_seq=start_seq, last_hash=start_hash)
    for row in rows:
        seq = row.get("seq")
        if seq != result.last_seq + 1:
            return result.fail(row, f"第{seq}条之前缺少第{result.last_seq + 1}条（记录被删除）")
        if row.get("prev_hash") != result.last_hash:
            return result.fail(row, f"第{seq}条记录的前一条哈希与第{result.last_seq}条不符（前一条被修改或删除）")
        if entry_hash(row) != row.get("hash"):
            return result.fail(row, f"第{seq}条记录的内容与其哈希不符（记录被修改）")
        result.count += 1
        result.last_seq, result.last_hash = seq, row["hash"]
    return result


def dumps_line(row: dict) -> str:
    """An archived entry: its hashed fields and its hash, one line of JSON."""
    return json.dumps({**fields_of(row), "hash": row["hash"]}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
