"""首页 in a real browser: a 分包市领导 logs in at the site's root and lands on his first screen — his projects
first, then the city's — clicks a number and sees the list behind it with the same count."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from tuijin.org.models import Leader, Membership
from tuijin.problems.models import Problem, ProblemType
from tuijin.projects.models import Project

from .conftest import E2EData, _password_hash

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RED = ("兰山区智慧物流园区", "罗庄区新能源储能电站")
DIFFICULTY = "储能电站接网方案未批复"


@pytest.fixture
def leader_account(e2e_data: E2EData):
    """刘建国 (副市长, the 分包领导 of all eight projects) with an account of the leader role; two of his
    projects red, one problem escalated to him, and one escalated to another leader."""
    city_unit = e2e_data.units["临沂市发展和改革委员会"]
    user = get_user_model().objects.create(username="leader", first_name="刘建国", password=_password_hash())
    Membership.objects.create(user=user, unit=city_unit, role="leader", scope="region")
    me = Leader.objects.get(name="刘建国")
    Leader.objects.filter(pk=me.pk).update(user=user)
    for name in RED:
        Project.objects.filter(name=name).update(light=2, light_reason="投资进度落后序时30个百分点")
    kind = ProblemType.objects.get_or_create(name="用地")[0]
    today = timezone.localdate()
    for text, leader in ((DIFFICULTY, me), ("学校扩建用地调规", Leader.objects.get(name="陈志远"))):
        Problem.objects.create(project=Project.objects.get(name="罗庄区新能源储能电站"), type=kind, description=text,
                               raised_on=today - timedelta(days=3), coordinating_leader=leader, level=4,
                               deadline=today + timedelta(days=10), status="handling")
    return user


def tile_value(page, key: str) -> str:
    return page.locator(f"#n-{key} .home-number-value").inner_text().strip()


def test_a_leader_lands_on_his_projects_and_clicks_through_to_the_lists(page, live_server, login, e2e_data, leader_account,
                                                                     screenshot):
    login(page, "leader", start="/")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("首页")
    expect(page.locator("#nav-home")).to_have_class("nav-link active")
    mine = page.locator("#home-mine")
    expect(mine).to_contain_text("我联系的项目")
    assert tile_value(page, "mine_projects") == "8"
    assert tile_value(page, "mine_light_2") == "2"
    attention = page.locator("#home-attention")
    for name in RED:
        expect(attention).to_contain_text(name)
    expect(page.locator("#home-escalated")).to_contain_text(DIFFICULTY)
    expect(page.locator("#home-escalated")).not_to_contain_text("学校扩建用地调规")  # 陈志远's, not his
    expect(page.locator("#home-scope")).to_contain_text("概况")
    screenshot(page, "home-leader.png")

    # His red projects: the ledger filtered to them, with the same count.
    page.locator("#n-mine_light_2").click()
    expect(page).to_have_url(re.compile(r"/projects/\?.*light=2"))
    expect(page.locator("#ledger-totals")).to_contain_text("合计：2 个项目")
    for name in RED:
        expect(page.locator("#ledger tbody")).to_contain_text(name)
    screenshot(page, "home-leader-red-ledger.png")

    # What was escalated to him: the problem list, filtered to him, with the same count.
    page.go_back()
    assert tile_value(page, "escalated") == "1"
    page.locator("#n-escalated").click()
    expect(page).to_have_url(re.compile(r"/problems/\?.*leader="))
    expect(page.locator("#problems-narrowed-leader")).to_contain_text("刘建国")
    expect(page.locator("#problems tbody tr")).to_have_count(1)
    expect(page.locator("#problems tbody")).to_contain_text(DIFFICULTY)
    expect(page.get_by_text("共1条")).to_be_visible()
