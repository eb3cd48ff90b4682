"""What users see of background work (a Job: who started what, how far it got, where its result is or why
it failed), the scheduled runs claimed once per slot, and the workers' heartbeats. The queue itself is
django-tasks-db's table (`Job.task_result_id` points into it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import JobStatus


class Job(models.Model):
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("发起人"))
    # The job function (a dotted path written by a service, never by a request) and its keyword arguments.
    func = models.CharField(_("执行函数"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(_("已完成步数"), default=0)
    total = models.PositiveIntegerField(_("总步数"), default=0)
    message = models.CharField(_("进度说明"), max_length=500, blank=True)
    result_url = models.CharField(_("结果地址"), max_length=500, blank=True)
    error = models.TextField(_("失败原因"), blank=True, editable=False)  # written by the worker, never by a user
    attempts = models.PositiveIntegerField(_("执行次数"), default=0)
    task_result_id = models.CharField(_("任务队列编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["done", "total", "message"])

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="jobs_job_user_recent")]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0


class ScheduleRun(models.Model):
    """One run of a scheduled job (settings.TUIJIN_SCHEDULES) for one slot: the unique (name, slot) row is
    what a scheduler claims, so several workers run each slot once."""

    name = models.CharField(_("计划任务"), max_length=60)
    slot = models.DateTimeField(_("计划时间"))
    worker_id = models.CharField(_("领取的进程"), max_length=64)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    summary = models.TextField(_("结果"), blank=True, editable=False)
    error = models.TextField(_("失败原因"), blank=True, editable=False)  # written by the worker, never by a user
    created_at = models.DateTimeField(_("领取时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("计划任务执行")
        verbose_name_plural = _("计划任务执行")
        ordering = ["-slot", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="jobs_schedulerun_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A running `tuijin worker`: written every few seconds; /healthz reads the newest."""

    worker_id = models.CharField(_("进程编号"), max_length=64, unique=True)
    hostname = models.CharField(_("主机"), max_length=200, blank=True)
    pid = models.PositiveIntegerField(_("进程号"), default=0)
    started_at = models.DateTimeField(_("启动时间"))
    seen_at = models.DateTimeField(_("最近心跳"), db_index=True)

    class Meta:
        verbose_name = _("后台进程心跳")
        verbose_name_plural = _("后台进程心跳")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
