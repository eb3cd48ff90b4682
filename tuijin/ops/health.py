"""The installation's health for the office's monitoring (issue #19 §3): `GET /healthz` answers 200 when
every check passes, 503 when one fails, with one JSON object naming each check and its state — no
paths, names or figures of the data, so it may be asked without signing in (from the monitoring host;
the deployment guide keeps it off the public site).

Checks: the database answers a query; the data directory's disk has at least TUIJIN_HEALTH_MIN_FREE_MB
free (uploads, the SQLite file, backups); a background worker (`tuijin worker`, tuijin/jobs) wrote its
heartbeat within TUIJIN_WORKER_STALE_SECONDS (with TUIJIN_TASKS_BACKEND=immediate no worker is needed)."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return {"ok": self.ok, "detail": self.detail}


def database() -> Check:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return Check("database", False, f"{type(exc).__name__}")
    return Check("database", True, f"{connection.vendor}, {(time.perf_counter() - started) * 1000:.1f} ms")


def disk() -> Check:
    usage = shutil.disk_usage(settings.DATA_DIR)
    free_mb = usage.free // (1024 * 1024)
    minimum = settings.TUIJIN_HEALTH_MIN_FREE_MB
    return Check("disk", free_mb >= minimum, f"{free_mb} MB free (minimum {minimum} MB)")


def worker() -> Check:
    if settings.TUIJIN_TASKS_BACKEND != "database":
        return Check("worker", True, "immediate backend: jobs run inside the request, no worker needed")
    from tuijin.jobs.selectors import heartbeat_age

    try:
        age = heartbeat_age()
    except DatabaseError as exc:
        return Check("worker", False, f"{type(exc).__name__}")
    if age is None:
        return Check("worker", False, "no worker has ever run (start `tuijin worker`)")
    limit = settings.TUIJIN_WORKER_STALE_SECONDS
    if age > limit:
        return Check("worker", False, f"last heartbeat {age:.0f} s ago (limit {limit} s): is `tuijin worker` running?")
    return Check("worker", True, f"last heartbeat {age:.0f} s ago")


CHECKS = (database, disk, worker)


def run() -> list[Check]:
    return [check() for check in CHECKS]
