"""落地地图 in a real browser: click a district and the ledger opens on the same number of projects the map
shows for it; a project's point opens its card and the card opens the project; the project form's small map
sets the location it is clicked at."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.geo import GEO_DIR
from tuijin.projects.models import Project

from .conftest import E2EData

pytestmark = [
    pytest.mark.e2e, pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (GEO_DIR / "371300.json").exists(),
                       reason="tuijin/static/vendor/geo/371300.json not built (npm run vendor)"),
]

# Inside 兰山区's boundary and away from the points placed below (118.35, 35.05 is its seat, under its name).
LANSHAN_EMPTY = (118.30, 35.19)
POINTS = {"兰山区北城新区道路改造工程": ("118.330000", "35.080000"), "兰山区智慧物流园区": ("118.360000", "35.110000"),
          "罗庄区新能源储能电站": ("118.280000", "34.990000"), "罗庄区河道综合治理": ("118.250000", "34.950000")}


def placed(data: E2EData) -> None:
    for name, (lng, lat) in POINTS.items():
        Project.objects.filter(pk=data.projects[name].pk).update(longitude=Decimal(lng), latitude=Decimal(lat))


def open_map(page, live_server, login, user="dispatcher"):
    login(page, user)
    page.goto(f"{live_server.url}/dashboards/map/")
    expect(page.locator("#district-map[data-ready='1']")).to_be_attached()


def pixel(page, lng: float, lat: float) -> tuple[float, float]:
    """Where (lng, lat) is on the page: the chart's own conversion, plus the chart's place."""
    x, y = page.evaluate("([lng, lat]) => window.tuijinMap.chart.convertToPixel({geoIndex: 0}, [lng, lat])", [lng, lat])
    box = page.locator("#district-map").bounding_box()
    return box["x"] + x, box["y"] + y


def test_clicking_a_district_opens_the_ledger_on_as_many_projects_as_the_map_says(
        page, live_server, login, e2e_data: E2EData, screenshot):
    placed(e2e_data)
    open_map(page, live_server, login)
    row = page.locator('#map-districts tr[data-district="371302"]')
    shown = int(row.locator(".district-count").inner_text())
    assert shown == len(e2e_data.in_region("兰山区")) == 4
    expect(page.locator('#map-districts tr[data-district="total"]')).to_contain_text("8")
    screenshot(page, "map.png", full_page=False)

    page.mouse.click(*pixel(page, *LANSHAN_EMPTY))
    page.wait_for_url(re.compile(r"/projects/\?"))
    expect(page.locator("#ledger-totals")).to_contain_text(f"合计：{shown} 个项目")
    names = page.locator("#ledger-table tbody tr:not(#ledger-totals) td:nth-child(3) a").all_inner_texts()
    assert sorted(names) == sorted(p.name for p in e2e_data.in_region("兰山区"))


def test_a_points_card_opens_the_project(page, live_server, login, e2e_data: E2EData, screenshot):
    placed(e2e_data)
    open_map(page, live_server, login)
    project = e2e_data.projects["罗庄区新能源储能电站"]
    page.mouse.move(*pixel(page, 118.28, 34.99))
    card = page.locator(".map-card")
    expect(card).to_contain_text("罗庄区新能源储能电站")
    expect(card).to_contain_text("88,888.88")
    screenshot(page, "map-card.png", full_page=False)
    card.get_by_role("link", name="查看项目").click()
    page.wait_for_url(f"{live_server.url}/projects/{project.pk}/")


def test_a_clerks_map_shows_only_the_clerks_district(page, live_server, login, e2e_data: E2EData):
    placed(e2e_data)
    open_map(page, live_server, login, user="reporter2")
    codes = page.locator("#map-districts tbody tr[data-district]").evaluate_all(
        "rows => rows.map(r => r.dataset.district)")
    assert codes == ["total", "371311"]
    points = page.evaluate("window.tuijinMap.chart.getOption().series.filter(s => s.coordinateSystem === 'geo' && "
                           "s.type === 'scatter').flatMap(s => s.data.filter(d => d.point).map(d => d.point.name))")
    assert sorted(points) == ["罗庄区新能源储能电站", "罗庄区河道综合治理"]


def test_the_forms_small_map_sets_the_location_clicked(page, live_server, login, e2e_data: E2EData, screenshot):
    project = e2e_data.projects["兰山区第一实验学校扩建"]
    login(page, "reporter")
    page.goto(f"{live_server.url}/projects/{project.pk}/edit/")
    picker = page.locator("#location-picker")
    picker.scroll_into_view_if_needed()
    expect(picker.locator("canvas")).to_be_attached()
    page.wait_for_function("() => { const c = echarts.getInstanceByDom(document.getElementById('location-picker'));"
                           " return c && c.getOption() && c.getOption().geo && c.getOption().geo.length; }")
    target = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('location-picker'))"
        ".convertToPixel({geoIndex: 0}, [118.33, 35.07])")
    box = picker.bounding_box()
    page.mouse.click(box["x"] + target[0], box["y"] + target[1])
    longitude, latitude = page.input_value("#id_longitude"), page.input_value("#id_latitude")
    assert abs(float(longitude) - 118.33) < 0.01 and abs(float(latitude) - 35.07) < 0.01
    screenshot(page, "project-form-map.png", full_page=False)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}/projects/{project.pk}/")
    expect(page.locator("#project-location")).to_have_text(f"{longitude}, {latitude}")
    project.refresh_from_db()
    assert (str(project.longitude), str(project.latitude)) == (longitude, latitude)
