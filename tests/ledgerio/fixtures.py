"""Generated ledger files for the import tests: .xlsx through openpyxl, .csv through the csv module.

`ledger_rows()` gives a small valid ledger of the test city (临沂: 兰山区 371302, 罗庄区 371311) in the
standard column layout; `xlsx()` and `csv_file()` write any list of rows with the layout features
real offices use (title rows, unit lines, two-row merged headers, group and total rows, footnotes).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from io import StringIO
from pathlib import Path

import openpyxl
from django.core.management import call_command

YEAR = 2026
HEADER = [
    "序号", "项目代码", "项目名称", "所属区域", "项目类别", "建设性质", "项目阶段", "建设起止年限",
    "总投资（万元）", f"{YEAR}年计划投资（万元）", "开工至上年底累计完成投资（万元）", "项目业主", "联系领导",
    "计划开工日期",
]
COL = {name: index for index, name in enumerate(HEADER)}  # header → 0-based column
LETTER = {name: chr(65 + index) for index, name in enumerate(HEADER)}  # header → column letter (A…N)
TITLE = f"临沂市{YEAR}年重点项目投资计划表"


def code(region: str, serial: int) -> str:
    return f"{YEAR}-{region}-48-01-{serial:06d}"


def project_row(n: int, *, region: str = "兰山区", region_code: str = "371302", name: str | None = None,
                total="1000.50", plan="200.25", before="100.00", **cells) -> list:
    row = [
        n, code(region_code, 900000 + n), name or f"测试导入项目{n:03d}", region, "道路桥梁", "新建", "在建",
        "2025-2027", total, plan, before, "临沂城市建设投资集团有限公司", "王建国（副市长）", "2026年3月",
    ]
    for header, value in cells.items():
        row[COL[header]] = value
    return row


def ledger_rows(n: int = 3, *, start: int = 1, **kwargs) -> list[list]:
    """Title, unit line, header and n 兰山区 project rows (numbers as plain Python values)."""
    return [[TITLE], ["单位：万元"], HEADER] + [project_row(i, **kwargs) for i in range(start, start + n)]


HEADER_ROW = 3  # spreadsheet row of HEADER in ledger_rows(); project i is on row HEADER_ROW + i


def xlsx(path: Path, rows: list[list], *, sheet: str = "台账", merges: tuple = (), number_formats: dict | None = None,
         epoch_1904: bool = False) -> Path:
    book = openpyxl.Workbook()
    if epoch_1904:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        book.epoch = CALENDAR_MAC_1904
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cell_range in merges:
        ws.merge_cells(cell_range)
    for ref, fmt in (number_formats or {}).items():
        ws[ref].number_format = fmt
    book.save(path)
    return path


def xlsx_bytes(rows: list[list], **kwargs) -> bytes:
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = kwargs.get("sheet", "台账")
    for row in rows:
        ws.append(row)
    for cell_range in kwargs.get("merges", ()):
        ws.merge_cells(cell_range)
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = out.getvalue()
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + data.encode("utf-8")
    return data.encode(encoding)


def csv_file(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_bytes(rows, encoding))
    return path


def two_row_header_rows() -> tuple[list[list], tuple]:
    """A title, then "项目业主单位" merged over 业主名称 | 联系人 | 电话, the other headers merged down."""
    top = ["序号", "项目名称", "所属区域", "项目类别", "建设性质", "项目阶段", "总投资（亿元）", "项目业主单位", None, None]
    bottom = [None, None, None, None, None, None, None, "业主名称", "联系人", "电话"]
    data = [
        [1, "兰山区双层表头项目甲", "兰山区", "道路桥梁", "新建", "在建", "1.2345", "兰山区城投公司", "刘一", "0539-1234567"],
        [2, "兰山区双层表头项目乙", "兰山区", "道路桥梁", "续建", "在建", 0.5, "兰山区水务公司", "陈二", "0539-7654321"],
    ]
    merges = ("A1:J1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:J2")
    return [["兰山区重点项目表（双层表头）"], top, bottom] + data, merges


def amount(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def cli(*args) -> tuple[int, str, str]:
    """Run `tuijin import-ledger` with `args`: (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import-ledger", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()
