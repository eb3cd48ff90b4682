"""The office hears of a clerk's 申报 (issue #13 §1, What enters the ledger): a new project, a level change
or a returned project resubmitted puts a message in the 消息 of the people who decide it (admin and
dispatcher grants over the project, as Project.objects.reviewable_by), one per person, and nobody else's;
the office's own saves and imports announce nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tuijin.core.models import Notification
from tuijin.ledgerio.services import import_ledger
from tuijin.org.choices import Role, Scope
from tuijin.projects import services
from tuijin.projects.models import Level, Project

from . import factories as f
from .ledgerio import fixtures as fx

D = Decimal


@pytest.fixture
def offices(city):
    """Besides the city's dispatcher (市发改委): 兰山区's own dispatcher, 罗庄区's, and a dispatcher whose
    grant covers only the projects of 兰山区人民政府 (unit scope)."""
    units = city.units
    return {
        "city": city.users["dispatcher"],
        "lanshan": f.member("lanshan_office", "兰山调度", units.lanshan_government, Role.DISPATCHER),
        "luozhuang": f.member("luozhuang_office", "罗庄调度", units.luozhuang_government, Role.DISPATCHER),
        "unit": f.member("unit_office", "单位调度", units.lanshan_government, Role.ADMIN, scope=Scope.UNIT),
    }


def notes():
    return sorted((n.user.username, n.text, n.url) for n in Notification.objects.select_related("user"))


def new_project(city, name="兰山区新申报的产业园"):
    project = f.ProjectFactory.build(name=name, region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
                                     total_investment=D("50000.00"))
    return services.project_create(city.users["reporter_a"], project)


def test_a_clerks_new_project_is_announced_to_the_office_over_it(city, offices):
    project = new_project(city)
    url = reverse("projects:detail", args=[project.pk])
    text = "李兰山申报新项目“兰山区新申报的产业园”入库，请审核"
    assert notes() == sorted([("dispatcher", text, url), ("lanshan_office", text, url), ("unit_office", text, url)])
    # Not 罗庄区's office, not the clerk, not the leader or other clerks.


def test_a_level_change_and_a_resubmission_are_announced_but_an_edit_of_a_waiting_request_is_not(city, offices):
    provincial = f.dictionary(Level, "省重点")
    project = f.ProjectFactory(name="兰山区道路工程", region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
                               level=f.dictionary(Level, "市重点"))
    project.level = provincial
    services.project_update(city.users["reporter_a"], project, version=project.version)
    text = "李兰山申请将项目“兰山区道路工程”的级别由市重点调整为省重点，请审核"
    assert [n for n in notes() if n[0] == "dispatcher"] == [
        ("dispatcher", text, reverse("projects:detail", args=[project.pk]))]
    Notification.objects.all().delete()
    project = Project.objects.get(pk=project.pk)
    project.address = "兰山区北城新区"  # the request is still waiting: nothing new to decide
    services.project_update(city.users["reporter_a"], project, version=project.version)
    assert notes() == []

    returned = new_project(city, "兰山区被退回的项目")
    services.admission_return(city.users["dispatcher"], returned, version=returned.version, reason="请补充立项批复")
    Notification.objects.all().delete()
    returned = Project.objects.get(pk=returned.pk)
    returned.total_investment = D("48000.00")
    services.project_update(city.users["reporter_a"], returned, version=returned.version)
    assert ("dispatcher", "李兰山修改后重新申报项目“兰山区被退回的项目”，请审核",
            reverse("projects:detail", args=[returned.pk])) in notes()


def test_the_offices_own_saves_announce_nothing(city, offices):
    project = f.ProjectFactory.build(name="市级直接登记项目", region=city.regions.lanshan)
    project = services.project_create(city.users["dispatcher"], project)
    project.level = f.dictionary(Level, "省重点")
    services.project_update(city.users["dispatcher"], project, version=project.version)
    import_ledger(fx.xlsx_bytes(fx.ledger_rows(2)), "台账.xlsx", user=city.users["dispatcher"])
    assert notes() == []


def test_a_clerks_import_is_one_message_per_person_pointing_to_the_queue(city, offices):
    analysis, result = import_ledger(fx.xlsx_bytes(fx.ledger_rows(4)), "台账.xlsx", user=city.users["reporter_a"])
    assert analysis.all_errors == [] and result.created == 4
    names = list(Project.objects.filter(admission="pending").order_by("id").values_list("name", flat=True))
    text = f"李兰山提交了4项项目申报（“{names[0]}”、“{names[1]}”、“{names[2]}”等），请审核"
    queue = reverse("projects:admissions")
    assert [n for n in notes() if n[0] in ("dispatcher", "lanshan_office")] == [
        ("dispatcher", text, queue), ("lanshan_office", text, queue)]
    assert not Notification.objects.filter(user__username__in=["luozhuang_office", "reporter_a"]).exists()
