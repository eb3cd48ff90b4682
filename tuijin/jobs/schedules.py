"""Scheduled work (settings.TUIJIN_SCHEDULES) and the scheduler `tuijin worker` runs beside its task loop.

An entry: name → {"call": dotted path of a plain callable, "kwargs": {...}, "title": "中文名",
"daily": "HH:MM"} (Asia/Shanghai) or {"every_minutes": N}. Each time (a *slot*) is claimed as a unique
(name, slot) row before the run is queued, so however many workers tick, a slot runs once. A worker that
was down at 02:00 still runs the night's slot when it starts before 08:00 (GRACE); a slot missed by more
than that waits for the next night rather than running at noon.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from . import services

log = logging.getLogger(__name__)

GRACE = timedelta(hours=6)


@dataclass(frozen=True)
class Schedule:
    name: str
    call: str
    title: str = ""
    daily: time | None = None
    every_minutes: int | None = None
    kwargs: dict = field(default_factory=dict)

    def latest_slot(self, now: datetime) -> datetime:
        """The last time at or before `now` this schedule was due (aware, in the current time zone)."""
        local = timezone.localtime(now)
        if self.daily is not None:
            slot = local.replace(hour=self.daily.hour, minute=self.daily.minute, second=0, microsecond=0)
            return slot if slot <= local else slot - timedelta(days=1)
        minutes = self.every_minutes
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        elapsed = int((local - midnight).total_seconds() // 60)
        return midnight + timedelta(minutes=elapsed - elapsed % minutes)

    def due_slot(self, now: datetime) -> datetime | None:
        """The slot to run now, or None when the last one is too long past (see GRACE)."""
        slot = self.latest_slot(now)
        grace = GRACE if self.daily is not None else timedelta(minutes=self.every_minutes)
        return slot if now - slot < grace else None


def parse(name: str, entry: dict) -> Schedule:
    if not isinstance(entry, dict) or not entry.get("call"):
        raise ImproperlyConfigured(f"TUIJIN_SCHEDULES[{name!r}] needs a 'call' (a dotted path)")
    daily, every = entry.get("daily"), entry.get("every_minutes")
    if (daily is None) == (every is None):
        raise ImproperlyConfigured(f"TUIJIN_SCHEDULES[{name!r}] needs exactly one of 'daily' and 'every_minutes'")
    at = None
    if daily is not None:
        try:
            at = time.fromisoformat(str(daily))
        except ValueError as exc:
            raise ImproperlyConfigured(f"TUIJIN_SCHEDULES[{name!r}]['daily'] must be HH:MM, not {daily!r}") from exc
    elif not isinstance(every, int) or not 1 <= every <= 24 * 60:
        raise ImproperlyConfigured(f"TUIJIN_SCHEDULES[{name!r}]['every_minutes'] must be 1 to 1440")
    return Schedule(name=name, call=entry["call"], title=entry.get("title", name), daily=at, every_minutes=every,
                    kwargs=dict(entry.get("kwargs") or {}))


def all_schedules() -> list[Schedule]:
    return [parse(name, entry) for name, entry in settings.TUIJIN_SCHEDULES.items()]


def schedule_named(name: str) -> Schedule:
    entry = settings.TUIJIN_SCHEDULES.get(name)
    if entry is None:
        raise ImproperlyConfigured(f"TUIJIN_SCHEDULES has no {name!r} (any more)")
    return parse(name, entry)


def tick(worker_id: str, now: datetime | None = None) -> list[str]:
    """Claim and queue every schedule due now that no scheduler has claimed yet; the names queued."""
    from .tasks import run_scheduled

    now = now or timezone.now()
    queued = []
    for schedule in all_schedules():
        slot = schedule.due_slot(now)
        if slot is None:
            continue
        run = services.schedule_claim(schedule.name, slot, worker_id)
        if run is None:
            continue
        log.info("scheduled job %s for %s queued", schedule.name, slot.isoformat())
        run_scheduled.enqueue(run.pk)
        queued.append(schedule.name)
    return queued
