"""An annual plan's cumulative monthly plan (季度、月度任务分解): the default even spread and its rules.

The plan is stored on AnnualPlan.monthly_plan as twelve cumulative amounts in 万元 (decimal strings,
exact on both databases); an empty list means "spread evenly" over the months the project is built
this year. tuijin.reports.figures reads 序时进度 from it.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")


def active_months(year: int, planned_start: date | None, planned_completion: date | None) -> tuple[int, int]:
    """The first and last month (1-12) of the year the plan is spread over."""
    first = planned_start.month if planned_start and planned_start.year == year else 1
    last = planned_completion.month if planned_completion and planned_completion.year == year else 12
    if planned_start and planned_start.year > year:
        first = 12
    if planned_completion and planned_completion.year < year:
        last = 1
    return first, max(first, last)


def even_monthly_plan(planned: Decimal, first: int = 1, last: int = 12) -> list[Decimal]:
    """The default cumulative monthly plan: `planned` spread evenly over months first..last, rounded to
    the cent, the last month exactly `planned`."""
    months = last - first + 1
    plan = []
    for month in range(1, 13):
        done = min(max(month - first + 1, 0), months)
        plan.append((planned * done / months).quantize(CENT, rounding=ROUND_HALF_UP))
    return plan


def monthly_plan_errors(values, planned: Decimal | None) -> list[str]:
    """A cumulative monthly plan's rules: 12 amounts, none negative, never decreasing, December equal
    to the year's planned investment."""
    if not values:
        return []
    if len(values) != 12:
        return [_("月度累计计划须有12个月的数值")]
    errors = []
    amounts = [Decimal(v) for v in values]
    if any(v < 0 for v in amounts):
        errors.append(_("月度累计计划不能为负数"))
    for month in range(1, 12):
        if amounts[month] < amounts[month - 1]:
            errors.append(_("月度累计计划应逐月不减：%(m)s月（%(b)s万元）少于%(a)s月（%(c)s万元）")
                          % {"m": month + 1, "b": f"{amounts[month]:,.2f}", "a": month, "c": f"{amounts[month - 1]:,.2f}"})
            break
    if planned is not None and amounts[11] != planned:
        errors.append(_("12月累计计划（%(dec)s万元）应等于年度计划投资（%(plan)s万元）")
                      % {"dec": f"{amounts[11]:,.2f}", "plan": f"{planned:,.2f}"})
    return errors
