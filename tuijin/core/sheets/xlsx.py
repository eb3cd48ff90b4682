"""Zip packages (.xlsx and .ods): the package, its XML and every sheet's extent checked before calamine
opens it."""

import io
import posixpath
import re
import struct
import zipfile
import zlib
from html import unescape
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

from .book import (
    MB,
    SheetReadError,
    Workbook,
    _corrupt,
    _encrypted,
    _Limits,
    _mb,
    _not_spreadsheet,
    _SheetScan,
    _unsafe_xml,
)
from .calamine import _load

MAX_MEMBERS = 500
BOMB_RATIO = 100  # uncompressed : compressed, on members larger than BOMB_MIN_SIZE
BOMB_MIN_SIZE = MB

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
    members = open_zip(data, max_uncompressed)
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


def open_zip(data: bytes, max_uncompressed: int) -> list[zipfile.ZipInfo]:
    """The members of an Office Open XML package (.xlsx, .docx) after the checks every upload gets:
    members count, names (no duplicates, no unsafe paths), no encryption, the uncompressed size and the
    compression ratio (zip bombs), stored or deflated only. SheetReadError with the Chinese reason."""
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
