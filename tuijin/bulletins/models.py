"""Bulletins (通报): the office's monthly (or quarterly …) document on the key projects, assembled from
the figures layer and the published rankings, edited as text section by section, then published:
numbered (2026年第10期), frozen with everything it printed (`snapshot`), never changed again. A
correction is a new issue that names the one it corrects.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tuijin.core.fields import LimitedTextField
from tuijin.core.models import VersionedModel
from tuijin.org.models import Region

from .choices import State


class Template(VersionedModel):
    """An office's own .docx template with placeholders (docs/bulletin-templates.md)."""

    name = models.CharField(_("模板名称"), max_length=100, unique=True)
    file = models.FileField(_("模板文件"), upload_to="bulletin-templates/", max_length=200)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("通报模板")
        verbose_name_plural = _("通报模板")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Bulletin(VersionedModel):
    """One issue of a bulletin for one period and one audience (`region`: the whole city, or one
    district's own edition). A draft's figures are read live; a published one's from `snapshot`."""

    period = models.CharField(_("统计期"), max_length=10, help_text=_("如 2026-10、2026-Q3"))
    region = models.ForeignKey(Region, verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("发文单位"), max_length=100)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    main_to = models.CharField(_("主送"), max_length=500, blank=True)
    copy_to = models.CharField(_("抄送"), max_length=500, blank=True)
    red_header = models.BooleanField(_("红头"), default=True)
    opening = LimitedTextField(_("开头语"), blank=True, max_length=2000)
    texts = models.JSONField(_("各部分文字"), default=dict, blank=True,
                             help_text=_("各部分在生成内容之后的文字，按部分代码保存"))
    template = models.ForeignKey(Template, verbose_name=_("模板"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="bulletins")
    corrects = models.ForeignKey("self", verbose_name=_("更正"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections")
    correction = models.CharField(_("更正说明"), max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    number = models.PositiveIntegerField(_("期数"), null=True, blank=True)
    snapshot = models.JSONField(_("发布快照"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("起草人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at", "snapshot"])

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-period", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "number"], condition=models.Q(number__isnull=False),
                                    name="bulletins_unique_number"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.state == State.PUBLISHED

    @property
    def number_label(self) -> str:
        """2026年第10期; empty for a draft."""
        if self.number is None:
            return ""
        return _("%(y)s年第%(n)s期") % {"y": self.year, "n": self.number}
