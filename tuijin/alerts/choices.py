from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    START_OVERDUE = "start_overdue", _("开工滞后")
    INVESTMENT_LAG = "investment_lag", _("投资进度滞后")
    MILESTONE_OVERDUE = "milestone_overdue", _("节点逾期")
    APPROVAL_OVERDUE = "approval_overdue", _("前期手续逾期")
    REPORT_MISSING = "report_missing", _("未按时填报")
    PROBLEM_OVERDUE = "problem_overdue", _("问题逾期未解决")


class Method(models.TextChoices):
    """How a dimension's measure is read against the thresholds: both readings of "behind 序时" exist
    in the cities' published warning rules, so the rule stores which one it means."""

    POINTS_BEHIND = "points_behind", _("低于序时进度的百分点")
    RATIO_OF_PLAN = "ratio_of_plan", _("完成额占序时计划的比例（%）")
    DAYS_OVERDUE = "days_overdue", _("逾期天数")
    MONTHS_OVERDUE = "months_overdue", _("逾期月数")
    PERIODS_MISSING = "periods_missing", _("连续未按时填报期数")


# Which methods each dimension can be measured by.
DIMENSION_METHODS = {
    Dimension.START_OVERDUE: (Method.MONTHS_OVERDUE, Method.DAYS_OVERDUE),
    Dimension.INVESTMENT_LAG: (Method.POINTS_BEHIND, Method.RATIO_OF_PLAN),
    Dimension.MILESTONE_OVERDUE: (Method.DAYS_OVERDUE,),
    Dimension.APPROVAL_OVERDUE: (Method.DAYS_OVERDUE,),
    Dimension.REPORT_MISSING: (Method.PERIODS_MISSING,),
    Dimension.PROBLEM_OVERDUE: (Method.DAYS_OVERDUE,),
}

# A ratio is bad when low; every other measure when high.
LOWER_IS_WORSE = {Method.RATIO_OF_PLAN}


class Preset(models.TextChoices):
    STANDARD = "standard", _("通用规则（默认，银川进度口径）")
    WUHAN = "wuhan", _("武汉：完成进度低于时序进度80%黄、60%红")
    YINCHUAN = "yinchuan", _("银川：低于序时10~30个百分点黄、超过30个百分点红")
    SANYA = "sanya", _("三亚：低于序时进度黄、低于序时进度超过50%红")
    CUSTOM = "custom", _("自定义")
