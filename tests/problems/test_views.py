"""The problem and order step pages read posted dates: a malformed one is refused with the Chinese message
and nothing is written."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tuijin.problems.choices import OrderAction, OrderStatus, ProblemAction, ProblemStatus

from .test_orders import order_at  # noqa: F401 - the fixture


@pytest.mark.parametrize("value", ["2026/13/01", "明天", "2026-02-30"])
def test_a_malformed_deadline_is_refused_and_nothing_written(value, client, people, problem_at, problem_state):
    problem = problem_at(ProblemStatus.HANDLING)
    before = problem_state()
    client.force_login(people["dispatcher"])
    response = client.post(reverse("problems:step", args=[problem.pk, ProblemAction.EXTEND]),
                           {"version": problem.version, "deadline": value, "text": "等待省厅批复"})
    # Refused on the same problem, with what was typed still in the step's form (issue #13 §1).
    assert response.status_code == 400
    assert response.context["problem"].pk == problem.pk
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["日期格式不正确，应为 年-月-日，如 2026-12-31"]
    html = response.content.decode()
    assert ">等待省厅批复</textarea>" in html and f'value="{value}"' in html
    assert problem_state() == before


def test_a_refused_step_keeps_the_text_typed_on_the_same_problem(client, people, problem_at, problem_state):
    problem = problem_at(ProblemStatus.HANDLING)
    before = problem_state()
    client.force_login(people["dispatcher"])
    response = client.post(reverse("problems:step", args=[problem.pk, ProblemAction.EXTEND]),
                           {"version": problem.version - 1, "deadline": "2099-01-01", "text": "省厅批复延后"})
    assert response.status_code == 400
    assert response.context["problem"].pk == problem.pk
    assert any(str(m).startswith("该记录已被") and "您的操作未保存" in str(m) for m in get_messages(response.wsgi_request))
    assert ">省厅批复延后</textarea>" in response.content.decode()
    assert problem_state() == before


def test_a_malformed_reply_date_on_an_order_is_refused(client, people, order_at, problem_state):  # noqa: F811
    order = order_at()
    before = problem_state()
    client.force_login(people["handler"])
    response = client.post(reverse("problems:order_step", args=[order.pk, OrderAction.REPLY]),
                           {"version": order.version, "day": "下周一", "text": "成立专班"})
    # Refused on the same order with the plan and the date typed kept in the step's form (issue #13 §1).
    assert response.status_code == 400
    assert response.context["order"].pk == order.pk
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["日期格式不正确，应为 年-月-日，如 2026-12-31"]
    html = response.content.decode()
    assert ">成立专班</textarea>" in html and 'value="下周一"' in html
    assert problem_state() == before


def test_a_refused_order_step_keeps_the_text_typed_on_the_same_order(client, people, order_at, problem_state):  # noqa: F811
    order = order_at(OrderStatus.RECTIFYING)
    before = problem_state()
    client.force_login(people["inspector"])
    response = client.post(reverse("problems:order_step", args=[order.pk, OrderAction.RETURN]),
                           {"version": order.version, "day": "", "text": "方案缺少完成时间"})
    assert response.status_code == 400
    assert response.context["order"].pk == order.pk
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["请填写新的回复时限"]
    assert ">方案缺少完成时间</textarea>" in response.content.decode()
    assert problem_state() == before


def test_a_refused_order_about_a_problem_keeps_what_was_typed_on_the_problem(client, people, problem_at, problem_state):
    problem = problem_at(ProblemStatus.HANDLING)
    before = problem_state()
    client.force_login(people["dispatcher"])
    response = client.post(reverse("problems:problem_order", args=[problem.pk]),
                           {"unit": problem.handling_unit_id, "content": "三日内拿出搬迁方案", "reply_by": "2020-01-01"})
    assert response.status_code == 400
    assert response.context["problem"].pk == problem.pk
    assert "三日内拿出搬迁方案</textarea>" in response.content.decode()
    assert problem_state() == before


def test_a_refused_assignment_keeps_what_was_typed_on_the_problem(client, people, problem_at, problem_state):
    problem = problem_at(ProblemStatus.PENDING, handling_unit=None)
    before = problem_state()
    client.force_login(people["dispatcher"])
    response = client.post(reverse("problems:assign", args=[problem.pk]), {
        "version": problem.version, "type": problem.type_id, "description": "拆迁户诉求未解决，需协调补偿标准",
        "deadline": "2020-13-01"})
    assert response.status_code == 400
    assert response.context["problem"].pk == problem.pk
    assert "拆迁户诉求未解决，需协调补偿标准</textarea>" in response.content.decode()
    assert problem_state() == before
