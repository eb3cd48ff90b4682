"""驾驶舱 in a real browser: the charts draw from the data URL, a district's bar clicked opens the ledger of
that district, whose 合计 is the chart's value; a district clerk's cockpit has only their district."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# 本月完成投资 approved this month: 兰山区 9,000 of its 45,000 plan (20.0%), 罗庄区 17,250 of 34,500 (50.0%).
AMOUNTS = {
    "兰山区北城新区道路改造工程": "1500.00", "兰山区智慧物流园区": "2500.00", "兰山区第一实验学校扩建": "1000.00",
    "兰山区人民医院新院区": "4000.00", "罗庄区新能源储能电站": "10000.00", "罗庄区城市更新片区改造": "2250.00",
    "罗庄区冷链物流中心": "1000.00", "罗庄区河道综合治理": "4000.00",
}


def report_this_month(e2e_data: E2EData) -> None:
    from tuijin.reports import services as report_services
    from tuijin.reports.choices import ReportState
    from tuijin.reports.models import ProgressReport

    today = timezone.localdate()
    ids = [p.pk for p in e2e_data.projects.values()]
    period = report_services.period_open(None, year=today.year, month=today.month, project_ids=ids)
    for name, amount in AMOUNTS.items():
        ProgressReport.objects.filter(period=period, project=e2e_data.projects[name]).update(
            state=ReportState.APPROVED, amount=Decimal(amount))
    report_services.refresh_cumulative(ids, today.year)


def open_cockpit(page, live_server):
    page.get_by_role("link", name="驾驶舱", exact=True).click()
    page.wait_for_url(f"{live_server.url}/dashboards/cockpit/**")
    expect(page.locator("#cockpit")).to_have_attribute("data-ready", "1")


def bar_point(page, name: str) -> dict:
    """The window coordinates of the middle of the district's bar (scrolled into view), and its row of the
    chart's data."""
    page.locator("#chart-regions").scroll_into_view_if_needed()
    return page.evaluate(
        """name => {
            const chart = window.tuijinCockpit.charts.regions;
            const rows = window.tuijinCockpit.data.regions.rows;
            const index = rows.findIndex((r) => r.name === name);
            const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [Number(rows[index].plan_rate) / 2, index]);
            const box = chart.getDom().getBoundingClientRect();
            return { x: box.left + x, y: box.top + y, row: rows[index] };
        }""",
        name,
    )


def test_a_district_bar_opens_the_ledger_with_the_same_total(page, live_server, login, e2e_data: E2EData, screenshot):
    report_this_month(e2e_data)
    login(page, "dispatcher")
    open_cockpit(page, live_server)
    expect(page.locator("#kpi-completed .kpi-value")).to_have_text("26,250.00")
    expect(page.locator("#kpi-projects .kpi-value")).to_have_text("8")
    ranked = page.evaluate("window.tuijinCockpit.data.regions.rows.map((r) => [r.rank, r.name, r.plan_rate])")
    assert ranked == [[1, "罗庄区", "50.0"], [2, "兰山区", "20.0"]]
    screenshot(page, "cockpit.png")

    point = bar_point(page, "兰山区")
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator("#chart-regions div").filter(has_text="累计完成投资").last
    expect(tooltip).to_contain_text("累计完成投资：9,000.00 万元")
    expect(tooltip).to_contain_text("年计划完成率：20.0%")
    shown = re.search(r"累计完成投资：([\d,.]+) 万元", tooltip.inner_text()).group(1)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"{live_server.url}/projects/**")

    totals = page.locator("#ledger-totals")
    lanshan = e2e_data.in_region("兰山区")
    expect(totals).to_contain_text(f"合计：{len(lanshan)} 个项目")
    expect(totals.locator('[data-total="completed_ytd"]')).to_have_text(shown)
    expect(totals.locator('[data-total="completion_rate"]')).to_have_text(f"{point['row']['plan_rate']}%")
    assert point["row"]["projects"] == len(lanshan)
    assert {r.strip() for r in page.locator("#ledger-table tbody tr:not(#ledger-totals) td:nth-child(4)").all_inner_texts()} == {"兰山区"}


def test_a_district_clerks_cockpit_has_only_their_district(page, live_server, login, e2e_data: E2EData, screenshot):
    report_this_month(e2e_data)
    login(page, "reporter")
    open_cockpit(page, live_server)
    names = page.evaluate("window.tuijinCockpit.data.regions.rows.map((r) => r.name)")
    assert names == ["兰山区"]
    expect(page.locator("#kpi-completed .kpi-value")).to_have_text("9,000.00")
    expect(page.locator("#kpi-projects .kpi-value")).to_have_text("4")
    assert "罗庄" not in page.evaluate("JSON.stringify(window.tuijinCockpit.data)")
    screenshot(page, "cockpit-clerk.png")
    point = bar_point(page, "兰山区")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"{live_server.url}/projects/**")
    expect(page.locator("#ledger-totals [data-total='completed_ytd']")).to_have_text("9,000.00")
