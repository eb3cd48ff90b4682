"""`tuijin worker`: django-tasks-db's worker loop (takes queued tasks from the database, one at a time,
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, an exclusive transaction on SQLite) with a scheduler
thread beside it that writes the heartbeat and queues the scheduled work due (schedules.tick)."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from . import schedules, services

log = logging.getLogger(__name__)


class Scheduler(threading.Thread):
    """Every `every` seconds: the heartbeat, then the schedules due. A failure is logged and tried again
    at the next tick; the thread dies with the worker (daemon)."""

    def __init__(self, worker_id: str, *, every: float, run_schedules: bool = True):
        super().__init__(name="tuijin-scheduler", daemon=True)
        self.worker_id, self.every, self.run_schedules = worker_id, every, run_schedules
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def beat(self) -> None:
        services.heartbeat(self.worker_id, hostname=socket.gethostname(), pid=os.getpid(),
                           started_at=self.started_at)
        if self.run_schedules:
            schedules.tick(self.worker_id)

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    self.beat()
                except Exception:  # noqa: BLE001 — the next tick tries again
                    log.exception("scheduler tick failed")
                finally:
                    connections.close_all()  # this thread's connections: none held while it sleeps
                self.stopping.wait(self.every)
        finally:
            connections.close_all()


def run_worker(*, worker_id: str, interval: float = 1.0, tick: float = 15.0, run_schedules: bool = True,
               batch: bool = False, max_tasks: int | None = None, signals: bool = True) -> None:
    """Run the task loop (and, unless `batch`, the scheduler thread) until stopped or, with `batch`, until
    the queue is empty. `batch` beats once and ticks the schedules once first, so a cron-driven
    `tuijin worker --batch` works as well."""
    scheduler = Scheduler(worker_id, every=tick, run_schedules=run_schedules)
    if batch:
        scheduler.beat()
    else:
        scheduler.start()
    worker = Worker(queue_names=["default"], interval=interval, batch=batch, backend_name="default",
                    startup_delay=not batch, max_tasks=max_tasks, worker_id=worker_id, excluded_queue_names=[])
    if signals:
        worker.configure_signals()
    try:
        worker.run()
    finally:
        scheduler.stopping.set()
