"""The warning engine listens to the apps below it (dependencies point one way): when the data behind
a dimension changes, the projects concerned are re-judged on the dimensions that read it.

Events arrive after the writing transaction committed; a failure here must not undo the user's save,
so it is logged and left to the next full refresh (the nightly `tuijin refresh-alerts`).
"""

import logging

from tuijin.core import events

from .choices import Dimension

log = logging.getLogger(__name__)

ALL = None
INVESTMENT = [Dimension.INVESTMENT_LAG]
REPORTING = [Dimension.INVESTMENT_LAG, Dimension.REPORT_MISSING]
SCHEDULES = [Dimension.MILESTONE_OVERDUE, Dimension.APPROVAL_OVERDUE, Dimension.START_OVERDUE]
PROBLEMS = [Dimension.PROBLEM_OVERDUE]


def _ids(project_id=None, project_ids=None) -> list[int]:
    ids = list(project_ids or [])
    if project_id is not None:
        ids.append(project_id)
    return ids


def _refresh(ids, dimensions) -> None:
    from . import services

    try:
        services.refresh(ids, dimensions=dimensions)
    except Exception:  # noqa: BLE001 — see the module docstring
        log.exception("alert refresh failed for %s projects", "all" if ids is None else len(ids))


def on_project(project_id=None, project_ids=None, **_):
    _refresh(_ids(project_id, project_ids), ALL)


def on_plan(project_id=None, project_ids=None, **_):
    _refresh(_ids(project_id, project_ids), INVESTMENT)


def on_reports(project_id=None, project_ids=None, period_id=None, **_):
    from django.utils import timezone

    from . import engine

    # A hand-in of a period not judged yet (the open month at its deadline) moves no reporting warning:
    # no refresh, no reads of the rules and alerts in the request.
    if period_id is not None and not engine.judges_period(period_id, timezone.localdate()):
        return
    _refresh(_ids(project_id, project_ids), REPORTING)


def on_period(**_):
    _refresh(None, REPORTING)  # a period opened or closed changes what is due for everybody


def on_schedule(project_id=None, project_ids=None, **_):
    _refresh(_ids(project_id, project_ids), SCHEDULES)


def on_problem(project_id=None, project_ids=None, **_):
    _refresh(_ids(project_id, project_ids), PROBLEMS)


def connect() -> None:
    from tuijin.problems.services import PROBLEM_CHANGED
    from tuijin.projects.services import ANNUAL_PLAN_CHANGED, PROJECT_CHANGED
    from tuijin.reports.services import PERIOD_CHANGED, REPORT_CHANGED
    from tuijin.schedules.services import SCHEDULE_CHANGED

    events.subscribe(PROJECT_CHANGED, on_project)
    events.subscribe(ANNUAL_PLAN_CHANGED, on_plan)
    events.subscribe(REPORT_CHANGED, on_reports)
    events.subscribe(PERIOD_CHANGED, on_period)
    events.subscribe(SCHEDULE_CHANGED, on_schedule)
    events.subscribe(PROBLEM_CHANGED, on_problem)
