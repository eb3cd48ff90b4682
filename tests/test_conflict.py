"""Two people editing the same record: the second save gets 409 saying who saved first ("已被张调度于
10:42 修改") and overwrites nothing."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from tuijin.core.exceptions import ConflictError
from tuijin.org.choices import Role
from tuijin.projects import services
from tuijin.projects.models import AnnualPlan, Project

from . import factories as f

CONFLICT = "已被张调度于 "  # the first dispatcher saved first; the time follows (tests/core/test_versioning.py)


@pytest.fixture
def two_dispatchers(client, users, units):
    """Two logged-in clients of the city dispatch office."""
    second = f.member("dispatcher2", "李调度", units.development, Role.DISPATCHER)
    first_client, second_client = client, Client()
    first_client.force_login(users["dispatcher"])
    second_client.force_login(second)
    return first_client, second_client


@pytest.mark.django_db
def test_a_stale_project_edit_gets_409_and_the_first_save_is_kept(two_dispatchers, own_project, db_state):
    first, second = two_dispatchers
    url = reverse("projects:edit", args=[own_project.pk])
    # Both opened the form at the same version.
    first_form = f.project_form_data(own_project, total_investment="20000.00", remarks="第一人的修改")
    second_form = f.project_form_data(own_project, name="第二人改的名字", remarks="第二人的修改")

    assert first.post(url, first_form).status_code == 302
    after_first = db_state()
    response = second.post(url, second_form)

    assert response.status_code == 409
    assert CONFLICT in response.content.decode()
    assert db_state() == after_first
    own_project.refresh_from_db()
    assert own_project.total_investment == Decimal("20000.00")
    assert own_project.remarks == "第一人的修改"
    assert own_project.name == "兰山区北城新区道路改造工程"
    assert own_project.version == 2


@pytest.mark.django_db
def test_the_409_page_shows_the_latest_values_to_edit_again(two_dispatchers, own_project):
    first, second = two_dispatchers
    url = reverse("projects:edit", args=[own_project.pk])
    stale = f.project_form_data(own_project, remarks="第二人的修改")
    first.post(url, f.project_form_data(own_project, total_investment="20000.00"))
    response = second.post(url, stale)
    assert response.status_code == 409
    form = response.context["form"]
    assert form["version"].value() == 2
    assert form["total_investment"].value() == Decimal("20000.00")


@pytest.mark.django_db
def test_a_stale_annual_plan_edit_gets_409_and_the_first_save_is_kept(two_dispatchers, own_project, db_state):
    first, second = two_dispatchers
    plan = AnnualPlan.objects.get(project=own_project)
    url = reverse("projects:plan_edit", args=[own_project.pk, plan.year])
    first_form = f.plan_form_data(plan, planned_investment="3000.00")
    second_form = f.plan_form_data(plan, planned_investment="4000.00")

    assert first.post(url, first_form).status_code == 302
    after_first = db_state()
    response = second.post(url, second_form)

    assert response.status_code == 409
    assert CONFLICT in response.content.decode()
    assert db_state() == after_first
    plan.refresh_from_db()
    assert plan.planned_investment == Decimal("3000.00")
    assert plan.version == 2


@pytest.mark.django_db
def test_archiving_a_project_edited_meanwhile_writes_nothing_and_says_so(two_dispatchers, own_project, db_state):
    first, second = two_dispatchers
    stale_version = own_project.version
    assert first.post(
        reverse("projects:edit", args=[own_project.pk]), f.project_form_data(own_project, remarks="先保存")
    ).status_code == 302
    after_first = db_state()

    response = second.post(
        reverse("projects:archive", args=[own_project.pk]), {"version": stale_version, "reason": "项目取消"}, follow=True
    )

    assert CONFLICT in response.content.decode()
    assert db_state() == after_first
    own_project.refresh_from_db()
    assert not own_project.is_archived


@pytest.mark.django_db
def test_archiving_a_project_edited_meanwhile_answers_409(two_dispatchers, own_project):
    first, second = two_dispatchers
    stale_version = own_project.version
    first.post(reverse("projects:edit", args=[own_project.pk]), f.project_form_data(own_project, remarks="先保存"))
    response = second.post(
        reverse("projects:archive", args=[own_project.pk]), {"version": stale_version, "reason": "项目取消"}
    )
    assert response.status_code == 409
    assert CONFLICT in response.content.decode()


@pytest.mark.django_db
def test_editing_a_project_archived_meanwhile_writes_nothing(two_dispatchers, own_project, db_state):
    first, second = two_dispatchers
    stale_form = f.project_form_data(own_project, remarks="归档后的修改")
    first.post(reverse("projects:archive", args=[own_project.pk]), {"version": own_project.version, "reason": "合并"})
    after_first = db_state()
    response = second.post(reverse("projects:edit", args=[own_project.pk]), stale_form, follow=True)
    assert "已归档的项目不能修改" in response.content.decode()
    assert db_state() == after_first


@pytest.mark.django_db
def test_the_service_raises_conflict_for_a_stale_version_and_writes_nothing(users, own_project, db_state):
    dispatcher = users["dispatcher"]
    services.project_update(dispatcher, Project.objects.get(pk=own_project.pk), version=1, reason="第一次")
    before = db_state()
    stale = Project.objects.get(pk=own_project.pk)
    stale.total_investment = Decimal("13000.00")
    with pytest.raises(ConflictError):
        services.project_update(dispatcher, stale, version=1)
    assert db_state() == before


# ----------------------------------------------------------------------------------- real threads

THREADS = 4


def _file_or_server_database() -> bool:
    return connection.vendor != "sqlite" or not connection.is_in_memory_db()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_saves_of_the_same_version_let_exactly_one_through():
    """Lost updates with threads: no lost update, the winner's value is stored."""
    if not _file_or_server_database():
        pytest.skip(
            "SQLite test database is in memory: threads share one connection cache and fail with "
            "'database table is locked'. Set TUIJIN_TEST_SQLITE_NAME=/path/to/test.sqlite3 to run this on SQLite."
        )
    city = f.build_city()
    project = f.build_own_project(city)
    dispatcher = city.users["dispatcher"]
    barrier = threading.Barrier(THREADS)
    outcomes: dict[int, str] = {}

    def edit(i: int) -> None:
        try:
            mine = Project.objects.get(pk=project.pk)
            mine.remarks = f"线程{i}的修改"
            mine.total_investment = Decimal("20000.00") + i
            barrier.wait(timeout=10)
            services.project_update(dispatcher, mine, version=1, reason=f"线程{i}")
            outcomes[i] = "saved"
        except ConflictError:
            outcomes[i] = "conflict"
        except Exception as exc:  # noqa: BLE001 - reported in the assertion below
            outcomes[i] = f"error: {exc!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) == ["conflict"] * (THREADS - 1) + ["saved"], outcomes
    winner = next(i for i, outcome in outcomes.items() if outcome == "saved")
    project.refresh_from_db()
    assert project.version == 2
    assert project.remarks == f"线程{winner}的修改"
    assert project.total_investment == Decimal("20000.00") + winner
    assert project.history.filter(history_type="~").count() == 1
