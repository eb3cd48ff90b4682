"""挂图作战 as a wall chart in a real browser (issue #17 §5), at 1440×900.

The e2e city's eight projects and 24 more, each planned backwards from the building template (seven nodes,
the last in a year and a half), half of the extra ones contracted by 陈志远 instead of 刘建国:

1. One row per project with its full name: at least 25 of them are on the screen at once, none cut off;
   the axis is this year's twelve months.
2. A project's ▸ opens its seven node rows (the template's names) and closes them again.
3. 分组 → 按分包领导 groups the rows under 刘建国 (sort 1) and 陈志远 (sort 2) with their counts; a group's
   heading folds its rows. 时间范围 → 全周期 labels the axis with years.
4. More projects than a page holds: 下一页 shows the rest, and the note says which of them.

Screenshots in test-artifacts/ (wall-chart-*.png) to look at.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROAD = "兰山区北城新区道路改造工程"
EXTRA = 24


@pytest.fixture
def planned(e2e_data: E2EData):
    from tuijin.org.models import Leader
    from tuijin.projects.models import Project, ProjectLeader
    from tuijin.schedules import services
    from tuijin.schedules.models import MilestoneTemplate

    template = MilestoneTemplate.objects.get(kind="building")
    model = e2e_data.projects[ROAD]
    deputy, district_head = Leader.objects.get(name="刘建国"), Leader.objects.get(name="陈志远")
    extra = []
    for i in range(EXTRA):
        region = e2e_data.regions["兰山区" if i % 2 == 0 else "罗庄区"]
        name = f"{region.name}重点产业园区配套基础设施建设项目（{i + 1}期）"
        project = Project.objects.create(
            name=name, year_listed=model.year_listed, level=model.level, category=model.category, nature=model.nature,
            stage=model.stage, region=region, total_investment=model.total_investment, lead_unit=model.lead_unit,
            search_text=name.lower())
        ProjectLeader.objects.create(project=project, leader=district_head if i % 2 else deputy, role="contracted")
        extra.append(project)
    projects = [*e2e_data.projects.values(), *extra]
    today = timezone.localdate()
    for i, project in enumerate(projects):
        services.apply_template(None, project, template, today + timedelta(days=400 + 10 * i))
    return projects


def visible_rows(page) -> list[dict]:
    """The project rows wholly inside the chart's scroll box and the window: name, and whether it is cut."""
    return page.evaluate("""() => {
        const box = document.querySelector('.wall-scroll').getBoundingClientRect();
        const bottom = Math.min(box.bottom, window.innerHeight);
        return [...document.querySelectorAll('.wall-project')].filter(r => {
            const b = r.getBoundingClientRect();
            return !r.hidden && b.top >= box.top && b.bottom <= bottom;
        }).map(r => {
            const cell = r.querySelector('.c-name');
            return {name: cell.textContent, cut: cell.scrollWidth > cell.clientWidth};
        });
    }""")


def test_at_least_25_projects_are_readable_on_one_screen(page, login, live_server, planned, screenshot):
    login(page, "dispatcher")
    page.goto(f"{live_server.url}/schedules/gantt/")
    expect(page.locator(".wall-project")).to_have_count(len(planned))
    expect(page.locator("#wall-note")).to_have_text(f"共{len(planned)}个项目")
    rows = visible_rows(page)
    assert len(rows) >= 25, f"only {len(rows)} project rows on a 1440×900 screen"
    assert not [r["name"] for r in rows if r["cut"]]  # full names
    assert rows[0]["name"] == ROAD
    assert page.locator(".wall-head .tick").all_text_contents() == [f"{m}月" for m in range(1, 13)]
    expect(page.locator(".wall-lines .today")).to_have_count(1)
    screenshot(page, "wall-chart-1440x900.png", full_page=False)


def test_a_project_opens_to_its_milestone_rows(page, login, live_server, planned, screenshot):
    from tuijin.schedules.models import Milestone

    road = next(p for p in planned if p.name == ROAD)
    names = list(Milestone.objects.filter(project=road).order_by("sort").values_list("name", flat=True))
    login(page, "dispatcher")
    page.goto(f"{live_server.url}/schedules/gantt/")
    toggle = page.get_by_role("button", name=f"展开{ROAD}的节点", exact=True)
    toggle.click()
    nodes = page.locator(f'.wall-node[data-project="{road.pk}"]')
    expect(nodes).to_have_count(len(names))
    assert nodes.locator(".node-name").all_text_contents() == names
    expect(page.get_by_role("button", name=f"收起{ROAD}的节点", exact=True)).to_have_attribute("aria-expanded", "true")
    screenshot(page, "wall-chart-expanded.png", full_page=False)
    page.get_by_role("button", name=f"收起{ROAD}的节点", exact=True).click()
    expect(nodes).to_have_count(0)


def test_grouped_by_leader_and_over_the_whole_plan(page, login, live_server, planned, screenshot):
    login(page, "dispatcher")
    page.goto(f"{live_server.url}/schedules/gantt/")
    page.get_by_label("分组", exact=True).select_option(label="按分包领导")
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_url("**group=leader**")
    headings = page.locator(".wall-group")
    expect(headings).to_have_count(2)
    # 刘建国 has the eight projects of the city and the even extra ones; 陈志远 the odd ones.
    expect(headings.locator(".group-name")).to_have_text(["刘建国（副市长）", "陈志远（兰山区区长）"])
    expect(headings.nth(0).locator(".group-counts")).to_contain_text(f"{8 + EXTRA // 2}个项目")
    expect(headings.nth(1).locator(".group-counts")).to_contain_text(f"{EXTRA // 2}个项目")
    screenshot(page, "wall-chart-by-leader.png", full_page=False)

    fold = page.get_by_role("button", name="收起或展开“刘建国（副市长）”", exact=True)
    fold.click()
    expect(page.locator(".wall-project:visible")).to_have_count(EXTRA // 2)
    fold.click()
    expect(page.locator(".wall-project:visible")).to_have_count(len(planned))

    page.get_by_label("时间范围", exact=True).select_option(label="全周期")
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_url("**window=all**")
    expect(page.locator(".wall-group")).to_have_count(2)
    ticks = page.locator(".wall-head .tick").all_text_contents()
    # Over more than a year: the first label and the first of each later year say the year (2025年4月 … 2026年1月).
    assert re.fullmatch(r"\d{4}年\d{1,2}月", ticks[0]) and len([t for t in ticks if "年" in t]) >= 2, ticks


def test_the_rows_come_in_pages(page, login, live_server, planned, monkeypatch):
    from tuijin.schedules import selectors

    monkeypatch.setattr(selectors, "WALL_PAGE", 20)  # the live server runs in this process
    login(page, "dispatcher")
    page.goto(f"{live_server.url}/schedules/gantt/")
    expect(page.locator(".wall-project")).to_have_count(20)
    expect(page.locator("#wall-note")).to_have_text(f"共{len(planned)}个项目，本页第1–20个")
    expect(page.locator("#wall-pages")).to_contain_text("第1页，共2页")
    page.get_by_role("link", name="下一页", exact=True).click()
    page.wait_for_url("**page=2**")
    expect(page.locator(".wall-project")).to_have_count(len(planned) - 20)
    expect(page.locator("#wall-note")).to_have_text(f"共{len(planned)}个项目，本页第21–{len(planned)}个")
    expect(page.get_by_role("link", name="上一页", exact=True)).to_be_visible()
