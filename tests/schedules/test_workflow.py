"""The baseline workflow table (schedules/workflow.py): the first approval, then re-baselinings with a
reason; the office only. The service, the schedule page and these tests follow the table."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tuijin.schedules import services
from tuijin.schedules.choices import BaselineState
from tuijin.schedules.models import Baseline, Milestone, MilestoneTemplate, Schedule
from tuijin.schedules.workflow import BASELINE_WORKFLOW, baseline_step

pytestmark = pytest.mark.django_db
TARGET = date(2027, 6, 30)


def test_the_table_says_the_baseline_rules():
    assert {(s.name, s.sources, s.target, str(s.label)) for s in BASELINE_WORKFLOW.steps} == {
        ("approve", frozenset({"unapproved"}), "approved", "批准基线"),
        ("rebaseline", frozenset({"approved"}), "approved", "重新批准基线"),
    }
    assert [baseline_step(n).name for n in (0, 1, 7)] == ["approve", "rebaseline", "rebaseline"]


@pytest.fixture
def planned(users, own_project):
    return services.apply_template(users["reporter_a"], own_project, MilestoneTemplate.objects.get(kind="building"), TARGET)


def move_last_node(users, planned) -> None:
    last = Milestone.objects.get(pk=planned[-1].pk)
    services.milestone_update(users["dispatcher"], last, version=last.version, planned_date=date(2027, 9, 30))


@pytest.mark.parametrize("state", BaselineState.values)
def test_the_office_takes_the_step_the_table_gives_for_each_state(state, users, own_project, planned):
    if state == BaselineState.APPROVED:
        services.baseline_approve(users["dispatcher"], own_project)
        move_last_node(users, planned)
    number = Schedule.objects.get(project=own_project).baseline_number
    step = baseline_step(number)
    assert state in step.sources
    baseline = services.baseline_approve(users["dispatcher"], own_project, reason="主体结构设计变更")
    assert baseline.number == number + 1
    assert Schedule.objects.get(project=own_project).baseline_number == number + 1
    assert Baseline.objects.filter(project=own_project).count() == number + 1


@pytest.mark.parametrize("principal", ["reporter_a", "leader", "handler", "inspector"])
def test_the_roles_the_table_does_not_name_are_refused_every_step(principal, users, own_project, planned):
    for step in BASELINE_WORKFLOW.steps:
        assert not step.allows(users[principal])
    with pytest.raises(PermissionDenied):
        services.baseline_approve(users[principal], own_project)
    assert not Baseline.objects.exists()


def test_the_page_offers_the_tables_next_step_and_says_its_message(client, users, own_project, planned):
    client.force_login(users["dispatcher"])
    url = reverse("schedules:project", args=[own_project.pk])
    page = client.get(url)
    assert page.context["baseline_step"].name == "approve"
    assert '<button class="btn btn-sm btn-success">批准基线</button>' in page.content.decode()
    assert 'name="reason"' not in page.content.decode()
    response = client.post(reverse("schedules:baseline", args=[own_project.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["已批准进度计划基线V1，此后节点计划日期的调整都将与基线对照"]
    html = client.get(url).content.decode()
    assert '<button class="btn btn-sm btn-success">重新批准基线</button>' in html
    assert 'name="reason"' in html  # a re-baselining asks why


def test_the_page_offers_no_step_to_a_clerk(client, users, own_project, planned):
    client.force_login(users["reporter_a"])
    page = client.get(reverse("schedules:project", args=[own_project.pk]))
    assert page.context["baseline_step"] is None
    assert reverse("schedules:baseline", args=[own_project.pk]) not in page.content.decode()
