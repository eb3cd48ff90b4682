"""Each person's channels (Preference), every message handed to an outside channel (Delivery, the
delivery log) and the scan's record of what it reminded of (ReminderSent: sent once per thing and day)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import Channel, DeliveryStatus, Trigger


class Preference(models.Model):
    """Which outside channels reach a user, and the mobile number SMS and the group bots' @ use.
    No row: the office's default channels (settings.TUIJIN_REMINDER_DEFAULT_CHANNELS)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="reminder_preference", verbose_name=_("用户"))
    channels = models.CharField(_("接收渠道"), max_length=100, blank=True,
                                help_text=_("逗号分隔的渠道代码；站内消息总是保存"))
    mobile = models.CharField(_("手机号码"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(user_db_constraint=False)

    class Meta:
        verbose_name = _("提醒设置")
        verbose_name_plural = _("提醒设置")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def channel_list(self) -> list[str]:
        return [c for c in self.channels.split(",") if c in Channel.values]


class Delivery(models.Model):
    """One message to one person on one outside channel: queued after the commit of its notify(), sent by
    jobs.deliver (held in quiet hours, merged into a digest with the person's other pending ones on that
    channel), retried with backoff after a failure up to settings.TUIJIN_REMINDER_MAX_ATTEMPTS."""

    notification = models.ForeignKey("core.Notification", verbose_name=_("站内消息"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                             related_name="reminder_deliveries")
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    recipient = models.CharField(_("接收地址"), max_length=254, blank=True)
    text = models.CharField(_("内容"), max_length=500)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    next_at = models.DateTimeField(_("下次发送时间"))
    tried_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    digest_size = models.PositiveIntegerField(_("合并条数"), default=1)

    class Meta:
        verbose_name = _("外发记录")
        verbose_name_plural = _("外发记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_at"], name="reminders_delivery_due"),
            models.Index(fields=["user", "channel", "status"], name="reminders_delivery_user"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"


class ReminderSent(models.Model):
    """The scan reminded of `trigger` for thing `key` on `day`: the unique key makes a second scan of the
    same day (or two at once) send nothing more."""

    trigger = models.CharField(_("提醒类型"), max_length=30, choices=Trigger.choices)
    key = models.CharField(_("对象"), max_length=100)
    day = models.DateField(_("日期"))
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        constraints = [models.UniqueConstraint(fields=["trigger", "key", "day"], name="reminders_sent_once")]

    def __str__(self) -> str:
        return f"{self.trigger} {self.key} {self.day}"
