"""EXP-RT: export the ledger (.xlsx and .csv through the export URLs) and import it back: the same
projects and numbers, Decimal-exact; into an empty database the projects come back identical."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories as f
from tuijin.ledgerio.services import import_ledger
from tuijin.projects.models import AnnualPlan, Project, ProjectLeader, ProjectResponsibleUnit
from tuijin.projects.selectors import current_year

pytestmark = pytest.mark.django_db

FIELDS = ("name", "code", "region_id", "level_id", "category_id", "nature_id", "stage_id", "total_investment",
          "start_year", "end_year", "planned_start", "owner_id", "owner_contact", "address", "scale", "longitude",
          "latitude")


@pytest.fixture
def ledger(city):
    """~50 projects over both districts with this year's plans, odd amounts, codes, owners and leaders."""
    year = current_year()
    amounts = [Decimal("1000.00") + Decimal(i) * Decimal("123.45") + Decimal("0.07") for i in range(40)]
    lanshan = f.bulk_projects(25, region=city.regions.lanshan, prefix="兰山往返项目", amounts=amounts[:25],
                              plan=Decimal("88.88"))
    luozhuang = f.bulk_projects(15, region=city.regions.luozhuang, prefix="罗庄往返项目", amounts=amounts[25:],
                                plan=Decimal("0.01"))
    special = []
    for i in range(10):
        special.append(f.ProjectFactory(
            name=f"特色往返项目{i}（二期）", code=f"{year}-371302-48-01-{700000 + i:06d}", region=city.regions.lanshan,
            total_investment=Decimal("99999999.99") if i == 0 else Decimal("12345.67") + i, owner=city.units.owner,
            owner_contact="张三", address="兰山区某路", scale="建设道路 3.5 公里；桥梁 2 座",
            # a location (落地地图) on most: the 坐标 column must bring it back to the last place
            longitude=Decimal(f"118.3{i}1234") if i % 4 else None, latitude=Decimal(f"35.0{i}6789") if i % 4 else None,
            # every role, so that the export's three leader columns must come back as they went out
            leaders=[(city.contact_leader, ("contracted", "linked", "coordinating")[i % 3])],
            responsible_units=[city.units.transport],
            plan=Decimal("2000.50") + i, plan__completed_before=Decimal("100.25"),
        ))
    projects = lanshan + luozhuang + special
    assert len(projects) == 50
    return projects


def snapshot() -> dict:
    projects = {p["name"]: p for p in Project.objects.values(*FIELDS)}
    plans = {(name, year): (planned, before) for name, year, planned, before in
             AnnualPlan.objects.values_list("project__name", "year", "planned_investment", "completed_before")}
    leaders = sorted(ProjectLeader.objects.values_list("project__name", "leader_id", "role"))
    units = sorted(ProjectResponsibleUnit.objects.values_list("project__name", "unit_id"))
    return {"projects": projects, "plans": plans, "leaders": leaders, "units": units}


def export(client, user, kind: str) -> bytes:
    client.force_login(user)
    response = client.get(reverse(f"ledgerio:export_{kind}"))
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_export_then_reimport_updates_every_project_exactly(client, city, ledger, kind):
    dispatcher = city.users["dispatcher"]
    before = snapshot()
    versions = dict(Project.objects.values_list("id", "version"))
    data = export(client, dispatcher, kind)
    analysis, result = import_ledger(data, f"台账.{kind}", user=dispatcher)
    assert analysis.all_errors == [], [str(e) for e in analysis.all_errors[:10]]
    assert analysis.counts()["projects"] == 50
    assert (result.created, result.updated) == (0, 50)
    assert analysis.year == current_year()
    assert Project.objects.count() == 50 and AnnualPlan.objects.count() == 50
    after = snapshot()
    assert after == before
    for values in after["projects"].values():
        assert isinstance(values["total_investment"], Decimal)
    assert all(v == versions[pk] + 1 for pk, v in Project.objects.values_list("id", "version"))
    # The 合计 row of the export reconciles with its project rows.
    assert analysis.reconciliation and all(item["ok"] for item in analysis.reconciliation), analysis.reconciliation
    total = sum(p["total_investment"] for p in before["projects"].values())
    assert analysis.totals()["total_investment"] == total


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_export_imported_into_an_empty_ledger_recreates_the_projects(client, city, ledger, kind):
    dispatcher = city.users["dispatcher"]
    before = snapshot()
    data = export(client, dispatcher, kind)
    ProjectLeader.objects.all().delete()
    ProjectResponsibleUnit.objects.all().delete()
    AnnualPlan.objects.all().delete()
    Project.programs.through.objects.all().delete()
    Project.objects.all().delete()
    analysis, result = import_ledger(data, f"台账.{kind}", user=dispatcher)
    assert analysis.all_errors == [], [str(e) for e in analysis.all_errors[:10]]
    assert (result.created, result.updated) == (50, 0)
    after = snapshot()
    strip = lambda snap: {name: {k: v for k, v in p.items()} for name, p in snap["projects"].items()}  # noqa: E731
    assert strip(after) == strip(before)
    assert after["plans"] == before["plans"]
    assert after["leaders"] == before["leaders"] and after["units"] == before["units"]
    assert sum(p["total_investment"] for p in after["projects"].values()) == sum(
        p["total_investment"] for p in before["projects"].values())


def test_reporter_export_reimports_only_their_district(client, city, ledger):
    reporter = city.users["reporter_a"]
    data = export(client, reporter, "xlsx")
    analysis, result = import_ledger(data, "台账.xlsx", user=reporter)
    assert analysis.all_errors == []
    assert (result.created, result.updated) == (0, 35)
    assert {p.region_id for p in Project.objects.filter(pk__in=result.project_ids)} == {city.regions.lanshan.pk}
