"""What the projects app tells the apps above it, after the writing transaction commits (tuijin.core.events)."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class ProjectChanged:
    """Projects were created or changed (one event for a whole bulk save)."""

    project_ids: tuple[int, ...]
    user: Any


@dataclass(frozen=True, kw_only=True)
class AnnualPlanChanged:
    """Annual plans of `year` were saved for these projects."""

    project_ids: tuple[int, ...]
    year: int
    user: Any
