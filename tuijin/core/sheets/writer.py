"""Safe spreadsheet writing that knows no domain word: one table (title rows, a one- or two-row header,
a totals row, data rows) as .xlsx through XlsxWriter, or as .csv that Excel and WPS open as UTF-8.

Safety rules (against formula injection): a text is never a formula (xlsx: every text is a string
cell, written by `write_string` or, for the data rows, as the same inline-string XML; CSV: a text starting
with = + - @ tab or CR gets a leading `'`), numbers stay numbers (negative amounts included), and control
characters are dropped so that no export fails on pasted text.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_range

TEXT = "text"
MONEY = "money"  # two places with thousands separators
DECIMAL = "decimal"  # any other quantity shown with two places (areas…)
INTEGER = "integer"
RATE = "rate"  # a percentage to one place, as the pages show rates (97.2); the header says （%）
DATE = "date"

NUMBER_FORMATS = {MONEY: "#,##0.00", DECIMAL: "#,##0.00", INTEGER: "0", RATE: "0.0", DATE: "yyyy-mm-dd"}

A3, A4 = 8, 9  # XlsxWriter's paper sizes

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# C0 controls except tab and newline, DEL and C1 controls, lone surrogates (not encodable as UTF-8)
# and the two non-characters XML forbids.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What Excel, WPS and LibreOffice may read as the start of a formula (OWASP CSV injection, CWE-1236).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The guard's own mark: a text that already starts with it is marked too, so that a reader strips
# exactly one leading `'` from every text cell that has one and always gets the original back.
CSV_TEXT_MARK = "'"


def clean_text(value: str) -> str:
    """The text without control characters; Windows line ends become `\\n` (what a cell uses)."""
    if "\r" in value:
        value = value.replace("\r\n", "\n")
    return _CONTROL.sub("", value)


def csv_text(value: str) -> str:
    """A text cell for CSV: cleaned, and marked with `'` when a spreadsheet could run it."""
    value = clean_text(value)
    if value.startswith(FORMULA_STARTS) or value.startswith(CSV_TEXT_MARK):
        return CSV_TEXT_MARK + value
    return value


def csv_value(value) -> str:
    """Any cell value as CSV text: numbers plain (no separators, negatives stay numbers), dates ISO."""
    if value is None:
        return ""
    if type(value) is str:
        return csv_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return csv_text(str(value))


@dataclass(frozen=True)
class Column:
    """One column: its header (the lower header row), an optional group header merged over the
    consecutive columns that share it, the kind of values (for the number format), width and wrap.
    `key` is the caller's name for the column."""

    key: str
    header: str
    group: str = ""
    kind: str = TEXT
    width: float = 10
    wrap: bool = False

    @property
    def flat_header(self) -> str:
        """The header on one row (CSV): `group/header`, or the header alone."""
        return f"{self.group}/{self.header}" if self.group else self.header


@dataclass
class Table:
    """What one sheet holds. `rows` yield one value per column (str, Decimal, int, float, date or
    None); `totals` is a row shown right under the header, its first `totals_label_span` cells merged
    for the label."""

    columns: Sequence[Column]
    rows: Iterable[Sequence]
    title: str = ""
    subtitle: str = ""
    totals: Sequence | None = None
    totals_label_span: int = 1
    sheet_name: str = "Sheet1"
    freeze_columns: int = 0
    paper: int = A3  # as wide ledgers are printed; lists go on A4
    landscape: bool = True


def attachment_header(filename: str, fallback: str) -> str:
    """Content-Disposition for a download: an ASCII `filename` for old clients and the real name as
    RFC 5987 `filename*=UTF-8''…` (RFC 6266), which every current browser uses."""
    safe_fallback = re.sub(r"[^A-Za-z0-9._-]", "_", fallback) or "download"
    return f"attachment; filename=\"{safe_fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# --- xlsx ---------------------------------------------------------------------------------------------


def xlsx_bytes(table: Table, *more: Table) -> bytes:
    """The table as an .xlsx workbook; tables after the first become the workbook's next sheets."""
    out = io.BytesIO()
    write_xlsx((table, *more), out)
    return out.getvalue()


def write_xlsx(tables: Table | Sequence[Table], out, *, stream_rows: bool = True) -> int:
    """Write the table (or tables, one sheet each) as an .xlsx workbook to a binary file object; returns
    the number of data rows.

    XlsxWriter in constant_memory mode writes each row to disk as soon as the next one starts, so
    memory stays flat however many rows there are; the price is that rows must be written in order
    (each sheet is written whole before the next one starts).
    """
    tables = [tables] if isinstance(tables, Table) else list(tables)
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            # Belt and braces: even a plain write() must never turn text into a formula, number or link.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "remove_timezone": True,
        },
    )
    try:
        names: set[str] = set()
        count = 0
        for table in tables:
            count += _write_sheet(workbook, table, stream_rows, _unique_sheet_name(table.sheet_name, names))
        return count
    finally:
        workbook.close()


class _Formats:
    def __init__(self, workbook, columns: Sequence[Column]):
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        cell = {**base, "border": 1}
        self.title = workbook.add_format({**base, "font_name": "黑体", "font_size": 16, "align": "center"})
        self.subtitle = workbook.add_format({**base, "align": "left"})
        self.header = workbook.add_format(
            {**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#D9E1F2"}
        )
        self.totals_label = workbook.add_format({**cell, "bold": True, "align": "center"})
        by_style: dict[tuple, object] = {}
        self.cells = []
        self.totals = []
        for column in columns:
            style = (column.kind, column.wrap)
            if style not in by_style:
                props = {**cell, "text_wrap": column.wrap}
                if column.kind in NUMBER_FORMATS:
                    props["num_format"] = NUMBER_FORMATS[column.kind]
                by_style[style] = (workbook.add_format(props), workbook.add_format({**props, "bold": True}))
            plain, bold = by_style[style]
            self.cells.append(plain)
            self.totals.append(bold)


def _write_sheet(workbook, table: Table, stream_rows: bool, sheet_name: str) -> int:
    columns = list(table.columns)
    last_col = len(columns) - 1
    sheet = workbook.add_worksheet(sheet_name)
    formats = _Formats(workbook, columns)
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
    row = 0
    if table.title:
        sheet.set_row(row, 30)
        _merged_text(sheet, row, 0, last_col, clean_text(table.title), formats.title)
        row += 1
    if table.subtitle:
        sheet.set_row(row, 18)
        _merged_text(sheet, row, 0, last_col, clean_text(table.subtitle), formats.subtitle)
        row += 1
    header_start = row
    row = _write_header(sheet, row, columns, formats.header)
    header_end = row
    if table.totals is not None:
        row = _write_totals(sheet, row, table, formats)
    write_rows = _stream_rows if stream_rows and _can_stream(sheet) else _write_rows
    count = write_rows(sheet, row, table.rows, formats.cells)
    row += count
    sheet.freeze_panes(header_end, table.freeze_columns)
    # Codes and phone numbers are text on purpose: no green "number stored as text" triangles.
    sheet.ignore_errors({"number_stored_as_text": xl_range(0, 0, max(row, 1) - 1, last_col)})
    if table.landscape:
        sheet.set_landscape()
    sheet.set_paper(table.paper)
    sheet.fit_to_pages(1, 0)  # every column on the page's width, as many pages down as the rows need
    sheet.repeat_rows(header_start, header_end - 1)
    return count


def _sheet_name(name: str) -> str:
    """What Excel accepts as a sheet name: 31 characters at most, none of []:*?/\\, no edge quote."""
    name = re.sub(r"[\[\]:*?/\\]", "_", clean_text(name))[:31].strip("'")
    return name or "Sheet1"


def _unique_sheet_name(name: str, taken: set[str]) -> str:
    """_sheet_name(name), numbered (name2, name3…) when a sheet of the workbook has it (Excel compares
    sheet names without case)."""
    base = _sheet_name(name)
    candidate, number = base, 1
    while candidate.lower() in taken:
        number += 1
        suffix = str(number)
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _merged_text(sheet, row: int, first_col: int, last_col: int, text: str, cell_format) -> None:
    if last_col > first_col:
        sheet.merge_range(row, first_col, row, last_col, "", cell_format)
    if text:
        sheet.write_string(row, first_col, text, cell_format)


def _register_merge(sheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Record a merge over cells already written.

    `merge_range` writes the first cell and then blanks row by row, which constant_memory mode cannot
    do for a range over two rows once the next column's top cell follows. The header's cells are
    written in row order instead and the merge is recorded as `merge_range` records it.
    """
    cell_range = xl_range(first_row, first_col, last_row, last_col)
    for r in range(first_row, last_row + 1):
        for c in range(first_col, last_col + 1):
            sheet.merged_cells[(r, c)] = cell_range
    sheet.merge.append([first_row, first_col, last_row, last_col])


def _write_header(sheet, row: int, columns: list[Column], header_format) -> int:
    """One header row, or two when some columns have a group header: the group is merged across its
    columns in the upper row, and a column without a group spans both rows."""
    if not any(c.group for c in columns):
        sheet.set_row(row, 30)
        for col, column in enumerate(columns):
            sheet.write_string(row, col, clean_text(column.header), header_format)
        return row + 1
    runs: list[tuple[int, int, str]] = []  # (first col, last col, group) of each run of one group
    for col, column in enumerate(columns):
        if column.group and runs and runs[-1][2] == column.group and runs[-1][1] == col - 1:
            runs[-1] = (runs[-1][0], col, column.group)
        elif column.group:
            runs.append((col, col, column.group))
    group_start = {first: (last, group) for first, last, group in runs}
    in_group = {col for first, last, _ in runs for col in range(first, last + 1)}
    upper, lower = row, row + 1
    sheet.set_row(upper, 22)
    sheet.set_row(lower, 36)
    for col, column in enumerate(columns):
        if col in group_start:
            sheet.write_string(upper, col, clean_text(group_start[col][1]), header_format)
        elif col in in_group:
            sheet.write_blank(upper, col, None, header_format)
        else:
            sheet.write_string(upper, col, clean_text(column.header), header_format)
    for col, column in enumerate(columns):
        if col in in_group:
            sheet.write_string(lower, col, clean_text(column.header), header_format)
        else:
            sheet.write_blank(lower, col, None, header_format)
    for first, last, _ in runs:
        if last > first:
            _register_merge(sheet, upper, first, upper, last)
    for col in range(len(columns)):
        if col not in in_group:
            _register_merge(sheet, upper, col, lower, col)
    return lower + 1


def _write_totals(sheet, row: int, table: Table, formats: _Formats) -> int:
    values = list(table.totals)
    span = max(1, min(table.totals_label_span, len(values)))
    label = values[0]
    if span > 1:
        sheet.merge_range(row, 0, row, span - 1, "", formats.totals_label)
    write = _cell_writer(sheet)
    write(row, 0, label, formats.totals_label)
    for col in range(span, len(values)):
        write(row, col, values[col], formats.totals[col])
    return row + 1


XLSX_MAX_TEXT = 32767  # Excel's limit for one cell, in UTF-16 units


def _fit_cell(text: str) -> str:
    """Cut a text to what one cell holds (as XlsxWriter would, without splitting a character)."""
    if len(text) <= XLSX_MAX_TEXT // 2 or len(text.encode("utf-16-le")) // 2 <= XLSX_MAX_TEXT:
        return text
    length = 0
    for index, char in enumerate(text):
        length += 2 if ord(char) > 0xFFFF else 1
        if length > XLSX_MAX_TEXT:
            return text[:index]
    return text


def _finite_number(value) -> bool:
    """A number a cell can hold (not NaN, not infinite, not an integer beyond a double)."""
    if not isinstance(value, (int, float, Decimal)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _cell_writer(sheet):
    """write(row, col, value, format) through XlsxWriter's own methods: text only by write_string."""
    write_string, write_number, write_blank = sheet.write_string, sheet.write_number, sheet.write_blank
    write_datetime, write_boolean = sheet.write_datetime, sheet.write_boolean

    def write(row: int, col: int, value, cell_format) -> None:
        kind = type(value)
        if kind is str:
            text = clean_text(value)
            if text:
                write_string(row, col, _fit_cell(text), cell_format)
            else:
                write_blank(row, col, None, cell_format)
        elif value is None:
            write_blank(row, col, None, cell_format)
        elif kind is bool:
            write_boolean(row, col, value, cell_format)
        elif _finite_number(value):
            write_number(row, col, float(value), cell_format)
        elif isinstance(value, (date, datetime)):
            write_datetime(row, col, value, cell_format)
        else:
            write(row, col, str(value), cell_format)

    return write


def _write_rows(sheet, first_row: int, rows: Iterable[Sequence], cell_formats: list) -> int:
    write = _cell_writer(sheet)
    row = first_row
    for values in rows:
        for col, value in enumerate(values):
            write(row, col, value, cell_formats[col])
        row += 1
    return row - first_row


# --- the data rows' XML, streamed -----------------------------------------------------------------------
#
# Through XlsxWriter's per-cell methods 20,000 rows x 32 columns cost about 4 s, nearly all of it in
# the library's bookkeeping for each cell (a tuple stored, then turned into XML when the row is left).
# In constant_memory mode XlsxWriter writes each finished row as XML to a scratch file and copies that
# file into the sheet when the workbook closes. The data rows below write exactly that XML to that
# file themselves: the same markup, byte for byte (tests/ledgerio/test_export.py compares both ways),
# in about a fifth of the time. Text is always an inline string (`t="inlineStr"`), which no reader
# evaluates; the header, totals and everything else still go through XlsxWriter's public methods.
# Should a later XlsxWriter lack what this relies on, `_can_stream` says so and the rows go cell by cell;
# XlsxWriter is pinned exactly (pyproject.toml) and tests/sheets/test_writer_xlsxwriter.py fails when a
# new version no longer offers these internals or means something else by them.

_EXCEL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")  # a literal "_x0041_" must not read back as "A"
_STREAM_NEEDS = (
    "fh",
    "previous_row",
    "table",
    "constant_memory",
    "_write_single_row",
    "_check_dimensions",
    "_convert_date_time",
)


def _can_stream(sheet) -> bool:
    return all(hasattr(sheet, name) for name in _STREAM_NEEDS) and sheet.constant_memory


def _xml_text(text: str) -> str:
    """An inline string's XML, as XlsxWriter's write_string and _write_cell produce it."""
    text = _fit_cell(text)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F\1", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _stream_rows(sheet, first_row: int, rows: Iterable[Sequence], cell_formats: list) -> int:
    # Leave the row before as the next write() would: XlsxWriter writes it out now.
    sheet._write_single_row(first_row)
    letters = [xl_col_to_name(col) for col in range(len(cell_formats))]
    styles = [f' s="{fmt._get_xf_index()}"' if fmt is not None else "" for fmt in cell_formats]
    convert_date = sheet._convert_date_time
    write = sheet.fh.write
    row = first_row
    for values in rows:
        number = str(row + 1)
        out = [f'<row r="{number}">']
        for col, value in enumerate(values):
            head = f'<c r="{letters[col]}{number}"{styles[col]}'
            kind = type(value)
            if kind is str:
                text = clean_text(value)
                out.append(head + _xml_text(text) if text else head + "/>")
            elif value is None:
                out.append(head + "/>")
            elif kind is bool:
                out.append(f'{head} t="b"><v>{int(value)}</v></c>')
            elif _finite_number(value):
                out.append(f"{head}><v>{float(value):.16G}</v></c>")
            elif isinstance(value, (date, datetime)):
                out.append(f"{head}><v>{convert_date(value):.16G}</v></c>")
            else:
                text = clean_text(str(value))
                out.append(head + _xml_text(text) if text else head + "/>")
        out.append("</row>")
        write("".join(out))
        row += 1
    if row > first_row:
        sheet._check_dimensions(row - 1, len(cell_formats) - 1)
        sheet.previous_row = row  # nothing pending: the rows are written
    return row - first_row


# --- csv ----------------------------------------------------------------------------------------------


def csv_bytes(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a BOM (Excel and WPS otherwise guess GBK), CRLF line ends, the
    header on one row (`group/header`), the totals row under it, no title rows.

    A CSV has no merged cells and no formatting, and the readers that take one (importers, scripts,
    Excel's own "Get data") expect the header on the first line; the title and the unit live in the
    file name and in the headers ("总投资（万元）").
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_text(column.flat_header) for column in table.columns])
    if table.totals is not None:
        writer.writerow([csv_value(value) for value in table.totals])
    for values in table.rows:
        writer.writerow([csv_value(value) for value in values])
    return out.getvalue().encode("utf-8")
