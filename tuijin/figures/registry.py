"""What the figures are: every figure's key, Chinese label, unit, how it is computed and what its
drill-down lists. Scoring schemes, bulletins and the leader's screens read a figure by its key.

A figure is computed from *components*: additive quantities (项目数, 总投资, 节点到期数…) that the sources
(tuijin.figures.sources) sum per group in a few grouped queries and that a drill-down lists row by row
(a project, a report, a node…). A money or count figure is one component; a rate divides two; the
deviation subtracts two rates. So the components summed over a drill-down's rows give the figure again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from tuijin.projects.choices import CanonicalStage
from tuijin.reports.figures import ONE_DECIMAL, percent

CENT = Decimal("0.01")

# Where each component comes from; a drill-down lists the rows of its figure's source.
LEDGER, SCHEDULE, WORK, MILESTONES, APPROVALS, PROBLEMS, REPORTING, LAST_YEAR = (
    "ledger", "schedule", "work", "milestones", "approvals", "problems", "reporting", "last_year")

# Component → source. Stage counts are `stage_<canonical stage>`.
COMPONENTS: dict[str, str] = {
    "projects": LEDGER, **{f"stage_{stage}": LEDGER for stage in CanonicalStage.values},
    "total_investment": LEDGER, "annual_plan": LEDGER, "completed": LEDGER,
    "planned_starts": LEDGER, "started": LEDGER, "started_early": LEDGER,
    "planned_completions": LEDGER, "completions": LEDGER,
    "light_red": LEDGER, "light_yellow": LEDGER, "light_green": LEDGER,
    "plan_due": SCHEDULE,
    "working": WORK,
    "milestones_due": MILESTONES, "milestones_on_time": MILESTONES,
    "approvals_required": APPROVALS, "approvals_done": APPROVALS,
    "problems": PROBLEMS, "problems_closed": PROBLEMS, "problem_days": PROBLEMS,
    "reports_due": REPORTING, "reports_on_time": REPORTING,
    "completed_last_year": LAST_YEAR,
}
MONEY_COMPONENTS = frozenset({"total_investment", "annual_plan", "completed", "completed_last_year"})
COMPONENT_LABELS = {
    "projects": _("项目数"), **{f"stage_{stage}": label for stage, label in CanonicalStage.choices},
    "total_investment": _("总投资（万元）"), "annual_plan": _("年度计划投资（万元）"),
    "completed": _("累计完成投资（万元）"), "planned_starts": _("计划新开工"), "started": _("已开工"),
    "started_early": _("提前开工"), "planned_completions": _("计划竣工"), "completions": _("已竣工投产"),
    "light_red": _("红灯项目"), "light_yellow": _("黄灯项目"), "light_green": _("绿灯项目"),
    "plan_due": _("1—N月计划投资（万元）"), "working": _("开复工"), "milestones_due": _("到期节点"),
    "milestones_on_time": _("按期完成节点"), "approvals_required": _("应办手续"), "approvals_done": _("已办结手续"),
    "problems": _("提出问题"), "problems_closed": _("已销号问题"), "problem_days": _("办结用时合计（天）"),
    "reports_due": _("应报填报"), "reports_on_time": _("按时填报"),
    "completed_last_year": _("上年同期累计完成（万元）"),
}

COUNT, MONEY, RATE, POINTS, DAYS, STAGES = "count", "money", "rate", "points", "days", "stages"
UNITS = {COUNT: _("个"), MONEY: _("万元"), RATE: "%", POINTS: _("个百分点"), DAYS: _("天"), STAGES: _("个")}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str  # COUNT, MONEY, RATE, POINTS, DAYS, STAGES
    parts: tuple[str, ...]  # the components it is computed from (numerator first)
    compute: Callable[[dict], object]
    definition: str  # the rule in words, shown on the page and in the drill-down

    @property
    def unit(self) -> str:
        return str(UNITS[self.kind])

    @property
    def source(self) -> str:
        return COMPONENTS[self.parts[0]]


def _part(name):
    return lambda c: c.get(name)


def _rate(numerator, denominator):
    return lambda c: percent(_dec(c.get(numerator)), _dec(c.get(denominator)))


def _dec(value):
    return None if value is None else Decimal(value)


def _money(name):
    def compute(c):
        value = c.get(name)
        return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return compute


def _deviation(c):
    done, due = _rate("completed", "annual_plan")(c), _rate("plan_due", "annual_plan")(c)
    return None if done is None or due is None else done - due


def _not_started(c):
    planned, started = c.get("planned_starts"), c.get("started")
    return None if planned is None or started is None else planned - started


def _avg_days(c):
    days, closed = c.get("problem_days"), c.get("problems_closed")
    if days is None or not closed:
        return None
    return (Decimal(days) / Decimal(closed)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _yoy(c):
    now, before = c.get("completed"), c.get("completed_last_year")
    if now is None or before is None:
        return None
    return percent(Decimal(now) - Decimal(before), Decimal(before))


def _stages(c):
    return {stage: c.get(f"stage_{stage}", 0) for stage in CanonicalStage.values}


STAGE_PARTS = tuple(f"stage_{stage}" for stage in CanonicalStage.values)

_ALL = (
    Figure("projects", _("项目数"), COUNT, ("projects",), _part("projects"),
           _("已入库、未归档、列有本年度计划的项目")),
    Figure("projects_by_stage", _("分阶段项目数"), STAGES, STAGE_PARTS, _stages,
           _("按标准阶段（前期、新开工、续建在建、竣工、投产…）计数")),
    Figure("total_investment", _("总投资"), MONEY, ("total_investment",), _part("total_investment"),
           _("项目总投资之和（万元）")),
    Figure("annual_plan", _("年度计划投资"), MONEY, ("annual_plan",), _part("annual_plan"),
           _("本年度计划投资之和（万元）")),
    Figure("completed", _("累计完成投资"), MONEY, ("completed",), _part("completed"),
           _("本年1月至统计期末计入口径的填报的本期完成投资之和（与台账“本年累计完成”同一口径）")),
    Figure("plan_rate", _("年计划完成率"), RATE, ("completed", "annual_plan"), _rate("completed", "annual_plan"),
           _("累计完成投资 ÷ 年度计划投资")),
    Figure("plan_to_date", _("1—N月计划投资"), MONEY, ("plan_due",), _money("plan_due"),
           _("到统计期末按序时应完成的计划投资：有月度累计计划的按其计划，其余按年内建设月份平均分解")),
    Figure("plan_to_date_rate", _("完成1—N月计划"), RATE, ("completed", "plan_due"), _rate("completed", "plan_due"),
           _("累计完成投资 ÷ 1—N月计划投资")),
    Figure("time_progress", _("序时进度"), RATE, ("plan_due", "annual_plan"), _rate("plan_due", "annual_plan"),
           _("1—N月计划投资 ÷ 年度计划投资（无月度计划的项目即 N/12）")),
    Figure("deviation_points", _("与序时进度之差"), POINTS, ("completed", "annual_plan", "plan_due"), _deviation,
           _("年计划完成率 − 序时进度（均先保留一位小数），正数为超过序时进度")),
    Figure("planned_starts", _("计划新开工"), COUNT, ("planned_starts",), _part("planned_starts"),
           _("计划开工日期在本年1月1日至统计期末的项目")),
    Figure("started", _("已开工"), COUNT, ("started",), _part("started"),
           _("计划新开工项目中，统计期末前已有实际开工日期的")),
    Figure("not_started_on_time", _("未按计划开工"), COUNT, ("planned_starts", "started"), _not_started,
           _("计划新开工项目中，统计期末仍无实际开工日期的")),
    Figure("started_early", _("提前开工"), COUNT, ("started_early",), _part("started_early"),
           _("计划开工日期在统计期末以后、本年已实际开工的项目（不计入开工率）")),
    Figure("start_rate", _("开工率"), RATE, ("started", "planned_starts"), _rate("started", "planned_starts"),
           _("已开工 ÷ 计划新开工")),
    Figure("working", _("开复工项目"), COUNT, ("working",), _part("working"),
           _("统计期末所在调度期计入口径的填报中，开复工情况为已开工或已复工的项目")),
    Figure("work_rate", _("开复工率"), RATE, ("working", "projects"), _rate("working", "projects"),
           _("开复工项目 ÷ 全部项目")),
    Figure("planned_completions", _("计划竣工"), COUNT, ("planned_completions",), _part("planned_completions"),
           _("计划竣工日期在本年1月1日至统计期末的项目")),
    Figure("completions", _("已竣工投产"), COUNT, ("completions",), _part("completions"),
           _("计划竣工项目中，统计期末前已有实际竣工日期的")),
    Figure("completion_rate", _("竣工（投产）率"), RATE, ("completions", "planned_completions"),
           _rate("completions", "planned_completions"), _("已竣工投产 ÷ 计划竣工")),
    Figure("red_projects", _("红灯项目"), COUNT, ("light_red",), _part("light_red"),
           _("预警灯色为红灯的项目：项目的当前灯色（预警只保存当前灯色，不按统计期回溯）")),
    Figure("yellow_projects", _("黄灯项目"), COUNT, ("light_yellow",), _part("light_yellow"),
           _("预警灯色为黄灯的项目：项目的当前灯色（预警只保存当前灯色，不按统计期回溯）")),
    Figure("green_projects", _("绿灯项目"), COUNT, ("light_green",), _part("light_green"),
           _("没有红灯、黄灯预警的项目：项目的当前灯色（预警只保存当前灯色，不按统计期回溯）")),
    Figure("milestones_due", _("到期节点"), COUNT, ("milestones_due",), _part("milestones_due"),
           _("计划完成日期在本年1月1日至统计期末的进度节点")),
    Figure("milestones_on_time", _("按期完成节点"), COUNT, ("milestones_on_time",), _part("milestones_on_time"),
           _("到期节点中，实际完成日期（开工、竣工节点据项目实际开工、竣工日期）不晚于计划日期的")),
    Figure("milestone_rate", _("节点按期完成率"), RATE, ("milestones_on_time", "milestones_due"),
           _rate("milestones_on_time", "milestones_due"), _("按期完成节点 ÷ 到期节点")),
    Figure("approvals_required", _("应办前期手续"), COUNT, ("approvals_required",), _part("approvals_required"),
           _("项目前期手续清单中需要办理的事项")),
    Figure("approvals_done", _("已办结前期手续"), COUNT, ("approvals_done",), _part("approvals_done"),
           _("需要办理且统计期末前已办结的事项")),
    Figure("approval_rate", _("前期手续办结率"), RATE, ("approvals_done", "approvals_required"),
           _rate("approvals_done", "approvals_required"), _("已办结 ÷ 应办")),
    Figure("problems", _("收集问题"), COUNT, ("problems",), _part("problems"),
           _("本年1月1日至统计期末提出的问题")),
    Figure("problems_closed", _("已办结问题"), COUNT, ("problems_closed",), _part("problems_closed"),
           _("其中统计期末前已销号的")),
    Figure("problem_close_rate", _("问题办结率"), RATE, ("problems_closed", "problems"),
           _rate("problems_closed", "problems"), _("已销号问题 ÷ 提出问题（与问题督办统计同一口径）")),
    Figure("problem_avg_days", _("问题平均办结用时"), DAYS, ("problem_days", "problems_closed"), _avg_days,
           _("已销号问题从提出到销号的平均天数")),
    Figure("reports_due", _("应报填报"), COUNT, ("reports_due",), _part("reports_due"),
           _("统计期内各调度期（已过填报截止日）应填报的项目月报")),
    Figure("reports_on_time", _("按时填报"), COUNT, ("reports_on_time",), _part("reports_on_time"),
           _("其中在截止日前上报、现为已上报或已审核的")),
    Figure("on_time_rate", _("按时填报率"), RATE, ("reports_on_time", "reports_due"),
           _rate("reports_on_time", "reports_due"), _("按时填报 ÷ 应报填报")),
    Figure("completed_last_year", _("上年同期累计完成投资"), MONEY, ("completed_last_year",), _part("completed_last_year"),
           _("上年同一筛选条件（上年度计划）下，上年1月至同期末累计完成投资；上年无调度数据时不计")),
    Figure("completed_yoy", _("累计完成投资同比"), RATE, ("completed", "completed_last_year"), _yoy,
           _("（累计完成投资 − 上年同期）÷ 上年同期")),
)

FIGURES: dict[str, Figure] = {figure.key: figure for figure in _ALL}


def display(value, kind: str) -> str:
    """A figure as pages and the command print it: 1,234.50 (万元), 97.2%, +13.9 (points), — for none."""
    if value is None:
        return "—"
    if kind == MONEY:
        return f"{value:,.2f}"
    if kind == RATE:
        return f"{value}%"
    if kind == POINTS:
        return f"{value:+}" if value else "0.0"
    if kind == STAGES:
        return "、".join(f"{COMPONENT_LABELS[f'stage_{k}']}{v}" for k, v in value.items() if v)
    return str(value)


def display_part(value) -> str:
    """A component of a drill-down row: amounts with two places, counts as they are."""
    if value is None:
        return "—"
    if hasattr(value, "quantize"):
        return f"{value:,.2f}"
    return str(value)


def figure_of(key: str) -> Figure | None:
    return FIGURES.get(key)


def sources_of(keys) -> set[str]:
    """The sources needed to compute these figures."""
    return {COMPONENTS[part] for key in keys for part in FIGURES[key].parts}


def parts_of(keys) -> set[str]:
    """The components these figures are computed from."""
    return {part for key in keys for part in FIGURES[key].parts}


def values_of(components: dict, keys=None) -> dict:
    """Every figure (or those of `keys`) from a group's components."""
    return {key: FIGURES[key].compute(components) for key in (keys or FIGURES)}
