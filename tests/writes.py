"""Catch a request's writes by the SQL it runs, not by dumping every table before and after.

`record_writes()` wraps the default connection (`connection.execute_wrapper`) and keeps every
INSERT, and every UPDATE or DELETE that changed at least one row (the cursor's rowcount: an UPDATE that
matches nothing writes nothing, as a before/after dump would see). `Writes.domain()` leaves out what a request
may legitimately write without touching the ledger's data:

  django_session         the session (sliding idle expiry saves it on every request)
  axes_*                 django-axes' login attempts and access logs
  core_notification      UPDATE only: marking one's messages read (a new or deleted message is a write)
  ledgerio_importbatch   UPDATE only: an upload's own progress (analysed on preview, discarded, failed);
                         the batch is the user's scratch file, not ledger data, and creating or deleting
                         one is still a write
  audit_*                the audit trail's appends (tuijin.audit: a refused request, an export and a
                         sign-in are recorded, which is the point) and their sealing into the chain;
                         a DELETE there is still a write

Everything else counts, on every table: the project's own apps, auth (users, groups), org, import
batches and the history tables. This is stricter than the old dump, which compared only the ledger,
reports, schedules, warnings and problems tables (and only counted notifications, events and history
rows, so an UPDATE of them passed; import batches, users and org were not looked at).

Blind spot: PostgreSQL's COPY (tuijin/core/bulk.py's bulk inserts: the ledger import, problems raised
in bulk) goes through psycopg's own cursor, which no execute wrapper sees. The same code path writes
plain INSERTs on SQLite, so the suite's SQLite run catches such a write.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+["`]?(\w+)', re.IGNORECASE)


@dataclass(frozen=True)
class Write:
    verb: str    # INSERT, UPDATE or DELETE
    table: str
    rows: int
    sql: str

    def __str__(self) -> str:
        return f"{self.verb} {self.table} ({self.rows} rows): {self.sql[:200]}"


class Writes(list):
    """The writes seen so far (a list of Write), filled while the `record_writes` block runs."""

    def domain(self) -> list[Write]:
        return [write for write in self if not allowed(write)]


def allowed(write: Write) -> bool:
    if write.table == "django_session" or write.table.startswith("axes_"):
        return True
    if write.table.startswith("audit_") and write.verb in {"INSERT", "UPDATE"}:
        return True
    return write.table in {"core_notification", "ledgerio_importbatch"} and write.verb == "UPDATE"


@contextmanager
def record_writes():
    """`with record_writes() as writes:` … `assert writes.domain() == []`."""
    writes = Writes()

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        match = WRITE.match(sql)
        if match:
            verb, rows = sql.split(None, 1)[0].upper(), context["cursor"].rowcount
            # An INSERT always counts (SQLite reports 0 rows for INSERT … RETURNING until they are fetched).
            if verb in {"INSERT", "REPLACE"} or rows != 0:
                writes.append(Write(verb, match.group(1).lower(), rows, sql))
        return result

    with connection.execute_wrapper(wrapper):
        yield writes
