"""Scoring curves against the published rules, computed by hand (FACTS §3.2), with their boundaries."""

from decimal import Decimal as D

import pytest

from tuijin.scoring.curves import CurveError, describe, parse
from tuijin.scoring.ranks import competition_ranks, movement, rank_text, tied, trimmed_mean

# 延安: 进度 = 60 × 完成投资/年度计划 (capped at the weight unless the scheme says otherwise).
YANAN = {"kind": "linear", "weight": 60, "target": 100}
# 临海: 亩均税收 score = value ÷ benchmark (15万元) × weight 40.
LINHAI = {"kind": "linear", "weight": 40, "target": 15, "cap": None}
# 绍兴: 形象进度计划完成率 30分, 100%满分, ±1分/百分点.
SHAOXING = {"kind": "per_point", "base": 30, "target": 100, "below": 1, "above": [[100, 1]]}
# 2020 综合奖: 全年投资计划 25; 未完成 −0.1/pt; 100–130% +0.2/pt; >130% +0.1/pt; ±10 cap.
AWARD_2020 = {"kind": "per_point", "base": 25, "target": 100, "below": "0.1",
              "above": [[100, "0.2"], [130, "0.1"]], "max_bonus": 10, "max_penalty": 10}
# 枣庄: 市定 20分, 每超(少)2%加(减)1分, 最高加(减)15分 (whole steps).
ZAOZHUANG = {"kind": "per_point", "base": 20, "target": 100, "step": 2, "below": 1, "above": [[100, 1]],
             "whole_steps": True, "max_bonus": 15, "max_penalty": 15}
# 某市: 年度计划投资 ≥10亿 20, 5–10亿 15, 3–5亿 10, 1–3亿 5, <1亿 3 (in 万元).
PLAN_SIZE = {"kind": "bands", "bands": [[0, 3], [10000, 5], [30000, 10], [50000, 15], [100000, 20]]}
# 2020 综合奖: 半年完成率排名 1-3:7, 4-6:5, 7-10:3.
RANK_2020 = {"kind": "rank", "ranks": [[1, 3, 7], [4, 6, 5], [7, 10, 3]]}
LATE_STARTS = {"kind": "count", "each": -3}          # 未按期开工入库 −3/项目
NEW_STARTS = {"kind": "count", "each": 1, "cap": 10}  # A/B类新开工每个+1 (≤10)


@pytest.mark.parametrize("config, value, expected", [
    (YANAN, "50", "30.00"), (YANAN, "100", "60.00"), (YANAN, "120", "60.00"), (YANAN, "-5", "0.00"),
    (YANAN, "33.33", "20.00"),                       # 60 × 0.3333 = 19.998 → 20.00
    ({**YANAN, "cap": None}, "120", "72.00"),
    (LINHAI, "12", "32.00"), (LINHAI, "7.5", "20.00"), (LINHAI, "30", "80.00"),
    (SHAOXING, "95", "25.00"), (SHAOXING, "100", "30.00"), (SHAOXING, "103.4", "33.40"), (SHAOXING, "-1", "0.00"),
    (AWARD_2020, "80", "23.00"), (AWARD_2020, "100", "25.00"), (AWARD_2020, "115", "28.00"),
    (AWARD_2020, "130", "31.00"), (AWARD_2020, "140", "32.00"), (AWARD_2020, "200", "35.00"),
    (AWARD_2020, "0", "15.00"), (AWARD_2020, "99.95", "25.00"),  # 25 − 0.005 = 24.995 → 25.00 half up
    (AWARD_2020, "99.9", "24.99"),
    (ZAOZHUANG, "98.1", "20.00"), (ZAOZHUANG, "98", "19.00"), (ZAOZHUANG, "97.9", "19.00"),
    (ZAOZHUANG, "101.9", "20.00"), (ZAOZHUANG, "104", "22.00"), (ZAOZHUANG, "150", "35.00"),
    (ZAOZHUANG, "60", "5.00"),
    (PLAN_SIZE, "9999.99", "3.00"), (PLAN_SIZE, "10000", "5.00"), (PLAN_SIZE, "99999", "15.00"),
    (PLAN_SIZE, "100000", "20.00"), (PLAN_SIZE, "-1", "0.00"),
    (RANK_2020, 1, "7.00"), (RANK_2020, 3, "7.00"), (RANK_2020, 4, "5.00"), (RANK_2020, 6, "5.00"),
    (RANK_2020, 7, "3.00"), (RANK_2020, 10, "3.00"), (RANK_2020, 11, "0.00"),
    ({"kind": "value"}, "-10.04", "-10.04"), ({"kind": "value"}, "13.9", "13.90"),
    (LATE_STARTS, 4, "-12.00"), (LATE_STARTS, 0, "0.00"), (NEW_STARTS, 12, "10.00"), (NEW_STARTS, 3, "3.00"),
])
def test_points_by_hand(config, value, expected):
    assert parse(config).points(D(value) if isinstance(value, str) else value) == D(expected)


def test_nothing_to_measure_scores_the_missing_points():
    assert str(parse(YANAN).points(None)) == "0.00"
    assert str(parse({**SHAOXING, "missing": 15}).points(None)) == "15.00"


def test_the_indicator_weight_is_the_default_for_linear_and_per_point():
    assert parse({"kind": "linear", "target": 100}, weight=D(40)).points(D(50)) == D("20.00")
    assert parse({"kind": "per_point", "target": 100, "below": 1}, weight=D(30)).points(D(90)) == D("20.00")


@pytest.mark.parametrize("config, message", [
    ({"kind": "curve"}, "未知的计分方法“curve”"),
    ([1, 2], "计分方法应为对象"),
    ({"kind": "linear", "weight": 60}, "请填写“目标值”"),
    ({"kind": "linear", "weight": 60, "target": 0}, "“目标值”应大于0"),
    ({"kind": "linear", "weight": "六十", "target": 100}, "“权重”应为数字"),
    ({"kind": "linear", "weight": "NaN", "target": 100}, "“权重”应为数字"),
    ({"kind": "linear", "weight": True, "target": 100}, "“权重”应为数字"),
    ({"kind": "linear", "target": 100}, "请填写“权重”"),
    ({"kind": "per_point", "base": 25, "target": 100, "above": [[110, 1]]}, "加分区间应从目标值100起算"),
    ({"kind": "per_point", "base": 25, "target": 100, "step": -2}, "“每档百分点”应大于0"),
    ({"kind": "bands", "bands": [[10, 5], [5, 3]]}, "“分档”的下限应从小到大排列且不重复"),
    ({"kind": "bands", "bands": [10, 5]}, "“分档”应为[下限, 分值]的列表"),
    ({"kind": "bands"}, "请填写“分档”"),
    ({"kind": "rank", "ranks": [[1, 3, 7], [3, 6, 5]]}, "名次分档不能重叠"),
    ({"kind": "rank", "ranks": [[0, 3, 7]]}, "名次分档的名次应为从1起的整数"),
    ({"kind": "rank", "ranks": [[1.5, 3, 7]]}, "名次分档的名次应为从1起的整数"),
    ({"kind": "count"}, "请填写“每个得分”"),
])
def test_unusable_settings_say_why_in_chinese(config, message):
    with pytest.raises(CurveError) as error:
        parse(config)
    assert message in str(error.value)


def test_ties_share_the_better_rank_and_skip_the_next():
    ranks = competition_ranks([D(97), D(95), D(95), D(90), None])
    assert ranks == [1, 2, 2, 4, None]
    assert tied(ranks) == {2}
    assert rank_text(2, True) == "并列第2名" and rank_text(1, False) == "第1名" and rank_text(None, False) == "不参与排名"


def test_lower_is_better_ranks_ascending():
    assert competition_ranks([D("3.5"), D("-1.2"), D("3.5")], higher_is_better=False) == [2, 1, 2]


@pytest.mark.parametrize("previous, rank, text", [(5, 3, "↑2"), (2, 3, "↓1"), (4, 4, "—"), (None, 1, "新"), (3, None, "")])
def test_movement_since_the_last_period(previous, rank, text):
    assert movement(previous, rank) == text


@pytest.mark.parametrize("scores, mean", [
    (["90", "85", "80", "70", "95"], "85.00"),   # drop 95 and 70: (90+85+80)/3
    (["88", "92"], "90.00"),                      # two judges: nothing dropped
    (["80.5", "80.5", "80.5"], "80.50"),
    (["70", "71", "90"], "71.00"),                # three judges: the middle one
    (["86", "87", "88", "90"], "87.50"),
])
def test_judges_trimmed_mean(scores, mean):
    assert trimmed_mean([D(s) for s in scores]) == D(mean)


def test_no_judges_no_mean():
    assert trimmed_mean([]) is None


@pytest.mark.parametrize("config, words", [
    (YANAN, "得分＝60×实际值÷100，最高60分"),
    (LINHAI, "得分＝40×实际值÷15"),
    (AWARD_2020, "达到100得25分；低于100的，每个百分点扣0.1分，最多扣10分；100以上每个百分点加0.2分、130以上每个百分点加0.1分，最多加10分"),
    (ZAOZHUANG, "达到100得20分；低于100的，每2个百分点扣1分（不足一档不计），最多扣15分；100以上每2个百分点加1分，最多加15分（不足一档不计）"),
    (PLAN_SIZE, "不低于100000得20分；不低于50000得15分；不低于30000得10分；不低于10000得5分；不低于0得3分；其余0分"),
    (RANK_2020, "第1–3名得7分；第4–6名得5分；第7–10名得3分；其余0分"),
    (LATE_STARTS, "每个扣3分"),
    (NEW_STARTS, "每个加1分，最多加10分"),
    ({**SHAOXING, "missing": 2}, "达到100得30分；低于100的，每个百分点扣1分；100以上每个百分点加1分；无数据的得2分"),
    ({"kind": "value"}, "得分＝指标值本身（按指标值排名）"),
])
def test_a_curve_in_words(config, words):
    from tuijin.scoring.curves import describe

    assert describe(parse(config)) == words


def test_the_english_words_take_the_plural_the_number_needs():
    """One point, two points, half a point (0.5 points): ngettext with one Chinese msgid for both forms."""
    from django.utils import translation

    with translation.override("en"):
        assert describe(parse({"kind": "linear", "weight": 60, "target": 100, "cap": 1})).endswith(", at most 1 point")
        assert describe(parse({"kind": "linear", "weight": 60, "target": 100})).endswith(", at most 60 points")
        text = describe(parse({"kind": "per_point", "base": 25, "target": 100, "step": 2, "below": 1,
                               "above": [[100, "0.5"]], "max_penalty": 1}))
        assert "below 100, 1 point deducted for every 2 percentage points, at most 1 point deducted" in text
        assert "above 100, 0.5 points added for every 2 percentage points" in text
        assert describe(parse({"kind": "count", "each": -1, "cap": 3})) == "1 point deducted for each, at most 3 points deducted"
        assert describe(parse({"kind": "rank", "ranks": [[1, 1, 1], [2, 3, "0.5"]]})) == (
            "1 point for rank 1；0.5 points for ranks 2–3; otherwise 0 points")
    assert describe(parse({"kind": "linear", "weight": 60, "target": 100, "cap": 1})) == "得分＝60×实际值÷100，最高1分"
