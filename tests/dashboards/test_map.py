"""落地地图 (issue #17 §4): each district's colour is its figure from the figures layer, the points are the
figures' projects that have a location, a district opens the ledger on the same projects, a clerk's map holds
only what the clerk sees, and bad input is refused in Chinese.

The town (tests/figures/conftest.py) asked for 2026-10: P1, P2, P6 of 兰山区, P3, P4 of 罗庄区, P5 of the city
count; P7 (申报中) and P9 (archived) never do. Here P1, P3 and P5 have a location, so do P7 and P9."""

import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories as f
from tests.geo import GEO_DIR
from tuijin.dashboards.selectors.map import KEYS, MAP_FIGURES, map_data, short_name
from tuijin.figures.selectors import FiguresError, figures
from tuijin.org.choices import RegionLevel, Role, Scope
from tuijin.org.geo import boundary_url
from tuijin.org.models import Membership, Region, Unit
from tuijin.projects.choices import Light
from tuijin.projects.models import AnnualPlan, Project

PERIOD = "2026-10"


def place(project, lng: str, lat: str) -> None:
    Project.objects.filter(pk=project.pk).update(longitude=Decimal(lng), latitude=Decimal(lat))


@pytest.fixture
def placed(town):
    p = town.p
    place(p.p1, "118.350000", "35.100000")
    place(p.p3, "118.280000", "34.990000")
    place(p.p5, "118.360000", "35.080000")
    place(p.p7, "118.300000", "34.980000")  # 申报中: not on the map
    place(p.p9, "118.310000", "35.110000")  # archived: not on the map
    Project.objects.filter(pk=p.p3.pk).update(light=Light.RED, light_reason="投资完成低于序时进度")
    return town


def districts_of(found) -> dict:
    return {d.code: d for d in found.districts}


# ------------------------------------------------------------------------------------------- selectors


@pytest.mark.parametrize("figure", list(MAP_FIGURES))
def test_each_district_is_coloured_by_its_figure_from_the_figures_layer(placed, city, figure):
    dispatcher = city.users["dispatcher"]
    found = map_data(dispatcher, period=PERIOD, figure=figure)
    table = figures(dispatcher, period=PERIOD, group_by="region", region_level="district", keys=KEYS)
    assert [d.code for d in found.districts] == [g.key for g in table.groups] == ["371300-self", "371302", "371311"]
    payload = {d["code"]: d for d in found.as_json()["districts"]}
    for district in found.districts:
        group = table.group(district.code)
        assert district.values == group.values
        value = group[figure]
        assert payload[district.code]["value"] == (None if value is None else float(value))
    assert found.total == table.total.values
    assert found.as_json()["figure"]["key"] == figure


def test_the_red_count_is_the_figures_red_projects(placed, city):
    found = districts_of(map_data(city.users["dispatcher"], period=PERIOD, figure="red_projects"))
    assert (found["371311"].values["red_projects"], found["371302"].values["red_projects"]) == (1, 0)


def test_the_points_are_the_figures_projects_with_a_location(placed, city):
    p = placed.p
    found = map_data(city.users["dispatcher"], period=PERIOD)
    points = {point["id"]: point for point in found.points}
    assert set(points) == {p.p1.pk, p.p3.pk, p.p5.pk}
    assert found.without_location == found.total["projects"] - 3 == 3
    first = points[p.p1.pk]
    assert (first["lng"], first["lat"], first["district"]) == (118.35, 35.1, "371302")
    # P1's ledger row as of 2026-10: 400.00 + 572.00 approved of a 1,000.00 plan.
    assert (first["completed"], first["plan"], first["rate"]) == ("972.00", "1,000.00", "97.2%")
    assert first["url"] == reverse("projects:detail", args=[p.p1.pk]) and first["light"] == "green"
    assert (points[p.p3.pk]["light"], points[p.p3.pk]["light_text"]) == ("red", "红灯")
    assert points[p.p3.pk]["reason"] == "投资完成低于序时进度"
    assert points[p.p5.pk]["district"] == "371300-self"
    by_code = districts_of(found)
    assert (by_code["371302"].points, by_code["371311"].points, by_code["371300-self"].points) == (1, 1, 1)
    assert by_code["371300-self"].centre == (118.36, 35.08) and by_code["371300-self"].level == "self"


def test_a_clerks_map_holds_only_the_clerks_district(placed, city):
    found = map_data(city.users["reporter_a"], period=PERIOD)
    assert found.city.code == "371300"
    assert [d.code for d in found.districts] == ["371302"]
    assert {point["id"] for point in found.points} == {placed.p.p1.pk}
    assert found.total["projects"] == 3


def test_a_zone_without_a_boundary_is_marked_at_its_projects(placed, city):
    zone = Region.objects.create(code="371371", name="临沂高新技术产业开发区", level=RegionLevel.ZONE,
                                 parent=city.regions.city)
    project = f.ProjectFactory(name="高新区研发中心", region=zone, total_investment=Decimal("5000.00"))
    AnnualPlan.objects.create(project=project, year=2026, planned_investment=Decimal("800.00"),
                              completed_before=Decimal("0.00"))
    place(project, "118.260000", "35.030000")
    district = districts_of(map_data(city.users["dispatcher"], period=PERIOD))["371371"]
    assert (district.level, district.label, district.points, district.centre) == ("zone", "高新区", 1, (118.26, 35.03))
    assert district.values["projects"] == 1


def test_a_province_office_sees_the_first_city_and_chooses_another(placed, city):
    province_unit = Unit.objects.create(name="山东省发展和改革委员会", kind="department", region=city.regions.province)
    user = f.UserFactory(username="province")
    Membership.objects.create(user=user, unit=province_unit, role=Role.DISPATCHER, scope=Scope.REGION)
    dezhou = Region.objects.create(code="371400", name="德州市", level=RegionLevel.CITY, parent=city.regions.province)
    decheng = Region.objects.create(code="371402", name="德城区", level=RegionLevel.DISTRICT, parent=dezhou)
    there = f.ProjectFactory(name="德城区物流园", region=decheng)
    AnnualPlan.objects.create(project=there, year=2026, planned_investment=Decimal("300.00"),
                              completed_before=Decimal("0.00"))
    place(there, "116.300000", "37.450000")

    first = map_data(user, period=PERIOD)
    assert first.city.code == "371300"
    assert "371402" not in districts_of(first) and there.pk not in {p["id"] for p in first.points}
    chosen = map_data(user, period=PERIOD, filters={"region": str(dezhou.pk)})
    assert chosen.city.code == "371400"
    assert [d.code for d in chosen.districts] == ["371402"] and [p["id"] for p in chosen.points] == [there.pk]


def test_an_unknown_figure_is_refused_in_chinese(town, city):
    with pytest.raises(FiguresError, match="地图不能按“start_rate”着色"):
        map_data(city.users["dispatcher"], period=PERIOD, figure="start_rate")


def test_short_names_fit_beside_a_marker(city):
    linyi = city.regions.city
    assert short_name("临沂经济技术开发区", linyi) == "经开区"
    assert short_name("临沂临港经济开发区", linyi) == "临港开发区"
    assert short_name("兰山区", linyi) == "兰山区"


@pytest.mark.skipif(not (GEO_DIR / "371300.json").exists(), reason="vendor/geo not built (npm run vendor)")
def test_the_bundled_boundaries_are_found_by_the_citys_code(placed, city):
    assert boundary_url("371300") == "/static/vendor/geo/371300.json"
    assert boundary_url("999900") is None
    assert map_data(city.users["dispatcher"], period=PERIOD).geo == "/static/vendor/geo/371300.json"


# ------------------------------------------------------------------------------------------- pages


def get(client, user, name="dashboards:map", **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def test_the_page_shows_the_map_and_the_districts_beside_it(placed, city, client):
    response = get(client, city.users["dispatcher"], period=PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="district-map"' in page and '<script id="map-data" type="application/json">' in page
    assert '<span class="small ms-2" id="map-basis">截至2026年10月，已审核填报</span>' in page
    for code in ("371300-self", "371302", "371311"):
        assert f'data-district="{code}"' in page
    assert "3 个项目没有标注坐标" in page
    assert "tuijin/district_map.js" in page


def test_each_district_opens_the_ledger_on_the_same_projects(placed, city, client):
    dispatcher = city.users["dispatcher"]
    payload = get(client, dispatcher, "dashboards:map_data", period=PERIOD).json()
    linked = [d for d in payload["districts"] if d["ledger"]]
    assert {d["code"] for d in linked} == {"371300-self", "371302", "371311"}
    for district in linked:
        ledger = client.get(unescape(district["ledger"])).content.decode()
        count = int(re.search(r"合计：(\d+) 个项目", ledger).group(1))
        assert count == district["values"]["projects"]["value"], district["name"]
    total = client.get(payload["total"]["ledger"]).content.decode()
    assert int(re.search(r"合计：(\d+) 个项目", total).group(1)) == payload["total"]["values"]["projects"]["value"] == 6


def test_a_clerks_data_names_no_other_district(placed, city, client):
    response = get(client, city.users["reporter_a"], "dashboards:map_data", period=PERIOD)
    assert response.status_code == 200
    text = response.content.decode()
    assert "兰山快速路" in text and "罗庄河道" not in text and "市体育中心" not in text and "罗庄区" not in text
    page = get(client, city.users["reporter_b"], period=PERIOD).content.decode()
    assert 'data-district="371311"' in page and 'data-district="371302"' not in page
    payload = json.loads(re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert [point["name"] for point in payload["points"]] == ["罗庄河道"]


def test_someone_without_a_place_sees_an_empty_map(placed, city, client):
    response = get(client, city.users["outsider"], period=PERIOD)
    assert response.status_code == 200
    assert "您的范围内没有可显示的市" in response.content.decode()
    data = get(client, city.users["outsider"], "dashboards:map_data", period=PERIOD).json()
    assert (data["city"], data["districts"], data["points"]) == (None, [], [])


@pytest.mark.parametrize(("params", "message"), [
    ({"figure": "milestone_rate"}, "地图不能按“milestone_rate”着色"),
    ({"period": "2026-13"}, "统计期“2026-13”格式不正确"),
    ({"level": "999999"}, "筛选条件不正确"),
])
def test_bad_input_is_a_400_with_the_reason(placed, city, client, params, message):
    dispatcher = city.users["dispatcher"]
    response = get(client, dispatcher, **{"period": PERIOD, **params})
    assert response.status_code == 400 and message in response.content.decode()
    response = get(client, dispatcher, "dashboards:map_data", **{"period": PERIOD, **params})
    assert response.status_code == 400 and message in response.json()["error"]


@pytest.fixture
def english(client, settings):
    """Pages asked in English; afterwards the thread speaks the default again (the locale middleware
    activates the cookie's language and leaves it active, which would reach the next test)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.activate(settings.LANGUAGE_CODE)


def test_the_map_speaks_english(placed, city, english):
    client = english
    page = get(client, city.users["dispatcher"], period=PERIOD).content.decode()
    data = get(client, city.users["dispatcher"], "dashboards:map_data", period=PERIOD).json()
    assert "Project map" in page and "落地地图" not in page
    assert data["labels"]["open"] == "Open the project" and data["lights"]["red"] == "Red light"


def test_the_maps_queries_do_not_grow_with_its_projects(placed, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dispatcher = city.users["dispatcher"]
    map_data(dispatcher, period=PERIOD)  # the user's grants, read once per request (cached on the user)
    with CaptureQueriesContext(connection) as few:
        map_data(dispatcher, period=PERIOD)
    for i in range(12):
        project = f.ProjectFactory(name=f"兰山加点项目{i}", region=city.regions.lanshan)
        AnnualPlan.objects.create(project=project, year=2026, planned_investment=Decimal("10.00"),
                                  completed_before=Decimal("0.00"))
        place(project, f"118.3{i:02d}000", "35.100000")
    with CaptureQueriesContext(connection) as many:
        found = map_data(dispatcher, period=PERIOD)
    assert len(found.points) == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_big_screen_carries_the_map_of_its_viewer(placed, city):
    from tuijin.dashboards.selectors.screen import ScreenViewer, screen_data

    viewer = ScreenViewer(city.regions.city)  # what a display token of the city reads as
    shown = screen_data(viewer, period=PERIOD)["map"]
    expected = map_data(viewer, period=PERIOD).as_json()
    assert shown["city"] == {"code": "371300", "name": "临沂市"}
    assert [d["code"] for d in shown["districts"]] == [d["code"] for d in expected["districts"]]
    assert {p["id"] for p in shown["points"]} == {placed.p.p1.pk, placed.p.p3.pk, placed.p.p5.pk}
    district = ScreenViewer(city.regions.luozhuang)
    assert [d["code"] for d in screen_data(district, period=PERIOD)["map"]["districts"]] == ["371311"]
