"""Ledger export: the standard .xlsx layout and the .csv, read back with openpyxl, python-calamine and
the csv module; the same filter, sort and scope as the ledger page; no formula ever; exact money."""

import csv
import io
import json
import re
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from urllib.parse import quote

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tests import factories as f
from tests.clock import NEW_YEAR, YEAR_END
from tests.conftest import PRINCIPALS
from tuijin.core.fields import CENT, MAX_MONEY
from tuijin.core.sheets import writer
from tuijin.ledgerio.exporting import ledger_columns
from tuijin.projects.models import AnnualPlan, Level, Program, Project, ProjectLeader, ProjectResponsibleUnit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_day")]  # on a chosen day of 2026 (tests/clock.py)
YEAR = 2026
COLUMNS = ledger_columns(YEAR)
KEYS = [column.key for column in COLUMNS]
TITLE_ROW, SUBTITLE_ROW, HEADER_ROWS, TOTALS_ROW, FIRST_ROW = 1, 2, (3, 4), 5, 6  # 1-based, as in Excel
LAST_LETTER = openpyxl.utils.get_column_letter(len(COLUMNS))
INJECTIONS = ["=cmd|' /c calc'!A1", "+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", "'=1+1", "=HYPERLINK(\"http://x\")"]

# The standard columns in order, with their exact headers (group header / header): what the importer
# maps back. A change here is a change of the exchange format.
STANDARD_HEADERS = [
    "序号", "项目代码", "项目名称", "入库入统代码", "所属区域", "区划代码", "列入年度", "项目级别", "项目类别",
    "建设性质", "项目阶段", "专项行动", "建设地点", "坐标（经度,纬度）", "建设内容及规模", "建设起止年限", "计划开工日期", "计划竣工日期",
    "建设用地面积（亩）", "总投资（万元）", f"{YEAR}年计划投资（万元）", "开工至上年底累计完成投资（万元）", "年度建设目标",
    # as of one period by one rule (issue #13 §3); no period is open in these tests
    "本年累计完成（尚无调度期）/本年累计完成投资（万元）", "本年累计完成（尚无调度期）/完成率（%）",
    "本年累计完成（尚无调度期）/形象进度", "预警", "预警原因",
    "项目业主单位/业主名称", "项目业主单位/联系人", "项目业主单位/联系电话", "牵头单位", "责任单位",
    "项目领导/分包领导", "项目领导/挂点领导", "项目领导/联系领导", "备注",
]


# ------------------------------------------------------------------------------------------ helpers


def export(client, fmt: str = "xlsx", **params):
    response = client.get(reverse(f"ledgerio:export_{fmt}"), params)
    assert response.status_code == 200, response.content[:300]
    return response


def sheet_of(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def sheet_xml(response) -> bytes:
    return zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")


def data_rows(ws) -> list[dict]:
    """The project rows (below 合计) as {column key: cell}."""
    return [dict(zip(KEYS, row, strict=True)) for row in ws.iter_rows(min_row=FIRST_ROW, max_col=len(KEYS))]


def values(ws) -> list[dict]:
    return [{key: cell.value for key, cell in row.items()} for row in data_rows(ws)]


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(StringIO(text, newline="")))


def csv_dicts(response) -> list[dict]:
    """The project rows (below 合计) as {column key: text}."""
    _header, _totals, *rows = csv_rows(response)
    return [dict(zip(KEYS, row, strict=True)) for row in rows]


def calamine_rows(response) -> list[list]:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    return sheet.to_python(skip_empty_area=False)


def money(value) -> Decimal:
    """An amount read back from a sheet (a float or int; text from a CSV) as the Decimal written."""
    return Decimal(value if isinstance(value, str) else repr(value)).quantize(CENT)


def ledger_names(client, **params) -> list[str]:
    response = client.get(reverse("projects:list"), params)
    assert response.status_code == 200
    return [p.name for p in response.context["rows"]]


@pytest.fixture
def as_dispatcher(client, users):
    client.force_login(users["dispatcher"])
    return client


@pytest.fixture
def rich_project(city):
    """A 兰山区 project with every standard column filled, leaders in all three roles."""
    linked = f.LeaderFactory(name="陈志远", title="区长")
    coordinating = f.LeaderFactory(name="李明", title="副区长")
    project = f.ProjectFactory(
        name="兰山区北城新区道路改造工程",
        code="2026-371302-48-01-000001",
        stats_code="3713021234567",
        region=city.regions.lanshan,
        lead_unit=city.units.lanshan_government,
        owner=city.units.owner,
        owner_contact="张三",
        owner_phone="0539-8888888",
        address="兰山区北城新区",
        longitude=Decimal("118.340000"),
        latitude=Decimal("35.060000"),
        scale="新建道路3.2公里\n配套雨污管网",
        total_investment=Decimal("12345.67"),
        start_year=YEAR - 1,
        end_year=YEAR + 2,
        planned_start=date(YEAR - 1, 3, 1),
        planned_completion=date(YEAR + 2, 12, 31),
        land_area=Decimal("85.50"),
        remarks="省市共建",
        programs=[f.dictionary(Program, "重大项目攻坚年")],
        responsible_units=[city.units.transport, city.units.land],
        leaders=[(city.contact_leader, "contracted"), (linked, "linked"), (coordinating, "coordinating")],
    )
    f.AnnualPlanFactory(
        project=project, planned_investment=Decimal("2000.00"), completed_before=Decimal("3456.78"),
        construction_goal="完成路基工程",
    )
    return project


# ------------------------------------------------------------------------------------- the layout


def test_the_xlsx_has_a_title_a_unit_line_and_a_two_row_header(as_dispatcher, own_project):
    ws = sheet_of(export(as_dispatcher))
    assert ws.title == "重点项目台账"
    assert ws.cell(TITLE_ROW, 1).value == f"临沂市{YEAR}年重点项目台账"
    subtitle = ws.cell(SUBTITLE_ROW, 1).value
    assert re.fullmatch(r"单位：万元　\d{4}年尚无调度期，不含本年累计完成　导出时间：\d{4}-\d\d-\d\d \d\d:\d\d", subtitle)
    upper = [ws.cell(HEADER_ROWS[0], col).value for col in range(1, len(COLUMNS) + 1)]
    lower = [ws.cell(HEADER_ROWS[1], col).value for col in range(1, len(COLUMNS) + 1)]
    flattened, group = [], None
    for top, bottom in zip(upper, lower, strict=True):
        group = top if top is not None and bottom is not None else (None if top is not None else group)
        flattened.append(f"{group}/{bottom}" if group else top)
    assert flattened == STANDARD_HEADERS
    assert [column.flat_header for column in COLUMNS] == STANDARD_HEADERS


@pytest.mark.parametrize("on_day", [(*NEW_YEAR, 0, 30)], indirect=True)  # UTC: still 2026-12-31 16:30
def test_the_export_time_is_shanghai_time(on_day, as_dispatcher, own_project):
    subtitle = sheet_of(export(as_dispatcher)).cell(SUBTITLE_ROW, 1).value
    shown = datetime.strptime(subtitle.split("导出时间：")[1], "%Y-%m-%d %H:%M")
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"
    assert datetime(2027, 1, 1, 0, 30) <= shown <= datetime(2027, 1, 1, 0, 32)


def test_group_headers_are_merged_over_their_columns_and_the_others_span_both_header_rows(as_dispatcher, own_project):
    ws = sheet_of(export(as_dispatcher))
    merged = {str(r) for r in ws.merged_cells.ranges}
    col = {key: openpyxl.utils.get_column_letter(i) for i, key in enumerate(KEYS, start=1)}
    assert f"A1:{LAST_LETTER}1" in merged and f"A2:{LAST_LETTER}2" in merged
    assert f"{col['owner']}3:{col['owner_phone']}3" in merged
    assert ws[f"{col['owner']}3"].value == "项目业主单位"
    assert f"{col['leaders_contracted']}3:{col['leaders_coordinating']}3" in merged
    assert ws[f"{col['leaders_contracted']}3"].value == "项目领导"
    for key in ("number", "name", "total_investment", "planned_investment", "remarks"):
        assert f"{col[key]}3:{col[key]}4" in merged, key
    assert f"A{TOTALS_ROW}:C{TOTALS_ROW}" in merged  # 合计（N项） over 序号, 项目代码, 项目名称


def test_the_panes_are_frozen_below_the_header_and_right_of_the_project_name(as_dispatcher, own_project):
    ws = sheet_of(export(as_dispatcher))
    assert ws.freeze_panes == "D5"
    assert ws.cell(3, 3).value == "项目名称"  # column C, the last one frozen


def test_money_is_a_number_with_two_places_and_separators(as_dispatcher, rich_project):
    ws = sheet_of(export(as_dispatcher))
    row = data_rows(ws)[0]
    for key in ("total_investment", "planned_investment", "completed_before", "land_area"):
        assert row[key].data_type == "n"
        assert row[key].number_format == "#,##0.00"
    assert row["planned_start"].is_date and row["planned_start"].number_format == "yyyy-mm-dd"
    totals = {key: ws.cell(TOTALS_ROW, i).number_format for i, key in enumerate(KEYS, start=1)}
    assert totals["total_investment"] == "#,##0.00"


def test_columns_have_widths_and_long_text_wraps(as_dispatcher, rich_project):
    ws = sheet_of(export(as_dispatcher))
    widths = {key: ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i, key in enumerate(KEYS, 1)}
    assert widths["name"] > widths["number"] and widths["scale"] >= 30
    row = data_rows(ws)[0]
    assert row["name"].alignment.wrap_text and row["scale"].alignment.wrap_text
    assert row["name"].border.left.style == "thin"


def test_a_project_row_holds_every_standard_column(as_dispatcher, rich_project):
    ws = sheet_of(export(as_dispatcher))
    (row,) = values(ws)
    assert row == {
        "number": 1,
        "code": "2026-371302-48-01-000001",
        "name": "兰山区北城新区道路改造工程",
        "stats_code": "3713021234567",
        "region": "兰山区",
        "region_code": "371302",
        "year_listed": YEAR,
        "level": "市重点",
        "category": "市政 / 道路桥梁",
        "nature": "新建",
        "stage": "续建",
        "programs": "重大项目攻坚年",
        "address": "兰山区北城新区",
        "coordinates": "118.340000,35.060000",
        "scale": "新建道路3.2公里\n配套雨污管网",
        "period": f"{YEAR - 1}-{YEAR + 2}",
        "planned_start": datetime(YEAR - 1, 3, 1),
        "planned_completion": datetime(YEAR + 2, 12, 31),
        "land_area": 85.5,
        "total_investment": 12345.67,
        "planned_investment": 2000,
        "completed_before": 3456.78,
        "construction_goal": "完成路基工程",
        "completed_ytd": None, "completion_rate": None, "progress": None, "light": "绿灯", "light_reason": None,
        "owner": "临沂城市建设投资集团有限公司",
        "owner_contact": "张三",
        "owner_phone": "0539-8888888",
        "lead_unit": "兰山区人民政府",
        "responsible_units": "临沂市交通运输局、临沂市自然资源和规划局",
        "leaders_contracted": "王建国",
        "leaders_linked": "陈志远",
        "leaders_coordinating": "李明",
        "remarks": "省市共建",
    }
    assert row["stats_code"] == "3713021234567" and data_rows(ws)[0]["stats_code"].data_type == "s"


def test_the_csv_row_holds_the_same_values_as_text(as_dispatcher, rich_project):
    (row,) = csv_dicts(export(as_dispatcher, "csv"))
    assert row["planned_start"] == f"{YEAR - 1}-03-01"
    assert row["total_investment"] == "12345.67" and row["planned_investment"] == "2000.00"
    assert row["land_area"] == "85.50" and row["year_listed"] == str(YEAR) and row["number"] == "1"
    assert row["scale"] == "新建道路3.2公里\n配套雨污管网"
    assert row["owner_phone"] == "0539-8888888"
    assert row["leaders_contracted"] == "王建国" and row["leaders_coordinating"] == "李明"


def test_empty_cells_are_empty_not_zero_or_dashes(as_dispatcher, city):
    f.ProjectFactory(region=city.regions.lanshan, start_year=None, end_year=None, plan=Decimal("1.00"))
    (row,) = values(sheet_of(export(as_dispatcher)))
    for key in ("code", "programs", "period", "planned_start", "land_area", "owner", "leaders_linked", "remarks"):
        assert row[key] is None, key
    (csv_row,) = csv_dicts(export(as_dispatcher, "csv"))
    assert csv_row["period"] == "" and csv_row["land_area"] == ""


# ------------------------------------------------------------------------------------ exact money


AMOUNTS = [
    Decimal("0.01"), Decimal("0.07"), Decimal("0.10"), Decimal("1.10"), Decimal("2.675"), Decimal("12345.67"),
    Decimal("99999.99"), Decimal("123456789.01"), Decimal("999999999999.99"), MAX_MONEY, Decimal("0.00"),
    Decimal("3.14"), Decimal("1000000.05"), Decimal("8888.88"), Decimal("0.30"),
]


def test_the_totals_row_is_the_exact_decimal_sum(as_dispatcher, regions):
    amounts = [a.quantize(CENT) for a in AMOUNTS]
    f.bulk_projects(len(amounts), region=regions.lanshan, amounts=amounts, plan=Decimal("0.03"))
    response = export(as_dispatcher)
    ws = sheet_of(response)
    totals = {key: ws.cell(TOTALS_ROW, i).value for i, key in enumerate(KEYS, start=1)}
    assert totals["number"] == f"合计（{len(amounts)}项）"
    assert money(totals["total_investment"]) == sum(amounts)
    assert money(totals["planned_investment"]) == Decimal("0.03") * len(amounts)
    header, csv_totals, *_ = csv_rows(export(as_dispatcher, "csv"))
    by_key = dict(zip(KEYS, csv_totals, strict=True))
    assert by_key["number"] == f"合计（{len(amounts)}项）"
    assert Decimal(by_key["total_investment"]) == sum(amounts)
    assert by_key["completed_before"] == "0.00"


def test_amounts_read_back_are_the_decimals_written_with_openpyxl_calamine_and_csv(as_dispatcher, regions):
    import random

    rng = random.Random(20261122)
    amounts = [a.quantize(CENT) for a in AMOUNTS]
    amounts += [Decimal(rng.randint(0, 10**15 - 1)) / 100 for _ in range(120)]
    amounts += [Decimal(rng.randint(0, 10**6)) / 100 for _ in range(60)]
    projects = f.bulk_projects(len(amounts), region=regions.lanshan, amounts=amounts, plan=None)
    AnnualPlan.objects.bulk_create(
        AnnualPlan(project=p, year=YEAR, planned_investment=a, completed_before=amounts[-1 - i])
        for i, (p, a) in enumerate(zip(projects, amounts, strict=True))
    )
    expected = {
        (p.name, a, amounts[-1 - i]) for i, (p, a) in enumerate(zip(projects, amounts, strict=True))
    }

    response = export(as_dispatcher, year=YEAR)
    rows = values(sheet_of(response))
    assert {(r["name"], money(r["total_investment"]), money(r["completed_before"])) for r in rows} == expected
    assert all(money(r["planned_investment"]) == money(r["total_investment"]) for r in rows)
    name_col, total_col = KEYS.index("name"), KEYS.index("total_investment")
    before_col = KEYS.index("completed_before")
    calamine = calamine_rows(response)[FIRST_ROW - 1:]
    assert {(r[name_col], money(r[total_col]), money(r[before_col])) for r in calamine} == expected
    csv_values = csv_dicts(export(as_dispatcher, "csv", year=YEAR))
    assert {(r["name"], Decimal(r["total_investment"]), Decimal(r["completed_before"])) for r in csv_values} == expected


def test_a_re_read_export_gives_back_every_projects_values(as_dispatcher, regions, units, contact_leader):
    """What an importer reads from the file is what the database holds (EXP-RT for the ledger)."""
    projects = f.bulk_projects(40, region=regions.lanshan, plan=Decimal("12.34"), lead_unit=units.lanshan_government)
    for project in projects[::3]:
        ProjectLeader.objects.create(project=project, leader=contact_leader, role="linked")
        ProjectResponsibleUnit.objects.create(project=project, unit=units.transport)
    by_name = {p.name: p for p in Project.objects.all()}
    for fmt in ("xlsx", "csv"):
        response = export(as_dispatcher, fmt)
        rows = values(sheet_of(response)) if fmt == "xlsx" else csv_dicts(response)
        assert len(rows) == 40
        for row in rows:
            project = by_name[row["name"]]
            assert money(row["total_investment"]) == project.total_investment
            assert money(row["planned_investment"]) == Decimal("12.34")
            assert row["lead_unit"] == "兰山区人民政府"
            linked = ProjectLeader.objects.filter(project=project).exists()
            assert (row["leaders_linked"] or "") == ("王建国" if linked else "")
            assert (row["responsible_units"] or "") == ("临沂市交通运输局" if linked else "")


# ----------------------------------------------------------------------------------------- the csv


def test_the_csv_is_utf8_with_a_bom_and_crlf_line_ends(as_dispatcher, rich_project):
    response = export(as_dispatcher, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf\xe5\xba\x8f\xe5\x8f\xb7")  # BOM, then 序号
    text = response.content.decode("utf-8-sig")
    assert text.count("\r\n") >= 3 and "\n" not in text.replace("\r\n", "").replace("公里\n配套", "")
    header, totals, row = csv_rows(response)
    assert header == STANDARD_HEADERS
    assert totals[0] == "合计（1项）" and totals[KEYS.index("total_investment")] == "12345.67"
    assert row[KEYS.index("name")] == rich_project.name


def test_the_csv_has_no_title_rows_and_the_header_first(as_dispatcher, own_project):
    first_line = export(as_dispatcher, "csv").content.decode("utf-8-sig").split("\r\n")[0]
    assert first_line.startswith("序号,项目代码,项目名称,")


# ------------------------------------------------------------------------- filter, sort and scope


@pytest.fixture
def ledger_mix(city, own_project, other_project, contact_leader):
    """Projects differing in everything the ledger filters on."""
    year = YEAR
    provincial = f.dictionary(Level, "省重点")
    program = f.dictionary(Program, "重大项目攻坚年")
    f.ProjectFactory(name="兰山区省重点物流园", region=city.regions.lanshan, level=provincial,
                     total_investment=Decimal("56000.00"), plan=Decimal("10000.00"), programs=[program],
                     leaders=[contact_leader])
    f.ProjectFactory(name="罗庄区去年计划项目", region=city.regions.luozhuang, total_investment=Decimal("800.00"),
                     plan=Decimal("100.00"), plan__year=year - 1, responsible_units=[city.units.transport])
    f.ProjectFactory(name="临沂市本级交通项目", region=city.regions.city, lead_unit=city.units.transport,
                     total_investment=Decimal("99000.00"), plan=Decimal("9000.00"),
                     category=f.category("交通", "公路"))
    archived = f.ProjectFactory(name="已归档的兰山项目", region=city.regions.lanshan, plan=Decimal("1.00"))
    Project.objects.filter(pk=archived.pk).update(is_archived=True)
    return city


FILTERS = [
    {},
    {"year": ""},
    {"year": str(YEAR - 1)},
    {"archived": "1"},
    {"archived": "1", "year": ""},
    {"region": "lanshan"},
    {"region": "city"},
    {"level": "省重点"},
    {"program": "重大项目攻坚年"},
    {"unit": "transport"},
    {"leader": "contact"},
    {"q": "罗庄"},
    {"q": "工程 罗庄"},
    {"category": "交通"},
    {"region": "luozhuang", "year": ""},
]


def _params(raw: dict, city) -> dict:
    params = dict(raw)
    if "region" in params:
        params["region"] = getattr(city.regions, params["region"]).pk
    if "level" in params:
        params["level"] = f.dictionary(Level, params["level"]).pk
    if "program" in params:
        params["program"] = f.dictionary(Program, params["program"]).pk
    if "unit" in params:
        params["unit"] = getattr(city.units, params["unit"]).pk
    if "leader" in params:
        params["leader"] = city.contact_leader.pk
    if "category" in params:
        params["category"] = f.category(params["category"]).pk
    return params


@pytest.mark.parametrize("raw", FILTERS, ids=[json.dumps(p, ensure_ascii=False) for p in FILTERS])
def test_a_filtered_export_holds_exactly_what_the_ledger_lists(as_dispatcher, ledger_mix, raw):
    params = _params(raw, ledger_mix)
    listed = ledger_names(as_dispatcher, **params)
    assert [r["name"] for r in values(sheet_of(export(as_dispatcher, **params)))] == listed
    assert [r["name"] for r in csv_dicts(export(as_dispatcher, "csv", **params))] == listed


@pytest.mark.parametrize("sort", ["name", "-name", "total_investment", "plan_investment", "-plan_investment",
                                  "region", "-lead_unit", "period", "bogus"])
def test_the_export_keeps_the_ledgers_order(as_dispatcher, ledger_mix, sort):
    listed = ledger_names(as_dispatcher, sort=sort, year="")
    assert [r["name"] for r in values(sheet_of(export(as_dispatcher, sort=sort, year="")))] == listed


def test_the_plan_columns_follow_the_year_filter(as_dispatcher, ledger_mix):
    ws = sheet_of(export(as_dispatcher, year=YEAR - 1))
    assert ws.cell(HEADER_ROWS[0], KEYS.index("planned_investment") + 1).value == f"{YEAR - 1}年计划投资（万元）"
    assert ws.cell(TITLE_ROW, 1).value == f"临沂市{YEAR - 1}年重点项目台账"
    (row,) = values(ws)
    assert row["name"] == "罗庄区去年计划项目" and money(row["planned_investment"]) == Decimal("100.00")


def test_all_years_shows_this_years_plan_beside_every_project(as_dispatcher, ledger_mix):
    ws = sheet_of(export(as_dispatcher, year=""))
    assert ws.cell(TITLE_ROW, 1).value == "临沂市重点项目台账"
    rows = {r["name"]: r for r in values(ws)}
    assert rows["罗庄区去年计划项目"]["planned_investment"] is None
    assert money(rows["兰山区省重点物流园"]["planned_investment"]) == Decimal("10000.00")


@pytest.mark.parametrize(
    ("principal", "params", "title"),
    [
        ("dispatcher", {}, f"临沂市{YEAR}年重点项目台账"),
        ("dispatcher", {"region": "lanshan"}, f"兰山区{YEAR}年重点项目台账"),
        ("dispatcher", {"archived": "1"}, f"临沂市{YEAR}年重点项目台账（含已归档）"),
        ("reporter_a", {}, f"兰山区{YEAR}年重点项目台账"),
        ("dept_reporter", {"year": ""}, "临沂市重点项目台账"),
        ("admin", {}, f"山东省{YEAR}年重点项目台账"),
        ("outsider", {}, f"{YEAR}年重点项目台账"),
    ],
)
def test_the_title_names_the_region_of_the_filter_or_of_the_users_scope(client, ledger_mix, principal, params, title):
    client.force_login(ledger_mix.users[principal])
    assert sheet_of(export(client, **_params(params, ledger_mix))).cell(TITLE_ROW, 1).value == title


def _all_text(response, fmt: str) -> str:
    if fmt == "csv":
        return response.content.decode("utf-8-sig")
    return "\n".join(str(v) for row in sheet_of(response).iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(
    "raw", [{}, {"region": "luozhuang"}, {"q": "罗庄"}, {"unit": "luozhuang_government"}, {"archived": "1", "year": ""}]
)
def test_a_reporter_exports_only_their_district_whatever_they_ask_for(client, ledger_mix, own_project, fmt, raw):
    client.force_login(ledger_mix.users["reporter_a"])
    params = dict(raw)
    if "region" in params:
        params["region"] = ledger_mix.regions.luozhuang.pk
    if "unit" in params:
        params["unit"] = ledger_mix.units.luozhuang_government.pk
    response = export(client, fmt, **params)
    text = _all_text(response, fmt)
    assert "罗庄" not in text and "2026-371311-76-01-000002" not in text and "临沂市本级" not in text
    names = [r["name"] for r in (values(sheet_of(response)) if fmt == "xlsx" else csv_dicts(response))]
    assert set(names) <= {own_project.name, "兰山区省重点物流园", "已归档的兰山项目"}
    # A filter naming what the reporter cannot see is dropped, as the page drops it (404 is for objects).
    assert names == ledger_names(client, **params)
    if not raw or raw.get("archived"):
        assert own_project.name in names


def test_a_unit_scoped_reporter_exports_only_their_units_projects(client, ledger_mix):
    client.force_login(ledger_mix.users["dept_reporter"])  # 临沂市交通运输局, scope unit
    names = {r["name"] for r in values(sheet_of(export(client, year="")))}
    assert names == {"罗庄区去年计划项目", "临沂市本级交通项目"}


def test_an_outsider_gets_an_empty_ledger_not_an_error(client, ledger_mix):
    client.force_login(ledger_mix.users["outsider"])
    ws = sheet_of(export(client, archived="1", year=""))
    assert ws.cell(TOTALS_ROW, 1).value == "合计（0项）"
    assert values(ws) == []
    assert csv_rows(export(client, "csv"))[1][0] == "合计（0项）"


def test_archived_projects_are_exported_only_when_asked_for(as_dispatcher, ledger_mix):
    assert "已归档的兰山项目" not in {r["name"] for r in values(sheet_of(export(as_dispatcher)))}
    assert "已归档的兰山项目" in {r["name"] for r in values(sheet_of(export(as_dispatcher, archived="1")))}


# ------------------------------------------------------------------------------- who may download


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_logged_in_role_may_export_what_it_sees_and_anonymous_is_sent_to_login(client, users, own_project,
                                                                                  principal, fmt):
    if users[principal] is not None:
        client.force_login(users[principal])
    response = client.get(reverse(f"ledgerio:export_{fmt}"))
    if principal == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
        return
    assert response.status_code == 200
    assert response["Content-Type"] == writer.XLSX_CONTENT_TYPE if fmt == "xlsx" else writer.CSV_CONTENT_TYPE
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_get_and_head_are_allowed(as_dispatcher, own_project, method):
    assert getattr(as_dispatcher, method)(reverse("ledgerio:export_xlsx")).status_code == 405
    assert as_dispatcher.head(reverse("ledgerio:export_csv")).status_code == 200


# The year (the ledger's default) and the date are the office's, on both sides of the new year.
@pytest.mark.parametrize("on_day", [(*YEAR_END, 23, 30), (*NEW_YEAR, 0, 30)], indirect=True)
def test_the_file_name_is_chinese_with_year_and_date_in_rfc_5987_form(on_day, as_dispatcher, own_project):
    today, year = on_day.strftime("%Y%m%d"), on_day.year
    for fmt in ("xlsx", "csv"):
        name = f"重点项目台账_{year}年_{today}.{fmt}"
        header = export(as_dispatcher, fmt)["Content-Disposition"]
        assert header == f"attachment; filename=\"ledger_{year}_{today}.{fmt}\"; filename*=UTF-8''{quote(name)}"
    header = export(as_dispatcher, year="")["Content-Disposition"]
    assert header.endswith(quote(f"重点项目台账_全部年度_{today}.xlsx"))


def test_the_ledger_page_offers_both_exports_with_its_current_filter_and_sort(as_dispatcher, own_project, regions):
    response = as_dispatcher.get(reverse("projects:list"), {"region": regions.lanshan.pk, "sort": "name", "page": "1"})
    html = response.content.decode()
    for fmt, label in (("xlsx", "导出 Excel"), ("csv", "导出 CSV")):
        match = re.search(rf'id="export-{fmt}" href="([^"]+)">{label}<', html)
        assert match, f"no {label} link"
        href = match.group(1).replace("&amp;", "&")
        assert href.startswith(reverse(f"ledgerio:export_{fmt}") + "?")
        assert f"region={regions.lanshan.pk}" in href and "sort=name" in href and "page=" not in href
    fragment = as_dispatcher.get(reverse("projects:list"), {"q": "兰山"}, headers={"HX-Request": "true"})
    assert 'id="export-xlsx"' in fragment.content.decode() and "q=%E5%85%B0%E5%B1%B1" in fragment.content.decode()


# ------------------------------------------------------------------- formulas and control characters


def _injected_project(city, text: str, **extra):
    project = f.ProjectFactory(
        name=text, region=city.regions.lanshan, address=text, scale=text, remarks=text, owner_contact=text,
        owner_phone=text, code="", stats_code="", **extra,
    )
    f.AnnualPlanFactory(project=project, planned_investment=Decimal("10.00"), completed_before=Decimal("-100.50"),
                        construction_goal=text)
    return project


TEXT_KEYS = ("name", "address", "scale", "remarks", "owner_contact", "owner_phone", "construction_goal")


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_like_text_is_text_in_xlsx_never_a_formula(as_dispatcher, city, text):
    _injected_project(city, text)
    response = export(as_dispatcher)
    xml = sheet_xml(response)
    assert b"<f>" not in xml and b"<f " not in xml
    (row,) = data_rows(sheet_of(response))
    expected = writer.clean_text(text)
    for key in TEXT_KEYS:
        assert row[key].data_type == "s", key
        assert row[key].value == expected, key
    assert row["completed_before"].data_type == "n" and row["completed_before"].value == -100.5
    calamine = calamine_rows(response)[FIRST_ROW - 1]
    assert calamine[KEYS.index("name")] == expected
    assert calamine[KEYS.index("completed_before")] == -100.5


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_like_text_is_marked_with_a_quote_in_csv_and_negative_amounts_stay_numbers(as_dispatcher, city, text):
    _injected_project(city, text)
    (row,) = csv_dicts(export(as_dispatcher, "csv"))
    for key in TEXT_KEYS:
        assert row[key] == "'" + writer.clean_text(text), key
    assert row["completed_before"] == "-100.50"
    assert row["planned_investment"] == "10.00"


CONTROL = "名称\x01\x07\x0b\x0c\x1b\x1f\x7f\x85含控制字符\u2028末尾\r\n第二行\ufffe"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_control_characters_never_break_an_export(as_dispatcher, city, fmt):
    text = CONTROL + ("\x00" if connection.vendor == "sqlite" else "")  # PostgreSQL refuses NUL in text itself
    _injected_project(city, text)
    response = export(as_dispatcher, fmt)
    expected = "名称含控制字符\u2028末尾\n第二行"
    if fmt == "xlsx":
        (row,) = values(sheet_of(response))
        assert calamine_rows(response)[FIRST_ROW - 1][KEYS.index("name")] == expected
    else:
        (row,) = csv_dicts(response)
    assert all(row[key] == expected for key in TEXT_KEYS)


def test_the_writer_drops_nul_and_every_xml_illegal_character():
    nasty = "".join(chr(c) for c in range(0x20)) + "\x7f\x9f\ud800\udfff\ufffe\uffff" + "正文"
    assert writer.clean_text(nasty) == "\t\n正文"
    table = writer.Table(columns=[writer.Column("a", "甲")], rows=[[nasty], ["\x00=1"], ["\x00"]])
    ws = openpyxl.load_workbook(io.BytesIO(writer.xlsx_bytes(table))).active
    assert [ws.cell(r, 1).value for r in (2, 3, 4)] == ["\t\n正文", "=1", None]
    assert ws.cell(3, 1).data_type == "s"
    # The cleaned text starts with a tab, so it is marked too; an empty only cell is written "".
    assert writer.csv_bytes(table).decode("utf-8-sig").split("\r\n")[1:4] == ['"\'\t\n正文"', "'=1", '""']


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1+1", "'-1+1"), ("@SUM(1)", "'@SUM(1)"), ("\t=1", "'\t=1"),
        ("\r=1", "'=1"), ("\x00=1", "'=1"), ("'quoted", "''quoted"), ("正常", "正常"), ("1-1", "1-1"), ("", ""),
        (Decimal("-5.25"), "-5.25"), (-3, "-3"), (None, ""), (date(2026, 3, 1), "2026-03-01"),
    ],
)
def test_csv_cells_that_a_spreadsheet_could_run_start_with_a_quote(value, cell):
    assert writer.csv_value(value) == cell


def test_streamed_rows_are_byte_for_byte_what_xlsxwriter_writes_cell_by_cell():
    """The data rows' fast path (writer._stream_rows) writes exactly XlsxWriter's own XML."""
    columns = [
        writer.Column("a", "甲"), writer.Column("b", "乙", group="组", kind=writer.MONEY),
        writer.Column("c", "丙", group="组", kind=writer.DATE), writer.Column("d", "丁", kind=writer.INTEGER),
    ]
    cells = [
        "=1+1", " leading", "trailing ", "a&b<c>d\"'", "_x0041_ stays", "\x00\x0bctl\r\nx\x85y\ud800z\ufffe",
        "😀" * 20000, "x" * 40000, "", None, True, False, Decimal("-12.34"), 1.5, 10**400, float("nan"),
        Decimal("NaN"), date(2026, 3, 1), datetime(2026, 3, 1, 12, 30), object(), "\n", "\t=1", 0, -0.0,
        MAX_MONEY, 2**53 + 1, "多行\n文本", float("inf"),
    ]
    rows = [(cells[i:i + 4] + [None] * 4)[:4] for i in range(0, len(cells), 4)]

    def sheet(stream: bool) -> bytes:
        out = io.BytesIO()
        table = writer.Table(columns=columns, rows=rows, title="标题", subtitle="单位", totals=["合计", 1, None, 2])
        assert writer.write_xlsx(table, out, stream_rows=stream) == len(rows)
        return out.getvalue()

    streamed = sheet(True)
    xml = zipfile.ZipFile(io.BytesIO(streamed)).read("xl/worksheets/sheet1.xml")
    assert xml == zipfile.ZipFile(io.BytesIO(sheet(False))).read("xl/worksheets/sheet1.xml")
    ws = openpyxl.load_workbook(io.BytesIO(streamed)).active
    assert [ws.cell(6, col).value for col in (1, 2, 3)] == ["=1+1", " leading", "trailing "]
    assert ws.cell(6, 1).data_type == "s"
    # A literal "_x0041_" is escaped as Excel does (_x005F_x0041_); Excel and calamine read it back as
    # written, openpyxl shows the escape.
    assert ws.cell(7, 1).value == "_x005F_x0041_ stays"
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(streamed)).get_sheet_by_index(0).to_python()
    assert calamine[6][0] == "_x0041_ stays"
    assert ws.cell(8, 1).value is None and ws.cell(9, 1).value == -12.34
    assert ws.cell(9, 3).value == str(10**400) and ws.cell(9, 4).value == "nan"  # beyond a number: text


# --------------------------------------------------------------------------------- cost and tidiness


def _linked_projects(n: int, prefix: str, regions, units, leader):
    projects = f.bulk_projects(n, region=regions.lanshan, prefix=prefix, owner=units.owner)
    program = f.dictionary(Program, "重大项目攻坚年")
    for project in projects:
        ProjectLeader.objects.create(project=project, leader=leader, role="contracted")
        ProjectResponsibleUnit.objects.create(project=project, unit=units.transport)
        project.programs.add(program)
    return projects


def _count_queries(client, fmt: str, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        export(client, fmt, **params)
    return len(captured)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_export_runs_the_same_few_queries_for_3_and_60_projects(as_dispatcher, regions, units, contact_leader,
                                                                     fmt, django_assert_max_num_queries):
    _linked_projects(3, "少量项目", regions, units, contact_leader)
    export(as_dispatcher, fmt)  # the first request after login writes the session
    few = _count_queries(as_dispatcher, fmt, q="少量项目")
    _linked_projects(60, "大量项目", regions, units, contact_leader)
    many = _count_queries(as_dispatcher, fmt, q="项目")
    assert few == many
    # Nine reads and the audit trail's entry of the export (one INSERT, tuijin.audit).
    with django_assert_max_num_queries(10):
        export(as_dispatcher, fmt, q="项目", region=regions.lanshan.pk, sort="plan_investment")


def test_an_export_leaves_no_scratch_files(as_dispatcher, own_project, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    export(as_dispatcher)
    export(as_dispatcher, "csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("throwaway_databases")
def test_the_export_bench_reports_one_json_object(own_project, db_state):
    before = db_state()
    out, err = StringIO(), StringIO()
    call_command("bench", "export", "--json", "--scale", "0.015", "--rounds", "1", stdout=out, stderr=err)
    report = json.loads(out.getvalue())
    assert report["bench"] == "export"
    assert report["database"] == connection.vendor
    assert set(report["metrics"]) == {"export_xlsx_300", "export_csv_300"}
    for metric in report["metrics"].values():
        assert metric["unit"] == "s" and metric["target"] == 5 and metric["value"] > 0
        assert metric["ok"] is (metric["value"] <= 5)
    assert report["params"]["exported_rows"] == 300
    assert db_state() == before
