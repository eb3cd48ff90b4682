"""How a measured value becomes a light: the published readings of each method (the cities' warning rules).

Pure functions; the engine (engine.py) measures, these judge.

- 低于序时进度的百分点 (银川): yellow from the yellow threshold on, inclusive ("10~30个百分点(含)"),
  red above the red threshold ("超过30个百分点").
- 占序时计划的比例 (武汉, 三亚): yellow below the yellow threshold ("低于时序进度80%"), red below the
  red threshold ("低于60%"; 三亚's "低于序时进度超过50%" is a ratio below 50 %).
- Counts (days, months, periods overdue): yellow from the yellow threshold on, red from the red
  threshold on, both inclusive ("逾期满30天", "连续3个月").
"""

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from tuijin.projects.choices import Light

from .choices import Method

ONE_DECIMAL = Decimal("0.1")


def level_for(method: str, value: Decimal, yellow: Decimal, red: Decimal) -> int:
    """The light (Light.GREEN/YELLOW/RED) of `value` under a rule's method and thresholds."""
    if method == Method.RATIO_OF_PLAN:
        if value < red:
            return Light.RED
        return Light.YELLOW if value < yellow else Light.GREEN
    if method == Method.POINTS_BEHIND:
        if value > red:
            return Light.RED
        return Light.YELLOW if value >= yellow else Light.GREEN
    if value >= red:
        return Light.RED
    return Light.YELLOW if value >= yellow else Light.GREEN


def describe_thresholds(method: str, yellow: Decimal, red: Decimal) -> str:
    """The rule in words, as the rules page shows it."""
    y, r = _number(yellow), _number(red)
    if method == Method.RATIO_OF_PLAN:
        return _("完成额低于序时计划的%(y)s%%为黄灯，低于%(r)s%%为红灯") % {"y": y, "r": r}
    if method == Method.POINTS_BEHIND:
        return _("低于序时进度%(y)s个百分点（含）以上为黄灯，超过%(r)s个百分点为红灯") % {"y": y, "r": r}
    unit = {Method.DAYS_OVERDUE: _("天"), Method.MONTHS_OVERDUE: _("个月"), Method.PERIODS_MISSING: _("期")}.get(method, "")
    return _("达到%(y)s%(u)s为黄灯，达到%(r)s%(u)s为红灯") % {"y": y, "r": r, "u": unit}


def threshold_errors(method: str, yellow: Decimal | None, red: Decimal | None) -> dict[str, list[str]]:
    """A rule's thresholds must order the lights: red is stricter than yellow."""
    errors: dict[str, list[str]] = {}
    if yellow is None:
        errors["yellow"] = [_("请填写黄灯阈值")]
    if red is None:
        errors["red"] = [_("请填写红灯阈值")]
    if errors:
        return errors
    if yellow < 0 or red < 0:
        errors["yellow" if yellow < 0 else "red"] = [_("阈值不能为负数")]
    elif method == Method.RATIO_OF_PLAN:
        if red > yellow:
            errors["red"] = [_("比例口径下红灯阈值应不高于黄灯阈值（如黄灯80%、红灯60%）")]
        if yellow > 100:
            errors["yellow"] = [_("比例阈值不能超过100%")]
    elif red < yellow:
        errors["red"] = [_("红灯阈值应不低于黄灯阈值")]
    elif method != Method.POINTS_BEHIND and yellow < 1:
        errors["yellow"] = [_("天数、月数或期数阈值至少为1")]
    return errors


def months_elapsed(since: date, today: date) -> int:
    """Whole calendar months from `since` to `today` (09-24 → 11-23 is 1, → 11-24 is 2): a month counts
    once its day comes round again; a day the month lacks (01-31 in February) comes on its last day."""
    months = (today.year * 12 + today.month) - (since.year * 12 + since.month)
    last_day = calendar.monthrange(today.year, today.month)[1]
    if today.day < min(since.day, last_day):
        months -= 1
    return max(months, 0)


def round1(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _number(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
