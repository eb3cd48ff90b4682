"""Background jobs (tuijin/jobs): started, run, failed with a Chinese reason, retried, run once; their pages.

The suite runs jobs with django-tasks' immediate backend (tests/conftest.py): a job finishes inside the call
that starts it. tests/jobs/test_worker.py runs the database backend and its worker."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tuijin.jobs import services
from tuijin.jobs.models import Job, ScheduleRun

from .functions import __name__ as FUNCS

pytestmark = pytest.mark.django_db


def start(user, func="steps", **params):
    return services.job_start(user, kind="test", title="测试任务", func=f"{FUNCS}.{func}", params=params)


def test_a_job_runs_reports_its_progress_and_ends_with_its_result(users):
    job = start(users["reporter_a"], n=4, url="/projects/")
    assert (job.status, job.done, job.total, job.result_url, job.message) == ("done", 4, 4, "/projects/", "完成4步")
    assert job.attempts == 1 and job.started_at and job.finished_at and job.task_result_id
    assert job.user == users["reporter_a"]
    reasons = list(job.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == ["发起后台任务", "后台任务完成"]


def test_a_refused_job_fails_with_the_services_chinese_message(users):
    job = start(users["dispatcher"], "refuses")
    assert (job.status, job.error, job.result_url) == ("failed", "该调度期已经关闭，不能再关闭", "")


def test_an_unexpected_error_is_told_in_chinese_without_the_internals(users):
    job = start(users["dispatcher"], "breaks")
    assert job.status == "failed"
    assert job.error.startswith("执行时出错（ZeroDivisionError）。请重试") and "boom" not in job.error


def test_a_wrong_function_path_is_refused_before_anything_is_written(users):
    with pytest.raises(ImportError):
        services.job_start(users["dispatcher"], kind="test", title="错", func="tuijin.nowhere.run")
    assert not Job.objects.exists()


def test_running_a_job_twice_changes_nothing_more(users):
    job = start(users["reporter_a"])
    history = job.history.count()
    assert services.job_run(job.pk) == "skipped"
    again = Job.objects.get(pk=job.pk)
    assert (again.status, again.attempts, again.finished_at) == ("done", 1, job.finished_at)
    assert again.history.count() == history


def test_a_failed_job_is_retried_by_its_owner_and_then_finishes(users):
    job = start(users["reporter_a"], "flaky", flag="ready")
    assert (job.status, job.error) == ("failed", "前置数据尚未就绪")
    ScheduleRun.objects.create(name="ready", slot="2026-01-01T00:00:00Z", worker_id="t")
    job = services.job_retry(users["reporter_a"], job)
    assert (job.status, job.error, job.attempts, job.result_url) == ("done", "", 2, "/")


def test_only_a_failed_job_may_be_retried(users):
    job = start(users["reporter_a"])
    history = job.history.count()
    with pytest.raises(ValidationError) as refused:
        services.job_retry(users["reporter_a"], job)
    assert refused.value.messages == ["只有失败的任务可以重试（该任务当前状态：已完成）"]
    assert Job.objects.get(pk=job.pk).attempts == 1 and job.history.count() == history


def test_the_job_page_shows_the_result_link_and_the_data_its_script_polls(client, users):
    job = start(users["reporter_a"], url="/reports/")
    client.force_login(users["reporter_a"])
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "测试任务" in page and "已完成" in page and 'href="/reports/"' in page and "tuijin/job.js" in page
    data = client.get(reverse("jobs:data", args=[job.pk])).json()
    assert data == {"id": job.pk, "status": "done", "status_label": "已完成", "done": 3, "total": 3, "percent": 100,
                    "message": "完成3步", "result_url": "/reports/", "error": "", "attempts": 1, "finished": True}


def test_a_failed_jobs_page_says_why_and_offers_the_retry(client, users):
    job = start(users["reporter_a"], "refuses")
    client.force_login(users["reporter_a"])
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "失败原因" in page and "该调度期已经关闭，不能再关闭" in page
    assert reverse("jobs:retry", args=[job.pk]) in page


def test_others_jobs_answer_404_and_the_office_sees_everybodys(client, users):
    job = start(users["reporter_a"], "refuses")
    client.force_login(users["reporter_b"])
    for name in ("jobs:detail", "jobs:data"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    assert Job.objects.get(pk=job.pk).status == "failed"
    client.force_login(users["dispatcher"])
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    response = client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert Job.objects.get(pk=job.pk).attempts == 2


def test_the_list_shows_the_users_own_recent_jobs(client, users):
    start(users["reporter_a"], url="/mine/")
    services.job_start(users["reporter_b"], kind="test", title="别人的任务", func=f"{FUNCS}.steps")
    client.force_login(users["reporter_a"])
    page = client.get(reverse("jobs:list")).content.decode()
    assert "测试任务" in page and "别人的任务" not in page
    client.force_login(users["outsider"])
    assert "您还没有发起过后台任务" in client.get(reverse("jobs:list")).content.decode()


def test_the_nightly_warnings_and_overdue_check_run_from_their_default_schedules(city, own_project):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tuijin.alerts.models import AlertRun
    from tuijin.jobs import schedules

    at = datetime(2026, 12, 8, 2, 25, tzinfo=ZoneInfo("Asia/Shanghai"))
    # The others' slots are last night's; the reminders' delivery (every few minutes) is due at any time.
    assert schedules.tick("w-test", at) == ["warnings", "overdue", "reminders-deliver"]
    runs = {run.name: run for run in ScheduleRun.objects.all()}
    assert {name: run.status for name, run in runs.items()} == {"warnings": "done", "overdue": "done",
                                                                 "reminders-deliver": "done"}
    assert AlertRun.objects.count() == 1 and '"projects": 1' in runs["warnings"].summary
    assert '"problems": 0' in runs["overdue"].summary and '"orders": 0' in runs["overdue"].summary
