"""A scheme's document (Scheme.config): its 序列 and indicators, read and checked in one place.

The editor writes it, a preset is one, a scheme exports and imports as one, and a run freezes the one
it used. `parse` turns it into the specs tuijin.scoring.compute works on, or raises SchemeError with
every problem found, each saying where ("第2个指标“开工率”：…").

    {"series": [{"name": "县（市、区）/园区", "kind": "region", "red": 5, "black": 4, "members": [12, 13]},
                {"name": "市直部门/市属国企", "kind": "lead_unit", "red": 4, "black": 3, "members": [7, 9]}],
     "boards": {"red": "十快项目", "black": "十慢项目"},   (optional: the boards' names, 红榜/黑榜 by default)
     "indicators": [{"code": "plan", "name": "年计划完成率", "source": "figure", "figure": "plan_rate",
                     "weight": "40", "curve": {"kind": "per_point", …}, "higher_is_better": true}]}
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .choices import Source, SubjectKind
from .compute import IndicatorSpec, SeriesSpec
from .curves import CurveError
from .curves import parse as parse_curve

CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_BOARD = 50


class SchemeError(ValueError):
    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("；".join(messages))


@dataclass(frozen=True)
class SchemeSpec:
    series: tuple[SeriesSpec, ...]
    indicators: tuple[IndicatorSpec, ...]

    @property
    def total_weight(self) -> Decimal:
        return sum((i.weight for i in self.indicators), Decimal(0))


def parse(config, *, figures: Collection[str] | None = None, need_members: bool = False) -> SchemeSpec:
    """The specs of a scheme's document. `figures`: the figure keys the statistics layer offers (None:
    not checked). `need_members`: every 序列 must have subjects (a run needs them; a draft may not)."""
    errors: list[str] = []
    if not isinstance(config, dict):
        raise SchemeError([_("方案内容应为对象（JSON）")])
    series = _series(config.get("series"), errors, need_members)
    indicators = _indicators(config.get("indicators"), errors, figures)
    boards = config.get("boards", {})
    if not isinstance(boards, dict) or not all(
            key in ("red", "black") and isinstance(label, str | Promise) and len(str(label).strip()) <= 20
            for key, label in boards.items()):
        errors.append(_("榜单名称不超过20个字（如：十快项目、十慢项目）"))
    if errors:
        raise SchemeError(errors)
    return SchemeSpec(tuple(series), tuple(indicators))


def _whole(raw, low: int, high: int) -> int | None:
    if isinstance(raw, bool):
        return None
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value() or not low <= number <= high:
        return None
    return int(number)


def _series(raw, errors: list[str], need_members: bool) -> list[SeriesSpec]:
    if not isinstance(raw, list) or not raw:
        errors.append(_("请至少设置一个序列"))
        return []
    result, names, seen = [], set(), {}
    for index, item in enumerate(raw, start=1):
        where = _("第%(n)s个序列") % {"n": index}
        if not isinstance(item, dict):
            errors.append(_("%(where)s格式不正确") % {"where": where})
            continue
        name = str(item.get("name") or "").strip()
        if not name:
            errors.append(_("%(where)s：请填写序列名称") % {"where": where})
        elif len(name) > 50:
            errors.append(_("%(where)s：序列名称不能超过50个字") % {"where": where})
        elif name in names:
            errors.append(_("序列名称“%(name)s”重复") % {"name": name})
        names.add(name)
        where = _("序列“%(name)s”") % {"name": name} if name else where
        kind = item.get("kind")
        if kind not in SubjectKind.values:
            errors.append(_("%(where)s：请选择考核对象类型（县区/园区、牵头单位、责任单位、联系领导或项目）") % {"where": where})
        red, black = _whole(item.get("red", 0), 0, MAX_BOARD), _whole(item.get("black", 0), 0, MAX_BOARD)
        if red is None or black is None:
            errors.append(_("%(where)s：红榜、黑榜名额应为0–%(max)s的整数") % {"where": where, "max": MAX_BOARD})
        members = item.get("members", [])
        ids = [_whole(m, 1, 2**62) for m in members] if isinstance(members, list) else [None]
        if None in ids:
            errors.append(_("%(where)s：考核对象格式不正确") % {"where": where})
            ids = []
        for subject in ids:  # a region and a unit may share an id: a subject is its kind and id
            if (kind, subject) in seen:
                errors.append(_("同一考核对象不能重复列入（%(where)s与%(other)s）") % {"where": where, "other": seen[(kind, subject)]})
            seen.setdefault((kind, subject), where)
        if need_members and not ids:
            errors.append(_("%(where)s尚未选择考核对象") % {"where": where})
        result.append(SeriesSpec(id=index, name=name, kind=kind, members=tuple(dict.fromkeys(ids)), red_count=red or 0,
                                 black_count=black or 0))
    return result


def _indicators(raw, errors: list[str], figures) -> list[IndicatorSpec]:
    if not isinstance(raw, list) or not raw:
        errors.append(_("请至少设置一个考核指标"))
        return []
    result, codes = [], set()
    for index, item in enumerate(raw, start=1):
        where = _("第%(n)s个指标") % {"n": index}
        if not isinstance(item, dict):
            errors.append(_("%(where)s格式不正确") % {"where": where})
            continue
        name = str(item.get("name") or "").strip()
        if name:
            where = _("第%(n)s个指标“%(name)s”") % {"n": index, "name": name}
        problems = []
        if not name:
            problems.append(_("请填写指标名称"))
        elif len(name) > 100:
            problems.append(_("指标名称不能超过100个字"))
        code = str(item.get("code") or "").strip()
        if not CODE.match(code):
            problems.append(_("指标代码只能含英文字母、数字、下划线或连字符（1–40个）"))
        elif code in codes:
            problems.append(_("指标代码“%(code)s”重复") % {"code": code})
        codes.add(code)
        source = item.get("source", Source.FIGURE)
        figure = str(item.get("figure") or "").strip()
        if source not in Source.values:
            problems.append(_("数据来源应为统计指标、人工评分或评委打分"))
        elif source == Source.FIGURE and not figure:
            problems.append(_("请选择统计指标"))
        elif source == Source.FIGURE and figures is not None and figure not in figures:
            problems.append(_("统计指标“%(figure)s”不存在") % {"figure": figure})
        weight = None
        try:
            weight = Decimal(str(item.get("weight")))
            if isinstance(item.get("weight"), bool) or not weight.is_finite() or not 0 <= weight <= 1000:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(_("分值应为0–1000的数（加减分项可为0）"))
            weight = None
        curve = None
        try:
            curve = parse_curve(item.get("curve"), weight=weight)
        except CurveError as error:
            problems.append(_("计分方法：%(error)s") % {"error": error})
        higher = item.get("higher_is_better", True)
        if not isinstance(higher, bool):
            problems.append(_("“数值越高越好”应为是或否"))
        if problems:
            errors.extend(f"{where}：{problem}" for problem in problems)
            continue
        result.append(IndicatorSpec(code=code, name=name, source=source, figure=figure if source == Source.FIGURE else "",
                                    weight=weight, curve=curve, higher_is_better=higher))
    return result


def board_labels(config) -> dict[str, str]:
    """The names of a scheme's two boards: 红榜 and 黑榜 unless it names them (十快项目 / 十慢项目)."""
    boards = (config or {}).get("boards") or {}
    return {"red": str(boards.get("red") or "").strip() or _("红榜"), "black": str(boards.get("black") or "").strip() or _("黑榜")}
