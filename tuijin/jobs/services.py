"""Every write of background work: a job started, run, failed, retried; a scheduled slot claimed and run;
a worker's heartbeat. Views, the worker and the job functions call these; nothing else writes the tables.

A job function is a plain function `func(progress, user, **params) -> Outcome`: it reports how far it got
with `progress(done, total, message)` and returns where its result is. It runs on the worker (or inside the
request under the immediate backend); whatever it raises becomes the job's Chinese error, and a failed job
can be retried. A job runs once: a second run of the same queued task finds it taken and changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ConflictError, NotFound
from tuijin.core.history import stamp
from tuijin.org.selectors import is_office

from .choices import JobStatus
from .models import Job, ScheduleRun, WorkerHeartbeat

log = logging.getLogger(__name__)

MESSAGE_MAX = 500
ERROR_MAX = 4000


@dataclass(frozen=True)
class Outcome:
    """What a finished job function gives back: its result's address and a sentence saying what it did."""

    url: str = ""
    message: str = ""


class Progress:
    """The job function's reporter: `progress(done, total, message)`. Written at once, outside the job's own
    transactions, so the job page sees it while the job runs (not kept in history: it is not data)."""

    def __init__(self, job_id: int):
        self.job_id = job_id

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        values = {"done": max(0, int(done)), "message": str(message)[:MESSAGE_MAX]}
        if total is not None:
            values["total"] = max(0, int(total))
        Job.objects.filter(pk=self.job_id).update(**values)


# ------------------------------------------------------------------------------------------- jobs


def in_request() -> bool:
    """Whether a web request is being served in this thread (django-simple-history's middleware keeps it):
    a subscriber may then hand long work to a job rather than keep the user waiting."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None) is not None


def job_start(user, *, kind: str, title: str, func: str, params: dict | None = None) -> Job:
    """Record a job for `user` and queue it. `func` is a job function's dotted path (code, never input)."""
    import_string(func)  # a wrong path fails here, in the request, not later on the worker
    params = params or {}
    json.dumps(params)  # the queue keeps them as JSON
    job = Job(kind=kind[:40], title=title[:200], user=user if getattr(user, "pk", None) else None,
              func=func, params=params, message=_("等待后台进程执行"))
    stamp(job, user, _("发起后台任务")).save()
    _enqueue(job)
    return Job.objects.get(pk=job.pk)


def _enqueue(job: Job) -> None:
    from .tasks import run_job

    result = run_job.enqueue(job.pk)  # the immediate backend runs it here and now
    Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id)[:64])


def may_manage(user, job: Job) -> bool:
    """The job's owner, or the office (who may look after everybody's jobs)."""
    return (job.user_id is not None and job.user_id == getattr(user, "pk", None)) or is_office(user)


def job_retry(user, job: Job) -> Job:
    """Queue a failed job again (its owner or the office). Only a failed job: a queued, running or finished
    one is refused, so a double click never runs the work twice."""
    if not may_manage(user, job):
        raise PermissionDenied
    with transaction.atomic():
        claimed = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED, error="", done=0, message=_("等待后台进程执行"), finished_at=None)
        if not claimed:
            raise ValidationError(_("只有失败的任务可以重试（该任务当前状态：%(status)s）")
                                  % {"status": Job.objects.get(pk=job.pk).get_status_display()})
        job = Job.objects.get(pk=job.pk)
        stamp(job, user, _("重试后台任务")).save()
    _enqueue(job)
    return Job.objects.get(pk=job.pk)


def job_run(job_id: int) -> str:
    """Run a queued job (the task's body). A job not queued any more (done, running elsewhere, failed and
    not retried) is left alone: running the same task twice changes nothing more."""
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=now, attempts=F("attempts") + 1, message=_("正在执行")):
        return "skipped"
    job = Job.objects.select_related("user").get(pk=job_id)
    try:
        outcome = import_string(job.func)(Progress(job.pk), job.user, **job.params) or Outcome()
    except Exception as exc:  # noqa: BLE001 — every failure is the job's, told to its owner in Chinese
        _finish(job, JobStatus.FAILED, error=failure_text(exc))
        return "failed"
    _finish(job, JobStatus.DONE, outcome=outcome)
    return "done"


def _finish(job: Job, status: str, *, outcome: Outcome | None = None, error: str = "") -> None:
    fresh = Job.objects.get(pk=job.pk)
    fresh.status, fresh.finished_at, fresh.error = status, timezone.now(), error[:ERROR_MAX]
    if outcome is not None:
        fresh.result_url = outcome.url[:500]
        fresh.message = (outcome.message or _("已完成"))[:MESSAGE_MAX]
        fresh.done = fresh.total = max(fresh.total, 1)
    else:
        fresh.message = _("执行失败")
    stamp(fresh, job.user, _("后台任务完成") if status == JobStatus.DONE else _("后台任务失败")).save()


def failure_text(exc: BaseException) -> str:
    """The reason a user reads: the service's own Chinese message where there is one."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    if isinstance(exc, ConflictError):
        return _("数据已被他人修改，本次没有保存：请刷新后重试")
    if isinstance(exc, PermissionDenied):
        return _("您无权执行该操作")
    if isinstance(exc, NotFound):
        return _("要处理的记录不存在或不在您的范围内")
    log.exception("background job failed")
    return _("执行时出错（%(kind)s）。请重试；仍然失败请联系系统管理员") % {"kind": type(exc).__name__}


# --------------------------------------------------------------------------------------- schedules


def schedule_claim(name: str, slot: datetime, worker_id: str) -> ScheduleRun | None:
    """Claim the slot of a scheduled job: the unique (name, slot) row. None when another scheduler had it."""
    try:
        with transaction.atomic():
            return ScheduleRun.objects.create(name=name, slot=slot, worker_id=worker_id[:64])
    except IntegrityError:
        return None


def schedule_run(run_id: int) -> str:
    """Run a claimed slot's callable (settings.TUIJIN_SCHEDULES); once, like a job."""
    from .schedules import schedule_named

    if not ScheduleRun.objects.filter(pk=run_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now()):
        return "skipped"
    run = ScheduleRun.objects.get(pk=run_id)
    try:
        schedule = schedule_named(run.name)
        value = import_string(schedule.call)(**schedule.kwargs)
    except Exception as exc:  # noqa: BLE001 — recorded on the run; the next slot tries again
        log.exception("scheduled job %s failed", run.name)
        ScheduleRun.objects.filter(pk=run_id).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                                     error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX])
        return "failed"
    summary = describe(value)
    ScheduleRun.objects.filter(pk=run_id).update(status=JobStatus.DONE, finished_at=timezone.now(),
                                                 summary=summary[:ERROR_MAX])
    # In the worker's log too (the journal): the audit chain's last hash is kept outside the database.
    log.info("scheduled job %s done: %s", run.name, summary[:1000])
    return "done"


def describe(value) -> str:
    """A scheduled callable's return value as text: JSON where it is data, its as_dict() where it has one."""
    def plain(v):
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return dataclasses.asdict(v)
        if hasattr(v, "as_dict"):
            return v.as_dict()
        if isinstance(v, tuple | list):
            return [plain(x) for x in v]
        return v

    try:
        return json.dumps(plain(value), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def prune_queue(days: int = 30) -> dict:
    """The queue's finished tasks older than `days` deleted (a scheduled job): the queue table holds what
    waits and what ran lately; the Job rows (what users see) and the ScheduleRun rows stay."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=days)
    deleted, _counts = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return {"deleted": deleted, "before": cutoff.isoformat()}


# -------------------------------------------------------------------------------------- heartbeat


def heartbeat(worker_id: str, *, hostname: str, pid: int, started_at: datetime) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(worker_id=worker_id[:64], hostname=hostname[:200], pid=pid,
                                       started_at=started_at, seen_at=now)
        # Workers come and go (restarts, upgrades): a day-old heartbeat tells nothing any more.
        WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
