"""The derived figures of a progress report, computed and never typed (完成率、序时进度… as bulletins define them).

Pure functions on Decimals and dates, no database: the services feed them what they read, the batch
grid's script repeats the same arithmetic as the clerk types (static/tuijin/report_grid.js), and the
tests check them against hand-computed values.

- 本年累计 (year to date) = the project's amounts reported for earlier periods of the year + this one.
- 开工累计 (since start) = the opening balance 开工至上年底累计 + 本年累计.
- 占年计划% = 本年累计 ÷ 年度计划投资; 占总投资% = 开工累计 ÷ 总投资.
- 序时进度 = the share of the year's plan due by the end of the period: the project's own cumulative
  monthly plan where it has one, otherwise the plan spread evenly over the months it is built this
  year (January–December unless the annual plan says it starts or finishes within the year).
- Gap to 序时 in percentage points = 占年计划% − 序时% ("低于序时进度X个百分点" when negative).
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from tuijin.projects.plans import active_months

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")
ZERO = Decimal("0.00")


def month_fraction(day: date) -> tuple[int, Decimal]:
    """(month, share of that month elapsed at the end of `day`)."""
    days = calendar.monthrange(day.year, day.month)[1]
    return day.month, Decimal(day.day) / Decimal(days)


def schedule_share(period_end: date, *, planned: Decimal | None = None, monthly_plan=None,
                   planned_start: date | None = None, planned_completion: date | None = None) -> Decimal:
    """序时进度 at the end of the period as a fraction 0..1 (not rounded).

    With a cumulative monthly plan (12 amounts) and a positive planned investment, the share is the
    plan due by the period's end (linear within the month) over the year's plan; otherwise the
    elapsed share of the months the project is built this year.
    """
    month, fraction = month_fraction(period_end)
    if monthly_plan and planned and planned > 0:
        before = Decimal(monthly_plan[month - 2]) if month > 1 else ZERO
        due = before + (Decimal(monthly_plan[month - 1]) - before) * fraction
        return due / planned
    first, last = active_months(period_end.year, planned_start, planned_completion)
    elapsed = (month - 1) + fraction - (first - 1)
    months = last - first + 1
    return min(max(elapsed, Decimal(0)), Decimal(months)) / Decimal(months)


def percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part ÷ whole in percent with one decimal; None when there is nothing to divide by."""
    if part is None or whole is None or whole <= 0:
        return None
    return (part * HUNDRED / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    amount: Decimal            # 本期完成投资
    year_to_date: Decimal      # 本年累计
    since_start: Decimal       # 开工累计
    pct_of_plan: Decimal | None   # 占年计划%
    pct_of_total: Decimal | None  # 占总投资%
    schedule_pct: Decimal      # 序时进度%
    gap_pts: Decimal | None    # 占年计划% − 序时%, percentage points

    @property
    def gap_text(self) -> str:
        return gap_text(self.gap_pts)


def gap_text(gap: Decimal | None) -> str:
    if gap is None:
        return ""
    if gap < 0:
        return _("低于序时进度%(pts)s个百分点") % {"pts": -gap}
    if gap > 0:
        return _("超过序时进度%(pts)s个百分点") % {"pts": gap}
    return _("与序时进度持平")


def compute(*, amount: Decimal | None, earlier_this_year: Decimal, opening: Decimal,
            planned: Decimal | None, total: Decimal | None, period_end: date, monthly_plan=None,
            planned_start: date | None = None, planned_completion: date | None = None) -> Figures:
    """Every derived figure of one report.

    `earlier_this_year` is the sum of the project's amounts for the year's earlier periods, `opening`
    the 开工至上年底累计, `planned` the year's planned investment (None without an annual plan).
    """
    amount = amount if amount is not None else ZERO
    year_to_date = earlier_this_year + amount
    since_start = opening + year_to_date
    share = schedule_share(period_end, planned=planned, monthly_plan=monthly_plan,
                           planned_start=planned_start, planned_completion=planned_completion)
    schedule_pct = (share * HUNDRED).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    pct_of_plan = percent(year_to_date, planned)
    gap = None if pct_of_plan is None else pct_of_plan - schedule_pct
    return Figures(amount, year_to_date, since_start, pct_of_plan, percent(since_start, total), schedule_pct, gap)
