"""The audit trail (安全审计, 等保 2.0 8.1.4.3): entries appended in a hash chain, never edited or deleted
through the application (see services.py for how they are written and docs/security.md, 审计)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Action, Result

GENESIS = "0" * 64  # the previous hash of the very first entry


class UnicodeJSONEncoder(DjangoJSONEncoder):
    """Chinese kept as it is in the stored JSON (SQLite keeps JSON as text: the search reads it)."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class ReadOnlyEntry(Exception):
    """An audit entry is written once and never changed or deleted through the application."""


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ReadOnlyEntry(_("审计记录不可修改"))

    def delete(self):
        raise ReadOnlyEntry(_("审计记录不可删除"))


class AuditEntry(models.Model):
    """One event of the trail. `seq`, `prev_hash` and `hash` are given when the entry is sealed into the
    chain (services.seal_pending, at once or right after the transaction that wrote it commits)."""

    seq = models.BigIntegerField(_("序号"), null=True, unique=True, editable=False)
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    # No database constraint and nothing done when the user is deleted: the entry keeps the id it was
    # written with (part of its hash) and the name in `username`.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("事件类型"), max_length=20, choices=Action.choices)
    target = models.CharField(_("对象"), max_length=500, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True, encoder=UnicodeJSONEncoder)
    address = models.CharField(_("地址"), max_length=45, blank=True)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, default=Result.SUCCESS)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, blank=True, editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["at"], name="audit_entry_at"),
            models.Index(fields=["action", "-at"], name="audit_entry_action"),
            models.Index(fields=["username", "-at"], name="audit_entry_username"),
            models.Index(fields=["address", "-at"], name="audit_entry_address"),
            models.Index(fields=["result", "-at"], name="audit_entry_result"),
            # The entries still to be sealed into the chain: a handful at any time.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_entry_unsealed"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '-'} {self.get_action_display()} {self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ReadOnlyEntry(_("审计记录不可修改"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReadOnlyEntry(_("审计记录不可删除"))


class ChainHead(models.Model):
    """The one row that holds the end of the chain (the last sealed entry's seq and hash), the anchor the
    entries in the database start from (the tail of the last archive), and the last verification."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
    anchor_seq = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default=GENESIS)
    verified_seq = models.BigIntegerField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_ok = models.BooleanField(null=True)
    verified_message = models.TextField(blank=True, editable=False)  # written by verify(), never typed

    class Meta:
        verbose_name = _("审计链状态")
        verbose_name_plural = _("审计链状态")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
