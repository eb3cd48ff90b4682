"""The demo city's marker: its presence means `tuijin demo` has already loaded the demo data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoRun(models.Model):
    created_at = models.DateTimeField(_("加载时间"), auto_now_add=True)
    seed = models.PositiveIntegerField(_("随机种子"))

    class Meta:
        verbose_name = _("演示数据加载记录")
        verbose_name_plural = _("演示数据加载记录")

    def __str__(self) -> str:
        return f"演示数据（种子 {self.seed}）"
