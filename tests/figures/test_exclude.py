"""Projects left out of the figures (a scheme's exempted projects, issue #15 §2): every figure, this year's
and last year's, is computed as if they were not there, the drill-down lists the same rows with the same
total, and no ledger link is offered (the ledger cannot leave them out). `project_groups` says which
groups of a dimension a project counts for. Worked out by hand on the town (conftest.py)."""

from decimal import Decimal

import pytest

from tuijin.figures.selectors import explain, figures, project_groups

D = Decimal
pytestmark = pytest.mark.django_db


def test_lanshan_without_its_industrial_park(town):
    p = town.p
    before = figures(None, period="2026-10", group_by="region", region_level="district").group("371302")
    assert (before["projects"], before["annual_plan"], before["completed"], before["plan_rate"]) == (
        3, D("2100.00"), D("1032.00"), D("49.1"))                  # P1, P2, P6: 972 + 60 of 1,000 + 600 + 500
    table = figures(None, period="2026-10", group_by="region", region_level="district", exclude=[p.p2.pk])
    g = table.group("371302")
    assert (g["projects"], g["annual_plan"], g["completed"]) == (2, D("1500.00"), D("972.00"))  # P1, P6
    assert g["plan_rate"] == D("64.8")                             # 972 / 1,500
    assert g["time_progress"] == D("88.9")                         # (833.33 + 500) / 1,500 = 88.89%
    assert g["deviation_points"] == D("-24.1")                     # 64.8 − 88.9
    assert g["started_early"] == 0                                 # P2 was the one that started early
    assert g["completed_last_year"] == D("1200.00")                # P1 700 + P8 500: P2 had no 2025 plan
    assert table.group("371311")["completed"] == D("300.00")       # 罗庄区 unchanged
    assert table.total["projects"] == 5 and table.total["completed"] == D("2272.00")  # 2,332 − 60
    assert table.ledger_params(g) is None and table.ledger_params() is None
    # Left out last year too: without P1, 兰山区's 2025-10 is P8's 500 alone.
    g = figures(None, period="2026-10", group_by="region", region_level="district", exclude=[p.p1.pk]).group("371302")
    assert (g["completed"], g["completed_last_year"]) == (D("60.00"), D("500.00"))


def test_the_drill_down_leaves_them_out_with_the_same_total(town):
    p = town.p
    found = explain(None, "plan_rate", "371302", period="2026-10", group_by="region", region_level="district",
                    exclude=[p.p2.pk])
    assert [row.name for row in found.rows] == ["兰山快速路", "兰山污水厂"]
    assert (found.value, found.totals["completed"], found.totals["annual_plan"]) == (D("64.8"), D("972.00"), D("1500.00"))
    assert found.ledger is None
    whole = explain(None, "plan_rate", "371302", period="2026-10", group_by="region", region_level="district")
    assert whole.value == D("49.1") and whole.ledger is not None


def test_the_groups_a_project_counts_for(town):
    p, units, city = town.p, town.city.units, town.city
    ids = [p.p1.pk, p.p2.pk, p.p3.pk, p.p5.pk, p.p7.pk]
    regions = project_groups(ids, period="2026-10", group_by="region", region_level="district")
    assert {pk: regions[pk] for pk in ids} == {p.p1.pk: {"371302"}, p.p2.pk: {"371302"}, p.p3.pk: {"371311"},
                                               p.p5.pk: {"371300-self"}, p.p7.pk: {"371311"}}
    lead = project_groups(ids, period="2026-10", group_by="lead_unit")
    assert lead[p.p1.pk] == {str(units.lanshan_government.pk)} and lead[p.p2.pk] == {str(units.development.pk)}
    # 牵头/责任单位: P1 led by 兰山区政府 with 交通局 responsible; P3 the same with 罗庄区政府.
    units_of = project_groups([p.p1.pk, p.p3.pk], period="2026-10", group_by="responsible_unit")
    assert units_of[p.p1.pk] == {str(units.lanshan_government.pk), str(units.transport.pk)}
    assert units_of[p.p3.pk] == {str(units.luozhuang_government.pk), str(units.transport.pk)}
    leaders = project_groups(ids, period="2026-10", group_by="leader")
    assert leaders[p.p1.pk] == leaders[p.p5.pk] == {str(city.contact_leader.pk)} and p.p2.pk not in leaders
    assert project_groups([p.p4.pk], period="2026-10", group_by="project") == {p.p4.pk: {str(p.p4.pk)}}
