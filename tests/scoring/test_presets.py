"""The published schemes reproduced as presets, each run on a small case computed by hand."""

from decimal import Decimal as D

import pytest

from tuijin.scoring.compute import compute
from tuijin.scoring.presets import AWARD_2020, CITY_WORKS_MONTHLY, MIANYANG_BOARDS, PRESETS, TEN_FAST_TEN_SLOW
from tuijin.scoring.schemes import parse


def with_members(preset, *members):
    series = [{**s, "members": list(m)} for s, m in zip(preset["series"], members, strict=True)]
    return parse({**preset, "series": series})


def run(preset, members, figures, scores=None, **extra):
    """Lines by (kind, id); with one kind of subject in the preset, by id. `figures`, `scores` and the
    other inputs are given by id when the preset has one kind, else by (kind, id)."""
    spec = with_members(preset, *members)
    kinds = {s.kind for s in spec.series}
    one = next(iter(kinds)) if len(kinds) == 1 else None

    def keyed(mapping):
        if one is None:
            return mapping
        return {((k[0], (one, k[1])) if isinstance(k, tuple) else (one, k)): v for k, v in mapping.items()}

    target = (preset["target_figure"], D(preset["target_value"])) if preset["target_figure"] else None
    lines = compute(indicators=spec.indicators, series=spec.series, names={}, figures=keyed(figures),
                    scores=keyed(scores or {}), target=target, red_needs_target=preset["red_needs_target"],
                    **{name: keyed(value) for name, value in extra.items()})
    return {(line.subject_id if one else line.key): line for line in lines}


@pytest.mark.parametrize("code", sorted(PRESETS))
def test_every_preset_is_a_valid_document(code):
    spec = parse(PRESETS[code])
    assert spec.indicators and spec.series


def test_award_2020_by_hand():
    figures = {
        1: {"plan_rate": D(115), "completed": D(9000), "started": D(12), "start_rate": D(85), "not_started_on_time": D(1)},
        2: {"plan_rate": D(90), "completed": D(12000), "started": D(4), "start_rate": D(62), "not_started_on_time": D(0)},
        3: {"plan_rate": D(140), "completed": D(3000), "started": D(0), "start_rate": None, "not_started_on_time": D(2)},
    }
    scores = {("hightech", 1): [D(3)], ("hightech", 2): [D(2)], ("service", 1): [D(12)], ("service", 2): [D(14)],
              ("service", 3): [D(10)]}
    lines = run(AWARD_2020, [(1, 2, 3)], figures, scores)
    # 甲: 25 + 15 × 0.2 = 28; rank 2 by rate → 7; 2nd by scale → 5; 3; 12 new starts capped at 10;
    # 开工率 85% ≥ 80% → 5; one late start −3; 管理服务 12.
    assert lines[1].points == {"plan": D("28.00"), "plan-rank": D("7.00"), "scale-rank": D("5.00"), "hightech": D("3.00"),
                               "new-starts": D("10.00"), "start-rate": D("5.00"), "late-starts": D("-3.00"),
                               "service": D("12.00")}
    assert lines[1].total == D("67.00")
    # 乙: 25 − 10 × 0.1 = 24; 3rd → 7; 1st by scale → 5; 2; 4; 62% is one whole 10-point step short → 4; 14.
    assert lines[2].total == D("60.00")
    # 丙: 25 + 30 × 0.2 + 10 × 0.1 = 32; 7; 5; no score 0; 0; no planned starts → 基础分 2; −6; 10.
    assert lines[3].points["plan"] == D("32.00") and lines[3].points["start-rate"] == D("2.00")
    assert lines[3].total == D("50.00")
    assert [lines[s].rank for s in (1, 2, 3)] == [1, 2, 3]


def test_city_works_monthly_by_hand_with_a_veto():
    figures = {11: {"plan_to_date_rate": D(95)}, 12: {"plan_to_date_rate": D(120)}}
    scores = {("quality", 11): [D(9)], ("funding", 11): [D(18)], ("compliance", 11): [D(10)], ("civilised", 11): [D(2)],
              ("quality", 12): [D(10)], ("funding", 12): [D(20)], ("compliance", 12): [D(10)]}
    lines = run(CITY_WORKS_MONTHLY, [(11, 12)], figures, scores, vetoes={12: "发生重大安全事故"})
    # 60 × 95% = 57; 9 + 18 + 10; two 文明施工 findings −4 → 90.
    assert lines[11].total == D("90.00") and lines[11].points["civilised"] == D("-4.00")
    # 120% is capped at 60, 100 in all, but the veto makes it 0 and last, on the black board.
    assert lines[12].points["progress"] == D("60.00") and lines[12].total == D("0.00")
    assert (lines[11].rank, lines[11].board, lines[12].rank, lines[12].board) == (1, "red", 2, "black")


def test_mianyang_boards_by_hand():
    """县（市、区）/园区 are regions, 市直部门/市属国企 the units leading projects — here with the same ids
    (region 1 and unit 1 are different subjects), each 序列 ranked on its own."""
    assert [s["kind"] for s in MIANYANG_BOARDS["series"]] == ["region", "lead_unit"]
    rates = {1: 120, 2: 105, 3: 100, 4: 95, 5: 80, 6: 60}
    figures = {("region", s): {"plan_rate": D(r), "plan_to_date_rate": D(r), "start_rate": D(100), "milestone_rate": D(100),
                               "problem_close_rate": D(100)} for s, r in rates.items()}
    figures.update({("lead_unit", 1): {"plan_rate": D(90), "plan_to_date_rate": D(90)},
                    ("lead_unit", 2): {"plan_rate": D(101), "plan_to_date_rate": D(101)}})
    lines = run(MIANYANG_BOARDS, [(1, 2, 3, 4, 5, 6), (1, 2)], figures)
    # 50 × rate capped at 60, plus 20 + 15 + 15.
    assert [lines[("region", s)].total for s in range(1, 7)] == [
        D("110.00"), D("102.50"), D("100.00"), D("97.50"), D("90.00"), D("80.00")]
    # 红榜 needs the period's target (≥100% of the 1—N月 plan): only 1–3 though 5 places; 黑榜 the rest.
    assert [lines[("region", s)].board for s in range(1, 7)] == ["red", "red", "red", "black", "black", "black"]
    # 市直部门: unit 2 met its target (101%: 50.50 + 0 + 0 + 0, red); unit 1 did not (90%: 45.00, black).
    assert (lines[("lead_unit", 2)].total, lines[("lead_unit", 2)].rank, lines[("lead_unit", 2)].board) == (D("50.50"), 1, "red")
    assert (lines[("lead_unit", 1)].total, lines[("lead_unit", 1)].rank, lines[("lead_unit", 1)].board) == (D("45.00"), 2, "black")
    exempted = run(MIANYANG_BOARDS, [(1, 2, 3, 4, 5, 6), (1, 2)], figures,
                   exemptions={("region", 5): "因不可抗力停工，经推进办批准"})
    assert [exempted[("region", s)].board for s in (4, 5, 6)] == ["black", "", "black"]
    assert exempted[("lead_unit", 1)].board == "black"  # the unit with the same id is not exempted


def test_ten_fast_ten_slow_ranks_by_the_deviation_itself():
    from tuijin.scoring.schemes import board_labels

    deviations = {1: "5.2", 2: "-10.0", 3: None, 4: "13.9", 5: "-0.4"}
    figures = {s: {"deviation_points": None if d is None else D(d)} for s, d in deviations.items()}
    preset = {**TEN_FAST_TEN_SLOW, "series": [{**TEN_FAST_TEN_SLOW["series"][0], "red": 2, "black": 2}]}
    lines = run(preset, [(1, 2, 3, 4, 5)], figures)
    # 13.9 ahead first, 10.0 behind last; a project with nothing to measure scores 0 (between).
    assert [lines[s].points["deviation"] for s in (4, 1, 3, 5, 2)] == [D("13.90"), D("5.20"), D("0.00"), D("-0.40"), D("-10.00")]
    assert [lines[s].rank for s in (4, 1, 3, 5, 2)] == [1, 2, 3, 4, 5]
    assert {s for s in lines if lines[s].board == "red"} == {4, 1} and {s for s in lines if lines[s].board == "black"} == {5, 2}
    assert board_labels(TEN_FAST_TEN_SLOW) == {"red": "十快项目", "black": "十慢项目"}
    assert board_labels({}) == {"red": "红榜", "black": "黑榜"}
