"""A read Workbook as JSON, so a file parsed once can be looked at again without parsing it again.

Plain JSON (no pickle: the stored text is data, never code). Dates and datetimes are written as
{"d": "YYYY-MM-DD"} and {"t": "YYYY-MM-DDTHH:MM:SS"}; every other cell value (str, int, float, bool,
None) is native JSON, and ints stay ints, floats floats.
"""

from __future__ import annotations

import datetime
import json

from django.utils.translation import gettext as _

from .reader import Sheet, SheetReadError, Workbook, _has_value, _no_data


def _encode(value):
    if isinstance(value, datetime.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    raise TypeError(type(value).__name__)


def _decode(obj: dict):
    if len(obj) == 1:
        if "t" in obj:
            return datetime.datetime.fromisoformat(obj["t"])
        if "d" in obj:
            return datetime.date.fromisoformat(obj["d"])
    return obj


def dumps(book: Workbook) -> bytes:
    data = {
        "format": book.format,
        "epoch_1904": book.epoch_1904,
        "sheets": [
            {"name": s.name, "visible": s.visible, "merged": s.merged, "uncalculated": s.uncalculated,
             "rows": s.rows}
            for s in book.sheets
        ],
    }
    return json.dumps(data, ensure_ascii=False, default=_encode, separators=(",", ":")).encode()


def loads(text: bytes | str) -> Workbook:
    data = json.loads(text, object_hook=_decode)
    sheets = [
        Sheet(
            name=s["name"],
            rows=s["rows"],
            merged=[(tuple(a), tuple(b)) for a, b in s["merged"]],
            visible=s["visible"],
            uncalculated=[tuple(cell) for cell in s["uncalculated"]],
        )
        for s in data["sheets"]
    ]
    return Workbook(sheets=sheets, format=data["format"], epoch_1904=data["epoch_1904"])


def only_sheet(book: Workbook, name: str | None) -> Workbook:
    """The workbook as ``read_workbook(..., sheet=name)`` would have read it."""
    if name is None:
        return book
    sheets = [s for s in book.sheets if s.name == name]
    if not sheets:
        raise SheetReadError(_("文件中没有名为“%(sheet)s”的工作表") % {"sheet": name})
    if not _has_value(sheets[0].rows):
        raise _no_data()
    return Workbook(sheets=sheets, format=book.format, epoch_1904=book.epoch_1904)
