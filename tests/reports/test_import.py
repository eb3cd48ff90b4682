"""Importing a month's reports from a unit's spreadsheet (tuijin.reports.importing, the
`import-reports` command and the `reports:import` page).

The files are the real 南平 "重点项目月报表" template (.xls) and .xlsx / .csv files built here in the
same layout for the test city. Every bad input asserts its Chinese message, the sheet row it names
and that nothing was written (the `db_state` snapshot). Money literals are worked out by hand.
"""

import io
import json
import random
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import xlsxwriter
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tuijin.core.sheets.reader import SheetReadError
from tuijin.projects.models import Project
from tuijin.reports import importing, services
from tuijin.reports.choices import ReportState, WorkStatus
from tuijin.reports.models import ProgressReport, ReportPeriod

from .. import factories as f

D = Decimal
NANPING = Path("/work/shared/real-world/fujian-dpc-templates/nanping/重点项目月报表(在建、筹建).xls")
YEAR = 2026  # the tests run on a chosen day of it (on_day, tests/clock.py), not on the real one
pytestmark = pytest.mark.usefixtures("on_day")
EARLIER, MONTH = 3, 6  # an earlier period already reported, and the month imported
OWN = "兰山区北城新区道路改造工程"
OTHER = "罗庄区河道综合治理工程"
CODE = f"{YEAR}-371302-48-01-012345"


# ------------------------------------------------------------------------------------------ helpers


def open_month(month: int, *projects) -> ReportPeriod:
    """A period of this year opened by the system for exactly these projects, due far ahead."""
    return services.period_open(None, year=YEAR, month=month, due_on=date(YEAR + 5, 1, 31),
                                project_ids=[p.pk for p in projects])


def report_of(period: ReportPeriod, project) -> ProgressReport:
    return ProgressReport.objects.get(period=period, project=project)


def save(user, period: ReportPeriod, project, *, submit=False, **values) -> None:
    report = report_of(period, project)
    services.reports_save(user, period, [{"id": report.pk, "version": report.version, **values}], submit=submit)


@pytest.fixture
def march(users, own_project, other_project) -> ReportPeriod:
    """The earlier period: own_project reported 300.25 万元, other_project 1,000.00 万元 (handed in: only
    amounts handed in count for later months)."""
    period = open_month(EARLIER, own_project, other_project)
    save(users["reporter_a"], period, own_project, amount="300.25", progress="征地拆迁", submit=True)
    save(users["reporter_b"], period, other_project, amount="1000.00", progress="河道清淤", submit=True)
    return period


@pytest.fixture
def june(march, own_project, other_project) -> ReportPeriod:
    """The period imported into, opened after March's amounts were saved."""
    return open_month(MONTH, own_project, other_project)


def monthly_xlsx(rows: list[list], *, amount: bool = False, code: bool = False, month: int = MONTH,
                 group_rows: bool = True, footnote: bool = True, extra: tuple[str, ...] = ()) -> bytes:
    """A 南平-style month sheet for the test city, built with XlsxWriter.

    Row 1 a merged title; rows 2-3 the header: 序号 | [项目代码] | 项目名称 | 总投资（万元） | merged
    "YYYY年实际完成情况" over [本月完成投资(万元)] | 1-N月实际完成投资(万元) | 完成投资占年计划% |
    1-N月实际形象进度 | extra… | 建设单位及责任人, the other headers merged down; row 4 "合计（n项）"
    merged over 序号 and 项目名称; then "一、兰山区（n项）" before the rows (each row: [序号, (代码),
    名称, 总投资, (本月), 累计, 占%, 形象进度, extra…, 建设单位]) and a "注：" footnote at the end.
    Project rows start on sheet row 6 with group rows, row 5 without.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("月报表")
    merged = book.add_format({"align": "center", "valign": "vcenter", "text_wrap": True})
    firsts = ["序号"] + (["项目代码"] if code else []) + ["项目名称", "总投资（万元）"]
    group = (["本月完成投资(万元)"] if amount else []) + [
        f"1-{month}月实际完成投资(万元)", "完成投资占年计划%", f"1-{month}月实际形象进度"]
    lasts = list(extra) + ["建设单位及责任人"]
    width = len(firsts) + len(group) + len(lasts)
    ws.merge_range(0, 0, 0, width - 1, f"临沂市{YEAR}年1-{month}月重点项目计划完成情况一览表", merged)
    for col, label in enumerate(firsts):
        ws.merge_range(1, col, 2, col, label, merged)
    start = len(firsts)
    ws.merge_range(1, start, 1, start + len(group) - 1, f"{YEAR}年实际完成情况", merged)
    for offset, label in enumerate(group):
        ws.write(2, start + offset, label)
    for offset, label in enumerate(lasts):
        col = start + len(group) + offset
        ws.merge_range(1, col, 2, col, label, merged)
    name_col = firsts.index("项目名称")
    ws.merge_range(3, 0, 3, name_col, f"合计（{len(rows)}项）", merged)
    for col in range(name_col + 1, width - 1):
        ws.write_number(3, col, 0)
    line = 4
    if group_rows:
        ws.write(line, 0, f"一、兰山区（{len(rows)}项）")
        line += 1
    for row in rows:
        for col, value in enumerate(row):
            if value is not None:
                ws.write(line, col, value)
        line += 1
    if footnote:
        ws.write(line, 0, "注：本表由各区县发展改革部门于每月5日前报送，金额单位为万元。")
    book.close()
    return buffer.getvalue()


def own_row(ytd, progress="路基施工完成80%", *, serial="★1", name=OWN, amount=None, code=None, extra=()) -> list:
    """A project row of monthly_xlsx for own_project (pass amount/code when the sheet has those columns)."""
    cells = [serial] + ([code] if code is not None else []) + [name, 12345.67]
    cells += ([amount] if amount is not None else []) + [ytd, 0.35, progress] + list(extra)
    return cells + ["临沂城投 刘建设"]


def csv_bytes(text: str, encoding: str) -> bytes:
    data = text.replace("\n", "\r\n")
    return b"\xef\xbb\xbf" + data.encode("utf-8") if encoding == "utf-8-sig" else data.encode(encoding)


def messages_of(analysis) -> list[tuple]:
    return [(i.row, i.column, i.message) for i in analysis.issues]


def run(user, period, content: bytes, filename: str = "兰山区6月月报.xlsx", *, submit=False):
    """analyze, then commit when valid: what the page and the CLI do."""
    analysis = importing.analyze(user, period, content, filename)
    if analysis.valid:
        importing.commit(user, analysis, submit=submit)
    return analysis


# --------------------------------------------------------------------------- the real 南平 template


def test_the_real_nanping_template_is_read_and_its_unknown_projects_reported(users, own_project, other_project,
                                                                           db_state):
    period = open_month(MONTH, own_project, other_project)
    before = db_state()
    analysis = importing.analyze(users["reporter_a"], period, NANPING.read_bytes(), NANPING.name)

    assert analysis.sheet == "分级管理"
    assert analysis.columns["name"] == "项目名称"
    assert analysis.columns["ytd"] == "2010年实际完成情况/1-3月实际完成投资(万元)"
    assert analysis.columns["progress"] == "2010年实际完成情况/1-3月实际形象进度"
    assert "amount" not in analysis.columns  # "完成投资占年计划%" is not an amount column
    # 合计（100项）, 其中：在建重点项目（90项）, 预备重点项目（10项）, 一、市本级（48项）, （一）在建（11项）
    assert analysis.skipped == [
        {"row": 5, "kind": "total"}, {"row": 6, "kind": "subtotal"}, {"row": 7, "kind": "group"},
        {"row": 8, "kind": "group"}, {"row": 9, "kind": "group"},
    ]
    assert analysis.rows == []
    assert messages_of(analysis) == [
        (10, "项目名称", "本期须填报的项目中没有“武夷山至邵武高速公路”，或该项目不在您的填报范围内"),
        (11, "项目名称", "本期须填报的项目中没有“顺昌环城路建设工程”，或该项目不在您的填报范围内"),
    ]
    assert not analysis.valid
    assert importing.commit(users["reporter_a"], analysis) == []
    assert db_state() == before


def test_the_real_template_as_json_names_the_sheet_and_the_columns(users, own_project):
    period = open_month(MONTH, own_project)
    result = importing.analyze(None, period, NANPING.read_bytes(), NANPING.name).as_dict()
    assert result["sheet"] == "分级管理"
    assert result["columns"] == {
        "序号": "序号", "项目名称": "项目名称",
        "本年累计完成投资": "2010年实际完成情况/1-3月实际完成投资(万元)",
        "形象进度": "2010年实际完成情况/1-3月实际形象进度",
    }
    assert [e["row"] for e in result["errors"]] == [10, 11]
    assert {e["sheet"] for e in result["errors"]} == {"分级管理"}
    assert (result["reports"], result["saved"], result["amount_total"]) == (0, 0, "0.00")


# ---------------------------------------------------------------------- .xlsx in the 南平 layout


def test_xlsx_year_to_date_minus_earlier_periods_is_saved_as_a_draft(users, own_project, march, june):
    reporter = users["reporter_a"]
    content = monthly_xlsx([own_row(1000.50)])
    analysis = importing.analyze(reporter, june, content, "兰山区6月月报.xlsx")

    assert analysis.valid, messages_of(analysis)
    assert analysis.sheet == "月报表"
    assert analysis.columns["ytd"] == f"{YEAR}年实际完成情况/1-{MONTH}月实际完成投资(万元)"
    assert analysis.columns["progress"] == f"{YEAR}年实际完成情况/1-{MONTH}月实际形象进度"
    # title row 1, header rows 2-3, 合计 row 4, group row 5, the project on row 6, 注 on row 7
    assert analysis.skipped == [{"row": 4, "kind": "total"}, {"row": 5, "kind": "group"},
                                {"row": 7, "kind": "footnote"}]
    assert [(r.row, r.name) for r in analysis.rows] == [(6, OWN)]
    assert analysis.rows[0].values["amount"] == "700.25"  # 1,000.50 − 300.25 reported for March

    saved = importing.commit(reporter, analysis)
    assert [r.project_id for r in saved] == [own_project.pk]
    assert analysis.saved == 1
    report = report_of(june, own_project)
    assert report.amount == D("700.25")
    assert report.progress == "路基施工完成80%"
    assert report.state == ReportState.DRAFT
    assert report.year_to_date == D("1000.50")  # March 300.25 + June 700.25
    assert report_of(march, own_project).amount == D("300.25")  # the earlier month is left alone


def test_xlsx_import_with_submit_hands_the_reports_in(users, own_project, march, june):
    reporter = users["reporter_a"]
    analysis = run(reporter, june, monthly_xlsx([own_row(500)]), submit=True)
    assert analysis.valid, messages_of(analysis)
    report = report_of(june, own_project)
    assert (report.state, report.amount, report.submitted_by) == (ReportState.SUBMITTED, D("199.75"), reporter)


def test_xlsx_as_the_system_imports_every_unit(own_project, other_project, march, june):
    rows = [own_row(1000.50), ["2", OTHER, 31000, 2500.5, 0.5, "护岸工程完工", "罗庄区水务局"]]
    analysis = run(None, june, monthly_xlsx(rows))
    assert analysis.valid, messages_of(analysis)
    assert analysis.saved == 2
    assert report_of(june, own_project).amount == D("700.25")
    assert report_of(june, other_project).amount == D("1500.50")  # 2,500.50 − 1,000.00
    assert report_of(june, other_project).progress == "护岸工程完工"




def test_the_summary_totals_the_amounts(own_project, other_project, march, june):
    rows = [own_row(1000.50), ["2", OTHER, 31000, 2500.5, 0.5, "护岸工程完工", "罗庄区水务局"]]
    analysis = importing.analyze(None, june, monthly_xlsx(rows), "月报.xlsx")
    assert analysis.as_dict()["amount_total"] == "2200.75"  # 700.25 + 1,500.50


def test_a_blank_year_to_date_leaves_the_amount_alone(users, own_project, june):
    analysis = run(users["reporter_a"], june, monthly_xlsx([own_row(None, "前期手续办理中")]))
    assert analysis.valid, messages_of(analysis)
    report = report_of(june, own_project)
    assert (report.amount, report.progress, report.state) == (None, "前期手续办理中", ReportState.DRAFT)


def test_an_amount_column_that_agrees_with_the_year_to_date_is_accepted(users, own_project, june):
    analysis = run(users["reporter_a"], june, monthly_xlsx([own_row(400.25, amount=100)], amount=True))
    assert analysis.valid, messages_of(analysis)
    assert analysis.columns["amount"] == f"{YEAR}年实际完成情况/本月完成投资(万元)"
    assert report_of(june, own_project).amount == D("100.00")  # 300.25 + 100.00 = 400.25


def test_markers_and_spacing_in_the_name_column_still_match(users, own_project, june):
    rows = [own_row(400.25, serial=1, name="★兰山区北城新区 道路改造工程●")]
    analysis = run(users["reporter_a"], june, monthly_xlsx(rows, group_rows=False, footnote=False))
    assert analysis.valid, messages_of(analysis)
    assert [(r.row, r.report.project_id) for r in analysis.rows] == [(5, own_project.pk)]
    assert report_of(june, own_project).amount == D("100.00")


def test_a_report_changed_after_the_check_is_not_overwritten(users, own_project, june, db_state):
    reporter = users["reporter_a"]
    analysis = importing.analyze(reporter, june, monthly_xlsx([own_row(1000.50)]), "月报.xlsx")
    assert analysis.valid, messages_of(analysis)
    save(users["reporter_a"], june, own_project, amount="11.11", progress="在网页上刚填的")
    before = db_state()
    assert importing.commit(reporter, analysis) == []
    assert messages_of(analysis) == [(6, "项目名称", "该项目的填报刚被他人修改，请重新导入")]
    assert analysis.saved == 0
    assert db_state() == before
    assert report_of(june, own_project).progress == "在网页上刚填的"


def test_submitting_without_progress_comes_back_with_the_sheet_row(users, own_project, june, db_state):
    before = db_state()
    analysis = run(users["reporter_a"], june, monthly_xlsx([own_row(1000.50, None)]), submit=True)
    assert messages_of(analysis) == [(6, "形象进度", "上报前请填写形象进度")]
    assert db_state() == before


# -------------------------------------------------------------------------------------------- CSV


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_csv_amounts_in_yuan_are_converted_to_wan_yuan(users, own_project, encoding, june):
    text = ("序号,项目名称,本月完成投资（元）,形象进度,开复工情况\n"
            f"1,{OWN},1234500,路面铺装,已开工\n")
    analysis = run(users["reporter_a"], june, csv_bytes(text, encoding), "兰山区月报.csv")
    assert analysis.valid, messages_of(analysis)
    assert analysis.columns["amount"] == "本月完成投资(元)"
    assert analysis.rows[0].values["amount"] == "123.45"
    report = report_of(june, own_project)
    assert (report.amount, report.progress, report.work_status) == (D("123.45"), "路面铺装", WorkStatus.STARTED)


def test_csv_yuan_amounts_round_to_the_cent(users, own_project, june):
    text = f"项目名称,本月完成投资（元）\n{OWN},1234567\n"  # 123.4567 万元 → 123.46
    run(users["reporter_a"], june, csv_bytes(text, "gbk"), "月报.csv")
    assert report_of(june, own_project).amount == D("123.46")


# ------------------------------------------------------------------------------------ 项目代码


def test_rows_are_matched_by_project_code(users, own_project, june):
    Project.objects.filter(pk=own_project.pk).update(code=CODE)
    rows = [own_row(900.25, code=CODE, name="北城新区道路改造（区报名称）")]
    analysis = run(users["reporter_a"], june, monthly_xlsx(rows, code=True))
    assert analysis.valid, messages_of(analysis)
    assert analysis.columns["code"] == "项目代码"
    assert [(r.row, r.report.project_id) for r in analysis.rows] == [(6, own_project.pk)]
    assert report_of(june, own_project).amount == D("600.00")  # 900.25 − 300.25


def test_an_unknown_code_without_a_name_is_reported_in_the_code_column(users, own_project, june, db_state):
    rows = [own_row(900.25, code="2026-371302-48-01-999999", name="")]
    before = db_state()
    analysis = run(users["reporter_a"], june, monthly_xlsx(rows, code=True))
    assert messages_of(analysis) == [
        (6, "项目代码", "本期须填报的项目中没有“2026-371302-48-01-999999”，或该项目不在您的填报范围内")]
    assert db_state() == before


# -------------------------------------------------------------------------------------- bad input


def test_a_negative_amount_is_refused_on_import(users, own_project, june, db_state):
    text = f"序号,项目名称,本月完成投资（万元）,形象进度\n1,{OWN},-5,施工中\n"
    before = db_state()
    analysis = run(users["reporter_a"], june, csv_bytes(text, "utf-8-sig"), "月报.csv")
    assert messages_of(analysis) == [(2, "本期完成投资", "本期完成投资不能为负数")]
    assert analysis.saved == 0
    assert db_state() == before


def test_a_negative_amount_is_found_when_only_checking(users, own_project, june):
    text = f"序号,项目名称,本月完成投资（万元）,形象进度\n1,{OWN},-5,施工中\n"
    analysis = importing.analyze(users["reporter_a"], june, csv_bytes(text, "utf-8-sig"), "月报.csv")
    assert [(i.row, i.message) for i in analysis.issues] == [(2, "本期完成投资不能为负数")]


def test_text_in_the_amount_column(users, own_project, june, db_state):
    before = db_state()
    analysis = run(users["reporter_a"], june, monthly_xlsx([own_row("待统计")]))
    assert messages_of(analysis) == [(6, f"{YEAR}年实际完成情况/1-{MONTH}月实际完成投资(万元)", "“待统计”不是有效的金额")]
    assert "amount" not in analysis.rows[0].values
    assert db_state() == before


def test_a_year_to_date_below_the_earlier_periods(users, own_project, june, db_state):
    before = db_state()
    analysis = run(users["reporter_a"], june, monthly_xlsx([own_row(200)]))
    assert messages_of(analysis) == [
        (6, f"{YEAR}年实际完成情况/1-{MONTH}月实际完成投资(万元)",
         "累计完成投资（200.00万元）少于此前各期已报的本年累计（300.25万元）")]
    assert db_state() == before


def test_the_same_project_twice(users, own_project, june, db_state):
    before = db_state()
    rows = [own_row(400), own_row(500, serial="2")]
    analysis = run(users["reporter_a"], june, monthly_xlsx(rows))
    assert messages_of(analysis) == [(7, "项目名称", f"与第6行是同一项目（{OWN}）")]
    assert db_state() == before


def test_a_project_outside_the_users_scope_stops_the_whole_file(users, own_project, other_project, june, db_state):
    before = db_state()
    rows = [own_row(1000.50), ["2", OTHER, 31000, 2500.5, 0.5, "护岸工程完工", "罗庄区水务局"]]
    analysis = run(users["reporter_a"], june, monthly_xlsx(rows))
    assert messages_of(analysis) == [
        (7, "项目名称", f"本期须填报的项目中没有“{OTHER}”，或该项目不在您的填报范围内")]
    assert [r.row for r in analysis.rows] == [6]  # reporter_a's own row matched…
    assert importing.commit(users["reporter_a"], analysis) == []  # …but is not written either
    assert report_of(june, own_project).state == ReportState.PENDING
    assert db_state() == before


def test_a_submitted_report_cannot_be_overwritten(users, own_project, june, db_state):
    save(users["reporter_a"], june, own_project, submit=True, amount="50.00", progress="已上报的进度")
    before = db_state()
    analysis = run(users["reporter_a"], june, monthly_xlsx([own_row(1000)]))
    assert messages_of(analysis) == [(6, "项目名称", f"“{OWN}”本期已上报，不能再导入覆盖")]
    assert db_state() == before
    report = report_of(june, own_project)
    assert (report.amount, report.progress) == (D("50.00"), "已上报的进度")


def test_an_unknown_work_status_word(users, own_project, june, db_state):
    before = db_state()
    rows = [own_row(400, extra=("施工中",))]
    analysis = run(users["reporter_a"], june, monthly_xlsx(rows, extra=("开复工情况",)))
    assert messages_of(analysis) == [
        (6, "开复工情况", "开复工情况“施工中”无法识别（可填：未开工、已开工、已复工、停工、已竣工）")]
    assert db_state() == before


def test_known_work_status_words(users, own_project, june):
    rows = [own_row(400, extra=("复工",))]
    analysis = run(users["reporter_a"], june, monthly_xlsx(rows, extra=("开复工情况",)))
    assert analysis.valid, messages_of(analysis)
    assert report_of(june, own_project).work_status == WorkStatus.RESUMED


def test_a_sheet_without_a_name_or_code_column(users, own_project, june, db_state):
    text = "序号,建设单位,本月完成投资（万元）,形象进度\n1,兰山区人民政府,100,施工中\n"
    before = db_state()
    analysis = run(users["reporter_a"], june, csv_bytes(text, "gbk"), "月报.csv")
    assert messages_of(analysis) == [(None, "", "没有找到含“项目名称”或“项目代码”列的表头，请确认这是调度月报表")]
    assert analysis.sheet == ""
    assert db_state() == before


def test_a_sheet_without_an_amount_column(users, own_project, june, db_state):
    text = f"序号,项目名称,形象进度,存在问题\n1,{OWN},施工中,无\n"
    before = db_state()
    analysis = run(users["reporter_a"], june, csv_bytes(text, "gbk"), "月报.csv")
    assert messages_of(analysis) == [(None, "", "表中没有“本月完成投资”或“1-N月累计完成投资”列，无法导入完成投资")]
    assert db_state() == before


def test_year_to_date_and_amount_columns_that_disagree(users, own_project, june, db_state):
    before = db_state()
    analysis = run(users["reporter_a"], june, monthly_xlsx([own_row(500, amount=100)], amount=True))
    assert messages_of(analysis) == [
        (6, f"{YEAR}年实际完成情况/1-{MONTH}月实际完成投资(万元)",
         "本期完成（100.00万元）加此前已报（300.25万元）不等于表中累计（500.00万元）")]
    assert db_state() == before


def test_an_unreadable_file_raises_sheet_read_error(users, own_project, june, db_state):
    before = db_state()
    junk = random.Random(20260601).randbytes(4096)
    with pytest.raises(SheetReadError) as caught:
        importing.analyze(users["reporter_a"], june, junk, "月报.xlsx")
    assert caught.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)  # said in Chinese
    assert db_state() == before


def test_an_amount_over_the_total_investment_comes_back_with_the_sheet_row(users, own_project, june, db_state):
    """A rule across periods (开工累计 over 总投资) is found only on commit, still with the sheet row."""
    before = db_state()
    analysis = run(users["reporter_a"], june, monthly_xlsx([own_row(20000)]))
    assert messages_of(analysis) == [
        (6, "本期完成投资", "开工累计完成投资（20,000.00万元）将超过总投资（12,345.67万元）")]
    assert db_state() == before


def test_a_numbered_project_whose_name_contains_heji_is_imported(city, users, june):
    name = "兰山区综合计量检测中心建设项目"
    project = f.ProjectFactory(name=name, region=city.regions.lanshan, lead_unit=city.units.lanshan_government)
    services.period_add_projects(None, june, [project.pk])
    text = f"序号,项目名称,本月完成投资（万元）,形象进度\n1,{name},88.8,主体施工\n"
    analysis = run(users["reporter_a"], june, csv_bytes(text, "gbk"), "月报.csv")
    assert analysis.skipped == []
    assert report_of(june, project).amount == D("88.80")


def test_an_unnumbered_project_whose_name_starts_with_a_numeral_is_imported(city, users, june):
    name = "三河口大桥工程"
    project = f.ProjectFactory(name=name, region=city.regions.lanshan, lead_unit=city.units.lanshan_government)
    services.period_add_projects(None, june, [project.pk])
    text = f"项目名称,本月完成投资（万元）,形象进度\n{name},66.6,桩基施工\n"
    analysis = run(users["reporter_a"], june, csv_bytes(text, "gbk"), "月报.csv")
    assert analysis.skipped == []
    assert report_of(june, project).amount == D("66.60")


# ------------------------------------------------------------------------------------------ the page


def post(client, period, content: bytes, name: str = "兰山区6月月报.xlsx", **extra):
    return client.post(reverse("reports:import", args=[period.pk]),
                       {"file": SimpleUploadedFile(name, content), **extra})


def test_the_page_shows_the_form(client, users, june):
    client.force_login(users["reporter_a"])
    response = client.get(reverse("reports:import", args=[june.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="import-form"' in body and 'name="file"' in body
    assert 'id="import-result"' not in body


def test_the_page_checks_without_writing(client, users, own_project, june, db_state):
    client.force_login(users["reporter_a"])
    before = db_state()
    response = post(client, june, monthly_xlsx([own_row(1000.50)]), action="check")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="import-rows"' in body and 'id="import-errors"' not in body
    assert f"<td>6</td><td>{OWN}</td><td class=\"num\">700.25</td>" in body
    assert "检查通过：1个项目可以导入" in body
    assert db_state() == before


def test_the_page_imports_and_goes_to_the_grid(client, users, own_project, june):
    client.force_login(users["reporter_a"])
    response = post(client, june, monthly_xlsx([own_row(1000.50)]), action="import")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:grid", args=[june.pk])
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["已从“兰山区6月月报.xlsx”导入1个项目的填报（草稿，请核对后上报）"]
    report = report_of(june, own_project)
    assert (report.amount, report.state) == (D("700.25"), ReportState.DRAFT)


def test_the_page_imports_and_submits(client, users, own_project, june):
    client.force_login(users["reporter_a"])
    response = post(client, june, monthly_xlsx([own_row(1000.50)]), action="import", submit="1")
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已从“兰山区6月月报.xlsx”导入1个项目的填报并上报"]
    assert report_of(june, own_project).state == ReportState.SUBMITTED


def test_the_page_shows_the_errors_of_a_bad_file_and_writes_nothing(client, users, own_project, other_project, june,
                                                                    db_state):
    client.force_login(users["reporter_a"])
    before = db_state()
    rows = [own_row(1000.50), ["2", OTHER, 31000, 2500.5, 0.5, "护岸工程完工", "罗庄区水务局"]]
    response = post(client, june, monthly_xlsx(rows), action="import")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="import-errors"' in body
    assert f"<td>7</td><td>项目名称</td><td>本期须填报的项目中没有“{OTHER}”，或该项目不在您的填报范围内</td>" in body
    assert "文件有1处错误，没有导入任何内容" in body
    assert db_state() == before


def test_the_page_answers_an_unreadable_file_with_400(client, users, own_project, june, db_state):
    client.force_login(users["reporter_a"])
    before = db_state()
    response = post(client, june, random.Random(7).randbytes(2048), "月报.xlsx", action="import")
    assert response.status_code == 400
    assert 'id="import-result"' not in response.content.decode()
    assert db_state() == before


def test_the_page_refuses_a_closed_period(client, users, own_project, june, db_state):
    services.period_close(None, june, version=june.version)
    client.force_login(users["reporter_a"])
    before = db_state()
    response = post(client, june, monthly_xlsx([own_row(1000.50)]), action="import")
    assert response.status_code == 400
    assert f"{YEAR}年{MONTH}月的调度期已关闭，不能再导入" in response.content.decode()
    assert db_state() == before


def test_a_leader_may_not_import(client, users, own_project, june, db_state):
    client.force_login(users["leader"])
    before = db_state()
    url = reverse("reports:import", args=[june.pk])
    assert client.get(url).status_code == 403
    assert post(client, june, monthly_xlsx([own_row(1000.50)]), action="import").status_code == 403
    assert db_state() == before


# ------------------------------------------------------------------------------------------- the CLI


def cli(path, *args) -> tuple[dict, int]:
    """(the one JSON object printed, the exit code) of `import-reports PATH --period YYYY-06 --json`."""
    out = StringIO()
    code = 0
    try:
        call_command("import-reports", str(path), "--period", f"{YEAR}-{MONTH:02d}", "--json", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n"), text  # exactly one line…
    result = json.loads(text)                                   # …holding one JSON object
    assert isinstance(result, dict)
    return result, code


def write(tmp_path, content: bytes, name: str = "兰山区6月月报.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_cli_imports_and_prints_one_json_object(tmp_path, own_project, other_project, june):
    """Blank 累计 cells (progress only): the summary's amount total is zero."""
    rows = [own_row(None, "前期手续办理中"), ["2", OTHER, 31000, None, None, "护岸工程招标", "罗庄区水务局"]]
    result, code = cli(write(tmp_path, monthly_xlsx(rows)))
    assert code == 0
    assert set(result) >= {"reports", "saved", "amount_total", "skipped_rows", "errors"}
    assert (result["period"], result["sheet"]) == (f"{YEAR}年{MONTH}月", "月报表")
    assert (result["reports"], result["saved"], result["amount_total"]) == (2, 2, "0.00")
    assert result["skipped_rows"] == [{"row": 4, "kind": "total"}, {"row": 5, "kind": "group"},
                                      {"row": 8, "kind": "footnote"}]
    assert result["errors"] == []
    assert report_of(june, own_project).progress == "前期手续办理中"
    assert report_of(june, other_project).progress == "护岸工程招标"
    assert {report_of(june, p).state for p in (own_project, other_project)} == {ReportState.DRAFT}


def test_cli_imports_amounts_and_prints_their_total(tmp_path, own_project, other_project, june):
    rows = [own_row(1000.50), ["2", OTHER, 31000, 2500.5, 0.5, "护岸工程完工", "罗庄区水务局"]]
    try:
        result, code = cli(write(tmp_path, monthly_xlsx(rows)))
    finally:
        assert report_of(june, own_project).amount == D("700.25")  # written before the summary fails
        assert report_of(june, other_project).amount == D("1500.50")
    assert code == 0
    assert (result["reports"], result["saved"], result["amount_total"]) == (2, 2, "2200.75")


def test_cli_with_errors_exits_1_and_writes_nothing(tmp_path, own_project, june, db_state):
    before = db_state()
    result, code = cli(write(tmp_path, monthly_xlsx([own_row(200)])))
    assert code == 1
    assert result["saved"] == 0
    assert result["errors"] == [{
        "sheet": "月报表", "row": 6, "column": f"{YEAR}年实际完成情况/1-{MONTH}月实际完成投资(万元)",
        "message": "累计完成投资（200.00万元）少于此前各期已报的本年累计（300.25万元）"}]
    assert db_state() == before


def test_cli_with_errors_found_on_commit_exits_1_and_writes_nothing(tmp_path, own_project, june, db_state):
    before = db_state()
    path = write(tmp_path, csv_bytes(f"项目名称,本月完成投资（万元）,形象进度\n{OWN},-5,施工中\n", "gbk"), "月报.csv")
    try:
        result, code = cli(path)
    finally:
        assert db_state() == before
    assert code == 1
    assert [(e["row"], e["message"]) for e in result["errors"]] == [(2, "本期完成投资不能为负数")]


def test_cli_with_an_unreadable_file_exits_2(tmp_path, own_project, june, db_state):
    before = db_state()
    result, code = cli(write(tmp_path, random.Random(3).randbytes(4096), "月报.xlsx"))
    assert code == 2
    assert list(result) == ["errors"]
    [error] = result["errors"]
    assert error["row"] is None and error["message"]
    assert db_state() == before


def test_cli_dry_run_writes_nothing(tmp_path, own_project, june, db_state):
    before = db_state()
    result, code = cli(write(tmp_path, monthly_xlsx([own_row(None, "前期手续办理中")])), "--dry-run")
    assert code == 0
    assert (result["reports"], result["saved"], result["errors"]) == (1, 0, [])
    assert db_state() == before


def test_cli_dry_run_prints_the_amount_total(tmp_path, own_project, june, db_state):
    before = db_state()
    try:
        result, code = cli(write(tmp_path, monthly_xlsx([own_row(1000.50)])), "--dry-run")
    finally:
        assert db_state() == before
    assert (code, result["reports"], result["saved"], result["amount_total"]) == (0, 1, 0, "700.25")


def test_cli_user_limits_the_import_to_that_users_scope(tmp_path, users, own_project, other_project, june, db_state):
    rows = [own_row(None, "前期手续办理中"), ["2", OTHER, 31000, None, None, "护岸工程招标", "罗庄区水务局"]]
    before = db_state()
    result, code = cli(write(tmp_path, monthly_xlsx(rows)), "--user", "reporter_a")
    assert code == 1
    assert [(e["row"], e["message"]) for e in result["errors"]] == [
        (7, f"本期须填报的项目中没有“{OTHER}”，或该项目不在您的填报范围内")]
    assert (result["reports"], result["saved"]) == (1, 0)  # reporter_a's own row is not written either
    assert db_state() == before

    result, code = cli(write(tmp_path, monthly_xlsx(rows[:1]), "own.xlsx"), "--user", "reporter_a")
    assert (code, result["saved"], result["errors"]) == (0, 1, [])
    report = report_of(june, own_project)
    assert (report.progress, report.state) == ("前期手续办理中", ReportState.DRAFT)
    assert report.history.first().history_user == users["reporter_a"]
    assert report_of(june, other_project).state == ReportState.PENDING


def test_cli_user_of_another_district_cannot_import_own_project(tmp_path, own_project, june, db_state):
    before = db_state()
    result, code = cli(write(tmp_path, monthly_xlsx([own_row(1000.50)])), "--user", "reporter_b")
    assert code == 1
    assert [(e["row"], e["message"]) for e in result["errors"]] == [
        (6, f"本期须填报的项目中没有“{OWN}”，或该项目不在您的填报范围内")]
    assert db_state() == before


def test_cli_unknown_user_is_a_command_error(tmp_path, own_project, june, db_state):
    from django.core.management import CommandError

    before = db_state()
    with pytest.raises(CommandError, match="用户“nobody”不存在或已停用"):
        call_command("import-reports", str(write(tmp_path, monthly_xlsx([own_row(None)]))),
                     "--period", f"{YEAR}-{MONTH:02d}", "--json", "--user", "nobody", stdout=StringIO())
    assert db_state() == before
