"""Read an uploaded spreadsheet (.xlsx, .xls, .ods, .csv) safely into plain rows of cell values.

The real format comes from the file's bytes, not its name. Whatever calamine would trust is checked
first, because a lie in a few bytes makes it abort or hang the whole process instead of raising:
the zip package (size, member count, compression ratio, member names, entity declarations, the
shared-string count), every sheet's extent (calamine allocates rows × columns cells at once, so a
two-cell file reaching XFD1048576 asks for 550 GB), the .xls compound file and its records, and
the well-formedness of .ods content. Every failure is a ``SheetReadError`` with a short Chinese
message for the person who uploaded the file.

This module is the entry point; each format has its module: ``xlsx`` (zip packages, .xlsx and .ods),
``xls`` (OLE compound files), ``delimited`` (CSV), ``calamine`` (opening a checked workbook) and ``book``
(what they all return and raise). Uploads are parsed through ``isolated.read_isolated``, which runs this
one in a bounded child process.
"""

import os

import python_calamine  # noqa: F401  (the tests patch calamine through this module)
from django.utils.translation import gettext as _

# Cell, MergedRange, Sheet, _SheetScan, _CompoundFile and _safe_parse are imported from here by other
# modules and the tests, as before the formats had their own modules.
from .book import MB, SheetReadError, Workbook, _corrupt, _has_value, _Limits, _mb, _no_data, _not_spreadsheet
from .book import Cell as Cell
from .book import MergedRange as MergedRange
from .book import Sheet as Sheet
from .book import _SheetScan as _SheetScan
from .delimited import _read_csv
from .xls import _OLE_MAGIC, _read_ole
from .xls import _CompoundFile as _CompoundFile
from .xlsx import _read_zip
from .xlsx import _safe_parse as _safe_parse


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
