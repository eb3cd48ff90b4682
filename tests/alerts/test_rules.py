"""How a measured value becomes a light (tuijin.alerts.rules), table by table at the published thresholds
of each city:

- 武汉: completion ÷ time-proportional plan below 80 % yellow, below 60 % red (ratio, 80/60).
- 银川: 10–30 percentage points behind 序时 inclusive yellow, more than 30 red (points, 10/30);
  start: planned month passed without start yellow, 3 months red (months, 1/3).
- 三亚 (年度计划 ≥ 1000万元): below 序时 yellow, more than 50 % below (ratio < 50 %) red (ratio, 100/50).
- Our own deadlines: days overdue (1/30 nodes and approvals, 1/15 problems), periods missing (1/2).
"""

from datetime import date
from decimal import Decimal

import pytest

from tuijin.alerts import rules
from tuijin.alerts.choices import Dimension, Method, Preset
from tuijin.alerts.presets import PRESET_RULES
from tuijin.alerts.rules import describe_thresholds, level_for, months_elapsed, threshold_errors
from tuijin.projects.choices import Light

D = Decimal
G, Y, R = Light.GREEN, Light.YELLOW, Light.RED


# ------------------------------------------------------------------------------------------ 武汉 80/60


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120.0", G),
        ("100.0", G),
        ("80.1", G),
        ("80.0", G),    # "低于80%" is yellow: exactly 80 % is not below
        ("79.9", Y),
        ("60.1", Y),
        ("60.0", Y),    # "低于60%" is red: exactly 60 % is still yellow
        ("59.9", R),
        ("0.0", R),
    ],
)
def test_wuhan_ratio_of_the_time_proportional_plan(value, expected):
    assert level_for(Method.RATIO_OF_PLAN, D(value), D(80), D(60)) == expected


# ------------------------------------------------------------------------------------------ 三亚 100/50


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("100.0", G),   # reached 序时
        ("99.9", Y),    # below 序时
        ("50.1", Y),
        ("50.0", Y),    # exactly half of 序时 is not "more than 50 % below"
        ("49.9", R),
        ("0.0", R),
    ],
)
def test_sanya_ratio_below_schedule(value, expected):
    assert level_for(Method.RATIO_OF_PLAN, D(value), D(100), D(50)) == expected


# ------------------------------------------------------------------------------------------ 银川 10/30


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-5.0", G),    # ahead of 序时
        ("0.0", G),
        ("9.9", G),
        ("10.0", Y),    # "10~30个百分点(含)": both ends yellow
        ("10.1", Y),
        ("29.9", Y),
        ("30.0", Y),
        ("30.1", R),    # "超过30个百分点"
        ("100.0", R),
    ],
)
def test_yinchuan_points_behind_schedule(value, expected):
    assert level_for(Method.POINTS_BEHIND, D(value), D(10), D(30)) == expected


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        (0, G),   # still the planned month
        (1, Y),   # the planned month has passed without a start
        (2, Y),
        (3, R),   # "连续3个月应开工未开工"
        (4, R),
        (12, R),
    ],
)
def test_yinchuan_start_months_overdue(months, expected):
    assert level_for(Method.MONTHS_OVERDUE, D(months), D(1), D(3)) == expected


@pytest.mark.parametrize(
    ("since", "today", "months"),
    [
        (date(2026, 9, 24), date(2026, 9, 24), 0),
        (date(2026, 9, 24), date(2026, 10, 23), 0),
        (date(2026, 9, 24), date(2026, 10, 24), 1),    # a month counts once its day comes round again
        (date(2026, 9, 24), date(2026, 11, 23), 1),
        (date(2026, 9, 24), date(2026, 11, 24), 2),
        (date(2026, 9, 24), date(2026, 12, 7), 2),     # 74 days: 2 whole months, not 3 rounded up
        (date(2026, 9, 24), date(2026, 12, 23), 2),
        (date(2026, 9, 24), date(2026, 12, 24), 3),
        (date(2025, 12, 15), date(2026, 1, 14), 0),    # across the year end
        (date(2025, 12, 15), date(2026, 1, 15), 1),
        (date(2026, 1, 31), date(2026, 2, 27), 0),
        (date(2026, 1, 31), date(2026, 2, 28), 1),     # a day the month lacks comes on its last day
        (date(2026, 1, 31), date(2026, 3, 30), 1),
        (date(2026, 1, 31), date(2026, 3, 31), 2),
        (date(2024, 2, 29), date(2025, 2, 28), 12),
        (date(2026, 9, 24), date(2026, 9, 1), 0),      # a date still ahead has no months elapsed
    ],
)
def test_months_overdue_are_whole_months_elapsed(since, today, months):
    assert months_elapsed(since, today) == months


# ------------------------------------------------------------------------------- days and periods


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, G), (1, Y), (2, Y), (29, Y), (30, R), (31, R), (365, R)],
)
def test_days_overdue_of_nodes_and_approvals(days, expected):
    # 节点、前期手续: past the date yellow, 逾期满30天 red.
    assert level_for(Method.DAYS_OVERDUE, D(days), D(1), D(30)) == expected


@pytest.mark.parametrize(("days", "expected"), [(0, G), (1, Y), (14, Y), (15, R), (16, R)])
def test_days_overdue_of_problems(days, expected):
    assert level_for(Method.DAYS_OVERDUE, D(days), D(1), D(15)) == expected


@pytest.mark.parametrize(("periods", "expected"), [(0, G), (1, Y), (2, R), (3, R)])
def test_periods_missing(periods, expected):
    assert level_for(Method.PERIODS_MISSING, D(periods), D(1), D(2)) == expected


@pytest.mark.parametrize(("days", "expected"), [(6, G), (7, Y), (89, Y), (90, R)])
def test_count_thresholds_other_than_one_are_inclusive_too(days, expected):
    assert level_for(Method.DAYS_OVERDUE, D(days), D(7), D(90)) == expected


def test_equal_thresholds_go_straight_to_red():
    assert level_for(Method.POINTS_BEHIND, D(20), D(20), D(20)) == Y   # not "超过20"
    assert level_for(Method.POINTS_BEHIND, D("20.1"), D(20), D(20)) == R
    assert level_for(Method.DAYS_OVERDUE, D(5), D(5), D(5)) == R
    assert level_for(Method.RATIO_OF_PLAN, D("79.9"), D(80), D(80)) == R
    assert level_for(Method.RATIO_OF_PLAN, D(80), D(80), D(80)) == G


# ---------------------------------------------------------------- the presets carry the published numbers


def preset_rule(preset, dimension):
    (rule,) = [r for r in PRESET_RULES[preset] if r[1] == dimension]
    name, _dimension, method, yellow, red, minimum, _note = rule
    return method, yellow, red, minimum


@pytest.mark.parametrize(
    ("preset", "dimension", "method", "yellow", "red", "minimum", "table"),
    [
        (Preset.WUHAN, Dimension.INVESTMENT_LAG, Method.RATIO_OF_PLAN, 80, 60, None,
         [("80.0", G), ("79.9", Y), ("60.0", Y), ("59.9", R)]),
        (Preset.YINCHUAN, Dimension.INVESTMENT_LAG, Method.POINTS_BEHIND, 10, 30, None,
         [("9.9", G), ("10.0", Y), ("30.0", Y), ("30.1", R)]),
        (Preset.YINCHUAN, Dimension.START_OVERDUE, Method.MONTHS_OVERDUE, 1, 3, None,
         [("0", G), ("1", Y), ("2", Y), ("3", R)]),
        (Preset.SANYA, Dimension.INVESTMENT_LAG, Method.RATIO_OF_PLAN, 100, 50, 1000,
         [("100.0", G), ("99.9", Y), ("50.0", Y), ("49.9", R)]),
        (Preset.STANDARD, Dimension.INVESTMENT_LAG, Method.POINTS_BEHIND, 10, 30, None,
         [("9.9", G), ("10.0", Y), ("30.0", Y), ("30.1", R)]),
        (Preset.STANDARD, Dimension.START_OVERDUE, Method.MONTHS_OVERDUE, 1, 3, None,
         [("0", G), ("1", Y), ("3", R)]),
        (Preset.STANDARD, Dimension.MILESTONE_OVERDUE, Method.DAYS_OVERDUE, 1, 30, None,
         [("0", G), ("1", Y), ("29", Y), ("30", R)]),
        (Preset.STANDARD, Dimension.APPROVAL_OVERDUE, Method.DAYS_OVERDUE, 1, 30, None,
         [("0", G), ("1", Y), ("29", Y), ("30", R)]),
        (Preset.STANDARD, Dimension.REPORT_MISSING, Method.PERIODS_MISSING, 1, 2, None,
         [("0", G), ("1", Y), ("2", R)]),
        (Preset.STANDARD, Dimension.PROBLEM_OVERDUE, Method.DAYS_OVERDUE, 1, 15, None,
         [("0", G), ("1", Y), ("14", Y), ("15", R)]),
    ],
)
def test_presets_encode_the_published_thresholds(preset, dimension, method, yellow, red, minimum, table):
    got_method, got_yellow, got_red, got_minimum = preset_rule(preset, dimension)
    assert (got_method, got_yellow, got_red) == (method, D(yellow), D(red))
    assert got_minimum == (None if minimum is None else D(minimum))
    assert [(value, level_for(got_method, D(value), got_yellow, got_red)) for value, _ in table] == table


def test_every_preset_rule_has_thresholds_its_own_validation_accepts():
    for preset, preset_rules in PRESET_RULES.items():
        for name, _dimension, method, yellow, red, _minimum, _note in preset_rules:
            assert threshold_errors(method, yellow, red) == {}, (preset, name)


# -------------------------------------------------------------------------------- threshold errors


@pytest.mark.parametrize(
    ("method", "yellow", "red", "errors"),
    [
        # the published ones are fine
        (Method.RATIO_OF_PLAN, "80", "60", {}),
        (Method.RATIO_OF_PLAN, "100", "50", {}),
        (Method.RATIO_OF_PLAN, "80", "80", {}),
        (Method.POINTS_BEHIND, "10", "30", {}),
        (Method.POINTS_BEHIND, "0", "30", {}),        # points may start at 0 (any lag yellow)
        (Method.MONTHS_OVERDUE, "1", "3", {}),
        (Method.DAYS_OVERDUE, "1", "30", {}),
        (Method.PERIODS_MISSING, "1", "2", {}),
        (Method.DAYS_OVERDUE, "5", "5", {}),
        # missing
        (Method.RATIO_OF_PLAN, None, "60", {"yellow": ["请填写黄灯阈值"]}),
        (Method.RATIO_OF_PLAN, "80", None, {"red": ["请填写红灯阈值"]}),
        (Method.DAYS_OVERDUE, None, None, {"yellow": ["请填写黄灯阈值"], "red": ["请填写红灯阈值"]}),
        # negative
        (Method.POINTS_BEHIND, "-1", "30", {"yellow": ["阈值不能为负数"]}),
        (Method.POINTS_BEHIND, "10", "-1", {"red": ["阈值不能为负数"]}),
        (Method.RATIO_OF_PLAN, "-80", "-60", {"yellow": ["阈值不能为负数"]}),
        # order: a ratio's red is the lower number, every other method's the higher
        (Method.RATIO_OF_PLAN, "60", "80", {"red": ["比例口径下红灯阈值应不高于黄灯阈值（如黄灯80%、红灯60%）"]}),
        (Method.RATIO_OF_PLAN, "100.1", "50", {"yellow": ["比例阈值不能超过100%"]}),
        (Method.RATIO_OF_PLAN, "120", "130", {"red": ["比例口径下红灯阈值应不高于黄灯阈值（如黄灯80%、红灯60%）"],
                                              "yellow": ["比例阈值不能超过100%"]}),
        (Method.POINTS_BEHIND, "30", "10", {"red": ["红灯阈值应不低于黄灯阈值"]}),
        (Method.MONTHS_OVERDUE, "3", "1", {"red": ["红灯阈值应不低于黄灯阈值"]}),
        (Method.PERIODS_MISSING, "2", "1.9", {"red": ["红灯阈值应不低于黄灯阈值"]}),
        # counts start at 1
        (Method.DAYS_OVERDUE, "0", "30", {"yellow": ["天数、月数或期数阈值至少为1"]}),
        (Method.MONTHS_OVERDUE, "0.5", "3", {"yellow": ["天数、月数或期数阈值至少为1"]}),
        (Method.PERIODS_MISSING, "0", "2", {"yellow": ["天数、月数或期数阈值至少为1"]}),
    ],
)
def test_threshold_errors(method, yellow, red, errors):
    assert threshold_errors(method, decimal_or_none(yellow), decimal_or_none(red)) == errors


def decimal_or_none(value: str | None) -> Decimal | None:
    return None if value is None else D(value)


# --------------------------------------------------------------------------- the rule in words


@pytest.mark.parametrize(
    ("method", "yellow", "red", "text"),
    [
        (Method.RATIO_OF_PLAN, "80.0", "60.0", "完成额低于序时计划的80%为黄灯，低于60%为红灯"),
        (Method.RATIO_OF_PLAN, "100", "50", "完成额低于序时计划的100%为黄灯，低于50%为红灯"),
        (Method.RATIO_OF_PLAN, "85.5", "62.5", "完成额低于序时计划的85.5%为黄灯，低于62.5%为红灯"),
        (Method.POINTS_BEHIND, "10.0", "30.0", "低于序时进度10个百分点（含）以上为黄灯，超过30个百分点为红灯"),
        (Method.DAYS_OVERDUE, "1.0", "30.0", "达到1天为黄灯，达到30天为红灯"),
        (Method.MONTHS_OVERDUE, "1", "3", "达到1个月为黄灯，达到3个月为红灯"),
        (Method.PERIODS_MISSING, "1.0", "2.0", "达到1期为黄灯，达到2期为红灯"),
    ],
)
def test_describe_thresholds(method, yellow, red, text):
    assert describe_thresholds(method, D(yellow), D(red)) == text


@pytest.mark.parametrize(
    ("value", "rounded"),
    [("79.95", "80.0"), ("79.94", "79.9"), ("-0.05", "-0.1"), ("30.05", "30.1"), ("12", "12.0")],
)
def test_round1_rounds_half_up_to_one_decimal(value, rounded):
    assert str(rules.round1(D(value))) == rounded
