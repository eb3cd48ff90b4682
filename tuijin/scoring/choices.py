from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    """Who a scheme ranks: the figures layer groups projects by the same keys."""

    REGION = "region", _("县区/园区")
    LEAD_UNIT = "lead_unit", _("牵头（第一责任）单位")
    RESPONSIBLE_UNIT = "responsible_unit", _("责任单位")
    LEADER = "leader", _("联系领导")
    PROJECT = "project", _("项目")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    HALF = "half", _("半年")
    YEAR = "year", _("年度")


class Source(models.TextChoices):
    """Where an indicator's value comes from."""

    FIGURE = "figure", _("统计指标（自动计算）")
    MANUAL = "manual", _("人工评分（推进办打分）")
    JUDGES = "judges", _("评委打分（去掉最高最低取平均）")


class RunState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Board(models.TextChoices):
    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")
