"""projects.services.projects_bulk_save (issue #14 §3): the one bulk path for projects (the ledger import,
the demo) keeps the single-project services' rules: search text, versions, history, events, admission,
scope and stale versions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.projects.choices import Admission
from tuijin.projects.events import AnnualPlanChanged, ProjectChanged
from tuijin.projects.models import AnnualPlan, Project, ProjectLeader
from tuijin.projects.services import BulkProject, StaleProjects, projects_bulk_save

from . import factories as f
from .events import heard

pytestmark = pytest.mark.django_db

REASON = "批量测试"


def new_project(city, name="批量新建项目", **fields) -> Project:
    """An unsaved project of 兰山区 owned by 临沂城投."""
    fields = {"region": city.regions.lanshan, "owner": city.units.owner, **fields}
    return f.ProjectFactory.build(name=name, **fields)


def edited(project: Project, **changes) -> Project:
    """An unsaved copy of `project` with `changes`, as a bulk caller holds it."""
    copy = Project.objects.get(pk=project.pk)
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


def test_creates_and_updates_with_search_text_versions_history_and_one_event(city, own_project,
                                                                             django_capture_on_commit_callbacks):
    plan = AnnualPlan(year=2026, planned_investment=Decimal("10.00"), completed_before=Decimal("0.00"))
    fresh = new_project(city, code="2026-371302-48-01-123456")
    changed = edited(own_project, name="兰山区北城新区道路改造工程（二期）", stats_code="37ABC")
    with heard(ProjectChanged, AnnualPlanChanged) as got, django_capture_on_commit_callbacks(execute=True):
        saved = projects_bulk_save(city.users["dispatcher"], [
            BulkProject(fresh, plans=[plan], leaders=[(city.contact_leader.pk, "contracted")] * 2),
            BulkProject(changed, own_project),
        ], reason=REASON)
    assert (saved.created, saved.updated, saved.plans) == (1, 1, 1)
    assert saved.project_ids == [fresh.pk, own_project.pk]
    created, updated = Project.objects.get(pk=fresh.pk), Project.objects.get(pk=own_project.pk)
    assert (created.version, updated.version) == (1, own_project.version + 1)
    for project in (created, updated):
        assert project.search_text == project.build_search_text()
    assert "临沂城市建设投资集团有限公司" in created.search_text and "37abc" in updated.search_text
    assert created.admission == Admission.ADMITTED and created.created_by == city.users["dispatcher"]
    assert [(h.history_type, h.history_change_reason) for h in created.history.all()] == [("+", REASON)]
    assert updated.history.first().history_type == "~" and updated.history.first().history_user == city.users["dispatcher"]
    assert AnnualPlan.objects.get(project=created).history.get().history_type == "+"
    assert ProjectLeader.objects.filter(project=created).count() == 1  # a leader named twice is linked once
    # One event for the set, and one for the plans of each year saved (the warning engine re-judges them).
    assert got == [ProjectChanged(project_ids=(fresh.pk, own_project.pk), user=city.users["dispatcher"]),
                   AnnualPlanChanged(project_ids=(fresh.pk,), year=2026, user=city.users["dispatcher"])]


def test_a_version_changed_since_it_was_read_writes_nothing(city, own_project, db_state):
    read = Project.objects.get(pk=own_project.pk)
    Project.objects.filter(pk=own_project.pk).update(version=read.version + 1)  # someone saved meanwhile
    before = db_state()
    with pytest.raises(StaleProjects) as caught:
        projects_bulk_save(None, [BulkProject(new_project(city)), BulkProject(edited(read, name="改名"), read)],
                           reason=REASON)
    assert caught.value.names == [own_project.name]
    assert db_state() == before


def test_an_archived_project_is_not_changed(city, own_project):
    Project.objects.filter(pk=own_project.pk).update(is_archived=True)
    with pytest.raises(ValidationError, match="已归档"):
        projects_bulk_save(None, [BulkProject(edited(own_project, name="改名"), own_project)], reason=REASON)


def test_a_clerk_writes_within_their_district_and_registers_applications(city, other_project):
    clerk = city.users["reporter_a"]
    with pytest.raises(ValidationError, match="罗庄区"):
        projects_bulk_save(clerk, [BulkProject(new_project(city, region=city.regions.luozhuang))], reason=REASON)
    with pytest.raises(PermissionDenied):
        projects_bulk_save(clerk, [BulkProject(edited(other_project, name="改名"), other_project)], reason=REASON)
    with pytest.raises(PermissionDenied):
        projects_bulk_save(city.users["leader"], [BulkProject(new_project(city))], reason=REASON)
    saved = projects_bulk_save(clerk, [BulkProject(new_project(city))], reason=REASON)
    project = Project.objects.get(pk=saved.project_ids[0])
    assert project.admission == Admission.PENDING and project.applied_by == clerk  # a 申报, as project_create


def test_the_ledger_rules_hold_before_anything_is_written(city, db_state):
    plan = AnnualPlan(year=2026, planned_investment=Decimal("900.00"), completed_before=Decimal("200.00"))
    before = db_state()
    with pytest.raises(ValidationError, match="批量新建项目"):
        projects_bulk_save(None, [BulkProject(new_project(city, total_investment=Decimal("1000.00")), plans=[plan])],
                           reason=REASON)
    assert db_state() == before
