"""Backward scheduling (倒排工期) and a milestone's status: pure functions on dates, no database."""

from collections.abc import Sequence
from datetime import date, timedelta

from .choices import DUE_SOON_DAYS, MilestoneStatus


def backward_dates(durations: Sequence[int], target: date) -> list[date]:
    """Planned dates of nodes whose standard durations (days from the previous node) are `durations`,
    the last node falling on `target`: each earlier node is its successor's date minus the
    successor's duration. The first node's own duration is its lead time and moves no date."""
    dates: list[date] = [target] * len(durations)
    for i in range(len(durations) - 2, -1, -1):
        dates[i] = dates[i + 1] - timedelta(days=int(durations[i + 1]))
    return dates


def template_dates(durations: Sequence[int], target: date | None = None, *, start_index: int | None = None,
                   anchor: date | None = None) -> list[date]:
    """Planned dates of a template's nodes for one project.

    Without an anchor (the project's actual or planned start) or a start node, backwards from
    `target` (backward_dates). With both, the start node (index `start_index`) falls on `anchor`; the
    nodes before it are dated backwards from it by their standard durations; the nodes after it fit
    between the anchor and `target` (the last node on the target, each gap in proportion to its
    standard duration, rounded to whole days), or follow the anchor by their standard durations when
    there is no target. The caller checks the target lies after the anchor."""
    n = len(durations)
    if anchor is None or start_index is None or not 0 <= start_index < n:
        if target is None:
            raise ValueError("a target date is needed without a start anchor")
        return backward_dates(durations, target)
    dates: list[date] = [anchor] * n
    for i in range(start_index - 1, -1, -1):
        dates[i] = dates[i + 1] - timedelta(days=int(durations[i + 1]))
    after = [int(d) for d in durations[start_index + 1:]]
    total, span = sum(after), (target - anchor).days if target is not None else None
    cumulative = 0
    for offset, duration in enumerate(after, start=start_index + 1):
        cumulative += duration
        if span is None:
            days = cumulative
        elif total == 0:
            days = span
        else:  # cumulative × span / total, rounded half up, in integers
            days = (2 * cumulative * span + total) // (2 * total)
        dates[offset] = anchor + timedelta(days=days)
    return dates


def lead_start(durations: Sequence[int], target: date) -> date | None:
    """When work towards the first node must begin: the first node's date minus its lead time."""
    if not durations:
        return None
    return backward_dates(durations, target)[0] - timedelta(days=int(durations[0]))


def milestone_status(planned: date | None, actual: date | None, today: date, *, inferred: bool = False) -> MilestoneStatus:
    """A node's state on `today`; `inferred`: done by a recorded fact or a later node, not by its own
    actual date (see Milestone.objects.with_inference)."""
    if actual is None and inferred:
        return MilestoneStatus.INFERRED
    if actual is not None:
        return MilestoneStatus.DONE if planned is None or actual <= planned else MilestoneStatus.DONE_LATE
    if planned is None:
        return MilestoneStatus.UNSCHEDULED
    if planned < today:
        return MilestoneStatus.OVERDUE
    if planned <= today + timedelta(days=DUE_SOON_DAYS):
        return MilestoneStatus.DUE_SOON
    return MilestoneStatus.PLANNED


def days_late(planned: date | None, actual: date | None, today: date) -> int:
    """Days past the planned date: until done, or by how much it was done late (0 when on time)."""
    if planned is None:
        return 0
    return max(((actual or today) - planned).days, 0)
