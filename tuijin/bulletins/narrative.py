"""The bulletin's sentences, written from the figures in the register offices use:
"1—10月，全市重点项目累计完成投资312.60亿元，占年度计划的87.2%，超过序时进度3.9个百分点。"

Pure functions over plain values (the figures layer's Decimals and counts): nothing here queries or
computes a figure. Every number a sentence prints is printed by `money` / `rate` / `points` / `count`,
the same functions the bulletin's tables print their cells with, so a sentence and the table it
summarises show the same digits. The wording covers above, below and equal to 序时, zero, missing
(no plan, no reports, nothing planned) and one project.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from tuijin.reports.figures import gap_text

CENT = Decimal("0.01")
YI = Decimal(10000)  # 1亿元 = 10,000万元


@dataclass(frozen=True)
class Unit:
    """The bulletin's money unit, chosen once for all its sentences and tables."""

    name: str        # 亿元 or 万元
    divisor: Decimal


WAN = Unit("万元", Decimal(1))
YI_YUAN = Unit("亿元", YI)


def unit_for(amounts) -> Unit:
    """亿元 when the largest amount reaches 1亿元 (a city's or province's bulletin), else 万元 (a small
    district's: "完成投资8560.25万元" reads better than "0.86亿元"). The bulletin passes the year's plan and
    completion, the amounts its sentences are about (a large 总投资 alone does not make them 亿元)."""
    present = [abs(a) for a in amounts if a is not None]
    return YI_YUAN if present and max(present) >= YI else WAN


def money(value: Decimal | None, unit: Unit) -> str:
    """An amount in the bulletin's unit with two places, without thousands separators (公文 style)."""
    if value is None:
        return "—"
    return str((Decimal(value) / unit.divisor).quantize(CENT, rounding=ROUND_HALF_UP))


def rate(value: Decimal | None) -> str:
    """A rate of the figures layer (already one place): 87.2%."""
    return "—" if value is None else f"{value}%"


def points(value: Decimal | None) -> str:
    """A deviation in percentage points as a table prints it: +3.9, -2.1, 0.0."""
    if value is None:
        return "—"
    return f"{value:+}" if value else "0.0"


def count(value) -> str:
    return "—" if value is None else str(int(value))


def join(names: list[str]) -> str:
    """A、B和C."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s和%(last)s") % {"first": "、".join(names[:-1]), "last": names[-1]}


def sentence(*clauses: str) -> str:
    """Clauses joined with Chinese commas, closed with a full stop; empty clauses dropped."""
    parts = [c for c in clauses if c]
    return "，".join(parts) + "。" if parts else ""


# --------------------------------------------------------------------------------------- overview


def scale_sentence(place: str, noun: str, values: dict, unit: Unit, stage_counts: list[tuple[str, int]]) -> str:
    """全市共有重点项目148个，总投资3126.50亿元，年度计划投资358.20亿元；其中新开工32个、续建96个、前期20个。"""
    n = values.get("projects") or 0
    if not n:
        return _("%(place)s暂无列入本年度计划的%(noun)s。") % {"place": place, "noun": noun}
    text = _("%(place)s共有%(noun)s%(n)s个，总投资%(total)s%(unit)s，年度计划投资%(plan)s%(unit)s") % {
        "place": place, "noun": noun, "n": n, "total": money(values.get("total_investment"), unit),
        "plan": money(values.get("annual_plan"), unit), "unit": unit.name}
    stages = [_("%(stage)s%(n)s个") % {"stage": name, "n": k} for name, k in stage_counts if k]
    if stages:
        text += _("；其中%(list)s") % {"list": "、".join(stages)}
    return text + "。"


def yoy_clause(value: Decimal | None) -> str:
    if value is None:
        return ""
    if value > 0:
        return _("同比增长%(r)s%%") % {"r": value}
    if value < 0:
        return _("同比下降%(r)s%%") % {"r": -value}
    return _("与上年同期持平")


def completion_sentence(span: str, values: dict, unit: Unit, *, has_reports: bool) -> str:
    """1—10月，累计完成投资312.60亿元，占年度计划的87.2%，超过序时进度3.9个百分点，同比增长12.5%。"""
    if not values.get("projects"):
        return ""
    if not has_reports:
        return _("%(span)s，尚无计入统计的投资完成数据（无已审核的月度填报）。") % {"span": span}
    return sentence(
        span,
        _("累计完成投资%(done)s%(unit)s") % {"done": money(values.get("completed"), unit), "unit": unit.name},
        _("占年度计划的%(r)s") % {"r": rate(values["plan_rate"])} if values.get("plan_rate") is not None else "",
        gap_text(values.get("deviation_points")),
        yoy_clause(values.get("completed_yoy")),
    )


def starts_sentence(values: dict) -> str:
    """计划新开工项目40个，已开工32个，开工率80.0%，未按计划开工8个；另有提前开工项目3个。"""
    planned = values.get("planned_starts") or 0
    started = values.get("started") or 0
    early = values.get("started_early") or 0
    late = values.get("not_started_on_time") or 0
    if not planned:
        text = _("本年截至统计期末无计划新开工项目")
    elif started == planned:
        text = _("计划新开工项目%(p)s个，已全部开工") % {"p": planned}
    else:
        text = sentence(_("计划新开工项目%(p)s个") % {"p": planned},
                        _("已开工%(s)s个") % {"s": started} if started else _("尚无项目开工"),
                        _("开工率%(r)s") % {"r": rate(values.get("start_rate"))},
                        _("未按计划开工%(n)s个") % {"n": late} if late else "")[:-1]
    if early:
        text += _("；另有提前开工项目%(n)s个") % {"n": early}
    return text + "。"


def completions_sentence(values: dict) -> str:
    planned = values.get("planned_completions") or 0
    done = values.get("completions") or 0
    if not planned:
        return _("本年截至统计期末无计划竣工（投产）项目。") if not done else ""
    if done == planned:
        return _("计划竣工（投产）项目%(p)s个，已全部竣工投产。") % {"p": planned}
    return sentence(_("计划竣工（投产）项目%(p)s个") % {"p": planned},
                    _("已竣工投产%(d)s个") % {"d": done} if done else _("尚无项目竣工投产"),
                    _("竣工率%(r)s") % {"r": rate(values.get("completion_rate"))})


def problems_sentence(span: str, values: dict, new: int | None = None, month: str = "") -> str:
    """1—10月，共收集问题120个，已办结96个，办结率80.0%，平均办结用时12.5天；其中10月新增15个。"""
    total = values.get("problems") or 0
    if not total:
        return _("%(span)s，未收集到项目建设中的问题。") % {"span": span}
    closed = values.get("problems_closed") or 0
    text = sentence(span, _("共收集问题%(n)s个") % {"n": total},
                    _("已办结%(c)s个") % {"c": closed} if closed else _("尚无办结"),
                    _("办结率%(r)s") % {"r": rate(values.get("problem_close_rate"))},
                    _("平均办结用时%(d)s天") % {"d": values["problem_avg_days"]}
                    if values.get("problem_avg_days") is not None else "")
    if new is not None and month:
        text = text[:-1] + (_("；其中%(m)s新增%(n)s个。") % {"m": month, "n": new} if new else
                            _("；%(m)s无新增问题。") % {"m": month})
    return text


def reporting_sentence(values: dict) -> str:
    due = values.get("reports_due") or 0
    if not due:
        return ""
    on_time = values.get("reports_on_time") or 0
    return sentence(_("应报月度调度表%(n)s份") % {"n": due}, _("按时填报%(k)s份") % {"k": on_time},
                    _("按时填报率%(r)s") % {"r": rate(values.get("on_time_rate"))})


# ------------------------------------------------------------------------------------ comparisons


def groups_sentence(lead: str, rows: list[tuple[str, dict]], unit: Unit, *, has_reports: bool = True) -> str:
    """分类别看，产业发展类项目60个，完成投资120.00亿元，占年度计划的90.1%；…。 Before any report counts, each
    group's year plan instead: 产业发展类项目60个，年度计划投资130.00亿元；…。"""
    parts = []
    for name, values in rows:
        if not values.get("projects"):
            continue
        if not has_reports:
            parts.append(_("%(name)s项目%(n)s个，年度计划投资%(plan)s%(unit)s") % {
                "name": name, "n": values["projects"], "plan": money(values.get("annual_plan"), unit), "unit": unit.name})
            continue
        part = _("%(name)s项目%(n)s个，完成投资%(done)s%(unit)s") % {
            "name": name, "n": values["projects"], "done": money(values.get("completed"), unit), "unit": unit.name}
        if values.get("plan_rate") is not None:
            part += _("，占年度计划的%(r)s") % {"r": rate(values["plan_rate"])}
        parts.append(part)
    if not parts:
        return ""
    return lead + "，" + "；".join(parts) + "。"


def best_sentence(what: str, rows: list[tuple[str, Decimal | None]]) -> str:
    """The best of several groups by 完成率, when there is a single best: "其中产业发展类进展最好（95.2%）。"."""
    present = [(name, value) for name, value in rows if value is not None]
    if len(present) < 2:
        return ""
    best = max(v for _n, v in present)
    names = [n for n, v in present if v == best]
    if len(names) != 1:
        return ""
    return _("其中%(name)s%(what)s完成率最高（%(r)s）。") % {"name": names[0], "what": what, "r": rate(best)}


def standing_sentence(noun: str, ranked: list[tuple[str, Decimal | None, Decimal | None]], top: int = 3) -> str:
    """从各县区看，9个超过序时进度、3个低于序时进度；A、B和C完成率居前三位，X、Y和Z居后三位。

    `ranked` is (name, 完成率, 与序时之差) in rank order (best first); groups without a rate are left out.
    The first and last places are named only when a tie does not straddle their edge."""
    rows = [r for r in ranked if r[1] is not None]
    if not rows:
        return ""
    above = sum(1 for r in rows if r[2] is not None and r[2] > 0)
    below = sum(1 for r in rows if r[2] is not None and r[2] < 0)
    level = sum(1 for r in rows if r[2] is not None and r[2] == 0)
    counts = []
    if above:
        counts.append(_("%(n)s个超过序时进度") % {"n": above})
    if level:
        counts.append(_("%(n)s个与序时进度持平") % {"n": level})
    if below:
        counts.append(_("%(n)s个低于序时进度") % {"n": below})
    text = _("从各%(noun)s看") % {"noun": noun}
    if counts:
        text += "，" + "、".join(counts)
    if len(rows) >= 2 * top and rows[top - 1][1] > rows[top][1] and rows[-top - 1][1] > rows[-top][1]:
        text += _("；%(best)s完成率居前%(k)s位，%(worst)s居后%(k)s位") % {
            "best": join([r[0] for r in rows[:top]]), "worst": join([r[0] for r in rows[-top:]]),
            "k": _chinese_small(top)}
    elif len(rows) >= 2 and rows[0][1] > rows[1][1] and rows[-2][1] > rows[-1][1]:
        text += _("；%(best)s完成率最高，%(worst)s最低") % {"best": rows[0][0], "worst": rows[-1][0]}
    return text + "。"


def _chinese_small(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def warnings_sentence(when: str, red: int, yellow: int) -> str:
    if not red and not yellow:
        return _("截至%(when)s，无红灯、黄灯预警项目。") % {"when": when}
    parts = []
    if red:
        parts.append(_("红灯预警项目%(n)s个") % {"n": red})
    if yellow:
        parts.append(_("黄灯预警项目%(n)s个") % {"n": yellow})
    where = _("红灯项目见下表，全部预警项目见附件") if red else _("详见附件")
    return _("截至%(when)s，共有%(list)s，%(where)s。") % {"when": when, "list": "、".join(parts), "where": where}


def causes_sentence(rows: list[tuple[str, int]]) -> str:
    """从问题类型看，主要集中在前期手续（32个）、用地（20个）和征拆/民事（15个）。"""
    rows = [(name, n) for name, n in rows if n]
    if not rows:
        return ""
    rows = sorted(rows, key=lambda r: -r[1])[:3]
    return _("从问题类型看，主要集中在%(list)s。") % {
        "list": join([_("%(name)s（%(n)s个）") % {"name": name, "n": n} for name, n in rows])}
