"""Base models every app builds on: timestamps and the version used against lost updates."""

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
