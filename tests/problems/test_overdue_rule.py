"""逾期 and 临期 are one rule (ProblemQuerySet / OrderQuerySet), and every reader of it agrees: the
overdue list, the problem and order lists' filters, the closure statistics, the `problems overdue`
command and the warning engine. The scene sits on the boundaries: due yesterday (overdue), due today
(not yet: due soon), solved or closed past their deadline (never overdue), no deadline at all.

The test's day is on_day's (2026-07-10, see conftest).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tuijin.alerts import problem_measures
from tuijin.problems import selectors
from tuijin.problems.choices import OrderStatus, ProblemStatus
from tuijin.problems.management.commands.problems import overdue_querysets
from tuijin.problems.models import Problem, SupervisionOrder
from tuijin.projects.models import Project

from .test_selectors import order

T = date(2026, 7, 10)
S = ProblemStatus


def day(n: int) -> date:
    return T + timedelta(days=n)


@pytest.fixture
def boundary(problem_at):
    """The problems named by what the rule must say of them on T."""
    return {
        "yesterday": problem_at(S.HANDLING, deadline=day(-1)),  # overdue by one day
        "pending_late": problem_at(S.PENDING, deadline=day(-30)),  # overdue, not even accepted
        "today": problem_at(S.HANDLING, deadline=T),  # not overdue yet: due soon
        "in_a_week": problem_at(S.PENDING, deadline=day(7)),  # due soon, the last day of the window
        "in_eight_days": problem_at(S.HANDLING, deadline=day(8)),  # neither
        "resolved_late": problem_at(S.RESOLVED, deadline=day(-5)),  # solved, waiting for 销号: never overdue
        "closed_late": problem_at(S.CLOSED, deadline=day(-5)),
        "unsolvable_late": problem_at(S.UNSOLVABLE, deadline=day(-5)),
        "no_deadline": problem_at(S.HANDLING, deadline=None),
    }


def names(boundary, problems) -> set[str]:
    by_pk = {p.pk: name for name, p in boundary.items()}
    return {by_pk[p.pk] for p in problems}


OVERDUE = {"yesterday", "pending_late"}
DUE_SOON = {"today", "in_a_week"}


def test_the_queryset_rule_on_the_boundaries(boundary):
    assert names(boundary, Problem.objects.overdue(T)) == OVERDUE
    assert names(boundary, Problem.objects.due_soon(T)) == DUE_SOON
    assert names(boundary, Problem.objects.due_by(T)) == OVERDUE | {"today"}  # a meeting today takes up the late ones too
    assert names(boundary, Problem.objects.filter(Problem.objects.overdue_q(T))) == OVERDUE  # the statistics' Q form


def test_every_reader_of_overdue_problems_agrees(boundary, people, project, client):
    dispatcher = people["dispatcher"]
    assert names(boundary, selectors.overdue_problems(dispatcher, T)) == OVERDUE
    assert names(boundary, selectors.due_soon_problems(dispatcher, T)) == DUE_SOON
    assert names(boundary, overdue_querysets(None, T)[0]) == OVERDUE
    assert names(boundary, overdue_querysets(dispatcher, T)[0]) == OVERDUE
    assert selectors.stat_total(selectors.closure_stats(dispatcher, "unit", T)).overdue == len(OVERDUE)

    client.force_login(dispatcher)
    for due, expected in (("overdue", OVERDUE), ("soon", DUE_SOON)):
        page = client.get(reverse("problems:list"), {"due": due}).context["page"]
        assert names(boundary, page.object_list) == expected, due

    # The warning engine names the project's most overdue one and counts both.
    finding = problem_measures.problem_overdue(None, Project.objects.filter(pk=project.pk), T)[project.pk]
    assert finding.value == 30
    assert finding.subject == f"problem:{boundary['pending_late'].pk}"
    assert "等2项" in finding.reason


def test_every_reader_of_overdue_orders_agrees(people, project, units, client):
    late_reply = order(project, units.land, reply_by=day(-1))
    order(project, units.land, reply_by=T)  # reply due today: due soon, not overdue
    late_rectify = order(project, units.land, status=OrderStatus.RECTIFYING, reply_by=day(-20), rectify_by=day(-1))
    order(project, units.land, status=OrderStatus.RECTIFYING, reply_by=day(-20), rectify_by=day(8))
    order(project, units.land, status=OrderStatus.CLOSED, reply_by=day(-20), rectify_by=day(-5))
    late = {late_reply.pk, late_rectify.pk}
    dispatcher = people["dispatcher"]

    assert {o.pk for o in SupervisionOrder.objects.overdue(T)} == late
    assert {o.pk for o in selectors.overdue_orders(dispatcher, T)} == late
    assert {o.pk for o in overdue_querysets(None, T)[1]} == late
    assert {o.due for o in SupervisionOrder.objects.due_soon(T)} == {T}
    assert {o.pk for o in SupervisionOrder.objects.due_by(T)} == late | {SupervisionOrder.objects.get(reply_by=T).pk}

    client.force_login(dispatcher)
    page = client.get(reverse("problems:orders"), {"status": "overdue"}).context["page"]
    assert {o.pk for o in page.object_list} == late

    finding = problem_measures.problem_overdue(None, Project.objects.filter(pk=project.pk), T)[project.pk]
    assert finding.value == 1 and "等2项" in finding.reason
