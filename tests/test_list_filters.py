"""The list pages outside the problems app filter through django-filter FilterSets (the warnings list,
the Gantt chart's nodes, the period page's missing reports, the admission queue, the ledger's and its
exports' 含已归档): each filter narrows what it says, and a garbage value answers the page (never a 500),
filtering nothing, as an empty one."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tuijin.alerts.models import Alert, AlertRule
from tuijin.projects import services as project_services
from tuijin.projects.choices import Admission, Light
from tuijin.projects.models import Level, Project
from tuijin.projects.selectors import current_year
from tuijin.reports import services as report_services
from tuijin.reports.models import ProgressReport
from tuijin.schedules import services as schedule_services
from tuijin.schedules.models import Milestone, MilestoneTemplate

from . import factories as f

pytestmark = pytest.mark.django_db

GARBAGE = ["abc", "-1", "0", "99999999999999999999", "１", "' OR 1=1 --", "2.5", "[]", ""]


# ---------------------------------------------------------------------------------------- warnings


@pytest.fixture
def alerts(own_project, other_project):
    """own_project red for a node overdue, other_project yellow for a lagging start."""
    now = timezone.now()
    made = {}
    for project, dimension, level in ((own_project, "milestone_overdue", Light.RED),
                                      (other_project, "start_overdue", Light.YELLOW)):
        rule = AlertRule.objects.get(preset="standard", dimension=dimension)
        made[project.pk] = Alert.objects.create(project=project, rule=rule, dimension=dimension, level=level, value=10,
                                                reason=f"{project.name}的预警", first_seen=now, last_seen=now,
                                                level_since=now)
        Project.objects.filter(pk=project.pk).update(light=level)
    return made


def listed_alerts(client, **params) -> list[str]:
    response = client.get(reverse("alerts:list"), params)
    assert response.status_code == 200
    return sorted(a.project.name for a in response.context["page_obj"])


def test_the_warnings_filter_by_light_dimension_and_mine(client, users, alerts, own_project, other_project,
                                                         contact_leader):
    client.force_login(users["dispatcher"])
    both = sorted([own_project.name, other_project.name])
    assert listed_alerts(client) == both
    assert listed_alerts(client, light="2") == [own_project.name]
    assert listed_alerts(client, light="1") == [other_project.name]
    assert listed_alerts(client, dimension="start_overdue") == [other_project.name]
    page = client.get(reverse("alerts:list"), {"light": "2", "dimension": "milestone_overdue"})
    assert (page.context["light"], page.context["dimension"]) == ("2", "milestone_overdue")
    assert '<option value="2" selected>' in page.content.decode()
    # mine: the projects whose contact leader the user is
    from tuijin.projects.models import ProjectLeader

    contact_leader.user = users["leader"]
    contact_leader.save()
    ProjectLeader.objects.create(project=own_project, leader=contact_leader, role="contracted")
    client.force_login(users["leader"])
    assert listed_alerts(client, mine="1") == [own_project.name]
    assert listed_alerts(client) == both


def test_the_warnings_filter_by_the_day_their_light_began(client, users, alerts, own_project, other_project):
    """`since`: the alerts whose present light began that day or later (a first screen's 本月新亮红灯), the
    day judged in Shanghai; the date input shows it back."""
    from datetime import datetime, timedelta

    from .clock import SHANGHAI

    start = datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI)
    Alert.objects.filter(pk=alerts[own_project.pk].pk).update(level_since=start)  # the first minute of the day
    Alert.objects.filter(pk=alerts[other_project.pk].pk).update(level_since=start - timedelta(minutes=1))
    client.force_login(users["dispatcher"])
    assert listed_alerts(client, since="2026-11-01") == [own_project.name]
    assert listed_alerts(client, since="2026-10-31") == sorted([own_project.name, other_project.name])
    assert listed_alerts(client, since="2026-11-02") == []
    assert listed_alerts(client, since="2026-11-01", light="1") == []
    page = client.get(reverse("alerts:list"), {"since": "2026-11-01"})
    assert 'name="since" id="id_since" value="2026-11-01"' in page.content.decode()


@pytest.mark.parametrize("junk", GARBAGE)
def test_the_warnings_list_ignores_garbage(junk, client, users, alerts, own_project, other_project):
    client.force_login(users["dispatcher"])
    both = sorted([own_project.name, other_project.name])
    assert listed_alerts(client, light=junk, dimension=junk, mine=junk, since=junk, page=junk) == both


# ------------------------------------------------------------------------------------------- Gantt


@pytest.fixture
def nodes(users, own_project):
    """own_project's 房建类 nodes; the first done, the second overdue, the third due in three days."""
    template = MilestoneTemplate.objects.get(kind="building")
    made = schedule_services.apply_template(users["reporter_a"], own_project, template,
                                            timezone.localdate() + timedelta(days=400))
    today = timezone.localdate()
    Milestone.objects.filter(pk=made[0].pk).update(planned_date=today - timedelta(days=30), actual_date=today - timedelta(days=29))
    Milestone.objects.filter(pk=made[1].pk).update(planned_date=today - timedelta(days=5))
    Milestone.objects.filter(pk=made[2].pk).update(planned_date=today + timedelta(days=3))
    return made


def gantt_names(client, **params) -> list[str]:
    """The nodes 挂图作战 draws (in its project rows), this year's or not."""
    response = client.get(reverse("schedules:gantt_data"), {"window": "all", **params})
    assert response.status_code == 200
    return [n["name"] for row in response.json()["rows"] for n in row["nodes"]]


def test_the_gantt_filters_nodes_by_status(client, users, nodes):
    client.force_login(users["dispatcher"])
    every = [m.name for m in nodes]
    assert gantt_names(client) == every
    assert gantt_names(client, status="done") == [nodes[0].name]
    assert gantt_names(client, status="overdue") == [nodes[1].name]
    assert gantt_names(client, status="due_soon") == [nodes[2].name]
    assert gantt_names(client, status="open") == every[1:]
    page = client.get(reverse("schedules:gantt"), {"status": "overdue"}).content.decode()
    assert '<option value="overdue" selected>已逾期</option>' in page


@pytest.mark.parametrize("junk", GARBAGE)
def test_the_gantt_ignores_a_garbage_status(junk, client, users, nodes):
    client.force_login(users["dispatcher"])
    assert gantt_names(client, status=junk) == [m.name for m in nodes]
    assert client.get(reverse("schedules:gantt"), {"status": junk}).status_code == 200


# ------------------------------------------------------------------------------ missing reports


@pytest.fixture
def period(own_project, other_project):
    return report_services.period_open(None, year=current_year(), month=3, due_on=date(current_year() + 5, 1, 31))


def missing_names(client, period, **params):
    response = client.get(reverse("reports:period", args=[period.pk]), params)
    assert response.status_code == 200
    missing = response.context["missing"]
    return None if missing is None else sorted(r.project.name for r in missing)


def test_the_period_page_lists_one_units_missing_reports(client, users, period, own_project, other_project):
    client.force_login(users["dispatcher"])
    assert missing_names(client, period) is None  # no unit asked: no list
    assert missing_names(client, period, unit=own_project.lead_unit_id) == [own_project.name]
    assert missing_names(client, period, unit=other_project.lead_unit_id) == [other_project.name]
    ProgressReport.objects.filter(period=period, project=own_project).update(unit=None)
    assert missing_names(client, period, unit="none") == [own_project.name]


@pytest.mark.parametrize("junk", [j for j in GARBAGE if j not in ("0", "-1")])
def test_the_period_page_lists_every_missing_report_for_a_garbage_unit(junk, client, users, period, own_project,
                                                                      other_project):
    client.force_login(users["dispatcher"])
    assert missing_names(client, period, unit=junk) == sorted([own_project.name, other_project.name])


@pytest.mark.parametrize("number", ["0", "-1", "9223372036854775807"])
def test_the_period_page_lists_nothing_for_a_unit_that_is_not_there(number, client, users, period):
    client.force_login(users["dispatcher"])
    assert missing_names(client, period, unit=number) == []


# ------------------------------------------------------------------------------- admission queue


@pytest.fixture
def applications(users, city):
    """A new project applied for in 兰山区, and an admitted 罗庄区 project whose level change awaits."""
    new = f.ProjectFactory(name="兰山区新申报项目", region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
                           admission=Admission.PENDING)
    other = f.ProjectFactory(name="罗庄区调级项目", region=city.regions.luozhuang, lead_unit=city.units.luozhuang_government)
    Project.objects.filter(pk=other.pk).update(requested_level=f.dictionary(Level, "省重点"))
    return new, other


def queue_names(client, **params) -> list[str]:
    response = client.get(reverse("projects:admissions"), params)
    assert response.status_code == 200
    return sorted(p.name for p in response.context["rows"])


def test_the_admission_queue_filters_by_kind_and_region(client, users, city, applications):
    new, other = applications
    client.force_login(users["dispatcher"])
    assert queue_names(client) == sorted([new.name, other.name])
    assert queue_names(client, kind="new") == [new.name]
    assert queue_names(client, kind="level") == [other.name]
    assert queue_names(client, region=city.regions.luozhuang.pk) == [other.name]
    assert queue_names(client, region=city.regions.city.pk) == sorted([new.name, other.name])


@pytest.mark.parametrize("junk", GARBAGE)
def test_the_admission_queue_ignores_garbage(junk, client, users, applications):
    client.force_login(users["dispatcher"])
    assert queue_names(client, kind=junk, region=junk) == sorted(p.name for p in applications)


# ------------------------------------------------------------------------------- 含已归档


@pytest.fixture
def archived(users, own_project, other_project):
    project_services.project_archive(users["dispatcher"], other_project, version=other_project.version,
                                     reason="项目取消")
    return other_project


def ledger_names(client, **params) -> list[str]:
    response = client.get(reverse("projects:list"), {"year": "", **params})
    assert response.status_code == 200
    return sorted(row.name for row in response.context["rows"])


def exported(client, **params) -> tuple[str, list[str]]:
    """The .xlsx export's title and project names."""
    from io import BytesIO

    from openpyxl import load_workbook

    response = client.get(reverse("ledgerio:export_xlsx"), {"year": "", **params})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "序号")
    names = sorted(row[2] for row in rows[header + 1:] if isinstance(row[0], int))
    return rows[0][0], names


def test_archived_projects_are_listed_and_exported_only_when_asked(client, users, own_project, archived):
    client.force_login(users["dispatcher"])
    assert ledger_names(client) == [own_project.name]
    assert ledger_names(client, archived="1") == sorted([own_project.name, archived.name])
    page = client.get(reverse("projects:list"), {"archived": "1"}).content.decode()
    assert 'name="archived"' in page and "checked" in page.split('name="archived"')[1].split(">")[0]
    assert exported(client, archived="1") == ("临沂市重点项目台账（含已归档）", sorted([own_project.name, archived.name]))
    assert exported(client) == ("临沂市重点项目台账", [own_project.name])


@pytest.mark.parametrize("junk", ["0", "true", "on", "yes", "abc", ""])
def test_only_archived_1_lists_archived_projects(junk, client, users, own_project, archived):
    client.force_login(users["dispatcher"])
    assert ledger_names(client, archived=junk) == [own_project.name]
    assert exported(client, archived=junk)[1] == [own_project.name]


def test_the_warnings_and_the_gantt_never_offer_archived_projects(client, users, own_project, archived):
    client.force_login(users["dispatcher"])
    for url in (reverse("alerts:list"), reverse("schedules:gantt")):
        page = client.get(url, {"archived": "1"})
        assert page.status_code == 200
        assert 'name="archived"' not in page.content.decode()
        assert not page.context["filter"].qs.filter(pk=archived.pk).exists()
