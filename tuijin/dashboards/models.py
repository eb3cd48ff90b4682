"""Display tokens (展示令牌) of the big screen (大屏): a read-only key to one region's screen that the office
issues for a meeting-room display, so the screen refreshes all meeting long without anyone signed in.

Only the token's SHA-256 is stored (`secret_hash`); the token itself is shown once, in the screen's
address, when it is issued. A token reads the screen of its region and nothing else, until it expires
or is revoked; issuing and revoking are kept in its history. docs/architecture.md, "Display tokens".
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tuijin.core.models import VersionedModel
from tuijin.org.models import Region


class DisplayToken(VersionedModel):
    name = models.CharField(_("名称"), max_length=50, help_text=_("如：市政府三楼会议室大屏"))
    region = models.ForeignKey(Region, verbose_name=_("展示范围"), on_delete=models.PROTECT, related_name="+")
    secret_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    hint = models.CharField(_("尾号"), max_length=4, editable=False,
                            help_text=_("令牌的最后4个字符，用于核对是哪一个链接"))
    expires_on = models.DateField(_("有效期至"), help_text=_("含当日"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("展示令牌")
        verbose_name_plural = _("展示令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name
