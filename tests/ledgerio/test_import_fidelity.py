"""Import fidelity (issue #13 §5): ledgers in the layouts real offices send, each a class of layout,
generated here with openpyxl. Every case checks what was read (or the Chinese message and that nothing
was written) through `services.import_ledger`, the CLI or the web flow."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from tuijin.ledgerio import services
from tuijin.ledgerio.models import ImportBatch
from tuijin.ledgerio.services import import_ledger
from tuijin.org.models import Leader, Unit
from tuijin.projects.models import AnnualPlan, Project

from . import fixtures as fx
from .fixtures import cli

pytestmark = pytest.mark.django_db

Y = fx.YEAR
HEAD = ["序号", "项目名称", "项目类别", "建设性质", "项目阶段", "总投资（万元）"]  # no region column


def book(*sheets: tuple[str, list[list]], merges: dict | None = None) -> bytes:
    """An .xlsx with the given (name, rows) sheets in order."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for cell_range in (merges or {}).get(name, ()):
            ws.merge_cells(cell_range)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def one(rows, **kwargs) -> bytes:
    return book(("台账", rows), **kwargs)


def run(data: bytes, **kwargs):
    return import_ledger(data, "台账.xlsx", **kwargs)


def proj(n, name, total=100, **extra):
    return [n, name, "道路桥梁", "新建", "在建", total, *extra.get("more", [])]


def messages(analysis) -> list[str]:
    return [str(e) for e in analysis.all_errors]


# -------------------------------------------------------------------- 1. 市本级 / 市直 and region groups


@pytest.mark.parametrize("own", ["一、市本级（1项）", "市本级", "一、市直（1项）", "市直单位"])
def test_city_own_group_means_the_city_and_region_groups_set_their_rows(city, own):
    rows = [
        [f"临沂市{Y}年重点项目计划"], HEAD,
        [own, None, None, None, None, None],
        proj(1, "市本级道路项目"),
        ["二、兰山区（1项）", None, None, None, None, None],
        proj(2, "兰山区道路项目"),
        ["罗庄区", None, None, None, None, None],  # a bare district name in the 序号 column
        proj(3, "罗庄区道路项目"),
        [None, "市本级", None, None, None, None],  # and a bare 市本级 in the name column
        proj(4, "市本级桥梁项目"),
    ]
    analysis, result = run(one(rows))  # the system (CLI without --user): no own region to fall back on
    assert not analysis.all_errors, messages(analysis)
    assert "缺少所属区域" not in " ".join(messages(analysis))
    regions = {p.name: p.region for p in Project.objects.select_related("region")}
    assert regions == {"市本级道路项目": city.regions.city, "兰山区道路项目": city.regions.lanshan,
                       "罗庄区道路项目": city.regions.luozhuang, "市本级桥梁项目": city.regions.city}
    assert result.created == 4


def test_city_own_group_in_a_file_of_another_city_is_a_clear_error_not_a_missing_region(city, db_state):
    rows = [["南平市重点项目计划"], HEAD, ["一、市本级（1项）"] + [None] * 5, proj(1, "南平市本级项目")]
    before = db_state()
    analysis, result = run(one(rows))
    assert result is None
    text = " ".join(messages(analysis))
    assert "市本级" in text and "缺少所属区域" not in text
    assert db_state() == before


def test_group_naming_an_unknown_district_is_named_in_the_rows_error(city, db_state):
    rows = [HEAD, ["一、河东区（1项）"] + [None] * 5, proj(1, "河东项目")]
    before = db_state()
    analysis, result = run(one(rows))
    assert result is None
    row_errors = [e for e in analysis.all_errors if e.row == 3]
    assert row_errors and "河东区" in row_errors[0].message and "缺少所属区域" not in row_errors[0].message
    assert db_state() == before


# ------------------------------------------------------------------------------- 2. which sheet is read


def covered_workbook() -> bytes:
    cover = [[f"临沂市{Y}年重点项目计划"], ["报送单位：临沂市发展和改革委员会"], ["报送日期：2026年1月"]]
    summary = [["各县区汇总"], ["县区", "项目个数", "总投资（万元）", f"{Y}年计划投资（万元）"],
               ["兰山区", 2, 2000, 400], ["合计", 2, 2000, 400]]
    detail = fx.ledger_rows(2, total="1000", plan="200")
    return book(("封面", cover), ("汇总", summary), ("项目明细", detail))


def test_the_sheet_that_lists_projects_is_read_and_the_choice_is_explained(city):
    analysis, result = run(covered_workbook())
    assert analysis.sheet == "项目明细"
    assert not analysis.all_errors, messages(analysis)
    assert "项目名称" in analysis.sheet_reason and "汇总" in analysis.sheet_reason
    assert result.created == 2


def test_cli_says_which_sheet_was_read_and_why(city, tmp_path):
    path = tmp_path / "报送.xlsx"
    path.write_bytes(covered_workbook())
    code, out, err = cli(path, "--dry-run")
    assert code == 0, err
    assert "工作表：项目明细" in out and "项目名称" in out and "汇总" in out


def test_web_preview_says_which_sheet_was_read_and_why(client, city, settings, tmp_path):
    settings.DATA_DIR = str(tmp_path / "data")
    batch = start_web(client, city.users["dispatcher"], covered_workbook())
    html = client.get(reverse("ledgerio:preview", args=[batch.token])).content.decode()
    assert "项目明细" in html and 'id="sheet-reason"' in html and "汇总" in html


# ---------------------------------------------------------------------------- 3. breakdown rows


BREAKDOWNS = {
    "name column": [None, "其中：省重点项目（1项）", None, None, None, 1000],
    "serial column": ["其中：省重点项目（1项）", None, None, None, None, 1000],
    "category column": [None, None, "其中：省重点项目（1项）", None, None, 1000],
    "no 其中, with amounts": [None, "县重点项目（1项）", None, None, None, 500],
    "county level in the serial column": ["县重点项目（1项）", None, None, None, None, 500],
}


@pytest.mark.parametrize("line", sorted(BREAKDOWNS))
def test_breakdown_rows_with_subtotals_are_never_projects(city, line):
    rows = [HEAD, ["合计（2项）", None, None, None, None, 1500], ["一、兰山区（2项）"] + [None] * 5,
            BREAKDOWNS[line], proj(1, "省重点兰山项目", 1000), proj(2, "县重点兰山项目", 500)]
    analysis, result = run(one(rows))
    assert not analysis.all_errors, messages(analysis)
    assert [r.values["name"] for r in analysis.project_rows] == ["省重点兰山项目", "县重点兰山项目"]
    assert result.created == 2 and Project.objects.count() == 2
    assert all(item["ok"] for item in analysis.reconciliation), analysis.reconciliation


# ------------------------------------------------------------------------- 4. two years side by side


def two_years_rows(two_rows: bool):
    base = ["序号", "项目名称", "所属区域", "项目类别", "建设性质", "项目阶段", "总投资（万元）"]
    if two_rows:
        top = base + ["2025年", None, f"{Y}年"]
        bottom = [None] * len(base) + ["计划投资", "完成投资", "计划投资"]
        head = [top, bottom]
        merges = ("H1:I1", *(f"{c}1:{c}2" for c in "ABCDEFG"))
    else:
        head = [base + ["2025年计划投资（万元）", "2025年完成投资（万元）", f"{Y}年计划投资（万元）"]]
        merges = ()
    data = [[1, "跨年项目甲", "兰山区", "道路桥梁", "新建", "在建", 10000, 3000, 2500, 4000],
            [2, "跨年项目乙", "兰山区", "道路桥梁", "新建", "在建", 8000, 1000, 900, 2000]]
    return head + data, merges


@pytest.mark.parametrize("two_rows", [False, True], ids=["one-row header", "two-row header"])
@pytest.mark.parametrize(("year", "plans"), [(Y, {"跨年项目甲": "4000.00", "跨年项目乙": "2000.00"}),
                                              (2025, {"跨年项目甲": "3000.00", "跨年项目乙": "1000.00"})])
def test_the_year_given_picks_its_column_group_and_the_other_year_is_never_added(city, two_rows, year, plans):
    rows, merges = two_years_rows(two_rows)
    analysis, result = run(one(rows, merges={"台账": merges}), year=year)
    assert not analysis.all_errors, messages(analysis)
    assert analysis.year == year
    got = {p.project.name: (p.year, p.planned_investment, p.completed_before) for p in AnnualPlan.objects.select_related("project")}
    assert got == {name: (year, Decimal(v), Decimal("0.00")) for name, v in plans.items()}
    assert analysis.totals()["annual_plan"] == sum(Decimal(v) for v in plans.values())


def test_two_years_without_a_year_take_the_latest_and_say_so(city):
    rows, _merges = two_years_rows(False)
    analysis, result = run(one(rows), dry_run=True)
    assert not analysis.all_errors, messages(analysis)
    assert analysis.year == Y
    assert any("2025" in w.message and "不导入" in w.message for w in analysis.all_warnings)


def test_web_year_picks_the_group_too(client, city, settings, tmp_path):
    settings.DATA_DIR = str(tmp_path / "data")
    rows, _merges = two_years_rows(False)
    user = city.users["dispatcher"]
    client.force_login(user)
    response = client.post(reverse("ledgerio:upload"), {"file": upload_file(one(rows)), "year": "2025"})
    batch = ImportBatch.objects.get(user=user)
    assert response.status_code == 302
    analysis = services.batch_analyze(batch)
    assert not analysis.all_errors, messages(analysis)
    assert analysis.totals()["annual_plan"] == Decimal("4000.00")


# ------------------------------------------------------------------------------------ 5. region column


@pytest.mark.parametrize("header", ["所属县区", "县区", "建设地点"])
def test_region_column_words_set_the_region(city, header):
    rows = [["序号", "项目名称", header, "项目类别", "建设性质", "项目阶段", "总投资（万元）"],
            [1, "县区列项目甲", "兰山区", "道路桥梁", "新建", "在建", 100],
            [2, "县区列项目乙", "罗庄区", "道路桥梁", "新建", "在建", 100]]
    analysis, result = run(one(rows))
    assert not analysis.all_errors, messages(analysis)
    regions = {p.name: p.region for p in Project.objects.select_related("region")}
    assert regions == {"县区列项目甲": city.regions.lanshan, "县区列项目乙": city.regions.luozhuang}


def test_an_address_beginning_with_a_region_gives_it(city):
    rows = [["序号", "项目名称", "建设地点", "项目类别", "建设性质", "项目阶段", "总投资（万元）"],
            [1, "地址项目", "临沂市罗庄区罗庄街道沂河路8号", "道路桥梁", "新建", "在建", 100]]
    analysis, result = run(one(rows))
    assert not analysis.all_errors, messages(analysis)
    project = Project.objects.get()
    assert project.region == city.regions.luozhuang and project.address == "临沂市罗庄区罗庄街道沂河路8号"


@pytest.mark.parametrize("header", ["所属县区", "建设地点"])
def test_region_names_that_match_no_region_are_errors_even_with_a_default(city, db_state, header):
    rows = [["序号", "项目名称", header, "项目类别", "建设性质", "项目阶段", "总投资（万元）"],
            [1, "无名区项目", "河东新区", "道路桥梁", "新建", "在建", 100]]
    before = db_state()
    for defaults in (None, {"region": "371302"} if header == "所属县区" else None):
        analysis, result = run(one(rows), defaults=defaults)
        assert result is None
        error = next(e for e in analysis.all_errors if e.row == 2)
        assert "河东新区" in error.message
    assert db_state() == before


def test_no_region_anywhere_and_no_default_refuses_instead_of_the_province(city, db_state):
    rows = [HEAD, proj(1, "无区域项目")]
    before = db_state()
    analysis, result = run(one(rows))
    assert result is None
    assert any("区域" in e.message and e.row is None for e in analysis.all_errors), messages(analysis)
    assert db_state() == before
    analysis, result = run(one(rows), defaults={"region": "371311"})
    assert result.created == 1 and Project.objects.get().region == city.regions.luozhuang


def test_cli_without_region_exits_1(city, tmp_path, db_state):
    path = tmp_path / "无区域.xlsx"
    path.write_bytes(one([HEAD, proj(1, "无区域项目")]))
    before = db_state()
    code, out, err = cli(path)
    assert code == 1 and "--default region" in err
    assert db_state() == before


# --------------------------------------------------------------------------------- 6. approximate amounts


@pytest.mark.parametrize(("cell", "fragment"), [
    ("约5000", "约数"), ("5000左右", "约数"), ("大约5000", "约数"), ("5000余", "约数"),
    ("30000-50000", "范围"), ("3~5亿", "范围"), ("3000至5000", "范围"),
])
def test_approximate_and_range_amounts_are_errors(city, db_state, cell, fragment):
    rows = [fx.HEADER, fx.project_row(1, total=cell, plan=None, before=None)]
    before = db_state()
    analysis, result = run(one(rows))
    assert result is None
    error = next(e for e in analysis.all_errors if e.row == 2)
    assert fragment in error.message and error.column == "总投资(万元)"
    assert db_state() == before


# ---------------------------------------------------------------------------------- 7. no project rows


@pytest.mark.parametrize("body", [[], [["合计（0项）", None, None, None, None, 0]], [["注：本表无项目"]]])
def test_a_sheet_without_project_rows_says_so(city, db_state, tmp_path, body):
    data = one([[fx.TITLE], HEAD] + body)
    analysis, result = run(data, defaults={"region": "371302"})
    assert result is None and not analysis.valid
    assert any("未找到项目行" in e.message for e in analysis.all_errors)
    path = tmp_path / "空表.xlsx"
    path.write_bytes(data)
    before = db_state()
    code, out, err = cli(path, "--default", "region=371302")
    assert code == 1 and "未找到项目行" in err and "检查通过" not in out
    assert db_state() == before


def test_an_empty_sheet_never_looks_valid_in_the_preview(client, city, settings, tmp_path):
    settings.DATA_DIR = str(tmp_path / "data")
    batch = start_web(client, city.users["dispatcher"], one([HEAD]))
    html = client.get(reverse("ledgerio:preview", args=[batch.token])).content.decode()
    assert "未找到项目行" in html and "检查通过" not in html and 'id="confirm-import"' not in html


# --------------------------------------------------------------------------------- 8. 合计 disagreement


def mismatched() -> bytes:
    rows = fx.ledger_rows(2)
    rows.insert(3, ["合计（2项）", None, None, None, None, None, None, None, "9999", None])
    return one(rows)


def test_a_total_row_that_disagrees_blocks_until_confirmed(city, db_state):
    before = db_state()
    analysis, result = run(mismatched(), user=city.users["dispatcher"])
    assert result is None and not analysis.all_errors  # not an error in the data: a difference to confirm
    assert analysis.unconfirmed == ["total_mismatch"]
    assert "合计" in analysis.needs["total_mismatch"] and "9999" in analysis.needs["total_mismatch"]
    # The direction in words, never a bare signed "相差 -…".
    item = next(i for i in analysis.reconciliation if not i["ok"])
    assert item["difference"] < 0
    assert f"比合计行少 {-item['difference']}" in analysis.needs["total_mismatch"]
    assert "相差" not in analysis.needs["total_mismatch"]
    assert db_state() == before
    analysis, result = run(mismatched(), user=city.users["dispatcher"], accept_total_mismatch=True)
    assert result.created == 2


def test_cli_total_mismatch_needs_the_flag(city, tmp_path, db_state):
    path = tmp_path / "合计不符.xlsx"
    path.write_bytes(mismatched())
    before = db_state()
    code, out, err = cli(path, "--dry-run")
    assert code == 1 and "--accept-total-mismatch" in err and "检查通过" not in out
    assert "比合计行少" in out and "相差" not in out + err
    code, out, err = cli(path)
    assert code == 1 and db_state() == before
    code, out, err = cli(path, "--accept-total-mismatch")
    assert code == 0, err
    assert Project.objects.count() == 2


def test_web_total_mismatch_needs_the_checkbox(client, city, settings, tmp_path, db_state):
    settings.DATA_DIR = str(tmp_path / "data")
    batch = start_web(client, city.users["dispatcher"], mismatched())
    html = client.get(reverse("ledgerio:preview", args=[batch.token])).content.decode()
    assert "检查通过" not in html and 'name="accept_total_mismatch"' in html
    before = db_state()
    response = client.post(reverse("ledgerio:confirm", args=[batch.token]))
    assert response.status_code == 302 and db_state() == before
    batch.refresh_from_db()
    assert batch.status == "preview"
    client.post(reverse("ledgerio:confirm", args=[batch.token]), {"accept_total_mismatch": "1"})
    assert Project.objects.count() == 2


# ------------------------------------------------------------------------------ 9. new units and leaders


def with_new_names() -> bytes:
    rows = fx.ledger_rows(1)
    rows[-1][fx.COL["项目业主"]] = "临沂新设建设发展有限公司"
    rows[-1][fx.COL["联系领导"]] = "赵新人（副市长）"
    return one(rows)


def test_new_units_and_leaders_are_listed_and_need_confirmation(city, db_state):
    before, units, leaders = db_state(), Unit.objects.count(), Leader.objects.count()
    analysis, result = run(with_new_names(), user=city.users["dispatcher"])
    assert result is None and not analysis.all_errors
    assert analysis.unconfirmed == ["create_new"]
    assert analysis.new_units == ["临沂新设建设发展有限公司"] and analysis.new_leaders == ["赵新人"]
    assert "临沂新设建设发展有限公司" in analysis.needs["create_new"] and "赵新人" in analysis.needs["create_new"]
    assert db_state() == before and (Unit.objects.count(), Leader.objects.count()) == (units, leaders)
    analysis, result = run(with_new_names(), user=city.users["dispatcher"], create_new=True)
    assert result.created == 1 and result.units_created == ["临沂新设建设发展有限公司"]
    assert Leader.objects.filter(name="赵新人").exists()


def test_cli_new_names_need_the_flag(city, tmp_path, db_state):
    path = tmp_path / "新单位.xlsx"
    path.write_bytes(with_new_names())
    before = db_state()
    code, out, err = cli(path)
    assert code == 1 and "--create-new" in err and "临沂新设建设发展有限公司" in err and "赵新人" in err
    assert db_state() == before
    code, out, err = cli(path, "--create-new")
    assert code == 0, err
    assert Unit.objects.filter(name="临沂新设建设发展有限公司").exists()


def test_web_new_names_are_listed_and_need_the_checkbox(client, city, settings, tmp_path, db_state):
    settings.DATA_DIR = str(tmp_path / "data")
    batch = start_web(client, city.users["dispatcher"], with_new_names())
    html = client.get(reverse("ledgerio:preview", args=[batch.token])).content.decode()
    assert "临沂新设建设发展有限公司" in html and "赵新人" in html and 'name="create_new"' in html
    assert "检查通过" not in html
    before = db_state()
    client.post(reverse("ledgerio:confirm", args=[batch.token]))
    assert db_state() == before
    client.post(reverse("ledgerio:confirm", args=[batch.token]), {"create_new": "1"})
    assert Project.objects.count() == 1 and Unit.objects.filter(name="临沂新设建设发展有限公司").exists()


# ------------------------------------------------------------------------------------------ helpers


def upload_file(data: bytes, name="台账.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def start_web(client, user, data: bytes) -> ImportBatch:
    client.force_login(user)
    response = client.post(reverse("ledgerio:upload"), {"file": upload_file(data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.get(user=user)
