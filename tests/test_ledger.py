"""The ledger list: filters, sorting, paging, the totals row, the htmx fragment and its query budget."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuijin.org.choices import RegionLevel
from tuijin.projects.models import Level, Program, Project, Stage
from tuijin.projects.tables import SORTS

from . import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_day")]  # on a chosen day of 2026 (tests/clock.py)
YEAR = 2026


@pytest.fixture
def as_dispatcher(client, users):
    client.force_login(users["dispatcher"])
    return client


def ledger(client, **params):
    response = client.get(reverse("projects:list"), params)
    assert response.status_code == 200
    return response


def names(response) -> list[str]:
    return [p.name for p in response.context["rows"]]


# ------------------------------------------------------------------------------------------ filters


def test_the_ledger_shows_this_years_plan_projects_by_default(as_dispatcher, own_project, regions):
    f.ProjectFactory(name="没有本年计划的项目", region=regions.lanshan)
    f.ProjectFactory(name="只有去年计划的项目", region=regions.lanshan, plan=Decimal("1.00"), plan__year=YEAR - 1)
    response = ledger(as_dispatcher)
    assert names(response) == [own_project.name]
    assert response.context["year"] == YEAR


def test_the_year_filter_picks_projects_with_a_plan_that_year(as_dispatcher, own_project, regions):
    last_year = f.ProjectFactory(name="去年计划项目", region=regions.lanshan, plan=Decimal("1.00"), plan__year=YEAR - 1)
    assert names(ledger(as_dispatcher, year=YEAR - 1)) == [last_year.name]
    assert set(names(ledger(as_dispatcher, year=""))) == {own_project.name, last_year.name}


def test_the_region_filter_takes_the_whole_subtree(as_dispatcher, own_project, other_project, regions):
    street = f.RegionFactory(code="371302001", name="兰山街道", level=RegionLevel.ZONE, parent=regions.lanshan)
    in_street = f.ProjectFactory(name="兰山街道项目", region=street, plan=Decimal("1.00"))
    assert set(names(ledger(as_dispatcher, region=regions.lanshan.pk))) == {own_project.name, in_street.name}
    assert set(names(ledger(as_dispatcher, region=regions.city.pk))) == {
        own_project.name, other_project.name, in_street.name
    }


def test_the_level_filter(as_dispatcher, own_project, regions):
    provincial = f.ProjectFactory(name="省重点项目", level=f.dictionary(Level, "省重点"), plan=Decimal("1.00"))
    assert names(ledger(as_dispatcher, level=provincial.level_id)) == [provincial.name]


def test_the_category_filter_takes_the_child_categories(as_dispatcher, own_project):
    road = f.ProjectFactory(name="公路项目", category=f.category("交通", "公路"), plan=Decimal("1.00"))
    rail = f.ProjectFactory(name="铁路项目", category=f.category("交通", "铁路"), plan=Decimal("1.00"))
    assert set(names(ledger(as_dispatcher, category=f.category("交通").pk))) == {road.name, rail.name}
    assert names(ledger(as_dispatcher, category=f.category("交通", "铁路").pk)) == [rail.name]


def test_the_stage_filter(as_dispatcher, own_project):
    preliminary = f.ProjectFactory(name="前期项目", stage=f.dictionary(Stage, "前期"), plan=Decimal("1.00"))
    assert names(ledger(as_dispatcher, stage=preliminary.stage_id)) == [preliminary.name]


def test_the_program_filter(as_dispatcher, own_project):
    program = Program.objects.get(name="城市更新")
    in_program = f.ProjectFactory(name="城市更新项目", programs=[program], plan=Decimal("1.00"))
    assert names(ledger(as_dispatcher, program=program.pk)) == [in_program.name]


def test_the_unit_filter_matches_lead_and_responsible_units(as_dispatcher, own_project, other_project, units):
    responsible = f.ProjectFactory(
        name="兰山区政府负责的项目", responsible_units=[units.lanshan_government], plan=Decimal("1.00")
    )
    assert set(names(ledger(as_dispatcher, unit=units.lanshan_government.pk))) == {own_project.name, responsible.name}


def test_the_leader_filter(as_dispatcher, own_project, contact_leader):
    linked = f.ProjectFactory(name="领导联系的项目", leaders=[(contact_leader, "linked")], plan=Decimal("1.00"))
    assert names(ledger(as_dispatcher, leader=contact_leader.pk)) == [linked.name]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("北城", "兰山区北城新区道路改造工程", id="part-of-name"),
        pytest.param("2026-371302-48", "兰山区北城新区道路改造工程", id="part-of-code"),
        pytest.param("建设投资集团", "兰山区北城新区道路改造工程", id="owner-name"),
        pytest.param("河道 治理", "罗庄区河道综合治理工程", id="all-words"),
    ],
)
def test_free_text_searches_name_code_and_owner(as_dispatcher, own_project, other_project, query, expected):
    assert names(ledger(as_dispatcher, q=query)) == [expected]


def test_free_text_matching_nothing_shows_the_empty_message(as_dispatcher, own_project):
    response = ledger(as_dispatcher, q="不存在的项目")
    assert names(response) == []
    assert "没有符合条件的项目" in response.content.decode()


def test_a_reporter_never_sees_the_other_district_even_when_filtering_for_it(client, users, own_project,
                                                                              other_project, regions):
    client.force_login(users["reporter_a"])
    assert names(ledger(client)) == [own_project.name]
    assert names(ledger(client, region=regions.luozhuang.pk)) == [own_project.name]
    assert names(ledger(client, q="河道")) == []


def test_archived_projects_are_hidden_unless_asked_for(as_dispatcher, own_project, other_project):
    Project.objects.filter(pk=other_project.pk).update(is_archived=True)
    assert names(ledger(as_dispatcher)) == [own_project.name]
    response = ledger(as_dispatcher, archived="1")
    assert set(names(response)) == {own_project.name, other_project.name}
    assert "已归档" in response.content.decode()


# ------------------------------------------------------------------------------------------ sorting


@pytest.fixture
def three_projects(regions, units):
    """Three projects whose every sortable column is ordered differently (no ties, no NULLs)."""
    street = f.RegionFactory(code="371302001", name="兰山街道", level=RegionLevel.ZONE, parent=regions.lanshan)
    spec = [
        # name, region, category, level, stage, total, plan, start_year, lead unit
        ("B项目", regions.luozhuang, ("交通", "公路"), "县（区）重点", "新开工", "300.00", "20.00", 2021, "C牵头单位"),
        ("C项目", regions.lanshan, ("市政", "供排水"), "省重点", "竣工", "100.00", "30.00", 2023, "A牵头单位"),
        ("A项目", street, ("能源", "储能"), "市重点", "谋划", "200.00", "10.00", 2022, "B牵头单位"),
    ]
    projects = []
    for name, region, (parent, child), level, stage, total, plan, start, lead in spec:
        projects.append(
            f.ProjectFactory(
                name=name, region=region, category=f.category(parent, child), level=f.dictionary(Level, level),
                stage=f.dictionary(Stage, stage), total_investment=Decimal(total), plan=Decimal(plan),
                start_year=start, lead_unit=f.UnitFactory(name=lead, region=regions.city),
            )
        )
    return projects


SORT_KEYS = {
    "name": lambda p: p.name,
    "region": lambda p: p.region.path,
    "category": lambda p: p.category.sort,
    "level": lambda p: p.level.sort,
    "stage": lambda p: p.stage.sort,
    "total_investment": lambda p: p.total_investment,
    "plan_investment": lambda p: p.annual_plans.get(year=YEAR).planned_investment,
    "period": lambda p: p.start_year,
    "lead_unit": lambda p: p.lead_unit.name,
    "light": lambda p: p.light,
}


def test_every_sortable_column_has_a_sort_test():
    assert set(SORT_KEYS) == set(SORTS)


@pytest.mark.parametrize("direction", ["", "-"])
@pytest.mark.parametrize("column", sorted(SORTS))
def test_sorting_by_each_column_in_both_directions(as_dispatcher, three_projects, column, direction):
    if column == "light":  # the warning engine's verdicts: green, yellow, red
        for light, project in enumerate(three_projects):
            Project.objects.filter(pk=project.pk).update(light=light)
            project.light = light
    expected = [p.name for p in sorted(three_projects, key=SORT_KEYS[column], reverse=direction == "-")]
    assert len(set(map(SORT_KEYS[column], three_projects))) == 3, "the fixture must not tie on this column"
    response = ledger(as_dispatcher, sort=direction + column)
    assert names(response) == expected
    assert response.context["sort"] == direction + column


def test_the_default_sort_is_total_investment_descending(as_dispatcher, three_projects):
    assert names(ledger(as_dispatcher)) == ["B项目", "A项目", "C项目"]


def test_an_unknown_sort_key_falls_back_to_the_default(as_dispatcher, three_projects):
    response = ledger(as_dispatcher, sort="password")
    assert names(response) == ["B项目", "A项目", "C项目"]
    assert response.context["sort"] == "-total_investment"


# ----------------------------------------------------------------------------- paging and totals


def test_the_ledger_pages_by_fifty(as_dispatcher, regions):
    f.bulk_projects(120, region=regions.lanshan)
    first = ledger(as_dispatcher)
    assert len(first.context["rows"]) == 50
    assert first.context["page_obj"].paginator.num_pages == 3
    last = ledger(as_dispatcher, page=3)
    assert len(last.context["rows"]) == 20
    seen = set()
    for page in (1, 2, 3):
        seen |= {p.pk for p in ledger(as_dispatcher, page=page).context["rows"]}
    assert len(seen) == 120
    assert "第 1–50 条，共 120 条" in first.content.decode()


def test_an_out_of_range_page_shows_the_last_page(as_dispatcher, regions):
    f.bulk_projects(60, region=regions.lanshan)
    assert ledger(as_dispatcher, page=99).context["page_obj"].number == 2


def test_the_totals_row_sums_the_whole_filtered_set_not_just_the_page(as_dispatcher, regions):
    lanshan = f.bulk_projects(70, region=regions.lanshan, prefix="兰山批量", plan=Decimal("0.10"),
                              amounts=[Decimal("1234.56") + i for i in range(70)])
    f.bulk_projects(5, region=regions.luozhuang, prefix="罗庄批量", plan=Decimal("9.99"))
    response = ledger(as_dispatcher, region=regions.lanshan.pk)
    totals = response.context["totals"]
    expected_total = sum((p.total_investment for p in lanshan), Decimal("0"))
    assert totals.count == 70
    assert totals.total_investment == expected_total
    assert totals.annual_plan == Decimal("7.00")
    body = response.content.decode()
    assert "合计：70 个项目" in body
    assert f'data-total="total_investment">{expected_total:,.2f}</td>' in body
    assert 'data-total="annual_plan">7.00</td>' in body


def test_the_totals_row_follows_the_year_filter(as_dispatcher, own_project, other_project):
    response = ledger(as_dispatcher)
    totals = response.context["totals"]
    assert (totals.count, totals.total_investment, totals.annual_plan) == (
        2, Decimal("43345.67"), Decimal("7000.00")
    )


# ------------------------------------------------------------------------------------------- htmx


def test_an_htmx_request_gets_only_the_table_fragment(as_dispatcher, own_project):
    response = as_dispatcher.get(reverse("projects:list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="ledger-table"' in body
    assert own_project.name in body


def test_a_boosted_htmx_request_gets_the_whole_page(as_dispatcher, own_project):
    response = as_dispatcher.get(reverse("projects:list"), HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert "<html" in response.content.decode()


def test_a_plain_request_gets_the_whole_page_with_the_filter_bar(as_dispatcher, own_project):
    body = ledger(as_dispatcher).content.decode()
    assert "<html" in body
    assert 'id="ledger-filter"' in body


# -------------------------------------------------------------------------------- query budget


def count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    return len(queries)


def test_the_ledger_runs_the_same_number_of_queries_for_5_and_60_projects(as_dispatcher, regions, units,
                                                                         contact_leader):
    def add(n, prefix):
        projects = f.bulk_projects(n, region=regions.lanshan, prefix=prefix, lead_unit=units.lanshan_government,
                                   owner=units.owner)
        for project in projects:
            project.leader_links.create(leader=contact_leader, role="contracted")
            project.programs.add(Program.objects.first())

    add(5, "少量")
    ledger(as_dispatcher)  # warm-up: session and content types
    few = count_list_queries(as_dispatcher)
    add(55, "大量")
    many = count_list_queries(as_dispatcher)
    assert few == many, f"5 projects: {few} queries, 60 projects: {many} queries"
    # Today 18: session, user, grants, count + page ids, plans, rows, leaders, 2 totals, can_create,
    # and 7 filter dropdowns. The budget leaves a little room; the equality above is the real guard.
    assert many <= 20, f"the ledger list page ran {many} queries"


# ------------------------------------------------------------------------- cached filter options


def _options(response, field: str) -> list[str]:
    return [label for _, label in response.context["filter"].form.fields[field].choices]


def test_filter_options_are_cached_per_scope_and_refreshed_by_saves(client, users, regions, own_project):
    client.force_login(users["dispatcher"])
    assert "兰山区" in _options(ledger(client), "region")
    client.force_login(users["reporter_a"])
    reporter_regions = _options(ledger(client), "region")
    # The reporter's cached list is their own scope, not the dispatcher's.
    assert "兰山区" in reporter_regions and "罗庄区" not in reporter_regions

    with CaptureQueriesContext(connection) as cached:
        ledger(client)
    # The region dropdown's own query ((id, name) rows of regions) is not run again.
    assert not [q for q in cached.captured_queries if q["sql"].startswith('SELECT "org_region"."id" AS "pk", "org_region"."name"')]

    f.UnitFactory(name="兰山区住房和城乡建设局", region=regions.lanshan)
    assert "兰山区住房和城乡建设局" in _options(ledger(client), "unit")
    Level.objects.create(name="重大示范", sort=99)
    assert "重大示范" in _options(ledger(client), "level")
