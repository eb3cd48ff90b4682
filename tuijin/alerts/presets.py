"""The published warning rules (武汉, 银川, 三亚…) as rule rows, and the one used by default.

A preset defines the dimensions its city published; applying it keeps the default rules for the
others (node, approval, report and problem deadlines), so a city that adopts 武汉's investment rule
still sees its overdue milestones.
"""

from decimal import Decimal

from .choices import Dimension, Method, Preset

D = Decimal

# preset → [(name, dimension, method, yellow, red, min_annual_plan, note)]
PRESET_RULES = {
    Preset.STANDARD: [
        ("开工滞后", Dimension.START_OVERDUE, Method.MONTHS_OVERDUE, D(1), D(3), None,
         "计划开工月份已过未开工为黄灯，满3个月仍未开工为红灯（银川口径）"),
        ("投资进度低于序时", Dimension.INVESTMENT_LAG, Method.POINTS_BEHIND, D(10), D(30), None,
         "低于序时进度10~30个百分点（含）为黄灯，超过30个百分点为红灯（银川口径）"),
        ("节点逾期", Dimension.MILESTONE_OVERDUE, Method.DAYS_OVERDUE, D(1), D(30), None,
         "倒排工期节点过计划日期未完成为黄灯，逾期满30天为红灯"),
        ("前期手续逾期", Dimension.APPROVAL_OVERDUE, Method.DAYS_OVERDUE, D(1), D(30), None,
         "必须办理的手续过计划办结日期未办结为黄灯，逾期满30天为红灯"),
        ("未按时填报月报", Dimension.REPORT_MISSING, Method.PERIODS_MISSING, D(1), D(2), None,
         "截止日期前未上报（含逾期补报）为黄灯，连续2期为红灯"),
        ("问题逾期未解决", Dimension.PROBLEM_OVERDUE, Method.DAYS_OVERDUE, D(1), D(15), None,
         "问题过办理时限未解决为黄灯，逾期满15天为红灯"),
    ],
    Preset.WUHAN: [
        ("投资完成低于时序进度（武汉）", Dimension.INVESTMENT_LAG, Method.RATIO_OF_PLAN, D(80), D(60), None,
         "《武汉市重大项目管理办法》：完成进度低于时序进度80%黄灯，低于60%红灯"),
    ],
    Preset.YINCHUAN: [
        ("开工滞后（银川）", Dimension.START_OVERDUE, Method.MONTHS_OVERDUE, D(1), D(3), None,
         "银川：计划当月开工但无正当理由未开工黄灯，连续3个月应开工未开工红灯"),
        ("进度低于序时（银川）", Dimension.INVESTMENT_LAG, Method.POINTS_BEHIND, D(10), D(30), None,
         "银川：低于序时进度10~30个百分点（含）黄灯，超过30个百分点红灯"),
    ],
    Preset.SANYA: [
        ("红黄绿亮牌（三亚）", Dimension.INVESTMENT_LAG, Method.RATIO_OF_PLAN, D(100), D(50), D(1000),
         "三亚：年度计划1000万元以上项目，年初至上月底完成低于序时进度黄牌，低于序时进度超过50%红牌"),
    ],
}

DEFAULT_PRESET = Preset.STANDARD


def rules_of(preset: str) -> list[tuple]:
    """What applying `preset` switches on: its rules, and the default ones for the other dimensions."""
    own = PRESET_RULES.get(preset, [])
    covered = {rule[1] for rule in own}
    return [(preset, rule) for rule in own] + [
        (DEFAULT_PRESET, rule) for rule in PRESET_RULES[DEFAULT_PRESET] if rule[1] not in covered
    ]
