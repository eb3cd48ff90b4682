from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Source(models.TextChoices):
    REPORT = "report", pgettext_lazy("problem source", "月报")
    PATROL = "patrol", _("巡查")
    MEETING = "meeting", _("会议")
    INSPECTION = "inspection", _("督查")
    INSTRUCTION = "instruction", _("领导批示")


class Ladder(models.IntegerChoices):
    """The escalation ladder (单位 → 县区 → 部门 → 分包市领导 → 推进委员会/专题会), lowest first."""

    UNIT = 1, _("单位自行解决")
    COUNTY = 2, _("县区协调")
    DEPARTMENT = 3, _("部门协调")
    LEADER = 4, _("分包市领导协调")
    COMMITTEE = 5, _("推进委员会/专题会")


class ProblemStatus(models.TextChoices):
    PENDING = "pending", _("待受理")
    HANDLING = "handling", _("办理中")
    RESOLVED = "resolved", _("已解决待销号")
    CLOSED = "closed", _("已销号")
    UNSOLVABLE = "unsolvable", _("无法解决")


OPEN_PROBLEM_STATES = (ProblemStatus.PENDING, ProblemStatus.HANDLING)  # can fall overdue
ACTIVE_PROBLEM_STATES = (ProblemStatus.PENDING, ProblemStatus.HANDLING, ProblemStatus.RESOLVED)


class ProblemAction(models.TextChoices):
    """A step on a problem's timeline."""

    RAISE = "raise", _("提出")
    ASSIGN = "assign", _("交办")
    ACCEPT = "accept", _("受理")
    REPLY = "reply", _("办理回复")
    EXTEND = "extend", _("延期")
    ESCALATE = "escalate", _("提级协调")
    INSTRUCT = "instruct", _("领导批示")
    RESOLVE = "resolve", _("办结申请")
    CLOSE = "close", _("核实销号")
    RETURN = "return", _("核实退回")
    UNSOLVABLE = "unsolvable", _("确认无法解决")
    REOPEN = "reopen", _("重新打开")
    ATTACH = "attach", _("上传附件")


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("待回复")
    RECTIFYING = "rectifying", _("整改中")
    CLOSED = "closed", _("已办结")


OPEN_ORDER_STATES = (OrderStatus.ISSUED, OrderStatus.RECTIFYING)


class OrderBasis(models.TextChoices):
    PROJECT = "project", _("项目推进")
    PROBLEM = "problem", _("问题办理")
    WARNING = "warning", _("预警")


class OrderAction(models.TextChoices):
    ISSUE = "issue", _("下发")
    REPLY = "reply", _("回复整改方案")
    PROGRESS = "progress", _("报告整改进展")
    RETURN = "return", _("退回重报")
    CLOSE = "close", _("核实办结")
    ATTACH = "attach", _("上传附件")


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("例会")
    DISPATCH = "dispatch", _("调度会")
    TOPIC = "topic", _("专题会")
    OBSERVATION = "observation", _("观摩会")
    ONSITE = "onsite", _("现场办公")


class InspectionKind(models.TextChoices):
    SUPERVISION = "supervision", _("督导")
    OBSERVATION = "observation", _("观摩")
    UNANNOUNCED = "unannounced", _("暗访")


class Interval(models.TextChoices):
    WEEK = "week", _("每周")
    HALF_MONTH = "half_month", _("每半月")
    MONTH = "month", _("每月")
    TWO_MONTHS = "two_months", _("每两月")
    QUARTER = "quarter", _("每季度")


DUE_SOON_DAYS = 7  # 临期: the deadline is within a week
