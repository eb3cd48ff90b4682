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


def lead_start(durations: Sequence[int], target: date) -> date | None:
    """When work towards the first node must begin: the first node's date minus its lead time."""
    if not durations:
        return None
    return backward_dates(durations, target)[0] - timedelta(days=int(durations[0]))


def milestone_status(planned: date | None, actual: date | None, today: date) -> MilestoneStatus:
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
