"""The records' sources (tuijin.figures.sources): the one pass that PostgreSQL takes for every source of
records at once counts exactly what the pass per source (SQLite's) counts, for every dimension, on this
database."""

from dataclasses import replace

import pytest
from django.db.models import Q

from tuijin.figures import registry, sources
from tuijin.figures.periods import parse_period
from tuijin.figures.selectors import _projects, dimension_of, ledger_filter
from tuijin.projects.models import Project

RELATED_COMPONENTS = {name for name, source in registry.COMPONENTS.items() if source in sources.RELATED}
BY = ("region", "lead_unit", "responsible_unit", "category", "level", "stage", "program", "leader")


def _both(by, period="2026-10"):
    period = parse_period(period)
    filterset = ledger_filter(None, None, period.year)
    projects = _projects(filterset)
    basis = sources.basis_for(period)
    specs = [sources.RELATED[source] for source in sorted(sources.RELATED)]
    groupings = dimension_of(by, filterset).groupings() if by else [sources.Grouping()]
    for grouping in groupings:
        one = sources.related_components(specs, projects, grouping, basis)
        each: dict = {}
        for spec in specs:
            for key, components in sources.source_components(spec, projects, grouping, basis).items():
                each.setdefault(key, {}).update(components)
        yield one, each


@pytest.mark.parametrize("by", [None, *BY])
def test_one_pass_counts_what_a_pass_per_source_counts(town, by):
    for one, each in _both(by):
        assert one == each
        assert all(type(value) is int for components in one.values() for value in components.values())


def test_the_town_has_records_of_every_source_in_october(town):
    (one, _each), = _both(None)
    total = one[None]
    # Not a vacuous comparison: every source counts something in the town (conftest.py).
    for name in ("working", "milestones_due", "approvals_required", "problems", "reports_due"):
        assert total[name] > 0, name
    assert set(total) == RELATED_COMPONENTS


def test_a_period_whose_reports_are_not_due_yet_counts_no_reporting(town):
    # 2026-11 ends after today's date minus the deadline: no reporting period of its own is due yet.
    for one, each in _both("region", "2026-11"):
        assert one == each
        assert all("reports_due" not in components and components["problems"] >= 0 for components in one.values())
        assert any(components["working"] for components in one.values())


def test_no_project_counts_nothing_and_no_record_counts_zero(town):
    period = parse_period("2026-10")
    basis = sources.basis_for(period)
    specs = [sources.RELATED[source] for source in sorted(sources.RELATED)]
    nobody = Project.objects.none()  # a user without scope
    assert sources.related_components(specs, nobody, sources.Grouping("region_id"), basis) == {}
    total = sources.related_components(specs, nobody, sources.Grouping(), basis)[None]
    assert total == dict.fromkeys(RELATED_COMPONENTS, 0)
    # A condition no record can meet compiles to nothing: its counts are 0, the others unchanged.
    never = replace(sources.RELATED[registry.PROBLEMS], where=lambda b, prefix: Q(**{f"{prefix}pk__in": []}))
    projects = _projects(ledger_filter(None, None, period.year))
    found = sources.related_components([never, sources.RELATED[registry.MILESTONES]], projects, sources.Grouping(), basis)
    assert found[None]["problems"] == found[None]["problems_closed"] == found[None]["problem_days"] == 0
    assert found[None]["milestones_due"] == sources.source_components(
        sources.RELATED[registry.MILESTONES], projects, sources.Grouping(), basis)[None]["milestones_due"] > 0
