"""The monthly dispatch in a real browser: the office opens a period, a clerk fills the batch grid
and submits, the office returns one report, the clerk fixes it, the office approves, the ledger shows
the approved figures."""

import pytest
from playwright.sync_api import expect

from tuijin.reports.models import ProgressReport, ReportPeriod

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROAD = "兰山区北城新区道路改造工程"  # this year's plan 3,000.00
LANSHAN = {
    ROAD: "300",
    "兰山区智慧物流园区": "1,250.5",
    "兰山区第一实验学校扩建": "0",
    "兰山区人民医院新院区": "4500",
}


def grid_row(page, name):
    return page.locator("tr[data-report]").filter(has_text=name)


def test_open_fill_submit_return_fix_approve(page, new_page, live_server, login, e2e_data: E2EData, screenshot):
    office = page
    login(office, "dispatcher")
    office.get_by_role("link", name="月度调度", exact=True).click()
    office.get_by_role("link", name="开启调度期").click()
    office.get_by_role("button", name="开启", exact=True).click()
    # A background job (tuijin.jobs; run at once by the suite's immediate backend): its page, then the period.
    expect(office.locator("#job-status")).to_have_text("已完成")
    expect(office.locator("#job-message")).to_contain_text("8个项目须填报")
    office.locator("#job-result").click()
    expect(office.locator("#period-totals")).to_contain_text("应报项目")
    period = ReportPeriod.objects.get()
    screenshot(office, "dispatch-period-opened.png")

    clerk = new_page()
    login(clerk, "reporter")
    clerk.get_by_role("link", name="月度调度", exact=True).click()
    expect(clerk.locator(f'[data-period="{period.pk}"]')).to_contain_text("您负责填报 4 个项目")
    clerk.get_by_role("link", name="批量填报").click()
    rows = clerk.locator("tr[data-report]")
    expect(rows).to_have_count(4)  # only 兰山区's projects

    # Type like a spreadsheet: an amount, Enter to the row below.
    first = rows.nth(0).locator("input.amount")
    first.click()
    for index in range(4):
        name = rows.nth(index).locator("td.project-name a").inner_text()
        clerk.keyboard.type(LANSHAN[name])
        clerk.keyboard.press("Enter")
    road = grid_row(clerk, ROAD)
    expect(road.locator('[data-out="ytd"]')).to_have_text("300.00")
    expect(road.locator('[data-out="pct-plan"]')).to_have_text("10.0%")
    expect(road.locator('[data-out="gap"]')).to_contain_text("序时进度")
    expect(grid_row(clerk, "兰山区智慧物流园区").locator('[data-out="ytd"]')).to_have_text("1,250.50")
    for index in range(4):
        rows.nth(index).locator("input.progress-text").fill("主体结构施工，完成年度目标的三成")
    expect(clerk.locator("#autosave-status")).to_contain_text("草稿已自动保存", timeout=15_000)
    assert ProgressReport.objects.filter(period=period, state="draft").count() == 4
    screenshot(clerk, "dispatch-grid-filled.png")
    # Nothing is ticked for the clerk: they tick what goes, and confirm the list the page names.
    expect(clerk.locator("input.pick:checked")).to_have_count(0)
    clerk.get_by_label("全选").check()
    expect(clerk.locator("#submit-summary")).to_contain_text("将上报 4 个项目")
    dialogs = []
    clerk.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    clerk.get_by_role("button", name="上报所选（4）").click()
    expect(clerk.locator(".alert-success")).to_contain_text("已上报4个项目")
    assert dialogs and dialogs[0].startswith("将上报 4 个项目：")

    # The office returns the road project with a reason.
    office.goto(f"{live_server.url}/reports/periods/{period.pk}/review/")
    expect(office.locator("#review-queue tbody tr")).to_have_count(4)
    office.locator("#review-queue").get_by_role("link", name=ROAD).click()
    office.get_by_label("审核意见（退回时必填）").fill("请补充路基完成比例")
    office.get_by_role("button", name="退回修改").click()
    expect(office.locator(".alert-success")).to_contain_text("已退回")
    # The office is taken on to the next report waiting for review.
    expect(office.locator("#report-state")).to_have_text("已上报")
    expect(office.get_by_role("heading", level=1)).not_to_have_text(ROAD)
    assert ProgressReport.objects.get(period=period, project__name=ROAD).state == "returned"

    # The clerk is told, fixes it and hands it in again.
    clerk.goto(f"{live_server.url}/reports/")
    expect(clerk.locator("#nav-notifications .badge")).to_have_text("1")
    clerk.get_by_role("link", name="批量填报").click()
    road = grid_row(clerk, ROAD)
    expect(road).to_contain_text("退回意见：请补充路基完成比例")
    expect(clerk.locator("tr[data-report] input.amount")).to_have_count(1)  # the others await review
    road.locator("input.amount").fill("320")
    road.locator("input.progress-text").fill("路基完成60%，主体结构施工")
    expect(road.locator('[data-out="ytd"]')).to_have_text("320.00")
    road.locator("input.pick").check()
    clerk.get_by_role("button", name="上报所选（1）").click()
    expect(clerk.locator(".alert-success")).to_contain_text("已上报1个项目")

    # The office approves all four at once.
    office.goto(f"{live_server.url}/reports/periods/{period.pk}/review/")
    office.locator("#review-queue input[name=pick]").first.wait_for()
    office.get_by_label("全选").check()
    expect(office.locator("#review-queue input[name=pick]:checked")).to_have_count(4)
    office.get_by_role("button", name="所选审核通过").first.click()
    expect(office.locator(".alert-success")).to_contain_text("已审核通过4个填报")
    assert ProgressReport.objects.filter(period=period, state="approved").count() == 4

    # The ledger shows the approved year-to-date figure.
    office.goto(f"{live_server.url}/projects/")
    row = office.locator("#ledger-table tbody tr").filter(has_text=ROAD)
    expect(row).to_contain_text("320.00")
    # One period for every row, stated once in the table's header (issue #13 §3), approved reports only.
    # As of the open period (the one the warnings judge), saying it is still being filled in.
    expect(office.locator("#ledger-as-of")).to_contain_text(f"截至{period.label}（填报中")
    expect(office.locator("#ledger-as-of")).to_contain_text("已审核填报")
    screenshot(office, "dispatch-ledger-after-approval.png")
