"""A web request's bulk save hands the re-judging of many projects' warnings to a background job (the
ledger import's confirm); a small save, or one outside a request (the CLI, the worker), re-judges inline."""

import pytest
from simple_history.models import HistoricalRecords

from tuijin.alerts import subscribers
from tuijin.alerts.models import AlertRun
from tuijin.jobs.models import Job
from tuijin.jobs.selectors import latest_job
from tuijin.projects.events import ProjectChanged


@pytest.fixture
def serving_a_request(settings):
    settings.TUIJIN_REJUDGE_INLINE_MAX = 1
    HistoricalRecords.context.request = object()
    yield
    del HistoricalRecords.context.request


def test_a_large_save_in_a_request_becomes_a_job_that_rejudges_and_links_to_the_warnings(
        serving_a_request, users, own_project, other_project):
    before = AlertRun.objects.count()
    subscribers.on_project(ProjectChanged(project_ids=(own_project.pk, other_project.pk), user=users["dispatcher"]))
    job = Job.objects.get()
    assert (job.kind, job.title, job.status, job.user) == ("alerts_rejudge", "重新判定2个项目的预警", "done",
                                                          users["dispatcher"])
    assert job.message.startswith("已重新判定2个项目的预警：") and job.result_url == "/alerts/"
    assert job.params == {"project_ids": [own_project.pk, other_project.pk], "dimensions": None}
    assert latest_job(users["dispatcher"], "alerts_rejudge", job.created_at) == job
    assert AlertRun.objects.count() == before  # a refresh of those projects, not a nightly run


def test_a_small_save_or_one_outside_a_request_rejudges_inline(settings, users, own_project, other_project, monkeypatch):
    calls = []
    monkeypatch.setattr("tuijin.alerts.services.refresh", lambda ids, dimensions=None: calls.append(ids))
    settings.TUIJIN_REJUDGE_INLINE_MAX = 1
    subscribers.on_project(ProjectChanged(project_ids=(own_project.pk, other_project.pk), user=users["dispatcher"]))
    HistoricalRecords.context.request = object()
    try:
        subscribers.on_project(ProjectChanged(project_ids=(own_project.pk,), user=users["dispatcher"]))
    finally:
        del HistoricalRecords.context.request
    assert calls == [(own_project.pk, other_project.pk), (own_project.pk,)] and not Job.objects.exists()
