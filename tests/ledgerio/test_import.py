"""Ledger import (issue #3; malformed files, valid templates, one corrupted cell): real templates, layout
features, matching, validation and atomicity, through `services.import_ledger` (what the CLI and the
web flow call)."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sheets.corpus import CORPUS, MESSAGES, TEMPLATES
from tuijin.core.sheets.values import normalize_text
from tuijin.ledgerio import services
from tuijin.ledgerio.importing import ImportError_, analyze
from tuijin.ledgerio.services import SheetReadError, import_ledger
from tuijin.org.models import Leader, Unit
from tuijin.projects.models import AnnualPlan, Project

from . import fixtures as fx

pytestmark = pytest.mark.django_db

ZZFET = TEMPLATES / "zzfet" / "年度项目明细表.xls"
NANPING = TEMPLATES / "nanping" / "重点项目月报表(在建、筹建).xls"


def counts() -> tuple:
    return (Project.objects.count(), AnnualPlan.objects.count(), Unit.objects.count(), Leader.objects.count(),
            Project.history.count(), AnnualPlan.history.count(), Unit.history.count(), Leader.history.count())


def run(source, filename="台账.xlsx", **kwargs):
    return import_ledger(source, filename, **kwargs)


def xlsx(rows, **kwargs) -> bytes:
    return fx.xlsx_bytes(rows, **kwargs)


def label(header: str) -> str:
    """A header as the importer names it (NFKC: full-width brackets become half-width)."""
    return normalize_text(header)


def only_error(analysis):
    errors = analysis.all_errors
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


# ------------------------------------------------------------------------------ 1. real templates

# Sheets of the real templates that have no grid header at all (empty Sheet2/Sheet3 and a form-like
# 前期工作 sheet): these, and only these, answer ImportError_ with a Chinese message.
NO_HEADER = {
    ("nanping", "年度目标及形象进度完成情况汇总表.xls", "Sheet2"),
    ("nanping", "年度目标及形象进度完成情况汇总表.xls", "Sheet3"),
    ("nanping", "项目资金拼盘及到位汇总表.xls", "Sheet2"),
    ("nanping", "项目资金拼盘及到位汇总表.xls", "Sheet3"),
    ("zzfet", "在建、新开工项目台账.xls", "Sheet2"),
    ("zzfet", "在建、新开工项目台账.xls", "Sheet3"),
    ("zzfet", "项目前期工作台账.xls", "Sheet1"),
    ("zzfet", "项目前期工作台账.xls", "Sheet2"),
    ("zzfet", "项目前期工作台账.xls", "Sheet3"),
}
REAL_FILES = sorted(TEMPLATES.rglob("*.xls"))


def test_the_real_templates_are_all_there():
    assert len(REAL_FILES) == 12


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sheet_of_every_real_template_is_read_and_analysed(city, db_state, path):
    before = db_state()
    workbook = services.read(path, path.name)
    assert workbook.sheets
    for sheet in workbook.sheets:
        key = (path.parent.name, path.name, sheet.name)
        try:
            analysis = analyze(workbook, filename=path.name, sheet=sheet.name,
                               defaults={"category": "产业", "region": "371300"})
        except ImportError_ as exc:
            assert key in NO_HEADER, f"{key}: {exc}"
            assert "找不到表头" in str(exc) and sheet.name in str(exc)
            continue
        assert key not in NO_HEADER, key
        assert analysis.columns and analysis.rows_read > 0
        assert analysis.sheet == sheet.name
        for issue in analysis.all_errors:  # whatever is wrong is said in Chinese, where it is
            assert issue.sheet == sheet.name and any("\u4e00" <= ch <= "\u9fff" for ch in issue.message)
    assert db_state() == before


def test_zzfet_annual_detail_sheet_imports_its_one_project(city):
    kwargs = {"sheet": "明细表", "defaults": {"category": "产业", "region": "371300"}}
    analysis, result = run(ZZFET, ZZFET.name, **kwargs)
    assert analysis.all_errors == [] and result is None  # 合计 says 13 projects, 1 read; new owner and leader
    assert analysis.unconfirmed == ["total_mismatch", "create_new"]
    assert analysis.new_leaders == ["谢毅泰"]
    assert analysis.new_units == ["腾龙芳烃（漳州）有限公司", "福建漳州古雷港经济开发区管委会"]
    analysis, result = run(ZZFET, ZZFET.name, accept_total_mismatch=True, create_new=True, **kwargs)
    assert analysis.all_errors == []
    assert result.created == 1 and result.updated == 0
    assert analysis.year == 2010  # "2010年计划投资（万元）"
    project = Project.objects.get()
    assert project.name == "古雷腾龙芳烃（漳州）有限公司80万吨/年对二甲苯工程及整体公用配套工程"
    assert project.total_investment == Decimal("1378400.00")
    assert project.region == city.regions.city
    assert (project.start_year, project.end_year) == (2009, 2011)
    assert project.nature.name == "续建" and project.stage.name == "续建"  # 项目性质 "续建" gives both
    assert "★" in project.remarks and "★" not in project.name
    plan = AnnualPlan.objects.get(project=project)
    assert (plan.year, plan.planned_investment, plan.completed_before) == (2010, Decimal("670000.00"), Decimal("300000.00"))
    assert project.owner.name == "腾龙芳烃（漳州）有限公司"  # full-width brackets as written
    assert project.owner_contact == "李红"
    assert list(project.leaders.values_list("name", flat=True)) == ["谢毅泰"]
    assert Leader.objects.filter(name="谢毅泰").count() == 1
    stated = {item["column"]: item for item in analysis.reconciliation}
    assert stated["总投资(万元)"]["stated"] == Decimal("2378910.00")
    assert stated["总投资(万元)"]["sum"] == Decimal("1378400.00")
    assert stated["总投资(万元)"]["difference"] == Decimal("-1000510.00") and not stated["总投资(万元)"]["ok"]
    assert stated["2010年计划投资(万元)"]["stated"] == Decimal("1001453.00")
    assert stated["至2009年底累计完成投资(万元)"]["stated"] == Decimal("305000.00")
    assert (stated["项目个数"]["stated"], stated["项目个数"]["sum"]) == (13, 1)


def test_nanping_group_and_total_rows_are_not_projects(city):
    analysis, _result = run(NANPING, NANPING.name, sheet="分级管理", dry_run=True,
                            defaults={"category": "产业", "nature": "新建", "region": "371300"})
    kinds = {row.number: (row.kind, row.label) for row in analysis.rows if row.kind != "blank"}
    assert kinds[5] == ("total", "合计(100项)")
    assert kinds[6][0] == "subtotal" and kinds[6][1].startswith("其中")
    assert kinds[7] == ("subtotal", "预备重点项目(10项)")
    assert kinds[8] == ("group", "一、市本级(48项)")
    assert kinds[9] == ("group", "(一)在建(11项)")
    projects = analysis.project_rows
    assert [r.values["name"] for r in projects] == ["武夷山至邵武高速公路", "顺昌环城路建设工程"]
    assert projects[0].markers == ["●"] and "●" not in projects[0].values["name"]
    # "市本级" is the city of the default region, never the province above it; "（一）在建" the stage.
    assert {r.values["region"] for r in projects} == {city.regions.city}
    assert {r.values["stage"].name for r in projects} == {"在建"}
    assert not analysis.all_errors, [str(e) for e in analysis.all_errors]


def test_nanping_without_a_default_region_warns_and_never_invents_one(city, db_state):
    before = db_state()
    analysis, result = run(NANPING, NANPING.name, sheet="分级管理",
                           defaults={"category": "产业", "nature": "新建"})
    assert result is None
    assert any("市本级" in w.message for w in analysis.all_warnings)
    assert all(r.values.get("region") is None for r in analysis.project_rows)
    # The title's 南平市 is no region of this system: "市本级" is not taken for 临沂市, and the rows say why.
    region_errors = [e.message for e in analysis.all_errors if e.column == "所属区域"]
    assert region_errors and all("市本级" in m and "南平市" in m for m in region_errors)
    assert db_state() == before


# ------------------------------------------------------------------------------ 2. layout features


def test_generated_standard_ledger_imports_exactly(city, db_state):
    analysis, result = run(xlsx(fx.ledger_rows(3)), user=city.users["dispatcher"])
    assert analysis.all_errors == []
    assert (result.created, result.updated) == (3, 0)
    assert analysis.year == fx.YEAR
    project = Project.objects.get(code=fx.code("371302", 900001))
    assert project.total_investment == Decimal("1000.50")
    assert project.region == city.regions.lanshan
    assert project.planned_start == datetime.date(2026, 3, 1)
    assert (project.start_year, project.end_year) == (2025, 2027)
    assert project.owner == city.units.owner  # matched, not duplicated
    assert list(project.leaders.all()) == [city.contact_leader]
    plan = project.annual_plans.get()
    assert (plan.year, plan.planned_investment, plan.completed_before) == (2026, Decimal("200.25"), Decimal("100.00"))
    reason = Project.history.filter(id=project.pk).get().history_change_reason
    assert "台账导入" in reason


@pytest.mark.parametrize(("header", "unit_line", "cell", "expected"), [
    ("总投资（万元）", None, "1,234.56", "1234.56"),
    ("总投资（元）", None, 12345600, "1234.56"),
    ("总投资（亿元）", None, "1.2345", "12345.00"),
    ("总投资", "单位：亿元", 0.75, "7500.00"),
    ("总投资", "单位：元", "１２，３４５，６００", "1234.56"),  # full-width digits and comma
    ("总投资（万元）", "单位：亿元", 500, "500.00"),  # the header's own unit wins (and a warning says so)
])
def test_units_in_headers_and_unit_lines_give_exact_decimals_in_wan_yuan(city, header, unit_line, cell, expected):
    head = list(fx.HEADER)
    head[fx.COL["总投资（万元）"]] = header
    rows = [[fx.TITLE]] + ([[unit_line]] if unit_line else []) + [head, fx.project_row(1, total=cell, plan=None, before=None)]
    analysis, result = run(xlsx(rows), user=city.users["dispatcher"])
    assert analysis.all_errors == [], [str(e) for e in analysis.all_errors]
    assert Project.objects.get().total_investment == Decimal(expected)
    assert isinstance(Project.objects.get().total_investment, Decimal)


def test_header_year_sets_the_plan_year(city):
    head = list(fx.HEADER)
    head[fx.COL[f"{fx.YEAR}年计划投资（万元）"]] = "2031年计划投资（万元）"
    head[fx.COL["建设起止年限"]] = "建设起止年限"
    rows = [head, fx.project_row(1, **{"建设起止年限": "2030-2033"})]
    analysis, _result = run(xlsx(rows), user=city.users["dispatcher"])
    assert analysis.year == 2031 and not analysis.all_errors
    assert AnnualPlan.objects.get().year == 2031
    assert Project.objects.get().year_listed == 2031


def test_two_row_merged_header_with_title(city):
    rows, merges = fx.two_row_header_rows()
    analysis, result = run(xlsx(rows, merges=merges), user=city.users["dispatcher"], create_new=True)
    assert analysis.all_errors == [], [str(e) for e in analysis.all_errors]
    assert analysis.header_rows == (2, 3)
    fields = {c.label: c.field for c in analysis.columns}
    assert fields["项目业主单位/业主名称"] == "owner"
    assert fields["项目业主单位/联系人"] == "owner_contact"
    assert fields["项目业主单位/电话"] == "owner_phone"
    first = Project.objects.get(name="兰山区双层表头项目甲")
    assert first.total_investment == Decimal("12345.00")  # 1.2345 亿元
    assert first.owner.name == "兰山区城投公司" and first.owner_contact == "刘一" and first.owner_phone == "0539-1234567"
    assert Project.objects.get(name="兰山区双层表头项目乙").total_investment == Decimal("5000.00")


def test_group_total_and_footnote_rows_give_context_and_reconcile(city):
    head = ["序号", "项目名称", "项目类别", "建设性质", "总投资（万元）", f"{fx.YEAR}年计划投资（万元）"]
    rows = [
        [fx.TITLE], ["单位：万元"], head,
        ["合计（3项）", None, None, None, "3,600", "400"],
        ["其中：", "在建项目（3项）", None, None, None, None],
        ["一、兰山区（2项）", None, None, None, None, None],
        ["（一）在建", None, None, None, None, None],
        ["1★", "分组项目甲", "道路桥梁", "新建", 1000, 100],
        ["2", "分组项目乙", "道路桥梁", "新建", 1500, 200],
        ["二、罗庄区（1项）", None, None, None, None, None],
        ["（一）新开工", None, None, None, None, None],
        ["●3", "分组项目丙", "道路桥梁", "新建", 1000, 100],
        ["注：本表金额单位为万元。", None, None, None, None, None],
        ["备注：", "数据截至3月底", None, None, None, None],
    ]
    analysis, result = run(xlsx(rows), user=city.users["dispatcher"])
    assert result is None and analysis.unconfirmed == ["total_mismatch"]  # 3,600 stated, 3,500 read
    analysis, result = run(xlsx(rows), user=city.users["dispatcher"], accept_total_mismatch=True)
    assert analysis.all_errors == [], [str(e) for e in analysis.all_errors]
    kinds = [(r.number, r.kind) for r in analysis.rows if r.kind != "blank"]
    assert kinds == [(4, "total"), (5, "subtotal"), (6, "group"), (7, "group"), (8, "project"), (9, "project"),
                     (10, "group"), (11, "group"), (12, "project"), (13, "footnote"), (14, "footnote")]
    projects = {p.name: p for p in Project.objects.select_related("region", "stage")}
    assert set(projects) == {"分组项目甲", "分组项目乙", "分组项目丙"}
    assert projects["分组项目甲"].region == city.regions.lanshan and projects["分组项目甲"].stage.name == "在建"
    assert projects["分组项目乙"].region == city.regions.lanshan
    assert projects["分组项目丙"].region == city.regions.luozhuang and projects["分组项目丙"].stage.name == "新开工"
    assert "★" in projects["分组项目甲"].remarks and "●" in projects["分组项目丙"].remarks
    recon = {item["column"]: item for item in analysis.reconciliation}
    assert recon["总投资(万元)"]["stated"] == Decimal("3600.00")
    assert recon["总投资(万元)"]["sum"] == Decimal("3500.00")
    assert recon["总投资(万元)"]["difference"] == Decimal("-100.00") and not recon["总投资(万元)"]["ok"]
    assert recon[f"{fx.YEAR}年计划投资(万元)"]["ok"]
    assert recon["项目个数"]["ok"]


def test_group_naming_no_known_region_warns_and_rows_are_errors_without_a_default(city, db_state):
    head = ["序号", "项目名称", "项目类别", "建设性质", "项目阶段", "总投资（万元）"]
    rows = [head, ["一、河东区（1项）", None, None, None, None, None], [1, "河东项目", "道路桥梁", "新建", "在建", 100]]
    before = db_state()
    analysis, result = run(xlsx(rows))  # the system (no user): no own region to fall back on
    assert result is None
    warning = next(w for w in analysis.all_warnings if w.row == 2)
    assert "河东区" in warning.message and "不是已知的区域" in warning.message
    row_errors = [e for e in analysis.all_errors if e.row is not None]
    assert [(e.row, e.column) for e in row_errors] == [(3, "所属区域")]
    assert "河东区" in row_errors[0].message and "不是系统中的区域" in row_errors[0].message
    assert db_state() == before
    assert not Project.objects.exists() and not __import__("tuijin.org.models", fromlist=["Region"]).Region.objects.filter(name__contains="河东").exists()
    analysis, result = run(xlsx(rows), defaults={"region": "371311"})
    assert not analysis.all_errors and result.created == 1
    assert Project.objects.get().region == city.regions.luozhuang


@pytest.mark.parametrize(("period", "expected"), [("2009-2011", (2009, 2011)), ("2010-", (2010, None)),
                                                  ("2024年—2026年", (2024, 2026))])
def test_periods(city, period, expected):
    analysis, _result = run(xlsx([fx.HEADER, fx.project_row(1, **{"建设起止年限": period})]), user=city.users["dispatcher"])
    assert not analysis.all_errors, [str(e) for e in analysis.all_errors]
    project = Project.objects.get()
    assert (project.start_year, project.end_year) == expected


@pytest.mark.parametrize("value", ["2023年3月", "2023.3", "2023-03", 44986, datetime.datetime(2023, 3, 1)])
def test_dates(city, value):
    analysis, _result = run(xlsx([fx.HEADER, fx.project_row(1, **{"计划开工日期": value})]), user=city.users["dispatcher"])
    assert not analysis.all_errors, [str(e) for e in analysis.all_errors]
    assert Project.objects.get().planned_start == datetime.date(2023, 3, 1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(city, encoding):
    rows = fx.ledger_rows(2, total="１２,３４５.６", plan="1,000")
    data = fx.csv_bytes(rows, encoding)
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    analysis, result = run(data, "台账.csv", user=city.users["dispatcher"])
    assert not analysis.all_errors, [str(e) for e in analysis.all_errors]
    assert result.created == 2
    assert set(Project.objects.values_list("total_investment", flat=True)) == {Decimal("12345.60")}
    assert set(AnnualPlan.objects.values_list("planned_investment", flat=True)) == {Decimal("1000.00")}
    assert Project.objects.filter(name="测试导入项目001", region=city.regions.lanshan).exists()


# ------------------------------------------------------------------------------------- 3. matching


def test_existing_project_is_matched_by_code_and_updated_with_history(city, own_project):
    version = own_project.version
    history = Project.history.filter(id=own_project.pk).count()
    row = fx.project_row(1, name="兰山区北城新区道路改造工程（改名）", total="20000.00")
    row[fx.COL["项目代码"]] = own_project.code
    analysis, result = run(xlsx([fx.HEADER, row]), user=city.users["reporter_a"])
    assert not analysis.all_errors and (result.created, result.updated) == (0, 1)
    own_project.refresh_from_db()
    assert own_project.name == "兰山区北城新区道路改造工程（改名）"
    assert own_project.total_investment == Decimal("20000.00")
    assert own_project.version == version + 1
    assert Project.objects.count() == 1
    newest = Project.history.filter(id=own_project.pk).order_by("-history_id").first()
    assert Project.history.filter(id=own_project.pk).count() == history + 1
    assert newest.history_change_reason == "台账导入：台账.xlsx"
    assert newest.history_user == city.users["reporter_a"]


def test_existing_project_is_matched_by_name_within_its_region(city, own_project):
    row = fx.project_row(1, name=" 兰山区北城新区道路改造工程 ", total="13000", plan="2100")
    row[fx.COL["项目代码"]] = ""
    analysis, result = run(xlsx([fx.HEADER, row]), user=city.users["reporter_a"])
    assert not analysis.all_errors, [str(e) for e in analysis.all_errors]
    assert (result.created, result.updated) == (0, 1)
    own_project.refresh_from_db()
    assert own_project.total_investment == Decimal("13000.00")
    assert own_project.annual_plans.get(year=fx.YEAR).planned_investment == Decimal("2100.00")
    # The same name in another region is another project.
    row[fx.COL["所属区域"]] = "罗庄区"
    analysis, result = run(xlsx([fx.HEADER, row]), user=city.users["dispatcher"])
    assert (result.created, result.updated) == (1, 0)
    assert Project.objects.filter(name="兰山区北城新区道路改造工程").count() == 2


def test_duplicate_code_in_one_file_names_both_rows(city, db_state):
    rows = fx.ledger_rows(2)
    rows[4][fx.COL["项目代码"]] = rows[3][fx.COL["项目代码"]]
    before = db_state()
    analysis, result = run(xlsx(rows), user=city.users["dispatcher"])
    error = only_error(analysis)
    assert (error.sheet, error.row, error.column, error.letter) == ("台账", 5, "项目代码", "B")
    assert "与第4行的项目代码相同" in error.message
    assert result is None and db_state() == before


def test_duplicate_name_in_one_region_names_both_rows(city, db_state):
    rows = fx.ledger_rows(2)
    rows[4][fx.COL["项目名称"]] = rows[3][fx.COL["项目名称"]]
    rows[4][fx.COL["项目代码"]] = ""
    before = db_state()
    analysis, result = run(xlsx(rows), user=city.users["dispatcher"])
    error = only_error(analysis)
    assert (error.row, error.column, error.letter) == (5, "项目名称", "C")
    assert "与第4行是同一区域的同名项目" in error.message
    assert result is None and db_state() == before


def test_reporter_cannot_import_a_row_of_another_district(city, db_state):
    rows = fx.ledger_rows(2)
    rows[4][fx.COL["所属区域"]] = "罗庄区"
    before, count = db_state(), counts()
    analysis, result = run(xlsx(rows), user=city.users["reporter_a"])
    error = only_error(analysis)
    assert (error.row, error.column) == (5, "所属区域")
    assert error.message == "“罗庄区”不在您的管辖范围内，不能导入该区域的项目"
    assert result is None and db_state() == before and counts() == count


def test_existing_project_out_of_scope_is_an_error(city, other_project, db_state):
    row = fx.project_row(1, region="兰山区", name="随便改个名")
    row[fx.COL["项目代码"]] = other_project.code  # 罗庄区's project, matched by code
    row[fx.COL["所属区域"]] = ""
    before = db_state()
    analysis, result = run(xlsx([fx.HEADER, row]), user=city.users["reporter_a"])
    messages = [e.message for e in analysis.all_errors]
    assert "该项目已在系统中，但不在您的管辖范围内" in messages
    assert result is None and db_state() == before
    other_project.refresh_from_db()
    assert other_project.name == "罗庄区河道综合治理工程"


def test_roles_that_cannot_import_are_refused(city, db_state):
    before = db_state()
    for name in ("leader", "handler", "inspector", "outsider"):
        with pytest.raises(ImportError_, match="您的角色不能导入项目台账"):
            run(xlsx(fx.ledger_rows(1)), user=city.users[name])
    assert db_state() == before


# -------------------------------------------------------------------------- 4. validation, atomicity

HEADER_OF = {h: label(h) for h in fx.HEADER}
BAD_CELLS = [
    # (header, bad value, fragment of the Chinese reason)
    ("总投资（万元）", "暂无", "不是有效的金额"),
    ("总投资（万元）", -5, "总投资不能为负数"),
    (f"{fx.YEAR}年计划投资（万元）", "950", "年度计划投资不能超过剩余投资"),
    ("计划开工日期", "2026-02-30", "2026-02-30"),
    ("项目名称", "长" * 201, "不能超过200个字"),
    ("项目代码", "2026-37130-48-01-1", "项目代码格式应为"),
    ("所属区域", "河东区", "区域“河东区”不存在"),
    ("建设性质", "胡乱", "不是有效的建设性质"),
    ("建设起止年限", "2030-2020", "开始年份晚于结束年份"),
]


@pytest.mark.parametrize(("header", "value", "reason"), BAD_CELLS, ids=[b[0] + ":" + str(b[1])[:12] for b in BAD_CELLS])
def test_one_bad_cell_rejects_the_whole_file_and_names_the_cell(city, db_state, header, value, reason):
    rows = fx.ledger_rows(3)
    rows[5][fx.COL[header]] = value  # the third project, spreadsheet row 6
    before, count = db_state(), counts()
    analysis, result = run(xlsx(rows), user=city.users["dispatcher"])
    errors = analysis.all_errors
    assert errors, "the bad cell was not noticed"
    relevant = [e for e in errors if reason in e.message]
    assert relevant, [str(e) for e in errors]
    error = relevant[0]
    assert error.sheet == "台账" and error.row == 6
    if header == f"{fx.YEAR}年计划投资（万元）":
        assert error.column in (HEADER_OF[header], HEADER_OF["总投资（万元）"])
    else:
        assert error.column == HEADER_OF[header] and error.letter == fx.LETTER[header]
    assert "第6行" in str(error) and error.column in str(error)
    assert result is None
    assert db_state() == before and counts() == count
    # The other two rows go in, in one transaction, when the user asks for the valid rows only.
    analysis, result = run(xlsx(rows), user=city.users["dispatcher"], valid_only=True)
    assert (result.created, result.skipped) == (2, 1)
    assert set(Project.objects.values_list("name", flat=True)) == {"测试导入项目001", "测试导入项目002"}


def test_valid_only_rolls_back_everything_when_the_write_fails(city, db_state, monkeypatch):
    from tuijin.projects import services as project_services

    rows = fx.ledger_rows(3)
    rows[5][fx.COL["总投资（万元）"]] = "暂无"
    before = db_state()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(project_services, "_bulk_save_plans", boom)
    with pytest.raises(RuntimeError):
        run(xlsx(rows), user=city.users["dispatcher"], valid_only=True)
    assert db_state() == before
    assert Unit.objects.filter(name="临沂城市建设投资集团有限公司").count() == 1


def test_search_text_names_the_owner_as_stored_not_as_the_sheet_writes_it(city):
    """The owner a sheet writes with a space in its name is the stored unit (names match loosely), and the
    project is found by the stored name, as after an edit (Project.build_search_text): one search text."""
    rows = fx.ledger_rows(2)
    for row in rows[3:]:
        row[fx.COL["项目业主"]] = "临沂城市建设投资集团 有限公司"
    _analysis, result = run(xlsx(rows), user=city.users["dispatcher"])
    assert result.created == 2 and not result.units_created
    for project in Project.objects.select_related("owner"):
        assert project.owner == city.units.owner
        assert project.search_text == project.build_search_text()
        assert "临沂城市建设投资集团有限公司" in project.search_text


CORRUPTIONS = st.sampled_from(BAD_CELLS[:6] + [
    ("总投资（万元）", "1.2.3", "不是有效的金额"),
    ("开工至上年底累计完成投资（万元）", "abc", "不是有效的金额"),
    ("计划开工日期", "2026-13-01", "2026-13-01"),
])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(min_value=1, max_value=6), data=st.data(), corruption=CORRUPTIONS)
def test_p_import_one_corrupt_cell_writes_nothing_and_names_that_cell(city, rows, data, corruption):
    """P-IMPORT: a valid generated sheet with exactly one cell corrupted."""
    header, value, reason = corruption
    target = data.draw(st.integers(min_value=0, max_value=rows - 1), label="row")
    sheet = fx.ledger_rows(rows)
    sheet[fx.HEADER_ROW + target][fx.COL[header]] = value
    before = counts()
    analysis, result = run(xlsx(sheet), user=city.users["dispatcher"])
    assert result is None
    assert counts() == before
    errors = analysis.all_errors
    assert errors
    assert {(e.sheet, e.row) for e in errors} == {("台账", fx.HEADER_ROW + 1 + target)}
    hits = [e for e in errors if reason in e.message]
    assert hits, [str(e) for e in errors]
    if header != f"{fx.YEAR}年计划投资（万元）":
        assert (hits[0].column, hits[0].letter) == (HEADER_OF[header], fx.LETTER[header])


# ------------------------------------------------------------------------------ 5. IMP-CORPUS

REJECTED = sorted(name for name, builder in CORPUS.items() if name in MESSAGES)
READABLE = sorted(name for name in CORPUS if name not in MESSAGES)


@pytest.mark.parametrize("name", REJECTED)
def test_corpus_rejected_files_raise_a_chinese_message_and_write_nothing(city, db_state, tmp_path, name, settings):
    path, expected = CORPUS[name](tmp_path)
    assert expected == "reject"
    before = db_state()
    with pytest.raises(SheetReadError) as caught:
        run(path, path.name, user=city.users["dispatcher"])
    assert MESSAGES[name] in caught.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
    assert db_state() == before


# What the importer makes of each readable corpus file (they were written for the reader, not as ledgers):
# no header at all, or the required columns the file lacks (asked for by name) plus the row errors it has.
HEADERLESS = "表头"
PRIMARY = ["建设性质", "项目名称", "项目类别", "项目级别", "项目阶段"]  # a sheet whose header has no project name
READABLE_OUTCOMES = {
    "cell_32767_chars": (PRIMARY, ["项目名称不能为空"]),
    "control_characters": (["建设性质", "项目类别", "项目阶段"], ["总投资不能为空"]),
    "epoch_1904": (PRIMARY, ["项目名称不能为空"]),
    "formula_injection_text": (["建设性质", "项目类别", "项目阶段"], ["总投资不能为空"]),
    "formula_without_cached_value": (PRIMARY, ["项目名称不能为空"]),
    "gbk_csv_mislabelled": (["建设性质", "项目类别", "项目阶段"], []),
    "header_only": (["建设性质", "项目类别", "项目级别", "项目阶段"], ["未找到项目行"]),
    "lying_dimension": HEADERLESS,
    "merged_data_area": (["建设性质", "项目阶段"], ["总投资不能为空"]),
    "merged_ods": HEADERLESS,
    "real_template_xls": (["项目类别"], []),
    "twenty_sheets": (["建设性质", "项目类别", "项目阶段"], ["总投资不能为空"]),
    "utf16_tab_csv": (["建设性质", "项目类别", "项目阶段"], ["总投资不能为空"]),
    "utf8_bom_csv": (["建设性质", "项目类别", "项目阶段"], ["总投资不能为空"]),
    "xls_really_xlsx": (["建设性质", "项目类别", "项目阶段"], []),
    "xlsx_really_xls": (["项目类别"], []),
}


def test_every_readable_corpus_file_has_an_expected_outcome():
    assert set(READABLE_OUTCOMES) == set(READABLE)


@pytest.mark.parametrize("name", READABLE)
def test_corpus_readable_files_are_refused_for_what_they_lack_and_write_nothing(city, db_state, tmp_path, name):
    """Awkward but readable files are read without a crash and refused in Chinese for what they lack as a
    ledger: no header (ImportError_), or the missing required columns, each named; nothing is written."""
    path, expected = CORPUS[name](tmp_path)
    assert expected == "read"
    before = db_state()
    if READABLE_OUTCOMES[name] == HEADERLESS:
        with pytest.raises(ImportError_, match="找不到表头"):
            run(path, path.name, user=city.users["reporter_a"])
        assert db_state() == before
        return
    missing, row_errors = READABLE_OUTCOMES[name]
    analysis, result = run(path, path.name, user=city.users["reporter_a"])
    assert result is None and db_state() == before
    messages = [issue.message for issue in analysis.all_errors]
    asked = sorted(re.findall("“(.+?)”列", message)[0] for message in messages if "列" in message)
    assert asked == missing, messages
    others = [message for message in messages if "列" not in message]
    assert len(others) == len(row_errors) and all(
        message.startswith(start) for message, start in zip(others, row_errors, strict=True)), messages


# Generated bad ledgers beyond the corpus: each a whole file refused with (sheet, row, column, reason).
BAD_FILES = {
    "header_missing": ([["甲", "乙"], ["1", "2"]], None, None, "找不到表头"),
    "renamed_name_header": ([["序号", "工程名字", "总投资"], [1, "项目", 100]], None, None, "没有找到“项目名称”列"),
    "duplicate_headers": ([["序号", "项目名称", "总投资", "项目总投资", "项目类别", "建设性质", "项目阶段"],
                           [1, "重复表头项目", 100, 200, "道路桥梁", "新建", "在建"]], None, "项目总投资", "都对应“总投资”"),
    "missing_required_column": ([["序号", "项目名称", "总投资（万元）"], [1, "缺列项目", 100]], None, "建设性质", "表中没有“建设性质”列"),
    "missing_total": ([fx.HEADER, fx.project_row(1, total=None, plan=None, before=None)], 2, "总投资(万元)", "总投资不能为空"),
    "name_blank_with_code": ([fx.HEADER, fx.project_row(1, name=" ")], 2, "项目名称", "项目名称不能为空"),
    "before_plus_plan_over_total": ([fx.HEADER, fx.project_row(1, total="100", plan="60", before="50")], 2, None, "不能超过剩余投资"),
    "year_out_of_range": ([fx.HEADER, fx.project_row(1, **{"建设起止年限": "1890-1895"})], 2, "建设起止年限", None),
    "amount_too_big": ([fx.HEADER, fx.project_row(1, total="1e15")], 2, "总投资(万元)", None),
    "unknown_category": ([fx.HEADER, fx.project_row(1, **{"项目类别": "星际旅行"})], 2, "项目类别", "不是有效的项目类别"),
    "code_used_elsewhere_in_file_and_db": None,  # covered by the matching tests above
}


@pytest.mark.parametrize("name", sorted(k for k, v in BAD_FILES.items() if v))
def test_generated_bad_ledgers_are_refused_whole(city, db_state, name):
    rows, row, column, reason = BAD_FILES[name]
    before = db_state()
    try:
        analysis, result = run(xlsx(rows), user=city.users["dispatcher"])
    except ImportError_ as exc:
        assert reason in str(exc)
        assert db_state() == before
        return
    assert result is None
    errors = analysis.all_errors
    assert errors
    error = next(e for e in errors if (row is None or e.row == row) and (reason is None or reason in e.message))
    assert error.sheet == "台账"
    if column:
        assert error.column == column, [str(e) for e in errors]
    if reason:
        assert any(reason in e.message for e in errors), [str(e) for e in errors]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message)
    assert db_state() == before


def test_imp_corpus_has_at_least_40_files():
    assert len(REJECTED) + len(READABLE) + len([v for v in BAD_FILES.values() if v]) + len(BAD_CELLS) >= 40
    assert len(REJECTED) >= 25


def test_every_rejection_path_keeps_database_and_import_folder_clean(city, tmp_path, settings):
    """An unreadable upload is never kept in the data directory (services.batch_start)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = str(tmp_path / "data")
    for name in REJECTED[:10]:
        path, _expected = CORPUS[name](tmp_path)
        upload = SimpleUploadedFile(path.name, path.read_bytes()[: 20 * 1024 * 1024 + 1])
        with pytest.raises(SheetReadError):
            services.batch_start(city.users["dispatcher"], upload)
    assert list((Path(settings.DATA_DIR) / "imports").iterdir()) == []
