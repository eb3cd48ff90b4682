"""The problems app listens to the monthly reports below it: what a clerk writes under 存在问题及困难
in a handed-in report becomes a problem here, without typing it again.

Events arrive after the report's transaction committed; a failure here must not undo the report, so it
is logged (the next hand-in of the same reports tries again)."""

import logging

from tuijin.core import events
from tuijin.reports.events import ReportChanged

log = logging.getLogger(__name__)


def on_reports(event: ReportChanged) -> None:
    from . import services

    if not event.project_ids or event.period_id is None:
        return
    try:
        services.problems_from_reports(event.period_id, list(event.project_ids))
    except Exception:  # noqa: BLE001 — see the module docstring
        log.exception("problems from reports failed for period %s", event.period_id)


def connect() -> None:
    events.subscribe(ReportChanged, on_reports)
