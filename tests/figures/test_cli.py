"""`tuijin stats`: the figures from the command line — JSON per group with exact strings, the Chinese
table, --explain, and bad input refused in Chinese with a non-zero exit."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tuijin.reports.models import ProgressReport


def run(*args) -> str:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def run_json(*args) -> dict:
    out = run(*args, "--json")
    assert out.count("\n") == 1 and out.endswith("\n"), out
    return json.loads(out)


def test_json_per_group_with_money_and_rates_as_exact_strings(town):
    result = run_json("--period", "2026-10", "--by", "region")
    assert result["label"] == "截至2026年10月，已审核填报"
    assert (result["period"], result["by"], result["as_of_period"]) == ("2026-10", "region", "2026年10月")
    groups = {g["key"]: g for g in result["groups"]}
    assert list(groups) == ["371300-self", "371302", "371311"]
    lanshan = groups["371302"]
    assert lanshan["name"] == "兰山区"
    assert lanshan["projects"] == 3
    assert lanshan["total_investment"] == "16800.25"
    assert lanshan["annual_plan"] == "2100.00"
    assert lanshan["completed"] == "1032.00"
    assert lanshan["plan_rate"] == "49.1"
    assert lanshan["time_progress"] == "77.8"
    assert lanshan["deviation_points"] == "-28.7"
    assert lanshan["deviation_text"] == "低于序时进度28.7个百分点"
    assert (lanshan["started"], lanshan["planned_starts"], lanshan["start_rate"]) == (0, 0, None)
    assert lanshan["projects_by_stage"]["construction"] == 1
    total = result["total"]
    assert (total["key"], total["name"], total["completed"], total["plan_to_date"]) == (
        "total", "合计", "2332.00", "5771.43")
    assert (total["started"], total["planned_starts"], total["start_rate"]) == (1, 3, "33.3")
    assert total["completed_yoy"] == "94.3"
    assert set(total) >= {"key", "name", "projects", "total_investment", "annual_plan", "completed", "plan_rate",
                          "time_progress", "deviation_points", "started", "planned_starts", "start_rate",
                          "work_rate", "completion_rate", "milestone_rate", "approval_rate", "problem_close_rate",
                          "problem_avg_days", "on_time_rate", "completed_yoy"}


def test_a_filter_by_name(town):
    result = run_json("--period", "2026-10", "--by", "region", "--filter", "level=省重点")
    assert [(g["name"], g["projects"], g["completed"]) for g in result["groups"]] == [
        ("临沂市本级", 1, "1000.00"), ("兰山区", 1, "60.00")]
    result = run_json("--period", "2026-10", "--filter", "region=罗庄区", "--filter", "stage=续建")
    assert (result["by"], result["groups"], result["total"]["completed"]) == (None, [], "300.00")


def test_the_published_arithmetic_in_the_table(town):
    out = run("--period", "2026-10", "--filter", "q=兰山快速路")
    assert out.startswith("截至2026年10月，已审核填报（金额单位：万元）\n")
    assert "97.2%" in out and "83.3%" in out and "+13.9" in out
    assert out.rstrip().endswith("合计：年计划完成率97.2%，超过序时进度13.9个百分点")


def test_the_chinese_table(town):
    out = run("--period", "2026-10", "--by", "region")
    lines = out.splitlines()
    assert lines[1].split()[:4] == ["区域", "项目数", "总投资", "年度计划投资"]
    assert lines[2].split()[:5] == ["临沂市本级", "1", "30,000.00", "3,000.00", "1,000.00"]
    assert lines[5].split()[:5] == ["合计", "6", "68,300.75", "7,200.00", "2,332.00"]


def test_explain_lists_the_projects_and_reports(town):
    result = run_json("--period", "2026-10", "--by", "region", "--explain", "completed", "--group", "兰山区")
    assert (result["figure"], result["value"], result["group"]) == (
        "completed", "1032.00", {"key": "371302", "name": "兰山区"})
    assert result["as_of"] == "截至2026年10月，已审核填报"
    rows = {row["name"]: row for row in result["rows"]}
    assert rows["兰山快速路"]["parts"]["completed"] == "972.00"
    assert [item["amount"] for item in rows["兰山快速路"]["items"]] == ["400.00", "572.00"]
    text = run("--period", "2026-10", "--by", "region", "--explain", "plan_rate", "--group", "371311")
    assert text.splitlines()[0] == "年计划完成率 · 罗庄区：14.3%"
    assert "罗庄河道" in text and "2026年9月 已审核 300.00万元" in text


def test_explain_the_total_without_a_group(town):
    result = run_json("--period", "2026-10", "--explain", "problem_avg_days")
    assert (result["value"], result["totals"]) == ("20.0", {"problem_days": 40, "problems_closed": 2})


def test_the_user_option_limits_to_their_scope(town):
    result = run_json("--period", "2026-10", "--by", "region", "--user", "reporter_a")
    assert [g["name"] for g in result["groups"]] == ["兰山区"]
    assert result["total"]["completed"] == "1032.00"


@pytest.mark.parametrize(("args", "message"), [
    (("--period", "2026-13"), "统计期“2026-13”格式不正确"),
    (("--period", "十月"), "统计期“十月”格式不正确"),
    (("--period", "2026-10", "--by", "town"), "分组“town”不存在"),
    (("--period", "2026-10", "--filter", "level"), "筛选条件“level”应写作 名称=值"),
    (("--period", "2026-10", "--filter", "color=红"), "未知的筛选条件“color”"),
    (("--period", "2026-10", "--filter", "level=国家重点"), "级别“国家重点”不存在"),
    (("--period", "2026-10", "--figures", "speed"), "指标“speed”不存在"),
    (("--period", "2026-10", "--explain", "speed"), "指标“speed”不存在"),
    (("--period", "2026-10", "--by", "region", "--explain", "projects", "--group", "371399"), "分组“371399”不存在或不在您的数据范围内"),
    (("--period", "2026-10", "--by", "region", "--region-level", "town"), "区域层级“town”不存在"),
    (("--period", "2026-10", "--group", "371302"), "--group 须与 --explain 同用"),
])
def test_bad_input_is_refused_in_chinese_with_a_non_zero_exit(town, args, message):
    before = ProgressReport.objects.count()
    with pytest.raises(CommandError, match=message) as caught:
        run(*args)
    assert caught.value.returncode == 2
    assert ProgressReport.objects.count() == before


def test_the_console_command_exits_with_status_2_and_a_chinese_message(tmp_path):
    import sys

    from ..test_cli import run as run_process

    result = run_process([sys.executable, "-m", "tuijin", "stats", "--period", "2026-13"], tmp_path)
    assert result.returncode == 2
    assert "统计期“2026-13”格式不正确，应写作 2026-10（月）、2026-Q3（季度）、2026-H1（半年）或 2026（年）" in result.stderr
