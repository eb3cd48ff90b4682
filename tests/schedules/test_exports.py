"""挂图作战 leaves the screen (issue #16 §2): the .xlsx holds the chart's nodes (what its JSON draws) with the
filter in the title; the print page is a wall chart, A4 landscape, one row per project; scope as the page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests import exports as x
from tuijin.schedules import services
from tuijin.schedules.models import Milestone, MilestoneTemplate

pytestmark = pytest.mark.django_db
TARGET = date.today() + timedelta(days=1500)  # every node still ahead
HEADER = ["序号", "项目", "区域", "节点", "计划开始", "计划完成", "基线完成", "实际完成", "状态", "逾期天数"]


@pytest.fixture
def planned(users, own_project, other_project):
    """Both districts' projects planned backwards from the building template; the own project's first node
    renamed "=1+1" and overdue since ten days."""
    template = MilestoneTemplate.objects.get(kind="building")
    mine = services.apply_template(users["dispatcher"], own_project, template, TARGET)
    services.apply_template(users["dispatcher"], other_project, template, TARGET)
    Milestone.objects.filter(pk=mine[0].pk).update(name="=1+1", planned_date=date.today() - timedelta(days=10))
    return mine


def day(value):
    return value.date().isoformat() if value is not None else None


def test_the_export_holds_the_nodes_the_chart_draws(client, users, planned, own_project, other_project):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("schedules:gantt_xlsx"))
    assert x.filename_of(response).startswith(x.quoted("挂图作战节点计划_"))
    ws = x.workbook(response).active
    assert ws["A1"].value == "挂图作战节点计划"
    assert x.header(ws) == HEADER
    rows = x.values(ws)
    chart = client.get(reverse("schedules:gantt_data")).json()["rows"]
    assert len(rows) == len(chart) == Milestone.objects.count()
    assert [[r[1], r[3], day(r[4]), day(r[5]), day(r[6]), day(r[7]), r[8], r[9] or 0] for r in rows] == [
        [c["project"], c["name"], c["start"], c["end"], c["baseline_end"], c["actual"], c["status_label"], c["days_late"]]
        for c in chart]
    assert rows[0][1:4] == [own_project.name, "兰山区", "=1+1"] and rows[0][8] == "已逾期" and rows[0][9] == 10
    assert [c.data_type for c in x.text_cells(ws) if c.value == "=1+1"] == ["s"]


def test_a_filtered_export_holds_exactly_the_filtered_nodes(client, users, regions, planned, own_project):
    client.force_login(users["dispatcher"])
    ws = x.workbook(client.get(reverse("schedules:gantt_xlsx"), {"region": regions.lanshan.pk})).active
    assert ws["A1"].value == "挂图作战节点计划（区域：兰山区）"
    assert {r[1] for r in x.values(ws)} == {own_project.name}
    assert len(x.values(ws)) == len(planned)
    late = x.workbook(client.get(reverse("schedules:gantt_xlsx"), {"status": "overdue"})).active
    assert late["A1"].value == "挂图作战节点计划（节点状态：已逾期）"
    assert [r[3] for r in x.values(late)] == ["=1+1"]


def test_another_districts_nodes_never_appear(client, users, planned, own_project, other_project):
    client.force_login(users["reporter_a"])
    ws = x.workbook(client.get(reverse("schedules:gantt_xlsx"))).active
    assert {r[1] for r in x.values(ws)} == {own_project.name}
    html = client.get(reverse("schedules:gantt_print")).content.decode()
    assert own_project.name in html and other_project.name not in html


def test_the_wall_chart_has_one_row_per_project_on_a4_landscape(client, users, planned, own_project, other_project):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("schedules:gantt_print"))
    html = response.content.decode()
    assert "@page { size: A4 landscape; }" in html
    assert "<h1>挂图作战节点计划</h1>" in html
    rows = x.tables(html)["wall-chart"]
    assert rows[0][:3] == ["序号", "项目", "进展"]
    body = rows[1:]
    assert [r[0] for r in body] == ["1", "2"]
    assert body[0][1] == f"{own_project.name}兰山区" and body[1][1] == f"{other_project.name}罗庄区"
    assert body[0][2].startswith("逾期：=1+1（10天）")
    assert f"已完成0/{len(planned)}个节点" in body[0][2]
    assert html.count('class="bar s-overdue"') == 1  # the one late node, red
    assert 'class="today"' in html
    page = client.get(reverse("schedules:gantt"), {"region": ""}).content.decode()
    assert 'href="/schedules/gantt/print/?region="' in page and 'href="/schedules/gantt/export.xlsx?region="' in page
