"""首页: each role's first screen (tuijin.dashboards, issue #17 §1), on the city of conftest.py.

Every number is a link to the list behind it, and that list shows the same count: for each role the test
follows every number's link and reads the list's own count. Then, per role, what is on the screen and what
is not (another leader's items, another district's), the empty states, the 催报 from the screen, the screen
chosen by role, English, and the number of queries as the rows grow.
"""

import html
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuijin.dashboards.selectors import home
from tuijin.org.choices import Role
from tuijin.problems.models import Problem
from tuijin.reports.choices import ReportState
from tuijin.reports.models import ProgressReport, Reminder

from .. import factories as f
from .conftest import make_alert, make_order, make_problem, make_project

pytestmark = pytest.mark.django_db

ROLES = ["leader", "dispatcher", "admin", "reporter_a", "reporter_b", "handler", "inspector", "dept_reporter"]


def screen_of(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return response, response.context["screen"]


def listed(client, number: home.Number):
    """What the list behind a number shows as its count (or, for a figure, the drill-down's value)."""
    response = client.get(number.url)
    assert response.status_code == 200, (number.key, number.url)
    name, context = response.resolver_match.view_name, response.context
    query = urlsplit(number.url).query
    if name == "projects:list":
        return context["totals"].count
    if name == "figures:explain":
        return context["found"].value
    if name in {"problems:list", "problems:inbox", "problems:overdue", "problems:orders"}:
        return context["page"].paginator.count
    if name == "alerts:list":
        return context["page_obj"].paginator.count
    if name in {"reports:review", "projects:admissions"}:
        return len(context["rows"])
    if name == "schedules:gantt":  # the chart loads its nodes from its data URL, with the page's query
        data = client.get(f"{reverse('schedules:gantt_data')}?{query}")
        assert data.status_code == 200
        return data.json()["total"]
    if name == "reports:period":
        if "unit=" in query:
            return len(context["missing"])
        total = context["overview"].total
        return {"reports_required": total.required, "reports_handed_in": total.handed_in,
                "reports_missing": total.missing, "reports_returned": total.counts["returned"]}[number.key]
    if name == "reports:inbox":  # reports_<period>_<state>: the period's card on the dispatch page
        _prefix, period, state = number.key.split("_", 2)
        item = next(i for i in context["periods"] if str(i["period"].pk) == period)
        return item["counts"][state]
    raise AssertionError(f"no reader for the list {name} ({number.key})")


@pytest.mark.parametrize("role", ROLES)
def test_every_number_links_to_a_list_showing_the_same_count(client, scene, role):
    response, screen = screen_of(client, scene.city.users[role])
    page = response.content.decode()
    numbers = screen.numbers()
    assert numbers, f"{role}'s screen shows no number"
    assert len({n.key for n in numbers}) == len(numbers)
    for number in numbers:
        # Shown on the page as a link to its list…
        assert f'id="n-{number.key}"' in page and f'href="{html.escape(number.url)}"' in page, number.key
        # …which lists as many (or, for a figure, gives the same value).
        assert listed(client, number) == number.value, (role, number.key, number.url)


def test_the_leader_sees_his_projects_first_and_not_another_leaders(client, scene):
    response, screen = screen_of(client, scene.city.users["leader"])
    assert response.context["kind"] == "leader"
    todo = {n.key: n.value for n in screen.todo}
    assert todo == {"escalated": 1, "nodes_overdue": 1, "nodes_soon": 1, "orders_open": 1, "orders_overdue": 1}
    assert [p.pk for p in screen.escalated] == [scene.p_mine.pk]
    assert screen.escalated[0].instructed is False
    assert [m.name for m in screen.nodes] == ["主体封顶", "竣工验收"]
    assert [o.pk for o in screen.orders] == [scene.o_mine.pk]
    assert [(r.pk, r.light, r.reason) for r in screen.attention] == [
        (scene.mine_red.pk, 2, "投资进度落后序时40个百分点")]
    # His projects' figures (2 projects, 3,000 planned, 1,300 done by October), then the city's (all 4).
    assert screen.mine.get("mine_projects").value == 2
    assert str(screen.mine.get("mine_completed").value) == "1300.00"
    assert screen.mine.get("mine_light_2").value == 1
    assert screen.scope.get("projects").value == 4
    assert screen.scope.title == "临沂市概况"
    page = response.content.decode()
    assert "我的红灯项目" in page and "征地拆迁未完成（提请王领导）" in page and "待批示" in page
    for theirs in ("他人红灯项目", "管线迁改受阻（提请王建国）", "资金缺口（推进委员会）", "桩基完成", scene.o_other.number):
        assert theirs not in page, theirs
    assert "截至2026年10月" in page


def test_a_leaders_instruction_is_marked_on_his_list(client, scene):
    from tuijin.problems import services

    services.problem_step(scene.city.users["leader"], scene.p_mine, "instruct", version=scene.p_mine.version,
                          text="请市自然资源和规划局本周内协调解决")
    response, screen = screen_of(client, scene.city.users["leader"])
    assert screen.escalated[0].instructed is True
    assert "已批示" in response.content.decode()


def test_a_leader_account_without_a_leader_record_sees_the_city_only(client, scene):
    scene.me.user = None
    scene.me.save()
    response, screen = screen_of(client, scene.city.users["leader"])
    assert response.context["kind"] == "leader" and screen.leader is None and screen.todo == []
    page = response.content.decode()
    assert "还没有关联到联系领导" in page and "我的红灯项目" not in page
    assert screen.scope.get("projects").value == 4


def test_the_office_sees_the_month_at_a_glance(client, scene):
    response, screen = screen_of(client, scene.city.users["dispatcher"])
    assert response.context["kind"] == "office"
    assert screen.period == scene.november
    assert {n.key: n.value for n in screen.dispatch} == {
        "reports_required": 4, "reports_handed_in": 1, "reports_missing": 3, "reports_submitted": 1,
        "reports_returned": 1}
    units = scene.city.units
    assert [(t.key, t.missing) for t, _n in screen.units] == [(units.luozhuang_government.pk, 2),
                                                              (units.lanshan_government.pk, 1)]
    watch = {n.key: n.value for n in screen.warnings + screen.problems + screen.nodes}
    assert watch == {"red_new": 1, "assign": 1, "verify": 1, "problems_overdue": 1, "orders_overdue": 1,
                     "admissions": 0, "nodes_overdue": 2, "nodes_soon": 1}
    assert [m.cadence.name for m in screen.meetings] == ["半月一例会", "一月一督导", "一季一观摩"]
    page = response.content.decode()
    assert page.count(f'action="{reverse("reports:period_remind", args=[scene.november.pk])}"') == 3  # all + 2 units


def test_the_office_reminds_a_unit_from_the_first_screen(client, scene):
    client.force_login(scene.city.users["dispatcher"])
    unit = scene.city.units.luozhuang_government
    response = client.post(reverse("reports:period_remind", args=[scene.november.pk]), {"unit": unit.pk})
    assert response.status_code == 302
    assert Reminder.objects.filter(period=scene.november, unit=unit).count() == 1
    _response, screen = screen_of(client, scene.city.users["dispatcher"])
    tally = next(t for t, _n in screen.units if t.key == unit.pk)
    assert tally.reminders == 1


def test_the_office_without_an_open_period_is_told_to_open_one(client, scene):
    from tuijin.reports.models import ReportPeriod

    ReportPeriod.objects.filter(pk=scene.november.pk).update(status="closed")
    response, screen = screen_of(client, scene.city.users["dispatcher"])
    assert screen.period is None and screen.dispatch == [] and screen.units == []
    page = response.content.decode()
    assert "当前没有开放填报的调度期" in page and reverse("reports:period_open") in page


@pytest.mark.parametrize(("role", "mine", "theirs"), [
    ("reporter_a", ["我的红灯项目", "他人红灯项目"], ["我的绿灯项目", "无领导黄灯项目", "施工许可未办（已逾期）"]),
    ("reporter_b", ["无领导黄灯项目", "施工许可未办（已逾期）"], ["我的红灯项目", "他人红灯项目", "督办〔2026〕2号"]),
])
def test_a_district_clerk_sees_their_district_only(client, scene, role, mine, theirs):
    response, screen = screen_of(client, scene.city.users[role])
    assert response.context["kind"] == "work"
    page = response.content.decode()
    for text in mine:
        assert text in page, text
    for text in theirs:
        assert text not in page, text
    assert screen.scope.get("projects").value == 2
    reports = {n.key.rsplit("_", 1)[1]: n.value for n in screen.reports[0].numbers}
    assert reports == ({"pending": 1, "draft": 0, "returned": 0} if role == "reporter_a"
                       else {"pending": 0, "draft": 1, "returned": 1})
    assert screen.scope.title == ("兰山区概况" if role == "reporter_a" else "罗庄区概况")


def test_a_handler_sees_their_units_problems_and_orders(client, scene):
    response, screen = screen_of(client, scene.city.users["handler"])
    assert {n.key: n.value for n in screen.problems} == {"unit": 3, "cooperate": 0, "orders": 1}
    assert {p.pk for p in screen.rows} == {scene.p_mine.pk, scene.p_other.pk, scene.p_resolved.pk}
    assert screen.reports == []  # a handler fills no reports
    page = response.content.decode()
    assert "施工许可未办（已逾期）" not in page  # 罗庄区人民政府's problem


def test_an_inspector_sees_what_awaits_verification(client, scene):
    response, screen = screen_of(client, scene.city.users["inspector"])
    assert {n.key: n.value for n in screen.problems} == {"verify": 1, "orders_overdue": 1}
    assert [p.pk for p in screen.verify] == [scene.p_resolved.pk]
    assert [m.cadence.name for m in screen.meetings] == ["一月一督导"]
    assert "用电接入（待销号）" in response.content.decode()


def test_empty_states_are_in_chinese(client, city, today):
    """A city without projects, problems or periods: every list says so."""
    response, _screen = screen_of(client, city.users["reporter_a"])
    page = response.content.decode()
    assert "暂无待办" in page and "暂无红灯、黄灯项目" in page and "暂无列入本年度计划的项目" in page
    from tuijin.org.models import Leader

    Leader.objects.create(name="王领导", title="副市长", unit=city.units.city_government, user=city.users["leader"])
    page = screen_of(client, city.users["leader"])[0].content.decode()
    for text in ("暂无提请您协调的问题", "暂无逾期或7天内到期的节点", "暂无督办中的督办单", "暂无红灯、黄灯项目"):
        assert text in page, text
    page = screen_of(client, city.users["dispatcher"])[0].content.decode()
    assert "当前没有开放填报的调度期" in page


def test_an_account_without_a_place_is_told_so(client, city, today):
    response, screen = screen_of(client, city.users["outsider"])
    assert screen.has_place is False and screen.numbers() == []
    assert "还没有分配单位和角色" in response.content.decode()


def test_anonymous_is_sent_to_log_in(client, city):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next=/"


def test_the_first_screen_is_the_page_after_logging_in_and_in_the_navbar(client, scene):
    assert settings.LOGIN_REDIRECT_URL == "home" and reverse("home") == "/"
    response, _screen = screen_of(client, scene.city.users["reporter_a"])
    page = response.content.decode()
    assert '<a class="nav-link active" href="/" id="nav-home">首页</a>' in page


def test_a_user_with_two_roles_switches_screens(client, scene):
    admin = scene.city.users["admin"]
    scene.me.user = admin
    scene.me.save()
    response, _screen = screen_of(client, admin)
    assert response.context["kind"] == "office"
    assert [k for k, _label in response.context["kinds"]] == ["office", "leader"]
    response, screen = screen_of(client, admin, view="leader")
    assert response.context["kind"] == "leader" and screen.leader == scene.me
    assert screen_of(client, admin, view="nonsense")[0].context["kind"] == "office"
    assert screen_of(client, scene.city.users["reporter_a"], view="office")[0].context["kind"] == "work"


def test_the_screen_speaks_english(client, scene):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response, _screen = screen_of(client, scene.city.users["leader"])
    page = response.content.decode()
    for text in ("Home", "Problems escalated to me", "Projects needing attention (red and yellow lights)"):
        assert text in page, text
    for text in ("提请我协调的问题", "需要关注的项目", "我的待办"):
        assert text not in page, text


def test_only_get_is_answered(client, scene):
    client.force_login(scene.city.users["leader"])
    assert client.post(reverse("home")).status_code == 405


# ------------------------------------------------------------------------------------------ queries


def grow(scene, n: int, batch: str) -> None:
    """n more of everything each screen lists: the leader's red projects with alerts, nodes, problems
    escalated to him and orders; units with reports missing in the open period; the handler's and the
    clerks' problems; problems awaiting verification."""
    city, units = scene.city, scene.city.units
    for i in range(n):
        region = city.regions.lanshan if i % 2 == 0 else city.regions.luozhuang
        lead = f.UnitFactory(name=f"牵头单位{batch}-{i}", region=region)
        project = make_project(f"增长项目{batch}-{i}", region, lead, plan="100.00", leaders=[scene.me], light=2,
                               reason=f"原因{batch}-{i}")
        make_alert(project, 2, date(2026, 11, 6), f"原因{batch}-{i}")
        ProgressReport.objects.create(period=scene.november, project=project, unit=lead,
                                      period_end=scene.november.ends_on, state=ReportState.PENDING)
        Reminder.objects.create(period=scene.november, unit=lead, recipients=1, missing=1)
        make_problem(project, f"提请问题{batch}-{i}", unit=units.land, leader=scene.me, level=4,
                     deadline=date(2026, 11, 1) + timedelta(days=i))
        make_problem(project, f"辖区问题{batch}-{i}", unit=units.lanshan_government if i % 2 == 0
                     else units.luozhuang_government, status="resolved", deadline=date(2026, 12, 1))
        make_order(project, units.land, 100 + int(batch) * 50 + i, date(2026, 11, 10))
        from tuijin.schedules.models import Milestone

        Milestone.objects.create(project=project, name=f"节点{batch}-{i}", sort=10, planned_date=date(2026, 11, 1))


@pytest.mark.parametrize("role", ["leader", "dispatcher", "reporter_a", "handler", "inspector"])
def test_the_number_of_queries_does_not_grow_with_the_rows(client, scene, role):
    user = scene.city.users[role]
    client.force_login(user)

    def count() -> int:
        client.get(reverse("home"))  # warm-up: the session, the cached filter options
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        return len(captured)

    grow(scene, 3, "1")
    few = count()
    grow(scene, 9, "2")
    many = count()
    assert few == many, f"{role}: {few} queries with fewer rows, {many} with more"
    # The rows did reach the screen (an empty screen would pass).
    screen = client.get(reverse("home")).context["screen"]
    assert any(n.value and n.value >= 9 for n in screen.numbers()), [(n.key, n.value) for n in screen.numbers()]


def test_the_leaders_role_alone_makes_the_leaders_screen(client, scene):
    from tuijin.org.models import Membership

    assert Membership.objects.get(user=scene.city.users["leader"]).role == Role.LEADER
    # A clerk linked to a leader record (a district head who also fills reports) gets both screens.
    scene.me.user = scene.city.users["reporter_a"]
    scene.me.save()
    response, _screen = screen_of(client, scene.city.users["reporter_a"])
    assert [k for k, _l in response.context["kinds"]] == ["leader", "work"]
    assert Problem.objects.filter(coordinating_leader=scene.me).exists()
