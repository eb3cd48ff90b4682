"""The cell handlers: one per kind of ledger column, each turning a cell into the value of its field
(amounts, dates, periods, regions, dictionary words, units, leaders), and the parse of a project row."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tuijin.core.sheets.values import (
    BLANKS,
    parse_amount,
    parse_date,
    parse_period,
    strip_markers,
)
from tuijin.projects.location import CoordinateError, parse_coordinates, parse_degrees

from ..choices import LEADER_FIELDS, MONEY_FIELDS, DictionaryKind
from ..mapping import ColumnMap, plan_month
from .analysis import Analysis, F, Issue, Row
from .dictionaries import Dictionaries

_SPLIT = re.compile(r"[、,，;；/\n]+")


_PERSON_TAIL = re.compile(r"^(.*?)[\s,，、]+([\u4e00-\u9fff]{2,4})$")
_LEADER_TITLE = re.compile(r"^(.+?)[（(](.+?)[)）]$")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


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


def _coordinates(c: _Cell, column, raw, text):
    """坐标 / 经纬度: both halves in one cell, "118.34,35.06" (经度在前, or marked E/N, 东经/北纬)."""
    try:
        found = parse_coordinates(text)
    except CoordinateError as exc:
        raise ValidationError(str(exc)) from None
    if found is not None:
        c.values[F.LONGITUDE], c.values[F.LATITUDE] = found


def _degrees(c: _Cell, column, raw, text):
    """经度 or 纬度 in a column of its own: decimal degrees or 度分秒."""
    try:
        value = parse_degrees(text, column.field)
    except CoordinateError as exc:
        raise ValidationError(str(exc)) from None
    if value is not None:
        c.values[column.field] = value


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
                         F.COORDINATES, F.LONGITUDE, F.LATITUDE,
                         F.REGION, F.REGION_CODE, F.LEVEL, F.CATEGORY, F.NATURE, F.STAGE, F.PROGRAMS})

_HANDLERS = {
    **{name: _money for name in MONEY_FIELDS},
    F.MONTHLY_PLAN: _monthly,
    F.SERIAL: _serial, F.NAME: _name, F.CODE: _code,
    F.STATS_CODE: _plain, F.OWNER_CONTACT: _plain, F.OWNER_PHONE: _plain,
    F.ADDRESS: _long_text, F.SCALE: _long_text, F.CONSTRUCTION_GOAL: _long_text, F.REMARKS: _remarks,
    F.PERIOD: _period, F.START_YEAR: _year, F.END_YEAR: _year, F.YEAR_LISTED: _year,
    F.PLANNED_START: _date, F.PLANNED_COMPLETION: _date, F.LAND_AREA: _land,
    F.COORDINATES: _coordinates, F.LONGITUDE: _degrees, F.LATITUDE: _degrees,
    F.REGION: _region, F.REGION_CODE: _region,
    F.LEVEL: _dictionary, F.CATEGORY: _dictionary, F.NATURE: _dictionary, F.STAGE: _dictionary,
    F.PROGRAMS: _programs, F.OWNER: _unit, F.LEAD_UNIT: _unit, F.RESPONSIBLE_UNITS: _responsible,
    **{name: _leaders for name in LEADER_FIELDS},
}


def _handlers(analysis: Analysis) -> list:
    """(column, handler) for the imported columns; 区划代码 after 所属区域, so that the code wins."""
    found = [(c, _HANDLERS[c.field]) for c in analysis.columns if c.field in _HANDLERS]
    return sorted(found, key=lambda pair: pair[0].field == F.REGION_CODE)


# Handlers whose effect on a row depends on the cell alone (not on what the row holds already): a column's
# repeated cells (its regions, dictionary words, periods, contacts) are handled once and the effect copied.
_PURE = frozenset({_money, _serial, _name, _code, _plain, _long_text, _period, _year, _date, _land, _region,
                   _dictionary, _coordinates, _degrees})
_MEMO_LIMIT = 1000  # distinct cells a column remembers; one with more (names, amounts, phones) stops remembering


class _Probe:
    """A row stand-in that records what a pure handler does to it: values set, markers and errors."""

    __slots__ = ("markers", "errors", "values")

    def __init__(self):
        self.markers, self.errors, self.values = [], [], {}


def _effect(handler, cell: _Cell, column, raw, text) -> tuple:
    """(values set, markers, error messages) of a pure handler on one cell."""
    probe = _Probe()
    cell.row, cell.values, cell.error = probe, probe.values, lambda _column, message: probe.errors.append(message)
    try:
        handler(cell, column, raw, text)
    except ValidationError as exc:
        probe.errors.append(exc.messages[0])
    return tuple(cell.values.items()), tuple(probe.markers), tuple(probe.errors)


class _Handled:
    """A column with its handler, and what the handler did to each distinct cell (pure handlers only)."""

    __slots__ = ("column", "index", "handler", "skip_blanks", "memo")

    def __init__(self, column, handler):
        self.column, self.index, self.handler = column, column.index, handler
        self.skip_blanks = handler is not _name
        self.memo = {} if handler in _PURE else None

    def remember(self, probe: _Cell, raw, text) -> tuple:
        effect = _effect(self.handler, probe, self.column, raw, text)
        if len(self.memo) < _MEMO_LIMIT:
            self.memo[(type(raw), raw)] = effect
        else:
            self.memo = None  # a column of distinct cells: remembering them costs more than it saves
        return effect


def _columns(analysis: Analysis, dicts: Dictionaries, money: dict, epoch_1904: bool) -> tuple[list, _Cell]:
    """What _parse_project_row takes for a sheet: its handled columns, and the cell the pure handlers are
    tried on."""
    return ([_Handled(column, handler) for column, handler in _handlers(analysis)],
            _Cell(analysis, _Probe(), dicts, money, epoch_1904, [], None))


def _parse_project_row(analysis: Analysis, row: Row, cells: list, dicts: Dictionaries, money: dict, epoch_1904: bool,
                       texts: list[str], handled: tuple[list, _Cell]):
    """A project row's cells through the column handlers (`handled`: _columns of the sheet); a pure
    handler's effect on a cell seen before in its column is copied instead of worked out again."""
    def error(column: ColumnMap | None, message: str) -> None:
        row.errors.append(Issue(analysis.sheet, row.number, column.label if column else "", message,
                                column.letter if column else ""))

    columns, probe = handled
    values = row.values
    remarks = []
    cell = _Cell(analysis, row, dicts, money, epoch_1904, remarks, error)
    width = len(cells)
    for spec in columns:
        index = spec.index
        if index >= width:
            continue
        text = texts[index]
        if text in BLANKS and spec.skip_blanks:
            continue
        raw = cells[index]
        memo = spec.memo
        if memo is None:
            try:
                spec.handler(cell, spec.column, raw, text)
            except ValidationError as exc:
                error(spec.column, exc.messages[0])
            continue
        effect = memo.get((type(raw), raw))
        if effect is None:
            effect = spec.remember(probe, raw, text)
        changes, markers, errors = effect
        if changes:
            values.update(changes)
        if markers:
            row.markers += markers
        for message in errors:
            error(spec.column, message)
    _finish_row(analysis, row, dicts, remarks, error)


def _finish_row(analysis: Analysis, row: Row, dicts: Dictionaries, remarks: list, error) -> None:
    values = row.values
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
    for own, other in _CROSSING:
        if own not in values and row.context.get(own) is None and f"{other}_text" in values:
            crossed = dicts.lookup(own, values[f"{other}_text"])
            if crossed is not None:
                values[own] = crossed
    for name in _TEXT_KEYS:
        values.pop(name, None)
    if not values.get(F.NAME):
        error(analysis.column(F.NAME), _("项目名称不能为空"))


_CROSSING = ((F.STAGE, F.NATURE), (F.NATURE, F.STAGE))
_TEXT_KEYS = tuple(f"{name}_text" for name in (F.LEVEL, F.CATEGORY, F.NATURE, F.STAGE))


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except ArithmeticError:
        raise ValidationError(_("“%(value)s”不是有效的数字") % {"value": text[:30]}) from None
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise ValidationError(_("“%(value)s”不是有效的数字") % {"value": text[:30]})
    return value.quantize(Decimal("0.01"))
