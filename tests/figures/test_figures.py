"""Every figure of the hand-built town (conftest.py) against values worked out by hand, on this database.

As of 2026-10-31, approved reports only. The arithmetic is written next to each literal; none of it
calls the code's formulas.
"""

from decimal import Decimal

import pytest

from tuijin.figures.selectors import FiguresError, figures
from tuijin.reports.figures import gap_text

D = Decimal


@pytest.fixture
def table(town):
    return figures(None, period="2026-10", group_by="region")


def test_the_groups_are_the_districts_and_the_citys_own_projects(table):
    assert [(g.key, g.name) for g in table.groups] == [
        ("371300-self", "临沂市本级"), ("371302", "兰山区"), ("371311", "罗庄区")]
    assert table.label == "截至2026年10月，已审核填报"
    assert table.basis.as_of.label == "2026年10月"


def test_the_totals_of_the_town(table):
    t = table.total
    assert t["projects"] == 6                                   # P1–P6 (P7 申报中, P8 no 2026 plan, P9 archived)
    assert t["projects_by_stage"]["construction"] == 2          # P1, P3
    assert t["projects_by_stage"]["new_start"] == 2             # P2, P5
    assert t["projects_by_stage"]["preliminary"] == 1           # P4
    assert t["projects_by_stage"]["completed"] == 1             # P6
    assert t["total_investment"] == D("68300.75")               # 10,000 + 6,000 + 20,000 + 1,500.50 + 30,000 + 800.25
    assert t["annual_plan"] == D("7200.00")                     # 1,000 + 600 + 2,000 + 100 + 3,000 + 500
    # P1 400 + 572; P2 10 + 50 (late, approved); P3 300 (Oct submitted, Nov not yet); P5 1,000 (Oct returned)
    assert t["completed"] == D("2332.00")
    assert t["plan_rate"] == D("32.4")                          # 2,332 / 7,200 = 32.39%
    # 序时: P1, P3 10/12 of 3,000 = 2,500; P2 its own plan 300; P4 June–Dec 5/7 of 100 = 71.43;
    # P5 March–Dec 8/10 of 3,000 = 2,400; P6 until August: all 500 → 5,771.43
    assert t["plan_to_date"] == D("5771.43")
    assert t["time_progress"] == D("80.2")                      # 5,771.43 / 7,200 = 80.16%
    assert t["deviation_points"] == D("-47.8")                  # 32.4 − 80.2
    assert table.total.deviation_text == "低于序时进度47.8个百分点"
    assert t["plan_to_date_rate"] == D("40.4")                  # 2,332 / 5,771.43 = 40.41%
    assert t["planned_starts"] == 3                             # P3 (Sep), P4 (Jun), P5 (Mar)
    assert t["started"] == 1                                    # P5 (Feb 20); P3 started Nov 2, after the end
    assert t["not_started_on_time"] == 2
    assert t["started_early"] == 1                              # P2 planned December, started October 10
    assert t["start_rate"] == D("33.3")                         # 1 / 3
    assert t["working"] == 2                                    # Oct approved: P1 开工, P2 复工 (P3 only submitted)
    assert t["work_rate"] == D("33.3")                          # 2 / 6
    assert t["planned_completions"] == 2                        # P1 (Oct 15), P6 (Aug 31)
    assert t["completions"] == 1                                # P6 (Sep 15)
    assert t["completion_rate"] == D("50.0")
    assert t["milestones_due"] == 4                             # P1's three due in 2026 by Oct; P5's 开工
    assert t["milestones_on_time"] == 2                         # P1 桩基 (Mar 30 ≤ 31); P5 开工 by its actual start
    assert t["milestone_rate"] == D("50.0")
    assert t["approvals_required"] == 4                         # P4 three (one not needed), P2 one
    assert t["approvals_done"] == 2                             # P4 Mar 1 and Oct 31; P2's came Nov 5
    assert t["approval_rate"] == D("50.0")
    assert t["problems"] == 4                                   # raised in 2026 by Oct: P1 ×2, P3, P4 (P7 not admitted)
    assert t["problems_closed"] == 2                            # P1's two; P3's closed Nov 5
    assert t["problem_close_rate"] == D("50.0")
    assert t["problem_avg_days"] == D("20.0")                   # (30 + 10) / 2
    assert t["reports_due"] == 5                                # October's reports of P1–P5
    assert t["reports_on_time"] == 2                            # P1 approved, P3 submitted; P2 late, P4, P5 not in
    assert t["on_time_rate"] == D("40.0")
    assert t["completed_last_year"] == D("1200.00")             # 2025-10: P1 700 + P8 500
    assert t["completed_yoy"] == D("94.3")                      # (2,332 − 1,200) / 1,200 = 94.33%


def test_lanshan(table):
    g = table.group("371302")
    assert (g["projects"], g["total_investment"], g["annual_plan"]) == (3, D("16800.25"), D("2100.00"))
    assert g["completed"] == D("1032.00")                       # 972 + 60
    assert g["plan_rate"] == D("49.1")                          # 1,032 / 2,100 = 49.14%
    assert g["time_progress"] == D("77.8")                      # (833.33 + 300 + 500) / 2,100 = 77.78%
    assert g["deviation_points"] == D("-28.7")
    assert g["plan_to_date_rate"] == D("63.2")                  # 1,032 / 1,633.33
    assert (g["planned_starts"], g["started"], g["started_early"], g["start_rate"]) == (0, 0, 1, None)
    assert (g["working"], g["work_rate"]) == (2, D("66.7"))
    assert (g["planned_completions"], g["completions"], g["completion_rate"]) == (2, 1, D("50.0"))
    assert (g["milestones_due"], g["milestones_on_time"], g["milestone_rate"]) == (3, 1, D("33.3"))
    assert (g["approvals_required"], g["approvals_done"], g["approval_rate"]) == (1, 0, D("0.0"))
    assert (g["problems"], g["problems_closed"], g["problem_close_rate"], g["problem_avg_days"]) == (
        2, 2, D("100.0"), D("20.0"))
    assert (g["reports_due"], g["reports_on_time"], g["on_time_rate"]) == (2, 1, D("50.0"))
    assert g["completed_last_year"] == D("1200.00")             # P1 700, P8 500, P6 nothing
    assert g["completed_yoy"] == D("-14.0")                     # (1,032 − 1,200) / 1,200


def test_luozhuang(table):
    g = table.group("371311")
    assert (g["projects"], g["total_investment"], g["annual_plan"], g["completed"]) == (
        2, D("21500.50"), D("2100.00"), D("300.00"))
    assert g["plan_rate"] == D("14.3")                          # 300 / 2,100
    assert g["time_progress"] == D("82.8")                      # (1,666.67 + 71.43) / 2,100 = 82.77%
    assert g["deviation_points"] == D("-68.5")
    assert (g["planned_starts"], g["started"], g["not_started_on_time"], g["start_rate"]) == (2, 0, 2, D("0.0"))
    assert (g["working"], g["work_rate"]) == (0, D("0.0"))
    assert (g["planned_completions"], g["completion_rate"]) == (0, None)
    assert (g["milestones_due"], g["milestone_rate"]) == (0, None)  # P3's node was due in 2025
    assert (g["approvals_required"], g["approvals_done"], g["approval_rate"]) == (3, 2, D("66.7"))
    assert (g["problems"], g["problems_closed"], g["problem_close_rate"], g["problem_avg_days"]) == (
        2, 0, D("0.0"), None)
    assert (g["reports_due"], g["reports_on_time"], g["on_time_rate"]) == (2, 1, D("50.0"))
    assert (g["completed_last_year"], g["completed_yoy"]) == (D("0.00"), None)


def test_the_citys_own_projects(table):
    g = table.group("371300-self")
    assert (g["projects"], g["completed"], g["plan_rate"]) == (1, D("1000.00"), D("33.3"))
    assert (g["time_progress"], g["deviation_points"], g["plan_to_date_rate"]) == (D("80.0"), D("-46.7"), D("41.7"))
    assert (g["planned_starts"], g["started"], g["start_rate"]) == (1, 1, D("100.0"))
    assert (g["milestones_due"], g["milestones_on_time"], g["milestone_rate"]) == (1, 1, D("100.0"))
    assert (g["reports_due"], g["reports_on_time"], g["on_time_rate"]) == (1, 0, D("0.0"))


def test_groups_of_a_partition_add_up_to_the_total(table):
    for key in ("projects", "total_investment", "annual_plan", "completed", "planned_starts", "working",
                "milestones_due", "problems", "reports_due", "completed_last_year"):
        assert sum(g[key] for g in table.groups) == table.total[key], key


def test_the_published_arithmetic_972_of_1000_in_october(town):
    """江门 1—10月: 97.2% of the year's plan against 序时 83.3% is 13.9 points ahead."""
    total = figures(None, period="2026-10", filters={"q": "兰山快速路"}).total
    assert (total["completed"], total["annual_plan"]) == (D("972.00"), D("1000.00"))
    assert total["plan_rate"] == D("97.2")
    assert total["time_progress"] == D("83.3")                  # 10/12
    assert total["deviation_points"] == D("13.9")               # 97.2 − 83.3
    assert total.deviation_text == gap_text(D("13.9")) == "超过序时进度13.9个百分点"


def test_november_counts_the_approved_november_report(town):
    total = figures(None, period="2026-11", filters={"q": "罗庄河道"}).total
    assert total["completed"] == D("1299.00")                   # 300 + 999; October's 200 still only submitted
    assert total["time_progress"] == D("91.7")                  # 11/12


def test_the_handed_in_rule_counts_submitted_reports(town, settings):
    settings.TUIJIN_COUNTED_REPORTS = "handed_in"
    table = figures(None, period="2026-10")
    # P3's submitted October 200 now counts; P5's returned 500 still does not: 2,332 + 200 = 2,532
    assert table.total["completed"] == D("2532.00")
    assert table.label == "截至2026年10月，已上报填报（含待审核）"


@pytest.mark.parametrize(("period", "label"), [("2026-Q3", "截至2026年第三季度，已审核填报"),
                                               ("2026-H2", "截至2026年下半年，已审核填报"),
                                               ("2026", "截至2026年，已审核填报")])
def test_quarters_halves_and_years_are_as_of_their_last_day(town, period, label):
    table = figures(None, period=period)
    assert table.label == label
    if period == "2026-Q3":
        assert table.basis.as_of.label == "2026年9月"
        assert table.total["completed"] == D("1710.00")         # September: 400 + 10 + 300 + 1,000
        # P1, P3 9/12 of 3,000 = 2,250; P2's own plan 100; P4 4/7 of 100 = 57.14; P5 7/10 of 3,000 = 2,100; P6 500
        assert table.total["time_progress"] == D("69.5")        # 5,007.14 / 7,200 = 69.54%
        assert table.total["reports_due"] == 5                  # July–September: only September has a period (P1–P5)
        assert table.total["reports_on_time"] == 4              # all but P4's draft
    else:
        assert table.basis.as_of.label == "2026年11月"           # the year's latest period by December 31
        assert table.total["completed"] == D("3331.00")         # 2,332 + November's approved 999
        assert table.total["time_progress"] == D("100.0")       # December 31: the whole year is due


def test_bad_input_is_refused_in_chinese(town):
    with pytest.raises(FiguresError, match="统计期“2026-13”格式不正确"):
        figures(None, period="2026-13")
    with pytest.raises(FiguresError, match="分组“town”不存在"):
        figures(None, period="2026-10", group_by="town")
    with pytest.raises(FiguresError, match="筛选条件不正确：级别"):
        figures(None, period="2026-10", filters={"level": "999999"})
