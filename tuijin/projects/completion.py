"""本年累计完成 on the ledger, its 合计 row and its export — as of one chosen period, by one rule.

The figure comes from the monthly reports, an app above this one (dependencies point one way:
docs/architecture.md, Layout), so the reports app registers the one provider here when it loads
(reports/apps.py), as it adds its tab (core/tabs.py); the ledger page and the export (ledgerio) ask through
these functions and never import it. Without a provider (the reports app not installed) the ledger
shows no completion.

The provider answers, for a year and the period the user chose (or none: the default):
- `as_of(year, key)`: what the figures are as of (AsOf), or None when the year has no period yet;
- `amounts(as_of, project_ids)`: 本年累计完成 per project (万元, exact Decimals);
- `total(as_of, projects)`: the same summed over a queryset of projects, in one exact integer SUM;
- `figure(as_of)`: the per-project figure as an expression on a queryset of projects with the year's
  plan joined as `year_plan` (projects.selectors.with_year_plan), so the ledger's totals can sum it in
  the pass they make anyway (`total` sums the same expression);
- `progress(as_of, project_ids)`: 形象进度 per project (the text of its latest counted report).
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


class Provider(Protocol):
    def as_of(self, year: int, key: str | None) -> AsOf | None: ...

    def amounts(self, as_of: AsOf, project_ids) -> dict[int, Decimal]: ...

    def total(self, as_of: AsOf, projects) -> Decimal: ...

    def figure(self, as_of: AsOf): ...

    def progress(self, as_of: AsOf, project_ids) -> dict[int, str]: ...


_provider: list[Provider] = []


def register(provider: Provider) -> None:
    _provider[:] = [provider]


def as_of(year: int, key: str | None = None) -> AsOf | None:
    return _provider[0].as_of(year, key) if _provider else None


def amounts(basis: AsOf | None, project_ids) -> dict[int, Decimal]:
    return _provider[0].amounts(basis, project_ids) if _provider and basis is not None else {}


def total(basis: AsOf | None, projects) -> Decimal | None:
    return _provider[0].total(basis, projects) if _provider and basis is not None else None


def figure(basis: AsOf | None):
    """The figure to sum over projects joined to the year's plan; None without a provider or a period."""
    return _provider[0].figure(basis) if _provider and basis is not None else None


def progress(basis: AsOf | None, project_ids) -> dict[int, str]:
    return _provider[0].progress(basis, project_ids) if _provider and basis is not None else {}


def rate(done: Decimal | None, planned: Decimal | None) -> Decimal | None:
    """完成率: done ÷ the year's planned investment in percent, one decimal (as reports.figures.percent);
    None without a plan above zero or without a figure."""
    if done is None or planned is None or planned <= 0:
        return None
    return (done * 100 / planned).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
