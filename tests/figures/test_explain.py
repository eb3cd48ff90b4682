"""Every figure is traceable: the rows a drill-down lists add up to the figure, and the ledger opened
with the drill-down's parameters lists the same projects with the same totals."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tuijin.core.exceptions import NotFound
from tuijin.figures.registry import FIGURES
from tuijin.figures.selectors import explain, figures

D = Decimal
BY = ("region", "lead_unit", "responsible_unit", "category", "level", "stage", "program", "leader")


# One figure per source (the sources are shared; what differs between groupings is which rows a group has).
ONE_PER_SOURCE = ("projects_by_stage", "deviation_points", "plan_to_date", "work_rate", "milestone_rate",
                  "approval_rate", "problem_avg_days", "on_time_rate", "completed_yoy", "not_started_on_time")


@pytest.mark.parametrize("by", BY)
def test_each_figure_of_each_group_is_the_sum_of_its_rows(town, by):
    table = figures(None, period="2026-10", group_by=by)
    assert table.groups, by
    for group in [*table.groups, table.total]:
        key = None if group.group is None else group.key
        for figure in FIGURES if by == "region" else ONE_PER_SOURCE:
            found = explain(None, figure, key, period="2026-10", group_by=by)
            assert found.value == group[figure], (by, group.name, figure)
            for part in FIGURES[figure].parts:
                expected = group.components[part]
                assert found.totals[part] == expected, (by, group.name, figure, part)


# (projects, 累计完成) per group: P1 972, P2 60, P3 300, P4 0, P5 1,000, P6 0.
GROUPS = {
    "lead_unit": {"兰山区人民政府": (2, "972.00"), "临沂市发展和改革委员会": (2, "1060.00"), "罗庄区人民政府": (2, "300.00")},
    # 牵头或责任: the transport bureau is responsible for P1 and P3 (the total is not the sum here)
    "responsible_unit": {"兰山区人民政府": (2, "972.00"), "临沂市发展和改革委员会": (2, "1060.00"),
                         "临沂市交通运输局": (2, "1272.00"), "罗庄区人民政府": (2, "300.00")},
    "category": {"市政": (6, "2332.00")},
    "level": {"省重点": (2, "1060.00"), "市重点": (3, "1272.00"), "县（区）重点": (1, "0.00")},
    "stage": {"前期": (1, "0.00"), "新开工": (2, "1060.00"), "续建": (2, "1272.00"), "竣工": (1, "0.00")},
    "program": {"first": (2, "1972.00"), "second": (1, "1000.00")},
    "leader": {"王建国（副市长）": (2, "1972.00")},
}


@pytest.mark.parametrize("by", sorted(GROUPS))
def test_the_groups_of_each_dimension(town, by):
    from tuijin.projects.models import Program

    table = figures(None, period="2026-10", group_by=by)
    names = {p.name: key for key, p in zip(("first", "second"), Program.objects.order_by("sort", "id")[:2], strict=True)}
    found = {names.get(g.name, g.name): (g["projects"], str(g["completed"])) for g in table.groups}
    assert found == GROUPS[by]
    assert (table.total["projects"], table.total["completed"]) == (6, D("2332.00"))


def test_the_completed_figure_lists_the_counted_reports(town):
    found = explain(None, "completed", "371302", period="2026-10", group_by="region")
    assert found.value == D("1032.00")
    rows = {row.name: row for row in found.rows}
    assert set(rows) == {"兰山快速路", "兰山产业园"}          # 兰山污水厂 has nothing counted
    assert [item["amount"] for item in rows["兰山快速路"].items] == ["400.00", "572.00"]
    assert [item["period"] for item in rows["兰山产业园"].items] == ["2026年9月", "2026年10月"]
    # each project's reports add up to its figure
    for row in found.rows:
        assert sum(D(item["amount"]) for item in row.items) == row.parts["completed"]


def test_the_start_rate_lists_the_planned_starts(town):
    found = explain(None, "start_rate", None, period="2026-10")
    assert found.value == D("33.3")
    assert {row.name: (row.parts["started"], row.parts["planned_starts"]) for row in found.rows} == {
        "罗庄河道": (0, 1), "罗庄学校": (0, 1), "市体育中心": (1, 1)}


def test_the_time_progress_lists_each_plans_due_amount(town):
    found = explain(None, "time_progress", "371311", period="2026-10", group_by="region")
    assert found.value == D("82.8")
    due = {row.name: row.parts["plan_due"].quantize(D("0.01")) for row in found.rows}
    assert due == {"罗庄河道": D("1666.67"), "罗庄学校": D("71.43")}


def test_a_group_the_user_has_no_project_in_is_not_found(town, city):
    with pytest.raises(NotFound):
        explain(city.users["reporter_a"], "projects", "371311", period="2026-10", group_by="region")
    with pytest.raises(NotFound):
        explain(None, "projects", "999999", period="2026-10", group_by="region")
    found = explain(city.users["reporter_a"], "projects", "371302", period="2026-10", group_by="region")
    assert found.value == 3


def test_a_district_user_sees_only_their_districts_figures(town, city):
    table = figures(city.users["reporter_a"], period="2026-10", group_by="region")
    assert [g.name for g in table.groups] == ["兰山区"]
    assert table.total["projects"] == 3 and table.total["completed"] == D("1032.00")
    other = figures(city.users["reporter_b"], period="2026-10", group_by="lead_unit")
    assert {g.name for g in other.groups} == {"罗庄区人民政府"}
    assert other.total["total_investment"] == D("21500.50")


def _ledger(client, params):
    response = client.get(f"{reverse('projects:list')}?{urlencode(params)}")
    assert response.status_code == 200
    context = response.context
    ids = {p.pk for p in context["rows"]}
    return context["totals"], context["completion"].total, ids


@pytest.mark.parametrize("by", BY)
def test_the_ledger_opened_from_a_group_shows_its_rows_and_totals(town, city, client, by):
    dispatcher = city.users["dispatcher"]
    client.force_login(dispatcher)
    table = figures(dispatcher, period="2026-10", group_by=by)
    checked = 0
    for group in [*table.groups, table.total]:
        params = table.ledger_params(group if group.group is not None else None)
        if params is None:
            continue
        totals, completed, ids = _ledger(client, params)
        found = explain(dispatcher, "projects", None if group.group is None else group.key, period="2026-10",
                        group_by=by)
        assert ids == {row.project_id for row in found.rows}, (by, group.name)
        assert totals.count == group["projects"]
        assert totals.total_investment == group["total_investment"]
        assert totals.annual_plan == group["annual_plan"]
        assert completed == group["completed"], (by, group.name)
        checked += 1
    assert checked >= 2


def test_the_ledger_states_a_narrowing_and_keeps_it_in_its_filter_bar(town, city, client):
    client.force_login(city.users["dispatcher"])
    table = figures(city.users["dispatcher"], period="2026-10", group_by="region")
    params = table.ledger_params(table.group("371300-self"))
    assert params["own_region"] == city.regions.city.pk
    page = client.get(f"{reverse('projects:list')}?{urlencode(params)}").content.decode()
    assert "另按统计分组筛选：临沂市本级" in page
    assert f'<input type="hidden" name="own_region" value="{city.regions.city.pk}">' in page


def test_plans_sharing_a_monthly_plan_with_different_amounts_are_taken_one_by_one(town):
    """The plans' rules make a monthly plan end on the year's amount; a plan that breaks it (written
    directly) still gets its own 序时, in the grouped figure as in the drill-down."""
    from tuijin.projects.models import AnnualPlan

    from .conftest import P2_MONTHLY

    AnnualPlan.objects.filter(project=town.p.p1, year=2026).update(monthly_plan=P2_MONTHLY)  # 1,000, not 600
    table = figures(None, period="2026-10", group_by="region")
    lanshan = table.group("371302")
    # P1: 300 of its own 1,000 due (300/1,000 of 1,000 = 300); P2 300; P6 500 → 1,100 / 2,100 = 52.38%
    assert lanshan["plan_to_date"] == D("1100.00")
    assert lanshan["time_progress"] == D("52.4")
    found = explain(None, "time_progress", "371302", period="2026-10", group_by="region")
    assert found.value == D("52.4") and found.totals["plan_due"] == lanshan.components["plan_due"]


def test_projects_without_a_lead_unit_are_a_group_of_their_own_listed_last(town):
    from tuijin.projects.models import Project

    Project.objects.filter(pk=town.p.p4.pk).update(lead_unit=None)
    table = figures(None, period="2026-10", group_by="lead_unit")
    assert [(g.key, g.name, g["projects"]) for g in table.groups][-1] == ("none", "（未指定牵头单位）", 1)
    assert table.ledger_params(table.groups[-1]) is None       # the ledger has no filter for "no lead unit"
    found = explain(None, "approval_rate", "none", period="2026-10", group_by="lead_unit")
    assert (found.value, [row.name for row in found.rows]) == (D("66.7"), ["罗庄学校"])   # 2 of its 3
