"""Per-user password state (when it was last changed by its owner, whether a change is forced) and the
hashes of the passwords used before (no reuse of the last TUIJIN_PASSWORD_HISTORY). The second factor's
devices are django-otp's (TOTPDevice, StaticDevice)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AccountState(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="account_state", verbose_name=_("用户"))
    # Set only when the user chose the password themselves; None: never (a first login must change it).
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    # Marked by the demo builder; honoured only in a demo installation (tuijin.accounts.selectors.is_exempt).
    demo_exempt = models.BooleanField(_("演示账号"), default=False)
    history = HistoricalRecords(user_db_constraint=False)

    class Meta:
        verbose_name = _("账户安全状态")
        verbose_name_plural = _("账户安全状态")

    def __str__(self) -> str:
        return str(self.user)


class PasswordHistory(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history",
                             verbose_name=_("用户"))
    password = models.CharField(_("密码哈希"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"
