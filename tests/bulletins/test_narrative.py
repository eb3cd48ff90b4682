"""The bulletin's sentences, every form written out by hand: above, below and equal to 序时; zero and
missing values; one project; 亿元 against 万元. Each expected sentence is what an office would type."""

from decimal import Decimal as D

import pytest

from tuijin.bulletins import narrative as say

CITY = {"projects": 148, "total_investment": D("31265000.00"), "annual_plan": D("3582000.00"),
        "completed": D("3126000.00"), "plan_rate": D("87.3"), "deviation_points": D("4.0"), "completed_yoy": D("12.5")}


def test_the_unit_is_yi_from_one_yi_upwards_and_wan_below():
    assert say.unit_for([D("9999.99"), None]) == say.WAN
    assert say.unit_for([D("10000.00")]) == say.YI_YUAN
    assert say.unit_for([]) == say.WAN
    assert say.unit_for([D("-20000")]) == say.YI_YUAN


@pytest.mark.parametrize(("value", "unit", "text"), [
    (D("3126000.00"), say.YI_YUAN, "312.60"),
    (D("3126049.99"), say.YI_YUAN, "312.60"),   # 312.604999 → 312.60
    (D("3126050.00"), say.YI_YUAN, "312.61"),   # half up, not to even
    (D("8560.25"), say.WAN, "8560.25"),
    (D("0"), say.WAN, "0.00"),
    (None, say.WAN, "—"),
])
def test_money_is_printed_in_the_unit_with_two_places_and_no_separators(value, unit, text):
    assert say.money(value, unit) == text


def test_points_and_rates_print_as_the_tables_do():
    assert say.points(D("3.9")) == "+3.9"
    assert say.points(D("-2.1")) == "-2.1"
    assert say.points(D("0.0")) == "0.0"
    assert say.points(None) == "—"
    assert say.rate(D("87.2")) == "87.2%"
    assert say.rate(None) == "—"


def test_the_scale_sentence_names_counts_money_and_stages():
    text = say.scale_sentence("全市", "重点项目", CITY, say.YI_YUAN, [("新开工", 32), ("续建", 96), ("前期", 20), ("竣工", 0)])
    assert text == "全市共有重点项目148个，总投资3126.50亿元，年度计划投资358.20亿元；其中新开工32个、续建96个、前期20个。"


def test_the_scale_sentence_for_one_project_in_wan():
    values = {"projects": 1, "total_investment": D("5000.00"), "annual_plan": D("1200.00")}
    assert say.scale_sentence("全县", "重点项目", values, say.WAN, []) == \
        "全县共有重点项目1个，总投资5000.00万元，年度计划投资1200.00万元。"


def test_the_scale_sentence_without_projects():
    assert say.scale_sentence("全区", "重点项目", {"projects": 0}, say.WAN, []) == "全区暂无列入本年度计划的重点项目。"


def test_completion_above_time_progress_with_growth():
    assert say.completion_sentence("1—10月", CITY, say.YI_YUAN, has_reports=True) == \
        "1—10月，累计完成投资312.60亿元，占年度计划的87.3%，超过序时进度4.0个百分点，同比增长12.5%。"


def test_completion_below_time_progress_with_decline():
    values = {**CITY, "plan_rate": D("80.0"), "deviation_points": D("-3.3"), "completed_yoy": D("-4.2")}
    assert say.completion_sentence("1—10月", values, say.YI_YUAN, has_reports=True) == \
        "1—10月，累计完成投资312.60亿元，占年度计划的80.0%，低于序时进度3.3个百分点，同比下降4.2%。"


def test_completion_equal_to_time_progress_and_no_last_year():
    values = {**CITY, "plan_rate": D("83.3"), "deviation_points": D("0.0"), "completed_yoy": None}
    assert say.completion_sentence("1—10月", values, say.YI_YUAN, has_reports=True) == \
        "1—10月，累计完成投资312.60亿元，占年度计划的83.3%，与序时进度持平。"


def test_the_published_arithmetic_97_2_minus_83_3_is_13_9_points_above():
    values = {**CITY, "plan_rate": D("97.2"), "deviation_points": D("97.2") - D("83.3"), "completed_yoy": None}
    assert "超过序时进度13.9个百分点" in say.completion_sentence("1—10月", values, say.YI_YUAN, has_reports=True)


def test_completion_without_a_plan_leaves_out_the_rate_and_the_deviation():
    values = {"projects": 3, "completed": D("120.00"), "plan_rate": None, "deviation_points": None}
    assert say.completion_sentence("1月", values, say.WAN, has_reports=True) == "1月，累计完成投资120.00万元。"


def test_completion_without_reports_says_so():
    assert say.completion_sentence("1—10月", CITY, say.YI_YUAN, has_reports=False) == \
        "1—10月，尚无计入统计的投资完成数据（无已审核的月度填报）。"
    assert say.completion_sentence("1—10月", {"projects": 0}, say.WAN, has_reports=True) == ""


@pytest.mark.parametrize(("values", "text"), [
    ({"planned_starts": 40, "started": 32, "not_started_on_time": 8, "start_rate": D("80.0"), "started_early": 3},
     "计划新开工项目40个，已开工32个，开工率80.0%，未按计划开工8个；另有提前开工项目3个。"),
    ({"planned_starts": 5, "started": 5, "not_started_on_time": 0, "start_rate": D("100.0"), "started_early": 0},
     "计划新开工项目5个，已全部开工。"),
    ({"planned_starts": 2, "started": 0, "not_started_on_time": 2, "start_rate": D("0.0"), "started_early": 0},
     "计划新开工项目2个，尚无项目开工，开工率0.0%，未按计划开工2个。"),
    ({"planned_starts": 0, "started": 0, "started_early": 1}, "本年截至统计期末无计划新开工项目；另有提前开工项目1个。"),
    ({"planned_starts": 0, "started": 0, "started_early": 0}, "本年截至统计期末无计划新开工项目。"),
])
def test_the_starts_sentence(values, text):
    assert say.starts_sentence(values) == text


@pytest.mark.parametrize(("values", "text"), [
    ({"planned_completions": 10, "completions": 7, "completion_rate": D("70.0")}, "计划竣工（投产）项目10个，已竣工投产7个，竣工率70.0%。"),
    ({"planned_completions": 4, "completions": 4, "completion_rate": D("100.0")}, "计划竣工（投产）项目4个，已全部竣工投产。"),
    ({"planned_completions": 3, "completions": 0, "completion_rate": D("0.0")}, "计划竣工（投产）项目3个，尚无项目竣工投产，竣工率0.0%。"),
    ({"planned_completions": 0, "completions": 0}, "本年截至统计期末无计划竣工（投产）项目。"),
])
def test_the_completions_sentence(values, text):
    assert say.completions_sentence(values) == text


def test_the_problems_sentence_with_new_ones_and_none_raised():
    values = {"problems": 120, "problems_closed": 96, "problem_close_rate": D("80.0"), "problem_avg_days": D("12.5")}
    assert say.problems_sentence("1—10月", values, 15, "10月") == \
        "1—10月，共收集问题120个，已办结96个，办结率80.0%，平均办结用时12.5天；其中10月新增15个。"
    assert say.problems_sentence("1—10月", values, 0, "10月").endswith("；10月无新增问题。")
    assert say.problems_sentence("1—10月", {"problems": 0}) == "1—10月，未收集到项目建设中的问题。"
    none_closed = {"problems": 2, "problems_closed": 0, "problem_close_rate": D("0.0"), "problem_avg_days": None}
    assert say.problems_sentence("1月", none_closed) == "1月，共收集问题2个，尚无办结，办结率0.0%。"


def test_the_standing_sentence_names_the_first_and_last_three():
    ranked = [("甲县", D("95.0"), D("11.7")), ("乙县", D("90.0"), D("6.7")), ("丙区", D("88.0"), D("4.7")),
              ("丁区", D("83.3"), D("0.0")), ("戊县", D("70.0"), D("-13.3")), ("己县", D("60.0"), D("-23.3")),
              ("庚区", None, None)]
    assert say.standing_sentence("地区", ranked) == (
        "从各地区看，3个超过序时进度、1个与序时进度持平、2个低于序时进度；甲县、乙县和丙区完成率居前三位，"
        "丁区、戊县和己县居后三位。")


def test_the_standing_sentence_with_few_groups_names_highest_and_lowest():
    ranked = [("甲县", D("95.0"), D("11.7")), ("乙县", D("60.0"), D("-23.3"))]
    assert say.standing_sentence("地区", ranked) == "从各地区看，1个超过序时进度、1个低于序时进度；甲县完成率最高，乙县最低。"
    assert say.standing_sentence("地区", [("甲县", None, None)]) == ""


def test_the_best_group_is_named_only_when_it_is_alone_at_the_top():
    assert say.best_sentence("类项目", [("产业发展", D("95.2")), ("基础设施", D("80.0"))]) == "其中产业发展类项目完成率最高（95.2%）。"
    assert say.best_sentence("类项目", [("产业发展", D("95.2")), ("基础设施", D("95.2"))]) == ""
    assert say.best_sentence("类项目", [("产业发展", D("95.2")), ("基础设施", None)]) == ""


def test_the_groups_sentence_skips_empty_groups_and_missing_rates():
    rows = [("产业发展类", {"projects": 60, "completed": D("1200000"), "plan_rate": D("90.1")}),
            ("社会民生类", {"projects": 0}),
            ("基础设施类", {"projects": 10, "completed": D("50000"), "plan_rate": None})]
    assert say.groups_sentence("分类别看", rows, say.YI_YUAN) == \
        "分类别看，产业发展类项目60个，完成投资120.00亿元，占年度计划的90.1%；基础设施类项目10个，完成投资5.00亿元。"


def test_the_warnings_and_causes_sentences():
    assert say.warnings_sentence("11月8日", 3, 5) == \
        "截至11月8日，共有红灯预警项目3个、黄灯预警项目5个，红灯项目见下表，全部预警项目见附件。"
    assert say.warnings_sentence("11月8日", 0, 2) == "截至11月8日，共有黄灯预警项目2个，详见附件。"
    assert say.warnings_sentence("11月8日", 0, 0) == "截至11月8日，无红灯、黄灯预警项目。"
    assert say.causes_sentence([("用地", 20), ("前期手续", 32), ("资金", 0), ("征拆/民事", 15), ("施工组织", 3)]) == \
        "从问题类型看，主要集中在前期手续（32个）、用地（20个）和征拆/民事（15个）。"
    assert say.causes_sentence([("资金", 0)]) == ""


def test_before_any_report_the_groups_sentence_gives_the_plans():
    rows = [("产业发展类", {"projects": 2, "annual_plan": D("8000"), "completed": D("0"), "plan_rate": D("0.0")})]
    assert say.groups_sentence("分类别看", rows, say.WAN, has_reports=False) == "分类别看，产业发展类项目2个，年度计划投资8000.00万元。"


def test_the_standing_sentence_names_no_first_or_last_across_a_tie():
    tied = [("甲县", D("0.0"), D("-100.0")), ("乙县", D("0.0"), D("-100.0"))]
    assert say.standing_sentence("地区", tied) == "从各地区看，2个低于序时进度。"
    six = [("甲", D("9"), D("1")), ("乙", D("8"), D("1")), ("丙", D("7"), D("1")), ("丁", D("7"), D("1")),
           ("戊", D("5"), D("1")), ("己", D("4"), D("1"))]
    # 丙 and 丁 tie across the third place: neither three is named; the single first and last are.
    assert say.standing_sentence("地区", six) == "从各地区看，6个超过序时进度；甲完成率最高，己最低。"
