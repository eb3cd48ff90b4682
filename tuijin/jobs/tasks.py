"""The two tasks django-tasks queues: a user's job and a scheduled slot. Both take only an id; the work
itself is a plain function (tuijin/jobs/services.py), so the same code moves to Django 6's django.tasks by
changing this import."""

from django_tasks import task

from . import services


@task()
def run_job(job_id: int) -> str:
    return services.job_run(job_id)


@task()
def run_scheduled(run_id: int) -> str:
    return services.schedule_run(run_id)
