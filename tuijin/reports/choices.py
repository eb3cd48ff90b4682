from django.db import models
from django.utils.translation import gettext_lazy as _


class Cadence(models.TextChoices):
    """How often projects report: a month by default; some cities dispatch by 旬 or half-month."""

    MONTH = "month", _("月报")
    HALF = "half", _("半月报")
    TEN_DAY = "ten", _("旬报")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("填报中")
    CLOSED = "closed", _("已关闭")


class ReportState(models.TextChoices):
    PENDING = "pending", _("未填报")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


# A clerk may change a report in these states; submitted ones wait for review, approved ones are locked.
EDITABLE_STATES = frozenset({ReportState.PENDING, ReportState.DRAFT, ReportState.RETURNED})
# Counted as "handed in" for the period overview.
HANDED_IN_STATES = frozenset({ReportState.SUBMITTED, ReportState.APPROVED})


def counted_states() -> tuple[str, ...]:
    """The report states whose amounts count for 本年累计完成 (settings.TUIJIN_COUNTED_REPORTS): the
    ledger, its totals and export, the warnings and the project's plans page all read through here."""
    from django.conf import settings

    if getattr(settings, "TUIJIN_COUNTED_REPORTS", "approved") == "handed_in":
        return (ReportState.SUBMITTED, ReportState.APPROVED)
    return (ReportState.APPROVED,)


class WorkStatus(models.TextChoices):
    """开复工 state the clerk reports with the figures."""

    NOT_STARTED = "not_started", _("未开工")
    STARTED = "started", _("已开工")
    RESUMED = "resumed", _("已复工")
    STOPPED = "stopped", _("停工")
    COMPLETED = "completed", _("已竣工")


class ReportAction(models.TextChoices):
    SAVE = "save", _("保存草稿")
    SUBMIT = "submit", _("上报")
    RETURN = "return", _("退回")
    APPROVE = "approve", _("审核通过")
    IMPORT = "import", _("导入")


# Canonical stages whose projects must report by default (前期, 新开工 and in construction).
DEFAULT_REPORTING_STAGES = ("preliminary", "new_start", "construction")
