from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateKind(models.TextChoices):
    BUILDING = "building", _("房建类")
    ROAD = "road", _("交通类")
    WATER = "water", _("水利类")
    INDUSTRY = "industry", _("产业类")
    PRELIMINARY = "preliminary", _("前期工作")
    OTHER = "other", _("其他")


class MilestoneStatus(models.TextChoices):
    """A milestone's state on a given day, derived from its dates (never stored)."""

    DONE = "done", _("按期完成")
    DONE_LATE = "done_late", _("逾期完成")
    OVERDUE = "overdue", _("已逾期")
    DUE_SOON = "due_soon", _("临近时限")
    PLANNED = "planned", _("未到期")
    UNSCHEDULED = "unscheduled", _("未排期")
    INFERRED = "inferred", _("已完成（推定）")


class NodeMark(models.TextChoices):
    """What a node stands for in the project's recorded facts: the 开工 node is done once the project
    has an actual start (on that date), the 竣工 node once it has an actual completion."""

    START = "start", _("开工节点")
    COMPLETION = "completion", _("竣工节点")


class DoneBasis(models.TextChoices):
    """Why a node counts as done (Milestone.objects.with_inference): its own actual date, or a fact it
    is inferred from. An empty basis means the node is open."""

    RECORDED = "recorded", _("已填报实际完成日期")
    STARTED = "started", _("据项目实际开工推定")
    COMPLETED = "completed", _("据项目实际竣工推定")
    LATER = "later", _("据后续节点已完成推定")


class BaselineState(models.TextChoices):
    """Where a project's schedule stands with its baseline (Schedule.baseline_number 0 or not, never stored)."""

    UNAPPROVED = "unapproved", _("基线未批准")
    APPROVED = "approved", _("已批准基线")


class BaselineStep(models.TextChoices):
    APPROVE = "approve", _("批准基线")
    REBASELINE = "rebaseline", _("重新批准基线")


class ApprovalStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")
    NOT_NEEDED = "not_needed", _("无需办理")


OPEN_APPROVAL_STATES = (ApprovalStatus.NOT_STARTED, ApprovalStatus.IN_PROGRESS)
DUE_SOON_DAYS = 7  # 临近时限: due within a week (宜昌 在线督查's yellow)


class WallGrouping(models.TextChoices):
    """How 挂图作战 groups its project rows: not at all, by 县区, by 牵头单位 or by 分包领导 (each project
    under the first of its 分包领导: 一个项目、一名领导)."""

    NONE = "", _("不分组")
    REGION = "region", _("按县区")
    UNIT = "unit", _("按牵头单位")
    LEADER = "leader", _("按分包领导")


class WallWindow(models.TextChoices):
    """The time axis of 挂图作战: this year (January to December), or every node's dates."""

    YEAR = "year", _("本年度")
    ALL = "all", _("全周期")
