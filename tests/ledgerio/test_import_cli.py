"""`tuijin import-ledger FILE`: the JSON report, exit status 0/1/2 and --dry-run (issue #3, CLI)."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from tests.sheets.corpus import CORPUS, TEMPLATES
from tuijin.projects.models import AnnualPlan, Project

from . import fixtures as fx
from .fixtures import cli

pytestmark = pytest.mark.django_db

KEYS = {"rows_read", "projects", "created", "updated", "skipped_rows", "errors", "totals", "reconciliation"}


def one_json(text: str) -> dict:
    """Exactly one JSON object and nothing else on stdout."""
    decoder = json.JSONDecoder()
    data, end = decoder.raw_decode(text.strip())
    assert text.strip()[end:].strip() == "", "more than one JSON object on stdout"
    assert isinstance(data, dict)
    return data


def test_json_report_of_a_valid_file_exit_0(city, tmp_path):
    path = fx.xlsx(tmp_path / "台账.xlsx", fx.ledger_rows(3))
    code, out, err = cli(path, "--json", "--user", "dispatcher")
    assert code == 0, err
    report = one_json(out)
    assert KEYS <= set(report)
    assert report["rows_read"] == 3 and report["projects"] == 3
    assert (report["created"], report["updated"]) == (3, 0)
    assert report["errors"] == [] and report["skipped_rows"] == []
    assert report["totals"] == {"total_investment": "3001.50", "annual_plan": "600.75"}
    assert Decimal(report["totals"]["total_investment"]) == Decimal("3001.50")
    assert report["reconciliation"] == []
    assert Project.objects.count() == 3
    # Importing the same file again updates, never duplicates.
    code, out, _err = cli(path, "--json", "--user", "dispatcher")
    report = one_json(out)
    assert code == 0 and (report["created"], report["updated"]) == (0, 3)
    assert Project.objects.count() == 3


def test_json_report_of_the_real_template(city):
    path = TEMPLATES / "zzfet" / "年度项目明细表.xls"
    args = (path, "--sheet", "明细表", "--json", "--default", "category=产业", "--default", "region=371300")
    code, out, err = cli(*args)
    report = one_json(out)
    assert code == 1 and not report["written"] and Project.objects.count() == 0
    assert {e.get("confirm") for e in report["errors"]} == {"total_mismatch", "create_new"}
    assert report["new_leaders"] == ["谢毅泰"]
    code, out, err = cli(*args, "--accept-total-mismatch", "--create-new")
    assert code == 0, err
    report = one_json(out)
    assert (report["projects"], report["created"]) == (1, 1)
    assert report["totals"] == {"total_investment": "1378400.00", "annual_plan": "670000.00"}
    assert {"row": 4, "kind": "total"} in report["skipped_rows"]
    stated = {item["column"]: item for item in report["reconciliation"]}
    assert stated["总投资(万元)"] == {**stated["总投资(万元)"], "stated": "2378910.00", "sum": "1378400.00",
                                  "difference": "-1000510.00", "ok": False}
    assert stated["项目个数"]["stated"] == "13"


def test_errors_exit_1_and_write_nothing(city, tmp_path, db_state):
    rows = fx.ledger_rows(3)
    rows[4][fx.COL["总投资（万元）"]] = "暂无"
    path = fx.xlsx(tmp_path / "bad.xlsx", rows)
    before = db_state()
    code, out, _err = cli(path, "--json", "--user", "dispatcher")
    assert code == 1
    report = one_json(out)
    assert report["created"] == 0 and report["updated"] == 0
    assert report["errors"] == [{"sheet": "台账", "row": 5, "column": "总投资(万元)", "message": report["errors"][0]["message"]}]
    assert "暂无" in report["errors"][0]["message"]
    assert db_state() == before


def test_errors_in_human_output_go_to_stderr_with_place_and_reason(city, tmp_path, db_state):
    rows = fx.ledger_rows(2)
    rows[3][fx.COL["所属区域"]] = "罗庄区"
    path = fx.xlsx(tmp_path / "scope.xlsx", rows)
    before = db_state()
    code, out, err = cli(path, "--user", "reporter_a")
    assert code == 1
    assert "台账，第4行，D列“所属区域”：“罗庄区”不在您的管辖范围内" in err
    assert "未写入任何数据" in err
    assert db_state() == before


def test_valid_only_imports_the_other_rows(city, tmp_path):
    rows = fx.ledger_rows(3)
    rows[4][fx.COL["总投资（万元）"]] = -1
    path = fx.xlsx(tmp_path / "bad.xlsx", rows)
    code, out, _err = cli(path, "--json", "--user", "dispatcher", "--valid-only")
    report = one_json(out)
    assert code == 1  # the file still has an error, and says so
    assert report["created"] == 2
    assert set(Project.objects.values_list("name", flat=True)) == {"测试导入项目001", "测试导入项目003"}


def test_dry_run_writes_nothing(city, tmp_path, db_state):
    path = fx.xlsx(tmp_path / "台账.xlsx", fx.ledger_rows(4))
    before = db_state()
    code, out, _err = cli(path, "--json", "--dry-run", "--user", "dispatcher")
    assert code == 0
    report = one_json(out)
    assert report["created"] == 4 and report["projects"] == 4
    assert db_state() == before
    code, out, _err = cli(path, "--dry-run", "--user", "dispatcher")
    assert code == 0 and "检查通过（未写入）：将新增 4 个项目" in out
    assert db_state() == before


@pytest.mark.parametrize("name", ["truncated_zip", "xlsx_really_png", "encrypted_ooxml", "zip_bomb", "billion_laughs"])
def test_unreadable_file_exit_2_with_one_json_object(city, tmp_path, db_state, name):
    path, _expected = CORPUS[name](tmp_path)
    before = db_state()
    code, out, _err = cli(path, "--json")
    assert code == 2
    report = one_json(out)
    assert KEYS <= set(report)
    assert report["rows_read"] == 0 and len(report["errors"]) == 1
    assert any("\u4e00" <= ch <= "\u9fff" for ch in report["errors"][0]["message"])
    assert db_state() == before


def test_missing_file_exit_2(city, tmp_path):
    code, out, err = cli(tmp_path / "nope.xlsx")
    assert code == 2 and "无法导入" in err


def test_unknown_sheet_exit_2(city, tmp_path):
    path = fx.xlsx(tmp_path / "台账.xlsx", fx.ledger_rows(1))
    code, out, _err = cli(path, "--json", "--sheet", "不存在")
    assert code == 2
    assert "不存在" in one_json(out)["errors"][0]["message"]


def test_year_option_overrides_the_header_year(city, tmp_path):
    path = fx.xlsx(tmp_path / "台账.xlsx", fx.ledger_rows(1))
    code, out, _err = cli(path, "--json", "--year", "2027", "--user", "dispatcher")
    report = one_json(out)
    assert code == 0 and report["year"] == 2027
    assert any("2026" in w["message"] and "2027" in w["message"] for w in report["warnings"])
    assert AnnualPlan.objects.get().year == 2027


def test_bad_default_is_refused(city, tmp_path):
    from django.core.management.base import CommandError

    path = fx.xlsx(tmp_path / "台账.xlsx", fx.ledger_rows(1))
    with pytest.raises(CommandError, match="--default 应写作"):
        call_command("import-ledger", str(path), "--default", "colour=red", stdout=StringIO())
