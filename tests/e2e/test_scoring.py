"""考核排名 in a real browser: the office configures a scheme in the editor — a 序列 of 县区 (regions) and
one of 市直部门 (units), the second's kind chosen in the page, which then lists the units — exempts a
project, computes this month's draft, drills from a value into the projects behind it (the exempted one
listed apart), publishes it (numbered, frozen) and shows the board."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tuijin.scoring.models import Run, Scheme

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_configure_run_drill_down_and_publish(page, new_page, live_server, login, e2e_data: E2EData, screenshot):
    office = page
    login(office, "dispatcher")
    office.goto(f"{live_server.url}/scoring/")
    office.get_by_role("link", name="新建考核方案").click()
    office.get_by_label("方案代码").fill("county")
    office.get_by_label("方案名称").fill("县区重点项目月度考核")
    office.get_by_label("序列名称").first.fill("县区")
    office.get_by_label("红榜名额").first.fill("1")
    office.get_by_label("黑榜名额").first.fill("1")
    members = office.locator(".member-list").first
    members.get_by_label("兰山区").check()
    members.get_by_label("罗庄区").check()
    row = office.locator("#indicator-rows .indicator-row").first
    row.get_by_label("指标代码").fill("scale")
    row.get_by_label("指标名称").fill("总投资规模")
    row.get_by_label("统计指标").select_option("total_investment")
    row.get_by_label("分值").fill("六十")  # refused, and what was typed stays
    row.locator("input[name$='-target']").fill("10000000")
    office.get_by_role("button", name="保存方案").click()
    expect(office.locator("#scheme-errors")).to_contain_text("第1个指标“总投资规模”：分值应为0–1000的数")
    expect(office.get_by_label("方案名称")).to_have_value("县区重点项目月度考核")
    assert not Scheme.objects.exists()
    row = office.locator("#indicator-rows .indicator-row").first
    # Only the chosen method's settings are shown.
    expect(row.locator("input[name$='-ranks']")).to_be_hidden()
    row.get_by_label("分值").fill("60")
    # A second 序列 of units: choosing its kind lists the units (the page comes back unsaved, as typed).
    office.get_by_label("序列名称").nth(1).fill("市直部门")
    office.get_by_label("考核对象类型").nth(1).select_option("lead_unit")
    units = office.locator(".member-list").nth(1)
    expect(units).to_contain_text("兰山区人民政府")
    assert not Scheme.objects.exists()
    expect(office.get_by_label("序列名称").nth(1)).to_have_value("市直部门")
    expect(office.locator("#indicator-rows .indicator-row").first.get_by_label("分值")).to_have_value("60")
    units.get_by_label("兰山区人民政府").check()
    units.get_by_label("罗庄区人民政府").check()
    office.get_by_label("红榜名额").nth(1).fill("1")
    office.get_by_label("黑榜名额").nth(1).fill("1")
    office.get_by_role("button", name="保存方案").click()
    expect(office.locator(".alert-success")).to_contain_text("已保存考核方案“县区重点项目月度考核”")
    expect(office.locator("#indicators")).to_contain_text("得分＝60×实际值÷10000000，最高60分")
    expect(office.locator("#series")).to_contain_text("兰山区、罗庄区")
    expect(office.locator("#series")).to_contain_text("兰山区人民政府、罗庄区人民政府")
    assert Scheme.objects.get().kinds == ["region", "lead_unit"]

    # A project of 兰山区 exempted for a stated reason: an empty reason is refused, then it is recorded.
    year, park = timezone.localdate().year, e2e_data.projects["兰山区智慧物流园区"]
    exempt = office.locator("#exempt-project")
    exempt.get_by_label("项目").select_option(str(park.pk))
    exempt.get_by_label("自").fill(f"{year}-01-01")
    exempt.get_by_label("至").fill(f"{year}-12-31")
    exempt.get_by_role("button", name="登记项目豁免").click()
    expect(office.locator(".alert-danger")).to_contain_text("请填写豁免原因")
    exempt = office.locator("#exempt-project")
    exempt.get_by_label("项目").select_option(str(park.pk))
    exempt.get_by_label("原因").fill("汛期停工（不可抗力），经推进办批准")
    exempt.get_by_label("自").fill(f"{year}-01-01")
    exempt.get_by_label("至").fill(f"{year}-12-31")
    exempt.get_by_role("button", name="登记项目豁免").click()
    expect(office.locator(".alert-success")).to_contain_text("已登记豁免")
    expect(office.locator("#exemption-list")).to_contain_text("兰山区智慧物流园区")

    month = timezone.localdate().strftime("%Y-%m")
    office.get_by_label("考核期间").fill(month)
    office.get_by_role("button", name="计算考核结果（草稿）").click()
    # A background job (tuijin.jobs; run at once by the suite's immediate backend): its page, then the run.
    expect(office.locator("#job-status")).to_have_text("已完成")
    expect(office.locator("#job-message")).to_contain_text("考核结果（草稿）")
    office.locator("#job-result").click()
    expect(office.locator("table.results tbody tr")).to_have_count(4)
    # 兰山区 without its 物流园区: 12,345.67 + 8,800.50 + 150,000 = 171,146.17 → 60 × 1.71% = 1.03.
    lanshan = office.locator("table.results[data-series='县区'] tbody tr").filter(has_text="兰山区")
    expect(lanshan).to_contain_text("已豁免")
    expect(lanshan).to_contain_text("1.03")
    screenshot(office, "scoring-draft.png")

    # From a value to the projects it is computed from, the exempted one listed apart.
    lanshan.locator("a[href*='/point/']").click()
    expect(office.locator("#point-value")).to_contain_text("171,146.17")
    lanshan_projects = [p.name for p in e2e_data.in_region("兰山区")]
    expect(office.locator("#point-table")).to_contain_text(lanshan_projects[0])
    expect(office.locator("#point-table")).not_to_contain_text("兰山区智慧物流园区")
    expect(office.locator("#point-exempt")).to_contain_text("兰山区智慧物流园区")
    expect(office.locator("#point-exempt")).to_contain_text("已豁免")
    screenshot(office, "scoring-point.png")
    office.go_back()

    office.once("dialog", lambda dialog: dialog.accept())
    office.get_by_role("button", name="发布", exact=True).click()
    expect(office.locator(".alert-success")).to_contain_text(re.compile(r"已发布：\d{4}年第1期"))
    run = Run.objects.get()
    assert (run.state, run.number) == ("published", 1)
    office.get_by_role("link", name="红黑榜（投屏）").click()
    expect(office.locator("#red-1")).to_contain_text("兰山区")
    expect(office.locator("#black-1")).to_contain_text("第2名")
    expect(office.locator("#red-2")).to_contain_text("兰山区人民政府")
    expect(office.locator("#black-2")).to_contain_text("罗庄区人民政府")
    screenshot(office, "scoring-board.png")

    # A district's clerk sees the published result; drafts never.
    clerk = new_page()
    login(clerk, "reporter")
    clerk.goto(f"{live_server.url}/scoring/runs/{run.pk}/")
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("县区重点项目月度考核")
