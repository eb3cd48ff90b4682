"""The one way a workbook is opened with calamine (.xlsx, .xls, .ods), once its format module has
checked that every sheet fits the limits: calamine aborts the process instead of raising on a lie."""

import datetime
import io

import python_calamine
from django.utils.translation import gettext as _

from .book import MergedRange, Sheet, SheetReadError, Workbook, _corrupt, _encrypted, _Limits, _SheetScan


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
