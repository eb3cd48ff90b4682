"""Warnings (红黄绿灯): rules that judge projects by plan and time, and the alerts they raise.

A rule names a dimension (start overdue, investment behind 序时…), a method of reading it, yellow and
red thresholds and a scope (levels, categories, a minimum annual plan). An alert is one rule's verdict
on one project while it lasts: first seen, last seen, and resolved when the rule no longer fires. A
project's light (Project.light) is its worst active alert.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tuijin.core.fields import MoneyField
from tuijin.core.models import VersionedModel
from tuijin.projects.choices import Light
from tuijin.projects.models import Category, Level, Project, ProjectScopedQuerySet

from .choices import Dimension, Method, Preset


class AlertRule(VersionedModel):
    name = models.CharField(_("规则名称"), max_length=100)
    dimension = models.CharField(_("预警维度"), max_length=30, choices=Dimension.choices)
    method = models.CharField(_("判定方法"), max_length=30, choices=Method.choices)
    yellow = models.DecimalField(_("黄灯阈值"), max_digits=8, decimal_places=1)
    red = models.DecimalField(_("红灯阈值"), max_digits=8, decimal_places=1)
    levels = models.ManyToManyField(Level, verbose_name=_("适用项目级别"), blank=True, related_name="+",
                                    help_text=_("不选则适用于全部级别"))
    categories = models.ManyToManyField(Category, verbose_name=_("适用项目类别"), blank=True, related_name="+",
                                        help_text=_("不选则适用于全部类别；选上级类别含其下级"))
    min_annual_plan = MoneyField(_("年度计划投资不低于（万元）"), null=True, blank=True,
                                 help_text=_("如三亚规则只考核年度计划1000万元以上的项目"))
    preset = models.CharField(_("所属预设"), max_length=20, choices=Preset.choices, default=Preset.CUSTOM)
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveIntegerField(_("排序"), default=100)
    note = models.CharField(_("依据与说明"), max_length=300, blank=True)

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at"], m2m_fields=[levels, categories])

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class AlertQuerySet(ProjectScopedQuerySet):
    def active(self):
        return self.filter(resolved_at__isnull=True)


class Alert(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="alerts")
    rule = models.ForeignKey(AlertRule, verbose_name=_("规则"), on_delete=models.CASCADE, related_name="alerts")
    dimension = models.CharField(_("预警维度"), max_length=30, choices=Dimension.choices)
    level = models.PositiveSmallIntegerField(_("灯色"), choices=Light.choices)
    value = models.DecimalField(_("指标值"), max_digits=12, decimal_places=1)
    reason = models.CharField(_("预警原因"), max_length=300)
    subject = models.CharField(_("涉及事项"), max_length=50, blank=True)  # e.g. "milestone:12"
    first_seen = models.DateTimeField(_("首次预警"))
    last_seen = models.DateTimeField(_("最近确认"))
    level_since = models.DateTimeField(_("当前灯色起始"))
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-level", "-first_seen", "id"]
        constraints = [
            # One live alert per project and rule; resolved ones stay as the record.
            models.UniqueConstraint(fields=["project", "rule"], condition=Q(resolved_at__isnull=True),
                                    name="alerts_one_active_per_rule"),
        ]
        indexes = [
            models.Index(fields=["resolved_at", "level", "dimension"], name="alerts_active_level"),
            models.Index(fields=["project", "resolved_at"], name="alerts_project"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.reason}"


class AlertRun(models.Model):
    """A full recompute (nightly job, office button, rule change): when, by whom, and what it found."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    projects = models.PositiveIntegerField(_("项目数"), default=0)
    summary = models.JSONField(_("结果"), default=dict)

    class Meta:
        verbose_name = _("预警刷新记录")
        verbose_name_plural = _("预警刷新记录")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class LightSnapshot(models.Model):
    """The lights as they stood while `period` was the period judged (engine.evaluation_period: the
    latest one already due): what the ledger showed beside that month's figures. Begun by the first full
    recompute once the period falls due (the nightly job), kept by every refresh while it is the judged
    one, and left as it was once the next period falls due — the lights "as of" that month, for the
    cockpit's lights over time and the month's bulletin. Only the yellow and red projects are recorded
    (PeriodLight); a project not listed was green, or not in the ledger, then."""

    period = models.OneToOneField("reports.ReportPeriod", verbose_name=_("调度期"), on_delete=models.CASCADE,
                                  related_name="light_snapshot")
    begun_at = models.DateTimeField(_("开始记录"))
    refreshed_at = models.DateTimeField(_("最近更新"))

    class Meta:
        verbose_name = _("灯色记录")
        verbose_name_plural = _("灯色记录")

    def __str__(self) -> str:
        return str(self.period)


class PeriodLight(models.Model):
    """One yellow or red project of a LightSnapshot: its light and the light's reason then (as the ledger
    showed them), what it was warned of (every active alert's dimension) and, when it was behind 序时 on
    investment, by how much (the investment-lag alert's value)."""

    snapshot = models.ForeignKey(LightSnapshot, on_delete=models.CASCADE, related_name="lights")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="period_lights")
    light = models.PositiveSmallIntegerField(_("灯色"), choices=Light.choices)
    reason = models.CharField(_("预警原因"), max_length=300, blank=True)
    dimensions = models.CharField(_("预警事项"), max_length=200, blank=True)  # dimension codes, comma-separated
    lag = models.DecimalField(_("投资滞后"), max_digits=12, decimal_places=1, null=True, blank=True)

    objects = models.Manager.from_queryset(ProjectScopedQuerySet)()

    class Meta:
        verbose_name = _("月度灯色")
        verbose_name_plural = _("月度灯色")
        constraints = [models.UniqueConstraint(fields=["snapshot", "project"], name="alerts_one_light_per_period")]
        indexes = [models.Index(fields=["snapshot", "light"], name="alerts_period_light")]

    def __str__(self) -> str:
        return f"{self.snapshot} · {self.project_id} · {self.get_light_display()}"
