"""Malformed and awkward spreadsheet files, generated on the fly (at least 40).

``CORPUS`` maps a name to ``builder(tmp_path) -> (path, expected)``, ``expected`` being "reject" or
"read"; ``MESSAGES`` gives a fragment of the Chinese message each rejected file must produce.
Import-level tests reuse both: every "reject" file must leave the database untouched, every
"read" file must get past the reader. Generation is fast (the whole corpus takes about a second).
"""

import datetime
import io
import re
import shutil
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

MB = 1024 * 1024
TEMPLATES = Path("/work/shared/real-world/fujian-dpc-templates")
TEMPLATE_XLS = TEMPLATES / "zzfet" / "年度项目明细表.xls"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64

Builder = Callable[[Path], tuple[Path, str]]
CORPUS: dict[str, Builder] = {}
EXPECTED: dict[str, str] = {}
MESSAGES: dict[str, str] = {}


def case(expected: str, message: str | None = None):
    """Register a builder under its function name; a "reject" case names its message fragment."""
    assert (expected == "reject") == bool(message)

    def register(builder: Builder) -> Builder:
        CORPUS[builder.__name__] = builder
        EXPECTED[builder.__name__] = expected
        if message:
            MESSAGES[builder.__name__] = message
        return builder

    return register


# ---------------------------------------------------------------------------------------------
# Helpers


def ledger_xlsx(path: Path, rows: int = 3) -> Path:
    """A small valid ledger: title, unit line, header, ``rows`` projects."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "明细表"
    sheet.append(["某某区2026年重点项目明细表"])
    sheet.append(["单位：万元"])
    sheet.append(["序号", "项目名称", "总投资（万元）", "开工时间"])
    for number in range(1, rows + 1):
        sheet.append([number, f"项目{number}", 1000 * number + 0.5, "2026年3月"])
    book.save(path)
    return path


def xlsx_bytes(**kwargs) -> bytes:
    buffer = io.BytesIO()
    ledger = openpyxl.Workbook()
    sheet = ledger.active
    for row in kwargs.get("rows", [["序号", "项目名称"], [1, "项目"]]):
        sheet.append(row)
    ledger.save(buffer)
    return buffer.getvalue()


def rewrite_zip(
    data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """A copy of a zip package with some members replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = (replace or {}).get(info.filename, source.read(info.filename))
            target.writestr(info.filename, body)
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, raw data, crc, declared uncompressed size, method) tuples, written as given."""
    local_header = struct.Struct("<4sHHHHHIIIHH")
    central_header = struct.Struct("<4sHHHHHHIIIHHHHHII")
    out = io.BytesIO()
    central = []
    for name, raw, crc, size, method in members:
        encoded = name.encode()
        offset = out.tell()
        sizes = (crc, len(raw), size, len(encoded))
        out.write(local_header.pack(b"PK\x03\x04", 20, 0, method, 0, 0, *sizes, 0) + encoded + raw)
        entry = central_header.pack(b"PK\x01\x02", 20, 20, 0, method, 0, 0, *sizes, 0, 0, 0, 0, 0, offset)
        central.append(entry + encoded)
    start = out.tell()
    out.write(b"".join(central))
    count, length = len(central), out.tell() - start
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, length, start, 0))
    return out.getvalue()


def repeated_deflate(head: bytes, chunk: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """(raw deflate, crc, size) of head + chunk × times + tail, compressing ``chunk`` only once.

    A full flush ends each piece on a byte boundary with no back-references, so copies of the
    compressed chunk can simply be laid end to end.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    middle = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(tail) + compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return first + middle * times + last, crc, len(head) + len(chunk) * times + len(tail)


def package_with_sheet(sheet_xml: bytes, sheet_size: int | None = None, crc: int | None = None) -> bytes:
    """A valid xlsx whose sheet1.xml is replaced by ``sheet_xml`` given as raw deflate data when
    ``sheet_size`` is set (and then ``crc`` too)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    members = []
    for info in base.infolist():
        body = base.read(info.filename)
        if info.filename == "xl/worksheets/sheet1.xml" and sheet_size is not None:
            members.append((info.filename, sheet_xml, crc, sheet_size, 8))
            continue
        if info.filename == "xl/worksheets/sheet1.xml":
            body = sheet_xml
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        raw = compressor.compress(body) + compressor.flush()
        members.append((info.filename, raw, zlib.crc32(body), len(body), 8))
    return raw_zip(members)


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def inline_row(row: int, *values: str) -> bytes:
    cells = b"".join(
        b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (bytes([65 + i]), row, value.encode())
        for i, value in enumerate(values)
    )
    return b'<row r="%d">%s</row>' % (row, cells)


def build_cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal valid OLE compound file (v3, 512-byte sectors) holding ``streams``.

    Streams shorter than 4,096 bytes are padded with zeros so that none lives in a mini stream.
    """
    sector = 512
    entries = [(name, data.ljust(4096, b"\x00")) for name, data in streams.items()]
    counts = [-(-len(data) // sector) for _name, data in entries]
    dir_sectors = -(-(len(entries) + 1) // 4)
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + dir_sectors + sum(counts):
        fat_sectors += 1
    fat = [0xFFFFFFFD] * fat_sectors
    dir_start = len(fat)
    fat += list(range(dir_start + 1, dir_start + dir_sectors)) + [0xFFFFFFFE]
    starts = []
    for count in counts:
        start = len(fat)
        starts.append(start)
        fat += list(range(start + 1, start + count)) + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (fat_sectors * 128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBBIII", len(encoded), kind, 1, 0xFFFFFFFF, right, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1 if entries else 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE, 0)
    for index, ((name, data), start) in enumerate(zip(entries, starts, strict=True)):
        right = index + 2 if index + 1 < len(entries) else 0xFFFFFFFF
        directory += entry(name, 2, 0xFFFFFFFF, right, start, len(data))
    directory = directory.ljust(dir_sectors * sector, b"\x00")
    difat = list(range(fat_sectors)) + [0xFFFFFFFF] * (109 - fat_sectors)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, fat_sectors, dir_start, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<109I", *difat)
    )
    body = struct.pack(f"<{len(fat)}I", *fat) + directory
    for (_name, data), count in zip(entries, counts, strict=True):
        body += data.ljust(count * sector, b"\x00")
    return header + body


def template_workbook_stream(path: Path = TEMPLATE_XLS) -> bytes:
    from tuijin.core.sheets.reader import _CompoundFile

    return _CompoundFile(path.read_bytes()).stream("Workbook")


def biff_records(stream: bytes):
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield pos, kind, length
        pos += 4 + length


def xls_with_far_cell(row: int, col: int) -> bytes:
    """The real template with its last LABELSST cell moved to (row, col)."""
    stream = bytearray(template_workbook_stream())
    last = [pos for pos, kind, _length in biff_records(bytes(stream)) if kind == 0x00FD][-1]
    struct.pack_into("<HH", stream, last + 4, row, col)
    return build_cfb({"Workbook": bytes(stream)})


def xls_with_filepass() -> bytes:
    """The real template with a FILEPASS record after the globals BOF, sheet offsets moved along."""
    stream = template_workbook_stream()
    filepass = struct.pack("<HHH", 0x002F, 2, 0)  # XOR obfuscation, no key data: enough to say "encrypted"
    bof_end = 4 + struct.unpack_from("<H", stream, 2)[0]
    out = bytearray(stream[:bof_end] + filepass + stream[bof_end:])
    for pos, kind, _length in biff_records(bytes(out)):
        if kind == 0x0085:
            offset = struct.unpack_from("<I", out, pos + 4)[0]
            struct.pack_into("<I", out, pos + 4, offset + len(filepass))
    return build_cfb({"Workbook": bytes(out)})


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------
# Bombs and hostile XML


@case("reject", "压缩炸弹")
def zip_bomb(tmp: Path):
    """~0.5 MB on disk declaring (and really inflating to) 300 MB of sheet XML."""
    row = b'<row r="1">' + b'<c r="A1"><v>1</v></c>' * 40 + b"</row>"
    chunk = row * (MB // len(row))
    raw, crc, size = repeated_deflate(SHEET_HEAD, chunk, 300, SHEET_TAIL)
    return write(tmp / "bomb.xlsx", package_with_sheet(raw, size, crc)), "reject"


@case("reject", "压缩比异常")
def zip_bomb_ratio(tmp: Path):
    """Under the 200 MB total, but one member compresses 1000:1."""
    raw, crc, size = repeated_deflate(SHEET_HEAD, b" " * MB, 60, SHEET_TAIL)
    return write(tmp / "ratio.xlsx", package_with_sheet(raw, size, crc)), "reject"


@case("reject", "文件已损坏")
def zip_bomb_lying_size(tmp: Path):
    """Declares a 2 KB sheet whose data inflates to 50 MB: the size check must not trust the header."""
    raw, _crc, _size = repeated_deflate(SHEET_HEAD, b" " * MB, 50, SHEET_TAIL)
    small = SHEET_HEAD + b" " * 2000
    return write(tmp / "lying.xlsx", package_with_sheet(raw, len(small), zlib.crc32(small))), "reject"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


@case("reject", "不安全的 XML 内容")
def billion_laughs(tmp: Path):
    data = rewrite_zip(xlsx_bytes(), replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS})
    return write(tmp / "laughs.xlsx", data), "reject"


@case("reject", "不安全的 XML 内容")
def billion_laughs_in_workbook_part(tmp: Path):
    """The entity bomb in xl/workbook.xml, the part the reader parses itself (with defusedxml)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    workbook = source.read("xl/workbook.xml")
    start = workbook.index(b"<workbook")
    hostile = BILLION_LAUGHS.split(b"<worksheet")[0] + workbook[start:]
    data = rewrite_zip(xlsx_bytes(), replace={"xl/workbook.xml": hostile})
    return write(tmp / "laughs-workbook.xlsx", data), "reject"


@case("reject", "不安全的 XML 内容")
def xxe_external_entity(tmp: Path):
    sheet = (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        + SHEET_HEAD.split(b"\n", 1)[1]
        + b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        + SHEET_TAIL
    )
    data = rewrite_zip(xlsx_bytes(), replace={"xl/worksheets/sheet1.xml": sheet})
    return write(tmp / "xxe.xlsx", data), "reject"


@case("reject", "不安全的 XML 内容")
def xxe_utf16(tmp: Path):
    """The same external entity, in UTF-16 so a byte search for "<!DOCTYPE" would miss it."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    ).encode("utf-16")
    data = rewrite_zip(xlsx_bytes(), replace={"xl/worksheets/sheet1.xml": sheet})
    return write(tmp / "xxe16.xlsx", data), "reject"


@case("reject", "不安全的路径")
def zip_slip(tmp: Path):
    data = rewrite_zip(xlsx_bytes(), add={"../../etc/cron.d/evil": b"* * * * * root sh"})
    return write(tmp / "slip.xlsx", data), "reject"


@case("reject", "不安全的路径")
def zip_slip_backslash(tmp: Path):
    data = rewrite_zip(xlsx_bytes(), add={"..\\..\\evil.txt": b"x"})
    return write(tmp / "slip2.xlsx", data), "reject"


@case("reject", "不安全的路径")
def zip_slip_absolute(tmp: Path):
    data = rewrite_zip(xlsx_bytes(), add={"/etc/evil.txt": b"x"})
    return write(tmp / "slip3.xlsx", data), "reject"


@case("reject", "行上限")
def far_cell_xlsx(tmp: Path):
    """Two cells, A1 and XFD1048576: calamine would allocate 17 billion cells and abort."""
    sheet = (
        SHEET_HEAD
        + inline_row(1, "序号")
        + (b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
        + SHEET_TAIL
    )
    return write(tmp / "far.xlsx", package_with_sheet(sheet)), "reject"


@case("reject", "列上限")
def far_column_no_refs(tmp: Path):
    """Cells without refs count one by one; 600 of them in a row are 600 columns."""
    cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * 600
    sheet = SHEET_HEAD + b"<row>" + cells + b"</row>" + SHEET_TAIL
    return write(tmp / "norefs.xlsx", package_with_sheet(sheet)), "reject"


@case("reject", "行上限")
def far_cell_xls(tmp: Path):
    """The real .xls template with one cell moved to row 65,536: 16 M cells (1 GB) for calamine."""
    return write(tmp / "far.xls", xls_with_far_cell(65535, 255)), "reject"


@case("reject", "行上限")
def ods_repeated_rows(tmp: Path):
    """An .ods row with a value, repeated a million times over 16,384 columns."""
    table = (
        b'<table:table table:name="S1"><table:table-row table:number-rows-repeated="1000000">'
        b'<table:table-cell table:number-columns-repeated="16384" office:value-type="string">'
        b"<text:p>x</text:p></table:table-cell></table:table-row></table:table>"
    )
    return write(tmp / "bomb.ods", ods_bytes(table)), "reject"


# calamine trusts sizes and chains it finds in the file. With python-calamine 0.9.1 (calamine 0.37)
# the lying DIMENSIONS, the uniqueCount and the unclosed .ods table abort or hang the process; the
# others are refused as defence in depth (older calamine versions reserved or looped on them).


def patched_template_stream(kind: int, offset: int, fmt: str, value: int) -> bytes:
    """The real .xls template with one field of its first record of ``kind`` overwritten."""
    stream = bytearray(template_workbook_stream())
    pos = next(pos for pos, found, _length in biff_records(bytes(stream)) if found == kind)
    struct.pack_into(fmt, stream, pos + 4 + offset, value)
    return build_cfb({"Workbook": bytes(stream)})


@case("reject", "文件已损坏")
def xls_lying_dimensions(tmp: Path):
    """A DIMENSIONS record claiming 4 billion rows: calamine reserves rows × columns cells and aborts."""
    data = patched_template_stream(0x0200, 4, "<I", 0xFFFFFFFF)
    return write(tmp / "dimensions.xls", data), "reject"


@case("reject", "文件已损坏")
def xls_huge_shared_string_count(tmp: Path):
    """An SST record announcing 2³¹ − 1 strings (older calamine versions reserve a string for each)."""
    return write(tmp / "sst.xls", patched_template_stream(0x00FC, 4, "<i", 0x7FFFFFFF)), "reject"


@case("reject", "文件已损坏")
def ole_cyclic_sector_chain(tmp: Path):
    """The Workbook stream's last sector links back to its first (older calamine versions read forever)."""
    from tuijin.core.sheets.reader import _CompoundFile

    data = bytearray(build_cfb({"Workbook": template_workbook_stream()}))
    compound = _CompoundFile(bytes(data))
    start = next(start for name, _kind, start, _size in compound.entries if name == "Workbook")
    last = start
    while compound.fat[last] != 0xFFFFFFFE:
        last = compound.fat[last]
    struct.pack_into("<I", data, 512 + 4 * last, start)  # build_cfb puts the FAT first, in order
    return write(tmp / "cycle.xls", bytes(data)), "reject"


@case("reject", "文件已损坏")
def ole_huge_fat_count(tmp: Path):
    """A header announcing 2³² − 1 FAT sectors (older calamine versions reserve room for them)."""
    data = bytearray(build_cfb({"Workbook": template_workbook_stream()}))
    struct.pack_into("<I", data, 0x2C, 0xFFFFFFFF)
    return write(tmp / "fat.xls", bytes(data)), "reject"


@case("reject", "文件已损坏")
def xlsx_huge_shared_string_count(tmp: Path):
    """sharedStrings.xml with uniqueCount="4294967295": calamine reserves 100 GB."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.add_worksheet().write_row(0, 0, ["序号", "项目名称"])
    book.close()
    package = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    strings = package.read("xl/sharedStrings.xml")
    strings = re.sub(rb'uniqueCount="[0-9]+"', b'uniqueCount="4294967295"', strings)
    data = rewrite_zip(buffer.getvalue(), replace={"xl/sharedStrings.xml": strings})
    return write(tmp / "sst.xlsx", data), "reject"


@case("reject", "文件已损坏")
def ods_unclosed_table(tmp: Path):
    """A table that never closes: calamine's .ods reader would loop forever."""
    table = b'<table:table table:name="S1"><table:table-row><table:table-cell office:value-type="string">'
    table += b"<text:p>x</text:p></table:table-cell></table:table-row></Cable:table>"
    return write(tmp / "unclosed.ods", ods_bytes(table)), "reject"


# ---------------------------------------------------------------------------------------------
# Not a (readable) spreadsheet


@case("reject", "文件已损坏")
def truncated_zip(tmp: Path):
    data = ledger_xlsx(tmp / "full.xlsx").read_bytes()
    return write(tmp / "truncated.xlsx", data[: len(data) // 2]), "reject"


@case("reject", "文件已损坏")
def corrupt_member(tmp: Path):
    """The central directory is fine but the sheet's deflate data is scrambled."""
    data = bytearray(ledger_xlsx(tmp / "ok.xlsx").read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename)
    for i in range(start + 10, start + min(info.compress_size, 200)):
        data[i] ^= 0x5A
    return write(tmp / "corrupt.xlsx", bytes(data)), "reject"


@case("reject", "不是电子表格文件")
def xlsx_really_png(tmp: Path):
    return write(tmp / "photo.xlsx", PNG), "reject"


@case("reject", "不是电子表格文件")
def xlsx_really_pdf(tmp: Path):
    return write(tmp / "report.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), "reject"


@case("reject", "不是电子表格文件")
def xlsx_really_csv(tmp: Path):
    return write(tmp / "ledger.xlsx", "序号,项目名称\n1,项目\n".encode()), "reject"


@case("reject", "不是电子表格文件")
def xlsx_really_docx(tmp: Path):
    """A zip, but a Word document: [Content_Types].xml names no workbook."""
    content_types = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument'
        b'.wordprocessingml.document.main+xml"/></Types>'
    )
    data = rewrite_zip(xlsx_bytes(), replace={"[Content_Types].xml": content_types})
    return write(tmp / "letter.xlsx", data), "reject"


@case("reject", "网页（HTML）")
def xls_really_html(tmp: Path):
    """Many report systems "export Excel" as an HTML table named .xls."""
    html = (
        "<html><head><meta charset='utf-8'></head><body><table><tr><td>序号</td></tr></table></body></html>"
    )
    return write(tmp / "export.xls", html.encode()), "reject"


@case("read")
def xlsx_really_xls(tmp: Path):
    """An old .xls renamed to .xlsx is read by its content."""
    target = tmp / "renamed.xlsx"
    shutil.copy(TEMPLATE_XLS, target)
    return target, "read"


@case("read")
def xls_really_xlsx(tmp: Path):
    return ledger_xlsx(tmp / "renamed.xls"), "read"


@case("reject", "文件已加密")
def encrypted_ooxml(tmp: Path):
    """What Excel writes for a password-protected .xlsx: an OLE file with EncryptionInfo and
    EncryptedPackage streams (the package itself need not be really encrypted for the test)."""
    data = build_cfb(
        {"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x00" * 5000}
    )
    return write(tmp / "secret.xlsx", data), "reject"


@case("reject", "文件已加密")
def encrypted_ooxml_damaged(tmp: Path):
    """OLE magic and the stream names, but no valid compound file structure."""
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 600
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 64
    )
    return write(tmp / "secret2.xlsx", data), "reject"


@case("reject", "文件已加密")
def encrypted_xls(tmp: Path):
    return write(tmp / "secret.xls", xls_with_filepass()), "reject"


@case("reject", "文件已加密")
def encrypted_zip_member(tmp: Path):
    data = bytearray(xlsx_bytes())
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, 1)  # general purpose flag: encrypted
    return write(tmp / "zipcrypto.xlsx", bytes(data)), "reject"


@case("reject", "重名")
def duplicate_members(tmp: Path):
    data = xlsx_bytes()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": the point of the case
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + inline_row(1, "别的") + SHEET_TAIL)
    return write(tmp / "dup.xlsx", out.getvalue()), "reject"


@case("reject", "MB 上限")
def over_size(tmp: Path):
    path = tmp / "huge.xlsx"
    with open(path, "wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(21 * MB)  # sparse: no time spent writing
    return path, "reject"


@case("reject", "文件中没有数据")
def zero_bytes(tmp: Path):
    return write(tmp / "empty.xlsx", b""), "reject"


@case("reject", "文件中没有数据")
def empty_workbook(tmp: Path):
    path = tmp / "empty-book.xlsx"
    openpyxl.Workbook().save(path)
    return path, "reject"


@case("reject", "文件中没有数据")
def bom_only_csv(tmp: Path):
    return write(tmp / "bom.csv", b"\xef\xbb\xbf"), "reject"


@case("reject", "文件中没有数据")
def blank_csv(tmp: Path):
    return write(tmp / "blank.csv", b"\r\n \r\n,,\r\n"), "reject"


# ---------------------------------------------------------------------------------------------
# Limits


@case("reject", "20000 行上限")
def over_limit_rows(tmp: Path):
    path = tmp / "rows.xlsx"
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["序号", "项目名称"])
    for row in range(1, 20001):
        sheet.write_number(row, 0, row)
        sheet.write_string(row, 1, "项目")
    book.close()
    return path, "reject"


@case("reject", "列上限")
def columns_16384_xlsx(tmp: Path):
    """The widest sheet Excel allows (XFD = 16,384 columns)."""
    path = tmp / "wide.xlsx"
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, list(range(16384)))
    book.close()
    return path, "reject"


@case("reject", "列上限")
def columns_20000_csv(tmp: Path):
    return write(tmp / "wide.csv", (",".join(["列"] * 20000) + "\n").encode()), "reject"


# ---------------------------------------------------------------------------------------------
# Awkward but readable


@case("read")
def header_only(tmp: Path):
    return ledger_xlsx(tmp / "header.xlsx", rows=0), "read"


@case("read")
def twenty_sheets(tmp: Path):
    path = tmp / "sheets.xlsx"
    book = openpyxl.Workbook()
    book.remove(book.active)
    for index in range(20):
        sheet = book.create_sheet(f"第{index + 1}表")
        sheet.append(["序号", "项目名称"])
        sheet.append([1, f"项目{index}"])
    book.save(path)
    return path, "read"


@case("read")
def lying_dimension(tmp: Path):
    """<dimension ref="A1:B2"/> while the data runs to row 50."""
    rows = b"".join(inline_row(row, "序号" if row == 1 else str(row), "名称") for row in range(1, 51))
    sheet = SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:B2"/><sheetData>') + rows + SHEET_TAIL
    return write(tmp / "dimension.xlsx", package_with_sheet(sheet)), "read"


@case("read")
def merged_data_area(tmp: Path):
    path = tmp / "merged.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "项目名称", "总投资"])
    sheet.append(["（一）工业项目", None, 100])
    sheet.append([1, "项目甲", 60])
    sheet.append([2, "项目乙", 40])
    sheet.merge_cells("A2:B2")
    sheet.merge_cells("C3:C4")
    book.save(path)
    return path, "read"


@case("read")
def cell_32767_chars(tmp: Path):
    path = tmp / "long.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["序号", "建设内容及规模"])
    sheet.write_row(1, 0, [1, "建" * 32767])
    book.close()
    return path, "read"


@case("read")
def control_characters(tmp: Path):
    path = tmp / "control.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["序号", "项目名称"])
    sheet.write_row(1, 0, [1, "项目\x01\x0b名称\x1f\x00"])
    book.close()
    return path, "read"


@case("read")
def formula_injection_text(tmp: Path):
    """Text that looks like a formula stays text on the way in."""
    path = tmp / "injection.xlsx"
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["序号", "项目名称"])
    sheet.write_row(1, 0, [1, "=cmd|' /c calc'!A1"])
    book.close()
    return path, "read"


@case("read")
def formula_without_cached_value(tmp: Path):
    """openpyxl writes formulas with no result; the reader lists the cell in ``uncalculated``."""
    path = tmp / "formula.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "总投资"])
    sheet.append([1, 100])
    sheet.append(["合计", "=SUM(B2:B2)"])
    book.save(path)
    return path, "read"


@case("read")
def epoch_1904(tmp: Path):
    path = tmp / "mac.xlsx"
    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["序号", "开工时间", "序号日期"])
    sheet.append([1, datetime.date(2026, 3, 1), 44985])
    book.save(path)
    return path, "read"


@case("read")
def gbk_csv_mislabelled(tmp: Path):
    """Excel's "CSV" on Chinese Windows is GBK, whatever the upload claims."""
    text = "序号,项目名称,总投资（万元）\r\n1,古雷港区疏港公路,12345.6\r\n"
    return write(tmp / "utf8-export.csv", text.encode("gbk")), "read"


@case("read")
def utf8_bom_csv(tmp: Path):
    text = "序号,项目名称\r\n1,项目甲\r\n"
    return write(tmp / "bom-ledger.csv", b"\xef\xbb\xbf" + text.encode()), "read"


@case("read")
def utf16_tab_csv(tmp: Path):
    """Excel's "Unicode text": UTF-16 LE with BOM, tab-separated."""
    text = "序号\t项目名称\r\n1\t项目甲\r\n"
    return write(tmp / "unicode.csv", b"\xff\xfe" + text.encode("utf-16-le")), "read"


@case("read")
def real_template_xls(tmp: Path):
    target = tmp / "年度项目明细表.xls"
    shutil.copy(TEMPLATE_XLS, target)
    return target, "read"


@case("read")
def merged_ods(tmp: Path):
    table = (
        b'<table:table table:name="S1">'
        b'<table:table-row><table:table-cell table:number-columns-spanned="2" office:value-type="string">'
        b"<text:p>\xe9\xa1\xb9\xe7\x9b\xae\xe4\xb8\x9a\xe4\xb8\xbb</text:p></table:table-cell>"
        b"<table:covered-table-cell/></table:table-row>"
        b'<table:table-row><table:table-cell office:value-type="string"><text:p>A</text:p></table:table-cell>'
        b'<table:table-cell office:value-type="float" office:value="12.5"><text:p>12.5</text:p>'
        b"</table:table-cell></table:table-row>"
        b'<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
        b'table:number-columns-repeated="16384"/></table:table-row></table:table>'
    )
    return write(tmp / "merged.ods", ods_bytes(table)), "read"


def ods_bytes(table_xml: bytes) -> bytes:
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        b"<office:body><office:spreadsheet>" + table_xml + b"</office:spreadsheet></office:body>"
        b"</office:document-content>"
    )
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
        b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        b'<manifest:file-entry manifest:full-path="/" '
        b'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        b"</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
