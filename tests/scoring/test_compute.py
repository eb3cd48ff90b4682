"""A run's arithmetic on a small case computed by hand: points, ties, veto, target, exemption, boards.
The 县区 are regions and the 市直部门 units: every input is keyed by (kind, id)."""

from decimal import Decimal as D

from tuijin.scoring.compute import IndicatorSpec, SeriesSpec, compute
from tuijin.scoring.curves import parse

PLAN = IndicatorSpec("plan", "年计划完成率", "figure", "plan_rate", D(60), parse({"kind": "linear", "weight": 60, "target": 100}))
SCALE = IndicatorSpec("scale", "完成投资规模排名", "figure", "completed", D(5),
                      parse({"kind": "rank", "ranks": [[1, 1, 5], [2, 3, 3]]}))
QUALITY = IndicatorSpec("quality", "工程质量", "manual", "", D(10), parse({"kind": "linear", "weight": 10, "target": 10}))
JUDGED = IndicatorSpec("pitch", "擂台赛", "judges", "", D(20), parse({"kind": "linear", "weight": 20, "target": 100}))

COUNTIES = SeriesSpec(1, "县区", "region", (1, 2, 3, 4, 5), red_count=1, black_count=1)
DEPARTMENTS = SeriesSpec(2, "市直部门", "lead_unit", (6, 7, 8), red_count=1, black_count=1)


def kind_of(subject: int) -> str:
    return "region" if subject <= 5 else "lead_unit"


def keyed(mapping: dict) -> dict:
    """{3: …} → {("region", 3): …}; {("quality", 3): …} → {("quality", ("region", 3)): …}."""
    return {((k[0], (kind_of(k[1]), k[1])) if isinstance(k, tuple) else (kind_of(k), k)): v for k, v in mapping.items()}


NAMES = {1: "甲县", 2: "乙县", 3: "丙县", 4: "丁县", 5: "戊县", 6: "发改委", 7: "住建局", 8: "交通局"}
FIGURES = {
    1: {"plan_rate": D("97.2"), "completed": D(5000)},
    2: {"plan_rate": D(110), "completed": D(8000)},
    3: {"plan_rate": D(80), "completed": D(3000)},
    4: {"plan_rate": None, "completed": None},
    5: {"plan_rate": D("97.2"), "completed": D(5000)},
    6: {"plan_rate": D(50), "completed": D(100)},
    7: {"plan_rate": D(100), "completed": D(200)},
    8: {},
}
SCORES = {("quality", 1): [D(9)], ("quality", 2): [D(8)], ("quality", 4): [D(10)], ("quality", 5): [D(9)],
          ("quality", 6): [D(5)], ("quality", 7): [D(10)]}


def run(**extra):
    arguments = dict(indicators=[PLAN, SCALE, QUALITY], series=[COUNTIES, DEPARTMENTS], names=NAMES, figures=FIGURES,
                     scores=SCORES, target=("plan_rate", D(100)), vetoes={7: "发生较大安全事故"},
                     previous={1: 3, 2: 1, 3: 2})
    arguments.update(extra)
    for name in ("names", "figures", "scores", "vetoes", "previous", "exemptions", "withdrawn"):
        if name in arguments:
            arguments[name] = keyed(arguments[name])
    return {line.subject_id: line for line in compute(**arguments)}


def test_points_and_totals_by_hand():
    lines = run()
    # 甲县: 60 × 97.2% = 58.32; 5000 ranks 2nd (tied with 戊县) → 3; quality 9 → 70.32.
    assert lines[1].points == {"plan": D("58.32"), "scale": D("3.00"), "quality": D("9.00")}
    assert lines[1].total == D("70.32")
    # 乙县: 110% capped at 60; 1st by scale → 5; quality 8 → 73.00.
    assert lines[2].total == D("73.00")
    # 丙县: 48.00; 4th by scale → 0; no quality score → 0.
    assert lines[3].points == {"plan": D("48.00"), "scale": D("0.00"), "quality": D("0.00")}
    # 丁县: nothing measured → 0 + 0; quality 10.
    assert (lines[4].values["plan"], lines[4].total) == (None, D("10.00"))
    assert lines[5].total == D("70.32")


def test_ties_share_the_better_rank_and_order_is_by_rank():
    lines = run()
    assert [(s, lines[s].rank, lines[s].tied) for s in (2, 1, 5, 3, 4)] == [
        (2, 1, False), (1, 2, True), (5, 2, True), (3, 4, False), (4, 5, False)]
    ordered = [line.subject_id for line in compute(indicators=[PLAN, SCALE, QUALITY], series=[COUNTIES],
                                                   names=keyed(NAMES), figures=keyed(FIGURES), scores=keyed(SCORES))]
    assert ordered == [2, 1, 5, 3, 4]  # 甲县 before 戊县: same rank, in the 序列's order


def test_target_met_keeps_off_the_black_board_and_the_red_board_is_the_top():
    lines = run()
    assert lines[2].target_met and not lines[1].target_met
    assert [s for s in range(1, 6) if lines[s].board] == [2, 4]
    assert (lines[2].board, lines[4].board) == ("red", "black")
    assert lines[1].previous_rank == 3 and lines[4].previous_rank is None


def test_an_exempted_subject_stays_off_the_black_board():
    lines = run(exemptions={4: "因不可抗力（汛期）停工，经推进办批准"})
    assert lines[4].exempted.startswith("因不可抗力") and lines[4].board == ""
    assert lines[3].board == "black"


def test_a_veto_zeroes_the_total_ranks_last_and_enters_the_black_board_even_with_target_met():
    lines = run()
    assert lines[7].points["plan"] == D("60.00") and lines[7].total == D("0.00")
    assert (lines[7].vetoed, lines[7].target_met) == ("发生较大安全事故", True)
    assert (lines[6].rank, lines[8].rank, lines[7].rank) == (1, 2, 3)
    assert (lines[6].board, lines[8].board, lines[7].board) == ("red", "", "black")


def test_red_needs_target_and_ties_at_the_edge_take_all():
    series = SeriesSpec(1, "县区", "region", (1, 2, 3, 4, 5), red_count=2, black_count=2)
    lines = run(series=[series], red_needs_target=True)
    assert [s for s in range(1, 6) if lines[s].board == "red"] == [2]  # 甲/戊县 rank 2 but short of target
    lines = run(series=[series])
    assert [s for s in range(1, 6) if lines[s].board == "red"] == [1, 2, 5]  # the tie at rank 2 takes both
    assert [s for s in range(1, 6) if lines[s].board == "black"] == [3, 4]


def test_judges_trimmed_mean_feeds_the_curve():
    scores = {("pitch", 1): [D(90), D(85), D(80), D(70), D(95)], ("pitch", 2): [D(60)]}
    lines = {line.subject_id: line for line in compute(
        indicators=[JUDGED], series=[SeriesSpec(1, "县区", "region", (1, 2, 3))], names=keyed(NAMES), figures={},
        scores=keyed(scores))}
    assert (lines[1].values["pitch"], lines[1].points["pitch"]) == (D("85.00"), D("17.00"))  # 20 × 85%
    assert (lines[2].points["pitch"], lines[3].points["pitch"]) == (D("12.00"), D("0.00"))


def test_series_of_different_kinds_whose_ids_coincide_are_ranked_apart():
    """县区 1, 2 (regions) and 市直部门 1, 2 (units with the same ids): each keeps its own figures, names,
    scores and veto, and each 序列 is ranked on its own."""
    regions = SeriesSpec(1, "县区", "region", (1, 2), red_count=1, black_count=1)
    units = SeriesSpec(2, "市直部门", "lead_unit", (1, 2), red_count=1, black_count=1)
    lines = compute(indicators=[PLAN, QUALITY], series=[regions, units],
                    names={("region", 1): "甲县", ("region", 2): "乙县", ("lead_unit", 1): "发改委", ("lead_unit", 2): "住建局"},
                    figures={("region", 1): {"plan_rate": D(50)}, ("region", 2): {"plan_rate": D(90)},
                             ("lead_unit", 1): {"plan_rate": D(100)}, ("lead_unit", 2): {"plan_rate": D(80)}},
                    scores={("quality", ("lead_unit", 2)): [D(10)]}, vetoes={("region", 2): "安全事故"})
    got = [(line.kind, line.subject_id, line.name, line.total, line.rank, line.board) for line in lines]
    # 甲县 60 × 50% = 30; 乙县 54 but vetoed → 0, last. 发改委 60; 住建局 48 + 10 = 58.
    assert got == [("region", 1, "甲县", D("30.00"), 1, "red"), ("region", 2, "乙县", D("0.00"), 2, "black"),
                   ("lead_unit", 1, "发改委", D("60.00"), 1, "red"), ("lead_unit", 2, "住建局", D("58.00"), 2, "black")]


def test_a_withdrawn_project_is_listed_last_unranked_and_off_the_boards():
    """十快十慢 of five projects, the fastest exempted: it is not ranked, scores nothing, enters no board,
    and the others rank 1–4 (a rank curve ranks only them)."""
    value = IndicatorSpec("deviation", "与序时进度之差", "figure", "deviation_points", D(0), parse({"kind": "value"}))
    rank = IndicatorSpec("rank", "名次分", "figure", "deviation_points", D(5), parse({"kind": "rank", "ranks": [[1, 1, 5]]}))
    projects = SeriesSpec(1, "省市重点项目", "project", (1, 2, 3, 4, 5), red_count=2, black_count=1)
    figures = {("project", s): {"deviation_points": D(d)} for s, d in {1: 20, 2: 5, 3: -3, 4: 1, 5: -9}.items()}
    figures.pop(("project", 1))  # its figures were left out with it
    lines = compute(indicators=[value, rank], series=[projects], names={}, figures=figures,
                    withdrawn={("project", 1): "因不可抗力停工，经推进办批准"})
    assert [line.subject_id for line in lines] == [2, 4, 3, 5, 1]
    assert [line.rank for line in lines] == [1, 2, 3, 4, None]
    assert [line.total for line in lines[:4]] == [D("10.00"), D("1.00"), D("-3.00"), D("-9.00")]  # 5 + 5 for the 1st
    out = lines[-1]
    assert (out.withdrawn, out.exempted, out.board, out.points, out.total) == (
        True, "因不可抗力停工，经推进办批准", "", {}, D("0.00"))
    assert {line.subject_id for line in lines if line.board == "red"} == {2, 4}
    assert [line.subject_id for line in lines if line.board == "black"] == [5]
