"""The real engine: django-tasks-db's queue table, `tuijin worker`'s loop taking the jobs from it, the
scheduler claiming each slot once however many run, the heartbeat /healthz reads. On SQLite and PostgreSQL
alike (the suite runs on both)."""

import threading
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tuijin.jobs import schedules, services
from tuijin.jobs.models import Job, ScheduleRun, WorkerHeartbeat
from tuijin.jobs.worker import run_worker

from . import functions
from .functions import __name__ as FUNCS

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def database_backend(settings):
    settings.TUIJIN_TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": settings.TUIJIN_TASKS_BACKENDS["database"]}}
    settings.TUIJIN_SCHEDULES = {"test-every": {"call": f"{FUNCS}.scheduled", "every_minutes": 5,
                                                "kwargs": {"who": "调度"}}}
    functions.CALLS.clear()


def work(worker_id="w-test"):
    run_worker(worker_id=worker_id, batch=True, run_schedules=False, signals=False)


@pytest.mark.django_db(transaction=True)
def test_a_job_waits_in_the_queue_until_a_worker_runs_it(database_backend, users):
    job = services.job_start(users["dispatcher"], kind="test", title="排队的任务", func=f"{FUNCS}.steps",
                             params={"n": 2, "url": "/reports/"})
    assert (job.status, job.attempts, job.message) == ("queued", 0, "等待后台进程执行")
    queued = DBTaskResult.objects.get(id=job.task_result_id)
    assert (queued.status, queued.task_path) == ("READY", "tuijin.jobs.tasks.run_job")
    work()
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.done, job.total, job.result_url, job.attempts) == ("done", 2, 2, "/reports/", 1)
    finished = DBTaskResult.objects.get(id=job.task_result_id)
    assert (finished.status, finished.return_value) == ("SUCCESSFUL", "done")
    assert WorkerHeartbeat.objects.get(worker_id="w-test").seen_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_is_retried_through_the_queue(database_backend, users):
    job = services.job_start(users["dispatcher"], kind="test", title="会失败", func=f"{FUNCS}.flaky",
                             params={"flag": "go"})
    work()
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.error) == ("failed", "前置数据尚未就绪")
    ScheduleRun.objects.create(name="go", slot=timezone.now(), worker_id="t")
    job = services.job_retry(users["dispatcher"], job)
    assert job.status == "queued"
    work()
    assert Job.objects.get(pk=job.pk).status == "done"
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2  # each run finished its task


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_queue_a_slot_once_and_a_worker_runs_it(database_backend):
    now = datetime(2026, 12, 8, 2, 7, tzinfo=SHANGHAI)
    assert schedules.tick("w-1", now) == ["test-every"]
    assert schedules.tick("w-2", now + timedelta(seconds=30)) == []
    run = ScheduleRun.objects.get()
    assert (run.name, run.slot, run.worker_id, run.status) == ("test-every", datetime(2026, 12, 8, 2, 5, tzinfo=SHANGHAI),
                                                                "w-1", "queued")
    assert DBTaskResult.objects.count() == 1
    work()
    run = ScheduleRun.objects.get()
    assert (run.status, run.summary) == ("done", '{"seen": {"who": "调度"}}')
    assert functions.CALLS == [{"who": "调度"}]
    assert schedules.tick("w-2", now + timedelta(minutes=3)) == ["test-every"]  # the 02:10 slot
    assert ScheduleRun.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_schedulers_racing_in_threads_claim_each_slot_once(database_backend):
    now = datetime(2026, 12, 8, 2, 7, tzinfo=SHANGHAI)
    barrier, claimed = threading.Barrier(4), []

    def scheduler(n):
        from django.db import connection

        try:
            barrier.wait()
            claimed.extend(schedules.tick(f"w-{n}", now))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert claimed == ["test-every"]
    assert ScheduleRun.objects.count() == 1 and DBTaskResult.objects.count() == 1


def test_a_daily_slot_missed_by_a_few_hours_runs_and_one_missed_longer_waits():
    nightly = schedules.parse("n", {"call": "x.y", "daily": "02:00"})
    at = lambda h, m=0, d=8: datetime(2026, 12, d, h, m, tzinfo=SHANGHAI)  # noqa: E731
    assert nightly.latest_slot(at(1, 59)) == at(2, d=7) and nightly.due_slot(at(1, 59)) is None
    assert nightly.due_slot(at(2)) == at(2)
    assert nightly.due_slot(at(7, 59)) == at(2)
    assert nightly.due_slot(at(8, 1)) is None
    # 02:00 in Shanghai is 18:00 UTC the day before
    assert nightly.due_slot(datetime(2026, 12, 7, 18, 30, tzinfo=ZoneInfo("UTC"))) == at(2)


def test_an_every_n_minutes_slot_is_the_current_one():
    every = schedules.parse("e", {"call": "x.y", "every_minutes": 15})
    assert every.due_slot(datetime(2026, 12, 8, 0, 44, 59, tzinfo=SHANGHAI)) == datetime(2026, 12, 8, 0, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("entry", "message"), [
    ({"daily": "02:00"}, "needs a 'call'"),
    ({"call": "x.y"}, "exactly one of 'daily' and 'every_minutes'"),
    ({"call": "x.y", "daily": "2点"}, "must be HH:MM"),
    ({"call": "x.y", "every_minutes": 0}, "must be 1 to 1440"),
])
def test_a_malformed_schedule_is_refused_by_name(entry, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        schedules.parse("bad", entry)


def test_the_default_schedules_point_at_real_callables(settings):
    from django.utils.module_loading import import_string

    names = {s.name: s for s in schedules.all_schedules()}
    assert set(names) == {"warnings", "overdue", "audit-verify", "audit-archive", "backup",
                           "prune-queue", "reminders-scan", "reminders-deliver"}
    assert (names["reminders-scan"].daily.isoformat(), names["reminders-deliver"].every_minutes) == ("08:00:00", 5)
    for schedule in names.values():
        assert callable(import_string(schedule.call))


@pytest.mark.django_db
def test_healthz_says_when_no_worker_has_ever_run_and_when_one_stopped(settings):
    settings.TUIJIN_TASKS_BACKEND = "database"
    body = Client().get("/healthz")
    assert body.status_code == 503
    assert body.json()["checks"]["worker"] == {"ok": False, "detail": "no worker has ever run (start `tuijin worker`)"}
    services.heartbeat("w-1", hostname="h", pid=1, started_at=timezone.now())
    ok = Client().get("/healthz")
    assert ok.status_code == 200 and ok.json()["checks"]["worker"]["ok"] is True
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=10))
    stale = Client().get("/healthz").json()["checks"]["worker"]
    assert stale["ok"] is False and stale["detail"].startswith("last heartbeat 600 s ago (limit 180 s)")


def test_the_worker_command_refuses_the_immediate_backend():
    with pytest.raises(CommandError, match="无需后台进程"):
        call_command("worker", "--batch")


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_in_batch_runs_what_is_queued_and_exits(database_backend, users):
    job = services.job_start(users["dispatcher"], kind="test", title="命令执行", func=f"{FUNCS}.steps")
    call_command("worker", "--batch", "--no-schedules", "--worker-id", "w-cmd", verbosity=0)
    assert Job.objects.get(pk=job.pk).status == "done"
    assert WorkerHeartbeat.objects.filter(worker_id="w-cmd").exists() and not ScheduleRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_queue_forgets_finished_tasks_after_a_month_but_not_waiting_ones(database_backend, users):
    done = services.job_start(users["dispatcher"], kind="test", title="旧任务", func=f"{FUNCS}.steps")
    work()
    waiting = services.job_start(users["dispatcher"], kind="test", title="排队", func=f"{FUNCS}.steps")
    DBTaskResult.objects.filter(id=done.task_result_id).update(finished_at=timezone.now() - timedelta(days=31))
    assert services.prune_queue(days=30)["deleted"] == 1
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [uuid.UUID(waiting.task_result_id)]
    assert Job.objects.count() == 2  # what users see stays
