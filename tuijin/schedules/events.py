"""What the schedules app tells the apps above it, after the writing transaction commits (tuijin.core.events)."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class ScheduleChanged:
    """Milestones, baselines or approvals of these projects were saved."""

    project_ids: tuple[int, ...]
    user: Any
