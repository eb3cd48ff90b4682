"""Who sees and who edits which project: Project.objects.visible_to / editable_by for every role."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from tuijin.org.choices import RegionLevel, Role
from tuijin.org.models import Membership
from tuijin.org.selectors import regions_editable_by, regions_visible_to
from tuijin.projects.models import AnnualPlan, Project

from . import factories as f

pytestmark = pytest.mark.django_db


def pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def fresh(user):
    """The same user without the per-object access cache (as on the next request)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def street(regions):
    """A sub-region of 兰山区: its projects belong to 兰山区's subtree."""
    return f.RegionFactory(code="371302001", name="兰山街道", level=RegionLevel.ZONE, parent=regions.lanshan)


@pytest.fixture
def city_project(regions, units):
    return f.ProjectFactory(name="临沂市级统筹项目", region=regions.city, lead_unit=units.development)


@pytest.fixture
def everything(own_project, other_project, city_project):
    return {own_project.pk, other_project.pk, city_project.pk}


def test_superuser_sees_and_edits_every_project(users, everything):
    admin = users["admin"]
    assert pks(Project.objects.visible_to(admin)) == everything
    assert pks(Project.objects.editable_by(admin)) == everything


def test_dispatcher_of_the_city_sees_and_edits_the_whole_city(users, everything):
    assert pks(Project.objects.visible_to(users["dispatcher"])) == everything
    assert pks(Project.objects.editable_by(users["dispatcher"])) == everything


@pytest.mark.parametrize("principal", ["leader", "handler", "inspector"])
def test_read_only_roles_see_the_whole_city_but_edit_nothing(users, everything, principal):
    assert pks(Project.objects.visible_to(users[principal])) == everything
    assert pks(Project.objects.editable_by(users[principal])) == set()


def test_district_reporter_sees_and_edits_only_their_district_subtree(users, own_project, other_project,
                                                                       city_project, street):
    in_street = f.ProjectFactory(name="兰山街道社区改造", region=street)
    reporter_a = users["reporter_a"]
    assert pks(Project.objects.visible_to(reporter_a)) == {own_project.pk, in_street.pk}
    assert pks(Project.objects.editable_by(reporter_a)) == {own_project.pk, in_street.pk}


def test_the_other_district_reporter_sees_only_the_other_district(users, own_project, other_project):
    assert pks(Project.objects.visible_to(users["reporter_b"])) == {other_project.pk}
    assert pks(Project.objects.editable_by(users["reporter_b"])) == {other_project.pk}


def test_district_reporter_also_sees_and_edits_a_project_elsewhere_their_unit_leads(users, units, regions):
    led = f.ProjectFactory(name="跨区牵头项目", region=regions.luozhuang, lead_unit=units.lanshan_government)
    reporter_a = users["reporter_a"]
    assert led.pk in pks(Project.objects.visible_to(reporter_a))
    assert led.pk in pks(Project.objects.editable_by(reporter_a))
    assert led.pk in pks(Project.objects.visible_to(users["reporter_b"]))


def test_district_reporter_also_sees_a_project_elsewhere_their_unit_is_responsible_for(users, units, regions):
    shared = f.ProjectFactory(
        name="跨区责任项目", region=regions.luozhuang, responsible_units=[units.lanshan_government]
    )
    assert shared.pk in pks(Project.objects.visible_to(users["reporter_a"]))
    assert shared.pk in pks(Project.objects.editable_by(users["reporter_a"]))


def test_unit_scope_reporter_sees_only_projects_their_unit_leads_or_is_responsible_for(
    users, units, regions, own_project, other_project
):
    led = f.ProjectFactory(name="交通局牵头的公路项目", region=regions.lanshan, lead_unit=units.transport)
    responsible = f.ProjectFactory(
        name="交通局负责的站场项目", region=regions.luozhuang, responsible_units=[units.transport]
    )
    dept = users["dept_reporter"]
    assert pks(Project.objects.visible_to(dept)) == {led.pk, responsible.pk}
    assert pks(Project.objects.editable_by(dept)) == {led.pk, responsible.pk}


def test_a_region_scope_dispatcher_in_a_district_sees_only_that_district(units, own_project, other_project):
    district_dispatcher = f.member("lanshan_dispatcher", "兰山调度", units.lanshan_government, Role.DISPATCHER)
    assert pks(Project.objects.visible_to(district_dispatcher)) == {own_project.pk}
    assert pks(Project.objects.editable_by(district_dispatcher)) == {own_project.pk}


def test_a_logged_in_user_without_membership_sees_nothing(users, own_project, other_project):
    assert pks(Project.objects.visible_to(users["outsider"])) == set()
    assert pks(Project.objects.editable_by(users["outsider"])) == set()


def test_an_anonymous_user_sees_nothing(own_project):
    assert pks(Project.objects.visible_to(AnonymousUser())) == set()
    assert pks(Project.objects.editable_by(AnonymousUser())) == set()


def test_the_system_acting_without_a_user_reaches_every_project_where_nobody_reaches_none(everything):
    """A command run without --user acts as the system (visible_to_acting / editable_by_acting); None
    given to visible_to / editable_by is nobody, as an anonymous visitor."""
    assert pks(Project.objects.visible_to_acting(None)) == everything
    assert pks(Project.objects.editable_by_acting(None)) == everything
    assert pks(Project.objects.visible_to(None)) == set()
    assert pks(Project.objects.editable_by(None)) == set()


def test_acting_users_keep_their_own_scope(users, own_project, other_project):
    reporter = users["reporter_a"]
    assert pks(Project.objects.visible_to_acting(reporter)) == pks(Project.objects.visible_to(reporter)) == {own_project.pk}
    assert pks(AnnualPlan.objects.editable_by_acting(users["leader"])) == set()


def test_an_inactive_membership_grants_nothing(users, own_project):
    Membership.objects.filter(user=users["reporter_a"]).update(is_active=False)
    assert pks(Project.objects.visible_to(fresh(users["reporter_a"]))) == set()


def test_a_membership_in_a_disabled_unit_grants_nothing(users, units, own_project):
    units.lanshan_government.is_active = False
    units.lanshan_government.save()
    assert pks(Project.objects.visible_to(fresh(users["reporter_a"]))) == set()


def test_a_disabled_user_sees_nothing(users, own_project):
    users["dispatcher"].is_active = False
    users["dispatcher"].save()
    assert pks(Project.objects.visible_to(fresh(users["dispatcher"]))) == set()


def test_annual_plans_are_scoped_through_their_project(users, own_project, other_project):
    own_plan = AnnualPlan.objects.get(project=own_project)
    assert pks(AnnualPlan.objects.visible_to(users["reporter_a"])) == {own_plan.pk}
    assert pks(AnnualPlan.objects.editable_by(users["leader"])) == set()


def test_reporters_may_place_projects_only_in_their_own_district(users, regions, street):
    assert pks(regions_editable_by(users["reporter_a"])) == {regions.lanshan.pk, street.pk}
    assert pks(regions_editable_by(users["dispatcher"])) == {regions.city.pk, regions.lanshan.pk,
                                                            regions.luozhuang.pk, street.pk}
    assert pks(regions_editable_by(users["leader"])) == set()
    assert pks(regions_editable_by(users["dept_reporter"])) == set()


def test_regions_visible_follow_the_grants(users, regions):
    assert regions.luozhuang.pk not in pks(regions_visible_to(users["reporter_a"]))
    assert regions.lanshan.pk in pks(regions_visible_to(users["reporter_a"]))
    assert pks(regions_visible_to(users["outsider"])) == set()


# ------------------------------------------------------------------------------- through the web


def test_a_reporter_cannot_move_their_project_into_another_district(client, users, regions, own_project, db_state):
    client.force_login(users["reporter_a"])
    before = db_state()
    response = client.post(
        reverse("projects:edit", args=[own_project.pk]),
        f.project_form_data(own_project, region=regions.luozhuang.pk),
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert db_state() == before


def test_unit_scope_reporter_can_save_an_edit_of_a_project_their_unit_leads(client, users, units, regions):
    led = f.ProjectFactory(name="交通局牵头的公路项目", region=regions.lanshan, lead_unit=units.transport)
    client.force_login(users["dept_reporter"])
    assert client.get(reverse("projects:edit", args=[led.pk])).status_code == 200
    response = client.post(
        reverse("projects:edit", args=[led.pk]), f.project_form_data(led, total_investment="12000.00")
    )
    assert response.status_code == 302, response.context["form"].errors.as_text()
    led.refresh_from_db()
    assert led.total_investment == Decimal("12000.00")


def test_district_reporter_can_save_an_edit_of_a_project_elsewhere_their_unit_is_responsible_for(
    client, users, units, regions
):
    shared = f.ProjectFactory(
        name="跨区责任项目", region=regions.luozhuang, responsible_units=[units.lanshan_government]
    )
    client.force_login(users["reporter_a"])
    response = client.post(
        reverse("projects:edit", args=[shared.pk]),
        f.project_form_data(shared, total_investment="10001.00"),
    )
    assert response.status_code == 302, response.context["form"].errors.as_text()
    shared.refresh_from_db()
    assert shared.total_investment == Decimal("10001.00")
