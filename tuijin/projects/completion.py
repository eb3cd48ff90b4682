"""本年累计完成 on the ledger, its 合计 row and its export — as of one chosen period, by one rule.

The figure comes from the monthly reports, an app above this one (dependencies point one way:
docs/architecture.md, Layout), so the reports app registers the one provider here when it loads
(reports/apps.py), as it adds its tab (core/tabs.py); the ledger page and the export (ledgerio) ask through
these functions and never import it. Without a provider (the reports app not installed) the ledger
shows no completion.

The provider answers, for a year and the period the user chose (or none: the default):
- `as_of(year, key)`: what the figures are as of (AsOf), or None when the year has no period yet;
- `figure(as_of)`: the per-project figure as a Figure: an expression on a queryset of projects with the
  year's plan joined as `year_plan` and the relations it names joined too (projects.selectors.
  with_year_plan does both), so the ledger's totals sum it in the pass they make anyway and its rows
  read it with their other columns;
- `amounts(as_of, project_ids)`: 本年累计完成 per project (万元, exact Decimals), the same figure;
- `total(as_of, projects)`: the same summed over a queryset of projects, in one exact integer SUM;
- `progress(as_of, project_ids)`: 形象进度 per project (the text of its latest counted report);
- `plan_figures(pairs)`: what a new annual plan of (project, year) carries from the reports already
  there (AnnualPlan.counted_approved / counted_handed_in), so that it is right from its first save;
- `by_year(project_id)`: per year, the project's 本年累计完成 and the end of the last period it counts
  (the plans page: "截至10月").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol


@dataclass(frozen=True)
class AsOf:
    key: str  # the chosen period as the chooser sends it (its id)
    period_end: date
    label: str  # stated in the ledger's header and the export's subtitle: 截至2026年10月，已审核填报
    choices: list[tuple[str, str]] = field(default_factory=list)  # the year's periods, newest first


@dataclass(frozen=True)
class Figure:
    """本年累计完成 per project as an expression, and the relations (alias → FilteredRelation) it reads
    besides the year's plan."""

    expression: object
    relations: dict = field(default_factory=dict)


class Provider(Protocol):
    def as_of(self, year: int, key: str | None) -> AsOf | None: ...

    def amounts(self, as_of: AsOf, project_ids) -> dict[int, Decimal]: ...

    def total(self, as_of: AsOf, projects) -> Decimal: ...

    def figure(self, as_of: AsOf) -> Figure: ...

    def progress(self, as_of: AsOf, project_ids) -> dict[int, str]: ...

    def plan_figures(self, pairs) -> dict[tuple[int, int], tuple[Decimal, Decimal]]: ...

    def by_year(self, project_id: int) -> dict[int, tuple[Decimal, date]]: ...


_provider: list[Provider] = []


def register(provider: Provider) -> None:
    _provider[:] = [provider]


def as_of(year: int, key: str | None = None) -> AsOf | None:
    return _provider[0].as_of(year, key) if _provider else None


def amounts(basis: AsOf | None, project_ids) -> dict[int, Decimal]:
    return _provider[0].amounts(basis, project_ids) if _provider and basis is not None else {}


def total(basis: AsOf | None, projects) -> Decimal | None:
    return _provider[0].total(basis, projects) if _provider and basis is not None else None


def figure(basis: AsOf | None) -> Figure | None:
    """The figure to sum over projects joined to the year's plan; None without a provider or a period."""
    return _provider[0].figure(basis) if _provider and basis is not None else None


def progress(basis: AsOf | None, project_ids) -> dict[int, str]:
    return _provider[0].progress(basis, project_ids) if _provider and basis is not None else {}


def plan_figures(pairs) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """(counted_approved, counted_handed_in) for new annual plans of these (project id, year) pairs; a pair
    left out (no provider, no report of the year) carries 0."""
    pairs = list(pairs)
    return _provider[0].plan_figures(pairs) if _provider and pairs else {}


def by_year(project_id: int) -> dict[int, tuple[Decimal, date]]:
    return _provider[0].by_year(project_id) if _provider else {}


def rate(done: Decimal | None, planned: Decimal | None) -> Decimal | None:
    """完成率: done ÷ the year's planned investment in percent, one decimal (as reports.figures.percent);
    None without a plan above zero or without a figure."""
    if done is None or planned is None or planned <= 0:
        return None
    return (done * 100 / planned).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
