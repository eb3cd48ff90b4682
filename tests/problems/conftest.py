"""The problems app's test scene: the test city of tests/conftest.py, plus

  coordinator    王建国's own account: no membership at all, only the Leader record that own_project
                 names as its 分包领导 (contracted leader), so he sees a problem only when it is
                 escalated to him (the coordinating-leader arm of Problem.objects.visible_to).

`problem_at(status, ...)` writes a problem straight into the state a test starts from (as earlier
steps would have left it); the steps under test always go through tuijin.problems.services.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tuijin.core.models import Notification
from tuijin.problems.choices import Ladder, ProblemStatus, Source
from tuijin.problems.models import (
    Attachment,
    Event,
    Inspection,
    Meeting,
    Problem,
    ProblemType,
    SupervisionOrder,
)
from tuijin.projects.choices import LeaderRole
from tuijin.projects.models import ProjectLeader

from .. import factories as f

DESCRIPTION = "征地拆迁进度慢，3户未签协议，影响路基施工"


@pytest.fixture(autouse=True)
def _on_a_chosen_day(on_day):
    """Every problems test runs on a chosen day (tests/clock.py; 2026-07-10 unless a test parametrizes
    on_day), so deadlines, days overdue and "today" are the same whenever the suite runs."""


def today() -> date:
    """The test's day (the clock is on_day's)."""
    return timezone.localdate()


def kind(name: str) -> ProblemType:
    """A seeded problem type (re-created if a flush removed it)."""
    return ProblemType.objects.get_or_create(name=name)[0]


def rows(model) -> list[tuple]:
    fields = [field.attname for field in model._meta.concrete_fields if field.attname != "updated_at"]
    return sorted(model.objects.order_by().values_list(*fields))


@pytest.fixture
def people(users, contact_leader) -> dict:
    """The test city's principals plus `coordinator` (see the module docstring)."""
    coordinator = f.UserFactory(username="coordinator", first_name="王建国")
    contact_leader.user = coordinator
    contact_leader.save()
    return {**users, "coordinator": coordinator}


@pytest.fixture
def project(own_project, contact_leader):
    """own_project (兰山区, led by 兰山区人民政府) with 王建国 as its contracted leader."""
    ProjectLeader.objects.create(project=own_project, leader=contact_leader, role=LeaderRole.CONTRACTED)
    return own_project


@pytest.fixture
def problem_at(project, units, people, contact_leader):
    """problem_at(status, **fields) → a problem on `project` handled by 市自然资源和规划局 (handler's
    unit) with 市交通运输局 (dept_reporter's unit) cooperating, escalated to 王建国 (coordinator), raised
    by reporter_a ten days ago, due in twenty days."""

    def make(status=ProblemStatus.PENDING, *, cooperating=None, **fields) -> Problem:
        values = {
            "project": project, "type": kind("征地拆迁/民事纠纷"), "description": DESCRIPTION, "source": Source.PATROL,
            "raised_by": people["reporter_a"], "raised_on": today() - timedelta(days=10), "handling_unit": units.land,
            "coordinating_leader": contact_leader, "level": Ladder.UNIT, "deadline": today() + timedelta(days=20),
            "status": status, "version": 1,
        }
        if status in (ProblemStatus.CLOSED, ProblemStatus.UNSOLVABLE):
            values["closed_on"] = today() - timedelta(days=1)
        if status == ProblemStatus.CLOSED:
            values["days_to_close"] = 9
        values.update(fields)
        problem = Problem.objects.create(**values)
        problem.cooperating_units.set([units.transport] if cooperating is None else cooperating)
        return problem

    return make


def history_counts() -> tuple[int, ...]:
    return tuple(model.history.count() for model in (Problem, SupervisionOrder, Attachment, Meeting, Inspection))


@pytest.fixture
def problem_state(db):
    """problem_state() → every row a problems write could touch; equal snapshots mean nothing was written."""

    def snapshot():
        return {
            "problems": rows(Problem),
            "cooperating": sorted(Problem.cooperating_units.through.objects.values_list("problem_id", "unit_id")),
            "orders": rows(SupervisionOrder),
            "events": rows(Event),
            "attachments": rows(Attachment),
            "meetings": rows(Meeting),
            "inspections": rows(Inspection),
            "history": history_counts(),
            "notifications": Notification.objects.count(),
        }

    return snapshot
