"""How an indicator's value becomes points: the scoring curves of the published 考核办法.

Pure functions on Decimals, no database: a scheme stores each indicator's curve as a small JSON object
(so schemes export, import and are edited as data), `parse` checks it and says what is wrong in
Chinese, `points` applies it. Points are Decimal with two places, rounded half up.

- linear (延安 "进度 = 60 × 完成投资/年度计划"; 临海 "指标值 ÷ 基准值 × 权重"): weight × value ÷ target,
  never below 0 and at most `cap` (default: the weight; null for no cap).
- per_point (绍兴 "100%满分，±1分/百分点"; 枣庄 "每超(少)2%加(减)1分，最高加(减)15分"; the 2020 综合奖's
  "未完成 −0.1/pt; 100–130% +0.2/pt; >130% +0.1/pt; ±10"): `base` points at `target`; below it
  `below` points are taken off per `step` points short; above it each band of `above` ([from, rate],
  from ascending, the first from = target) adds its rate per `step` points within the band. With
  `whole_steps`, only whole steps count (98.9% is 0 whole 2-point steps short… 97.9% is 1). The bonus
  is capped at `max_bonus` and the deduction at `max_penalty` (null: no cap); the result never below 0.
- bands (某市 "年度计划投资 ≥10亿 20, 5–10亿 15, 3–5亿 10, 1–3亿 5, <1亿 3"): the points of the highest
  band whose lower bound (inclusive) the value reaches; `otherwise` below the lowest.
- rank (2020 综合奖 "排名 1-3:7, 4-6:5, 7-10:3"): the points of the rank range the subject's rank falls
  in (both ends inclusive), `otherwise` outside them. The value is the rank, 1 the best.
- count (2020 综合奖 "未按期开工入库 −3/项目", "A/B类新开工每个+1 (≤10)"): `each` points per item
  (negative for a deduction), the total capped at `cap` in absolute value (null: no cap).
- value (十快十慢 "按与序时进度之差排序"): the measure itself is the score, so subjects rank by it.

A value of None (nothing to measure: no plan, no projects) scores `missing` points (default 0).
"""

import itertools
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
KINDS = ("linear", "per_point", "bands", "rank", "count", "value")


class CurveError(ValueError):
    """The curve's configuration is not usable; the message says why, in Chinese."""


@dataclass(frozen=True)
class Curve:
    kind: str
    spec: dict  # the parsed settings: Decimals, lists of Decimal pairs, booleans

    def points(self, value: Decimal | int | None) -> Decimal:
        if value is None:
            return _cents(self.spec["missing"])
        value = Decimal(value)
        return _cents(_RULES[self.kind](self.spec, value))


def parse(config: dict, *, weight: Decimal | None = None) -> Curve:
    """The curve of an indicator from its JSON settings; CurveError (Chinese) when they are not usable.
    `weight` is the indicator's weight: linear scores up to it by default."""
    if not isinstance(config, dict):
        raise CurveError(_("计分方法应为对象（JSON）"))
    kind = config.get("kind")
    if kind not in KINDS:
        raise CurveError(_("未知的计分方法“%(kind)s”，可选：线性、按百分点增减、分档、按名次、按个数、按数值本身") % {"kind": kind})
    spec = {"missing": _number(config, "missing", default=ZERO)}
    if kind == "linear":
        spec["weight"] = _number(config, "weight", default=weight)
        spec["target"] = _positive(config, "target")
        spec["cap"] = _number(config, "cap", default=spec["weight"], nullable=True)
    elif kind == "per_point":
        spec["base"] = _number(config, "base", default=weight)
        spec["target"] = _number(config, "target")
        spec["step"] = _positive(config, "step", default=Decimal(1))
        spec["below"] = _number(config, "below", default=ZERO)
        spec["above"] = _pairs(config, "above", default=[[spec["target"], ZERO]])
        if spec["above"][0][0] != spec["target"]:
            raise CurveError(_("加分区间应从目标值%(t)s起算") % {"t": _plain(spec["target"])})
        spec["whole_steps"] = bool(config.get("whole_steps", False))
        spec["max_bonus"] = _number(config, "max_bonus", default=None, nullable=True)
        spec["max_penalty"] = _number(config, "max_penalty", default=None, nullable=True)
    elif kind == "bands":
        spec["bands"] = _pairs(config, "bands")
        spec["otherwise"] = _number(config, "otherwise", default=ZERO)
    elif kind == "rank":
        spec["ranks"] = _rank_ranges(config)
        spec["otherwise"] = _number(config, "otherwise", default=ZERO)
    elif kind == "count":
        spec["each"] = _number(config, "each")
        spec["cap"] = _number(config, "cap", default=None, nullable=True)
    return Curve(kind, spec)


def _linear(spec, value):
    result = max(spec["weight"] * value / spec["target"], ZERO)
    return result if spec["cap"] is None else min(result, spec["cap"])


def _steps(points: Decimal, spec) -> Decimal:
    steps = points / spec["step"]
    return steps.to_integral_value(rounding=ROUND_DOWN) if spec["whole_steps"] else steps


def _per_point(spec, value):
    target = spec["target"]
    if value < target:
        change = -_steps(target - value, spec) * spec["below"]
        if spec["max_penalty"] is not None:
            change = max(change, -spec["max_penalty"])
    else:
        change = ZERO
        bands = spec["above"]
        for index, (start, rate) in enumerate(bands):
            end = bands[index + 1][0] if index + 1 < len(bands) else None
            if value <= start:
                break
            within = (min(value, end) if end is not None else value) - start
            change += _steps(within, spec) * rate
        if spec["max_bonus"] is not None:
            change = min(change, spec["max_bonus"])
    return max(spec["base"] + change, ZERO)


def _bands(spec, value):
    reached = [points for lower, points in spec["bands"] if value >= lower]
    return reached[-1] if reached else spec["otherwise"]


def _rank(spec, value):
    for first, last, points in spec["ranks"]:
        if first <= value <= last:
            return points
    return spec["otherwise"]


def _count(spec, value):
    result = spec["each"] * value
    cap = spec["cap"]
    if cap is not None:
        result = max(min(result, abs(cap)), -abs(cap))
    return result


_RULES = {"linear": _linear, "per_point": _per_point, "bands": _bands, "rank": _rank, "count": _count,
          "value": lambda spec, value: value}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


_FIELDS = {
    "weight": gettext_lazy("权重"), "target": gettext_lazy("目标值"), "cap": gettext_lazy("封顶分"),
    "base": gettext_lazy("达标得分"), "step": gettext_lazy("每档百分点"), "below": gettext_lazy("每档扣分"),
    "above": gettext_lazy("加分区间"), "max_bonus": gettext_lazy("加分上限"), "max_penalty": gettext_lazy("扣分上限"),
    "bands": gettext_lazy("分档"), "otherwise": gettext_lazy("其余得分"), "ranks": gettext_lazy("名次分档"),
    "each": gettext_lazy("每个得分"), "missing": gettext_lazy("无数据得分"),
}


def _label(key: str) -> str:
    return str(_FIELDS.get(key, key))


def _decimal(raw, key: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (int, str, float)):
        raise CurveError(_("“%(field)s”应为数字") % {"field": _label(key)})
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        raise CurveError(_("“%(field)s”应为数字") % {"field": _label(key)}) from None
    if not number.is_finite():
        raise CurveError(_("“%(field)s”应为数字") % {"field": _label(key)})
    return number


_REQUIRED = object()


def _number(config, key, *, default=_REQUIRED, nullable=False):
    if key not in config or (config[key] is None and not nullable):
        if default is _REQUIRED or (default is None and not nullable):
            raise CurveError(_("请填写“%(field)s”") % {"field": _label(key)})
        return default
    return None if config[key] is None else _decimal(config[key], key)


def _positive(config, key, *, default=_REQUIRED):
    number = _number(config, key, default=default)
    if number <= 0:
        raise CurveError(_("“%(field)s”应大于0") % {"field": _label(key)})
    return number


def _pairs(config, key, *, default=_REQUIRED):
    raw = config.get(key)
    if raw is None:
        if default is _REQUIRED:
            raise CurveError(_("请填写“%(field)s”") % {"field": _label(key)})
        return default
    if not isinstance(raw, list) or not raw or not all(isinstance(p, list) and len(p) == 2 for p in raw):
        raise CurveError(_("“%(field)s”应为[下限, 分值]的列表") % {"field": _label(key)})
    pairs = [(_decimal(low, key), _decimal(points, key)) for low, points in raw]
    if any(later[0] <= earlier[0] for earlier, later in itertools.pairwise(pairs)):
        raise CurveError(_("“%(field)s”的下限应从小到大排列且不重复") % {"field": _label(key)})
    return pairs


def _rank_ranges(config):
    raw = config.get("ranks")
    if not isinstance(raw, list) or not raw or not all(isinstance(r, list) and len(r) == 3 for r in raw):
        raise CurveError(_("“名次分档”应为[起始名次, 截止名次, 分值]的列表"))
    ranges = []
    for first, last, points in raw:
        first, last = _decimal(first, "ranks"), _decimal(last, "ranks")
        if first < 1 or last < first or first != first.to_integral_value() or last != last.to_integral_value():
            raise CurveError(_("名次分档的名次应为从1起的整数，且截止名次不小于起始名次"))
        if ranges and first <= ranges[-1][1]:
            raise CurveError(_("名次分档不能重叠，且应按名次从前到后排列"))
        ranges.append((first, last, _decimal(points, "ranks")))
    return ranges


def _n(value: Decimal) -> int:
    """The number that picks a message's plural form (English: 1 point, 2 points, 0.5 points): the
    value itself when whole, else any number other than one."""
    value = abs(Decimal(value))
    return int(value) if value == value.to_integral_value() else 2


def describe(curve: Curve, weight: Decimal | None = None) -> str:
    """The curve in words, as the scheme page and a bulletin's 评分说明 state it. A number of points or
    percentage points takes the plural form it needs (English: 1 point, 2 points) — one Chinese msgid
    for both forms."""
    spec, p = curve.spec, _plain
    if curve.kind == "linear":
        text = _("得分＝%(w)s×实际值÷%(t)s") % {"w": p(spec["weight"]), "t": p(spec["target"])}
        if spec["cap"] is not None:
            text += ngettext("，最高%(c)s分", "，最高%(c)s分", _n(spec["cap"])) % {"c": p(spec["cap"])}
    elif curve.kind == "per_point":
        step = (ngettext("每%(s)s个百分点", "每%(s)s个百分点", _n(spec["step"])) % {"s": p(spec["step"])}
                if spec["step"] != 1 else _("每个百分点"))
        whole = _("（不足一档不计）") if spec["whole_steps"] else ""
        parts = [ngettext("达到%(t)s得%(b)s分", "达到%(t)s得%(b)s分", _n(spec["base"])) % {
            "t": p(spec["target"]), "b": p(spec["base"])}]
        if spec["below"]:
            below = ngettext("低于%(t)s的，%(step)s扣%(k)s分%(whole)s", "低于%(t)s的，%(step)s扣%(k)s分%(whole)s",
                             _n(spec["below"])) % {"t": p(spec["target"]), "step": step, "k": p(spec["below"]), "whole": whole}
            if spec["max_penalty"] is not None:
                below += ngettext("，最多扣%(m)s分", "，最多扣%(m)s分", _n(spec["max_penalty"])) % {"m": p(spec["max_penalty"])}
            parts.append(below)
        bonuses = [(start, rate) for start, rate in spec["above"] if rate]
        if bonuses:
            above = "、".join(ngettext("%(f)s以上%(step)s加%(k)s分", "%(f)s以上%(step)s加%(k)s分", _n(rate)) % {
                "f": p(start), "step": step, "k": p(rate)} for start, rate in bonuses)
            if spec["max_bonus"] is not None:
                above += ngettext("，最多加%(m)s分", "，最多加%(m)s分", _n(spec["max_bonus"])) % {"m": p(spec["max_bonus"])}
            parts.append(above + whole)
        text = "；".join(parts)
    elif curve.kind == "bands":
        text = "；".join(ngettext("不低于%(l)s得%(v)s分", "不低于%(l)s得%(v)s分", _n(points)) % {"l": p(low), "v": p(points)}
                        for low, points in reversed(spec["bands"]))
        text += _otherwise(spec["otherwise"])
    elif curve.kind == "rank":
        text = "；".join((ngettext("第%(a)s名得%(v)s分", "第%(a)s名得%(v)s分", _n(points)) % {"a": p(first), "v": p(points)}
                         if first == last else
                         ngettext("第%(a)s–%(b)s名得%(v)s分", "第%(a)s–%(b)s名得%(v)s分", _n(points)) % {
                             "a": p(first), "b": p(last), "v": p(points)})
                        for first, last, points in spec["ranks"])
        text += _otherwise(spec["otherwise"])
    elif curve.kind == "value":
        text = _("得分＝指标值本身（按指标值排名）")
    else:
        each, cap = spec["each"], spec["cap"]
        if each >= 0:
            text = ngettext("每个加%(v)s分", "每个加%(v)s分", _n(each)) % {"v": p(abs(each))}
            if cap is not None:
                text += ngettext("，最多加%(c)s分", "，最多加%(c)s分", _n(cap)) % {"c": p(abs(cap))}
        else:
            text = ngettext("每个扣%(v)s分", "每个扣%(v)s分", _n(each)) % {"v": p(abs(each))}
            if cap is not None:
                text += ngettext("，最多扣%(c)s分", "，最多扣%(c)s分", _n(cap)) % {"c": p(abs(cap))}
    if spec["missing"]:
        text += ngettext("；无数据的得%(v)s分", "；无数据的得%(v)s分", _n(spec["missing"])) % {"v": p(spec["missing"])}
    return text


def _otherwise(points: Decimal) -> str:
    return ngettext("；其余%(v)s分", "；其余%(v)s分", _n(points)) % {"v": _plain(points)}
