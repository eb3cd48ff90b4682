"""The cockpit (驾驶舱): every number is the figures layer's, every chart element opens a list with the same
total, a district clerk sees only their district, and bad input is a Chinese 400, never a 500.

The town is the figures' hand-built one (tests/figures/conftest.py), asked for 2026-10 on 2026-11-20.
"""

import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuijin.dashboards.selectors import cockpit as selectors
from tuijin.figures.selectors import figures
from tuijin.projects.choices import Light
from tuijin.projects.models import Project

from .. import factories as f

D = Decimal


def get(client, user, name="dashboards:cockpit_data", **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def data(client, user, **params) -> dict:
    response = get(client, user, period="2026-10", **params)
    assert response.status_code == 200, response.content.decode()[:300]
    return response.json()


def ledger_totals(client, url: str) -> tuple[int, str]:
    """(项目数, 本年累计完成) of the ledger's 合计 row at `url`."""
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    count = int(re.search(r"合计：(\d+) 个项目", page).group(1))
    done = re.search(r'data-total="completed_ytd">([^<]*)<', page).group(1).strip()
    return count, done


def explain_value(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(re.search(r'<span id="explain-value">([^<]*)</span>', response.content.decode()).group(1))


def money(value) -> str:
    return f"{D(value):,.2f}"


# ------------------------------------------------------------------------------------- the figures


def test_every_number_is_the_figures_layers(town, city, client):
    user = city.users["dispatcher"]
    found = data(client, user)
    assert found["label"] == "截至2026年10月，已审核填报"
    total = figures(user, period="2026-10", keys=selectors.TOTAL_KEYS).total.as_json()
    assert {key: found["total"][key] for key in total} == total
    assert (found["total"]["projects"], found["total"]["completed"], found["total"]["plan_rate"]) == (6, "2332.00", "32.4")

    by_region = figures(user, period="2026-10", group_by="region", keys=selectors.GROUP_KEYS)
    rows = found["regions"]["rows"]
    assert {r["key"] for r in rows} == {g.key for g in by_region.groups}
    for row in rows:
        expected = by_region.group(row["key"]).as_json()
        assert {key: row[key] for key in expected} == expected
    # Ranked by 年计划完成率: 兰山区 49.1%, 临沂市本级 33.3% (1,000 / 3,000), 罗庄区 14.3% (300 / 2,100).
    assert [(r["rank"], r["name"], r["plan_rate"]) for r in rows] == [
        (1, "兰山区", "49.1"), (2, "临沂市本级", "33.3"), (3, "罗庄区", "14.3")]

    by_category = figures(user, period="2026-10", group_by="category", keys=selectors.GROUP_KEYS)
    assert [(r["key"], r["completed"]) for r in found["categories"]["rows"]] == [
        (g.key, str(g["completed"])) for g in by_category.groups]

    by_stage = figures(user, period="2026-10", group_by="stage", keys=("projects",))
    assert [(r["name"], r["projects"]) for r in found["funnel"]] == [("前期", 1), ("新开工", 2), ("续建", 2), ("竣工", 1)]
    assert sum(r["projects"] for r in found["funnel"]) == by_stage.total["projects"]

    assert [(g["key"], g["value"], g["done"], g["planned"]) for g in found["gauges"]] == [
        ("start_rate", "33.3", 1, 3), ("completion_rate", "50.0", 1, 2)]
    assert [(r["key"], r["projects"]) for r in found["lights"]] == [("red", 0), ("yellow", 0), ("green", 6)]


def test_the_months_are_the_figures_of_each_month(town, city, client):
    user = city.users["dispatcher"]
    rows = data(client, user)["months"]["rows"]
    assert [r["label"] for r in rows] == [f"{n}月" for n in range(1, 13)]
    for row in rows:
        expected = figures(user, period=f"2026-{row['month']:02d}", keys=selectors.MONTH_KEYS).total.as_json()
        if row["known"]:
            assert {key: row[key] for key in expected if key not in ("key", "name")} == {
                key: value for key, value in expected.items() if key not in ("key", "name")}, row["label"]
        else:  # after the period: the plan runs on, what was done is not known yet
            assert (row["completed"], row["problems"], row["plan_to_date"]) == (None, None, expected["plan_to_date"])
    assert [r["known"] for r in rows] == [True] * 10 + [False] * 2
    assert [rows[n - 1]["completed"] for n in (8, 9, 10)] == ["0.00", "1710.00", "2332.00"]


def test_the_lights_are_the_projects_current_lights(town, city, client):
    Project.objects.filter(pk__in=[town.p.p1.pk, town.p.p3.pk]).update(light=Light.RED)
    Project.objects.filter(pk=town.p.p2.pk).update(light=Light.YELLOW)
    found = data(client, city.users["dispatcher"])
    assert [(r["name"], r["projects"]) for r in found["lights"]] == [("红灯", 2), ("黄灯", 1), ("绿灯", 3)]
    for row in found["lights"]:
        assert ledger_totals(client, row["ledger"])[0] == row["projects"]
    # With the ledger's light filter, the other lights count nothing and open nothing.
    found = data(client, city.users["dispatcher"], light=str(Light.RED))
    assert [(r["projects"], r["ledger"] is not None) for r in found["lights"]] == [(2, True), (0, False), (0, False)]


# ---------------------------------------------------------------------------------- click-through


def test_each_element_opens_a_ledger_or_list_with_the_same_total(town, city, client):
    user = city.users["dispatcher"]
    found = data(client, user)
    total = found["total"]
    assert ledger_totals(client, total["ledger"]) == (total["projects"], money(total["completed"]))
    for block in ("regions", "categories"):
        for row in found[block]["rows"]:
            assert ledger_totals(client, row["ledger"]) == (row["projects"], money(row["completed"])), row["name"]
            assert explain_value(client, row["explain"]) == f"{row['plan_rate']}%"
    for row in found["funnel"]:
        assert ledger_totals(client, row["ledger"])[0] == row["projects"], row["name"]
    for row in found["months"]["rows"]:
        links = row["links"]
        assert explain_value(client, links["plan_to_date"]) == money(row["plan_to_date"])
        if not row["known"]:
            assert links["completed"] is None and links["problems"] is None
            continue
        if "/projects/" in links["completed"]:  # as of the month's reporting period
            assert ledger_totals(client, links["completed"]) == (total["projects"], money(row["completed"])), row["label"]
        else:  # before the year's first period: the reports behind the figure
            assert explain_value(client, links["completed"]) == money(row["completed"])
        assert explain_value(client, links["problems"]) == str(row["problems"])
        assert explain_value(client, links["problems_closed"]) == str(row["problems_closed"])
    for gauge in found["gauges"]:
        assert explain_value(client, gauge["link"]) == f"{gauge['value']}%"
    for key in ("plan_rate", "time_progress"):
        assert explain_value(client, total["links"][key]) == f"{total[key]}%"
    # September's and October's completion open the ledger as of their period.
    assert "as_of=" in found["months"]["rows"][9]["links"]["completed"]


def test_the_links_carry_the_filters(town, city, client):
    lanshan = city.regions.lanshan
    found = data(client, city.users["dispatcher"], region=lanshan.pk)
    assert [r["name"] for r in found["regions"]["rows"]] == ["兰山区"]
    assert found["total"]["projects"] == 3
    assert f"region={lanshan.pk}" in found["total"]["ledger"]
    assert ledger_totals(client, found["categories"]["rows"][0]["ledger"]) == (3, "1,032.00")
    assert f"region={lanshan.pk}" in found["months"]["rows"][9]["links"]["plan_to_date"]
    assert explain_value(client, found["months"]["rows"][9]["links"]["plan_to_date"]) == money(
        found["months"]["rows"][9]["plan_to_date"])


# ------------------------------------------------------------------------------------------- scope


def test_a_district_clerk_sees_only_their_district(town, city, client):
    clerk = city.users["reporter_a"]
    found = data(client, clerk)
    assert [r["name"] for r in found["regions"]["rows"]] == ["兰山区"]
    assert found["total"]["projects"] == 3 and found["total"]["completed"] == "1032.00"
    assert json.dumps(found, ensure_ascii=False).count("罗庄") == 0
    assert found["months"]["rows"][9]["completed"] == "1032.00"
    for row in found["regions"]["rows"]:
        assert ledger_totals(client, row["ledger"]) == (3, "1,032.00")
    # Another district is not among their filter options: a Chinese 400, no figures.
    response = get(client, clerk, period="2026-10", region=city.regions.luozhuang.pk)
    assert response.status_code == 400 and "筛选条件不正确" in response.json()["error"]
    page = get(client, clerk, "dashboards:cockpit", period="2026-10", region=city.regions.luozhuang.pk)
    assert page.status_code == 400 and "筛选条件不正确" in page.content.decode()


def test_someone_without_a_place_gets_an_empty_cockpit(town, city, client):
    found = data(client, city.users["outsider"])
    assert found["total"]["projects"] == 0 and found["regions"]["rows"] == [] and found["funnel"] == []
    assert [r["projects"] for r in found["lights"]] == [0, 0, 0]


# -------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("params", "message"), [
    ({"period": "2026-13"}, "统计期“2026-13”格式不正确"),
    ({"period": "abc"}, "统计期“abc”格式不正确"),
    ({"period": "1800"}, "年度应在"),
    ({"period": "2026-10", "level": "999999"}, "筛选条件不正确"),
    ({"period": "2026-10", "region": "abc"}, "筛选条件不正确"),
    ({"period": "2026-10", "category": "-1"}, "筛选条件不正确"),
    ({"period": "2026-10", "light": "7"}, "筛选条件不正确"),
])
def test_bad_input_is_a_chinese_400(town, city, client, params, message):
    user = city.users["dispatcher"]
    response = get(client, user, **params)
    assert response.status_code == 400
    assert message in response.json()["error"]
    page = get(client, user, "dashboards:cockpit", **params)
    assert page.status_code == 400
    assert message in page.content.decode() and 'id="cockpit-error"' in page.content.decode()


def test_odd_but_harmless_input_is_answered(town, city, client):
    user = city.users["dispatcher"]
    for params in ({"period": "2026-10", "q": "路" * 300}, {"period": "2026-Q3"}, {"period": "2026"},
                   {"period": "2026-10", "by": "town", "figure": "x", "page": "9"}):
        response = get(client, user, **params)
        assert response.status_code == 200, params
    assert get(client, user, period="2026-Q3").json()["months"]["rows"][8]["known"] is True
    assert get(client, user, period="2026-Q3").json()["months"]["rows"][9]["known"] is False


# ---------------------------------------------------------------------------------------- the page


def test_the_page_has_its_filters_charts_and_nav_item(town, city, client):
    response = get(client, city.users["dispatcher"], "dashboards:cockpit")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="nav-cockpit"' in page and "驾驶舱" in page
    # Without a period: the latest month begun (November), the same default as 统计分析.
    assert 'value="2026-11"' in page
    url = unescape(re.search(r'data-url="([^"]+)"', page).group(1))
    assert url == f"{reverse('dashboards:cockpit_data')}?period=2026-11"
    for chart in ("chart-months", "chart-regions", "chart-categories", "chart-funnel", "chart-lights",
                  "chart-problems", "chart-gauges"):
        assert f'id="{chart}"' in page
    assert "vendor/echarts/echarts.min.js" in page and "tuijin/cockpit.js" in page
    assert "没有逐月的灯色记录" in page
    response = get(client, city.users["dispatcher"], "dashboards:cockpit", period="2026-10", level="999999")
    assert response.status_code == 400


def test_in_english(town, city, client):
    client.cookies["django_language"] = "en"
    found = data(client, city.users["dispatcher"])
    assert found["labels"]["completed"] != "累计完成投资" and found["labels"]["problems"] != "累计提出问题"
    assert found["label"].startswith("As of")
    page = get(client, city.users["dispatcher"], "dashboards:cockpit").content.decode()
    assert "驾驶舱" not in page


# ------------------------------------------------------------------------------------------ queries


def _grow(city, n: int, batch: str) -> list[str]:
    """n projects in both districts, each with a category, a stage and a problem of its own."""
    from tuijin.problems.models import Problem, ProblemType
    from tuijin.projects.models import Category, Stage

    kind = ProblemType.objects.get_or_create(name="用地")[0]
    shown = []
    for i in range(n):
        category = Category.objects.create(name=f"类别{batch}{i}", sort=1000 + i)
        stage = Stage.objects.create(name=f"阶段{batch}{i}", canonical="construction", sort=1000 + i)
        region = city.regions.lanshan if i % 2 else city.regions.luozhuang
        project = f.bulk_projects(1, region=region, prefix=f"查询项目{batch}{i}-", category=category, stage=stage)[0]
        Problem.objects.create(project=project, type=kind, description="问题", raised_on=project.created_at.date())
        shown += [category.name, stage.name]
    return shown


def test_the_data_runs_the_same_queries_for_n_and_3n_projects(city, client):
    client.force_login(city.users["dispatcher"])
    url = reverse("dashboards:cockpit_data")

    def queries(expected):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        body = json.dumps(response.json(), ensure_ascii=False)
        assert all(text in body for text in expected)
        return len(captured)

    shown = _grow(city, 2, "甲")
    few = queries(shown)
    shown += _grow(city, 6, "乙")
    many = queries(shown)
    assert few == many, f"{few} queries for 2 projects, {many} for 8"


# -------------------------------------------------------------------------------------------- bench


def test_the_bench_measure_times_the_data_and_checks_its_total(town, city, settings):
    from tuijin.core.bench import BenchError, BenchOptions
    from tuijin.dashboards.bench import Context
    from tuijin.dashboards.benches import cockpit as measure

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    dispatcher = city.users["dispatcher"]
    table = figures(dispatcher, period="2026-10", group_by="region", region_level="district")
    ctx = Context(dispatcher=dispatcher, period="2026-10", table=table, counts={})
    metrics = measure.measure(ctx, BenchOptions(requests=2, rounds=1))
    assert set(metrics) == {"cockpit_data_p50", "cockpit_data_p95"}
    assert metrics["cockpit_data_p95"].target == 300.0 and metrics["cockpit_data_p95"].value > 0
    wrong = Context(dispatcher=dispatcher, period="2026-09", table=table, counts={})  # September's total differs
    with pytest.raises(BenchError, match="is not the figures'"):
        measure.measure(wrong, BenchOptions(requests=1, rounds=1))
