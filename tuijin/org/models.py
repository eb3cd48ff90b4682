"""Regions, units, leaders and users' memberships: who belongs where, with which role."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tuijin.core.models import TimeStampedModel

from .choices import RegionLevel, Role, Scope, UnitKind

region_code_validator = RegexValidator(
    r"^\d{6}(\d{3}|\d{6})?$", _("行政区划代码应为6位、9位或12位数字")
)


class Region(TimeStampedModel):
    """An administrative region; `path` holds the codes from the root so a subtree is one prefix."""

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True, validators=[region_code_validator])
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True)
    sort = models.PositiveIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("上级区域不能是自身或其下级")})
            ancestor = ancestor.parent

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save()

    def subtree(self):
        return Region.objects.filter(path__startswith=self.path)

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)


class Unit(TimeStampedModel):
    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="units")
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords(user_db_constraint=False, no_db_index=["region"])

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["region__path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="org_unit_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class Leader(TimeStampedModel):
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=100)
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.PROTECT)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("系统账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leader",
    )
    sort = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("在任"), default=True)
    history = HistoricalRecords(user_db_constraint=False)

    class Meta:
        verbose_name = _("领导")
        verbose_name_plural = _("领导")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


class Membership(TimeStampedModel):
    """A user's place: a unit, a role, and whether they act for the unit's region or only its projects."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    scope = models.CharField(_("数据范围"), max_length=10, choices=Scope.choices, default=Scope.REGION)
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords(user_db_constraint=False)

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="org_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"
