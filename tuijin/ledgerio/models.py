"""Ledger import as data: the header and value words offices use, remembered mappings, import batches."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import BatchStatus, DictionaryKind, LedgerField


class HeaderSynonym(models.Model):
    """One way a column header is written, and the ledger field it means.

    Matched after normalisation (tuijin.ledgerio.mapping.header_key): full-width forms, spaces, units in
    brackets and four-digit years do not matter, so "2010年计划投资（万元）" and "2026年计划投资" are one
    synonym. Two-row headers are written as "上级/下级", e.g. "项目业主单位/业主名称".
    """

    text = models.CharField(_("表头写法"), max_length=100, unique=True)
    field = models.CharField(_("对应字段"), max_length=30, choices=LedgerField.choices)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("表头同义词")
        verbose_name_plural = _("表头同义词")
        ordering = ["field", "text"]

    def __str__(self) -> str:
        return f"{self.text} → {self.get_field_display()}"


class ValueSynonym(models.Model):
    """A word a sheet uses for a dictionary value, e.g. 项目性质 "新开工" → 建设性质 "新建"."""

    kind = models.CharField(_("字典"), max_length=20, choices=DictionaryKind.choices)
    text = models.CharField(_("表格中的写法"), max_length=50)
    value = models.CharField(_("对应字典值"), max_length=100, help_text=_("字典中的名称，如“新建”“市重点”“在建”"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("字典值同义词")
        verbose_name_plural = _("字典值同义词")
        ordering = ["kind", "text"]
        constraints = [models.UniqueConstraint(fields=["kind", "text"], name="ledgerio_value_synonym_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.text} → {self.value}"


class SavedMapping(models.Model):
    """A user's corrected column mapping, reused for files with the same header layout."""

    signature = models.CharField(_("表头特征"), max_length=64, unique=True)
    labels = models.JSONField(_("表头"), default=list)
    fields = models.JSONField(_("列对应"), default=dict, help_text=_("列序号 → 字段"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("已保存的列对应")
        verbose_name_plural = _("已保存的列对应")

    def __str__(self) -> str:
        return " | ".join(self.labels[:6])


class ImportBatch(models.Model):
    """One uploaded file from upload to result. The file itself lives in the data directory only until
    the import is confirmed or abandoned."""

    token = models.UUIDField(_("批次号"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(max_length=100, blank=True, editable=False)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    sheet = models.CharField(_("工作表"), max_length=100, blank=True)
    year = models.PositiveIntegerField(_("计划年度"), null=True, blank=True)
    options = models.JSONField(_("导入选项"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.PREVIEW)
    result = models.JSONField(_("结果"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
