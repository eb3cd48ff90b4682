"""Workflow traps in a real browser (issue #13 §1): a refused 退回 stays on its report with the reason
field as typed; the batch grid hands in only the rows the clerk ticked, after naming them; the report
page's figures follow the amount typed and flag one the server would refuse."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tuijin.reports import services
from tuijin.reports.models import ProgressReport

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROAD = "兰山区北城新区道路改造工程"  # total 12,345.67, this year's plan 3,000.00
PARK = "兰山区智慧物流园区"
SCHOOL = "兰山区第一实验学校扩建"
HOSPITAL = "兰山区人民医院新院区"


def open_period(data: E2EData):
    return services.period_open(None, year=data.year, month=6, due_on=date(data.year + 5, 1, 31))


def report(period, name) -> ProgressReport:
    return ProgressReport.objects.get(period=period, project__name=name)


def hand_in(data: E2EData, period, *names):
    clerk = data.users["reporter"]
    rows = []
    for name in names:
        r = report(period, name)
        rows.append({"id": r.pk, "version": r.version, "amount": "100.00", "progress": "主体结构施工"})
    services.reports_save(clerk, period, rows, submit=True)


def test_a_refused_return_stays_on_the_same_report(page, live_server, login, e2e_data: E2EData, screenshot):
    period = open_period(e2e_data)
    hand_in(e2e_data, period, ROAD, PARK, SCHOOL)
    first = ProgressReport.objects.filter(period=period, state="submitted").order_by("submitted_at", "id").first()
    office = page
    login(office, "dispatcher")
    office.goto(f"{live_server.url}/reports/periods/{period.pk}/review/")
    office.locator("#review-queue").get_by_role("link", name=first.project.name).click()
    expect(office.get_by_role("heading", level=1)).to_have_text(first.project.name)
    expect(office.locator("#report-hands")).to_contain_text("王填报")

    # 退回修改 without a reason: refused, and still on the same project.
    office.get_by_role("button", name="退回修改").click()
    expect(office.locator("#review-form")).to_contain_text("请填写退回原因")
    expect(office.get_by_role("heading", level=1)).to_have_text(first.project.name)
    screenshot(office, "review-refused-stays.png")

    # The reason typed there returns this project, not another one.
    office.get_by_label("审核意见（退回时必填）").fill("请补充形象进度照片")
    office.get_by_role("button", name="退回修改").click()
    expect(office.locator(".alert-success")).to_contain_text(f"已退回：{first.project.name}")
    first.refresh_from_db()
    assert (first.state, first.review_comment) == ("returned", "请补充形象进度照片")
    assert ProgressReport.objects.filter(period=period, state="returned").count() == 1
    # Only now does the office move on to the next report waiting.
    expect(office.get_by_role("heading", level=1)).not_to_have_text(first.project.name)


def test_the_grid_hands_in_only_what_the_clerk_ticked(page, live_server, login, e2e_data: E2EData, screenshot):
    period = open_period(e2e_data)
    clerk = page
    login(clerk, "reporter")
    clerk.goto(f"{live_server.url}/reports/periods/{period.pk}/grid/")
    rows = clerk.locator("tr[data-report]")
    expect(rows).to_have_count(4)
    for name in (ROAD, PARK, SCHOOL):
        row = rows.filter(has_text=name)
        row.locator("input.amount").fill("10")
        row.locator("input.progress-text").fill("主体施工")
    expect(clerk.locator("#autosave-status")).to_contain_text("草稿已自动保存", timeout=15_000)
    # Filled rows are not ticked for the clerk.
    expect(clerk.locator("input.pick:checked")).to_have_count(0)
    expect(clerk.locator("#submit-summary")).to_have_text("尚未勾选要上报的项目")

    rows.filter(has_text=PARK).locator("input.pick").check()
    expect(clerk.locator("#submit-summary")).to_have_text(f"将上报 1 个项目：“{PARK}”")
    expect(clerk.locator("#submit-picked")).to_have_text("上报所选（1）")
    screenshot(clerk, "grid-one-ticked.png")

    # Cancelling the confirmation sends nothing.
    dialogs = []
    clerk.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    clerk.locator("#submit-picked").click()
    expect(clerk.locator("#submit-summary")).to_contain_text("将上报 1 个项目")
    assert dialogs and dialogs[0].startswith(f"将上报 1 个项目：“{PARK}”")
    assert not ProgressReport.objects.filter(period=period, state="submitted").exists()

    clerk.once("dialog", lambda dialog: dialog.accept())
    clerk.locator("#submit-picked").click()
    expect(clerk.locator(".alert-success")).to_contain_text("已上报1个项目")
    states = dict(ProgressReport.objects.filter(period=period, project__region__name="兰山区")
                  .values_list("project__name", "state"))
    assert states == {ROAD: "draft", PARK: "submitted", SCHOOL: "draft", HOSPITAL: "pending"}


def test_the_report_page_figures_follow_the_typing(page, live_server, login, e2e_data: E2EData, screenshot):
    period = open_period(e2e_data)
    road = report(period, ROAD)
    clerk = page
    login(clerk, "reporter")
    clerk.goto(f"{live_server.url}/reports/{road.pk}/")
    derived = clerk.locator("#derived")
    clerk.get_by_label("本期完成投资（万元）").fill("300")
    expect(derived.locator('[data-out="ytd"]')).to_have_text("300.00")
    expect(derived.locator('[data-out="pct-plan"]')).to_have_text("10.0%")
    expect(derived.locator('[data-out="gap"]')).to_contain_text("序时进度")
    # An amount the server would refuse is named with the server's words, not shown as points.
    clerk.get_by_label("本期完成投资（万元）").fill("56000000")
    expect(clerk.locator('[data-out="amount-error"]')).to_have_text(
        "开工累计完成投资（56,000,000.00万元）将超过总投资（12,345.67万元）")
    expect(derived.locator('[data-out="gap"]')).to_have_text("—")
    expect(derived).not_to_contain_text("个百分点")
    screenshot(clerk, "report-over-total.png")


def test_the_node_table_keeps_every_row_typed_when_a_save_is_refused(page, live_server, login, e2e_data: E2EData,
                                                                       screenshot):
    from datetime import timedelta

    from django.utils import timezone

    from tuijin.schedules import services as schedule_services
    from tuijin.schedules.models import Milestone, MilestoneTemplate

    project = e2e_data.projects[ROAD]
    today = timezone.localdate()
    schedule_services.apply_template(None, project, MilestoneTemplate.objects.get(kind="building"),
                                     today + timedelta(days=300))
    login(page, "reporter")
    page.goto(f"{live_server.url}/schedules/project/{project.pk}/")
    rows = page.locator("#milestones tbody tr")
    rows.nth(0).locator('input[name$="-responsible"]').fill("王工")
    name = rows.nth(1).locator('input[name$="-name"]')
    typed_name = name.input_value()
    name.fill("")
    page.get_by_role("button", name="保存全部修改").click()
    expect(page.locator("#milestones")).to_contain_text("请填写节点名称")
    expect(rows.nth(0).locator('input[name$="-responsible"]')).to_have_value("王工")  # not thrown away
    assert not Milestone.objects.filter(project=project, responsible="王工").exists()
    screenshot(page, "schedule-refused-keeps-typing.png")
    rows.nth(1).locator('input[name$="-name"]').fill(typed_name + "（调整）")
    page.get_by_role("button", name="保存全部修改").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存2行修改")
    assert Milestone.objects.filter(project=project, responsible="王工").count() == 1


def test_autosave_says_who_changed_a_row_meanwhile(page, live_server, login, e2e_data: E2EData):
    period = open_period(e2e_data)
    clerk = page
    login(clerk, "reporter")
    clerk.goto(f"{live_server.url}/reports/periods/{period.pk}/grid/")
    # While the grid is open, the same report is saved elsewhere (another tab, a colleague).
    road = report(period, ROAD)
    services.reports_save(e2e_data.users["reporter"], period,
                          [{"id": road.pk, "version": road.version, "amount": "5.00", "progress": "桩基施工"}])
    row = clerk.locator("tr[data-report]").filter(has_text=ROAD)
    row.locator("input.amount").fill("10")
    row.locator("input.progress-text").fill("主体施工")
    status = clerk.locator("#autosave-status")
    expect(status).to_contain_text(f"自动保存未完成：“{ROAD}”已被王填报于", timeout=15_000)
    expect(status).to_contain_text("修改。请点“保存草稿”查看")
    expect(row).to_have_class(re.compile("row-conflict"))
    road.refresh_from_db()
    assert (road.amount, road.progress) == (5, "桩基施工")  # the colleague's save stands
