"""Base models every app builds on: timestamps and the version used against lost updates."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A record edited through forms: the version is compared and bumped on every save by services."""

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True


class DictionaryModel(models.Model):
    """A small admin-edited vocabulary (levels, natures, programs...)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    sort = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """A message to one user (催报, 退回…), shown in the navbar until read. Sent through
    tuijin.core.notify, which also hands it to the configured outside channels (SMS, e-mail)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("内容"), max_length=500)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="core_notification_unread")]

    def __str__(self) -> str:
        return self.text
