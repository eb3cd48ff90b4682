"""No admin page for the task queue: django-tasks-db registers one for its DBTaskResult rows (arguments,
return values, tracebacks). Users see their jobs at /jobs/ (the office sees everyone's), and the queue is
the worker's own (its finished rows pruned by the schedule); its admin page is taken off the site."""

from django.contrib import admin
from django_tasks_db import admin as _tasks_admin  # noqa: F401 - registers DBTaskResult first
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
