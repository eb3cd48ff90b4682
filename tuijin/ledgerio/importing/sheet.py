"""The sheet as a whole, and `analyze()`, which runs the steps in order: choose the sheet, check its
columns, settle the plan year, the money units and the defaults; then the rows (rows.py, cells.py),
matching, validation and reconciliation. Nothing here writes."""

from __future__ import annotations

import time

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.bulk import paused_gc
from tuijin.core.sheets.headers import find_header
from tuijin.core.sheets.values import (
    year_in,
)
from tuijin.org.choices import Role
from tuijin.org.selectors import user_access

from ..choices import MONEY_FIELDS, SINGLE_FIELDS
from ..mapping import ColumnMap, SynonymIndex, map_columns
from .analysis import DEFAULTABLE, Analysis, F, ImportError_, Issue, _present
from .dictionaries import Dictionaries
from .matching import _match
from .reconcile import _needs, _reconcile
from .rows import _read_rows
from .validation import _validate


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
