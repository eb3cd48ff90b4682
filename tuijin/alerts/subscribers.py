"""The warning engine listens to the apps below it (dependencies point one way): when the data behind
a dimension changes, the projects concerned are re-judged on the dimensions that read it.

Events arrive after the writing transaction committed; a failure here must not undo the user's save,
so it is logged and left to the next full refresh (the nightly `tuijin refresh-alerts`).
"""

import logging

from tuijin.core import events
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


def _refresh(ids, dimensions) -> None:
    from . import services

    try:
        services.refresh(ids, dimensions=dimensions)
    except Exception:  # noqa: BLE001 — see the module docstring
        log.exception("alert refresh failed for %s projects", "all" if ids is None else len(ids))


def on_project(event: ProjectChanged) -> None:
    _refresh(event.project_ids, ALL)


def on_plan(event: AnnualPlanChanged) -> None:
    _refresh(event.project_ids, INVESTMENT)


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
