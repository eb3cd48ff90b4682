"""Opening and closing a period run as background jobs (tuijin/reports/jobs.py): the POST checks what it can,
queues the job and answers with the job's page, which ends with the link to the period."""

import pytest
from django.urls import reverse

from tuijin.jobs.models import Job
from tuijin.jobs.worker import run_worker
from tuijin.reports import jobs, services
from tuijin.reports.models import ProgressReport, ReportPeriod


@pytest.fixture
def period(city, own_project):
    return services.period_open(None, year=2026, month=11, project_ids=[own_project.pk])


def test_opening_a_period_answers_with_its_job_which_links_to_the_period(client, users, own_project, other_project):
    client.force_login(users["dispatcher"])
    response = client.post(reverse("reports:period_open"), {"year": 2026, "month": 10, "cadence": "month", "seq": 1,
                                                            "stages": ["construction"]})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    period = ReportPeriod.objects.get(year=2026, month=10)
    assert (job.kind, job.title, job.status, job.user) == ("period_open", "开启2026年10月调度期", "done", users["dispatcher"])
    assert job.result_url == reverse("reports:period", args=[period.pk])
    assert job.message == f"2026年10月调度期已开启，2个项目须填报，截止{period.due_on}"
    assert period.reports.count() == 2 and period.opened_by == users["dispatcher"]
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and f'href="{job.result_url}"' in page and "查看结果" in page


def test_a_period_already_open_is_refused_on_the_form_and_no_job_is_started(client, users, period):
    client.force_login(users["dispatcher"])
    response = client.post(reverse("reports:period_open"), {"year": 2026, "month": 11, "cadence": "month", "seq": 1,
                                                            "stages": ["construction"]})
    assert response.status_code == 200 and "2026年11月的调度期已经开启过" in response.content.decode()
    assert not Job.objects.exists() and ReportPeriod.objects.count() == 1


def test_closing_a_period_answers_with_its_job_and_freezes_the_period(client, users, period):
    client.force_login(users["dispatcher"])
    response = client.post(reverse("reports:period_close", args=[period.pk]), {"version": period.version})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.status, job.message) == ("period_close", "done", "2026年11月调度期已关闭，填报已冻结")
    assert job.result_url == reverse("reports:period", args=[period.pk])
    period.refresh_from_db()
    assert (period.status, period.closed_by) == ("closed", users["dispatcher"])


def test_reports_awaiting_review_refuse_the_close_on_the_period_page_without_a_job(client, users, period):
    report = period.reports.get()
    services.reports_save(None, period, [{"id": report.pk, "version": report.version, "amount": "12.50",
                                          "progress": "主体施工"}], submit=True)
    client.force_login(users["dispatcher"])
    response = client.post(reverse("reports:period_close", args=[period.pk]), {"version": period.version}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:period", args=[period.pk])
    assert [str(m) for m in response.context["messages"]][0].startswith("还有1个填报待审核")
    assert not Job.objects.exists() and ReportPeriod.objects.get(pk=period.pk).status == "open"


def test_a_period_changed_after_the_click_fails_the_job_saying_so(users, period):
    read_at = period.version
    services.period_set_due(users["admin"], period, period.due_on, version=read_at)
    with pytest.raises(Exception) as refused:
        jobs.period_close(lambda *a, **k: None, users["dispatcher"], period_id=period.pk, version=read_at)
    assert str(refused.value.messages[0]).startswith("该调度期已被系统管理员于 ")
    assert ReportPeriod.objects.get(pk=period.pk).status == "open"


@pytest.mark.django_db(transaction=True)
def test_on_the_database_backend_the_close_waits_for_the_worker(client, settings, city, own_project):
    settings.TUIJIN_TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": settings.TUIJIN_TASKS_BACKENDS["database"]}}
    settings.TUIJIN_SCHEDULES = {}
    period = services.period_open(None, year=2026, month=11, project_ids=[own_project.pk])
    client.force_login(city.users["dispatcher"])
    response = client.post(reverse("reports:period_close", args=[period.pk]), {"version": period.version})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == "queued" and ReportPeriod.objects.get(pk=period.pk).status == "open"
    assert client.get(reverse("jobs:data", args=[job.pk])).json()["status_label"] == "排队中"
    run_worker(worker_id="w-test", batch=True, run_schedules=False, signals=False)
    assert ReportPeriod.objects.get(pk=period.pk).status == "closed"
    data = client.get(reverse("jobs:data", args=[job.pk])).json()
    assert (data["status"], data["result_url"]) == ("done", reverse("reports:period", args=[period.pk]))
    assert ProgressReport.objects.filter(period=period).count() == 1
