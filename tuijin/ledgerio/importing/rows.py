"""Row classification: project, 合计, 其中/小计, group, detail, footnote or blank; the context a group row
gives the rows below it; and the loop that reads the rows under the header."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tuijin.core.sheets import rows as sheet_rows
from tuijin.core.sheets.values import (
    BLANKS,
    UNITS,
    normalize_text,
    parse_amount,
    strip_markers,
)
from tuijin.org.choices import RegionLevel
from tuijin.org.models import Region

from ..choices import MONEY_FIELDS, DictionaryKind, RowKind
from ..mapping import ColumnMap
from .analysis import Analysis, F, Issue, Row
from .cells import _READS_TEXT, _columns, _parse_project_row
from .dictionaries import Dictionaries

_CN_NUMBER = sheet_rows.CN_NUMBER
_GROUP_NUMBER = sheet_rows.GROUP_NUMBER
_COUNT_SUFFIX = sheet_rows.COUNT_SUFFIX
_TOTAL = sheet_rows.TOTAL
_SUBTOTAL = sheet_rows.SUBTOTAL
_FOOTNOTE = sheet_rows.FOOTNOTE


_REGION_GROUP = re.compile(r"^(?:市本级|市直(?:单位|部门|项目)?|省本级|省直(?:单位|部门|项目)?|县本级|区本级|本级|"
                           r"[\u4e00-\u9fff]{1,10}(?:市|区|县|旗))$")
# A count in brackets at the end of a label: "县重点项目（9项）", "兰山区（2个）".
_BRACKETED_COUNT = re.compile(r"[（(]\s*(?:共|计)?\s*\d+\s*(?:项|个)\s*[)）]\s*$")


def _text(value) -> str:
    return normalize_text(value)


def _row_label(texts: list[str], columns: list[ColumnMap]) -> str:
    """The text a non-project row is known by: its 序号 and name cells, else its first text cell."""
    wanted = [c.index for c in columns if c.field in (F.SERIAL, F.NAME)]
    parts = [texts[i] for i in wanted if i < len(texts) and texts[i]]
    if parts:
        return " ".join(parts)
    return next((t for t in texts if t), "")


def classify(cells: list, columns: list[ColumnMap], sheet_unit_columns: dict, texts: list[str] | None = None,
             positions: tuple[int | None, int | None] | None = None) -> tuple[str, str]:
    """(kind, label) of one data row (`texts`: its cells through normalize_text, if already done;
    `positions`: the mapping's (序号, name) columns, if already worked out)."""
    texts = [_text(v) for v in cells] if texts is None else texts
    serial_col, name_col = positions or _positions(columns)
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
    normalized = _Normalized()
    stack: list[tuple[int, dict]] = []  # (depth, context) of the open groups
    footnotes = False
    previous = None  # the last row read that is not blank
    handled = _columns(analysis, dicts, money, epoch_1904)
    width = 0
    as_text: list = []
    positions = _positions(columns)
    for offset, cells in enumerate(sheet.rows[header.bottom + 1:], start=header.bottom + 2):
        cells = list(cells)
        if csv:
            cells = [c[1:] if isinstance(c, str) and c.startswith("'") else c for c in cells]
        if len(cells) > width:
            width = len(cells)
            as_text = [i in mapped for i in range(width)]
        # Cells of imported columns through normalize_text (each distinct text once: a ledger repeats
        # its regions, dictionary words, periods and contacts thousands of times); the others only as
        # far as telling blank from not (thousands of rows × columns add up).
        texts = [(normalized[v] if type(v) is str else normalize_text(v)) if full
                 else (v.strip() if type(v) is str else _cheap_text(v)) for full, v in zip(as_text, cells, strict=False)]
        kind, label = classify(cells, columns, money, texts, positions)
        if footnotes and kind in (RowKind.PROJECT, RowKind.GROUP) and not _has_amounts(texts, money):
            kind = RowKind.FOOTNOTE  # the numbered lines of a note ("1、项目性质：…")
        if kind == RowKind.GROUP and previous is not None and previous.kind == RowKind.SUBTOTAL \
                and not _GROUP_NUMBER.match(label) and previous.label.replace(" ", "").startswith("其中"):
            kind = RowKind.SUBTOTAL  # "其中：在建重点项目（90项）" then "预备重点项目（10项）"
        row = Row(offset, kind, label)
        analysis.rows.append(row)
        if kind == RowKind.BLANK:
            continue
        previous = row
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
        _parse_project_row(analysis, row, cells, dicts, money, epoch_1904, texts, handled)


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
