"""The project ledger as a spreadsheet in the standard layout (标准台账格式): columns, title and rows of
the ledger's current filter, for the .xlsx and .csv exports. The importer maps the same headers back.

The headers are fixed Chinese text, not translated labels: they are the exchange format between
offices and the importer, whatever language the exporting user reads the site in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from tuijin.core.masking import mask_name, mask_phone
from tuijin.core.sheets.writer import DATE, DECIMAL, INTEGER, MONEY, Column, Table
from tuijin.org.models import Region
from tuijin.org.selectors import user_access
from tuijin.projects import completion
from tuijin.projects.choices import LeaderRole, Light
from tuijin.projects.models import Project, ProjectLeader, ProjectResponsibleUnit
from tuijin.projects.selectors import YEAR_PLAN, current_year, owner_contacts_visible, with_year_plan
from tuijin.projects.tables import parse_sort

OWNER_GROUP = "项目业主单位"
LEADER_GROUP = "项目领导"  # over 分包领导 | 挂点领导 | 联系领导 (a group named like a column would fold into it)
# 联系领导 split by role, so that a re-import gives every leader back the role they had.
LEADER_COLUMNS = (
    ("leaders_contracted", "分包领导", LeaderRole.CONTRACTED),
    ("leaders_linked", "挂点领导", LeaderRole.LINKED),
    ("leaders_coordinating", "联系领导", LeaderRole.COORDINATING),
)
LIST_SEPARATOR = "、"  # between names in one cell (专项行动, 责任单位, 领导), as the ledger page shows them
CATEGORY_SEPARATOR = " / "  # 上级类别 / 类别, as Category.__str__ and the filter's dropdown show it
TOTALS_LABEL_SPAN = 3  # "合计（N项）" spans 序号, 项目代码 and 项目名称
FREEZE_COLUMNS = 3  # 序号, 项目代码 and 项目名称 stay in view when scrolling right
SHEET_NAME = "重点项目台账"


def ledger_columns(year: int, as_of: completion.AsOf | None = None) -> list[Column]:
    """The standard ledger columns in order; the year's plan columns name the year, the 本年累计完成
    columns' group the period and rule they are as of (a CSV has no subtitle to say it)."""
    done_group = as_of.label if as_of is not None else "本年累计完成（尚无调度期）"
    return [
        Column("number", "序号", kind=INTEGER, width=6),
        Column("code", "项目代码", width=24),
        Column("name", "项目名称", width=36, wrap=True),
        Column("stats_code", "入库入统代码", width=16),
        Column("region", "所属区域", width=12, wrap=True),
        Column("region_code", "区划代码", width=9),
        Column("year_listed", "列入年度", kind=INTEGER, width=7),
        Column("level", "项目级别", width=10, wrap=True),
        Column("category", "项目类别", width=16, wrap=True),
        Column("nature", "建设性质", width=8, wrap=True),
        Column("stage", "项目阶段", width=8, wrap=True),
        Column("programs", "专项行动", width=16, wrap=True),
        Column("address", "建设地点", width=20, wrap=True),
        Column("coordinates", "坐标（经度,纬度）", width=21),
        Column("scale", "建设内容及规模", width=40, wrap=True),
        Column("period", "建设起止年限", width=11),
        Column("planned_start", "计划开工日期", kind=DATE, width=11),
        Column("planned_completion", "计划竣工日期", kind=DATE, width=11),
        Column("land_area", "建设用地面积（亩）", kind=DECIMAL, width=11),
        Column("total_investment", "总投资（万元）", kind=MONEY, width=14),
        Column("planned_investment", f"{year}年计划投资（万元）", kind=MONEY, width=14),
        Column("completed_before", "开工至上年底累计完成投资（万元）", kind=MONEY, width=16),
        Column("construction_goal", "年度建设目标", width=30, wrap=True),
        # As of one period by one rule (projects/completion.py), stated in the subtitle; not read back
        # by the importer (none of these headers names a ledger field).
        Column("completed_ytd", "本年累计完成投资（万元）", group=done_group, kind=MONEY, width=14),
        Column("completion_rate", "完成率（%）", group=done_group, kind=DECIMAL, width=9),
        Column("progress", "形象进度", group=done_group, width=30, wrap=True),
        Column("light", "预警", width=6),
        Column("light_reason", "预警原因", width=30, wrap=True),
        Column("owner", "业主名称", group=OWNER_GROUP, width=24, wrap=True),
        Column("owner_contact", "联系人", group=OWNER_GROUP, width=8, wrap=True),
        Column("owner_phone", "联系电话", group=OWNER_GROUP, width=13, wrap=True),
        Column("lead_unit", "牵头单位", width=20, wrap=True),
        Column("responsible_units", "责任单位", width=24, wrap=True),
        *(Column(key, header, group=LEADER_GROUP, width=10, wrap=True) for key, header, _ in LEADER_COLUMNS),
        Column("remarks", "备注", width=20, wrap=True),
    ]


# What one project row reads, in one query (relations joined, the year's plan joined as YEAR_PLAN).
ROW_FIELDS = (
    "id", "code", "name", "stats_code", "region__name", "region__code", "year_listed", "level__name", "category__name",
    "category__parent__name", "nature__name", "stage__name", "address", "longitude", "latitude", "scale", "start_year",
    "end_year",
    "planned_start", "planned_completion", "land_area", "total_investment", f"{YEAR_PLAN}__planned_investment",
    f"{YEAR_PLAN}__completed_before", f"{YEAR_PLAN}__construction_goal", "owner__name", "owner_contact",
    "owner_phone", "lead_unit__name", "remarks", "light", "light_reason",
)
CHUNK = 2000


@dataclass
class LedgerSums:
    count: int = 0
    total_investment: Decimal = Decimal("0.00")
    planned_investment: Decimal = Decimal("0.00")
    completed_before: Decimal = Decimal("0.00")
    completed_ytd: Decimal | None = None  # None: the year has no report period yet
    completion_rate: Decimal | None = None


@dataclass
class LedgerExport:
    table: Table
    sums: LedgerSums
    filename_stem: str  # 重点项目台账_2026年_20261122 (no extension)
    ascii_stem: str  # ledger_2026_20261122, for clients that cannot read RFC 5987 names


def ledger_export(user, filterset, *, sort: str | None, include_archived: bool, now: datetime | None = None,
                  as_of: str | None = None) -> LedgerExport:
    """The ledger as the user sees it with this filter (a bound LedgerFilterSet over
    `ledger_queryset(user, include_archived)`), sort and 本年累计完成 period (`as_of`, the page's
    chooser; by default the latest): table, sums and file name."""
    now = timezone.localtime(now)
    selected_year = filterset.selected_year
    year = selected_year or current_year()
    _, ordering = parse_sort(sort)
    basis = completion.as_of(year, as_of)
    counted = _counted(filterset)
    rows, sums = ledger_export_rows(counted, year=year, ordering=ordering, as_of=basis,
                                    full_contacts=owner_contacts_visible(user, counted))
    columns = ledger_columns(year, basis)
    totals: list = [None] * len(columns)
    totals[0] = f"合计（{sums.count}项）"
    keys = [column.key for column in columns]
    totals[keys.index("total_investment")] = sums.total_investment
    totals[keys.index("planned_investment")] = sums.planned_investment
    totals[keys.index("completed_before")] = sums.completed_before
    totals[keys.index("completed_ytd")] = sums.completed_ytd
    totals[keys.index("completion_rate")] = sums.completion_rate
    stated = f"本年累计完成{basis.label}　" if basis is not None else f"{year}年尚无调度期，不含本年累计完成　"
    table = Table(
        columns=columns,
        rows=rows,
        title=ledger_title(user, filterset, selected_year, include_archived),
        subtitle=f"单位：万元　{stated}导出时间：{now:%Y-%m-%d %H:%M}",
        totals=totals,
        totals_label_span=TOTALS_LABEL_SPAN,
        sheet_name=SHEET_NAME,
        freeze_columns=FREEZE_COLUMNS,
    )
    year_part = f"{selected_year}年" if selected_year else "全部年度"
    return LedgerExport(
        table=table,
        sums=sums,
        filename_stem=f"重点项目台账_{year_part}_{now:%Y%m%d}",
        ascii_stem=f"ledger_{selected_year or 'all'}_{now:%Y%m%d}",
    )


def _counted(filterset):
    """The ledger's projects (admitted): the sheet and its 合计 agree with the ledger's totals row. Asked
    for 申报中 or 已退回 explicitly (the admission filter), it lists those applications instead."""
    from tuijin.projects.choices import Admission

    chosen = filterset.form.cleaned_data.get("admission") if filterset.form.is_valid() else ""
    return filterset.qs if chosen in (Admission.PENDING, Admission.RETURNED) else filterset.qs.admitted()


def ledger_title(user, filterset, selected_year: int | None, include_archived: bool) -> str:
    """The sheet title, e.g. 临沂市2026年重点项目台账: the filtered region, else the region the user's scope covers."""
    region = _region_name(user, filterset)
    title = f"{region}{selected_year}年重点项目台账" if selected_year else f"{region}重点项目台账"
    return title + ("（含已归档）" if include_archived else "")


def _region_name(user, filterset) -> str:
    filterset.form.is_valid()
    region = getattr(filterset.form, "cleaned_data", {}).get("region")
    if region is not None:
        return region.name
    access = user_access(user)
    if access.is_superuser:
        roots = list(Region.objects.filter(parent=None).values_list("name", flat=True)[:2])
        return roots[0] if len(roots) == 1 else ""
    paths = {grant.region_path for grant in access.grants}
    if not paths:
        return ""
    # The deepest region holding every grant's region: 临沂市 for a city clerk, 兰山区 for its district's.
    parts = [path.strip("/").split("/") for path in paths]
    common = []
    for codes in zip(*parts, strict=False):
        if len(set(codes)) != 1:
            break
        common.append(codes[0])
    if not common:
        return ""
    return Region.objects.filter(path="/" + "/".join(common) + "/").values_list("name", flat=True).first() or ""


def ledger_export_rows(filtered, *, year: int, ordering: list[str], as_of: completion.AsOf | None = None,
                       full_contacts: set[int] | None = frozenset()) -> tuple[list[tuple], LedgerSums]:
    """One row per project of `filtered` (a scoped, filtered Project queryset) in the ledger's order,
    values in ledger_columns() order, with exact Decimal sums of the money columns.

    Five queries whatever the number of rows: the projects with their relations, the year's plan and
    本年累计完成 as of `as_of` (completion.figure, read with them), then programmes, responsible units,
    leaders and 形象进度 as of `as_of` of the same projects (each by a subquery on the filtered set).
    The owner's 联系人 and 联系电话 are written in full for the projects of `full_contacts` (None: all of them;
    projects.selectors.owner_contacts_visible), masked for the others (core.masking).
    The rows are collected before writing because the sums come first in the sheet; summing the very
    rows written keeps the 合计 equal to them even while others save.
    """
    ids = filtered.order_by().values("pk")
    programs = _names_by_project(
        Project.programs.through.objects.filter(project_id__in=ids)
        .order_by("program__sort", "program_id")
        .values_list("project_id", "program__name")
    )
    units = _names_by_project(
        ProjectResponsibleUnit.objects.filter(project_id__in=ids).order_by("id").values_list("project_id", "unit__name")
    )
    leaders: dict[tuple[int, str], list[str]] = {}
    links = ProjectLeader.objects.filter(project_id__in=ids).order_by("id").values_list("project_id", "role", "leader__name")
    for project_id, role, name in links:
        leaders.setdefault((project_id, role), []).append(name)

    progress = completion.progress(as_of, ids)
    lights = dict(Light.choices)
    zero = Decimal("0.00")

    ordering = [o.replace("plan_investment", f"{YEAR_PLAN}__planned_investment") for o in ordering]
    figure = completion.figure(as_of)
    projects = with_year_plan(filtered, year, figure).order_by(*ordering, "-id")
    if figure is not None:
        projects = projects.annotate(as_of_done=figure.expression)
    projects = projects.values_list(*ROW_FIELDS, *(("as_of_done",) if figure is not None else ()))
    sums = LedgerSums()
    total_sum, plan_sum, before_sum, done_sum = zero, zero, zero, zero
    rows = []
    join = LIST_SEPARATOR.join
    roles = [role for _, _, role in LEADER_COLUMNS]
    for number, (
        pk, code, name, stats_code, region, region_code, year_listed, level, category, category_parent, nature,
        stage, address, longitude, latitude, scale, start_year, end_year, planned_start, planned_completion, land_area,
        total, plan,
        before, goal,
        owner, owner_contact, owner_phone, lead_unit, remarks, light, light_reason, *done,
    ) in enumerate(projects.iterator(chunk_size=CHUNK), start=1):
        if full_contacts is not None and pk not in full_contacts:
            owner_contact, owner_phone = mask_name(owner_contact), mask_phone(owner_phone)
        completed = (done[0] if done[0] is not None else zero) if done else None
        if completed is not None:
            done_sum += completed
        total_sum += total
        if plan is not None:
            plan_sum += plan
        if before is not None:
            before_sum += before
        rows.append((
            number, code, name, stats_code, region, region_code, year_listed, level,
            f"{category_parent}{CATEGORY_SEPARATOR}{category}" if category_parent else category,
            nature, stage, join(programs.get(pk, ())), address,
            f"{longitude},{latitude}" if longitude is not None and latitude is not None else "",
            scale, _period(start_year, end_year),
            planned_start, planned_completion, land_area, total, plan, before, goal,
            completed, completion.rate(completed, plan), progress.get(pk, ""), str(lights.get(light, "")), light_reason,
            owner, owner_contact, owner_phone, lead_unit, join(units.get(pk, ())),
            *(join(leaders.get((pk, role), ())) for role in roles),
            remarks,
        ))
    sums.count = len(rows)
    sums.total_investment, sums.planned_investment, sums.completed_before = total_sum, plan_sum, before_sum
    if as_of is not None:
        sums.completed_ytd, sums.completion_rate = done_sum, completion.rate(done_sum, plan_sum)
    return rows, sums


def _names_by_project(pairs: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for project_id, name in pairs:
        names.setdefault(project_id, []).append(name)
    return names


def _period(start_year: int | None, end_year: int | None) -> str:
    """建设起止年限 as real ledgers write it: "2025-2028" (one side may be missing)."""
    if start_year is None and end_year is None:
        return ""
    return f"{start_year or ''}-{end_year or ''}"
