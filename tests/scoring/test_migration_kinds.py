"""The migration that made the subject kind a property of each 序列 (0002): a scheme of one kind keeps
working — its 序列 take the kind, its results, sheets, vetoes and exemptions name it, and its runs'
frozen snapshots key their subjects as region:12, so a run published before still reproduces."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("scoring", "0001_initial")]
AFTER = [("scoring", "0002_series_kinds_and_project_exemptions")]
INDICATORS = [{"code": "plan", "name": "年计划完成率", "source": "figure", "figure": "plan_rate", "weight": "60",
               "curve": {"kind": "linear", "target": "100"}}]


def test_a_scheme_of_one_kind_keeps_working():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="old-dispatcher")
    scheme = old.get_model("scoring", "Scheme").objects.create(
        code="units", name="部门考核", subject_kind="lead_unit", period_kind="month", target_figure="",
        config={"series": [{"name": "部门", "red": 1, "black": 0, "members": [7, 8]}], "indicators": INDICATORS})
    snapshot = {"period": "2026-10", "period_label": "2026年10月", "subject_kind": "lead_unit",
                "scheme": {"format": "tuijin-scheme", "format_version": 1, "code": "units", "subject_kind": "lead_unit",
                           "series": [{"name": "部门", "red": 1, "black": 0, "members": ["甲局", "乙局"]}],
                           "indicators": INDICATORS},
                "config": dict(scheme.config), "target": None, "red_needs_target": False,
                "names": {"7": "甲局", "8": "乙局"}, "exemptions": {"8": "不可抗力"},
                "figures": {"7": {"plan_rate": "50.0"}, "8": {"plan_rate": "90.0"}}}
    run = old.get_model("scoring", "Run").objects.create(scheme=scheme, period_end=date(2026, 10, 31), state="published",
                                                         year=2026, number=1, snapshot=snapshot, computed_at=timezone.now())
    result = old.get_model("scoring", "Result")
    result.objects.create(run=run, series="部门", subject_id=8, subject_name="乙局", total=D("54.00"), rank=1,
                          board="red", exempted="不可抗力", values={"plan": "90.0"}, points={"plan": "54.00"})
    result.objects.create(run=run, series="部门", subject_id=7, subject_name="甲局", total=D("30.00"), rank=2,
                          values={"plan": "50.0"}, points={"plan": "30.00"})
    old.get_model("scoring", "Veto").objects.create(run=run, subject_id=7, reason="否决", by=user)
    old.get_model("scoring", "Exemption").objects.create(scheme=scheme, subject_id=8, reason="不可抗力",
                                                         starts=date(2026, 1, 1), ends=date(2026, 12, 31), approved_by=user)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    from tuijin.scoring import selectors
    from tuijin.scoring.models import Exemption, Result, Run, Scheme, Veto

    scheme = Scheme.objects.get(code="units")
    assert scheme.config["series"][0]["kind"] == "lead_unit" and scheme.kinds == ["lead_unit"]
    run = Run.objects.get()
    assert {(r.subject_kind, r.subject_id) for r in Result.objects.all()} == {("lead_unit", 7), ("lead_unit", 8)}
    assert (Veto.objects.get().subject_kind, Exemption.objects.get().subject_kind) == ("lead_unit", "lead_unit")
    assert Exemption.objects.get().project_id is None and Exemption.objects.get().version == 1
    assert run.snapshot["figures"] == {"lead_unit:7": {"plan_rate": "50.0"}, "lead_unit:8": {"plan_rate": "90.0"}}
    assert run.snapshot["kinds"] == ["lead_unit"] and "subject_kind" not in run.snapshot
    assert run.snapshot["scheme"]["series"][0]["kind"] == "lead_unit" and run.snapshot["scheme"]["format_version"] == 2
    assert selectors.run_kinds(run) == ["lead_unit"]
    # The snapshot still reproduces under the new keys: 乙局 60 × 90% with its exemption, 甲局 vetoed.
    again = {line.key: (line.total, line.exempted, line.vetoed) for line in selectors.reproduce(run)}
    assert again == {("lead_unit", 8): (D("54.00"), "不可抗力", ""), ("lead_unit", 7): (D("0.00"), "", "否决")}
    # And back: one kind per scheme again.
    executor.loader.build_graph()
    executor.migrate(BEFORE)
    back = executor.loader.project_state(BEFORE).apps
    assert back.get_model("scoring", "Scheme").objects.get(code="units").subject_kind == "lead_unit"
    assert back.get_model("scoring", "Run").objects.get().snapshot["figures"]["7"] == {"plan_rate": "50.0"}
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("scoring"))
