from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerField(models.TextChoices):
    """What a spreadsheet column can be imported into."""

    SERIAL = "serial", _("序号")
    CODE = "code", _("项目代码")
    STATS_CODE = "stats_code", _("入库入统代码")
    NAME = "name", _("项目名称")
    REGION = "region", _("所属区域")
    REGION_CODE = "region_code", _("区划代码")
    YEAR_LISTED = "year_listed", _("列入年度")
    LEVEL = "level", _("项目级别")
    CATEGORY = "category", _("项目类别")
    NATURE = "nature", _("建设性质")
    STAGE = "stage", _("项目阶段")
    PROGRAMS = "programs", _("专项行动")
    ADDRESS = "address", _("建设地点")
    COORDINATES = "coordinates", _("坐标（经度,纬度）")
    LONGITUDE = "longitude", _("经度")
    LATITUDE = "latitude", _("纬度")
    SCALE = "scale", _("建设内容及规模")
    PERIOD = "period", _("建设起止年限")
    START_YEAR = "start_year", _("建设起始年")
    END_YEAR = "end_year", _("建设截止年")
    PLANNED_START = "planned_start", _("计划开工日期")
    PLANNED_COMPLETION = "planned_completion", _("计划竣工日期")
    TOTAL_INVESTMENT = "total_investment", _("总投资")
    PLAN_INVESTMENT = "plan_investment", _("年度计划投资")
    COMPLETED_BEFORE = "completed_before", _("开工至上年底累计完成投资")
    MONTHLY_PLAN = "monthly_plan", _("月度计划投资（分月）")
    CONSTRUCTION_GOAL = "construction_goal", _("年度建设目标")
    OWNER = "owner", _("项目业主")
    OWNER_CONTACT = "owner_contact", _("业主联系人")
    OWNER_PHONE = "owner_phone", _("业主联系电话")
    LEAD_UNIT = "lead_unit", _("牵头单位")
    RESPONSIBLE_UNITS = "responsible_units", _("责任单位")
    LEADERS = "leaders", _("联系领导（分包）")
    LEADERS_LINKED = "leaders_linked", _("联系领导（挂点）")
    LEADERS_COORDINATING = "leaders_coordinating", _("联系领导（联系）")
    LAND_AREA = "land_area", _("建设用地面积（亩）")
    REMARKS = "remarks", _("备注")
    IGNORE = "ignore", _("（不导入）")


# Columns holding money: the unit (元/万元/亿元) is read from the header or the sheet's unit line.
MONEY_FIELDS = frozenset({LedgerField.TOTAL_INVESTMENT, LedgerField.PLAN_INVESTMENT, LedgerField.COMPLETED_BEFORE,
                          LedgerField.MONTHLY_PLAN})

# Fields a column may hold only once per sheet (the others, like 备注, may be joined).
SINGLE_FIELDS = frozenset(set(LedgerField) - {LedgerField.IGNORE, LedgerField.REMARKS, LedgerField.RESPONSIBLE_UNITS,
                                                LedgerField.MONTHLY_PLAN,
                                                LedgerField.LEADERS, LedgerField.LEADERS_LINKED,
                                                LedgerField.LEADERS_COORDINATING, LedgerField.PROGRAMS})
# Leader columns and the role a leader named in them gets.
LEADER_FIELDS = {LedgerField.LEADERS: "contracted", LedgerField.LEADERS_LINKED: "linked",
                 LedgerField.LEADERS_COORDINATING: "coordinating"}


class DictionaryKind(models.TextChoices):
    """Dictionaries whose values a sheet names in its own words (值的同义词)."""

    LEVEL = "level", _("项目级别")
    CATEGORY = "category", _("项目类别")
    NATURE = "nature", _("建设性质")
    STAGE = "stage", _("项目阶段")
    PROGRAM = "program", _("专项行动")


class RowKind(models.TextChoices):
    PROJECT = "project", _("项目")
    TOTAL = "total", _("合计")
    SUBTOTAL = "subtotal", _("小计")
    GROUP = "group", _("分组")
    DETAIL = "detail", _("明细行")
    FOOTNOTE = "footnote", _("注释")
    BLANK = "blank", _("空行")


class BatchStatus(models.TextChoices):
    PREVIEW = "preview", _("待确认")
    DONE = "done", _("已导入")
    FAILED = "failed", _("未导入")
    EXPIRED = "expired", _("已过期")
