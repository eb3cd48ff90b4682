"""序列 of different kinds of subject in one scheme (issue #15 §2 "in one or more 序列 such as 县区/园区 and
市直部门/国企"): 县区 are regions and 市直部门 units, each 序列 ranked on its own, through the run, the
result, the CLI, the export and the JSON export/import — worked out by hand on the figures' town
(tests/figures/conftest.py) — and the migration that moved a scheme's one kind into its 序列."""

import json
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from tuijin.scoring import selectors, services
from tuijin.scoring.exporting import run_title
from tuijin.scoring.models import Scheme

from ..figures.conftest import today, town  # noqa: F401  (the town and its day)

pytestmark = pytest.mark.django_db

PLAN = [{"code": "plan", "name": "年计划完成率", "source": "figure", "figure": "plan_rate", "weight": "60",
         "curve": {"kind": "linear", "target": "100"}}]


def mixed(town, **extra):  # noqa: F811
    city = town.city
    regions, units = city.regions, city.units
    config = {"series": [{"name": "县（市、区）/园区", "kind": "region", "red": 1, "black": 1,
                          "members": [regions.lanshan.pk, regions.luozhuang.pk]},
                         {"name": "市直部门/市属国企", "kind": "lead_unit", "red": 1, "black": 1,
                          "members": [units.development.pk, units.lanshan_government.pk]}],
              "indicators": PLAN}
    return services.scheme_save(city.users["dispatcher"], None, config=config, code="mixed", name="县区与部门考核",
                                period_kind="month", target_figure="", **extra)


def by_series(run):
    return [(r.series, r.subject_kind, r.subject_name, r.values["plan"], r.total, r.rank, r.board)
            for r in run.results.all()]


def test_regions_and_units_each_ranked_on_their_own_by_hand(town):  # noqa: F811
    city, p = town.city, town.p
    dispatcher = city.users["dispatcher"]
    run = services.run_compute(dispatcher, mixed(town), "2026-10")
    # 兰山区 (P1, P2, P6) 1,032 / 2,100 = 49.1% → 29.46; 罗庄区 (P3, P4) 300 / 2,100 = 14.3% → 8.58.
    # 发改委 leads P2, P5: (60 + 1,000) / (600 + 3,000) = 29.4% → 17.64;
    # 兰山区政府 leads P1, P6: 972 / 1,500 = 64.8% → 38.88 (P8 has no 2026 plan, P9 is archived).
    assert by_series(run) == [
        ("县（市、区）/园区", "region", "兰山区", "49.1", D("29.46"), 1, "red"),
        ("县（市、区）/园区", "region", "罗庄区", "14.3", D("8.58"), 2, "black"),
        ("市直部门/市属国企", "lead_unit", "兰山区人民政府", "64.8", D("38.88"), 1, "red"),
        ("市直部门/市属国企", "lead_unit", "临沂市发展和改革委员会", "29.4", D("17.64"), 2, "black")]
    assert run.snapshot["kinds"] == ["region", "lead_unit"]
    assert selectors.run_kinds(run) == ["region", "lead_unit"]
    assert run_title(run) == "县区与部门考核 2026年10月（考核对象：县区/园区、牵头（第一责任）单位）"
    # P2 exempted: it leaves 兰山区 (972 / 1,500 = 64.8% → 38.88) and 发改委 (1,000 / 3,000 = 33.3% → 19.98) alike.
    services.exemption_add(dispatcher, run.scheme, project_id=p.p2.pk, reason="汛期停工，经推进办批准",
                           starts=date(2026, 10, 1), ends=date(2026, 10, 31))
    run = services.run_compute(dispatcher, run.scheme, "2026-10")
    got = {(r.subject_kind, r.subject_name): (r.total, [e["name"] for e in r.exempt_projects]) for r in run.results.all()}
    assert got == {("region", "兰山区"): (D("38.88"), ["兰山产业园"]), ("region", "罗庄区"): (D("8.58"), []),
                   ("lead_unit", "兰山区人民政府"): (D("38.88"), []),
                   ("lead_unit", "临沂市发展和改革委员会"): (D("19.98"), ["兰山产业园"])}
    assert sorted(run.snapshot["project_exemptions"][0]["subjects"]) == sorted(
        [f"region:{city.regions.lanshan.pk}", f"lead_unit:{city.units.development.pk}"])


def test_a_region_and_a_unit_with_the_same_id_are_two_subjects(town):  # noqa: F811
    """Scores, vetoes and results are keyed by kind and id: a veto of the region never touches the unit."""
    city = town.city
    dispatcher = city.users["dispatcher"]
    scheme = mixed(town)
    region, unit = city.regions.lanshan.pk, city.units.lanshan_government.pk
    run = services.run_compute(dispatcher, scheme, "2026-10")
    services.veto_set(dispatcher, run, subject=("region", region), reason="安全事故")
    with pytest.raises(ValidationError) as error:  # the region's id as a leader: not a subject of the scheme
        services.veto_set(dispatcher, run, subject=("leader", region), reason="安全事故")
    assert error.value.message_dict == {"subject": ["请选择本方案的考核对象"]}
    run = services.run_compute(dispatcher, scheme, "2026-10")
    vetoed = {(r.subject_kind, r.subject_id): r.vetoed for r in run.results.all()}
    assert vetoed[("region", region)] == "安全事故" and vetoed[("lead_unit", unit)] == ""


def test_the_kinds_travel_in_the_json_and_a_first_format_document_still_imports(town):  # noqa: F811
    city = town.city
    dispatcher = city.users["dispatcher"]
    scheme = mixed(town)
    document = selectors.scheme_document(scheme)
    assert [(s["kind"], s["members"]) for s in document["series"]] == [
        ("region", ["兰山区", "罗庄区"]), ("lead_unit", ["临沂市发展和改革委员会", "兰山区人民政府"])]
    assert "subject_kind" not in document
    copy = services.scheme_import(dispatcher, {**document, "code": "copy"})
    assert copy.config["series"] == scheme.config["series"] and copy.kinds == ["region", "lead_unit"]
    # The first format named one kind for the whole scheme: each 序列 takes it.
    first = {"format": "tuijin-scheme", "format_version": 1, "code": "old", "name": "旧格式方案", "subject_kind": "region",
             "period_kind": "month", "series": [{"name": "县区", "red": 1, "black": 1, "members": ["兰山区"]}],
             "indicators": PLAN}
    old = services.scheme_import(dispatcher, first)
    assert old.config["series"][0]["kind"] == "region" and old.config["series"][0]["members"] == [city.regions.lanshan.pk]
    # A name is matched among the 序列's own kind: a region's name in a 序列 of units is not found.
    wrong = {**document, "code": "wrong"}
    wrong["series"] = [{**document["series"][1], "members": ["兰山区"]}]
    with pytest.raises(ValidationError) as error:
        services.scheme_import(dispatcher, wrong)
    assert error.value.message_dict["config"] == ["以下考核对象在本系统中找不到，请先核对名称：兰山区"]
    assert not Scheme.objects.filter(code="wrong").exists()


def test_a_member_of_the_wrong_kind_is_refused(town):  # noqa: F811
    city = town.city
    config = {"series": [{"name": "部门", "kind": "lead_unit", "members": [999999]}], "indicators": PLAN}
    with pytest.raises(ValidationError) as error:
        services.scheme_save(city.users["dispatcher"], None, config=config, code="x", name="x", period_kind="month")
    assert error.value.message_dict["config"] == ["考核对象不存在：牵头（第一责任）单位#999999"]
    with pytest.raises(TypeError):  # the kind is the 序列's now: the old keyword is a mistake, not ignored
        services.scheme_save(city.users["dispatcher"], None, config=config, code="x", name="x", period_kind="month",
                             subject_kind="region")
    assert not Scheme.objects.exists()


def test_the_cli_runs_and_prints_both_series(town, capsys):  # noqa: F811
    mixed(town)
    call_command("rank", "run", "mixed", "--period", "2026-10", "--json")
    payload = json.loads(capsys.readouterr().out)
    assert [(s["name"], s["kind"], [r["name"] for r in s["results"]]) for s in payload["series"]] == [
        ("县（市、区）/园区", "region", ["兰山区", "罗庄区"]),
        ("市直部门/市属国企", "lead_unit", ["兰山区人民政府", "临沂市发展和改革委员会"])]
    call_command("rank", "show", str(payload["run"]))
    text = capsys.readouterr().out
    assert "【县（市、区）/园区】（县区/园区）" in text and "【市直部门/市属国企】（牵头（第一责任）单位）" in text
    call_command("rank", "list")
    assert "县区/园区、牵头（第一责任）单位" in capsys.readouterr().out


def test_the_mianyang_preset_ranks_regions_and_units(town):  # noqa: F811
    city = town.city
    dispatcher = city.users["dispatcher"]
    scheme = services.preset_install(dispatcher, "mianyang-boards")
    assert scheme.kinds == ["region", "lead_unit"]
    config = {**scheme.config, "series": [{**scheme.config["series"][0], "members": [city.regions.lanshan.pk]},
                                          {**scheme.config["series"][1], "members": [city.units.development.pk]}]}
    scheme = services.scheme_save(dispatcher, scheme, version=scheme.version, config=config,
                                  **{k: getattr(scheme, k) for k in services.HEADER_FIELDS})
    run = services.run_compute(dispatcher, scheme, "2026-Q3")
    assert [(r.subject_kind, r.subject_name) for r in run.results.all()] == [
        ("region", "兰山区"), ("lead_unit", "临沂市发展和改革委员会")]
