from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CanonicalStage(models.TextChoices):
    """The one internal lifecycle every city's vocabulary maps onto: each `Stage` names one of these."""

    RESERVE = "reserve", _("谋划储备")
    PRELIMINARY = "preliminary", _("前期")
    NEW_START = "new_start", _("新开工")
    CONSTRUCTION = "construction", _("续建在建")
    COMPLETED = "completed", _("竣工")
    OPERATING = "operating", _("投产")
    EFFECTIVE = "effective", _("达效")
    PAUSED = "paused", _("暂停")
    CANCELLED = "cancelled", pgettext_lazy("项目阶段", "取消")


class LeaderRole(models.TextChoices):
    CONTRACTED = "contracted", _("分包领导")
    LINKED = "linked", _("挂点领导")
    COORDINATING = "coordinating", _("联系领导")


class Admission(models.TextChoices):
    """Whether a project is in the ledger (入库): only admitted projects count in its figures, warnings,
    reporting periods, rankings and bulletins. A clerk's new project is a 申报 the office approves."""

    PENDING = "pending", _("申报中")
    ADMITTED = "admitted", _("已入库")
    RETURNED = "returned", _("已退回")


class Light(models.IntegerChoices):
    """A project's warning light (红黄绿灯): its worst active alert, kept by tuijin.alerts."""

    GREEN = 0, _("绿灯")
    YELLOW = 1, _("黄灯")
    RED = 2, _("红灯")


PROJECT_CODE_PATTERN = r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$"
