"""Every list page runs the same number of queries for N rows as for 3N (no N+1).

Each page is rendered as a role that sees every row, once with N rows and once with 3N; the rows
differ in what a template might follow lazily (their project, region, units, leaders, people, linked
projects), so a missing select_related / prefetch_related shows as a count that grows. Each count is
taken after a warm-up request (the session, content types and the cached filter options), and each
page is checked to show all its rows, so an empty page cannot pass.

Pages here: problems (list, inbox, overdue, orders, stats, meetings, inspections, a project's tab), reports
(inbox, a period, the review queue, the grid, a project's tab), the admission queue, alerts and the Gantt
data in each grouping (the Gantt page itself lists nothing: it loads the data). The ledger (/projects/) and its
exports have their own tests (tests/test_ledger.py, tests/ledgerio/test_export.py); every other list's 导出Excel and 打印
theirs in tests/test_list_export_queries.py, on these scenes.
"""

import io
import json
from datetime import timedelta
from itertools import count

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from . import factories as f
from .exports import XLSX

pytestmark = pytest.mark.django_db

N = 4  # 3N = 12 rows still fit on the first page of every list (20 or 50 per page)
_seq = count(1)


def today():
    return timezone.localdate()


def queries(client, url: str, expected: list[str]) -> int:
    """The number of queries of one GET of `url`, after a warm-up GET; every text of `expected` is shown."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    body = body_text(response)
    missing = [text for text in expected if text not in body]
    assert not missing, f"{url} does not show {missing}"
    return len(captured)


def body_text(response) -> str:
    """What a response shows as text: a page, a JSON payload, or every cell of an .xlsx export."""
    if response["Content-Type"] == "application/json":
        return json.dumps(response.json(), ensure_ascii=False)
    if response["Content-Type"] == XLSX:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
                         if v is not None)
    return response.content.decode()


def same_for_n_and_3n(client, url: str, grow) -> tuple[int, int]:
    """grow(n) adds n rows and returns the texts they show; the counts for N and 3N rows must agree."""
    shown = grow(N)
    few = queries(client, url, shown)
    shown += grow(2 * N)
    many = queries(client, url, shown)
    assert few == many, f"{url}: {few} queries for {N} rows, {many} for {3 * N}"
    return few, many


def projects(city, n: int, prefix: str):
    """n projects alternating between the two districts, each with its own owner and leading units and a
    联系领导 (`project.lead_unit.name` is what the period page's unit rows show)."""
    from tuijin.projects.models import ProjectLeader, ProjectResponsibleUnit

    made = []
    for i in range(n):
        lanshan = i % 2 == 0
        region = city.regions.lanshan if lanshan else city.regions.luozhuang
        owner = f.UnitFactory(name=f"{prefix}业主{i}", region=region)
        lead = f.UnitFactory(name=f"{prefix}牵头单位{i}", region=region)
        project = f.bulk_projects(1, region=region, prefix=f"{prefix}{i}-", owner=owner, lead_unit=lead)[0]
        leader = f.LeaderFactory(name=f"{prefix}领导{i}", unit=city.units.city_government)
        ProjectLeader.objects.create(project=project, leader=leader, role="contracted")
        ProjectResponsibleUnit.objects.create(project=project, unit=city.units.transport)
        made.append(project)
    return made


# -------------------------------------------------------------------------------------- problems


def problem_type():
    from tuijin.problems.models import ProblemType

    return ProblemType.objects.get_or_create(name="用地")[0]


@pytest.fixture
def grow_problems(city):
    """grow(n): n problems, each on its own project, raised by a new clerk, handled by a new unit with
    another cooperating, escalated to the project's leader, with an event and a 督办 order each."""
    from tuijin.org.choices import Role
    from tuijin.problems.models import Event, Problem, SupervisionOrder

    def grow(n: int) -> list[str]:
        batch = next(_seq)
        shown = []
        for i, project in enumerate(projects(city, n, f"问题项目{batch}-")):
            unit = f.UnitFactory(name=f"责任单位{batch}-{i}", region=city.regions.city)
            helper = f.UnitFactory(name=f"配合单位{batch}-{i}", region=city.regions.city)
            clerk = f.member(f"clerk{batch}_{i}", f"填报员{batch}{i}", unit, Role.REPORTER)
            problem = Problem.objects.create(
                project=project, type=problem_type(), description=f"问题描述{batch}-{i}", raised_by=clerk,
                raised_on=today() - timedelta(days=5), handling_unit=unit, level=2, status="handling",
                coordinating_leader=project.leader_links.get().leader, deadline=today() + timedelta(days=i - 2))
            problem.cooperating_units.set([helper, city.units.transport])
            Event.objects.create(problem=problem, action="raise", actor=clerk, actor_unit=unit, at=timezone.now())
            SupervisionOrder.objects.create(
                year=today().year, seq=1000 * batch + i, project=project, basis="problem", problem=problem, unit=unit,
                content=f"督办内容{batch}-{i}", reply_by=today() + timedelta(days=i - 2), status="issued",
                issued_by=city.users["dispatcher"], issued_on=today() - timedelta(days=1))
            shown.append(project.name)
        return shown

    return grow


@pytest.mark.parametrize("name", ["problems:list", "problems:overdue", "problems:orders", "problems:stats"])
def test_the_problems_lists_do_not_grow_with_the_rows(client, users, grow_problems, name):
    client.force_login(users["dispatcher"])
    if name in {"problems:overdue", "problems:stats"}:
        # Overdue shows only the late half, stats no project names: require only that the page renders.
        def grow(n):
            grow_problems(n)
            return []

        same_for_n_and_3n(client, reverse(name), grow)
    else:
        same_for_n_and_3n(client, reverse(name), grow_problems)


def test_the_problems_inbox_does_not_grow_with_the_rows(client, users, grow_problems):
    """The handling unit's inbox: the problems of the handler's unit (市自然资源和规划局)."""
    from tuijin.problems.models import Problem

    client.force_login(users["handler"])
    land = users["handler"].memberships.get().unit

    def grow(n):
        shown = grow_problems(n)
        Problem.objects.filter(project__name__in=shown).update(handling_unit=land)
        return shown

    same_for_n_and_3n(client, reverse("problems:inbox"), grow)


@pytest.mark.parametrize("model_name", ["Meeting", "Inspection"])
def test_the_meeting_and_inspection_lists_do_not_grow_with_the_rows(client, city, users, model_name):
    from tuijin.problems import models

    model = getattr(models, model_name)
    url = reverse("problems:meetings" if model_name == "Meeting" else "problems:inspections")
    client.force_login(users["dispatcher"])

    def grow(n):
        batch, shown = next(_seq), []
        for i, project in enumerate(projects(city, n, f"会议项目{batch}-")):
            leader = f.LeaderFactory(name=f"主持{batch}-{i}", unit=city.units.city_government)
            person = {"chair": leader} if model_name == "Meeting" else {"leader": leader}
            title = f"{model._meta.verbose_name}{batch}-{i}"
            gathering = model.objects.create(title=title, held_on=today() - timedelta(days=i), region=city.regions.city,
                                             created_by=city.users["dispatcher"], **person)
            gathering.projects.set([project])
            shown.append(title)
        return shown

    same_for_n_and_3n(client, url, grow)


# --------------------------------------------------------------------------------------- reports


def test_the_period_page_does_not_grow_with_its_reports(client, city, users):
    """Each period (N reports, then 3N, each of another leading unit) on its own page, as the office sees it."""
    from tuijin.reports import services

    client.force_login(users["dispatcher"])
    counts = []
    for month, n in ((1, N), (2, 3 * N)):
        made = projects(city, n, f"月报项目{month}-")
        period = services.period_open(None, year=today().year - 1, month=month, project_ids=[p.pk for p in made])
        counts.append(queries(client, reverse("reports:period", args=[period.pk]), [p.lead_unit.name for p in made]))
    assert counts[0] == counts[1], f"the period page: {counts[0]} queries for {N} reports, {counts[1]} for {3 * N}"


def test_the_inbox_does_not_grow_with_the_reports(client, city, users):
    """The clerk's inbox of an open period: reporter_a's (兰山区) share of N, then 3N reports. (It runs a
    few queries per open period, by design: an office has one or two open at a time.)"""
    from tuijin.reports import services
    from tuijin.reports.models import ReportPeriod

    client.force_login(users["reporter_a"])
    counts = []
    for month, n in ((1, N), (2, 3 * N)):
        made = projects(city, n, f"待填项目{month}-")
        period = services.period_open(None, year=today().year - 1, month=month, project_ids=[p.pk for p in made])
        counts.append(queries(client, reverse("reports:inbox"), [period.label]))
        ReportPeriod.objects.filter(pk=period.pk).update(status="closed")  # one open period at a time
    assert counts[0] == counts[1], f"the inbox: {counts[0]} queries for {N} reports, {counts[1]} for {3 * N}"


# ---------------------------------------------------------------------------------------- alerts


@pytest.fixture
def grow_alerts(city):
    """grow(n): n projects, each with an active alert (red and yellow in turn) and its light."""
    from tuijin.alerts.models import Alert, AlertRule
    from tuijin.projects.choices import Light

    rule = AlertRule.objects.get(preset="standard", dimension="milestone_overdue")

    def grow(n):
        batch, now, shown = next(_seq), timezone.now(), []
        for i, project in enumerate(projects(city, n, f"预警项目{batch}-")):
            level = Light.RED if i % 2 else Light.YELLOW
            Alert.objects.create(project=project, rule=rule, dimension=rule.dimension, level=level, value=10 + i,
                                 reason=f"节点逾期{batch}-{i}", first_seen=now, last_seen=now, level_since=now)
            type(project).objects.filter(pk=project.pk).update(light=level)
            shown.append(f"节点逾期{batch}-{i}")
        return shown

    return grow


def test_the_alert_list_does_not_grow_with_the_alerts(client, users, grow_alerts):
    client.force_login(users["dispatcher"])
    same_for_n_and_3n(client, reverse("alerts:list"), grow_alerts)


# ------------------------------------------------------------------------------------- schedules


@pytest.fixture
def grow_nodes(city):
    """grow(n): n projects, each with a template's nodes planned backwards from a date of its own."""
    from tuijin.schedules import services
    from tuijin.schedules.models import MilestoneTemplate

    template = MilestoneTemplate.objects.get(kind="building")

    def grow(n):
        made = projects(city, n, f"进度项目{next(_seq)}-")
        for i, project in enumerate(made):
            services.apply_template(None, project, template, today() + timedelta(days=200 + 30 * i))
        return [project.name for project in made]

    return grow


@pytest.mark.parametrize("options", ["", "?group=region&window=all", "?group=unit", "?group=leader",
                                     "?group=leader&status=open"])
def test_the_gantt_data_does_not_grow_with_the_projects(options, client, users, grow_nodes):
    """挂图作战's rows (the JSON the wall chart loads), each project with a template's nodes, a lead unit and a
    分包领导 of its own (so each grouping's groups grow with the rows too)."""
    client.force_login(users["dispatcher"])
    same_for_n_and_3n(client, reverse("schedules:gantt_data") + options, grow_nodes)


# ------------------------------------------------------------------------- more reports and projects


def _submitted_period(city, month: int, n: int, prefix: str):
    """A period of n reports, each handed in by a clerk of its own (the queue shows who handed it in)."""
    from tuijin.org.choices import Role
    from tuijin.reports import services
    from tuijin.reports.models import ProgressReport

    made = projects(city, n, prefix)
    period = services.period_open(None, year=today().year - 1, month=month, project_ids=[p.pk for p in made])
    reports = list(ProgressReport.objects.filter(period=period).order_by("id"))
    services.reports_save(None, period, [
        {"id": r.pk, "version": r.version, "amount": f"{10 + i}.50", "progress": f"{prefix}进度{i}"}
        for i, r in enumerate(reports)], submit=True)
    for i, report in enumerate(reports):
        clerk = f.member(f"{prefix}clerk{i}", f"{prefix}填报员{i}", report.project.lead_unit, Role.REPORTER)
        ProgressReport.objects.filter(pk=report.pk).update(submitted_by=clerk)
    return period, made


def test_the_review_queue_does_not_grow_with_its_reports(client, city, users):
    """The office's review queue of a period: N handed-in reports, then (another period) 3N."""
    client.force_login(users["dispatcher"])
    counts = []
    for month, n in ((1, N), (2, 3 * N)):
        period, made = _submitted_period(city, month, n, f"审核项目{month}-")
        shown = [p.name for p in made] + [f"审核项目{month}-填报员{i}" for i in range(n)]
        counts.append(queries(client, reverse("reports:review", args=[period.pk]), shown))
    assert counts[0] == counts[1], f"the review queue: {counts[0]} queries for {N} reports, {counts[1]} for {3 * N}"


def test_the_grid_does_not_grow_with_its_reports(client, city, users):
    """The batch grid of a period (every report the user may fill): N reports, then (another period) 3N."""
    from tuijin.reports import services

    client.force_login(users["dispatcher"])
    counts = []
    for month, n in ((3, N), (4, 3 * N)):
        made = projects(city, n, f"批量填报项目{month}-")
        period = services.period_open(None, year=today().year - 1, month=month, project_ids=[p.pk for p in made])
        counts.append(queries(client, reverse("reports:grid", args=[period.pk]), [p.name for p in made]))
    assert counts[0] == counts[1], f"the grid: {counts[0]} queries for {N} reports, {counts[1]} for {3 * N}"


def test_a_projects_report_history_does_not_grow_with_its_periods(client, city, users):
    """A project's 月度调度 tab: its reports of N months, then of 3N months (one year's twelve)."""
    from tuijin.reports import services

    project = projects(city, 1, "历史月报项目")[0]
    client.force_login(users["dispatcher"])
    year = today().year - 1
    months = iter(range(1, 3 * N + 1))

    def grow(n):
        shown = []
        for month in (next(months) for _ in range(n)):
            period = services.period_open(None, year=year, month=month, project_ids=[project.pk])
            shown.append(period.label)
        return shown

    same_for_n_and_3n(client, reverse("reports:project", args=[project.pk]) + f"?year={year}", grow)


def test_the_admission_queue_does_not_grow_with_the_applications(client, city, users):
    """The office's 申报 queue: N projects applied for by clerks of their own, then 3N."""
    from tuijin.org.choices import Role
    from tuijin.projects.models import Project

    client.force_login(users["dispatcher"])

    def grow(n):
        batch = next(_seq)
        made = projects(city, n, f"申报项目{batch}-")
        for i, project in enumerate(made):
            clerk = f.member(f"applicant{batch}_{i}", f"申报人{batch}-{i}", project.lead_unit, Role.REPORTER)
            Project.objects.filter(pk=project.pk).update(admission="pending", applied_by=clerk, applied_at=timezone.now())
        return [p.name for p in made] + [f"申报人{batch}-{i}" for i in range(n)]

    same_for_n_and_3n(client, reverse("projects:admissions"), grow)


def test_a_projects_problems_do_not_grow_with_the_rows(client, city, users):
    """A project's 问题督办 tab: N problems (each with its own units, clerk and order), then 3N."""
    from tuijin.org.choices import Role
    from tuijin.problems.models import Problem, SupervisionOrder

    project = projects(city, 1, "问题多的项目")[0]
    leader = project.leader_links.get().leader
    client.force_login(users["dispatcher"])

    def grow(n):
        batch, shown = next(_seq), []
        for i in range(n):
            unit = f.UnitFactory(name=f"本项目责任单位{batch}-{i}", region=city.regions.city)
            helper = f.UnitFactory(name=f"本项目配合单位{batch}-{i}", region=city.regions.city)
            clerk = f.member(f"raiser{batch}_{i}", f"提出人{batch}{i}", unit, Role.REPORTER)
            problem = Problem.objects.create(
                project=project, type=problem_type(), description=f"本项目问题{batch}-{i}", raised_by=clerk,
                raised_on=today() - timedelta(days=5), handling_unit=unit, level=2, status="handling",
                coordinating_leader=leader, deadline=today() + timedelta(days=i - 2))
            problem.cooperating_units.set([helper, city.units.transport])
            SupervisionOrder.objects.create(
                year=today().year, seq=2000 + 100 * batch + i, project=project, basis="problem", problem=problem,
                unit=unit, content=f"本项目督办{batch}-{i}", reply_by=today() + timedelta(days=i - 2), status="issued",
                issued_by=city.users["dispatcher"], issued_on=today() - timedelta(days=1))
            shown += [unit.name]
        return shown

    same_for_n_and_3n(client, reverse("problems:project", args=[project.pk]), grow)
