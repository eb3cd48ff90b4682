"""Ledger import: read a sheet, classify its rows, map and validate them in bulk, then write them at once.

`analyze()` does everything but write: the preview, `--dry-run` and the final check before a commit
all see the same result. `commit()` re-checks versions and writes the whole file (or only its valid
rows) in one transaction, with history. Nothing here issues one query per row.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.bulk import paused_gc
from tuijin.core.sheets import rows as sheet_rows
from tuijin.core.sheets.headers import find_header
from tuijin.core.sheets.values import (
    BLANKS,
    UNITS,
    normalize_text,
    parse_amount,
    parse_date,
    parse_period,
    strip_markers,
    year_in,
)
from tuijin.org.choices import RegionLevel, Role
from tuijin.org.models import Leader, Region, Unit
from tuijin.org.selectors import regions_editable_by, user_access
from tuijin.projects.models import AnnualPlan, Category, Level, Nature, Program, Project, Stage
from tuijin.projects.services import annual_plan_rules, project_rules

from .choices import LEADER_FIELDS, MONEY_FIELDS, SINGLE_FIELDS, DictionaryKind, LedgerField, RowKind
from .mapping import ColumnMap, SynonymIndex, map_columns, plan_month
from .models import ValueSynonym

F = LedgerField
ZERO = Decimal("0.00")
# Fields every project needs; the preview offers a default for each the sheet does not give.
REQUIRED = (F.REGION, F.LEVEL, F.CATEGORY, F.NATURE, F.STAGE)
DEFAULTABLE = REQUIRED
MAX_SHOWN_ERRORS = 500

_SPLIT = re.compile(r"[、,，;；/\n]+")
_CN_NUMBER = sheet_rows.CN_NUMBER
_GROUP_NUMBER = sheet_rows.GROUP_NUMBER
_COUNT_SUFFIX = sheet_rows.COUNT_SUFFIX
_TOTAL = sheet_rows.TOTAL
_SUBTOTAL = sheet_rows.SUBTOTAL
_FOOTNOTE = sheet_rows.FOOTNOTE
_PERSON_TAIL = re.compile(r"^(.*?)[\s,，、]+([\u4e00-\u9fff]{2,4})$")
_LEADER_TITLE = re.compile(r"^(.+?)[（(](.+?)[)）]$")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_TITLE_CITY = re.compile(r"(?:^|省)([\u4e00-\u9fff]{2,3}市)")
# A group row that is nothing but a region ("市本级", "市直单位", "罗庄区", "沂南县"), numbered or not.
_REGION_GROUP = re.compile(r"^(?:市本级|市直(?:单位|部门|项目)?|省本级|省直(?:单位|部门|项目)?|县本级|区本级|本级|"
                           r"[\u4e00-\u9fff]{1,10}(?:市|区|县|旗))$")
# A count in brackets at the end of a label: "县重点项目（9项）", "兰山区（2个）".
_BRACKETED_COUNT = re.compile(r"[（(]\s*(?:共|计)?\s*\d+\s*(?:项|个)\s*[)）]\s*$")


@dataclass
class Issue:
    """An error or a warning, where the user will find it in the spreadsheet."""

    sheet: str
    row: int | None  # 1-based as the spreadsheet shows it; None for the whole file
    column: str  # the column's header (with its letter in `letter`)
    message: str
    letter: str = ""

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = [self.sheet]
        if self.row:
            where.append(_("第%(row)s行") % {"row": self.row})
        if self.column:
            where.append(f"{self.letter}列“{self.column}”" if self.letter else f"“{self.column}”")
        return "，".join(where) + "：" + self.message


@dataclass
class Row:
    number: int  # 1-based spreadsheet row
    kind: str
    label: str = ""
    values: dict = field(default_factory=dict)  # field → parsed value
    markers: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    context: dict = field(default_factory=dict)  # field → value from the group rows above
    project: Project | None = None  # existing project this row updates
    action: str = ""  # "create" | "update" for project rows
    built: tuple | None = None  # (Project, AnnualPlan | None) as they will be saved, once valid

    @property
    def valid(self) -> bool:
        return not self.errors

    def get_kind_display(self) -> str:
        return RowKind(self.kind).label


@dataclass
class Analysis:
    filename: str
    sheet: str
    sheet_names: list
    year: int
    title: str = ""
    sheet_reason: str = ""  # which sheet was read and why (shown in the preview and the CLI)
    region_from_address: bool = False  # no region column: 建设地点 gives the region
    header_rows: tuple = ()
    columns: list = field(default_factory=list)  # ColumnMap
    saved_mapping: bool = False
    units: dict = field(default_factory=dict)  # column index → unit
    sheet_unit: str | None = None
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # file-level Issues
    warnings: list = field(default_factory=list)
    reconciliation: list = field(default_factory=list)
    defaults: dict = field(default_factory=dict)  # field → object chosen for rows that lack it
    inferred: dict = field(default_factory=dict)  # field → how it was inferred (shown in the preview)
    missing: list = field(default_factory=list)  # required fields with no column and no default
    rows_read: int = 0
    user: object = None  # the importing user; None for the system (CLI without --user)
    editable_paths: list | None = None  # region paths the user may import into; None: all
    timings: dict = field(default_factory=dict)  # seconds per phase (the bench reports them)
    _by_field: tuple | None = field(default=None, repr=False)
    dicts: object = field(default=None, repr=False)  # the Dictionaries the rows were matched with
    editable_regions: dict = field(default_factory=dict, repr=False)  # region id → may import into it

    needs: dict = field(default_factory=dict)  # what the user must confirm before writing: kind → message
    confirmed: set = field(default_factory=set)  # the kinds of `needs` the user has confirmed
    new_units: list = field(default_factory=list)  # names of the units the import would create
    new_leaders: list = field(default_factory=list)  # names of the leaders it would create

    @property
    def unconfirmed(self) -> list[str]:
        return [kind for kind in self.needs if kind not in self.confirmed]

    @property
    def project_rows(self) -> list[Row]:
        return [row for row in self.rows if row.kind == RowKind.PROJECT]

    @property
    def all_errors(self) -> list[Issue]:
        return self.errors + [issue for row in self.rows for issue in row.errors]

    @property
    def all_warnings(self) -> list[Issue]:
        return self.warnings + [issue for row in self.rows for issue in row.warnings]

    @property
    def valid(self) -> bool:
        return not self.errors and all(row.valid for row in self.project_rows)

    def column(self, name: str) -> ColumnMap | None:
        if self._by_field is None or self._by_field[0] is not self.columns or self._by_field[1] != len(self.columns):
            by_field = {}
            for column in self.columns:
                by_field.setdefault(column.field, column)
            self._by_field = (self.columns, len(self.columns), by_field)
        return self._by_field[2].get(name)

    def totals(self, rows=None) -> dict[str, Decimal]:
        rows = self.project_rows if rows is None else rows
        return {
            "total_investment": sum((r.values.get(F.TOTAL_INVESTMENT) or ZERO for r in rows), ZERO),
            "annual_plan": sum((r.values.get(F.PLAN_INVESTMENT) or ZERO for r in rows), ZERO),
        }

    def counts(self) -> dict[str, int]:
        rows = self.project_rows
        return {
            "projects": len(rows),
            "create": sum(1 for r in rows if r.valid and r.action == "create"),
            "update": sum(1 for r in rows if r.valid and r.action == "update"),
            "invalid": sum(1 for r in rows if not r.valid),
        }

    def skipped_rows(self) -> list[dict]:
        return [{"row": r.number, "kind": r.kind} for r in self.rows if r.kind != RowKind.PROJECT]


class ImportError_(Exception):
    """The file cannot be imported at all (no header found, sheet missing): a Chinese message."""


# ------------------------------------------------------------------------------------ dictionaries


def _key(text) -> str:
    """Names compared loosely: NFKC, no spaces."""
    return normalize_text(text).replace(" ", "")


class Dictionaries:
    """Everything rows are matched against, read once per analysis."""

    def __init__(self, user):
        self.user = user
        self._looked_up: dict = {}
        self._regions_found: dict = {}
        self._by_length: list | None = None
        self.regions = list(Region.objects.only("id", "code", "name", "level", "path", "parent_id"))
        self.region_by_id = {r.pk: r for r in self.regions}
        self.region_by_code = {r.code: r for r in self.regions}
        self.regions_by_name: dict[str, list[Region]] = defaultdict(list)
        for region in self.regions:
            self.regions_by_name[_key(region.name)].append(region)
        if user is None:
            self.editable_paths = None  # the system (CLI without --user): every region
        else:
            self.editable_paths = [r.path for r in regions_editable_by(user).only("path")]
        self.synonyms: dict[str, dict[str, str]] = defaultdict(dict)
        for kind, text, value in ValueSynonym.objects.filter(is_active=True).values_list("kind", "text", "value"):
            self.synonyms[kind][_key(text)] = _key(value)
        self.levels = self._names(Level.objects.filter(is_active=True))
        self.natures = self._names(Nature.objects.filter(is_active=True))
        self.stages = self._names(Stage.objects.filter(is_active=True))
        self.programs = self._names(Program.objects.filter(is_active=True))
        categories = list(Category.objects.filter(is_active=True).select_related("parent").order_by("parent_id", "sort", "id"))
        self.categories = self._names(categories)
        # "市政 / 道路桥梁": the export writes a category with its parent (exporting.CATEGORY_SEPARATOR).
        self.category_paths = {(_key(c.parent.name) if c.parent_id else "", _key(c.name)): c for c in categories}
        self.by_kind = {
            DictionaryKind.LEVEL: self.levels, DictionaryKind.NATURE: self.natures,
            DictionaryKind.STAGE: self.stages, DictionaryKind.PROGRAM: self.programs,
            DictionaryKind.CATEGORY: self.categories,
        }
        self.units_by_name: dict[str, list[tuple[int, int]]] = defaultdict(list)  # name → [(unit id, region id)]
        for pk, name, region_id in Unit.objects.filter(is_active=True).values_list("id", "name", "region_id"):
            self.units_by_name[_key(name)].append((pk, region_id))
        self.leaders_by_name: dict[str, int] = {}
        for pk, name in Leader.objects.filter(is_active=True).order_by("sort", "id").values_list("id", "name"):
            self.leaders_by_name.setdefault(_key(name), pk)

    @staticmethod
    def _names(queryset) -> dict:
        found = {}
        for obj in queryset:
            found.setdefault(_key(obj.name), obj)
        return found

    def lookup(self, kind: str, text):
        """A dictionary value by its name or a synonym; None when unknown (remembered per text: a
        ledger repeats the same few words thousands of times)."""
        memo = (kind, text)
        if memo not in self._looked_up:
            self._looked_up[memo] = self._lookup(kind, text)
        return self._looked_up[memo]

    def _lookup(self, kind: str, text):
        key = _key(text)
        if kind == DictionaryKind.CATEGORY and "/" in key:
            parent, _sep, child = key.rpartition("/")
            return self.category_paths.get((parent, child))
        if not key:
            return None
        values = self.by_kind[kind]
        if key in values:
            return values[key]
        target = self.synonyms[kind].get(key)
        if target is not None:
            return values.get(target)
        stripped = re.sub(r"(?:项目|类)$", "", key)
        if stripped != key:
            return values.get(stripped) or values.get(self.synonyms[kind].get(stripped, ""))
        return None

    def editable(self, region: Region) -> bool:
        return self.editable_paths is None or any(region.path.startswith(p) for p in self.editable_paths)

    def region(self, text) -> tuple[Region | None, str]:
        """A region by code or name, preferring the user's own; (None, reason) when not found."""
        if text not in self._regions_found:
            self._regions_found[text] = self._region(text)
        return self._regions_found[text]

    def _region(self, text) -> tuple[Region | None, str]:
        raw = normalize_text(text)
        if not raw:
            return None, ""
        if raw.isdigit():
            region = self.region_by_code.get(raw) or self.region_by_code.get(raw[:6] if len(raw) == 12 and raw.endswith("000000") else "")
            if region is not None:
                return region, ""
        key = _key(raw)
        candidates = self.regions_by_name.get(key, [])
        if not candidates:
            # "兰山" for 兰山区, "临沂" for 临沂市
            candidates = [r for r in self.regions if _key(r.name).rstrip("市区县") == key.rstrip("市区县") and len(key) >= 2]
        if len(candidates) > 1:
            mine = [r for r in candidates if self.editable(r)]
            candidates = mine if mine else candidates
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, _("区域“%(name)s”不存在（可填写行政区划代码或系统中的区域名称）") % {"name": raw}
        return None, _("区域名称“%(name)s”对应多个区域，请填写行政区划代码") % {"name": raw}

    def region_in(self, text) -> Region | None:
        """The region an address names: the whole text, else the most specific region whose full name
        it contains ("临沂市罗庄区罗庄街道沂河路8号" → 罗庄区)."""
        region, _reason = self.region(text)
        if region is not None:
            return region
        key = _key(text)
        if self._by_length is None:
            self._by_length = sorted(((_key(r.name), r) for r in self.regions if len(_key(r.name)) >= 2),
                                     key=lambda pair: len(pair[1].path), reverse=True)
        found = [r for name, r in self._by_length if name in key]
        if not found:
            return None
        deepest = [r for r in found if len(r.path) == len(found[0].path)]
        if len(deepest) > 1:
            mine = [r for r in deepest if self.editable(r)]
            deepest = mine if len(mine) == 1 else deepest
        return deepest[0] if len(deepest) == 1 else None

    def own_city(self, title: str) -> tuple[Region | None, str]:
        """The city "市本级" / "市直" stands for: the one the title names, else the one city in the
        user's scope; (None, reason) when neither tells."""
        title = _key(title)
        cities = [r for r in self.regions if r.level == RegionLevel.CITY]
        named = [r for r in cities if _key(r.name) in title or (len(_key(r.name)) > 2 and _key(r.name).rstrip("市") in title)]
        if len(named) == 1:
            return named[0], ""
        stranger = _TITLE_CITY.search(title)
        if not named and stranger:
            return None, _("标题写的是“%(city)s”，不是系统中的区域，无法确定“市本级”是哪个城市，请选择默认区域") % {
                "city": stranger.group(1)}
        mine = [r for r in cities if self.editable(r)] if self.editable_paths is not None else cities
        if self.editable_paths is not None and not mine:
            # a user of a district: the city above it
            mine = [r for r in cities if any(p.startswith(r.path) for p in self.editable_paths)]
        if len(mine) == 1:
            return mine[0], ""
        return None, _("无法确定“市本级”是哪个城市，请选择默认区域")

    def root_region(self) -> Region | None:
        """The one region the user acts for, as a default; None when they act for several."""
        if self.editable_paths is None:
            tops = [r for r in self.regions if r.parent_id is None]
            return tops[0] if len(tops) == 1 else None
        tops = {p for p in self.editable_paths if not any(p != q and p.startswith(q) for q in self.editable_paths)}
        if len(tops) != 1:
            return None
        return next((r for r in self.regions if r.path == next(iter(tops))), None)

    def level_for(self, region: Region):
        name = {RegionLevel.PROVINCE: "省重点", RegionLevel.CITY: "市重点"}.get(region.level, "县（区）重点")
        return self.levels.get(_key(name))


# ---------------------------------------------------------------------------------------- analysis


@paused_gc()
def analyze(workbook, *, filename: str, user=None, sheet: str | None = None, year: int | None = None,
            overrides: dict | None = None, defaults: dict | None = None, index: SynonymIndex | None = None,
            accept_total_mismatch: bool = False, create_new: bool = False) -> Analysis:
    """Everything about importing `workbook` (tuijin.core.sheets.reader.Workbook) except writing it.

    `overrides` maps column index → field (the user's corrections); `defaults` maps a required field
    to a value (region code or name, dictionary names) for rows that do not give it.
    `accept_total_mismatch` and `create_new` are the user's confirmations (Analysis.needs): a 合计 row
    that disagrees with the rows read, and the units and leaders the import would create.
    """
    if user is not None and not user_access(user).has_role(Role.ADMIN, Role.DISPATCHER, Role.REPORTER):
        raise ImportError_(_("您的角色不能导入项目台账"))
    names = [s.name for s in workbook.sheets]
    index = index or SynonymIndex()
    chosen, sheet_reason = _pick_sheet(workbook, sheet, index)
    if len(workbook.sheets) == 1 and not sheet:
        sheet_reason = ""  # nothing to choose from
    header = find_header(chosen, index.known)
    if header is None:
        raise ImportError_(
            _("工作表“%(sheet)s”中找不到表头（至少要有“项目名称”等两个可识别的列名）。请检查是否选对了工作表。")
            % {"sheet": chosen.name}
        )
    maps, saved = map_columns(header.columns, index, overrides=overrides)
    analysis = Analysis(
        filename=filename, sheet=chosen.name, sheet_names=names, year=0, title=header.title or "",
        header_rows=(header.top + 1, header.bottom + 1), columns=maps, saved_mapping=saved,
        sheet_unit=header.unit, sheet_reason=sheet_reason,
    )
    dicts = Dictionaries(user)
    analysis.user, analysis.editable_paths, analysis.dicts = user, dicts.editable_paths, dicts
    year = _year_groups(analysis, year)
    _check_columns(analysis)
    analysis.region_from_address = F.REGION not in _present(analysis) and analysis.column(F.ADDRESS) is not None
    analysis.year = _import_year(analysis, year)
    _units(analysis)
    _resolve_defaults(analysis, dicts, defaults or {})
    epoch_1904 = bool(getattr(workbook, "epoch_1904", False))
    started = time.perf_counter()
    _read_rows(analysis, chosen, header, dicts, epoch_1904, csv=getattr(workbook, "format", "") == "csv")
    analysis.timings["rows"] = time.perf_counter() - started
    _match(analysis, dicts)
    analysis.timings["match"] = time.perf_counter() - started - analysis.timings["rows"]
    _validate(analysis)
    _reconcile(analysis)
    if not analysis.project_rows:
        analysis.errors.append(Issue(analysis.sheet, None, "", _(
            "未找到项目行：工作表“%(sheet)s”的表头（第%(row)s行）下面没有项目。请检查是否选对了工作表，或表中是否只有合计、分组行")
            % {"sheet": analysis.sheet, "row": analysis.header_rows[1]}))
    needs_started = time.perf_counter()
    _needs(analysis, accept_total_mismatch=accept_total_mismatch, create_new=create_new)
    analysis.timings["needs"] = time.perf_counter() - needs_started
    analysis.timings["analyze"] = time.perf_counter() - started
    return analysis


def _pick_sheet(workbook, name: str | None, index: SynonymIndex):
    if name:
        for candidate in workbook.sheets:
            if candidate.name == name:
                return candidate, _("按您的选择读取工作表“%(sheet)s”") % {"sheet": name}
        raise ImportError_(_("文件中没有名为“%(name)s”的工作表（有：%(names)s）")
                           % {"name": name, "names": "、".join(s.name for s in workbook.sheets)})
    # The first sheet that lists projects (its header has a 项目名称 column): a cover sheet and a 汇总
    # (summary by county) before the detail sheet are passed over. Else the first sheet with a
    # recognisable header; else the first sheet.
    headed, passed = None, []
    for candidate in workbook.sheets:
        header = find_header(candidate, index.known)
        if header is None:
            passed.append(candidate.name)
            continue
        if any(index.field_of(column.label) == F.NAME for column in header.columns):
            if passed:
                reason = _("自动选择了工作表“%(sheet)s”：它有“项目名称”列，是项目明细表；%(others)s没有“项目名称”列，未读取") % {
                    "sheet": candidate.name, "others": "、".join(f"“{name}”" for name in passed)}
            else:
                reason = _("读取了工作表“%(sheet)s”：第一个有“项目名称”列的工作表") % {"sheet": candidate.name}
            return candidate, reason
        headed = headed or candidate
        passed.append(candidate.name)
    chosen = headed or workbook.sheets[0]
    return chosen, _("没有哪个工作表有“项目名称”列，读取了工作表“%(sheet)s”") % {"sheet": chosen.name}


def _check_columns(analysis: Analysis) -> None:
    seen: dict[str, ColumnMap] = {}
    for column in analysis.columns:
        if column.field in SINGLE_FIELDS and column.field != F.IGNORE:
            if column.field in seen:
                first = seen[column.field]
                analysis.errors.append(Issue(
                    analysis.sheet, None, column.label,
                    _("与%(letter)s列“%(first)s”都对应“%(field)s”，请在列对应中只保留一列")
                    % {"letter": first.letter, "first": first.label, "field": F(column.field).label},
                    column.letter,
                ))
            else:
                seen[column.field] = column
    if F.NAME not in seen:
        # A name column left without a header (a real template does this): the blank-headed column
        # right after 序号.
        serial = seen.get(F.SERIAL)
        after = next((c for c in analysis.columns if serial is not None and c.index == serial.index + 1), None)
        if after is None and serial is not None:
            after = ColumnMap(serial.index + 1, "", F.IGNORE)
            analysis.columns.insert(analysis.columns.index(serial) + 1, after)
        if after is not None and not after.label and after.field == F.IGNORE:
            after.field = F.NAME
            analysis.warnings.append(Issue(analysis.sheet, None, "", _("%(letter)s列没有表头，按“项目名称”导入")
                                           % {"letter": after.letter}, after.letter))
        else:
            analysis.errors.append(Issue(analysis.sheet, None, "", _("没有找到“项目名称”列，请在列对应中指定")))


# Columns that belong to one year's group ("2025年 计划/完成 | 2026年 计划"): only the import year's are read.
_YEARLY = (MONEY_FIELDS - {F.TOTAL_INVESTMENT}) | {F.CONSTRUCTION_GOAL}


def _year_groups(analysis: Analysis, year: int | None) -> int | None:
    """Column groups of several years side by side: the import year's group is the plan (the year given,
    else the latest), the other years' columns are not imported (never added to it). Returns the year
    to import, as given when there is only one year's group."""
    dated = [c for c in analysis.columns if c.guessed and c.year and c.field in _YEARLY]
    # "至2025年底累计完成投资" belongs to 2026.
    own = {id(c): c.year + 1 if c.field == F.COMPLETED_BEFORE else c.year for c in dated}
    years = sorted(set(own.values()))
    if len(years) < 2:
        return year
    if year and year not in years:
        analysis.errors.append(Issue(analysis.sheet, None, "", _("表头有%(years)s年的列，没有%(year)s年的，请核对计划年度")
                                     % {"years": "、".join(map(str, years)), "year": year}))
        return year
    chosen = year or years[-1]
    if not year:
        analysis.warnings.append(Issue(analysis.sheet, None, "", _("表头有%(years)s年几组列，按最近的%(year)s年导入年度计划（可指定计划年度）")
                                       % {"years": "、".join(map(str, years)), "year": chosen}))
    for column in dated:
        if own[id(column)] != chosen:
            column.field = F.IGNORE
            analysis.warnings.append(Issue(analysis.sheet, None, column.label, _("%(year)s年的列，导入的是%(chosen)s年的计划，此列不导入")
                                           % {"year": column.year, "chosen": chosen}, column.letter))
    return chosen


def _import_year(analysis: Analysis, year: int | None) -> int:
    """The plan year: given, else the plan column's header year, else the year after the
    "至2009年底累计" column's, else the title's, else this year."""
    plan = analysis.column(F.PLAN_INVESTMENT)
    header_year = plan.year if plan is not None else None
    before = analysis.column(F.COMPLETED_BEFORE)
    if header_year is None and before is not None and before.year:
        header_year = before.year + 1
    if header_year is None:
        header_year = year_in(analysis.title)
    if year:
        if header_year and header_year != year:
            analysis.warnings.append(Issue(
                analysis.sheet, None, plan.label if plan else "",
                _("表头写的是%(header)s年，按您指定的%(year)s年导入年度计划") % {"header": header_year, "year": year},
            ))
        return year
    return header_year or timezone.localdate().year


def _units(analysis: Analysis) -> None:
    for column in analysis.columns:
        if column.field not in MONEY_FIELDS:
            continue
        unit = column.unit or analysis.sheet_unit
        if unit is None:
            unit = "万元"
            analysis.warnings.append(Issue(
                analysis.sheet, None, column.label, _("表头和表格上方都没有注明金额单位，按“万元”导入"), column.letter,
            ))
        elif column.unit and analysis.sheet_unit and column.unit != analysis.sheet_unit:
            analysis.warnings.append(Issue(
                analysis.sheet, None, column.label,
                _("表头单位“%(column)s”与表格上方的“单位：%(sheet)s”不同，按表头的“%(column)s”导入")
                % {"column": column.unit, "sheet": analysis.sheet_unit}, column.letter,
            ))
        analysis.units[column.index] = unit


def _resolve_defaults(analysis: Analysis, dicts: Dictionaries, given: dict) -> None:
    present = _present(analysis)
    for name in DEFAULTABLE:
        text = given.get(name) or given.get(str(name))
        if not text:
            continue
        if name == F.REGION:
            value, reason = dicts.region(text)
            if value is not None and not dicts.editable(value):
                value, reason = None, _("您无权在“%(region)s”登记项目") % {"region": value.name}
        else:
            value = dicts.lookup(name if name != F.REGION else "", text)
            reason = "" if value is not None else _("“%(value)s”不是有效的%(field)s") % {"value": text, "field": F(name).label}
        if value is None:
            analysis.errors.append(Issue(analysis.sheet, None, str(F(name).label), _("默认值：") + reason))
        else:
            analysis.defaults[name] = value
    if F.REGION not in analysis.defaults and F.REGION not in present:
        # Only a user who acts for one region without sub-regions has their region as a default: a
        # file without regions is never assigned whole to a city or the province (the import refuses).
        root = dicts.root_region()
        if root is not None and not any(r.parent_id == root.pk for r in dicts.regions):
            analysis.defaults[F.REGION] = root
            analysis.inferred[F.REGION] = _("表中没有区域列，按您所在的“%(region)s”导入") % {"region": root.name}


# ------------------------------------------------------------------------------------------- rows


def _text(value) -> str:
    return normalize_text(value)


def _row_label(texts: list[str], columns: list[ColumnMap]) -> str:
    """The text a non-project row is known by: its 序号 and name cells, else its first text cell."""
    wanted = [c.index for c in columns if c.field in (F.SERIAL, F.NAME)]
    parts = [texts[i] for i in wanted if i < len(texts) and texts[i]]
    if parts:
        return " ".join(parts)
    return next((t for t in texts if t), "")


def classify(cells: list, columns: list[ColumnMap], sheet_unit_columns: dict, texts: list[str] | None = None) -> tuple[str, str]:
    """(kind, label) of one data row (`texts`: its cells through normalize_text, if already done)."""
    texts = [_text(v) for v in cells] if texts is None else texts
    serial_col, name_col = _positions(columns)
    if serial_col is not None and name_col is not None and serial_col < len(cells) and name_col < len(texts):
        # The common case first: a numbered row with a name is a project (no pattern can say otherwise).
        raw_serial = cells[serial_col]
        if type(raw_serial) in (int, float) and raw_serial > 0 and texts[name_col]:
            return RowKind.PROJECT, f"{texts[serial_col]} {texts[name_col]}"
    cells = texts
    if not any(t and t not in ("", " ") for t in texts):
        return RowKind.BLANK, ""
    label = _row_label(texts, columns)
    compact = label.replace(" ", "")
    first = next((t for t in texts if t), "")
    if _FOOTNOTE.match(first) or _FOOTNOTE.match(compact):
        return RowKind.FOOTNOTE, first
    serial = texts[serial_col] if serial_col is not None and serial_col < len(texts) else ""
    name = texts[name_col] if name_col is not None and name_col < len(texts) else ""
    if _TOTAL.match(compact) or _TOTAL.match(serial.replace(" ", "")) or _TOTAL.match(name.replace(" ", "")):
        return RowKind.TOTAL, label
    if _SUBTOTAL.search(name.replace(" ", "")) or _SUBTOTAL.match(serial.replace(" ", "")) or compact.startswith("其中"):
        return RowKind.SUBTOTAL, label
    serial_plain, _markers = strip_markers(serial)
    if serial_plain and _GROUP_NUMBER.match(serial_plain) and not serial_plain.isdigit():
        return RowKind.GROUP, label
    if not serial_plain and name and (sheet_rows.GROUP_LABEL.match(name) and _GROUP_NUMBER.match(name).end() < len(name)):
        return RowKind.GROUP, label
    if not serial_plain and name and _COUNT_SUFFIX.search(name) and not _has_amounts(cells, sheet_unit_columns):
        return RowKind.GROUP, label
    if not serial_plain.replace(".", "").isdigit():
        # A label with a bracketed count over subtotals, in whichever column: "县重点项目（9项）" is a
        # breakdown line, "兰山区（2项）" a region's group; neither is a project.
        counted = next((t for i, t in enumerate(texts) if t and i not in sheet_unit_columns
                        and _BRACKETED_COUNT.search(t)), None)
        if counted is not None and _has_amounts(cells, sheet_unit_columns):
            if _REGION_GROUP.match(group_text(counted)):
                return RowKind.GROUP, counted
            return RowKind.SUBTOTAL, counted
        # A row that is nothing but a region's name ("市本级", "市直单位", "罗庄区") is a group.
        filled = [t for t in texts if t]
        if len(filled) == 1 and _REGION_GROUP.match(group_text(filled[0])) and not _has_amounts(cells, sheet_unit_columns):
            return RowKind.GROUP, filled[0]
    if not name and not serial_plain.replace(".", "").isdigit() and _COUNT_SUFFIX.search(compact):
        return RowKind.GROUP, label  # "预备重点项目（10项）" in the label column
    if name:
        return RowKind.PROJECT, label
    if all(_zero(t) for t in texts):
        return RowKind.BLANK, ""  # an empty template line with 0.0 in its formula columns
    if len([t for t in texts if t]) == 1 and not _has_amounts(cells, sheet_unit_columns):
        return RowKind.FOOTNOTE, first
    if not serial_plain and _has_amounts(cells, sheet_unit_columns):
        return RowKind.DETAIL, label  # a line under the project above (资金来源 …)
    return RowKind.PROJECT, label


_POSITIONS: dict = {}


def _positions(columns: list[ColumnMap]) -> tuple[int | None, int | None]:
    """(序号 column, name column) of a mapping, worked out once per mapping."""
    key = (id(columns), len(columns), tuple(c.field for c in columns))
    if key not in _POSITIONS:
        if len(_POSITIONS) > 100:
            _POSITIONS.clear()
        _POSITIONS[key] = (next((c.index for c in columns if c.field == F.SERIAL), None),
                           next((c.index for c in columns if c.field == F.NAME), None))
    return _POSITIONS[key]


def _zero(text: str) -> bool:
    if text in BLANKS:
        return True
    try:
        return float(text.replace(",", "")) == 0
    except ValueError:
        return False


def _has_amounts(texts: list, money_columns: dict) -> bool:
    """Whether any money cell holds something (`texts`: the row's normalized cells)."""
    for index in money_columns:
        if index < len(texts) and texts[index] not in BLANKS:
            return True
    return False


def group_text(label: str) -> str:
    """"一、市本级（48项）" → "市本级"; "（一）在建（11项）" → "在建"; "龙海市合计14个" → "龙海市"."""
    text = normalize_text(label).replace(" ", "")
    text = _GROUP_NUMBER.sub("", text, count=1)
    text = _COUNT_SUFFIX.sub("", text)
    text = re.sub(r"(?:合计|小计)$", "", text)
    text = re.sub(r"^其中[:：]?", "", text)
    return text.strip("、.．:：")


def _group_depth(label: str) -> int:
    match = _GROUP_NUMBER.match(normalize_text(label))
    if match is None:
        return 1
    return 2 if match.group(1) else 1


_REGION_LIKE = re.compile(r"(?:省|市|区|县|旗|镇|乡|街道|本级)$")
_OWN_LEVEL = {"市本级": (RegionLevel.CITY,), "市直": (RegionLevel.CITY,), "省本级": (RegionLevel.PROVINCE,),
              "省直": (RegionLevel.PROVINCE,),
              "县本级": (RegionLevel.COUNTY, RegionLevel.DISTRICT), "区本级": (RegionLevel.DISTRICT, RegionLevel.COUNTY),
              "本级": None}
_OWN_TAIL = re.compile(r"(?:单位|部门|项目)$")
REGION_REASON = "region_reason"  # row.context key: why the group above gives its rows no region


def _group_context(text: str, dicts: Dictionaries, default: Region | None = None, title: str = "") -> tuple[dict, str]:
    """What a group label tells the rows under it: {field: value}, or a warning."""
    if not text:
        return {}, ""
    own = _OWN_TAIL.sub("", text) if text.startswith(("市直", "省直")) else text
    if own in _OWN_LEVEL:
        # "市本级" / "市直" is the city itself: the default region, else the user's own, when it is a city;
        # else the city the title names, else the one city in the user's scope.
        levels = _OWN_LEVEL[own]
        for region in (default, dicts.root_region()):
            if region is not None and (levels is None or region.level in levels):
                return {F.REGION: region}, ""
        reason = _("分组“%(label)s”对应的区域无法确定，请在“默认值”中选择区域") % {"label": text}
        if levels == (RegionLevel.CITY,):
            city, why = dicts.own_city(title)
            if city is not None:
                return {F.REGION: city}, ""
            reason = _("分组“%(label)s”：%(why)s") % {"label": text, "why": why}
        return {F.REGION: None, REGION_REASON: reason}, reason
    region, _reason = dicts.region(text)
    if region is not None:
        return {F.REGION: region}, ""
    found = {}
    for kind, name in ((DictionaryKind.STAGE, F.STAGE), (DictionaryKind.CATEGORY, F.CATEGORY),
                       (DictionaryKind.LEVEL, F.LEVEL)):
        value = dicts.lookup(kind, text)
        if value is not None:
            found[name] = value
            break
    if found:
        return found, ""
    # A label that looks like a region name but is none of ours: its rows get no region from the
    # user's own one (F.REGION: None), only from a default the user chooses.
    if _REGION_LIKE.search(text):
        reason = _("分组“%(label)s”不是系统中的区域，其下项目无法确定所属区域（可在“默认值”中选择区域）") % {"label": text}
        return {F.REGION: None, REGION_REASON: reason}, _("分组“%(label)s”不是已知的区域、阶段、类别或级别，其下项目不据此设置") % {"label": text}
    return {}, _("分组“%(label)s”不是已知的区域、阶段、类别或级别，其下项目不据此设置") % {"label": text}


def _read_rows(analysis: Analysis, sheet, header, dicts: Dictionaries, epoch_1904: bool, *, csv: bool = False) -> None:
    """Classify and parse the rows under the header. In a CSV a text cell that begins with "'" loses
    that one quote: spreadsheets (and Tuijin's export) put it before text that could run as a formula."""
    columns = analysis.columns
    money = {c.index: UNITS[analysis.units[c.index]] for c in columns if c.field in MONEY_FIELDS}
    # Columns whose parsers read the normalized text; the others parse the raw cell.
    mapped = {c.index for c in columns if c.field in _READS_TEXT}
    handlers = _handlers(analysis)
    normalized = _Normalized()
    stack: list[tuple[int, dict]] = []  # (depth, context) of the open groups
    footnotes = False
    for offset, cells in enumerate(sheet.rows[header.bottom + 1:], start=header.bottom + 2):
        cells = list(cells)
        if csv:
            cells = [c[1:] if isinstance(c, str) and c.startswith("'") else c for c in cells]
        # Cells of imported columns through normalize_text (each distinct text once: a ledger repeats
        # its regions, dictionary words, periods and contacts thousands of times); the others only as
        # far as telling blank from not (thousands of rows × columns add up).
        texts = [(normalized[v] if type(v) is str else normalize_text(v)) if i in mapped
                 else (v.strip() if type(v) is str else _cheap_text(v)) for i, v in enumerate(cells)]
        kind, label = classify(cells, columns, money, texts)
        if footnotes and kind in (RowKind.PROJECT, RowKind.GROUP) and not _has_amounts(texts, money):
            kind = RowKind.FOOTNOTE  # the numbered lines of a note ("1、项目性质：…")
        previous = next((r for r in reversed(analysis.rows) if r.kind != RowKind.BLANK), None)
        if kind == RowKind.GROUP and previous is not None and previous.kind == RowKind.SUBTOTAL \
                and not _GROUP_NUMBER.match(label) and previous.label.replace(" ", "").startswith("其中"):
            kind = RowKind.SUBTOTAL  # "其中：在建重点项目（90项）" then "预备重点项目（10项）"
        row = Row(offset, kind, label)
        analysis.rows.append(row)
        if kind == RowKind.BLANK:
            continue
        if kind == RowKind.DETAIL:
            analysis.rows_read += 1
            row.warnings.append(Issue(analysis.sheet, offset, "", _("没有项目名称和序号，视为上一项目的明细行，未导入")))
            continue
        analysis.rows_read += 1
        if kind == RowKind.FOOTNOTE:
            footnotes = True
            continue
        if kind in (RowKind.GROUP, RowKind.SUBTOTAL):
            text = group_text(label)
            compact = label.replace(" ", "")
            if kind == RowKind.SUBTOTAL and (compact.startswith(("其中", "小计")) or "合计" not in compact or not text):
                continue  # a breakdown line ("其中：在建…", "预备重点项目（10项）"), no group of its own
            context, warning = _group_context(text, dicts, analysis.defaults.get(F.REGION), analysis.title)
            depth = _group_depth(label) if kind == RowKind.GROUP else 1
            while stack and stack[-1][0] >= depth:
                stack.pop()
            stack.append((depth, context))
            if warning:
                row.warnings.append(Issue(analysis.sheet, offset, "", warning))
            continue
        if kind == RowKind.TOTAL:
            row.values = _money_values(analysis, cells, money, row, quiet=True)
            continue
        for _depth, context in stack:
            row.context.update(context)
        _parse_project_row(analysis, row, cells, dicts, money, epoch_1904, texts, handlers)


class _Normalized(dict):
    """normalize_text of text cells, remembered per text. (Only text: 1, 1.0 and True are equal keys
    with different texts.)"""

    def __missing__(self, text: str) -> str:
        self[text] = normalize_text(text)
        return self[text]


def _cheap_text(value) -> str:
    """Enough of a cell to tell blank from not, zero from not, and a footnote's first words."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if type(value) in (int, float):
        return str(value)
    return normalize_text(value)


def _money_values(analysis: Analysis, cells, money: dict, row: Row, *, quiet: bool = False) -> dict:
    values = {}
    for column in analysis.columns:
        if column.index not in money or column.index >= len(cells):
            continue
        try:
            values[column.field] = parse_amount(cells[column.index], money[column.index])
        except ValidationError as exc:
            if not quiet:
                row.errors.append(Issue(analysis.sheet, row.number, column.label, exc.messages[0], column.letter))
    return values


def _split(value) -> list[str]:
    return [part.strip() for part in _SPLIT.split(str(value)) if part.strip()]


class _Cell:
    """What a column handler needs besides the cell: the row being filled and the lookups."""

    __slots__ = ("analysis", "row", "values", "dicts", "money", "epoch_1904", "remarks", "error")

    def __init__(self, analysis, row, dicts, money, epoch_1904, remarks, error):
        self.analysis, self.row, self.values, self.dicts = analysis, row, row.values, dicts
        self.money, self.epoch_1904, self.remarks, self.error = money, epoch_1904, remarks, error


def _as_written(raw, text: str) -> str:
    """Names of units and people keep their own forms (full-width brackets), in one line."""
    return " ".join(_CONTROL_CHARS.sub("", raw).split()) if isinstance(raw, str) else text


def _money(c: _Cell, column, raw, text):
    c.values[column.field] = parse_amount(raw, c.money[column.index])


def _monthly(c: _Cell, column, raw, text):
    """One month of the annual plan's monthly breakdown; build_plan turns the months into the
    cumulative plan (AnnualPlan.monthly_plan)."""
    amount = parse_amount(raw, c.money[column.index])
    if amount is None:
        return
    month, cumulative = plan_month(column.label) or (None, False)
    if month is not None:
        c.values.setdefault(F.MONTHLY_PLAN, {})[month] = (amount, cumulative)


def _serial(c: _Cell, column, raw, text):
    _serial_text, markers = strip_markers(text)
    c.row.markers += markers


def _name(c: _Cell, column, raw, text):
    original = str(raw if raw is not None else "")
    clean, markers = strip_markers(" ".join(_CONTROL_CHARS.sub("", original).split()))
    c.row.markers += markers
    c.values[F.NAME] = clean


def _code(c: _Cell, column, raw, text):
    c.values[F.CODE] = text.replace(" ", "")


def _plain(c: _Cell, column, raw, text):
    c.values[column.field] = text


def _long_text(c: _Cell, column, raw, text):
    c.values[column.field] = raw.strip() if isinstance(raw, str) else text


def _remarks(c: _Cell, column, raw, text):
    c.remarks.append(raw.strip() if isinstance(raw, str) else text)


# The same few periods, leader and unit lists fill thousands of rows: each cell value is parsed once
# (typed: 2010 and 2010.0 are equal keys but different cells; errors are not remembered).
_parse_period = lru_cache(maxsize=4096, typed=True)(parse_period)


def _period(c: _Cell, column, raw, text):
    c.values[F.START_YEAR], c.values[F.END_YEAR] = _parse_period(raw)


def _year(c: _Cell, column, raw, text):
    year, _end = _parse_period(raw)
    if year is not None:
        c.values[column.field] = year


def _date(c: _Cell, column, raw, text):
    c.values[column.field] = parse_date(raw, epoch_1904=c.epoch_1904)


def _land(c: _Cell, column, raw, text):
    c.values[F.LAND_AREA] = _decimal(text)


def _region(c: _Cell, column, raw, text):
    region, reason = c.dicts.region(text)
    if region is None:
        c.error(column, reason)
    else:
        c.values[F.REGION] = region  # from 区划代码 too: a code wins over a name (it comes later)


def _dictionary(c: _Cell, column, raw, text):
    name = column.field
    value = c.dicts.lookup(name, text)
    c.values[f"{name}_text"] = text
    other = {F.NATURE: F.STAGE, F.STAGE: F.NATURE}.get(name)
    if value is not None:
        c.values[name] = value
    elif other is None or c.dicts.lookup(other, text) is None:
        c.error(column, _("“%(value)s”不是有效的%(field)s（可在系统管理中添加同义词）")
                % {"value": text, "field": F(name).label})


def _programs(c: _Cell, column, raw, text):
    found = []
    for part in _split(text):
        program = c.dicts.lookup(DictionaryKind.PROGRAM, part)
        if program is None:
            c.error(column, _("“%(value)s”不是有效的专项行动") % {"value": part})
        else:
            found.append(program)
    c.values[F.PROGRAMS] = found


def _unit(c: _Cell, column, raw, text):
    unit_name = _as_written(raw, text)
    if column.field == F.OWNER and ("负责人" in column.label or "责任人" in column.label):
        match = _PERSON_TAIL.match(unit_name)
        if match and len(match.group(1)) >= 4:
            unit_name, person = match.group(1).strip(), match.group(2)
            c.values.setdefault(F.OWNER_CONTACT, person)
    c.values[column.field] = unit_name[:100]


def _responsible(c: _Cell, column, raw, text):
    units = c.values.setdefault(F.RESPONSIBLE_UNITS, [])
    units += [part[:100] for part in _unit_names(raw, text) if part not in units]


@lru_cache(maxsize=4096)
def _unit_names(raw, text: str) -> tuple[str, ...]:
    return tuple(_split(_as_written(raw, text)))


def _leaders(c: _Cell, column, raw, text):
    people = c.values.setdefault(F.LEADERS, [])  # (name, title, role), first role wins
    for person in _people(raw, text):
        if person[0] not in [p[0] for p in people]:
            people.append((*person, LEADER_FIELDS[column.field]))


@lru_cache(maxsize=4096)
def _people(raw, text: str) -> tuple[tuple[str, str], ...]:
    """(name, title) of each person a cell names: "张三（副市长）、李四"."""
    people = []
    for part in _split(_as_written(raw, text)):
        match = _LEADER_TITLE.match(part)
        people.append((match.group(1), match.group(2)) if match else (part, ""))
    return tuple(people)


_READS_TEXT = frozenset({F.SERIAL, F.NAME, F.CODE, F.STATS_CODE, F.OWNER_CONTACT, F.OWNER_PHONE, F.LAND_AREA,
                         F.REGION, F.REGION_CODE, F.LEVEL, F.CATEGORY, F.NATURE, F.STAGE, F.PROGRAMS})

_HANDLERS = {
    **{name: _money for name in MONEY_FIELDS},
    F.MONTHLY_PLAN: _monthly,
    F.SERIAL: _serial, F.NAME: _name, F.CODE: _code,
    F.STATS_CODE: _plain, F.OWNER_CONTACT: _plain, F.OWNER_PHONE: _plain,
    F.ADDRESS: _long_text, F.SCALE: _long_text, F.CONSTRUCTION_GOAL: _long_text, F.REMARKS: _remarks,
    F.PERIOD: _period, F.START_YEAR: _year, F.END_YEAR: _year, F.YEAR_LISTED: _year,
    F.PLANNED_START: _date, F.PLANNED_COMPLETION: _date, F.LAND_AREA: _land,
    F.REGION: _region, F.REGION_CODE: _region,
    F.LEVEL: _dictionary, F.CATEGORY: _dictionary, F.NATURE: _dictionary, F.STAGE: _dictionary,
    F.PROGRAMS: _programs, F.OWNER: _unit, F.LEAD_UNIT: _unit, F.RESPONSIBLE_UNITS: _responsible,
    **{name: _leaders for name in LEADER_FIELDS},
}


def _handlers(analysis: Analysis) -> list:
    """(column, handler) for the imported columns; 区划代码 after 所属区域, so that the code wins."""
    found = [(c, _HANDLERS[c.field]) for c in analysis.columns if c.field in _HANDLERS]
    return sorted(found, key=lambda pair: pair[0].field == F.REGION_CODE)




def _parse_project_row(analysis: Analysis, row: Row, cells: list, dicts: Dictionaries, money: dict, epoch_1904: bool,
                       texts: list[str], handlers: list):
    values = row.values

    def error(column: ColumnMap | None, message: str) -> None:
        row.errors.append(Issue(analysis.sheet, row.number, column.label if column else "", message,
                                column.letter if column else ""))

    remarks = []
    cell = _Cell(analysis, row, dicts, money, epoch_1904, remarks, error)
    for column, handler in handlers:
        index = column.index
        if index >= len(cells):
            continue
        text = texts[index]
        if text in BLANKS and handler is not _name:
            continue
        try:
            handler(cell, column, cells[index], text)
        except ValidationError as exc:
            error(column, exc.messages[0])
    if analysis.region_from_address and F.REGION not in values and values.get(F.ADDRESS):
        # No region column: 建设地点 names the region ("罗庄区", "临沂市罗庄区罗庄街道…").
        region = dicts.region_in(values[F.ADDRESS])
        if region is not None:
            values[F.REGION] = region
        elif row.context.get(F.REGION) is None and (F.REGION not in analysis.defaults or F.REGION in analysis.inferred):
            error(analysis.column(F.ADDRESS), _("建设地点“%(value)s”中没有系统中的区域名称，无法确定所属区域（可选择默认区域）")
                  % {"value": values[F.ADDRESS][:40]})
    if remarks:
        values[F.REMARKS] = "\n".join(remarks)
    if row.markers:
        note = _("原表标记：%(markers)s") % {"markers": "".join(row.markers)}
        values[F.REMARKS] = f"{values[F.REMARKS]}\n{note}" if values.get(F.REMARKS) else note
    # Lifecycle words cross over: 项目性质 "新开工" gives the stage, 项目阶段 "在建" the nature (unless a
    # group row above, such as "（一）在建", says so explicitly).
    for own, other in ((F.STAGE, F.NATURE), (F.NATURE, F.STAGE)):
        if own not in values and row.context.get(own) is None and f"{other}_text" in values:
            crossed = dicts.lookup(own, values[f"{other}_text"])
            if crossed is not None:
                values[own] = crossed
    for name in (F.LEVEL, F.CATEGORY, F.NATURE, F.STAGE):
        values.pop(f"{name}_text", None)
    if not values.get(F.NAME):
        error(analysis.column(F.NAME), _("项目名称不能为空"))


def _present(analysis: Analysis) -> set:
    fields = {c.field for c in analysis.columns}
    if F.REGION_CODE in fields:
        fields.add(F.REGION)
    return fields


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except ArithmeticError:
        raise ValidationError(_("“%(value)s”不是有效的数字") % {"value": text[:30]}) from None
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise ValidationError(_("“%(value)s”不是有效的数字") % {"value": text[:30]})
    return value.quantize(Decimal("0.01"))


# --------------------------------------------------------------------------------------- matching


def name_key(name: str) -> str:
    """A project name as matched: NFKC, no spaces or markers."""
    text, _markers = strip_markers(normalize_text(name))
    return text.replace(" ", "").lower()


def _match(analysis: Analysis, dicts: Dictionaries) -> None:
    """Fill in each project row's region and required fields, and find the project it updates."""
    rows = [r for r in analysis.project_rows if r.values.get(F.NAME)]
    for row in rows:
        for name in REQUIRED:
            if name in row.values:
                continue
            if row.context.get(name) is not None:
                row.values[name] = row.context[name]
            elif name in row.context and name in analysis.inferred:
                continue  # under a group naming an unknown region: only a default the user chose applies
            elif name in analysis.defaults:
                row.values[name] = analysis.defaults[name]
        if F.LEVEL not in row.values and F.REGION in row.values:
            row.values[F.LEVEL] = dicts.level_for(row.values[F.REGION])
            analysis.inferred.setdefault(F.LEVEL, _("表中没有级别列，按项目所在区域的层级确定（市级区域为“市重点”等）"))
    codes = {r.values[F.CODE] for r in rows if r.values.get(F.CODE)}
    by_code = {}
    if codes:
        for project in Project.objects.filter(code__in=codes, is_archived=False):
            by_code[project.code] = project
    region_ids = {r.values[F.REGION].pk for r in rows if r.values.get(F.REGION)}
    by_name: dict[tuple[int, str], list[int]] = defaultdict(list)
    if region_ids:
        for pk, name, region_id in Project.objects.filter(region_id__in=region_ids, is_archived=False).values_list(
            "id", "name", "region_id"
        ):
            by_name[(region_id, name_key(name))].append(pk)
    # Each row's (region id, name key), worked out once: the rows are matched by it twice.
    keys = []
    for row in rows:
        region = row.values.get(F.REGION)
        keys.append((region.pk if region else None, name_key(row.values[F.NAME])))
    wanted = {pks[0] for key in keys if key[0] is not None for pks in [by_name.get(key, [])] if len(pks) == 1}
    by_pk = {p.pk: p for p in Project.objects.filter(pk__in=wanted)} if wanted else {}
    seen_code: dict[str, int] = {}
    seen_name: dict[tuple, int] = {}
    column_code = analysis.column(F.CODE)
    for row, key in zip(rows, keys, strict=True):
        values = row.values
        code = values.get(F.CODE)
        region = values.get(F.REGION)
        if code and code in seen_code:
            row.errors.append(Issue(analysis.sheet, row.number, column_code.label if column_code else "",
                                    _("与第%(row)s行的项目代码相同（同一文件中项目重复）") % {"row": seen_code[code]},
                                    column_code.letter if column_code else ""))
            continue
        if key in seen_name and region is not None:
            column = analysis.column(F.NAME)
            row.errors.append(Issue(analysis.sheet, row.number, column.label, _("与第%(row)s行是同一区域的同名项目（同一文件中项目重复）")
                                    % {"row": seen_name[key]}, column.letter))
            continue
        if code:
            seen_code[code] = row.number
        seen_name[key] = row.number
        project = by_code.get(code) if code else None
        if project is None and region is not None:
            pks = by_name.get((region.pk, key[1]), [])
            if len(pks) > 1:
                column = analysis.column(F.NAME)
                row.errors.append(Issue(analysis.sheet, row.number, column.label,
                                        _("系统中“%(region)s”有多个同名项目，请填写项目代码以区分") % {"region": region.name},
                                        column.letter))
                continue
            project = by_pk.get(pks[0]) if pks else None
        row.project = project
        row.action = "update" if project is not None else "create"


# ------------------------------------------------------------------------------------- validation


_CHAR_LIMITS = {name: Project._meta.get_field(name).max_length
                for name in ("name", "code", "stats_code", "address", "owner_contact", "owner_phone")}


def _validate(analysis: Analysis) -> None:
    """Every project row through the edit form's rules (projects.services.project_rules) and the
    annual plan's, with what they need from the database read in bulk."""
    rows = [r for r in analysis.project_rows if r.values.get(F.NAME) and r.action]
    present = _present(analysis)
    missing_everywhere = [name for name in REQUIRED if name not in present and name not in analysis.defaults]
    for name in missing_everywhere:
        if not any(name in r.values or name in r.context for r in rows):
            analysis.missing.append(name)
            if name == F.REGION:
                message = _("表中没有区域列（所属区域、所属县区等），分组行也没有指明区域：请选择默认区域（命令行："
                            "--default region=区划代码），不会把整个文件记到上级区域")
            else:
                message = _("表中没有“%(field)s”列，请在“默认值”中选择%(field)s，或在列对应中指定") % {"field": F(name).label}
            analysis.errors.append(Issue(analysis.sheet, None, str(F(name).label), message))
    existing_ids = [r.project.pk for r in rows if r.project is not None]
    plans: dict[int, list] = defaultdict(list)
    if existing_ids:
        for plan in AnnualPlan.objects.filter(project_id__in=existing_ids).order_by("year"):
            plans[plan.project_id].append(plan)
    code_owner = {}
    codes = [r.values[F.CODE] for r in rows if r.values.get(F.CODE)]
    if codes:
        code_owner = dict(Project.objects.filter(code__in=codes, is_archived=False).values_list("code", "id"))
    scoped = analysis.user is not None
    editable_ids = set()
    if scoped and existing_ids:
        editable_ids = set(Project.objects.editable_by(analysis.user).filter(pk__in=existing_ids).values_list("id", flat=True))
    code_field = Project._meta.get_field("code")
    today = timezone.localdate()
    required = [(name, analysis.column(name)) for name in REQUIRED if name not in analysis.missing]
    total_column = analysis.column(F.TOTAL_INVESTMENT)

    def unreadable(row: Row, column: ColumnMap | None) -> bool:
        """Whether the row's cell in `column` is there but unreadable (and has said so already)."""
        return column is not None and any(e.letter == column.letter for e in row.errors)

    for row in rows:
        values = row.values

        def error(name: str, message: str, row=row) -> None:
            column = analysis.column(name) or (analysis.column(F.PERIOD) if name in (F.START_YEAR, F.END_YEAR) else None)
            row.errors.append(Issue(analysis.sheet, row.number, column.label if column else str(F(name).label) if name in F.values else "",
                                    message, column.letter if column else ""))

        for name, column in required:
            if values.get(name) is None and (row.action == "create" or name == F.REGION) and not unreadable(row, column):
                if name == F.REGION and row.context.get(REGION_REASON):
                    error(name, row.context[REGION_REASON])  # the group row above names no region we know
                else:
                    error(name, _("缺少%(field)s") % {"field": F(name).label})
        if values.get(F.TOTAL_INVESTMENT) is None and row.action == "create" and not unreadable(row, total_column):
            error(F.TOTAL_INVESTMENT, _("总投资不能为空"))  # (an unreadable amount has its own message)
        for name, limit in _CHAR_LIMITS.items():
            if len(values.get(name) or "") > limit:
                error(name, _("不能超过%(limit)s个字（现有%(n)s个）") % {"limit": limit, "n": len(values[name])})
        if values.get(F.CODE):
            try:
                code_field.run_validators(values[F.CODE])
            except ValidationError as exc:
                error(F.CODE, exc.messages[0])
            owner = code_owner.get(values[F.CODE])
            if owner is not None and (row.project is None or owner != row.project.pk):
                error(F.CODE, _("项目代码 %(code)s 已被系统中另一个项目使用") % {"code": values[F.CODE]})
        region = values.get(F.REGION)
        if region is not None and scoped:
            if not _region_editable(analysis, region):
                error(F.REGION, _("“%(region)s”不在您的管辖范围内，不能导入该区域的项目") % {"region": region.name})
        if row.project is not None and scoped and row.project.pk not in editable_ids:
            error(F.NAME, _("该项目已在系统中，但不在您的管辖范围内"))
        if values.get(F.YEAR_LISTED) is not None and not 2000 <= values[F.YEAR_LISTED] <= 2100:
            error(F.YEAR_LISTED, _("年份%(year)s超出范围（2000–2100）") % {"year": values[F.YEAR_LISTED]})
        for name in (F.START_YEAR, F.END_YEAR):
            year = values.get(name)
            if year is not None and not 1990 <= year <= 2100:
                error(name, _("年份%(year)s超出范围（1990–2100）") % {"year": year})
        if row.errors:
            continue
        project = build_project(row, analysis)
        plan_rows = [(p.year, p.planned_investment, p.completed_before) for p in plans.get(project.pk, []) if p.year != analysis.year]
        plan = build_plan(row, analysis, project, plans.get(project.pk, []))
        if plan is not None:
            plan_rows.append((plan.year, plan.planned_investment, plan.completed_before))
            plan_rows.sort()
        for name, messages in project_rules(project, plans=plan_rows, today=today).items():
            for message in messages:
                error(name, message)
        if plan is not None:
            for name, messages in annual_plan_rules(plan, project.total_investment).items():
                target = {"planned_investment": F.PLAN_INVESTMENT, "completed_before": F.COMPLETED_BEFORE,
                          "monthly_plan": F.MONTHLY_PLAN}.get(name, name)
                for message in messages:
                    error(target, message)
        row.built = (project, plan)


def _region_editable(analysis: Analysis, region: Region) -> bool:
    paths = analysis.editable_paths
    if paths is None:
        return True
    if region.pk not in analysis.editable_regions:
        analysis.editable_regions[region.pk] = any(region.path.startswith(p) for p in paths)
    return analysis.editable_regions[region.pk]


PROJECT_VALUE_FIELDS = (
    F.YEAR_LISTED, F.CODE, F.STATS_CODE, F.NAME, F.ADDRESS, F.SCALE, F.START_YEAR, F.END_YEAR, F.PLANNED_START,
    F.PLANNED_COMPLETION, F.TOTAL_INVESTMENT, F.OWNER_CONTACT, F.OWNER_PHONE, F.LAND_AREA, F.REMARKS,
)
PROJECT_FK_FIELDS = (F.REGION, F.LEVEL, F.CATEGORY, F.NATURE, F.STAGE)
_FK_ATTNAMES = [(name, f"{name}_id") for name in PROJECT_FK_FIELDS]


class _Record:
    """A new row to insert: its attributes are its columns (attname → value), and `vars(record)` is the
    {attname: value} dict tuijin.core.bulk.create_rows takes. The edit form's rules (project_rules,
    annual_plan_rules) read it like a model instance. Ten thousand model instances cost more than
    validating and writing their rows; plain attributes (no __getattr__) keep the rules' reads cheap."""

    def __init__(self, values: dict):
        self.__dict__.update(values)

    @property
    def pk(self):
        return self.__dict__.get("id")


_BLANKS: dict = {}


def _blank(model) -> _Record:
    """A new row of `model` with every field at its default."""
    if model not in _BLANKS:
        fields = model._meta.concrete_fields
        fixed = {f.attname: None if f.primary_key else f.get_default() for f in fields}
        fresh = [f for f in fields if f.has_default() and callable(f.default)]  # one each
        _BLANKS[model] = (fixed, fresh)
    fixed, fresh = _BLANKS[model]
    record = _Record(fixed)
    for model_field in fresh:
        setattr(record, model_field.attname, model_field.get_default())
    return record


def build_project(row: Row, analysis: Analysis) -> Project:
    """The project as it will be saved: an unsaved copy of the existing one with the sheet's values
    over it (blank cells keep what is there), or a new one."""
    values = row.values
    if row.project is not None:
        project = Project(*[getattr(row.project, f.attname) for f in Project._meta.concrete_fields])
        project._state.adding = False
    else:
        project = _blank(Project)
        project.year_listed, project.version = analysis.year, 1
    for name in PROJECT_VALUE_FIELDS:
        value = values.get(name)
        if value is not None and value != "":
            setattr(project, name, value)
    for name, attname in _FK_ATTNAMES:
        value = values.get(name)
        if value is not None:
            setattr(project, attname, value.pk)
    return project


def build_plan(row: Row, analysis: Analysis, project: Project, existing: list) -> AnnualPlan | None:
    values = row.values
    given = [values.get(F.PLAN_INVESTMENT), values.get(F.COMPLETED_BEFORE), values.get(F.CONSTRUCTION_GOAL),
             values.get(F.MONTHLY_PLAN)]
    if all(v in (None, "") for v in given):
        return None
    plan = next((p for p in existing if p.year == analysis.year), None)
    if plan is None:
        plan = _blank(AnnualPlan)
        plan.year, plan.planned_investment, plan.completed_before, plan.version = analysis.year, ZERO, ZERO, 1
    else:
        plan = AnnualPlan(*[getattr(plan, f.attname) for f in AnnualPlan._meta.concrete_fields])
        plan._state.adding = False
    plan.project = project
    if values.get(F.PLAN_INVESTMENT) is not None:
        plan.planned_investment = values[F.PLAN_INVESTMENT]
    if values.get(F.COMPLETED_BEFORE) is not None:
        plan.completed_before = values[F.COMPLETED_BEFORE]
    if values.get(F.CONSTRUCTION_GOAL):
        plan.construction_goal = values[F.CONSTRUCTION_GOAL]
    if values.get(F.MONTHLY_PLAN):
        plan.monthly_plan = cumulative_plan(values[F.MONTHLY_PLAN])
    return plan


def cumulative_plan(months: dict[int, tuple[Decimal, bool]]) -> list[str]:
    """The twelve cumulative amounts from a sheet's month columns: amounts per month are added up,
    cumulative ones ("1-3月累计计划") taken as they are. Months missing leave the list short, which the
    annual plan's rules report ("月度累计计划须有12个月的数值")."""
    plan, running = [], ZERO
    for month in range(1, 13):
        if month not in months:
            return plan
        amount, cumulative = months[month]
        running = amount if cumulative else running + amount
        plan.append(f"{running:.2f}")
    return plan


# ---------------------------------------------------------------------------------- reconciliation


def _reconcile(analysis: Analysis) -> None:
    """The 合计 row against the sum of the project rows, for each money column and the count."""
    total_row = next((r for r in analysis.rows if r.kind == RowKind.TOTAL), None)
    if total_row is None:
        return
    projects = analysis.project_rows
    for column in analysis.columns:
        if column.field not in MONEY_FIELDS or column.field == F.MONTHLY_PLAN:
            continue
        stated = total_row.values.get(column.field)
        if stated is None:
            continue
        summed = sum((r.values.get(column.field) or ZERO for r in projects), ZERO)
        analysis.reconciliation.append({
            "column": column.label, "letter": column.letter, "row": total_row.number,
            "stated": stated, "sum": summed, "difference": summed - stated, "ok": summed == stated,
        })
    match = re.search(r"(\d+)\s*(?:项|个)", total_row.label)
    if match:
        stated_count = int(match.group(1))
        analysis.reconciliation.append({
            "column": _("项目个数"), "letter": "", "row": total_row.number, "stated": stated_count,
            "sum": len(projects), "difference": len(projects) - stated_count, "ok": stated_count == len(projects),
        })


TOTAL_MISMATCH, CREATE_NEW = "total_mismatch", "create_new"
SHOWN_NAMES = 20


def _names(names: list[str]) -> str:
    shown = "、".join(names[:SHOWN_NAMES])
    return shown + (_("等%(n)s个") % {"n": len(names)} if len(names) > SHOWN_NAMES else "")


def _needs(analysis: Analysis, *, accept_total_mismatch: bool, create_new: bool) -> None:
    """What the user must confirm before the file is written: a 合计 row that disagrees with the rows
    read, and new units and leaders (never created unseen)."""
    differing = [item for item in analysis.reconciliation if not item["ok"]]
    if differing:
        # "比合计行少 500.00", not "相差 -500.00": a signed difference leaves the reader to guess its direction.
        parts = [(_("%(column)s：合计行 %(stated)s，逐项相加 %(sum)s，比合计行多 %(gap)s") if item["difference"] > 0
                  else _("%(column)s：合计行 %(stated)s，逐项相加 %(sum)s，比合计行少 %(gap)s"))
                 % {**{k: item[k] for k in ("column", "stated", "sum")}, "gap": abs(item["difference"])}
                 for item in differing]
        analysis.needs[TOTAL_MISMATCH] = _("合计行（第%(row)s行）与读到的项目行不一致：%(parts)s。请核对是否漏读或多读了行；确认差异无误后才能导入") % {
            "row": differing[0]["row"], "parts": "；".join(parts)}
        if accept_total_mismatch:
            analysis.confirmed.add(TOTAL_MISMATCH)
    if analysis.errors or analysis.dicts is None:
        return
    units = _UnitMaker(analysis.dicts, None)
    leaders = _LeaderMaker(analysis.dicts, None)
    region_by_id = analysis.dicts.region_by_id
    for row in analysis.project_rows:
        if row.built is None:
            continue
        values = row.values
        region = region_by_id[row.built[0].region_id]
        for name, kind in ((values.get(F.OWNER), "owner"), (values.get(F.LEAD_UNIT), "department")):
            if name:
                units.get(name, region, kind)
        for name in values.get(F.RESPONSIBLE_UNITS, ()):
            units.get(name, region, "department")
        for name, title, _role in values.get(F.LEADERS, ()):
            leaders.get(name, title)
    analysis.new_units = list(dict.fromkeys(p.obj["name"] for p in units.new.values()))
    analysis.new_leaders = list(dict.fromkeys(p.obj["name"] for p in leaders.new.values()))
    if analysis.new_units or analysis.new_leaders:
        parts = []
        if analysis.new_units:
            parts.append(_("新建单位%(n)s个：%(names)s") % {"n": len(analysis.new_units), "names": _names(analysis.new_units)})
        if analysis.new_leaders:
            parts.append(_("新建联系领导%(n)s人：%(names)s") % {"n": len(analysis.new_leaders),
                                                          "names": _names(analysis.new_leaders)})
        analysis.needs[CREATE_NEW] = _("系统中没有以下单位或领导，导入时将新建：%(parts)s。请核对名称（可能是已有单位的另一种写法）；确认后才能导入") % {
            "parts": "；".join(parts)}
        if create_new:
            analysis.confirmed.add(CREATE_NEW)


class NeedsConfirmation(ValidationError):
    """The file is valid but the user has not confirmed what Analysis.needs lists; nothing was written."""


def reconciliation_json(analysis: Analysis) -> list[dict]:
    return [{**item, **{k: str(item[k]) for k in ("stated", "sum", "difference")}} for item in analysis.reconciliation]




# ------------------------------------------------------------------------------------------- commit


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0  # invalid project rows left out (only when importing the valid rows)
    plans: int = 0
    units_created: list = field(default_factory=list)
    leaders_created: list = field(default_factory=list)
    project_ids: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)


class StaleImport(Exception):
    """Projects changed between the preview and the confirmation."""

    def __init__(self, names: list[str]):
        self.names = names
        shown = "、".join(names[:5]) + ("等" if len(names) > 5 else "")
        super().__init__(_("预览后以下项目已被他人修改：%(names)s。请重新上传或刷新预览后再确认。") % {"names": shown})


@paused_gc()
def commit(analysis: Analysis, *, valid_only: bool = False) -> ImportResult:
    """Write the analysed file in one transaction: all its project rows, or with `valid_only` the valid
    ones. Raises ValidationError when it has errors (and valid_only is not set), StaleImport when a
    project changed since the analysis; nothing is written then."""
    from django.db import connections, transaction

    from tuijin.core import events
    from tuijin.core.bulk import copy_to_history, create_rows, update_objects
    from tuijin.projects.filtersets import options_changed
    from tuijin.projects.models import ProjectLeader, ProjectResponsibleUnit
    from tuijin.projects.services import (
        ANNUAL_PLAN_CHANGED,
        PROJECT_CHANGED,
        admission_on_import,
        office_regions,
    )

    if analysis.errors or (not analysis.valid and not valid_only):
        raise ValidationError(_("文件中有错误，未导入任何数据"))
    if analysis.unconfirmed:
        raise NeedsConfirmation(" ".join(analysis.needs[kind] for kind in analysis.unconfirmed))
    rows = [r for r in analysis.project_rows if r.valid and r.built is not None]
    result = ImportResult(skipped=sum(1 for r in analysis.project_rows if not r.valid))
    if not rows:
        return result
    user = analysis.user if getattr(analysis.user, "pk", None) else None
    reason = _("台账导入：%(file)s") % {"file": analysis.filename[:80]}
    dicts = analysis.dicts or Dictionaries(analysis.user)
    now = timezone.now()
    started = last = time.perf_counter()

    def tick(phase: str) -> None:
        nonlocal last
        now_ = time.perf_counter()
        result.timings[f"write_{phase}"] = now_ - last
        last = now_

    with transaction.atomic():
        existing = {r.project.pk: r.project.version for r in rows if r.project is not None}
        if existing:
            current = {}
            for chunk in _chunks(list(existing), 5000):
                current.update(Project.objects.select_for_update().filter(pk__in=chunk).values_list("id", "version"))
            stale = [pk for pk, version in existing.items() if current.get(pk) != version]
            if stale:
                names = [r.project.name for r in rows if r.project is not None and r.project.pk in set(stale)]
                raise StaleImport(names)

        units = _UnitMaker(dicts, result)
        leaders = _LeaderMaker(dicts, result)
        for row in rows:
            project, _plan = row.built
            region = dicts.region_by_id[project.region_id]
            if row.values.get(F.OWNER):
                project.owner_id = units.get(row.values[F.OWNER], region, "owner")
            if row.values.get(F.LEAD_UNIT):
                project.lead_unit_id = units.get(row.values[F.LEAD_UNIT], region, "department")
            row.unit_ids = [units.get(name, region, "department") for name in row.values.get(F.RESPONSIBLE_UNITS, [])]
            row.leader_ids = [(leaders.get(name, title), role) for name, title, role in row.values.get(F.LEADERS, [])]
        units.save(user, reason, now)
        leaders.save(user, reason, now)
        tick("units")
        for row in rows:
            project = row.built[0]
            for name in ("owner", "lead_unit"):
                pending = getattr(project, f"{name}_id")
                if isinstance(pending, _Pending):
                    setattr(project, f"{name}_id", pending.pk)
            row.unit_ids = [u.pk if isinstance(u, _Pending) else u for u in row.unit_ids]
            row.leader_ids = [(x.pk if isinstance(x, _Pending) else x, role) for x, role in row.leader_ids]

        new = [r for r in rows if r.project is None]
        changed = [r for r in rows if r.project is not None]
        # The owner's name goes into search_text: as the sheet names it, or for owners the sheet does
        # not name (an update keeping its owner) from the database.
        owner_names = {r.built[0].owner_id: r.values[F.OWNER] for r in rows if r.values.get(F.OWNER)}
        unnamed = {r.built[0].owner_id for r in rows if r.built[0].owner_id and not r.values.get(F.OWNER)}
        for chunk in _chunks(list(unnamed), 5000):
            owner_names.update(Unit.objects.filter(pk__in=chunk).values_list("id", "name"))
        for row in rows:
            project = row.built[0]
            project.search_text = " ".join(
                p for p in (project.name, project.code, project.stats_code, owner_names.get(project.owner_id, "")) if p
            ).lower()
            project.updated_at = now
        admits = office_regions(analysis.user)
        for row in rows:
            admission_on_import(user, row.built[0], row.project, admits(row.built[0].region_id))
        creating = [r.built[0] for r in new]
        for project in creating:
            project.created_by_id = getattr(user, "pk", None)
            project.created_at = now
            project.version = 1
        tick("project_prep")
        create_rows(Project, [vars(project) for project in creating])
        tick("project_insert")
        copy_to_history(Project, [p.pk for p in creating], history_type="+", user=user, reason=reason, when=now)
        tick("project_history")
        updating = []
        for row in changed:
            project = row.built[0]
            project.version = row.project.version + 1
            updating.append(project)
        if updating:
            fields = [f.name for f in Project._meta.concrete_fields
                      if not f.primary_key and f.name not in ("created_at", "created_by", "is_archived", "archived_at",
                                                              "archive_reason", "parent", *Project.DERIVED_FIELDS)]
            update_objects(Project, updating, fields)
            copy_to_history(Project, [p.pk for p in updating], history_type="~", user=user, reason=reason, when=now)

        tick("project_update")
        _save_links(rows, user, reason, now, ProjectResponsibleUnit, ProjectLeader)
        tick("links")
        result.plans = _save_plans(rows, user, reason, now)
        tick("plans")
        # Foreign keys are checked at commit on both databases (deferred): check them here, so that a
        # broken reference fails inside this import with its own message, and the import's time
        # includes the checks (the bench rolls back, where deferred checks would never run).
        connection = connections[Project.objects.db]
        connection.check_constraints(table_names=[model._meta.db_table for model in (
            Unit, Leader, Project, Project.programs.through, ProjectResponsibleUnit, ProjectLeader, AnnualPlan)])
        tick("constraints")
        result.created, result.updated = len(new), len(changed)
        result.timings["write"] = time.perf_counter() - started
        result.project_ids = [r.built[0].pk for r in rows]

        project_ids = list(result.project_ids)
        year = analysis.year

        def after_commit():
            options_changed()
            # One event for the whole file: a subscriber (the warning engine) handles the set at once.
            events.emit(PROJECT_CHANGED, project_ids=project_ids, user=analysis.user)
            events.emit(ANNUAL_PLAN_CHANGED, project_ids=project_ids, year=year, user=analysis.user)

        transaction.on_commit(after_commit)
    return result


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _Pending:
    """A unit or leader to be created; its pk is set once saved."""

    def __init__(self, obj: dict):
        self.obj = obj

    @property
    def pk(self):
        return self.obj["id"]


class _UnitMaker:
    """Units by name: an existing one in the project's region or above it, else one elsewhere in the
    user's scope, else a new one in the project's region (created on confirmation)."""

    def __init__(self, dicts: Dictionaries, result: ImportResult):
        self.dicts, self.result = dicts, result
        self.new: dict[tuple[int, str], _Pending] = {}
        self.ancestors: dict[int, set[int]] = {}
        self.keys: dict[str, str] = {}  # name as written → _key(name)
        self.found: dict[tuple[str, int], int] = {}  # (key, region) → an existing unit's pk

    def get(self, name: str, region: Region, kind: str):
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = _key(name)
        known = self.found.get((key, region.pk))
        if known is not None:
            return known
        pk = self._existing(key, region)
        if pk is not None:
            self.found[(key, region.pk)] = pk
            return pk
        pending = self.new.get((region.pk, key))
        if pending is None:
            pending = _Pending({"name": name.strip()[:100], "region_id": region.pk, "kind": kind})
            self.new[(region.pk, key)] = pending
        return pending

    def _existing(self, key: str, region: Region) -> int | None:
        found = self.dicts.units_by_name.get(key, [])
        if found:
            ancestors = self.ancestors.get(region.pk)
            if ancestors is None:
                ancestors = self.ancestors[region.pk] = {r.pk for r in self.dicts.regions if region.path.startswith(r.path)}
            near = [pk for pk, region_id in found if region_id in ancestors]
            if near:
                return near[0]
            mine = [pk for pk, region_id in found if self.dicts.editable(self.dicts.region_by_id[region_id])]
            if mine:
                return mine[0]
        return None

    def save(self, user, reason: str, now) -> None:
        from tuijin.core.bulk import copy_to_history, create_rows

        objs = [p.obj for p in self.new.values()]
        if objs:
            for unit in objs:
                unit["created_at"] = unit["updated_at"] = now
            create_rows(Unit, objs)
            copy_to_history(Unit, [u["id"] for u in objs], history_type="+", user=user, reason=reason, when=now)
            self.result.units_created = [u["name"] for u in objs]


class _LeaderMaker:
    def __init__(self, dicts: Dictionaries, result: ImportResult):
        self.dicts, self.result = dicts, result
        self.new: dict[str, _Pending] = {}

    def get(self, name: str, title: str):
        key = _key(name)
        if key in self.dicts.leaders_by_name:
            return self.dicts.leaders_by_name[key]
        if key not in self.new:
            self.new[key] = _Pending({"name": name.strip()[:50], "title": (title or "").strip()[:100]})
        return self.new[key]

    def save(self, user, reason: str, now) -> None:
        from tuijin.core.bulk import copy_to_history, create_rows

        objs = [p.obj for p in self.new.values()]
        if objs:
            for leader in objs:
                leader["created_at"] = leader["updated_at"] = now
            create_rows(Leader, objs)
            copy_to_history(Leader, [x["id"] for x in objs], history_type="+", user=user, reason=reason, when=now)
            self.result.leaders_created = [leader["name"] for leader in objs]


def _save_links(rows, user, reason, now, ProjectResponsibleUnit, ProjectLeader) -> None:
    """Programs, responsible units and leaders: a non-empty cell replaces the project's list."""
    from django.apps import apps

    from tuijin.core.bulk import copy_to_history, create_rows, delete_rows

    through = Project.programs.through
    m2m_history = apps.get_model("projects", "HistoricalProject_programs")
    program_rows, unit_rows, leader_rows = [], [], []
    replace_programs, replace_units, replace_leaders = [], [], []
    for row in rows:
        project = row.built[0]
        if F.PROGRAMS in row.values:
            if row.project is not None:
                replace_programs.append(project.pk)
            program_rows += [through(project_id=project.pk, program_id=p.pk) for p in row.values[F.PROGRAMS]]
        if row.unit_ids:
            if row.project is not None:
                replace_units.append(project.pk)
            unit_rows += [{"project_id": project.pk, "unit_id": pk} for pk in dict.fromkeys(row.unit_ids)]
        if row.leader_ids:
            if row.project is not None:
                replace_leaders.append(project.pk)
            leader_rows += [{"project_id": project.pk, "leader_id": pk, "role": role}
                            for pk, role in dict(reversed(row.leader_ids)).items()]
    for chunk in _chunks(replace_programs, 5000):
        through.objects.filter(project_id__in=chunk).delete()
    for model, ids in ((ProjectResponsibleUnit, replace_units), (ProjectLeader, replace_leaders)):
        for chunk in _chunks(ids, 5000):
            gone = list(model.objects.filter(project_id__in=chunk).values_list("pk", flat=True))
            copy_to_history(model, gone, history_type="-", user=user, reason=reason, when=now)
            delete_rows(model, gone)
    if program_rows:
        through.objects.bulk_create(program_rows, batch_size=1000)
        project_ids = list({r.project_id for r in program_rows})
        history_ids = {}
        for chunk in _chunks(project_ids, 5000):
            history_ids.update(
                Project.history.filter(id__in=chunk).order_by("history_id").values_list("id", "history_id")
            )  # the newest history row per project wins in the dict
        if any(r.pk is None for r in program_rows):
            program_rows = list(through.objects.filter(project_id__in=project_ids))
        m2m_history.objects.bulk_create(
            [m2m_history(history_id=history_ids[r.project_id], id=r.pk, project_id=r.project_id, program_id=r.program_id)
             for r in program_rows],
            batch_size=1000,
        )
    for model, items in ((ProjectResponsibleUnit, unit_rows), (ProjectLeader, leader_rows)):
        create_rows(model, items)
        copy_to_history(model, [item["id"] for item in items], history_type="+", user=user, reason=reason, when=now)


def _save_plans(rows, user, reason, now) -> int:
    from tuijin.core.bulk import copy_to_history, create_rows, update_objects

    creating, updating = [], []
    for row in rows:
        project, plan = row.built
        if plan is None:
            continue
        plan.project_id = project.pk
        plan.updated_at = now
        if plan.pk is None:
            plan.version = 1
            plan.created_at = now
            creating.append(plan)
        else:
            plan.version += 1
            updating.append(plan)
    create_rows(AnnualPlan, [vars(plan) for plan in creating])
    copy_to_history(AnnualPlan, [p.pk for p in creating], history_type="+", user=user, reason=reason, when=now)
    if updating:
        update_objects(AnnualPlan, updating, ["planned_investment", "completed_before", "construction_goal", "monthly_plan", "version",
                                              "updated_at"])
        copy_to_history(AnnualPlan, [p.pk for p in updating], history_type="~", user=user, reason=reason, when=now)
    return len(creating) + len(updating)
