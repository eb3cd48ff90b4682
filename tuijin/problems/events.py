"""What the problems app tells the apps above it, after the writing transaction commits (tuijin.core.events)."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class ProblemChanged:
    """Problems or supervision orders of these projects changed (raised, a step taken, a deadline moved)."""

    project_ids: tuple[int, ...]
    user: Any
