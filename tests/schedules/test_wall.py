"""挂图作战 as a wall chart (issue #17 §5): one row per project (full name, 分包领导, light) with its plan as a
bar and its nodes as diamonds coloured by state, expandable to a row per node; grouped by 县区, 牵头单位
or 分包领导; this year's axis by default, the whole plan on request; pages of WALL_PAGE projects.

The city on 2026-06-15 (every number below is worked out by hand from these dates; 2026 has 365 days,
so a day d days after 1 January sits at d × 100 / 365 percent of this year's axis):

- A 兰山区智慧物流园区 (兰山区, led by 兰山区人民政府, 分包领导 王建国 and 挂点领导 李明, red light):
  节点一 planned 03-01 done 02-28 (按期完成), 节点二 04-01 done 04-10 (逾期完成, 9 days),
  节点三 06-01 open (已逾期, 14 days), 节点四 06-20 open (临近时限), 节点五 2027-03-01 (未到期).
- B 罗庄区冷链物流中心 (罗庄区, led by 罗庄区人民政府, 分包领导 李明, yellow light): 开工 2025-05-10 done
  that day, 竣工 2026-09-01 open.
- C 临沂市城市大脑 (the city's own, led by 临沂市人民政府, no leader, green): 上线 2026-12-31.
- D 兰山区储备项目 (兰山区): no node plan.
"""

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from tests import exports as x
from tests.factories import LeaderFactory, ProjectFactory
from tuijin.projects.choices import Admission, Light
from tuijin.projects.models import Project
from tuijin.schedules import selectors
from tuijin.schedules.models import Milestone

DAY = (2026, 6, 15)
pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("on_day", [DAY], indirect=True)]


def node(project, sort, name, planned, actual=None):
    return Milestone.objects.create(project=project, sort=sort, name=name, planned_date=planned, actual_date=actual)


@pytest.fixture
def wall_city(on_day, city, contact_leader):
    regions, units = city.regions, city.units
    li = LeaderFactory(name="李明", title="副市长", sort=1)
    a = ProjectFactory(name="兰山区智慧物流园区", region=regions.lanshan, lead_unit=units.lanshan_government,
                       leaders=[contact_leader, (li, "linked")])
    b = ProjectFactory(name="罗庄区冷链物流中心", region=regions.luozhuang, lead_unit=units.luozhuang_government, leaders=[li])
    c = ProjectFactory(name="临沂市城市大脑", region=regions.city, lead_unit=units.city_government)
    ProjectFactory(name="兰山区储备项目", region=regions.lanshan, lead_unit=units.lanshan_government)
    Project.objects.filter(pk=a.pk).update(light=Light.RED, light_reason="节点三已逾期14天")
    Project.objects.filter(pk=b.pk).update(light=Light.YELLOW)
    node(a, 1, "节点一", date(2026, 3, 1), date(2026, 2, 28))
    node(a, 2, "节点二", date(2026, 4, 1), date(2026, 4, 10))
    node(a, 3, "节点三", date(2026, 6, 1))
    node(a, 4, "节点四", date(2026, 6, 20))
    node(a, 5, "节点五", date(2027, 3, 1))
    node(b, 1, "开工", date(2025, 5, 10), date(2025, 5, 10))
    node(b, 2, "竣工", date(2026, 9, 1))
    node(c, 1, "上线", date(2026, 12, 31))
    return {"A": a, "B": b, "C": c, "li": li}


def wall_json(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("schedules:gantt_data"), params)
    assert response.status_code == 200
    return response.json()


def row_named(payload, name):
    return next(r for r in payload["rows"] if r["name"] == name)


def test_one_row_per_project_with_its_nodes_as_diamonds_on_this_years_axis(client, users, wall_city):
    payload = wall_json(client, users["dispatcher"])
    # Ordered by region: the city's own project, then 兰山区, then 罗庄区; D has no plan, so no row.
    assert [r["name"] for r in payload["rows"]] == ["临沂市城市大脑", "兰山区智慧物流园区", "罗庄区冷链物流中心"]
    assert payload["note"] == "共3个项目；另有1个项目尚未编制节点计划"
    assert payload["window"] == {"key": "year", "start": "2026-01-01", "end": "2027-01-01", "last": "2026-12-31",
                                 "label": "2026年"}
    assert [t[2] for t in payload["ticks"]] == [f"{m}月" for m in range(1, 13)]
    assert payload["ticks"][0] == [0.0, 8.493, "1月"]  # 31 of 365 days
    assert payload["today"] == "2026-06-15" and payload["today_x"] == 45.205  # day 165

    a = row_named(payload, "兰山区智慧物流园区")
    assert a["url"] == reverse("schedules:project", args=[wall_city["A"].pk])
    assert (a["leaders"], a["leaders_title"]) == ("王建国", "分包领导：王建国；挂点领导：李明")
    assert (a["light"], a["light_label"], a["light_reason"]) == (2, "红灯", "节点三已逾期14天")
    assert (a["done"], a["count"], a["overdue"], a["overdue_label"]) == (2, 5, 1, "逾期1")
    assert [(n["name"], n["status"], payload["statuses"][n["status"]], n["days_late"]) for n in a["nodes"]] == [
        ("节点一", "done", "按期完成", 0), ("节点二", "done_late", "逾期完成", 9), ("节点三", "overdue", "已逾期", 14),
        ("节点四", "due_soon", "临近时限", 0), ("节点五", "planned", "未到期", 0)]
    assert [(n["planned"], n["actual"]) for n in a["nodes"][:3]] == [
        ("2026-03-01", "2026-02-28"), ("2026-04-01", "2026-04-10"), ("2026-06-01", None)]
    # Diamonds at the planned dates (days 59, 90, 151, 170); 节点五 is next year: counted at the right edge.
    assert [n["x"] for n in a["nodes"]] == [16.164, 24.658, 41.37, 46.575, None]
    assert (a["before"], a["before_node"], a["after"], a["after_node"]) == (0, None, 1, 4)
    # The tooltips' words, put together by wall.js: 节点二：计划2026-04-01，逾期完成（9天），实际2026-04-10.
    assert payload["words"] == {
        "title": "%(name)s：%(when)s，%(state)s", "planned": "计划%(d)s", "unscheduled": "未排期", "days": "（%(n)s天）",
        "actual": "，实际%(d)s", "after": "%(n)s个节点在%(d)s以后，最近的：%(node)s",
        "before": "%(n)s个节点在%(d)s以前，最近的：%(node)s"}
    # The plan's bar from its first node to the year's end (its last node is in 2027); done up to 节点二.
    assert a["summary"] == [16.164, 83.836] and a["done_bar"] == [16.164, 8.767]
    # Expanded: 节点二's bar runs from 节点一 (day 59) to its own day (90, inclusive); its actual date on day 99.
    assert a["nodes"][1]["bar"] == [16.164, 8.767] and a["nodes"][1]["actual_x"] == 27.123

    b = row_named(payload, "罗庄区冷链物流中心")
    assert (b["leaders"], b["light"], b["light_label"]) == ("李明", 1, "黄灯")
    assert [n["x"] for n in b["nodes"]] == [None, 66.575]  # 开工 was last year: counted at the left edge
    assert (b["before"], b["before_node"], b["after"]) == (1, 0, 0)
    assert b["summary"] == [0.0, 66.849] and b["done_bar"] is None  # what is done lies before this year

    c = row_named(payload, "临沂市城市大脑")
    assert (c["leaders"], c["leaders_title"], c["light"]) == ("", "", 0)
    assert [n["x"] for n in c["nodes"]] == [99.726]


def test_an_inferred_node_says_what_it_was_inferred_from(client, users, wall_city):
    Milestone.objects.filter(project=wall_city["C"]).update(marks="start")
    Project.objects.filter(pk=wall_city["C"].pk).update(actual_start=date(2026, 2, 1))
    payload = wall_json(client, users["dispatcher"])
    (c_node,) = row_named(payload, "临沂市城市大脑")["nodes"]
    assert (c_node["status"], c_node["label"], c_node["actual"]) == ("inferred", "已完成（据实际开工2026-02-01推定）", None)
    c = row_named(payload, "临沂市城市大脑")
    assert (c["done"], c["done_bar"]) == (1, [99.726, 0.3])  # done up to its one day, drawn a sliver wide
    assert all("label" not in n for n in row_named(payload, "兰山区智慧物流园区")["nodes"])


def test_the_whole_plan_window_runs_from_the_first_node_to_the_last(client, users, wall_city):
    payload = wall_json(client, users["dispatcher"], window="all")
    # From May 2025 (B's 开工) to the end of March 2027 (A's 节点五): 700 days, labelled by quarter.
    assert payload["window"] == {"key": "all", "start": "2025-05-01", "end": "2027-04-01", "last": "2027-03-31",
                                 "label": "2025年5月至2027年3月"}
    assert [t[2] for t in payload["ticks"]] == ["2025年5月", "8月", "11月", "2026年2月", "5月", "8月", "11月", "2027年2月"]
    a = row_named(payload, "兰山区智慧物流园区")
    assert a["nodes"][4]["x"] == 95.571 and a["after"] == 0  # day 669 of 700
    assert payload["today_x"] == 58.571  # day 410
    assert row_named(payload, "罗庄区冷链物流中心")["before"] == 0


def test_grouped_by_district_the_citys_own_projects_come_first(client, users, wall_city):
    payload = wall_json(client, users["dispatcher"], group="region")
    assert payload["group_label"] == "按县区"
    assert [(g["name"], g["projects"], g["counts"], g["red"], g["yellow"]) for g in payload["groups"]] == [
        ("临沂市本级", 1, "1个项目", 0, 0), ("兰山区", 1, "1个项目", 1, 0), ("罗庄区", 1, "1个项目", 0, 1)]
    keys = [g["key"] for g in payload["groups"]]
    assert [r["group"] for r in payload["rows"]] == keys


def test_across_cities_a_district_is_named_with_its_city(client, users, regions, wall_city):
    from tuijin.org.models import Region

    jinan = Region.objects.create(code="370100", name="济南市", level="city", parent=regions.province)
    shizhong = Region.objects.create(code="370103", name="市中区", level="district", parent=jinan)
    node(ProjectFactory(name="济南市中区项目", region=shizhong), 1, "开工", date(2026, 8, 1))
    payload = wall_json(client, users["admin"], group="region")  # the admin sees both cities
    assert [g["name"] for g in payload["groups"]] == ["济南市 市中区", "临沂市本级", "临沂市 兰山区", "临沂市 罗庄区"]


def test_grouped_by_leader_each_project_is_under_its_first_contracted_leader(client, users, wall_city, contact_leader):
    payload = wall_json(client, users["dispatcher"], group="leader")
    # 李明 (sort 1) before 王建国 (sort 100); A is 王建国's (李明 is only its 挂点领导); C has no 分包领导.
    assert [(g["name"], g["projects"]) for g in payload["groups"]] == [
        ("李明（副市长）", 1), ("王建国（副市长）", 1), ("（未明确分包领导）", 1)]
    assert [r["name"] for r in payload["rows"]] == ["罗庄区冷链物流中心", "兰山区智慧物流园区", "临沂市城市大脑"]
    assert [r["group"] for r in payload["rows"]] == [str(wall_city["li"].pk), str(contact_leader.pk), "none"]


def test_grouped_by_lead_unit_the_citys_units_come_first(client, users, wall_city):
    payload = wall_json(client, users["dispatcher"], group="unit")
    assert [(g["name"], g["projects"], g["red"]) for g in payload["groups"]] == [
        ("临沂市人民政府", 1, 0), ("兰山区人民政府", 1, 1), ("罗庄区人民政府", 1, 0)]


def test_the_node_filter_keeps_the_projects_with_such_a_node_and_draws_those_nodes(client, users, wall_city):
    payload = wall_json(client, users["dispatcher"], status="overdue")
    assert [r["name"] for r in payload["rows"]] == ["兰山区智慧物流园区"]
    (a,) = payload["rows"]
    assert [n["name"] for n in a["nodes"]] == ["节点三"]
    assert a["summary"] == [16.164, 83.836]  # the bar is still the whole plan's
    assert payload["note"] == "共1个项目" and payload["without_plan"] is None
    done = wall_json(client, users["dispatcher"], status="done")
    assert [(r["name"], [n["name"] for n in r["nodes"]]) for r in done["rows"]] == [
        ("兰山区智慧物流园区", ["节点一", "节点二"]), ("罗庄区冷链物流中心", ["开工"])]


def test_the_ledger_filters_choose_the_projects(client, users, regions, wall_city, contact_leader):
    assert [r["name"] for r in wall_json(client, users["dispatcher"], region=regions.luozhuang.pk)["rows"]] == ["罗庄区冷链物流中心"]
    assert [r["name"] for r in wall_json(client, users["dispatcher"], leader=contact_leader.pk)["rows"]] == ["兰山区智慧物流园区"]
    assert [r["name"] for r in wall_json(client, users["dispatcher"], light=Light.YELLOW)["rows"]] == ["罗庄区冷链物流中心"]


def test_a_district_clerk_sees_only_the_districts_projects(client, users, wall_city):
    payload = wall_json(client, users["reporter_a"], group="region")
    assert [r["name"] for r in payload["rows"]] == ["兰山区智慧物流园区"]
    assert [g["name"] for g in payload["groups"]] == ["兰山区"]
    assert payload["note"] == "共1个项目；另有1个项目尚未编制节点计划"


def test_a_project_outside_the_ledger_has_no_light(client, users, wall_city):
    Project.objects.filter(pk=wall_city["B"].pk).update(admission=Admission.PENDING)
    b = row_named(wall_json(client, users["dispatcher"], group="region"), "罗庄区冷链物流中心")
    assert (b["light"], b["light_label"], b["light_reason"]) == (None, "", "")
    groups = wall_json(client, users["dispatcher"], group="region")["groups"]
    assert [(g["name"], g["yellow"]) for g in groups][-1] == ("罗庄区", 0)


def test_the_rows_come_in_pages(client, users, wall_city, monkeypatch):
    monkeypatch.setattr(selectors, "WALL_PAGE", 2)
    first = wall_json(client, users["dispatcher"], group="region")
    assert (first["page"], first["pages"], first["total"], first["truncated"]) == (1, 2, 3, True)
    assert [r["name"] for r in first["rows"]] == ["临沂市城市大脑", "兰山区智慧物流园区"]
    assert first["note"] == "共3个项目，本页第1–2个；另有1个项目尚未编制节点计划"
    second = wall_json(client, users["dispatcher"], group="region", page=2)
    assert [r["name"] for r in second["rows"]] == ["罗庄区冷链物流中心"]
    assert [(g["name"], g["counts"]) for g in second["groups"]] == [("罗庄区", "1个项目")]
    # A page beyond the last is the last.
    assert [r["name"] for r in wall_json(client, users["dispatcher"], page=9)["rows"]] == ["罗庄区冷链物流中心"]


def test_a_group_over_two_pages_says_how_many_of_it_this_page_shows(client, users, wall_city, monkeypatch):
    monkeypatch.setattr(selectors, "WALL_PAGE", 3)  # 临沂市本级, 兰山区, 罗庄区 | 罗庄区
    ProjectFactory(name="罗庄区第二个项目", region=wall_city["B"].region)
    node(Project.objects.get(name="罗庄区第二个项目"), 1, "开工", date(2026, 8, 1))
    payload = wall_json(client, users["dispatcher"], group="region", page=2)
    assert [(g["name"], g["projects"], g["shown"], g["counts"]) for g in payload["groups"]] == [
        ("罗庄区", 2, 1, "2个项目（本页1个）")]


@pytest.mark.parametrize("junk", ["x", "<script>", "leader'", "1e9", "-1", "999999999999999999999"])
def test_options_outside_their_choices_are_the_defaults(junk, client, users, wall_city):
    payload = wall_json(client, users["dispatcher"], group=junk, window=junk, page=junk)
    assert (payload["group"], payload["groups"], payload["window"]["key"], payload["page"]) == ("", [], "year", 1)
    assert len(payload["rows"]) == 3
    client.force_login(users["dispatcher"])
    assert client.get(reverse("schedules:gantt"), {"group": junk, "window": junk}).status_code == 200


def test_the_page_offers_the_options_and_keeps_the_ledgers_filters(client, users, wall_city):
    client.force_login(users["dispatcher"])
    page = client.get(reverse("schedules:gantt"), {"group": "leader", "window": "all", "region": ""}).content.decode()
    assert '<option value="leader" selected>按分包领导</option>' in page
    assert '<option value="all" selected>全周期</option>' in page
    for name in ("region", "unit", "leader", "light", "q", "status", "year", "level", "category", "stage", "program",
                 "admission"):
        assert f'name="{name}"' in page
    assert 'class="row g-2 align-items-end collapse" id="more-filters"' in page  # nothing chosen there: folded
    assert 'data-url="/schedules/gantt/data/?group=leader&amp;window=all&amp;region="' in page
    opened = client.get(reverse("schedules:gantt"), {"stage": wall_city["A"].stage_id}).content.decode()
    assert 'class="row g-2 align-items-end collapse show" id="more-filters"' in opened


def test_the_chart_speaks_english(client, users, wall_city):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    payload = wall_json(client, users["dispatcher"], group="region")
    assert payload["ticks"][0][2] == "Jan" and payload["ticks"][11][2] == "Dec"
    assert payload["note"] == "3 projects; 1 more has no milestone plan yet"
    assert payload["groups"][0]["name"] == "临沂市 (own level)" and payload["groups"][0]["counts"] == "1 project"
    a = row_named(payload, "兰山区智慧物流园区")
    assert (a["light_label"], payload["statuses"]["overdue"], a["overdue_label"]) == ("Red light", "Overdue", "1 late")
    assert (payload["words"]["title"], payload["words"]["planned"], payload["words"]["days"]) == (
        "%(name)s: %(when)s, %(state)s", "planned %(d)s", " (%(n)s days)")


# ------------------------------------------------------------------------------------- the print page


def test_the_print_page_is_the_wall_chart_grouped_with_the_year_window(client, users, wall_city):
    client.force_login(users["dispatcher"])
    html = client.get(reverse("schedules:gantt_print"), {"group": "leader"}).content.decode()
    assert "@page { size: A4 landscape; }" in html
    assert "时间范围：2026年　按分包领导　3个项目" in html
    table = x.tables(html)["wall-chart"]
    assert table[0][:5] == ["序号", "项目", "联系领导", "预警", "进展"]
    assert table[1] == ["李明（副市长）1个项目 黄灯1"]
    assert table[2][:4] == ["1", "罗庄区冷链物流中心罗庄区", "李明", "黄灯"]
    assert table[3] == ["王建国（副市长）1个项目 红灯1"]
    assert table[4][:4] == ["2", "兰山区智慧物流园区兰山区", "王建国", "红灯"]
    assert table[4][4] == "逾期：节点三（14天）下一节点：节点四 2026-06-20已完成2/5个节点"
    assert table[5] == ["（未明确分包领导）1个项目"]
    # A's four diamonds of this year in its states' colours (节点五 is counted at the edge), B's one, C's one.
    assert [html.count(f'class="diamond s-{s}"') for s in ("done", "done_late", "overdue", "due_soon", "planned")] == [1, 1, 1, 1, 2]
    assert html.count('class="edge after"') == 1 and html.count('class="edge before"') == 1
    assert html.count('class="today" style="left: 45.205%"') == 3
