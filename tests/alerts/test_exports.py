"""The warnings list leaves the screen (issue #16 §2): the active alerts of the page's filters, the filter
in the title, the page's rows and order, scope as the page, text inert."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import exports as x
from tuijin.alerts.models import Alert, AlertRule
from tuijin.projects.choices import Light
from tuijin.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(own_project, other_project):
    """own_project red for a node overdue (its reason "=1+1"), other_project yellow for a lagging start."""
    now = timezone.now()
    for project, dimension, level, reason in ((own_project, "milestone_overdue", Light.RED, "=1+1"),
                                              (other_project, "start_overdue", Light.YELLOW, "开工滞后15天")):
        rule = AlertRule.objects.get(preset="standard", dimension=dimension)
        Alert.objects.create(project=project, rule=rule, dimension=dimension, level=level, value=10, reason=reason,
                             first_seen=now, last_seen=now, level_since=now)
        Project.objects.filter(pk=project.pk).update(light=level)


def test_the_warnings_export_has_the_pages_rows_and_the_filter_in_its_title(client, users, regions, alerts, own_project):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("alerts:list_xlsx"))
    assert x.filename_of(response).startswith(x.quoted("预警清单_"))
    ws = x.workbook(response).active
    assert ws["A1"].value == "预警清单"
    assert ws["A2"].value.startswith("红灯项目1个、黄灯项目1个、绿灯项目0个　共2条预警")
    assert x.header(ws) == ["序号", "灯色", "项目", "项目代码", "区域", "预警维度", "预警原因", "首次预警"]
    rows = x.values(ws)
    page = x.page_rows(client.get(reverse("alerts:list")), "alerts")[1:]
    assert [[r[1], r[2], r[4], r[5], r[6], r[7].date().isoformat()] for r in rows] == page
    assert [c.data_type for c in x.text_cells(ws) if c.value == "=1+1"] == ["s"]
    red = x.workbook(client.get(reverse("alerts:list_xlsx"), {"light": "2", "region": regions.lanshan.pk})).active
    assert red["A1"].value == "预警清单（灯色：红灯；区域：兰山区）"
    assert [r[2] for r in x.values(red)] == [own_project.name]
    assert x.values(x.workbook(client.get(reverse("alerts:list_xlsx"), {"light": "1", "region": regions.lanshan.pk})).active) == []


def test_another_districts_warnings_never_appear(client, users, alerts, own_project, other_project):
    client.force_login(users["reporter_b"])
    ws = x.workbook(client.get(reverse("alerts:list_xlsx"))).active
    assert [r[2] for r in x.values(ws)] == [other_project.name]
    html = client.get(reverse("alerts:list_print")).content.decode()
    assert other_project.name in html and own_project.name not in html


def test_the_warnings_print_on_a4(client, users, alerts, own_project):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("alerts:list_print"), {"dimension": "milestone_overdue"})
    html = response.content.decode()
    assert "<h1>预警清单（预警维度：节点逾期）</h1>" in html
    rows = x.print_rows(response)
    assert rows[0][:3] == ["序号", "灯色", "项目"] and len(rows) == 2 and rows[1][2] == own_project.name
    assert 'href="/alerts/?dimension=milestone_overdue"' in html
    page = client.get(reverse("alerts:list"), {"dimension": "milestone_overdue"}).content.decode()
    assert 'href="/alerts/export.xlsx?dimension=milestone_overdue"' in page
