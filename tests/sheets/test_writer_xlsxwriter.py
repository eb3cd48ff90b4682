"""What core/sheets/writer.py takes from XlsxWriter beyond its public API, held to account.

The data rows of an export write the XML XlsxWriter itself would write in constant_memory mode, through
the worksheet's scratch file and bookkeeping (`_stream_rows`), and the header's merges are recorded as
`merge_range` records them (`_register_merge`): the public per-cell methods cost two to four times as
much (docs/benchmarks.md, the export bench). XlsxWriter is pinned exactly in pyproject.toml; when a new
version is tried, these tests say whether what the writer relies on is still there and still means the
same. (tests/ledgerio/test_export.py compares the streamed XML with XlsxWriter's own, byte for byte.)
"""

import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from tuijin.core.sheets import writer


def _workbook(**options):
    return xlsxwriter.Workbook(io.BytesIO(), {"constant_memory": True, **options})


def test_a_constant_memory_worksheet_has_everything_the_streamed_rows_use():
    book = _workbook()
    sheet = book.add_worksheet()
    missing = [name for name in writer._STREAM_NEEDS if not hasattr(sheet, name)]
    assert missing == []
    assert sheet.constant_memory
    assert writer._can_stream(sheet)  # else every export silently takes the slow per-cell path
    assert callable(sheet._write_single_row) and callable(sheet._check_dimensions)
    assert sheet._convert_date_time(date(2026, 3, 1)) == 46082  # Excel's serial day, 1900 system
    assert isinstance(book.add_format({"bold": True})._get_xf_index(), int)
    book.close()


def test_an_export_takes_the_streamed_path(monkeypatch):
    """If XlsxWriter changes, _can_stream falls back quietly; here the fallback is a failure."""

    def per_cell(*args):
        raise AssertionError("the data rows went cell by cell: XlsxWriter no longer offers what _stream_rows uses")

    monkeypatch.setattr(writer, "_write_rows", per_cell)
    table = writer.Table(columns=[writer.Column("a", "甲")], rows=[["一"], ["二"]])
    assert writer.write_xlsx(table, io.BytesIO()) == 2


def test_a_registered_merge_is_recorded_as_merge_range_records_it():
    by_library = _workbook(constant_memory=False).add_worksheet()
    by_library.merge_range(2, 1, 3, 4, "", None)
    ours = _workbook().add_worksheet()
    writer._register_merge(ours, 2, 1, 3, 4)
    assert ours.merge == by_library.merge == [[2, 1, 3, 4]]
    assert ours.merged_cells == by_library.merged_cells
    assert ours.merged_cells[(3, 4)] == "B3:E4"


def test_the_header_merges_are_written_into_the_file():
    columns = [writer.Column("a", "名称"), writer.Column("b", "总投资", group="投资"),
               writer.Column("c", "年度计划", group="投资")]
    xml = zipfile.ZipFile(io.BytesIO(writer.xlsx_bytes(writer.Table(columns=columns, rows=[])))).read(
        "xl/worksheets/sheet1.xml").decode()
    assert '<mergeCell ref="B1:C1"/>' in xml and '<mergeCell ref="A1:A2"/>' in xml


ROWS = [
    ["=SUM(A1)", Decimal("-1234.5"), date(2026, 2, 28), 7, True],
    ["  名称 ", Decimal("0.01"), None, None, False],
]
COLUMNS = [
    writer.Column("t", "文本"), writer.Column("m", "金额", kind=writer.MONEY),
    writer.Column("d", "日期", kind=writer.DATE), writer.Column("i", "个数", kind=writer.INTEGER),
    writer.Column("b", "是否"),
]


@pytest.fixture(scope="module")
def streamed() -> bytes:
    return writer.xlsx_bytes(writer.Table(columns=COLUMNS, rows=ROWS, title="标题"))


def test_streamed_cells_read_back_with_their_values_types_and_number_formats_in_openpyxl(streamed):
    ws = openpyxl.load_workbook(io.BytesIO(streamed)).active
    first = [ws.cell(3, col) for col in range(1, 6)]
    assert [c.value for c in first[:2]] == ["=SUM(A1)", -1234.5]
    assert first[0].data_type == "s"  # text, never a formula
    assert first[2].value.date() == date(2026, 2, 28) and first[2].is_date
    assert (first[3].value, first[4].value) == (7, True)
    assert [c.number_format for c in first[1:4]] == ["#,##0.00", "yyyy-mm-dd", "0"]
    second = [ws.cell(4, col).value for col in range(1, 6)]
    assert second == ["  名称 ", 0.01, None, None, False]
    assert ws.max_row == 4  # the sheet's dimensions count the streamed rows


def test_streamed_cells_read_back_the_same_in_calamine(streamed):
    rows = CalamineWorkbook.from_filelike(io.BytesIO(streamed)).get_sheet_by_index(0).to_python()
    assert rows[2] == ["=SUM(A1)", -1234.5, date(2026, 2, 28), 7, True]
    assert rows[3][:2] == ["  名称 ", 0.01]
