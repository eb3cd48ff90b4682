"""Reading uploaded spreadsheets: the malformed-file corpus, real templates, encodings, limits, size."""

import datetime
import io
import os
import random
import signal
import struct
import sys
import time
import zipfile

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from tuijin.core.sheets import reader
from tuijin.core.sheets.reader import SheetReadError, read_workbook
from tuijin.core.sheets.values import normalize_text, parse_date

from . import corpus
from .corpus import CORPUS, EXPECTED, MESSAGES, TEMPLATE_XLS, TEMPLATES

# A hang guard, not a speed limit: a reader that loops forever must fail the test rather than block the
# suite, and a loaded machine must never fail it. Speed is the import bench's (`read_only`, ≤ 1 s for a
# 10,000-row ledger; docs/benchmarks.md).
HANG_SECONDS = 120


def read(path, **kwargs):
    return read_workbook(path, path.name, **kwargs)


# ---------------------------------------------------------------------------------------------
# The corpus of malformed files: each is refused with a Chinese reason or read


def test_the_corpus_covers_the_reliability_list():
    assert len(CORPUS) >= 40
    assert set(MESSAGES) == {name for name, expected in EXPECTED.items() if expected == "reject"}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_is_read_or_refused_with_a_chinese_reason(name, tmp_path):
    path, expected = CORPUS[name](tmp_path)
    assert expected == EXPECTED[name]
    if expected == "reject":
        with pytest.raises(SheetReadError) as exc_info:
            read(path)
        assert MESSAGES[name] in str(exc_info.value)
        assert exc_info.value.message == str(exc_info.value)
    else:
        book = read(path)
        assert book.sheets
        assert any(value not in ("", None) for sheet in book.sheets for row in sheet.rows for value in row)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="measures a forked child through /proc")
def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def test_every_corpus_file_is_read_in_under_300_mb(tmp_path):
    """Each file is read in a forked child, which measures what reading it adds to its own memory: the peak
    resident size after the read (VmHWM, reset at the start through /proc/self/clear_refs) less the
    resident size it started with (the pages mapped from the parent, however large the test process has
    grown by then). The parsing itself runs in the reader's bounded process, whose address space is
    capped at TUIJIN_PARSE_MAX_MB (300) by RLIMIT_AS: a file needing more is refused, not read."""
    slowest = heaviest = (0.0, "")
    for name in sorted(CORPUS):
        folder = tmp_path / name
        folder.mkdir()
        path, _expected = CORPUS[name](folder)
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                start = _status_kb("VmRSS")
                with open("/proc/self/clear_refs", "w") as refs:
                    refs.write("5")  # the peak (VmHWM) starts again from the current size
                try:
                    read(path)
                except SheetReadError:
                    pass
                (folder / "extra_kb").write_text(str(_status_kb("VmHWM") - start))
            except BaseException:
                os._exit(1)
            os._exit(0)
        while True:  # a hang must fail the test, not block it
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - started > HANG_SECONDS:
                os.kill(pid, signal.SIGKILL)
                os.wait4(pid, 0)
                pytest.fail(f"{name}: reading did not finish in {HANG_SECONDS} s (a hang)")
            time.sleep(0.01)
        seconds = time.monotonic() - started
        assert os.waitstatus_to_exitcode(status) == 0, f"{name}: the reader crashed or raised something else"
        extra_mb = int((folder / "extra_kb").read_text()) / 1024
        slowest = max(slowest, (seconds, name))
        heaviest = max(heaviest, (extra_mb, name))
    print(f"slowest {slowest[1]}: {slowest[0]:.2f} s; heaviest {heaviest[1]}: {heaviest[0]:.0f} MB")
    # Time is the bench's to judge (a loaded machine is slow); a hang already failed above.
    assert heaviest[0] < 300, heaviest


# ---------------------------------------------------------------------------------------------
# What the readable corpus files read as


def test_a_lying_dimension_does_not_cut_the_sheet(tmp_path):
    path, _ = corpus.lying_dimension(tmp_path)
    rows = read(path).sheets[0].rows
    assert len(rows) == 50
    assert rows[49] == ["50", "名称"]


def test_merged_cells_in_the_data_area_are_reported_not_filled(tmp_path):
    path, _ = corpus.merged_data_area(tmp_path)
    sheet = read(path).sheets[0]
    assert sheet.merged == [((1, 0), (1, 1)), ((2, 2), (3, 2))]
    assert sheet.rows[1][:2] == ["（一）工业项目", ""]
    assert sheet.rows[3][2] == ""


def test_a_32767_character_cell_arrives_whole(tmp_path):
    path, _ = corpus.cell_32767_chars(tmp_path)
    assert read(path).sheets[0].rows[1][1] == "建" * 32767


def test_control_characters_arrive_and_normalize_away(tmp_path):
    path, _ = corpus.control_characters(tmp_path)
    value = read(path).sheets[0].rows[1][1]
    assert "\x01" in value
    assert normalize_text(value) == "项目 名称"


def test_formula_text_stays_text(tmp_path):
    path, _ = corpus.formula_injection_text(tmp_path)
    assert read(path).sheets[0].rows[1][1] == "=cmd|' /c calc'!A1"


def test_a_formula_without_cached_value_is_listed(tmp_path):
    path, _ = corpus.formula_without_cached_value(tmp_path)
    sheet = read(path).sheets[0]
    assert sheet.uncalculated == [(2, 1)]
    assert sheet.rows[2] == ["合计", ""]


def test_a_formula_error_value_is_listed_and_an_empty_string_result_is_not(tmp_path):
    sheet_xml = (
        corpus.SHEET_HEAD
        + b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
        + b'<c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        + b'<c r="C1" t="str"><f>""</f><v></v></c>'
        + b'<c r="D1"><f>1+1</f><v>2</v></c></row>'
        + corpus.SHEET_TAIL
    )
    path = tmp_path / "errors.xlsx"
    path.write_bytes(corpus.package_with_sheet(sheet_xml))
    sheet = read(path).sheets[0]
    assert sheet.uncalculated == [(0, 1)]
    assert sheet.rows[0][3] == 2


def test_1904_workbooks_give_the_right_dates(tmp_path):
    path, _ = corpus.epoch_1904(tmp_path)
    book = read(path)
    assert book.epoch_1904 is True
    row = book.sheets[0].rows[1]
    assert row[1] in (datetime.date(2026, 3, 1), datetime.datetime(2026, 3, 1))
    assert parse_date(row[1]) == datetime.date(2026, 3, 1)
    # A plain number in a General cell counts from 1904 too.
    assert parse_date(row[2], epoch_1904=book.epoch_1904) == parse_date(44985 + 1462)


def test_1900_workbooks_say_so(tmp_path):
    assert read(corpus.ledger_xlsx(tmp_path / "a.xlsx")).epoch_1904 is False
    assert read(TEMPLATE_XLS).epoch_1904 is False


def test_an_xls_with_the_1904_date_mode_says_so(tmp_path):
    stream = bytearray(corpus.template_workbook_stream())
    datemode = next(pos for pos, kind, _length in corpus.biff_records(bytes(stream)) if kind == 0x0022)
    struct.pack_into("<H", stream, datemode + 4, 1)
    path = tmp_path / "mac.xls"
    path.write_bytes(corpus.build_cfb({"Workbook": bytes(stream)}))
    book = read(path)
    assert book.epoch_1904 is True
    assert [sheet.name for sheet in book.sheets] == ["明细表", "按地区", "按行业"]


def test_a_far_cell_in_an_xls_is_refused_naming_the_sheet(tmp_path):
    path = tmp_path / "far.xls"
    path.write_bytes(corpus.xls_with_far_cell(30000, 3))
    with pytest.raises(SheetReadError, match="工作表“按行业”超过 20000 行上限"):
        read(path)


def test_gbk_csv_reads_as_chinese(tmp_path):
    path, _ = corpus.gbk_csv_mislabelled(tmp_path)
    book = read(path)
    assert book.format == "csv"
    assert book.sheets[0].name == "utf8-export"
    assert book.sheets[0].rows == [
        ["序号", "项目名称", "总投资（万元）"],
        ["1", "古雷港区疏港公路", "12345.6"],
    ]


def test_excel_utf8_csv_loses_its_bom(tmp_path):
    path, _ = corpus.utf8_bom_csv(tmp_path)
    assert read(path).sheets[0].rows[0] == ["序号", "项目名称"]


def test_utf16_tab_separated_text_reads(tmp_path):
    path, _ = corpus.utf16_tab_csv(tmp_path)
    assert read(path).sheets[0].rows == [["序号", "项目名称"], ["1", "项目甲"]]


def test_files_are_read_by_content_not_name(tmp_path):
    assert read(corpus.xlsx_really_xls(tmp_path)[0]).format == "xls"
    assert read(corpus.xls_really_xlsx(tmp_path)[0]).format == "xlsx"
    xlsx_named_csv = tmp_path / "ledger.csv"
    xlsx_named_csv.write_bytes(corpus.xlsx_bytes())
    assert read(xlsx_named_csv).format == "xlsx"


def test_twenty_sheets_all_arrive_in_order(tmp_path):
    path, _ = corpus.twenty_sheets(tmp_path)
    book = read(path)
    assert [sheet.name for sheet in book.sheets] == [f"第{i}表" for i in range(1, 21)]


def test_a_header_without_data_rows_reads(tmp_path):
    path, _ = corpus.header_only(tmp_path)
    rows = read(path).sheets[0].rows
    assert rows[-1] == ["序号", "项目名称", "总投资（万元）", "开工时间"]
    assert len(rows) == 3


def test_ods_merges_and_repeated_empty_rows(tmp_path):
    path, _ = corpus.merged_ods(tmp_path)
    book = read(path)
    sheet = book.sheets[0]
    assert book.format == "ods"
    assert sheet.rows == [["项目业主", ""], ["A", 12.5]]
    assert sheet.merged == [((0, 0), (0, 1))]


def test_real_template_keeps_its_merged_two_row_header():
    book = read(TEMPLATE_XLS)
    sheet = book.sheet("明细表")
    assert ((1, 11), (1, 14)) in sheet.merged  # 项目业主单位 over 业主名称 | 负责人 | 联系人 | 电话
    assert ((1, 0), (2, 0)) in sheet.merged  # 序号 over two rows
    assert sheet.rows[2][11] == "业主名称"
    assert sheet.rows[2][0] == ""  # not filled: headers.py does that
    assert sheet.rows[4][1].startswith("★古雷腾龙芳烃")
    assert sheet.rows[4][5] == 1378400.0


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.xls")), ids=lambda p: p.name)
def test_every_real_template_reads(path):
    book = read(path)
    assert book.format == "xls"
    assert any(sheet.rows for sheet in book.sheets)
    for sheet in book.sheets:
        for (top, left), (bottom, right) in sheet.merged:
            assert 0 <= top <= bottom < len(sheet.rows)
            assert 0 <= left <= right < sheet.width


# ---------------------------------------------------------------------------------------------
# Sources, sheets and limits


def test_sources_may_be_paths_bytes_or_files(tmp_path):
    path = corpus.ledger_xlsx(tmp_path / "ledger.xlsx")
    data = path.read_bytes()
    expected = read(path).sheets[0].rows
    assert read_workbook(str(path), "ledger.xlsx").sheets[0].rows == expected
    assert read_workbook(data, "ledger.xlsx").sheets[0].rows == expected
    assert read_workbook(io.BytesIO(data), "ledger.xlsx").sheets[0].rows == expected
    upload = SimpleUploadedFile("ledger.xlsx", data)
    upload.read(10)  # already read by someone: the reader starts again from the beginning
    assert read_workbook(upload, upload.name).sheets[0].rows == expected


def test_one_sheet_can_be_asked_for(tmp_path):
    path, _ = corpus.twenty_sheets(tmp_path)
    book = read(path, sheet="第7表")
    assert [sheet.name for sheet in book.sheets] == ["第7表"]
    assert book.sheet("第7表").rows[1] == [1, "项目6"]
    with pytest.raises(KeyError):
        book.sheet("第8表")
    with pytest.raises(SheetReadError, match="没有名为“第21表”的工作表"):
        read(path, sheet="第21表")


def test_hidden_sheets_are_read_and_marked(tmp_path):
    path = tmp_path / "hidden.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["序号"])
    hidden = book.create_sheet("隐藏")
    hidden.append(["x"])
    hidden.sheet_state = "hidden"
    book.save(path)
    assert [(sheet.name, sheet.visible) for sheet in read(path).sheets] == [("Sheet", True), ("隐藏", False)]


def test_times_and_durations_become_text(tmp_path):
    path = tmp_path / "times.xlsx"
    book = openpyxl.Workbook()
    book.active.append(
        [datetime.time(8, 30), datetime.datetime(2026, 3, 1, 8, 30), datetime.date(2026, 3, 2)]
    )
    book.save(path)
    row = read(path).sheets[0].rows[0]
    assert row[0] == "08:30:00"
    assert row[1] == datetime.datetime(2026, 3, 1, 8, 30)
    assert row[2] in (datetime.date(2026, 3, 2), datetime.datetime(2026, 3, 2))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"max_rows": 4}, "超过 4 行上限"),
        ({"max_cols": 3}, "超过 3 列上限"),
        ({"max_bytes": 1000}, "超过 0.000953674 MB 上限"),
        ({"max_uncompressed": 2000}, "解压后超过"),
    ],
)
def test_limits_are_parameters(tmp_path, kwargs, fragment):
    path = corpus.ledger_xlsx(tmp_path / "ledger.xlsx", rows=3)
    read(path, max_rows=6, max_cols=4)
    with pytest.raises(SheetReadError) as exc_info:
        read(path, **kwargs)
    assert fragment in str(exc_info.value)


def test_limits_apply_to_csv_too(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("序号\n" + "1\n" * 10, encoding="utf-8")
    with pytest.raises(SheetReadError, match="超过 5 行上限"):
        read(path, max_rows=5)


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("序号;项目名称;总投资\n1;甲;1,5\n", [["序号", "项目名称", "总投资"], ["1", "甲", "1,5"]]),
        ("序号\t项目名称\n1\t甲,乙\n", [["序号", "项目名称"], ["1", "甲,乙"]]),
        ('序号,项目名称\n1,"甲,乙\n丙"\n', [["序号", "项目名称"], ["1", "甲,乙\n丙"]]),
        ("序号,项目名称,备注\n1,甲\n\n\n", [["序号", "项目名称", "备注"], ["1", "甲", ""]]),
    ],
)
def test_csv_delimiters_quotes_and_ragged_rows(tmp_path, text, rows):
    path = tmp_path / "ledger.csv"
    path.write_text(text, encoding="utf-8")
    assert read(path).sheets[0].rows == rows


def test_text_without_a_csv_name_is_refused(tmp_path):
    path = tmp_path / "ledger.txt"
    path.write_text("序号,项目名称\n1,甲\n", encoding="utf-8")
    with pytest.raises(SheetReadError, match="如是 CSV 请把扩展名改为 .csv"):
        read(path)


def test_binary_junk_named_csv_is_refused(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SheetReadError, match="不是电子表格文件"):
        read(path)


def test_xml_spreadsheet_2003_is_refused_with_a_way_out(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(
        b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'
    )
    with pytest.raises(SheetReadError, match="另存为 .xlsx"):
        read(path)


def test_defusedxml_refuses_entities_even_past_the_prolog_check():
    with pytest.raises(SheetReadError, match="不安全的 XML 内容"):
        reader._safe_parse(corpus.BILLION_LAUGHS)


def test_openpyxl_uses_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_a_comment_before_a_doctype_does_not_hide_it(tmp_path):
    sheet = (
        b'<?xml version="1.0"?>\n<!-- '
        + b"x" * 10000
        + b' -->\n<!DOCTYPE x [<!ENTITY a "b">]>'
        + corpus.SHEET_HEAD.split(b"\n", 1)[1]
        + corpus.SHEET_TAIL
    )
    path = tmp_path / "comment.xlsx"
    path.write_bytes(corpus.rewrite_zip(corpus.xlsx_bytes(), replace={"xl/worksheets/sheet1.xml": sheet}))
    with pytest.raises(SheetReadError, match="不安全的 XML 内容"):
        read(path)


def test_zip_member_names_are_checked_before_anything_is_parsed(tmp_path):
    data = corpus.rewrite_zip(corpus.xlsx_bytes(), add={"xl/../../x": b"x"})
    with pytest.raises(SheetReadError, match="不安全的路径"):
        read_workbook(data, "a.xlsx")
    names = zipfile.ZipFile(io.BytesIO(corpus.xlsx_bytes())).namelist()
    assert "xl/worksheets/sheet1.xml" in names


# ---------------------------------------------------------------------------------------------
# A province-size sheet (its speed is the import bench's `read_only`)


@pytest.fixture(scope="module")
def big_xlsx(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.xlsx"
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("明细表")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, [f"列{col}" for col in range(25)])
    for row in range(1, 10001):
        for col in range(0, 25, 5):
            sheet.write_string(row, col, f"项目{row}建设工程")
            sheet.write_number(row, col + 1, row * 1.25)
            sheet.write_datetime(
                row, col + 2, datetime.datetime(2026, 1, 1) + datetime.timedelta(days=row % 365), dates
            )
            sheet.write_number(row, col + 3, row)
            sheet.write_string(row, col + 4, "续建")
    book.close()
    return path


def test_a_10000_by_25_xlsx_is_read_whole(big_xlsx):
    """Every row and cell of a province-size sheet arrives (its speed is the import bench's)."""
    book = read(big_xlsx)
    rows = book.sheets[0].rows
    assert len(rows) == 10001 and len(rows[0]) == 25
    assert rows[10000][1] == 12500.0


# ---------------------------------------------------------------------------------------------
# Mutation fuzzing: whatever the bytes, a SheetReadError or a workbook, never a crash or a hang


def _mutations(data: bytes, seed: int, count: int):
    rng = random.Random(seed)
    for _ in range(count):
        mutated = bytearray(data)
        choice = rng.random()
        if choice < 0.4:
            for _ in range(rng.randint(1, 16)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        elif choice < 0.6:
            del mutated[rng.randrange(len(mutated)) :]
        else:
            at = rng.randrange(len(mutated))
            mutated[at : at + 4] = struct.pack("<I", rng.choice([0, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]))
        yield bytes(mutated)


def _mutated_members(data: bytes, seed: int, count: int):
    """Zip packages whose XML members are edited, then packed again (so they pass the CRC checks)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    members = {info.filename: source.read(info.filename) for info in source.infolist()}
    names = sorted(name for name in members if name.endswith((".xml", ".rels")))
    rng = random.Random(seed)
    snippets = [b"<", b">", b'"', b'r="XFD1048576"', b'uniqueCount="99999999"', b"</c>", b"<row>", b"&amp;"]
    for _ in range(count):
        name = rng.choice(names)
        body = bytearray(members[name])
        at = rng.randrange(len(body) + 1)
        if rng.random() < 0.5:
            body[at:at] = rng.choice(snippets)
        else:
            del body[at : at + rng.randint(1, 40)]
        yield corpus.rewrite_zip(data, replace={name: bytes(body)})


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="isolates the run in a forked child")
def test_mutated_files_are_read_or_refused_never_crash(tmp_path):
    xls = TEMPLATE_XLS.read_bytes()
    xlsx = corpus.ledger_xlsx(tmp_path / "a.xlsx").read_bytes()
    ods = corpus.ods_bytes(
        b'<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string">'
        b"<text:p>x</text:p></table:table-cell></table:table-row></table:table>"
    )
    xls_streams = (
        corpus.build_cfb({"Workbook": stream})
        for stream in _mutations(corpus.template_workbook_stream(), 5, 150)
    )
    cases = [
        ("x.xls", _mutations(xls, 1, 150)),
        ("x.xls", xls_streams),
        ("x.xlsx", _mutations(xlsx, 2, 150)),
        ("x.xlsx", _mutated_members(xlsx, 3, 150)),
        ("x.ods", _mutated_members(ods, 4, 150)),
        ("x.csv", _mutations("序号,项目名称\n1,甲\n".encode(), 6, 150)),
    ]
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        for filename, files in cases:
            for data in files:
                try:
                    read_workbook(data, filename)
                except SheetReadError:
                    pass
                except BaseException:
                    code = 1
        os._exit(code)
    started = time.monotonic()
    while not (done := os.wait4(pid, os.WNOHANG))[0]:
        if time.monotonic() - started > HANG_SECONDS:
            os.kill(pid, signal.SIGKILL)
            os.wait4(pid, 0)
            pytest.fail("reading mutated files hung")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(done[1]) == 0, (
        "a mutated file crashed the reader or raised something else"
    )
