"""Read an uploaded spreadsheet (.xlsx, .xls, .ods, .csv) safely into plain rows of cell values.

The real format comes from the file's bytes, not its name. Whatever calamine would trust is checked
first, because a lie in a few bytes makes it abort or hang the whole process instead of raising:
the zip package (size, member count, compression ratio, member names, entity declarations, the
shared-string count), every sheet's extent (calamine allocates rows × columns cells at once, so a
two-cell file reaching XFD1048576 asks for 550 GB), the .xls compound file and its records, and
the well-formedness of .ods content. Every failure is a ``SheetReadError`` with a short Chinese
message for the person who uploaded the file.
"""

import csv
import datetime
import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from array import array
from dataclasses import dataclass, field
from html import unescape
from xml.parsers import expat

import python_calamine
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

MB = 1024 * 1024
MAX_MEMBERS = 500
BOMB_RATIO = 100  # uncompressed : compressed, on members larger than BOMB_MIN_SIZE
BOMB_MIN_SIZE = MB

Cell = tuple[int, int]
MergedRange = tuple[Cell, Cell]


class SheetReadError(Exception):
    """The file cannot be read as a spreadsheet; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """One worksheet: rows of cell values from (0, 0), as the file lays them out.

    Values are str, int, float, bool, datetime.date, datetime.datetime, or '' / None when empty;
    rows from spreadsheets are all as wide as the widest. ``merged`` holds 0-based inclusive
    ((row, col), (row, col)) ranges, clipped to the rows present; the value sits in the first cell
    only. ``uncalculated`` lists cells that hold a formula without a cached result, or whose result
    is an error such as #DIV/0!; they read as ''.
    """

    name: str
    rows: list[list[object]]
    merged: list[MergedRange] = field(default_factory=list)
    visible: bool = True
    uncalculated: list[Cell] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)


@dataclass
class Workbook:
    """The sheets of one file; ``epoch_1904`` tells how plain serial-number dates count."""

    sheets: list[Sheet]
    format: str
    epoch_1904: bool = False

    def sheet(self, name: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)


def _mb(limit: int) -> str:
    return f"{limit / MB:g}"


def _corrupt() -> SheetReadError:
    return SheetReadError(_("文件已损坏，无法读取；请在 Excel/WPS 中打开并另存为 .xlsx 后重新上传"))


def _encrypted() -> SheetReadError:
    return SheetReadError(_("文件已加密，请在 Excel/WPS 中取消密码后重新上传"))


def _not_spreadsheet() -> SheetReadError:
    return SheetReadError(_("不是电子表格文件（.xlsx/.xls/.ods/.csv）"))


def _no_data() -> SheetReadError:
    return SheetReadError(_("文件中没有数据"))


def _unsafe_xml() -> SheetReadError:
    return SheetReadError(_("文件包含不安全的 XML 内容（实体声明），已拒绝"))


def _too_many_rows(sheet: str | None, limit: int) -> SheetReadError:
    if sheet is None:
        return SheetReadError(_("表格超过 %(limit)s 行上限，请拆分后分批上传") % {"limit": limit})
    return SheetReadError(
        _("工作表“%(sheet)s”超过 %(limit)s 行上限，请拆分后分批上传") % {"sheet": sheet, "limit": limit}
    )


def _too_many_cols(sheet: str | None, limit: int) -> SheetReadError:
    if sheet is None:
        return SheetReadError(_("表格超过 %(limit)s 列上限，请删除多余的列后重新上传") % {"limit": limit})
    return SheetReadError(
        _("工作表“%(sheet)s”超过 %(limit)s 列上限，请删除多余的列后重新上传")
        % {"sheet": sheet, "limit": limit}
    )


def _too_many_cells(sheet: str | None, limit: int) -> SheetReadError:
    return SheetReadError(
        _("文件过大：工作表“%(sheet)s”的行数 × 列数超过 %(limit)s 个单元格上限，请删除多余的行列或拆分后分批上传")
        % {"sheet": sheet or "", "limit": limit}
    )


@dataclass
class _Limits:
    max_rows: int
    max_cols: int
    max_cells: int | None = None

    def check(self, name: str | None, rows: int, cols: int) -> None:
        if rows > self.max_rows:
            raise _too_many_rows(name, self.max_rows)
        if cols > self.max_cols:
            raise _too_many_cols(name, self.max_cols)
        if self.max_cells is not None and rows * cols > self.max_cells:
            raise _too_many_cells(name, self.max_cells)

    def over(self, rows: int, cols: int) -> bool:
        """Already beyond a limit: scanning can stop, the sheet will be refused."""
        return rows > self.max_rows or cols > self.max_cols or (
            self.max_cells is not None and rows * cols > self.max_cells
        )


def read_workbook(
    source,
    filename: str,
    *,
    max_bytes: int = 20 * MB,
    max_rows: int = 20000,
    max_cols: int = 500,
    max_uncompressed: int = 200 * MB,
    max_cells: int | None = None,
    sheet: str | None = None,
) -> Workbook:
    """Read ``source`` (a path, bytes or a binary file object) named ``filename`` by the uploader.

    ``max_rows`` / ``max_cols`` bound every sheet read (all rows, titles and headers included);
    ``max_cells`` bounds each sheet's rows × columns, the grid calamine builds, and the scan before
    it stops as soon as a sheet is past it. ``sheet`` reads only that sheet. Raises SheetReadError for
    anything that is not a readable, safe, non-empty spreadsheet within the limits.
    """
    data = _read_source(source, max_bytes)
    if not data:
        raise _no_data()
    limits = _Limits(max_rows, max_cols, max_cells)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        book = _read_zip(data, limits, max_uncompressed, sheet)
    elif data.startswith(_OLE_MAGIC):
        book = _read_ole(data, limits, sheet)
    else:
        _reject_known_binary(data)
        if os.path.splitext(filename or "")[1].lower() != ".csv":
            _reject_text(data)
        book = _read_csv(data, filename, limits)
    if not any(_has_value(s.rows) for s in book.sheets):
        raise _no_data()
    return book


def _read_source(source, max_bytes: int) -> bytes:
    too_big = SheetReadError(
        _("文件大小超过 %(limit)s MB 上限，请拆分后分批上传") % {"limit": _mb(max_bytes)}
    )
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        try:
            if os.path.getsize(source) > max_bytes:
                raise too_big
            with open(source, "rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise _corrupt() from exc
    else:
        if getattr(source, "size", None) and source.size > max_bytes:
            raise too_big
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_big
    return data


def _has_value(rows: list[list[object]]) -> bool:
    return any(value not in ("", None) for row in rows for value in row)


_BINARY_MAGIC = (
    b"\x89PNG",
    b"%PDF",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
    b"\x7fELF",
    b"II*\x00",
    b"MM\x00*",
    b"RIFF",
)


def _reject_known_binary(data: bytes) -> None:
    if data.startswith(_BINARY_MAGIC):
        raise _not_spreadsheet()
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or (
        head.startswith(b"<") and b"<html" in head
    ):
        raise SheetReadError(
            _("文件实际是网页（HTML）格式，不是真正的 Excel 文件；请在 Excel/WPS 中另存为 .xlsx 后重新上传")
        )
    if head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:8192]:
        raise SheetReadError(_("文件是 Excel 2003 XML 格式；请在 Excel/WPS 中另存为 .xlsx 后重新上传"))


def _reject_text(data: bytes) -> None:
    sample = data[:4096]
    looks_text = sample.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" not in sample
    if looks_text:
        raise SheetReadError(
            _(
                "不是电子表格文件（.xlsx/.xls/.ods/.csv）：内容是纯文本，如是 CSV 请把扩展名改为 .csv 后重新上传"
            )
        )
    raise _not_spreadsheet()


# ---------------------------------------------------------------------------------------------
# Zip packages: .xlsx and .ods

_SST_UNIQUE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?sst\b[^>]*?\buniqueCount="([0-9]+)"')
_UNSAFE_XML = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")
_CT_SHEET = (
    "spreadsheetml.sheet.main+xml",
    "spreadsheetml.template.main+xml",
    "ms-excel.sheet.macroEnabled.main+xml",
    "ms-excel.template.macroEnabled.main+xml",
)


def _read_zip(data: bytes, limits: _Limits, max_uncompressed: int, sheet: str | None) -> Workbook:
    members = _open_zip(data, max_uncompressed)
    names = {info.filename for info in members}
    if "mimetype" in names:
        mimetype = _inflate(data, _member(members, "mimetype")).strip()
        if mimetype != b"application/vnd.oasis.opendocument.spreadsheet":
            raise _not_spreadsheet()
        fmt = "ods"
    elif "[Content_Types].xml" in names:
        fmt = _ooxml_kind(_inflate(data, _member(members, "[Content_Types].xml")))
    else:
        raise _not_spreadsheet()

    contents: dict[str, bytes] = {}
    scans: dict[str, _SheetScan] = {}
    for info in members:
        body = _inflate(data, info)
        if not _looks_like_xml(body):
            continue
        ascii_body, root = _check_xml_prolog(body)
        if fmt == "xlsx" and (b"<sheetData" in body or b":sheetData" in body):
            scans[info.filename] = _scan_worksheet(body, limits)
        elif fmt == "xlsx" and (match := _SST_UNIQUE.match(ascii_body, root)):
            count = match.group(1)
            if len(count) > 12 or int(count) > len(body) // 4 + 16:  # calamine reserves a string each
                raise _corrupt()
        elif fmt == "ods" and info.filename == "content.xml":
            _check_well_formed(body)  # calamine's .ods reader loops forever on an unclosed table
            scans.update(_scan_ods(body, limits))
        elif info.file_size <= 16 * MB:  # package parts parsed below: workbook, relationships
            contents[info.filename] = body

    if fmt == "ods":
        _safe_parse(contents.get("META-INF/manifest.xml", b"<manifest/>"))
        return _load(data, "ods", limits, sheet, scans, epoch_1904=False)
    workbook_path, epoch_1904, sheet_parts = _ooxml_workbook(contents)
    by_name = {name: scans[path] for name, path in sheet_parts.items() if path in scans}
    for path, scan in scans.items():  # a worksheet part no sheet name points to still counts
        if path not in sheet_parts.values():
            limits.check(None, scan.rows, scan.cols)
    return _load(data, "xlsx", limits, sheet, by_name, epoch_1904=epoch_1904)


def _open_zip(data: bytes, max_uncompressed: int) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception as exc:  # BadZipFile, truncated headers, bad offsets: all "damaged"
        raise _corrupt() from exc
    if len(members) > MAX_MEMBERS:
        raise SheetReadError(_("文件结构异常（压缩包内文件过多），已拒绝"))
    names = [info.filename for info in members]
    if len(set(names)) != len(names):
        raise SheetReadError(_("文件结构异常（压缩包内有重名文件），已拒绝"))
    for name in names:
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or "\x00" in name or _DRIVE.match(name) or ".." in parts:
            raise SheetReadError(_("文件结构异常（压缩包内含不安全的路径），已拒绝"))
    if any(info.flag_bits & 0x1 for info in members):
        raise _encrypted()
    if sum(info.file_size for info in members) > max_uncompressed:
        raise SheetReadError(
            _("文件解压后超过 %(limit)s MB 上限，已拒绝（可能是压缩炸弹）") % {"limit": _mb(max_uncompressed)}
        )
    for info in members:
        if info.file_size > BOMB_MIN_SIZE and info.file_size > BOMB_RATIO * max(info.compress_size, 1):
            raise SheetReadError(
                _("文件压缩比异常（超过 %(ratio)s:1），已拒绝（可能是压缩炸弹）") % {"ratio": BOMB_RATIO}
            )
        if info.compress_type not in (0, 8):  # stored, deflate: all that Excel, WPS and LibreOffice write
            raise _corrupt()
    return members


def _member(members: list[zipfile.ZipInfo], name: str) -> zipfile.ZipInfo:
    return next(info for info in members if info.filename == name)


def _inflate(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, checking that they are exactly as long as declared and match the CRC.

    Python's zipfile stops at the declared size; calamine's reader does not. A member that
    inflates beyond its declared size (a lying bomb) is refused here instead.
    """
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _corrupt()
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_len + extra_len
    raw = data[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise _corrupt()
    if info.compress_type == 0:
        body = raw
    else:
        inflater = zlib.decompressobj(-15)
        try:
            body = inflater.decompress(raw, info.file_size + 1)
        except zlib.error as exc:
            raise _corrupt() from exc
        if not inflater.eof:  # truncated, or more data than declared
            raise _corrupt()
    if len(body) != info.file_size or zlib.crc32(body) != info.CRC:
        raise _corrupt()
    return body


def _looks_like_xml(body: bytes) -> bool:
    return body[:64].replace(b"\x00", b"").lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").startswith(b"<")


def _check_xml_prolog(body: bytes) -> tuple[bytes, int]:
    """No DTD before the root element: entity declarations are the only way to a billion laughs or
    an XXE. Returns the document as ASCII-compatible bytes and where its root element starts."""
    if b"\x00" in body[:4]:  # UTF-16 XML: its ASCII characters without the zero bytes
        body = body.replace(b"\x00", b"")
    pos = 0
    while (pos := body.find(b"<", pos)) >= 0:
        if body.startswith(b"<!--", pos):
            pos = body.find(b"-->", pos + 4)
        elif body.startswith(b"<?", pos):
            pos = body.find(b"?>", pos + 2)
        elif body.startswith(b"<!", pos):
            if _UNSAFE_XML.match(body, pos):
                raise _unsafe_xml()
            pos += 2
        else:
            return body, pos  # the root element: nothing after it can declare entities
        if pos < 0:
            break
    return body, len(body)


def _check_well_formed(body: bytes) -> None:
    """Parse the whole document with expat, building nothing; no DTD is allowed on the way."""

    def refuse(*_args):
        raise _unsafe_xml()

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(body, True)
    except (expat.ExpatError, LookupError, ValueError) as exc:  # LookupError: unknown encoding
        raise _corrupt() from exc


def _safe_parse(body: bytes):
    try:
        return SafeET.fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _unsafe_xml() from exc
    except Exception as exc:  # ParseError and friends
        raise _corrupt() from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ooxml_kind(content_types: bytes) -> str:
    root = _safe_parse(content_types)
    types = [el.get("ContentType", "") for el in root.iter() if _local(el.tag) in ("Override", "Default")]
    if any(t.endswith(_CT_SHEET) for t in types):
        return "xlsx"
    if any("sheet.binary" in t for t in types):
        raise SheetReadError(_("不支持 Excel 二进制工作簿（.xlsb）；请另存为 .xlsx 后重新上传"))
    raise _not_spreadsheet()


_R_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_R_NS_STRICT = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _relationships(contents: dict[str, bytes], part: str) -> list[tuple[str, str, str]]:
    """(Id, Type, resolved target) of a part's relationships."""
    rels_path = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels_path not in contents:
        return []
    root = _safe_parse(contents[rels_path])
    return [
        (el.get("Id", ""), el.get("Type", ""), _resolve(part, el.get("Target", "")))
        for el in root.iter()
        if _local(el.tag) == "Relationship"
    ]


def _ooxml_workbook(contents: dict[str, bytes]) -> tuple[str, bool, dict[str, str]]:
    """(workbook part, 1904 flag, sheet name → worksheet part), parsed with defusedxml."""
    workbook_path = "xl/workbook.xml"
    for _id, kind, target in _relationships(contents, ""):
        if kind.endswith("/officeDocument") and target in contents:
            workbook_path = target
    if workbook_path not in contents:
        raise _corrupt()
    root = _safe_parse(contents[workbook_path])
    rels = {rel_id: target for rel_id, _kind, target in _relationships(contents, workbook_path)}
    epoch_1904 = False
    sheets: dict[str, str] = {}
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "workbookPr":
            epoch_1904 = el.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet":
            rel_id = el.get(_R_NS) or el.get(_R_NS_STRICT) or ""
            if rel_id in rels:
                sheets[el.get("name", "")] = rels[rel_id]
    return workbook_path, epoch_1904, sheets


@dataclass
class _SheetScan:
    rows: int = 0
    cols: int = 0
    uncalculated: list[Cell] = field(default_factory=list)
    merged: list[MergedRange] | None = None


# Refs that may lie far away: two or more letters, or five or more digits. Every other ref is
# within 9,999 rows × 26 columns, small enough for calamine to build before the exact check.
_FAR_REF = re.compile(
    rb'<c r="([A-Z]{2,}[0-9]+|[A-Z][0-9]{5,})"[^>]*?(/?)>(</c>|<v></v></c>|<v/></c>|<v />)?'
)
_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*?)>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)(<v\s*/>|<v>\s*</v>)?</c>'
)
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?\bt="e"')
_CELL_TOKEN = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)(\s[^>]*?)?(/?)>")
_CELL_R = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_ROW_R = re.compile(rb'\br="([0-9]+)"')
_FAR = 10**8  # stands for "beyond any limit"


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _position(letters: bytes, digits: bytes) -> tuple[int, int]:
    """1-based (row, column) of a ref; absurd refs count as far away."""
    if len(letters) > 3 or len(digits) > 7:
        return _FAR, _FAR
    return int(digits), _column_number(letters)


def _scan_worksheet(body: bytes, limits: _Limits) -> _SheetScan:
    """How far a worksheet's non-empty cells reach, measured without building them, and its formula gaps.

    The scan stops as soon as the extent is past a limit: the sheet will be refused, and a sheet of
    millions of cells is refused in a fraction of the time and memory its full scan would take.
    """
    scan = _SheetScan()
    # Plain byte searches: a regex alternation here would cost more than calamine's own parse.
    unusual = b"<c>" in body or b":c " in body or body.count(b"<c ") != body.count(b'<c r="')
    if unusual:  # cells without a ref, with the ref not first, or with a namespace prefix
        scan.rows, scan.cols = _walk_cells(body, limits)
    else:
        rows = cols = 0
        for match in _FAR_REF.finditer(body):
            ref, self_closing, empty = match.groups()
            if self_closing or empty:
                continue
            letters = ref.rstrip(b"0123456789")
            row, col = _position(letters, ref[len(letters) :])
            if row > rows or col > cols:
                rows, cols = max(rows, row), max(cols, col)
                if limits.over(rows, cols):
                    break
        scan.rows, scan.cols = rows, cols
    if limits.over(scan.rows, scan.cols):
        return scan  # refused by its extent; formula gaps do not matter
    if b"<f" in body or b't="e"' in body:
        for letters, digits, attrs, empty_value in _FORMULA_CELL.findall(body):
            if empty_value and b't="str"' in attrs:  # the cached result is the empty string
                continue
            scan.uncalculated.append((int(digits) - 1, _column_number(letters) - 1))
        for letters, digits in _ERROR_CELL.findall(body):
            scan.uncalculated.append((int(digits) - 1, _column_number(letters) - 1))
        scan.uncalculated.sort()
    return scan


def _walk_cells(body: bytes, limits: _Limits) -> tuple[int, int]:
    """Exact extent, position by position as calamine counts, for cells without refs or with prefixes."""
    max_row = max_col = row = col = 0
    for match in _CELL_TOKEN.finditer(body):
        closing, tag, attrs, self_closing = match.groups()
        if closing:
            continue
        if tag == b"row":
            ref = _ROW_R.search(attrs or b"")
            row = (_FAR if len(ref.group(1)) > 7 else int(ref.group(1))) if ref else row + 1
            col = 0
            continue
        if ref := _CELL_R.search(attrs or b""):
            row, col = _position(ref.group(1), ref.group(2))
        else:
            col += 1
        following = body[match.end() : match.end() + 12]
        if self_closing or following.startswith((b"</c>", b"<v></v></c>", b"<v/></c>")):
            continue
        if row > max_row or col > max_col:
            max_row, max_col = max(max_row, row), max(max_col, col)
            if limits.over(max_row, max_col):
                break
    return max_row, max_col


# ODS: rows and cells repeat by attribute; calamine expands non-empty repeats.
_ODS_TABLE = re.compile(rb'<table:table\s[^>]*?table:name="([^"]*)"')
_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(?:/>|>(.*?)</table:table-row>)", re.S)
_ODS_CELL = re.compile(
    rb"<table:(?:covered-)?table-cell\b([^>]*?)(?:/>|>(.*?)</table:(?:covered-)?table-cell>)", re.S
)
_ODS_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="([0-9]+)"')
_ODS_COLS_REPEATED = re.compile(rb'table:number-columns-repeated="([0-9]+)"')
_ODS_COLS_SPANNED = re.compile(rb'table:number-columns-spanned="([0-9]+)"')
_ODS_ROWS_SPANNED = re.compile(rb'table:number-rows-spanned="([0-9]+)"')


def _ods_int(pattern: re.Pattern, attrs: bytes, default: int = 1) -> int:
    match = pattern.search(attrs)
    return min(int(match.group(1)), 10**7) if match else default


def _scan_ods(body: bytes, limits: _Limits) -> dict[str, _SheetScan]:
    """Extent, merged ranges and formula gaps of each table in content.xml."""
    scans: dict[str, _SheetScan] = {}
    tables = list(_ODS_TABLE.finditer(body))
    for index, table in enumerate(tables):
        end = tables[index + 1].start() if index + 1 < len(tables) else len(body)
        name = unescape(table.group(1).decode("utf-8", "replace"))
        scan = scans[name] = _SheetScan(merged=[])
        row = 0
        for row_match in _ODS_ROW.finditer(body, table.end(), end):
            attrs, inner = row_match.groups()
            repeat = _ods_int(_ODS_ROWS_REPEATED, attrs)
            col = 0
            row_width = 0
            for cell in _ODS_CELL.finditer(inner or b""):
                cell_attrs, content = cell.groups()
                cell_repeat = _ods_int(_ODS_COLS_REPEATED, cell_attrs)
                filled = b"office:value-type" in cell_attrs or (content and b"<text:" in content)
                if filled:
                    row_width = col + cell_repeat
                    if b"table:formula" in cell_attrs and b"office:value-type" not in cell_attrs:
                        scan.uncalculated.append((row, col))
                spans = (_ods_int(_ODS_ROWS_SPANNED, cell_attrs), _ods_int(_ODS_COLS_SPANNED, cell_attrs))
                if spans != (1, 1) and len(scan.merged) < 100000:
                    scan.merged.append(((row, col), (row + spans[0] - 1, col + spans[1] - 1)))
                col += cell_repeat
            if row_width:
                scan.cols = max(scan.cols, row_width)
                scan.rows = row + repeat
                if limits.over(scan.rows, scan.cols):
                    return scans  # refused by its extent when loaded
            row += repeat
    return scans


def _load(
    data: bytes,
    fmt: str,
    limits: _Limits,
    only: str | None,
    scans: dict[str, "_SheetScan"],
    *,
    epoch_1904: bool,
) -> Workbook:
    """Open with calamine once every sheet is known to fit the limits.

    calamine builds whole sheets (all of them at once for .ods), so an over-limit sheet is refused
    even when another one was asked for; the message names it.
    """
    for name, scan in scans.items():
        limits.check(name, scan.rows, scan.cols)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = book.sheets_metadata
    except python_calamine.PasswordError as exc:
        raise _encrypted() from exc
    except BaseException as exc:
        _reraise_unless_parser_error(exc)
        raise _corrupt() from exc
    wanted = [
        meta
        for meta in metadata
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet and (only is None or meta.name == only)
    ]
    if only is not None and not wanted:
        raise SheetReadError(_("文件中没有名为“%(sheet)s”的工作表") % {"sheet": only})
    sheets = []
    for meta in wanted:
        scan = scans.get(meta.name, _SheetScan())
        try:
            calamine_sheet = book.get_sheet_by_name(meta.name)
            rows = calamine_sheet.to_python(skip_empty_area=False)
            merged = calamine_sheet.merged_cell_ranges
        except python_calamine.PasswordError as exc:
            raise _encrypted() from exc
        except BaseException as exc:
            _reraise_unless_parser_error(exc)
            raise _corrupt() from exc
        width = len(rows[0]) if rows else 0
        limits.check(meta.name, len(rows), width)
        _plain_values(rows)
        ranges = merged if merged is not None else scan.merged or []
        sheets.append(
            Sheet(
                name=meta.name,
                rows=rows,
                merged=_clip(ranges, len(rows), width),
                visible=meta.visible == python_calamine.SheetVisibleEnum.Visible,
                uncalculated=[cell for cell in scan.uncalculated if cell[0] < len(rows)],
            )
        )
    return Workbook(sheets=sheets, format=fmt, epoch_1904=epoch_1904)


def _reraise_unless_parser_error(exc: BaseException) -> None:
    # calamine raises CalamineError subclasses, and a Rust panic arrives as PanicException, a
    # BaseException; both mean a file it cannot read. Interrupts and exits pass through.
    if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
        raise exc


_ODD_TYPES = {datetime.time, datetime.timedelta}


def _plain_values(rows: list[list[object]]) -> None:
    """Times and durations become text: the importer's value types are dates, numbers and text."""
    for row in rows:
        if not _ODD_TYPES.isdisjoint(map(type, row)):
            for index, value in enumerate(row):
                if isinstance(value, datetime.time):
                    row[index] = value.isoformat()
                elif isinstance(value, datetime.timedelta):
                    row[index] = str(value)


def _clip(ranges, height: int, width: int) -> list[MergedRange]:
    clipped = []
    for (top, left), (bottom, right) in ranges:
        if top > bottom or left > right or top >= height or left >= width:
            continue
        if (top, left) == (min(bottom, height - 1), min(right, width - 1)):
            continue
        clipped.append(((top, left), (min(bottom, height - 1), min(right, width - 1))))
    clipped.sort()
    return clipped


# ---------------------------------------------------------------------------------------------
# OLE compound files: .xls, and encrypted .xlsx (which Office wraps in OLE)
#
# calamine trusts the compound file's tables: it follows sector chains until their end marker
# (a cycle never ends and keeps allocating), reserves whatever sizes the header and directory
# declare, and reserves rows × columns from each sheet's DIMENSIONS record. Any of these, when
# lying, aborts the process. So the structure is walked here first, the way calamine will walk it,
# and anything that would make it loop or over-allocate is refused as damaged.

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE_SECTOR = 0xFFFFFFFF
_END_OF_CHAIN = 0xFFFFFFFE
_ENCRYPTED_NAMES = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_BIFF8_CELLS = 65536 * 256  # the largest grid an .xls can hold


class _CompoundFile:
    """Just enough of [MS-CFB] to list the streams and read one, refusing what calamine would choke on."""

    def __init__(self, data: bytes):
        if len(data) < 512:
            raise _corrupt()
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise _corrupt()
        self.sector_size = 1 << shift
        self.mini_size = 64
        (dir_sectors, num_fat, dir_start, _transaction, self.mini_cutoff, minifat_start, num_minifat,
         difat_start, num_difat) = struct.unpack_from("<IIIIIIIII", data, 0x28)  # fmt: skip
        self.sector_count = (len(data) - 512 + self.sector_size - 1) // self.sector_size
        if max(dir_sectors, num_fat, num_minifat, num_difat) > self.sector_count:
            raise _corrupt()  # sizes calamine reserves up front
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sector, seen = difat_start, set()
        while sector not in (_FREE_SECTOR, _END_OF_CHAIN):
            if sector >= self.sector_count or sector in seen:
                raise _corrupt()
            seen.add(sector)
            entries = list(struct.unpack(f"<{self.sector_size // 4}I", self._sector(sector)))
            sector = entries.pop()
            difat.extend(entries)
        self.fat = array("I")
        for sector in difat:
            if sector == _FREE_SECTOR:
                continue
            if sector >= self.sector_count:
                raise _corrupt()
            self.fat.frombytes(self._sector(sector).ljust(self.sector_size, b"\xff"))
        self.entries = self._directory(dir_start)
        if not self.entries:
            raise _corrupt()
        root_start, root_size = self.entries[0][2], self.entries[0][3]
        self.ministream = self._chain(root_start, root_size, self.fat, self.sector_size, self._sector)
        self.minifat = array("I")
        self.minifat.frombytes(
            self._chain(minifat_start, None, self.fat, self.sector_size, self._sector)[: len(self.data)]
        )

    def _sector(self, number: int) -> bytes:
        start = (number + 1) * self.sector_size
        return self.data[start : start + self.sector_size]

    def _mini_sector(self, number: int) -> bytes:
        start = number * self.mini_size
        return self.ministream[start : start + self.mini_size]

    def _chain(self, start: int, size: int | None, table, unit: int, read) -> bytes:
        """A whole chain, to its end marker as calamine reads it, refusing cycles and bad links."""
        if size is not None and size > len(self.data):
            raise _corrupt()
        pieces = []
        sector = start
        while sector != _END_OF_CHAIN:
            if sector >= len(table) or len(pieces) >= len(table):
                raise _corrupt()
            pieces.append(read(sector))
            sector = table[sector]
        joined = b"".join(pieces)
        return joined if size is None else joined[:size]

    def _directory(self, start: int) -> list[tuple[str, int, int, int]]:
        raw = self._chain(start, None, self.fat, self.sector_size, self._sector)
        entries = []
        for offset in range(0, len(raw) - 127, 128):
            # The name as calamine reads it: all 64 bytes, cut at the first NUL.
            name = raw[offset : offset + 64].decode("utf-16-le", "ignore").split("\x00", 1)[0]
            kind = raw[offset + 0x42]
            start_sector = struct.unpack_from("<I", raw, offset + 0x74)[0]
            size_format = "<I" if self.sector_size == 512 else "<Q"
            size = struct.unpack_from(size_format, raw, offset + 0x78)[0]
            entries.append((name, kind, start_sector, size))
        return entries

    def names(self) -> list[str]:
        return [name for name, kind, _start, _size in self.entries if kind in (1, 2)]

    def stream(self, wanted: str) -> bytes | None:
        """The first entry with exactly this name, as calamine picks it."""
        for name, _kind, start, size in self.entries:
            if name == wanted:
                if size < 4096:  # calamine's cutoff, whatever the header says
                    return self._chain(start, size, self.minifat, self.mini_size, self._mini_sector)
                return self._chain(start, size, self.fat, self.sector_size, self._sector)
        return None


def _read_ole(data: bytes, limits: _Limits, sheet: str | None) -> Workbook:
    try:
        compound = _CompoundFile(data)
        names = {name.lower() for name in compound.names()}
        stream = compound.stream("Workbook")
        if stream is None:
            stream = compound.stream("Book")
    except SheetReadError:
        if any(name in data for name in _ENCRYPTED_NAMES):
            raise _encrypted() from None
        raise
    except (struct.error, IndexError, ValueError) as exc:
        raise _corrupt() from exc
    if "encryptedpackage" in names or "encryptioninfo" in names:
        raise _encrypted()
    if stream is None:
        raise _not_spreadsheet()
    try:
        biff = _scan_biff(stream)
    except (struct.error, IndexError) as exc:
        raise _corrupt() from exc
    if biff.encrypted:
        raise _encrypted()
    return _load(data, "xls", limits, sheet, biff.scans, epoch_1904=biff.epoch_1904)


@dataclass
class _BiffScan:
    encrypted: bool = False
    epoch_1904: bool = False
    scans: dict[str, _SheetScan] = field(default_factory=dict)


# BIFF5/8 records that put a value in a cell; each starts with (row, col).
_BIFF_CELLS = frozenset({0x0006, 0x00FD, 0x0203, 0x0204, 0x027E, 0x0205, 0x00D6, 0x0406})
_BIFF_MULRK = 0x00BD
_BIFF_BOF = 0x0809
_BIFF_BOUNDSHEET = 0x0085
_BIFF_FILEPASS = 0x002F
_BIFF_DATEMODE = 0x0022
_BIFF_SST = 0x00FC
_BIFF_DIMENSIONS = 0x0200
_BIFF_EOF = 0x000A
_RECORD = struct.Struct("<HH")
_RECORD_AND_CELL = struct.Struct("<HHHH")  # type, length, then (row, col) for cell records


def _records(stream: bytes, pos: int):
    """(position, type, length) of the records from ``pos`` to the first EOF, as calamine reads them."""
    read = _RECORD.unpack_from
    end = len(stream)
    while pos + 4 <= end:
        kind, length = read(stream, pos)
        if pos + 4 + length > end:
            raise _corrupt()
        yield pos, kind, length
        if kind == _BIFF_EOF:
            return
        pos += 4 + length


def _scan_biff(stream: bytes) -> _BiffScan:
    """Encryption, date system and each sheet's extent, walking the records the way calamine does:
    the globals from the start to their EOF, then each sheet from its BOUNDSHEET offset to its EOF."""
    result = _BiffScan()
    sheets: list[tuple[int, str]] = []
    biff8 = True
    for pos, kind, length in _records(stream, 0):
        if kind == _BIFF_BOF and length >= 2:
            biff8 = struct.unpack_from("<H", stream, pos + 4)[0] in (0x0600, 0)
        elif kind == _BIFF_BOUNDSHEET and length >= 8:
            offset = struct.unpack_from("<I", stream, pos + 4)[0]
            sheets.append((offset, _boundsheet_name(stream[pos + 4 : pos + 4 + length], biff8)))
        elif kind == _BIFF_FILEPASS:
            result.encrypted = True
        elif kind == _BIFF_DATEMODE and length >= 2:
            result.epoch_1904 = struct.unpack_from("<H", stream, pos + 4)[0] == 1
        elif kind == _BIFF_SST and length >= 8:
            unique = struct.unpack_from("<i", stream, pos + 8)[0]
            if not 0 <= unique <= len(stream) // 3:  # calamine reserves a string per count up front
                raise _corrupt()
    budget = 2 * len(stream) + 1024  # sheets are disjoint in a real file; overlapping walks are an attack
    padded = stream + b"\x00\x00\x00\x00"  # so an 8-byte unpack at the last record stays inside
    for offset, name in sheets:
        if offset > len(stream):
            raise _corrupt()
        rows, cols, walked = _sheet_extent(padded, offset, len(stream))
        budget -= walked
        if budget < 0:
            raise _corrupt()
        previous = result.scans.get(name)
        if previous:
            rows, cols = max(rows, previous.rows), max(cols, previous.cols)
        result.scans[name] = _SheetScan(rows=rows, cols=cols)
    return result


def _sheet_extent(stream: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(rows, columns, bytes walked) of the sheet whose records start at ``pos``.

    The hot loop of .xls reading: one unpack per record gives its type, length and, for a cell,
    its row and column.
    """
    read = _RECORD_AND_CELL.unpack_from
    cells, mulrk, dimensions, eof = _BIFF_CELLS, _BIFF_MULRK, _BIFF_DIMENSIONS, _BIFF_EOF
    start = pos
    rows = cols = 0
    while pos + 4 <= end:
        kind, length, row, col = read(stream, pos)
        data = pos + 4
        if data + length > end:
            raise _corrupt()
        if kind in cells:
            if length >= 4:
                if row >= rows:
                    rows = row + 1
                if col >= cols:
                    cols = col + 1
        elif kind == mulrk:
            if length >= 6:
                last_col = _RECORD.unpack_from(stream, data + length - 4)[1]
                rows, cols = max(rows, row + 1), max(cols, last_col + 1)
        elif kind == dimensions:
            if _dimension_cells(stream[data : data + length]) > _BIFF8_CELLS:
                raise _corrupt()
        elif kind == eof:
            return rows, cols, data + length - start
        pos = data + length
    return rows, cols, pos - start


def _dimension_cells(record: bytes) -> int:
    """The cell count calamine reserves for a DIMENSIONS record, with its unsigned 32-bit wrap-around."""
    if len(record) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", record)
    elif len(record) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", record)
    else:
        return 0  # calamine refuses the record
    if last_row < 1 or last_col < 1:
        return 1
    rows = (last_row - 1 - first_row + 1) % 2**32
    cols = (last_col - 1 - first_col + 1) % 2**32
    return rows * cols


def _boundsheet_name(record: bytes, biff8: bool) -> str:
    length = record[6]
    if biff8:
        high = record[7] & 0x1
        raw = record[8 : 8 + length * (2 if high else 1)]
        return raw.decode("utf-16-le" if high else "latin-1", "replace").replace("\x00", "")
    return record[7 : 7 + length].decode("gbk", "replace").replace("\x00", "")


# ---------------------------------------------------------------------------------------------
# CSV

_DELIMITERS = (",", "\t", ";")


def _decode_csv(data: bytes) -> str:
    """BOM first (UTF-8, UTF-16 LE/BE), then strict UTF-8, then GB18030 (Excel's "CSV" on Chinese Windows)."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise _corrupt() from exc
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetReadError(_("无法识别 CSV 文件的编码；请另存为“CSV UTF-8”格式后重新上传"))


def _sniff_delimiter(sample: str) -> str:
    best, best_score = ",", (0, 0)
    lines = [line for line in sample.splitlines()[:30] if line.strip()]
    for delimiter in _DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        wide = [width for width in widths if width > 1]
        if not wide:
            continue
        common = max(set(wide), key=wide.count)
        score = (wide.count(common), common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, filename: str, limits: _Limits) -> Workbook:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _not_spreadsheet()
    text = _decode_csv(data)
    if not text.strip():
        raise _no_data()
    name = os.path.splitext(os.path.basename(filename or ""))[0] or "CSV"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text[:65536]))
    rows: list[list[object]] = []
    width = 0
    try:
        for row in reader:
            rows.append(row)
            width = max(width, len(row))
            limits.check(name, len(rows), width)
    except csv.Error as exc:
        raise SheetReadError(
            _("CSV 文件第 %(line)s 行格式错误，无法读取") % {"line": reader.line_num}
        ) from exc
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    width = max((len(row) for row in rows), default=0)
    for row in rows:
        row.extend([""] * (width - len(row)))
    return Workbook(sheets=[Sheet(name=name, rows=rows)], format="csv")
