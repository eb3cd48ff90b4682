"""Every list's export (.xlsx) and print page runs the same number of queries for N rows as for 3N, as
its page does (tests/test_list_queries.py, whose scenes these reuse): an export reads its rows through the
page's own selector, in bulk, never one query per row. Each is checked to hold all its rows."""

from datetime import timedelta

import pytest
from django.urls import reverse

from . import factories as f
from .test_list_queries import (  # noqa: F401 - the scenes (fixtures) of the pages' own tests
    N,
    _seq,
    _submitted_period,
    grow_alerts,
    grow_nodes,
    grow_problems,
    problem_type,
    projects,
    queries,
    same_for_n_and_3n,
    today,
)

pytestmark = pytest.mark.django_db


EXPORTS = ("xlsx", "print")


@pytest.mark.parametrize("kind", EXPORTS)
@pytest.mark.parametrize("name", ["problems:list", "problems:overdue", "problems:stats"])
def test_the_problems_lists_exports_do_not_grow_with_the_rows(client, users, grow_problems, name, kind):  # noqa: F811
    from tuijin.org.models import Unit
    from tuijin.problems.models import Problem

    client.force_login(users["dispatcher"])

    def grow(n):
        shown = grow_problems(n)
        if name == "problems:overdue":  # the late ones
            return list(Problem.objects.filter(deadline__lt=today()).values_list("description", flat=True))
        if name == "problems:stats":  # a row per handling unit
            return list(Unit.objects.filter(name__startswith="责任单位").values_list("name", flat=True))
        return shown

    same_for_n_and_3n(client, reverse(f"{name}_{kind}"), grow)


@pytest.mark.parametrize("kind", EXPORTS)
def test_the_meetings_decisions_export_does_not_grow_with_the_rows(client, city, users, kind):
    from tuijin.problems.models import Meeting, Problem, SupervisionOrder

    client.force_login(users["dispatcher"])
    type_ = problem_type()

    def grow(n):
        batch, shown = next(_seq), []
        for i, project in enumerate(projects(city, n, f"交办项目{batch}-")):
            unit = f.UnitFactory(name=f"交办单位{batch}-{i}", region=city.regions.city)
            meeting = Meeting.objects.create(title=f"专题会{batch}-{i}", held_on=today() - timedelta(days=i),
                                             region=city.regions.city, kind="topic")
            meeting.projects.set([project])
            Problem.objects.create(project=project, type=type_, description=f"交办问题{batch}-{i}", meeting=meeting,
                                   raised_on=today(), handling_unit=unit, status="handling", deadline=today())
            SupervisionOrder.objects.create(
                year=today().year, seq=3000 + 100 * batch + i, project=project, basis="project", meeting=meeting, unit=unit,
                content=f"交办督办{batch}-{i}", reply_by=today(), status="issued", issued_on=today())
            shown += [f"交办问题{batch}-{i}", f"交办督办{batch}-{i}", unit.name]
        return shown

    same_for_n_and_3n(client, reverse(f"problems:meetings_{kind}"), grow)


@pytest.mark.parametrize("kind", EXPORTS)
def test_the_period_export_does_not_grow_with_its_reports(client, city, users, kind):
    """填报情况 of N reports, then (another period) 3N, each of another unit with a clerk of its own."""
    from tuijin.org.choices import Role
    from tuijin.reports import services

    client.force_login(users["dispatcher"])
    counts = []
    for month, n in ((5, N), (6, 3 * N)):
        made = projects(city, n, f"催报项目{month}-")
        for i, project in enumerate(made):
            f.member(f"chase{month}_{i}", f"催报对象{month}-{i}", project.lead_unit, Role.REPORTER)
        period = services.period_open(None, year=today().year - 1, month=month, project_ids=[p.pk for p in made])
        shown = [p.name for p in made] + [f"催报对象{month}-{i}" for i in range(n)]
        counts.append(queries(client, reverse(f"reports:period_{kind}", args=[period.pk]), shown))
    assert counts[0] == counts[1], f"the period's export: {counts[0]} queries for {N} reports, {counts[1]} for {3 * N}"


@pytest.mark.parametrize("kind", EXPORTS)
def test_the_review_export_does_not_grow_with_its_reports(client, city, users, kind):
    client.force_login(users["dispatcher"])
    counts = []
    for month, n in ((7, N), (8, 3 * N)):
        period, made = _submitted_period(city, month, n, f"审核导出{month}-")
        shown = [p.name for p in made] + [f"审核导出{month}-填报员{i}" for i in range(n)]
        counts.append(queries(client, reverse(f"reports:review_{kind}", args=[period.pk]), shown))
    assert counts[0] == counts[1], f"the review export: {counts[0]} queries for {N} reports, {counts[1]} for {3 * N}"


@pytest.mark.parametrize("kind", EXPORTS)
def test_the_warnings_export_does_not_grow_with_the_alerts(client, users, grow_alerts, kind):  # noqa: F811
    client.force_login(users["dispatcher"])
    same_for_n_and_3n(client, reverse(f"alerts:list_{kind}"), grow_alerts)


@pytest.mark.parametrize("options", ["", "?group=leader&window=all"])
@pytest.mark.parametrize("kind", EXPORTS)
def test_the_gantt_export_does_not_grow_with_the_projects(client, users, grow_nodes, kind, options):  # noqa: F811
    client.force_login(users["dispatcher"])
    same_for_n_and_3n(client, reverse(f"schedules:gantt_{kind}") + options, grow_nodes)
