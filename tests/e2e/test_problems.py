"""Problems (问题督办) in a real browser.

1. A clerk writes a difficulty under 存在问题及困难 in the month's report and hands it in; it becomes a
   problem (来源：月报) on the project's 问题督办 tab and in the 问题清单. The office hands it to a unit
   with a deadline (交办) and escalates it to the project's contracted leader (提级协调), who writes an
   instruction (领导批示); the unit accepts, replies and asks to close; the office closes it (核实销号)
   and the timeline lists every step in order.
2. A problem 20 days past its deadline turns the project red (rule 问题逾期未解决: yellow at 1 day, red
   at 15); closing it through the UI turns it green again.
3. A supervision order's print page (督办单) fits on one A4 page.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tuijin.problems.models import Problem, ProblemType
from tuijin.projects.models import Project

from .conftest import E2EData, _password_hash

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROAD = "兰山区北城新区道路改造工程"
DIFFICULTY = "征地拆迁进度滞后，3户未签订补偿协议"
LAND_BUREAU = "临沂市自然资源和规划局"
LEADER = "刘建国"  # e2e_data's 副市长, the contracted (分包) leader of every project
STEPS = ["提出", "交办", "提级协调", "领导批示", "受理", "办理回复", "办结申请", "核实销号"]


@pytest.fixture
def principals(e2e_data: E2EData):
    """The leader and the handling unit the e2e city lacks: `leader` is 刘建国's account (the contracted
    leader of every project), `handler` acts for 市自然资源和规划局."""
    from django.contrib.auth import get_user_model

    from tuijin.org.choices import Role
    from tuijin.org.models import Leader, Membership, Unit

    city = e2e_data.regions["临沂市"]
    government = Unit.objects.create(name="临沂市人民政府", kind="government", region=city)
    land = Unit.objects.create(name=LAND_BUREAU, kind="department", region=city)
    User = get_user_model()
    users = {}
    for username, full_name, unit, role in [("leader", "刘建国", government, Role.LEADER),
                                            ("handler", "孙办理", land, Role.HANDLER)]:
        user = User.objects.create(username=username, first_name=full_name, password=_password_hash())
        Membership.objects.create(user=user, unit=unit, role=role, scope="region")
        users[username] = user
    deputy_mayor = Leader.objects.get(name=LEADER)
    deputy_mayor.user = users["leader"]
    deputy_mayor.save()
    return SimpleNamespace(users=users, land=land, government=government, leader=deputy_mayor)


def step_form(page, action):
    """The form of one workflow step, unfolded like a user would if it sits in a closed <details>."""
    selector = f'form.step-form[data-action="{action}"]'
    # Wait for the form to be on the page first: right after a click on a link, the old page is still
    # shown, and asking it for closed <details> would find none and skip the unfolding.
    page.locator(selector).wait_for(state="attached")
    folded = page.locator(f"details:not([open]):has({selector})")
    if folded.count():
        folded.locator("summary").first.click()
    form = page.locator(selector)
    expect(form).to_be_visible()
    return form


def take_step(page, action, button, text=""):
    form = step_form(page, action)
    if text:
        form.locator("textarea[name=text]").fill(text)
    form.get_by_role("button", name=button, exact=True).click()


def test_report_difficulty_becomes_a_problem_escalated_handled_and_closed(page, new_page, live_server, login, e2e_data,
                                                                          principals, screenshot):
    from tuijin.reports import services as report_services

    today = timezone.localdate()
    project = Project.objects.get(name=ROAD)
    dispatcher = e2e_data.users["dispatcher"]
    period = report_services.period_open(dispatcher, year=today.year, month=today.month)

    # --- the clerk hands in the month's report with a difficulty
    clerk = page
    login(clerk, "reporter")
    clerk.get_by_role("link", name="月度调度", exact=True).click()
    clerk.locator(f'[data-period="{period.pk}"]').get_by_role("link", name="批量填报").click()
    clerk.locator("tr[data-report] td.project-name").get_by_role("link", name=ROAD).click()
    expect(clerk.locator("#report-state")).to_have_text("未填报")
    clerk.get_by_label("本期完成投资（万元）").fill("300")
    clerk.get_by_label("形象进度").fill("路基施工完成40%")
    clerk.get_by_label("存在问题及困难").fill(DIFFICULTY)
    clerk.get_by_label("下步计划及需协调事项").fill("请市里协调加快补偿协议签订")
    screenshot(clerk, "problems-report-filled.png")
    clerk.get_by_role("button", name="上报", exact=True).click()
    expect(clerk.locator(".alert-success")).to_contain_text("已上报")
    expect(clerk.locator("#report-state")).to_have_text("已上报")

    # It is on the project's 问题督办 tab at once, typed from its words, waiting to be handed out.
    clerk.get_by_role("link", name="项目概况").click()
    clerk.locator(".nav-tabs").get_by_role("link", name="问题督办").click()
    expect(clerk).to_have_url(f"{live_server.url}/problems/project/{project.pk}/")
    row = clerk.locator("#problems tbody tr").filter(has_text=DIFFICULTY)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("征地拆迁/民事纠纷")
    expect(row).to_contain_text("待交办")
    expect(row).to_contain_text("待受理")
    screenshot(clerk, "problems-project-tab.png")
    problem = Problem.objects.get(project=project)
    assert (problem.source, problem.type.name, problem.raised_by.username) == ("report", "征地拆迁/民事纠纷", "reporter")

    # --- the office finds it in the 问题清单 and opens it
    office = new_page()
    login(office, "dispatcher")
    office.locator("nav.navbar").get_by_role("link", name="问题督办").click()
    office.locator("#problems-nav").get_by_role("link", name="问题清单").click()
    office.locator("#f-source").select_option(label="月报")
    office.get_by_role("button", name="查询").click()
    row = office.locator("#problems tbody tr").filter(has_text=DIFFICULTY)
    expect(row).to_contain_text(ROAD)
    screenshot(office, "problems-list.png")
    row.get_by_role("link", name=DIFFICULTY).click()
    expect(office).to_have_url(f"{live_server.url}/problems/{problem.pk}/")
    expect(office.locator("#problem-status")).to_have_text("待受理")
    expect(office.locator("#problem-facts")).to_contain_text(f"月报 · {period.label}月报")
    screenshot(office, "problems-detail-pending.png")

    # 交办: the handling unit and a deadline.
    deadline = today + timedelta(days=30)
    assign = office.locator("#assign")
    expect(assign).to_have_attribute("open", "")  # no unit yet: the form is open
    assign.get_by_label("责任单位").select_option(label=LAND_BUREAU)
    assign.get_by_label("解决时限").fill(deadline.isoformat())
    assign.get_by_role("button", name="交办", exact=True).click()
    expect(office.locator(".alert-success")).to_contain_text(f"已交办：{LAND_BUREAU}")
    expect(office.locator("#handling-unit")).to_have_text(LAND_BUREAU)
    expect(office.locator("#problem-facts")).to_contain_text(deadline.isoformat())

    # 提级协调 to the contracted leader.
    escalate = step_form(office, "escalate")
    escalate.get_by_label("提级到").select_option(label="分包市领导协调")
    expect(escalate.get_by_label("协调领导")).to_have_value(str(principals.leader.pk))
    take_step(office, "escalate", "提级协调", "涉及群众补偿标准，需市领导协调")
    expect(office.locator(".alert-success")).to_contain_text("已提级协调")
    expect(office.locator("#problem-level")).to_contain_text("分包市领导协调")
    expect(office.locator("#problem-level")).to_contain_text(LEADER)
    screenshot(office, "problems-escalated.png")

    # --- the leader sees it on their desk and writes an instruction
    leader = new_page()
    login(leader, "leader")
    expect(leader.locator("#nav-notifications .badge")).to_have_text("1")
    leader.goto(f"{live_server.url}/problems/inbox/")
    expect(leader.locator("#inbox-tabs .nav-link.active")).to_contain_text("提请我协调 1")
    row = leader.locator("#problems tbody tr").filter(has_text=DIFFICULTY)
    expect(row).to_contain_text("分包市领导协调")
    screenshot(leader, "problems-leader-inbox.png")
    row.get_by_role("link", name=DIFFICULTY).click()
    take_step(leader, "instruct", "领导批示", "请自然资源和规划局牵头，一周内完成补偿协议签订")
    expect(leader.locator(".alert-success")).to_contain_text("批示已记录")
    screenshot(leader, "problems-leader-instructed.png")

    # --- the handling unit accepts, replies, and asks to close
    handler = new_page()
    login(handler, "handler")
    handler.goto(f"{live_server.url}/problems/inbox/")
    expect(handler.locator("#inbox-tabs .nav-link.active")).to_contain_text("本单位办理")
    row = handler.locator("#problems tbody tr").filter(has_text=DIFFICULTY)
    expect(row).to_contain_text(deadline.isoformat())
    screenshot(handler, "problems-handler-inbox.png")
    row.get_by_role("link", name=DIFFICULTY).click()
    take_step(handler, "accept", "受理")
    expect(handler.locator(".alert-success")).to_contain_text("已受理")
    expect(handler.locator("#problem-status")).to_have_text("办理中")
    take_step(handler, "reply", "办理回复", "已约谈3户，补偿方案已确定")
    expect(handler.locator(".alert-success")).to_contain_text("已记录办理情况")
    take_step(handler, "resolve", "办结申请", "3户补偿协议已全部签订，征地拆迁完成")
    expect(handler.locator(".alert-success")).to_contain_text("等待核实销号")
    expect(handler.locator("#problem-status")).to_have_text("已解决待销号")
    screenshot(handler, "problems-handler-resolved.png")

    # --- the office closes it off
    office.reload()
    expect(office.locator("#problem-status")).to_have_text("已解决待销号")
    take_step(office, "close", "核实销号")
    expect(office.locator(".alert-success")).to_contain_text("问题已核实销号")
    expect(office.locator("#problem-status")).to_have_text("已销号")
    expect(office.locator("#problem-facts")).to_contain_text("3户补偿协议已全部签订")
    expect(office.locator("#timeline > li .fw-bold")).to_have_text(STEPS)
    timeline = office.locator("#timeline > li")
    expect(timeline.nth(2)).to_contain_text(LEADER)
    expect(timeline.nth(3)).to_contain_text("一周内完成补偿协议签订")
    expect(timeline.nth(7)).to_contain_text("已解决待销号 → 已销号")
    screenshot(office, "problems-closed.png")
    problem.refresh_from_db()
    assert (problem.status, problem.closed_on, problem.days_to_close) == ("closed", today, 0)


def ledger_light(page, name):
    return page.locator("#ledger tbody tr").filter(has_text=name).locator(".light-dot")


def test_an_overdue_problem_turns_the_project_red_and_closing_it_green(page, live_server, login, e2e_data, principals,
                                                                       screenshot):
    from tuijin.alerts import services as alert_services
    from tuijin.problems import services

    today = timezone.localdate()
    project = Project.objects.get(name=ROAD)
    deadline = today - timedelta(days=20)
    problem = services.problem_raise(
        e2e_data.users["dispatcher"], project,
        {"type": ProblemType.objects.get(name="资金"), "description": "市级配套资金未拨付到位",
         "handling_unit": principals.land, "deadline": deadline},
        raised_on=today - timedelta(days=40),
    )
    # The rule's thresholds: yellow from 1 day overdue, red from 15 days.
    alert_services.refresh([project.pk], today=deadline + timedelta(days=5))
    project.refresh_from_db()
    assert (project.light, project.light_reason) == (1, f"问题“市级配套资金未拨付到位”逾期5天未办结（时限{deadline}）")
    alert_services.refresh([project.pk])
    project.refresh_from_db()
    assert (project.light, project.light_reason) == (2, f"问题“市级配套资金未拨付到位”逾期20天未办结（时限{deadline}）")

    login(page, "dispatcher")
    light = ledger_light(page, ROAD)
    expect(light).to_have_class("light-dot light-2")
    expect(light).to_have_attribute("title", f"红灯：问题“市级配套资金未拨付到位”逾期20天未办结（时限{deadline}）")
    screenshot(page, "problems-ledger-red.png")

    page.goto(f"{live_server.url}/problems/project/{project.pk}/")
    header = page.locator("h1 + a")
    expect(header.locator(".badge")).to_have_text("红灯")
    expect(header).to_contain_text("问题“市级配套资金未拨付到位”逾期20天未办结")
    row = page.locator("#problems tbody tr").filter(has_text="市级配套资金未拨付到位")
    expect(row).to_have_class("table-danger")
    expect(row).to_contain_text("逾期20天")
    screenshot(page, "problems-project-red.png")

    row.get_by_role("link", name="市级配套资金未拨付到位").click()
    take_step(page, "accept", "受理")
    expect(page.locator("#problem-status")).to_have_text("办理中")
    take_step(page, "resolve", "办结申请", "配套资金已拨付")
    expect(page.locator("#problem-status")).to_have_text("已解决待销号")
    take_step(page, "close", "核实销号")
    expect(page.locator("#problem-status")).to_have_text("已销号")

    page.locator("nav.navbar").get_by_role("link", name="项目台账").click()
    expect(ledger_light(page, ROAD)).to_have_class("light-dot light-0")
    project.refresh_from_db()
    assert (project.light, project.light_reason) == (0, "")
    problem.refresh_from_db()
    assert problem.status == "closed"
    screenshot(page, "problems-ledger-green.png")


def test_the_supervision_order_prints_on_one_a4_page(page, live_server, login, e2e_data, principals, artifacts_dir,
                                                     screenshot):
    from tuijin.problems import services

    today = timezone.localdate()
    project = Project.objects.get(name=ROAD)
    order = services.order_issue(e2e_data.users["dispatcher"], project, {
        "unit": principals.land, "reply_by": today + timedelta(days=7), "rectify_by": today + timedelta(days=30),
        "content": "该项目征地拆迁进度滞后，3户未签订补偿协议，影响路基施工。请于回复时限前报送整改方案，"
                   "明确责任人和完成时间，并按整改时限完成整改。",
    })
    assert order.number == f"督办〔{today.year}〕1号"

    login(page, "dispatcher")
    page.goto(f"{live_server.url}/problems/orders/{order.pk}/print/")
    expect(page.locator(".number")).to_have_text(f"督办〔{today.year}〕1号")
    expect(page.locator("body")).to_contain_text(LAND_BUREAU)
    screenshot(page, "problems-order-print.png")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (artifacts_dir / "problems-order-print.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))  # each page object; the /Pages tree excluded
    assert pages == 1, f"the order prints on {pages} pages"
    assert re.search(rb"/MediaBox\s*\[0 0 59[45]\.\d+ 841\.\d+\]", pdf), "not an A4 page"
    # What the paper shows, roughly: the print styles at A4's width (210 mm at 96 dpi).
    page.set_viewport_size({"width": 794, "height": 1123})
    screenshot(page, "problems-order-print-media.png")

