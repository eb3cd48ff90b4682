"""core.events: typed domain events. An event is a frozen dataclass of the emitting app's events.py;
emit() calls the handlers of the event's class with the event, after the writing transaction commits."""

import dataclasses
from dataclasses import dataclass

import pytest
from django.db import transaction

from tuijin.core import events
from tuijin.problems.events import ProblemChanged
from tuijin.projects.events import AnnualPlanChanged, ProjectChanged
from tuijin.projects.models import Project
from tuijin.projects.services import project_archive
from tuijin.reports.events import PeriodChanged, ReportChanged
from tuijin.schedules.events import ScheduleChanged

from ..events import heard

EVENTS = (ProjectChanged, AnnualPlanChanged, ReportChanged, PeriodChanged, ScheduleChanged, ProblemChanged)


def test_a_handler_gets_the_event_of_its_class_and_no_other():
    plan = AnnualPlanChanged(project_ids=(7, 9), year=2026, user=None)
    with heard(ProjectChanged) as projects, heard(AnnualPlanChanged) as plans:
        events.emit(plan)
    assert projects == []
    assert len(plans) == 1 and plans[0] is plan
    assert (plans[0].project_ids, plans[0].year) == ((7, 9), 2026)


def test_a_handler_subscribed_twice_is_called_once_and_an_event_nobody_hears_is_dropped():
    got = []
    events.subscribe(ScheduleChanged, got.append)
    events.subscribe(ScheduleChanged, got.append)
    try:
        events.emit(ScheduleChanged(project_ids=(1,), user=None))
    finally:
        events._subscribers[ScheduleChanged].remove(got.append)
    assert got == [ScheduleChanged(project_ids=(1,), user=None)]
    assert got.append not in events._subscribers[ScheduleChanged]

    @dataclass(frozen=True)
    class Unheard:
        pass

    events.emit(Unheard())  # no subscriber: nothing happens, nothing is registered
    assert Unheard not in events._subscribers


@pytest.mark.parametrize("event_class", EVENTS, ids=lambda c: c.__name__)
def test_every_event_is_frozen_keyword_only_and_uses_the_shared_field_names(event_class):
    fields = {f.name: f.type for f in dataclasses.fields(event_class)}
    assert "user" in fields
    if event_class is not PeriodChanged:  # a period concerns every project
        assert fields["project_ids"] == tuple[int, ...]
    values = {name: None for name in fields} | ({"project_ids": (1,)} if "project_ids" in fields else {})
    event = event_class(**values)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.user = "someone else"
    with pytest.raises(TypeError):
        event_class(*values.values())


@pytest.mark.django_db
def test_a_service_emits_after_its_commit_and_not_when_rolled_back(city, own_project, django_capture_on_commit_callbacks):
    office = city.users["dispatcher"]
    with heard(ProjectChanged) as got:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                project_archive(office, own_project, version=own_project.version, reason="停建")
                raise RuntimeError("rolled back")
        assert (got, callbacks) == ([], [])
        stored = Project.objects.get(pk=own_project.pk)
        assert not stored.is_archived

        with django_capture_on_commit_callbacks(execute=True):
            project_archive(office, stored, version=stored.version, reason="停建")
            assert got == []  # not before the commit
    assert got == [ProjectChanged(project_ids=(own_project.pk,), user=office)]
