"""CSV: encoding and delimiter guessed, rows checked against the limits as they are read (named
``delimited`` so that it does not shadow the standard library's ``csv``)."""

import csv
import io
import os

from django.utils.translation import gettext as _

from .book import Sheet, SheetReadError, Workbook, _corrupt, _Limits, _no_data, _not_spreadsheet

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
