"""A scheme run on the hand-built town of the figures tests (tests/figures/conftest.py): the values come
from the one statistics layer, the points and ranks are worked out by hand, publication freezes them."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from tuijin.core.exceptions import ConflictError
from tuijin.scoring import selectors, services
from tuijin.scoring.models import Run

from ..figures.conftest import today, town  # noqa: F401  (the town and its day)

pytestmark = pytest.mark.django_db

INDICATORS = [
    {"code": "plan", "name": "年计划完成率", "source": "figure", "figure": "plan_rate", "weight": "60",
     "curve": {"kind": "linear", "target": "100"}},
    {"code": "start", "name": "开工率", "source": "figure", "figure": "start_rate", "weight": "20",
     "curve": {"kind": "linear", "target": "100", "missing": "10"}},
    {"code": "problems", "name": "问题办结率", "source": "figure", "figure": "problem_close_rate", "weight": "20",
     "curve": {"kind": "linear", "target": "100"}},
    {"code": "quality", "name": "工程质量", "source": "manual", "weight": "10", "curve": {"kind": "linear", "target": "10"}},
    {"code": "pitch", "name": "擂台赛", "source": "judges", "weight": "20", "curve": {"kind": "linear", "target": "100"}},
]


@pytest.fixture
def scheme(town):  # noqa: F811
    city = town.city
    document = {"series": [{"name": "县区", "kind": "region", "red": 1, "black": 1,
                            "members": [city.regions.lanshan.pk, city.regions.luozhuang.pk]}],
                "indicators": INDICATORS}
    return services.scheme_save(city.users["dispatcher"], None, config=document, code="county", name="县区考核",
                                period_kind="month", target_figure="plan_rate", target_value="100")


def scored(town, scheme):  # noqa: F811
    city = town.city
    lanshan, luozhuang = ("region", city.regions.lanshan.pk), ("region", city.regions.luozhuang.pk)
    run = services.run_compute(city.users["dispatcher"], scheme, "2026-10")
    services.sheet_save(city.users["dispatcher"], run, [("quality", lanshan, "8"), ("quality", luozhuang, "9"),
                                                        ("pitch", lanshan, "70")])
    services.sheet_save(city.users["leader"], run, [("pitch", lanshan, "90"), ("pitch", luozhuang, "60")])
    services.sheet_save(city.users["inspector"], run, [("pitch", lanshan, "80")])
    return services.run_compute(city.users["dispatcher"], scheme, "2026-10")


def lines(run):
    return {r.subject_name: r for r in run.results.all()}


def test_the_run_by_hand(town, scheme):  # noqa: F811
    run = scored(town, scheme)
    result = lines(run)
    lanshan, luozhuang = result["兰山区"], result["罗庄区"]
    # 兰山区: 60 × 49.1% = 29.46; no planned starts → 10; problems 100% → 20; quality 8;
    # judges 70, 80, 90 → drop the highest and lowest → 80 → 20 × 80% = 16.
    assert lanshan.values == {"plan": "49.1", "start": None, "problems": "100.0", "quality": "8.00", "pitch": "80.00"}
    assert lanshan.points == {"plan": "29.46", "start": "10.00", "problems": "20.00", "quality": "8.00", "pitch": "16.00"}
    assert lanshan.total == D("83.46")
    # 罗庄区: 60 × 14.3% = 8.58; 0% starts → 0; 0% closed → 0; quality 9; one judge 60 → 12.
    assert luozhuang.total == D("29.58")
    assert (lanshan.rank, lanshan.board, luozhuang.rank, luozhuang.board) == (1, "red", 2, "black")
    assert not lanshan.target_met and not luozhuang.target_met  # both short of 100% of the year's plan
    assert run.snapshot["period_label"] == "2026年10月"
    assert run.snapshot["figures"][f"region:{town.city.regions.lanshan.pk}"]["plan_rate"] == "49.1"
    # The office sees each judge's sheet.
    sheets = {(sheet["judge"], sheet["item"]): sheet["scores"] for sheet in selectors.judges_sheets(run)}
    assert sheets[("王领导", "擂台赛")] == [("兰山区", D(90)), ("罗庄区", D(60))]
    assert sheets[("周督查", "擂台赛")] == [("兰山区", D(80))] and len(sheets) == 3
    # What was frozen computes the same lines again.
    again = {line.key: line for line in selectors.reproduce(run)}
    assert {s: (line.total, line.rank, line.board) for s, line in again.items()} == {
        (r.subject_kind, r.subject_id): (r.total, r.rank, r.board) for r in run.results.all()}


def test_a_veto_and_an_exemption(town, scheme):  # noqa: F811
    from datetime import date

    city = town.city
    dispatcher, lanshan, luozhuang = city.users["dispatcher"], city.regions.lanshan.pk, city.regions.luozhuang.pk
    run = scored(town, scheme)
    services.veto_set(dispatcher, run, subject=("region", lanshan), reason="发生较大安全事故")
    services.exemption_add(dispatcher, scheme, subject=("region", luozhuang), reason="汛期停工，经推进办批准",
                           starts=date(2026, 10, 1), ends=date(2026, 10, 31))
    run = services.run_compute(dispatcher, scheme, "2026-10")
    result = lines(run)
    assert (result["兰山区"].total, result["兰山区"].rank, result["兰山区"].board) == (D("0.00"), 2, "black")
    assert result["兰山区"].vetoed == "发生较大安全事故"
    assert (result["罗庄区"].rank, result["罗庄区"].board, result["罗庄区"].exempted) == (1, "red", "汛期停工，经推进办批准")


def test_publication_numbers_and_freezes(town, scheme):  # noqa: F811
    city = town.city
    dispatcher = city.users["dispatcher"]
    run = scored(town, scheme)
    with pytest.raises(ConflictError):
        services.run_publish(dispatcher, run, version=run.version - 1)
    run = services.run_publish(dispatcher, run, version=run.version)
    assert (run.state, run.year, run.number, selectors.run_label(run)) == ("published", 2026, 1, "2026年第1期")
    frozen = {r.subject_id: (r.total, r.rank) for r in run.results.all()}
    with pytest.raises(ValidationError) as error:
        services.run_compute(dispatcher, scheme, "2026-10")
    assert error.value.message_dict["period"] == ["2026年10月的考核结果已发布，不能重新计算"]
    with pytest.raises(ValidationError) as error:
        services.sheet_save(dispatcher, run, [("quality", ("region", city.regions.lanshan.pk), "1")])
    assert error.value.messages == ["该期考核结果已发布，不能再修改"]
    # A report approved later changes today's figures, never the published run.
    from tuijin.reports.models import ProgressReport

    ProgressReport.objects.filter(period=town.periods.oct, project=town.p.p3).update(state="approved")
    assert {r.subject_id: (r.total, r.rank) for r in Run.objects.get(pk=run.pk).results.all()} == frozen
    # The next month's draft knows last month's ranks; it is numbered when published.
    november = services.run_compute(dispatcher, scheme, "2026-11")
    assert {r.subject_name: (r.previous_rank, r.movement) for r in november.results.all()} == {
        "兰山区": (1, "—"), "罗庄区": (2, "—")}
    assert services.run_publish(dispatcher, november, version=november.version).number == 2


@pytest.mark.parametrize("period, message", [
    ("2026-Q3", "该方案按月度考核，请选择月度期间"),
    ("2026-13", "统计期“2026-13”格式不正确"),
])
def test_a_wrong_period_is_refused(town, scheme, period, message):  # noqa: F811
    with pytest.raises(ValidationError) as error:
        services.run_compute(town.city.users["dispatcher"], scheme, period)
    assert message in error.value.message_dict["period"][0]
    assert not Run.objects.exists()


def test_a_series_without_subjects_cannot_run(town, scheme):  # noqa: F811
    config = {**scheme.config, "series": [{"name": "县区", "kind": "region", "members": []}]}
    scheme = services.scheme_save(town.city.users["dispatcher"], scheme, version=scheme.version, config=config,
                                  code=scheme.code, name=scheme.name, period_kind="month")
    with pytest.raises(ValidationError) as error:
        services.run_compute(town.city.users["dispatcher"], scheme, "2026-10")
    assert error.value.message_dict["config"] == ["序列“县区”尚未选择考核对象"]
    assert not Run.objects.exists()
