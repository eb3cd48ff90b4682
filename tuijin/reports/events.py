"""What the reports app tells the apps above it, after the writing transaction commits (tuijin.core.events)."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class ReportChanged:
    """Reports of these projects in one period were saved, handed in, approved or returned; `period_id`
    None when the period is not known (a refresh asked for by a command or a bench)."""

    project_ids: tuple[int, ...]
    period_id: int | None
    user: Any


@dataclass(frozen=True, kw_only=True)
class PeriodChanged:
    """A dispatch period was opened or closed: what is due changes for every project."""

    period_id: int
    user: Any
