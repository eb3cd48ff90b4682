"""Overdue problems and supervision orders feed the warning engine: the seeded rule “问题逾期未解决”
(days overdue; yellow from 1 day, red from 15) lights the project, and finishing the work puts the
light out again — after an explicit tuijin.alerts.services.refresh, and by itself through the
PROBLEM_CHANGED subscriber once the problem's transaction commits.

Deadlines are set relative to today: the services refuse a deadline in the past, so an overdue
problem is one raised earlier (raised_on) or written straight into its state.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from tuijin.alerts import services as alerts
from tuijin.alerts.choices import Dimension, Preset
from tuijin.alerts.models import Alert, AlertRule
from tuijin.problems import services
from tuijin.problems.choices import OrderAction, OrderBasis, OrderStatus, ProblemAction, ProblemStatus
from tuijin.problems.models import Problem, SupervisionOrder
from tuijin.projects.choices import Light

from ..clock import NEW_YEAR
from .conftest import DESCRIPTION, kind, today

# Every test at an ordinary day and just after the new year in Shanghai (UTC still on December 31):
# deadlines and days overdue reach back across the year change.
pytestmark = [pytest.mark.usefixtures("on_day"),
              pytest.mark.parametrize("on_day", [(2026, 7, 10), (*NEW_YEAR, 0, 30)], indirect=True)]

A = ProblemAction
G, Y, R = Light.GREEN, Light.YELLOW, Light.RED


def light(project) -> tuple[int, str]:
    project.refresh_from_db()
    return project.light, project.light_reason


def refresh(project) -> tuple[int, str]:
    alerts.refresh([project.pk])
    return light(project)


def overdue_alerts(project) -> list[tuple]:
    return list(Alert.objects.active().filter(project=project, dimension=Dimension.PROBLEM_OVERDUE)
                .values_list("level", "value", "subject"))


def take(user, problem, action, **kwargs):
    version = Problem.objects.get(pk=problem.pk).version
    return services.problem_step(user, problem, action, version=version, **kwargs)


def overdue_order(project, unit, days: int, **fields) -> SupervisionOrder:
    values = {"year": today().year, "seq": SupervisionOrder.objects.count() + 1, "project": project, "unit": unit,
              "content": "加快办理用地手续", "reply_by": today() - timedelta(days=days), "issued_on": today() - timedelta(days=days + 5),
              "version": 1}
    values.update(fields)
    return SupervisionOrder.objects.create(**values)


def test_the_rule_is_seeded_and_switched_on(db):
    rule = AlertRule.objects.get(preset=Preset.STANDARD, dimension=Dimension.PROBLEM_OVERDUE)
    assert (rule.name, rule.yellow, rule.red, rule.is_active) == ("问题逾期未解决", Decimal(1), Decimal(15), True)


def test_a_problem_16_days_overdue_turns_the_project_red(people, project, units):
    deadline = today() - timedelta(days=16)
    problem = services.problem_raise(people["dispatcher"], project, {
        "type": kind("征地拆迁/民事纠纷"), "description": DESCRIPTION, "handling_unit": units.land, "deadline": deadline,
    }, raised_on=today() - timedelta(days=30))
    assert light(project) == (G, "")  # nothing judged before the refresh

    assert refresh(project) == (R, f"问题“{DESCRIPTION[:20]}”逾期16天未办结（时限{deadline}）")
    assert overdue_alerts(project) == [(R, Decimal(16), f"problem:{problem.pk}")]


@pytest.mark.parametrize(("days", "expected"), [(-3, G), (0, G), (1, Y), (14, Y), (15, R), (40, R)])
def test_the_light_follows_the_days_overdue(days, expected, project, problem_at):
    problem_at(ProblemStatus.HANDLING, deadline=today() - timedelta(days=days), raised_on=today() - timedelta(days=60))
    assert refresh(project)[0] == expected


@pytest.mark.parametrize("status", [ProblemStatus.RESOLVED, ProblemStatus.CLOSED, ProblemStatus.UNSOLVABLE])
def test_a_finished_or_resolved_problem_is_not_overdue(status, project, problem_at):
    problem_at(status, deadline=today() - timedelta(days=20), raised_on=today() - timedelta(days=60))
    assert refresh(project) == (G, "")


def test_closing_the_problem_turns_the_project_green_again(people, project, problem_at):
    problem = problem_at(ProblemStatus.PENDING, deadline=today() - timedelta(days=16), raised_on=today() - timedelta(days=60))
    assert refresh(project)[0] == R
    take(people["handler"], problem, A.ACCEPT)
    assert refresh(project)[0] == R  # in hand, still overdue
    take(people["handler"], problem, A.RESOLVE, text="已交地")
    take(people["inspector"], problem, A.CLOSE)
    assert refresh(project) == (G, "")
    assert overdue_alerts(project) == []
    assert Alert.objects.filter(project=project, dimension=Dimension.PROBLEM_OVERDUE, resolved_at__isnull=False).count() == 1


def test_an_extension_lowers_the_light(people, project, problem_at):
    problem = problem_at(ProblemStatus.HANDLING, deadline=today() - timedelta(days=16), raised_on=today() - timedelta(days=60))
    assert refresh(project)[0] == R
    take(people["dispatcher"], problem, A.EXTEND, deadline=today() + timedelta(days=10), text="补偿方案待区政府研究")
    assert refresh(project) == (G, "")


def test_an_unanswered_order_counts_too(people, project, units):
    order = overdue_order(project, units.land, 16)
    number = f"督办〔{today().year}〕{order.seq}号"
    assert refresh(project) == (R, f"{number}逾期16天未办结（时限{order.reply_by}）")
    assert overdue_alerts(project) == [(R, Decimal(16), f"order:{order.pk}")]

    services.order_step(people["handler"], order, OrderAction.REPLY, version=1, text="成立专班整改",
                        day=today() + timedelta(days=20))
    assert refresh(project) == (G, "")


def test_an_order_being_rectified_counts_by_its_rectification_deadline(project, units):
    overdue_order(project, units.land, 40, status=OrderStatus.RECTIFYING, rectify_by=today() - timedelta(days=2))
    assert refresh(project)[0] == Y  # 2 days past the rectification deadline; the reply deadline no longer counts
    SupervisionOrder.objects.update(status=OrderStatus.CLOSED)
    assert refresh(project) == (G, "")


def test_the_most_overdue_is_named_and_the_others_counted(project, units, problem_at):
    problem_at(ProblemStatus.HANDLING, deadline=today() - timedelta(days=3), raised_on=today() - timedelta(days=60))
    order = overdue_order(project, units.land, 20)
    number = f"督办〔{today().year}〕{order.seq}号"
    assert refresh(project) == (R, f"{number}逾期20天未办结（时限{order.reply_by}）等2项问题督办逾期")


def test_another_projects_problem_does_not_light_this_one(project, other_project, problem_at):
    problem_at(ProblemStatus.HANDLING, project=other_project, deadline=today() - timedelta(days=30),
               raised_on=today() - timedelta(days=60))
    alerts.refresh([project.pk, other_project.pk])
    assert (light(project)[0], light(other_project)[0]) == (G, R)


def test_the_light_changes_by_itself_after_each_step_commits(people, project, units, django_capture_on_commit_callbacks):
    """No explicit refresh: the PROBLEM_CHANGED subscriber re-judges the project after the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        problem = services.problem_raise(people["dispatcher"], project, {
            "type": kind("资金"), "description": "配套资金未到位", "handling_unit": units.land,
            "deadline": today() - timedelta(days=16)}, raised_on=today() - timedelta(days=30))
    assert light(project)[0] == R

    for user, action, kwargs in ((people["handler"], A.ACCEPT, {}), (people["handler"], A.RESOLVE, {"text": "资金已拨付"})):
        with django_capture_on_commit_callbacks(execute=True):
            take(user, problem, action, **kwargs)
    assert light(project) == (G, "")

    with django_capture_on_commit_callbacks(execute=True):
        take(people["inspector"], problem, A.RETURN, text="资金仅到位一半")
    assert light(project)[0] == R


def test_a_red_project_may_be_supervised_on_its_warning(people, project, units, problem_at):
    problem_at(ProblemStatus.HANDLING, deadline=today() - timedelta(days=16), raised_on=today() - timedelta(days=60))
    _light, reason = refresh(project)
    order = services.order_issue(people["inspector"], project, {
        "unit": units.land, "content": "限期解决逾期问题", "reply_by": today() + timedelta(days=3), "basis": OrderBasis.WARNING})
    assert order.warning == f"红灯：{reason}"
