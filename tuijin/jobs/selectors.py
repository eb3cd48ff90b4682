"""Reads of background work: a user's jobs (others' answer 404), a job's state for its page, the workers."""

from __future__ import annotations

from django.utils import timezone

from tuijin.core.exceptions import get_or_not_found
from tuijin.org.selectors import is_office

from .models import Job, WorkerHeartbeat

RECENT = 50


def jobs_visible_to(user):
    """The user's own jobs; the office sees everybody's (it looks after them and may retry them)."""
    if is_office(user):
        return Job.objects.all()
    return Job.objects.filter(user_id=getattr(user, "pk", None) or -1)


def job_for_user(user, pk: int) -> Job:
    return get_or_not_found(jobs_visible_to(user).select_related("user"), pk=pk)


def recent_jobs(user):
    """The user's own latest jobs (the office's list too is its own: others' are reached from their pages)."""
    return Job.objects.filter(user_id=getattr(user, "pk", None) or -1).order_by("-created_at", "-id")[:RECENT]


def latest_job(user, kind: str, since):
    """The user's first job of `kind` started at or after `since` (a page that caused one links to it)."""
    if since is None or not getattr(user, "pk", None):
        return None
    return Job.objects.filter(user=user, kind=kind, created_at__gte=since).order_by("created_at", "id").first()


def job_data(job: Job) -> dict:
    return {"id": job.pk, "status": job.status, "status_label": str(job.get_status_display()),
            "done": job.done, "total": job.total, "percent": job.percent, "message": job.message,
            "result_url": job.result_url, "error": job.error, "attempts": job.attempts,
            "finished": job.status in ("done", "failed")}


def last_heartbeat():
    """The newest worker heartbeat's time (None: no worker has ever run here)."""
    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def heartbeat_age(now=None) -> float | None:
    seen = last_heartbeat()
    if seen is None:
        return None
    return max(0.0, ((now or timezone.now()) - seen).total_seconds())
