"""A spreadsheet that is small on disk and expands hugely: its sheet XML written directly, row by row.

``wide_xlsx(20000, 500)`` is the hard input of issue #13 (~17 MB on disk, ~160 MB of XML, ten
million cells, compressing about 9:1 so no zip-bomb check trips); tests use a few thousand cells with
the caps lowered through settings.
"""

import io
import random
import zipfile
from pathlib import Path

from .corpus import xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"


def wide_xlsx(rows: int, cols: int, path: Path | None = None) -> bytes | Path:
    """An .xlsx whose first sheet has ``rows`` × ``cols`` two-digit numbers (cells without refs)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    values = [b"<c><v>%d</v></c>" % v for v in range(10, 100)]
    pick = random.Random(1).choices
    target = path if path is not None else io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in base.infolist():
            if info.filename != SHEET:
                out.writestr(info, base.read(info.filename))
                continue
            with out.open(SHEET, "w") as sheet:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns='
                            b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                for _ in range(rows):
                    sheet.write(b"<row>" + b"".join(pick(values, k=cols)) + b"</row>")
                sheet.write(b"</sheetData></worksheet>")
    return path if path is not None else target.getvalue()


if __name__ == "__main__":  # the hand measurement: python -m tests.sheets.wide /tmp/wide.xlsx
    import sys

    wide_xlsx(20000, 500, Path(sys.argv[1]))
