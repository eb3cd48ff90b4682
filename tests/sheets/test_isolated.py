"""Parsing an upload under a cap on memory, time and cells (issue #13 §6, hard input), and the parsed
sheets kept as JSON so a preview never parses the file again."""

import datetime
from unittest import mock

import pytest

from tuijin.core.sheets import reader, store
from tuijin.core.sheets.isolated import read_isolated
from tuijin.core.sheets.reader import Sheet, SheetReadError, Workbook, read_workbook

from .corpus import xlsx_bytes
from .wide import wide_xlsx

TOO_BIG = "文件过大："


@pytest.fixture
def caps(settings):
    settings.TUIJIN_PARSE_MAX_MB = 300
    settings.TUIJIN_PARSE_TIMEOUT = 10
    settings.TUIJIN_PARSE_MAX_CELLS = 1000
    return settings


def test_a_sheet_over_the_cell_cap_is_refused_before_calamine_builds_it():
    data = wide_xlsx(40, 50)  # 2,000 cells, within the row and column limits
    with mock.patch.object(reader.python_calamine.CalamineWorkbook, "from_filelike",
                           side_effect=AssertionError("calamine must not be reached")):
        with pytest.raises(SheetReadError) as info:
            read_workbook(data, "宽表.xlsx", max_cells=1000)
    assert info.value.message == (
        "文件过大：工作表“Sheet”的行数 × 列数超过 1000 个单元格上限，请删除多余的行列或拆分后分批上传")
    assert read_workbook(data, "宽表.xlsx", max_cells=2000).sheets[0].width == 50


def test_a_csv_over_the_cell_cap_is_refused():
    data = "\n".join(",".join(["12"] * 40) for _ in range(30)).encode()
    with pytest.raises(SheetReadError) as info:
        read_workbook(data, "宽表.csv", max_cells=1000)
    assert info.value.message.startswith(TOO_BIG) and "1000 个单元格" in info.value.message


def test_the_isolated_read_applies_the_configured_cell_cap(caps):
    with pytest.raises(SheetReadError) as info:
        read_isolated(wide_xlsx(40, 50), "宽表.xlsx")
    assert info.value.message.startswith(TOO_BIG) and "1000 个单元格" in info.value.message


def test_a_parse_over_the_memory_cap_is_refused_with_a_chinese_reason(caps):
    caps.TUIJIN_PARSE_MAX_MB = 20  # below what the child already maps: no allocation of any size succeeds
    caps.TUIJIN_PARSE_MAX_CELLS = 10**6
    with pytest.raises(SheetReadError) as info:
        read_isolated(wide_xlsx(1000, 200), "台账.xlsx")  # 3.4 MB of XML to inflate
    assert info.value.message == (
        "文件过大：解析需要超过 20 MB 内存或 10 秒，已拒绝；请删除多余的行列或拆分后分批上传")


def test_a_parse_over_the_time_cap_is_refused_with_a_chinese_reason(caps):
    caps.TUIJIN_PARSE_TIMEOUT = 0.001  # reading 20,000 cells takes a child far longer
    caps.TUIJIN_PARSE_MAX_CELLS = 10**6
    with pytest.raises(SheetReadError) as info:
        read_isolated(wide_xlsx(200, 100), "台账.xlsx")
    assert info.value.message.startswith("文件过大：解析需要超过 300 MB 内存或 0.001 秒")


def test_the_isolated_read_gives_what_the_reader_gives(caps):
    data = xlsx_bytes(rows=[["名称", "日期", "金额"], ["甲", datetime.date(2026, 3, 1), 12.5], ["乙", None, 3]])
    assert read_isolated(data, "台账.xlsx") == read_workbook(data, "台账.xlsx")


def test_the_isolated_read_passes_the_readers_own_refusals(caps):
    with pytest.raises(SheetReadError) as info:
        read_isolated(b"%PDF-1.4 not a sheet", "台账.xlsx")
    assert info.value.message == "不是电子表格文件（.xlsx/.xls/.ods/.csv）"


def test_stored_sheets_read_back_exactly():
    book = Workbook(
        sheets=[
            Sheet(name="台账", rows=[["名称", 1, 2.5, True, None, ""],
                                    [datetime.date(2026, 3, 1), datetime.datetime(2026, 3, 1, 8, 30), 3.0, 0, False, "x"]],
                  merged=[((0, 0), (0, 1))], uncalculated=[(1, 2)]),
            Sheet(name="隐藏", rows=[["a"]], visible=False),
        ],
        format="xlsx",
        epoch_1904=True,
    )
    again = store.loads(store.dumps(book))
    assert again == book
    assert [type(v) for v in again.sheets[0].rows[1]] == [datetime.date, datetime.datetime, float, int, bool, str]
    assert store.only_sheet(again, "隐藏").sheets == [book.sheets[1]]
    with pytest.raises(SheetReadError) as info:
        store.only_sheet(again, "没有")
    assert info.value.message == "文件中没有名为“没有”的工作表"
