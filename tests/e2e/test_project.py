"""A project in a real browser: detail tabs, editing with validation errors, history, lost updates."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tuijin.projects.models import Project

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROAD = "兰山区北城新区道路改造工程"  # total investment 12,345.67


def test_open_project_from_ledger_and_visit_tabs(page, live_server, login, e2e_data: E2EData, screenshot):
    project = e2e_data.projects[ROAD]
    login(page, "dispatcher")
    page.locator("#ledger-table").get_by_role("link", name=ROAD, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ROAD)
    expect(page.locator("#total-investment")).to_have_text("12,345.67")
    expect(page.locator(".breadcrumb")).to_contain_text("项目台账")
    tabs = page.locator(".nav-tabs")
    expect(tabs.locator(".nav-link")).to_contain_text(["概况", "年度计划", "变更记录"])
    expect(tabs.locator(".nav-link.active")).to_have_text("概况")
    expect(page.get_by_role("main")).to_contain_text("兰山区人民政府")  # lead unit
    expect(page.get_by_role("main")).to_contain_text("临沂市发展和改革委员会")  # responsible unit
    expect(page.get_by_role("main")).to_contain_text("刘建国（副市长）")  # contracted leader
    expect(page.get_by_role("main")).to_contain_text("陈志远（兰山区区长）")  # linked leader
    screenshot(page, "detail.png")

    tabs.get_by_role("link", name="年度计划").click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/plans/")
    expect(tabs.locator(".nav-link.active")).to_have_text("年度计划")
    plan_row = page.locator("table tbody tr").first
    expect(plan_row.locator("td").nth(0)).to_have_text(str(e2e_data.year))
    expect(plan_row.locator("td").nth(1)).to_have_text("3,000.00")
    screenshot(page, "plans.png")

    tabs.get_by_role("link", name="变更记录").click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/history/")
    expect(tabs.locator(".nav-link.active")).to_have_text("变更记录")
    entries = page.locator("#history .history-entry")
    expect(entries.first).to_be_visible()
    history = page.locator("#history")
    expect(history).to_contain_text("张调度")
    expect(history).to_contain_text("新建")
    expect(history).to_contain_text(f"项目名称：{ROAD}")
    expect(history).to_contain_text(f"{e2e_data.year}年度计划")

    tabs.get_by_role("link", name="概况").click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/")
    expect(tabs.locator(".nav-link.active")).to_have_text("概况")


def test_edit_shows_errors_then_saves_and_records_history(page, live_server, login, e2e_data: E2EData, screenshot):
    project = e2e_data.projects[ROAD]
    login(page, "dispatcher")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.get_by_role("link", name="编辑", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/edit/")
    form = page.locator("#project-form")
    expect(form.locator("#id_total_investment")).to_have_value("12345.67")

    # 1. An invalid value: the Chinese message sits beside the field, the alert on top, nothing saved.
    form.locator("#id_total_investment").fill("-5")
    form.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#form-errors")).to_contain_text("保存失败，请修改标红的内容后重新提交。")
    field_errors = page.locator('.errorlist[data-field="total_investment"]')
    expect(field_errors).to_contain_text("总投资不能为负数")
    # The message is inside the field's own block, right under the input.
    expect(page.locator("div:has(> #id_total_investment) > .errorlist")).to_contain_text("总投资不能为负数")
    expect(form.locator("#id_total_investment")).to_have_value("-5")  # the user's input is kept
    screenshot(page, "edit-error.png")
    project.refresh_from_db()
    assert project.total_investment == Decimal("12345.67")
    assert project.version == 1

    # 2. Another rule: actual completion before actual start.
    form.locator("#id_total_investment").fill("12345.67")
    form.locator("#id_actual_start").fill(f"{e2e_data.year - 1}-03-10")
    form.locator("#id_actual_completion").fill(f"{e2e_data.year - 1}-03-01")
    form.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator('.errorlist[data-field="actual_completion"]')).to_contain_text("实际竣工日期不能早于实际开工日期")
    expect(page.locator('.errorlist[data-field="total_investment"]')).to_have_count(0)
    screenshot(page, "edit-error-dates.png")

    page.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(page.locator("#total-investment")).to_have_text("12,345.67")
    expect(page.get_by_role("main")).not_to_contain_text(f"{e2e_data.year - 1}-03-10")

    # 3. Corrected: saved, the detail shows it, the history says it in words.
    page.get_by_role("link", name="编辑", exact=True).click()
    form.locator("#id_total_investment").fill("13000")
    form.locator("#id_reason").fill("按初步设计批复调整")
    form.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("修改已保存")
    expect(page.locator("#total-investment")).to_have_text("13,000.00")
    project.refresh_from_db()
    assert project.total_investment == Decimal("13000.00")
    assert project.version == 2

    page.locator(".nav-tabs").get_by_role("link", name="变更记录").click()
    latest = page.locator("#history .history-entry").first
    # In words, old and new value (with or without thousands separators).
    expect(latest).to_contain_text(re.compile(r"总投资（万元）：由“12,?345\.67”改为“13,?000\.00”"))
    expect(latest).to_contain_text("说明：按初步设计批复调整")
    expect(latest).to_contain_text("张调度")
    expect(latest).to_contain_text("修改")
    screenshot(page, "history.png")


def test_lost_update_is_refused_in_the_browser(new_page, live_server, login, e2e_data: E2EData, screenshot):
    project = e2e_data.projects[ROAD]
    first, second = new_page(), new_page()
    login(first, "dispatcher")
    login(second, "dispatcher2")
    edit_url = f"{live_server.url}/projects/{project.pk}/edit/"
    first.goto(edit_url)
    second.goto(edit_url)
    expect(first.locator("#id_total_investment")).to_have_value("12345.67")
    expect(second.locator("#id_total_investment")).to_have_value("12345.67")

    first.locator("#id_total_investment").fill("20000")
    first.get_by_role("button", name="保存", exact=True).click()
    expect(first.get_by_role("alert")).to_contain_text("修改已保存")
    expect(first.locator("#total-investment")).to_have_text("20,000.00")

    second.locator("#id_total_investment").fill("30000")
    second.locator("#id_name").fill("兰山区北城新区道路改造工程（二期）")
    with second.expect_response(lambda r: r.url == edit_url and r.request.method == "POST") as info:
        second.get_by_role("button", name="保存", exact=True).click()
    assert info.value.status == 409
    expect(second.get_by_role("alert").first).to_contain_text("该项目在您编辑期间已被张调度于 ")
    # The form now holds the fresh data: the first save's value, not the second user's input.
    expect(second.locator("#id_total_investment")).to_have_value("20000.00")
    expect(second.locator("#id_name")).to_have_value(ROAD)
    screenshot(second, "conflict.png")

    project.refresh_from_db()
    assert project.total_investment == Decimal("20000.00")
    assert project.name == ROAD
    assert project.version == 2
    assert Project.history.filter(id=project.pk, history_type="~").count() == 1

    second.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(second.locator("#total-investment")).to_have_text("20,000.00")
    expect(second.get_by_role("heading", level=1)).to_have_text(ROAD)

    # Saving again on the refreshed form (now at the current version) goes through.
    second.goto(edit_url)
    second.locator("#id_total_investment").fill("30000")
    second.get_by_role("button", name="保存", exact=True).click()
    expect(second.get_by_role("alert")).to_contain_text("修改已保存")
    expect(second.locator("#total-investment")).to_have_text("30,000.00")
