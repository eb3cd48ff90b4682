"""The problems lists' filters (tuijin/problems/filtersets.py) through their pages: the query parameters the
pages and their links have always used, each narrowing the list as worked out by hand below; a value a
filter cannot use is left out (the list as if it were not given), never a 500; an id or level that is not a
number is a 400 with its Chinese reason, as everywhere on the site.

The test's day is on_day's (2026-07-10, see conftest); the dispatcher sees every record here.
"""

from datetime import date, timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse

from tuijin.problems import services
from tuijin.problems.choices import InspectionKind, Ladder, MeetingKind, OrderStatus, ProblemStatus, Source
from tuijin.problems.filtersets import ProblemFilterSet
from tuijin.problems.models import Inspection, Meeting, Problem

from .conftest import kind
from .test_selectors import order

T = date(2026, 7, 10)
S = ProblemStatus


def day(n: int) -> date:
    return T + timedelta(days=n)


@pytest.fixture
def problems(problem_at, other_project, units):
    """a: 办理中, 资金, 县区协调, from a report, 自然资源和规划局, a day overdue.
    b: 待受理, 用地, 交通运输局, due in 3 days.
    c: 已解决待销号, 资金, 分包市领导协调, from a meeting, 5 days past its deadline (solved: not overdue).
    d: 已销号, 用地, 交通运输局.
    e: 办理中 on the 罗庄区 project, 资金, from an inspection, 罗庄区人民政府, due in 20 days."""
    return {
        "a": problem_at(S.HANDLING, type=kind("资金"), level=Ladder.COUNTY, source=Source.REPORT, deadline=day(-1),
                        description="资金缺口3000万元"),
        "b": problem_at(S.PENDING, type=kind("用地"), handling_unit=units.transport, deadline=day(3), description="用地指标未落实"),
        "c": problem_at(S.RESOLVED, type=kind("资金"), level=Ladder.LEADER, source=Source.MEETING, deadline=day(-5),
                        description="资金已到位"),
        "d": problem_at(S.CLOSED, type=kind("用地"), handling_unit=units.transport, deadline=day(30), description="用地已报批"),
        "e": problem_at(S.HANDLING, project=other_project, type=kind("资金"), source=Source.INSPECTION,
                        handling_unit=units.luozhuang_government, deadline=day(20)),
    }


def listed(client, name: str, params: dict, scene: dict) -> str:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, params
    by_pk = {record.pk: key for key, record in scene.items()}
    return "".join(sorted(by_pk[row.pk] for row in response.context["page"].object_list))


PROBLEM_CASES = [
    ({}, "abcde"),
    ({"status": "active"}, "abce"), ({"status": "closed"}, "d"), ({"status": "pending"}, "b"),
    ({"type": "资金"}, "ace"), ({"type": "999999"}, ""),  # an id no type has: nothing, as before
    ({"level": "2"}, "a"), ({"level": "4"}, "c"), ({"level": "0"}, "abcde"),  # 0: any level
    ({"source": "report"}, "a"), ({"source": "inspection"}, "e"),
    ({"unit": "transport"}, "bd"),
    ({"due": "overdue"}, "a"), ({"due": "soon"}, "b"),
    ({"due_by": "2026-07-15"}, "ab"),  # open and due by that day: the late one too
    ({"q": "资金"}, "ac"), ({"q": "  资金  "}, "ac"), ({"q": "罗庄"}, "e"),  # the description or the project's name
    ({"status": "active", "type": "资金", "due": "overdue"}, "a"),
    # Values a filter cannot use are left out: the list as without them.
    ({"status": "bogus"}, "abcde"), ({"source": "月报"}, "abcde"), ({"due": "later"}, "abcde"),
    ({"due_by": "2026-13-45"}, "abcde"), ({"due_by": "明天"}, "abcde"), ({"status": "bogus", "source": "report"}, "a"),
    ({"q": "资" * 5000}, ""), ({"q": "%_"}, ""),
    # Escalated to a leader (提请协调, a first screen's link): theirs at the leader's level or above only.
    ({"leader": "王建国"}, "c"), ({"leader": "王建国", "status": "active"}, "c"), ({"leader": "999999"}, ""),
]


@pytest.mark.parametrize(("params", "expected"), PROBLEM_CASES, ids=[str(case[0])[:60] for case in PROBLEM_CASES])
def test_the_problem_list_filters(params, expected, client, people, problems, units, contact_leader):
    values = dict(params)
    if values.get("type") == "资金":
        values["type"] = kind("资金").pk
    if values.get("unit") == "transport":
        values["unit"] = units.transport.pk
    if values.get("leader") == "王建国":
        values["leader"] = contact_leader.pk
    client.force_login(people["dispatcher"])
    assert listed(client, "problems:list", values, problems) == expected


@pytest.mark.parametrize(("name", "value", "message"), [
    ("type", "资金", "参数“type”不是有效的编号"), ("unit", "-1", "参数“unit”不是有效的编号"),
    ("leader", "王建国", "参数“leader”不是有效的编号"),
    ("level", "100", "参数“level”的值不正确（应为0至99之间的整数）"), ("level", "二", "参数“level”的值不正确"),
])
def test_an_id_or_level_that_is_not_a_number_is_a_400_with_its_reason(name, value, message, client, people, problems):
    client.force_login(people["dispatcher"])
    response = client.get(reverse("problems:list"), {name: value})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_filter_bar_shows_what_was_asked(client, people, problems):
    client.force_login(people["dispatcher"])
    response = client.get(reverse("problems:list"), {"status": "active", "due": "soon", "q": "用地"})
    assert response.context["f"] == {"status": "active", "type": "", "level": "", "source": "", "unit": "", "due": "soon",
                                     "due_by": "", "leader": "", "q": "用地"}
    assert '<option value="active" selected>' in response.content.decode()


def test_the_filterset_alone_is_what_the_page_lists(people, problems):
    """The same FilterSet serves the page and (later) the API: over the user's scoped queryset."""
    visible = Problem.objects.visible_to(people["dept_reporter"])  # what its unit handles or helps with
    data = QueryDict(f"status=active&type={kind('用地').pk}")
    assert list(ProblemFilterSet(data, queryset=visible, today=T).qs) == [problems["b"]]


@pytest.fixture
def orders(project, other_project, units):
    """1: 待回复, a day past its reply deadline. 2: 整改中 on the 罗庄区 project, rectification due in 3 days.
    3: 已办结, to 交通运输局."""
    return {
        "1": order(project, units.land, reply_by=day(-1), seq=1),
        "2": order(other_project, units.luozhuang_government, status=OrderStatus.RECTIFYING, reply_by=day(-20),
                   rectify_by=day(3), seq=2),
        "3": order(project, units.transport, status=OrderStatus.CLOSED, reply_by=day(-20), seq=3),
    }


ORDER_CASES = [
    ({}, "123"), ({"status": "issued"}, "1"), ({"status": "rectifying"}, "2"), ({"status": "closed"}, "3"),
    ({"status": "overdue"}, "1"), ({"due": "soon"}, "2"), ({"due": "overdue"}, "1"),
    ({"q": "督办事项2"}, "2"), ({"q": "罗庄"}, "2"), ({"q": "交通"}, "3"),  # the content, the project's or the unit's name
    ({"status": "bogus"}, "123"), ({"due": "later"}, "123"), ({"q": "办" * 5000}, ""),
    # A first screen's links: not yet closed (待回复 or 整改中), due by a day (a meeting's), about the projects of
    # a contact leader (王建国 is the 兰山区 project's).
    ({"status": "open"}, "12"), ({"due_by": day(3).isoformat()}, "12"), ({"due_by": day(0).isoformat()}, "1"),
    ({"due_by": "明天"}, "123"), ({"leader": "王建国"}, "13"), ({"leader": "王建国", "status": "open"}, "1"),
    ({"leader": "999999"}, ""),
]


@pytest.mark.parametrize(("params", "expected"), ORDER_CASES, ids=[str(case[0])[:60] for case in ORDER_CASES])
def test_the_order_list_filters(params, expected, client, people, orders, contact_leader):
    values = dict(params)
    if values.get("leader") == "王建国":
        values["leader"] = contact_leader.pk
    client.force_login(people["dispatcher"])
    assert listed(client, "problems:orders", values, orders) == expected


def test_the_order_list_says_which_leaders_projects_it_shows(client, people, orders, contact_leader):
    client.force_login(people["dispatcher"])
    response = client.get(reverse("problems:orders"), {"leader": contact_leader.pk, "status": "open"})
    page = response.content.decode()
    assert "仅显示 联系领导：王建国（副市长） 的督办单。" in page
    assert f'<input type="hidden" name="leader" value="{contact_leader.pk}">' in page
    assert client.get(reverse("problems:orders"), {"leader": "王"}).status_code == 400


@pytest.mark.parametrize(("which", "problems_listed", "orders_listed"), [
    ("overdue", "a", ["1"]), ("soon", "b", ["2"]), ("", "a", ["1"]), ("bogus", "a", ["1"]),  # anything else: overdue
])
def test_the_overdue_page(which, problems_listed, orders_listed, client, people, problems, orders):
    client.force_login(people["dispatcher"])
    response = client.get(reverse("problems:overdue"), {"which": which})
    assert response.status_code == 200
    assert response.context["which"] == (which if which == "soon" else "overdue")
    by_pk = {record.pk: key for key, record in problems.items()}
    assert "".join(sorted(by_pk[row.pk] for row in response.context["page"].object_list)) == problems_listed
    assert [row.seq for row in response.context["orders"]] == [int(n) for n in orders_listed]


@pytest.fixture
def gatherings(people):
    def meeting(kind_, title):
        return services.gathering_save(people["dispatcher"], Meeting, {
            "kind": kind_, "title": title, "held_on": day(-3), "projects": []})

    def inspection(kind_, title):
        return services.gathering_save(people["dispatcher"], Inspection, {
            "kind": kind_, "title": title, "held_on": day(-2), "projects": []})

    return {"r": meeting(MeetingKind.REGULAR, "第12次例会"), "t": meeting(MeetingKind.TOPIC, "征地专题会"),
            "s": inspection(InspectionKind.SUPERVISION, "7月督导"), "o": inspection(InspectionKind.OBSERVATION, "观摩")}


@pytest.mark.parametrize(("name", "params", "expected"), [
    ("problems:meetings", {}, "rt"), ("problems:meetings", {"kind": "regular"}, "r"), ("problems:meetings", {"kind": "topic"}, "t"),
    ("problems:meetings", {"kind": "bogus"}, ""),  # a kind no meeting has lists nothing, as before
    ("problems:inspections", {}, "os"), ("problems:inspections", {"kind": "supervision"}, "s"),
    ("problems:inspections", {"kind": "观摩" * 3000}, ""),
])
def test_the_meeting_and_inspection_lists_filter_by_kind(name, params, expected, client, people, gatherings):
    model = Meeting if name == "problems:meetings" else Inspection
    client.force_login(people["dispatcher"])
    assert listed(client, name, params, {k: g for k, g in gatherings.items() if isinstance(g, model)}) == expected


def test_an_unknown_inbox_tab_shows_the_first(client, people, problems):
    client.force_login(people["dispatcher"])
    response = client.get(reverse("problems:inbox"), {"tab": "bogus"})
    assert response.status_code == 200
    assert response.context["tab"] == "assign"  # the office's first tab: 待交办


def test_the_problem_list_says_which_leader_it_shows(client, people, problems, contact_leader):
    """A first screen's link (提请我协调): the list states the leader and keeps him in its filter bar."""
    client.force_login(people["dispatcher"])
    response = client.get(reverse("problems:list"), {"leader": contact_leader.pk, "status": "active"})
    page = response.content.decode()
    assert "仅显示 提请协调领导：王建国（副市长） 的问题。" in page
    assert f'<input type="hidden" name="leader" value="{contact_leader.pk}">' in page
    assert response.context["page"].paginator.count == 1
