"""The monthly dispatch (月度调度): report periods, one progress report per project and period, their
workflow events and the office's reminders."""

import calendar
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tuijin.core.fields import TEXT_MAX, LimitedTextField, MoneyField
from tuijin.core.models import TimeStampedModel, VersionedModel
from tuijin.org.models import Unit
from tuijin.projects.models import Project, ProjectQuerySet, ProjectScopedQuerySet

from .choices import Cadence, PeriodStatus, ReportAction, ReportState, WorkStatus

SUBPERIOD_NAMES = {
    Cadence.MONTH: ("",),
    Cadence.HALF: (_("上半月"), _("下半月")),
    Cadence.TEN_DAY: (_("上旬"), _("中旬"), _("下旬")),
}


def period_bounds(cadence: str, year: int, month: int, seq: int) -> tuple[date, date]:
    """First and last day of a period."""
    last_day = calendar.monthrange(year, month)[1]
    if cadence == Cadence.HALF:
        edges = [(1, 15), (16, last_day)]
    elif cadence == Cadence.TEN_DAY:
        edges = [(1, 10), (11, 20), (21, last_day)]
    else:
        edges = [(1, last_day)]
    first, last = edges[seq - 1]
    return date(year, month, first), date(year, month, last)


def default_due(cadence: str, starts_on: date, ends_on: date) -> date:
    """A month's reports are due on the 25th (the usual 月报 deadline); a 旬 or half-month's on its last day."""
    if cadence == Cadence.MONTH:
        return date(starts_on.year, starts_on.month, 25)
    return ends_on


class ReportPeriod(VersionedModel):
    cadence = models.CharField(_("填报周期"), max_length=10, choices=Cadence.choices, default=Cadence.MONTH)
    year = models.PositiveIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    seq = models.PositiveSmallIntegerField(_("期次"), default=1)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    due_on = models.DateField(_("填报截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    note = models.CharField(_("填报要求"), max_length=500, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("开启人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("关闭人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("调度期")
        verbose_name_plural = _("调度期")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cadence", "year", "month", "seq"], name="reports_period_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        names = SUBPERIOD_NAMES.get(self.cadence, ("",))
        suffix = names[self.seq - 1] if 0 < self.seq <= len(names) else ""
        return f"{self.year}年{self.month}月{suffix}"

    @property
    def is_open(self) -> bool:
        return self.status == PeriodStatus.OPEN


class ProgressReport(VersionedModel):
    """One project's report for one period. The cumulative figures are kept by the services from the
    amounts (tuijin.reports.figures), never typed."""

    period = models.ForeignKey(ReportPeriod, verbose_name=_("调度期"), on_delete=models.PROTECT, related_name="reports")
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="progress_reports")
    # Copied from the period so that a project's earlier amounts of the year are one indexed range.
    period_end = models.DateField(_("期末日期"), editable=False)
    unit = models.ForeignKey(
        Unit, verbose_name=_("填报单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="progress_reports"
    )
    state = models.CharField(_("状态"), max_length=10, choices=ReportState.choices, default=ReportState.PENDING)
    amount = MoneyField(_("本期完成投资（万元）"), null=True, blank=True, help_text=_("本期形成实物工作量"))
    progress = LimitedTextField(_("形象进度"), blank=True, max_length=TEXT_MAX)
    work_status = models.CharField(_("开复工情况"), max_length=20, choices=WorkStatus.choices, blank=True)
    workers_planned = models.PositiveIntegerField(_("应出勤施工人数"), null=True, blank=True)
    workers_on_site = models.PositiveIntegerField(_("现场施工人数"), null=True, blank=True)
    problems = LimitedTextField(_("存在问题及困难"), blank=True, max_length=TEXT_MAX)
    next_steps = LimitedTextField(_("下步计划及需协调事项"), blank=True, max_length=TEXT_MAX)
    year_to_date = MoneyField(_("本年累计完成投资（万元）"), default=0, editable=False)
    since_start = MoneyField(_("开工累计完成投资（万元）"), default=0, editable=False)
    # 本年累计完成 as of this report's period end, by each rule of what counts (choices.counted_states):
    # the year's approved amounts (counted_approved) or handed-in amounts (counted_handed_in) of the
    # project's reports ending on or before that day; None while none counts. Kept by
    # services.refresh_cumulative, so the ledger's as-of figure is one indexed row (selectors.completion_as_of).
    counted_approved = MoneyField(_("本年累计完成（已审核口径）"), null=True, editable=False)
    counted_handed_in = MoneyField(_("本年累计完成（已上报口径）"), null=True, editable=False)
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上报人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_late = models.BooleanField(_("逾期上报"), default=False)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = LimitedTextField(_("审核意见"), blank=True, max_length=TEXT_MAX)

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at", "year_to_date", "since_start",
                                                                        "counted_approved", "counted_handed_in"])
    objects = models.Manager.from_queryset(ProjectScopedQuerySet)()

    class Meta:
        verbose_name = _("调度填报")
        verbose_name_plural = _("调度填报")
        ordering = ["period_end", "id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "project"], name="reports_one_per_project_period"),
        ]
        indexes = [
            # A project's reports in time order; with the state and amount, it covers 本年累计完成 month by month
            # on SQLite (figures.sources._completed_by_day), whose planner walks the projects' ranges.
            models.Index(fields=["project", "period_end", "state", "amount"], name="reports_project_end"),
            models.Index(fields=["period", "state"], name="reports_period_state"),
            models.Index(fields=["period", "unit"], name="reports_period_unit"),
            # Covers the ledger's 合计 row: one period's counted figures joined to the filtered projects.
            models.Index(fields=["period", "project", "counted_approved", "counted_handed_in"],
                         name="reports_period_counted"),
            # Covers the same on PostgreSQL, whose planner reads the year's rows in one range (2-3x faster
            # there than a seq scan or the projects' ranges; SQLite does not choose it).
            models.Index(fields=["period_end", "state", "project", "amount"], name="reports_end_counted"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.period}"


class ReportScopedQuerySet(ProjectQuerySet):
    """Records hanging off a report (its workflow events, its photos): the ledger's rule through the
    report's project, so `ReportPhoto.objects.visible_to(user)` is the project's visibility."""

    project_path = "report__project__"


class ReportEvent(models.Model):
    """A step of a report's workflow: who moved it from which state to which, when, and why."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=ReportAction.choices)
    from_state = models.CharField(_("原状态"), max_length=10, choices=ReportState.choices)
    to_state = models.CharField(_("新状态"), max_length=10, choices=ReportState.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    comment = LimitedTextField(_("意见"), blank=True, max_length=TEXT_MAX)

    objects = models.Manager.from_queryset(ReportScopedQuerySet)()

    class Meta:
        verbose_name = _("填报流转记录")
        verbose_name_plural = _("填报流转记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class Reminder(TimeStampedModel):
    """The office chased a unit for its missing reports of a period (in-app, and by the outside channels each
    person chose: tuijin.reminders)."""

    period = models.ForeignKey(ReportPeriod, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("催报人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    missing = models.PositiveIntegerField(_("未报项目数"), default=0)
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        ordering = ["-created_at"]


class ReportPhoto(models.Model):
    """A site photo on a report, with the time and place its camera recorded (EXIF)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("文件"), upload_to="reports/", max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    history = HistoricalRecords(user_db_constraint=False)
    objects = models.Manager.from_queryset(ReportScopedQuerySet)()

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
