from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    COUNTY = "county", _("县")
    ZONE = "zone", _("开发区")


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("党委政府/管委会")
    DEPARTMENT = "department", _("职能部门")
    OWNER = "owner", _("项目业主")
    OTHER = "other", _("其他")


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    DISPATCHER = "dispatcher", _("调度员")
    LEADER = "leader", _("领导")
    REPORTER = "reporter", _("填报员")
    HANDLER = "handler", _("办理单位")
    INSPECTOR = "inspector", _("督查员")
    # 三权分立 (等保 2.0 level 3): beside the system administrator (ADMIN), who keeps users, dictionaries and
    # settings, the security administrator keeps roles, grants, unlocks and second-factor resets, and the
    # audit administrator reads and exports the audit trail, nothing else.
    SECURITY = "security", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")


class Scope(models.TextChoices):
    REGION = "region", _("本单位所属区域（含下级）")
    UNIT = "unit", _("本单位牵头或负责的项目")
