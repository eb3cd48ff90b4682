"""The warning engine listens to the apps below it (dependencies point one way): when the data behind
a dimension changes, the projects concerned are re-judged on the dimensions that read it.

Events arrive after the writing transaction committed; a failure here must not undo the user's save,
so it is logged and left to the next full refresh (the nightly `tuijin refresh-alerts`).
"""

import logging

from django.conf import settings
from django.utils.translation import gettext as _

from tuijin.core import events
from tuijin.jobs.services import in_request, job_start
from tuijin.problems.events import ProblemChanged
from tuijin.projects.events import AnnualPlanChanged, ProjectChanged
from tuijin.reports.events import PeriodChanged, ReportChanged
from tuijin.schedules.events import ScheduleChanged

from .choices import Dimension

log = logging.getLogger(__name__)

ALL = None
INVESTMENT = [Dimension.INVESTMENT_LAG]
REPORTING = [Dimension.INVESTMENT_LAG, Dimension.REPORT_MISSING]
SCHEDULES = [Dimension.MILESTONE_OVERDUE, Dimension.APPROVAL_OVERDUE, Dimension.START_OVERDUE]
PROBLEMS = [Dimension.PROBLEM_OVERDUE]


def _refresh(ids, dimensions, user=None) -> None:
    from . import services

    if ids is not None and len(ids) > settings.TUIJIN_REJUDGE_INLINE_MAX and in_request() \
            and getattr(user, "pk", None):
        # A web request's bulk save (the ledger import's confirm): the user gets the answer now and the
        # re-judging runs on the worker, its progress on the job's page (alerts/jobs.py).
        job_start(user, kind="alerts_rejudge", title=_("重新判定%(n)s个项目的预警") % {"n": len(ids)},
                  func="tuijin.alerts.jobs.rejudge",
                  params={"project_ids": [int(i) for i in ids],
                          "dimensions": None if dimensions is None else [str(d) for d in dimensions]})
        return
    try:
        services.refresh(ids, dimensions=dimensions)
    except Exception:  # noqa: BLE001 — see the module docstring
        log.exception("alert refresh failed for %s projects", "all" if ids is None else len(ids))


def on_project(event: ProjectChanged) -> None:
    _refresh(event.project_ids, ALL, event.user)


def on_plan(event: AnnualPlanChanged) -> None:
    _refresh(event.project_ids, INVESTMENT, event.user)


def on_reports(event: ReportChanged) -> None:
    from django.utils import timezone

    from . import engine

    # A hand-in of a period not judged yet (the open month at its deadline) moves no reporting warning:
    # no refresh, no reads of the rules and alerts in the request.
    if event.period_id is not None and not engine.judges_period(event.period_id, timezone.localdate()):
        return
    _refresh(event.project_ids, REPORTING)


def on_period(event: PeriodChanged) -> None:
    _refresh(None, REPORTING)  # a period opened or closed changes what is due for everybody


def on_schedule(event: ScheduleChanged) -> None:
    _refresh(event.project_ids, SCHEDULES)


def on_problem(event: ProblemChanged) -> None:
    _refresh(event.project_ids, PROBLEMS)


def connect() -> None:
    events.subscribe(ProjectChanged, on_project)
    events.subscribe(AnnualPlanChanged, on_plan)
    events.subscribe(ReportChanged, on_reports)
    events.subscribe(PeriodChanged, on_period)
    events.subscribe(ScheduleChanged, on_schedule)
    events.subscribe(ProblemChanged, on_problem)
