"""tuijin.core.bulk: the importer's bulk writes, on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from tuijin.core.bulk import FEW_UPDATES, create_history, create_objects, update_objects
from tuijin.projects.models import Project

from . import factories as f

pytestmark = pytest.mark.django_db


def _copy(project: Project, **changes) -> Project:
    values = {field.attname: getattr(project, field.attname) for field in Project._meta.concrete_fields if not field.primary_key}
    values.update(changes)
    return Project(**values)


def test_created_rows_read_back_equal_with_their_ids_and_history(own_project, users):
    now = timezone.now()
    new = [_copy(own_project, code="", name=f"批量项目{i}", total_investment=Decimal("0.01") * (i + 1) + Decimal("123456789.99"))
           for i in range(30)]
    with transaction.atomic():
        create_objects(Project, new)
        create_history(Project, new, history_type="+", user=users["dispatcher"], reason="台账导入：测试.xlsx", when=now)
    ids = [p.pk for p in new]
    assert len(set(ids)) == 30 and own_project.pk not in ids
    stored = {p.pk: p for p in Project.objects.filter(pk__in=ids)}
    for project in new:
        assert stored[project.pk].name == project.name
        assert stored[project.pk].total_investment == project.total_investment  # exact Decimal, both databases
    history = Project.history.filter(id__in=ids)
    assert history.count() == 30
    assert set(history.values_list("history_type", "history_user_id", "history_change_reason")) == {
        ("+", users["dispatcher"].pk, "台账导入：测试.xlsx")
    }
    # The database's own counter continues after the reserved ids.
    later = f.ProjectFactory(name="之后新建的项目", region=own_project.region)
    assert later.pk > max(ids)


def test_updates_write_the_given_fields_and_a_change_history(own_project):
    changed = _copy(own_project, name="改名后的项目", total_investment=Decimal("99999.99"))
    changed.pk = own_project.pk
    with transaction.atomic():
        update_objects(Project, [changed], ["name", "total_investment"])
        create_history(Project, [changed], history_type="~", user=None, reason="导入", when=timezone.now())
    own_project.refresh_from_db()
    assert (own_project.name, own_project.total_investment) == ("改名后的项目", Decimal("99999.99"))
    assert own_project.history.first().history_type == "~"


def test_deleted_rows_get_exactly_one_history_row(own_project, contact_leader):
    from tuijin.core.bulk import copy_to_history, delete_rows
    from tuijin.projects.models import ProjectLeader

    link = ProjectLeader.objects.create(project=own_project, leader=contact_leader)
    with transaction.atomic():
        copy_to_history(ProjectLeader, [link.pk], history_type="-", user=None, reason="台账导入：替换", when=timezone.now())
        delete_rows(ProjectLeader, [link.pk])
    assert not ProjectLeader.objects.filter(pk=link.pk).exists()
    gone = ProjectLeader.history.filter(id=link.pk, history_type="-")
    assert list(gone.values_list("history_change_reason", flat=True)) == ["台账导入：替换"]


# Plain UPDATEs up to FEW_UPDATES rows, the copied table above: both sides of the line.
@pytest.mark.parametrize("rows", [1, FEW_UPDATES, FEW_UPDATES + 1, 3 * FEW_UPDATES])
def test_updates_of_few_rows_and_of_many_write_the_same(city, rows):
    projects = f.bulk_projects(rows, region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
                               plan=Decimal("100.00"), prefix="批量更新")
    for number, project in enumerate(projects):
        project.name = f"更新后{number}"
        project.total_investment = Decimal(f"{number}.07")
        project.latitude = Decimal(f"35.{number:06d}") if number % 3 else None
    with transaction.atomic():
        update_objects(Project, projects, ["name", "total_investment", "latitude"])
    stored = dict(Project.objects.filter(pk__in=[p.pk for p in projects]).values_list("pk", "total_investment"))
    latitudes = dict(Project.objects.filter(pk__in=[p.pk for p in projects]).values_list("pk", "latitude"))
    names = dict(Project.objects.filter(pk__in=[p.pk for p in projects]).values_list("pk", "name"))
    for number, project in enumerate(projects):
        assert names[project.pk] == f"更新后{number}"
        assert stored[project.pk] == Decimal(f"{number}.07")
        assert latitudes[project.pk] == (Decimal(f"35.{number:06d}") if number % 3 else None)
