"""挂图作战 leaves the screen (issue #16 §2, #17 §5): the .xlsx holds the chart's nodes (what its JSON draws),
project by project, with the filter in the title; the print page is the wall chart, A4 landscape, one row per
project; scope as the page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests import exports as x
from tuijin.schedules import services
from tuijin.schedules.models import Milestone, MilestoneTemplate

pytestmark = pytest.mark.django_db
TARGET = date.today() + timedelta(days=1500)  # every node still ahead
HEADER = ["序号", "项目", "区域", "联系领导", "预警", "节点", "计划开始", "计划完成", "基线完成", "实际完成", "状态", "逾期天数"]


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
    payload = client.get(reverse("schedules:gantt_data"), {"window": "all"}).json()
    chart = payload["rows"]
    assert len(rows) == sum(len(c["nodes"]) for c in chart) == Milestone.objects.count()
    assert [[r[1], r[5], day(r[7]), day(r[9]), r[10], r[11] or 0] for r in rows] == [
        [c["name"], n["name"], n["planned"], n["actual"], payload["statuses"][n["status"]], n["days_late"]]
        for c in chart for n in c["nodes"]]
    assert rows[0][1:6] == [own_project.name, "兰山区", None, "绿灯", "=1+1"] and rows[0][10] == "已逾期" and rows[0][11] == 10
    assert [c.data_type for c in x.text_cells(ws) if c.value == "=1+1"] == ["s"]


def test_the_export_follows_the_grouping(client, users, planned, own_project, other_project, contact_leader):
    """Grouped by 分包领导, the .xlsx says each node's group in a column of its own, in the chart's order."""
    from tuijin.projects.models import ProjectLeader

    ProjectLeader.objects.create(project=other_project, leader=contact_leader)
    client.force_login(users["dispatcher"])
    ws = x.workbook(client.get(reverse("schedules:gantt_xlsx"), {"group": "leader"})).active
    assert x.header(ws)[:6] == ["序号", "分包领导", "项目", "区域", "联系领导", "预警"]
    rows = x.values(ws)
    assert [r[1:5] for r in rows][:: len(planned)] == [["王建国（副市长）", other_project.name, "罗庄区", "王建国"],
                                                       ["（未明确分包领导）", own_project.name, "兰山区", None]]


def test_a_filtered_export_holds_exactly_the_filtered_nodes(client, users, regions, planned, own_project):
    client.force_login(users["dispatcher"])
    ws = x.workbook(client.get(reverse("schedules:gantt_xlsx"), {"region": regions.lanshan.pk})).active
    assert ws["A1"].value == "挂图作战节点计划（区域：兰山区）"
    assert {r[1] for r in x.values(ws)} == {own_project.name}
    assert len(x.values(ws)) == len(planned)
    late = x.workbook(client.get(reverse("schedules:gantt_xlsx"), {"status": "overdue"})).active
    assert late["A1"].value == "挂图作战节点计划（节点状态：已逾期）"
    assert [r[5] for r in x.values(late)] == ["=1+1"]


def test_another_districts_nodes_never_appear(client, users, planned, own_project, other_project):
    client.force_login(users["reporter_a"])
    ws = x.workbook(client.get(reverse("schedules:gantt_xlsx"))).active
    assert {r[1] for r in x.values(ws)} == {own_project.name}
    html = client.get(reverse("schedules:gantt_print")).content.decode()
    assert own_project.name in html and other_project.name not in html


def test_the_wall_chart_has_one_row_per_project_on_a4_landscape(client, users, planned, own_project, other_project):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("schedules:gantt_print"), {"window": "all"})
    html = response.content.decode()
    assert "@page { size: A4 landscape; }" in html
    assert "<h1>挂图作战节点计划</h1>" in html
    rows = x.tables(html)["wall-chart"]
    assert rows[0][:5] == ["序号", "项目", "联系领导", "预警", "进展"]
    body = rows[1:]
    assert [r[0] for r in body] == ["1", "2"]
    assert body[0][1] == f"{own_project.name}兰山区" and body[1][1] == f"{other_project.name}罗庄区"
    assert body[0][3] == "绿灯"
    assert body[0][4].startswith("逾期：=1+1（10天）")
    assert f"已完成0/{len(planned)}个节点" in body[0][4]
    assert html.count('class="diamond s-overdue"') == 1  # the one late node, red
    assert html.count('class="diamond s-planned"') == 2 * len(planned) - 1
    assert 'class="today"' in html
    page = client.get(reverse("schedules:gantt"), {"region": ""}).content.decode()
    assert 'href="/schedules/gantt/print/?region="' in page and 'href="/schedules/gantt/export.xlsx?region="' in page
