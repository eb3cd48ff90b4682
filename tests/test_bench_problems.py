"""`tuijin bench problems`: one JSON object from a throw-away database, and a generator whose problems and
orders look like a province's (a realistic status mix, 办结用时 only where closed off, overdue ones, units
of the project's own district or city)."""

import json
import statistics
from collections import Counter
from copy import deepcopy
from datetime import date, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from tuijin.org.choices import Role
from tuijin.org.models import Region
from tuijin.problems import selectors
from tuijin.problems.bench import HISTORY_DAYS, _busiest_unit, generate_problems
from tuijin.problems.choices import ACTIVE_PROBLEM_STATES, OPEN_PROBLEM_STATES, OrderStatus, ProblemStatus
from tuijin.problems.models import Problem, ProblemType, SupervisionOrder
from tuijin.problems.views import PAGE
from tuijin.projects.bench import _principal, generate_province

from .test_bench import _leftovers

# A list page's queries, whatever its rows (7–11 today): a query per row of a 50-row page cannot fit.
QUERY_BUDGET = 20


@pytest.mark.usefixtures("throwaway_databases")
@pytest.mark.django_db
def test_the_problems_bench_reports_one_json_object_and_leaves_the_configured_database_alone(db_state):
    before = db_state()
    problems_before = (Problem.objects.count(), SupervisionOrder.objects.count())
    leftovers = _leftovers()
    settings_before = deepcopy(settings.DATABASES["default"])
    default_connection = connections["default"]
    out, err = StringIO(), StringIO()

    call_command("bench", "problems", "--json", "--scale", "0.01", "--requests", "4", "--rounds", "2",
                 stdout=out, stderr=err)

    report = json.loads(out.getvalue())  # exactly one JSON object on stdout
    assert report["bench"] == "problems"
    assert report["database"] == connection.vendor
    metrics, params = report["metrics"], report["params"]
    pages = ("unit_inbox", "overdue_list", "overdue_list_city", "closure_stats")
    assert set(metrics) == {f"{page}_{suffix}" for page in pages for suffix in ("p50", "p95", "queries")}
    for key, target in (("unit_inbox_p95", 80), ("overdue_list_p95", 80), ("overdue_list_city_p95", 80), ("closure_stats_p95", 300)):
        metric = metrics[key]
        assert metric["unit"] == "ms" and metric["value"] > 0 and metric["target"] == target
        assert metric["ok"] is (metric["value"] <= metric["target"])
    for page in pages:
        assert metrics[f"{page}_p50"]["target"] is None and metrics[f"{page}_p50"]["ok"] is None
        # Each p95 is the median of its rounds' p95, and no p50 is above its p95.
        assert metrics[f"{page}_p95"]["value"] == pytest.approx(statistics.median(params["p95_per_round"][page]), abs=0.1)
        assert metrics[f"{page}_p50"]["value"] <= metrics[f"{page}_p95"]["value"]
    # No page runs a query per row: the overdue list's first page is full (PAGE of the overdue problems),
    # and every page stays within a fixed budget far below one query per row. (That the lists' counts do
    # not grow with their rows at all is tests/test_list_queries.py's.)
    assert params["overdue_problems"] >= PAGE
    for page in pages:
        assert metrics[f"{page}_queries"]["unit"] == "queries"
        assert 0 < metrics[f"{page}_queries"]["value"] <= QUERY_BUDGET, (page, metrics[f"{page}_queries"])
    assert params["projects"] == 200
    assert params["problems"] == 1000 and sum(params["problem_statuses"].values()) == 1000
    assert params["orders"] == 30 and sum(params["order_statuses"].values()) == 30
    assert params["handler_unit_active"] >= 1 and params["overdue_problems"] >= 1
    assert params["dispatcher_visible"] == 1000  # the province dispatcher sees every problem
    assert params["rounds"] == 2 and all(len(p) == 2 for p in params["p95_per_round"].values())
    assert params["requests_per_page"] == 4
    assert len(params["calibration_ms"]) == 2 and len(params["load_average"]) == 2
    if connection.vendor == "sqlite":
        assert params["journal_mode"] == "wal"

    # The configured database is untouched and still the one in use; nothing is left behind.
    assert db_state() == before
    assert (Problem.objects.count(), SupervisionOrder.objects.count()) == problems_before
    assert not Region.objects.filter(code="370100").exists()
    assert connections["default"] is default_connection
    assert settings.DATABASES["default"] == settings_before
    assert _leftovers() == leftovers


TODAY = date(2026, 7, 10)


@pytest.fixture
def generated(db):
    data = generate_province(300, seed=5)
    dispatcher = _principal("bench_dispatcher", data.governments[data.province.pk], Role.DISPATCHER)
    result = generate_problems(data, seed=5, today=TODAY, problems=3000, orders=200, raised_by=dispatcher)
    return data, dispatcher, result


def test_the_generator_writes_a_realistic_mix(generated):
    data, dispatcher, result = generated
    assert Problem.objects.count() == 3000 == result.counts["problems"]
    statuses = Counter(Problem.objects.values_list("status", flat=True))
    assert dict(statuses) == result.counts["problem_statuses"]
    assert 0.55 < statuses[ProblemStatus.CLOSED] / 3000 < 0.65  # about 60% closed off
    assert all(statuses[s] > 0 for s in ProblemStatus.values)
    # 办结用时 is set exactly for the closed-off problems, and is what the dates say.
    assert not Problem.objects.exclude(status=ProblemStatus.CLOSED).filter(days_to_close__isnull=False).exists()
    for raised, closed, days in Problem.objects.filter(status=ProblemStatus.CLOSED).values_list(
            "raised_on", "closed_on", "days_to_close"):
        assert days == (closed - raised).days and closed <= TODAY
    assert not Problem.objects.filter(status__in=ACTIVE_PROBLEM_STATES, closed_on__isnull=False).exists()
    # Raised over the last two and a half years, never in the future; every seeded type used.
    days = Problem.objects.values_list("raised_on", flat=True)
    assert min(days) >= TODAY - timedelta(days=HISTORY_DAYS) and max(days) <= TODAY
    assert set(Problem.objects.values_list("type_id", flat=True)) == set(ProblemType.objects.values_list("pk", flat=True))
    # Open problems have deadlines around today: some overdue, some not yet.
    open_ = Problem.objects.filter(status__in=OPEN_PROBLEM_STATES)
    overdue = open_.filter(deadline__lt=TODAY).count()
    assert 0.15 * open_.count() < overdue < 0.6 * open_.count()
    assert selectors.overdue_problems(dispatcher, TODAY).count() == overdue
    # Bench data has no history and no timeline.
    assert Problem.history.count() == 0 and SupervisionOrder.history.count() == 0


def test_handling_and_cooperating_units_belong_to_the_project(generated):
    data, _dispatcher, result = generated
    city_of = {d.pk: d.parent_id for d in data.districts} | {c.pk: c.pk for c in data.cities}
    province_units = {u.pk for u in data.departments[data.province.pk]}
    rows = Problem.objects.values_list("project__region_id", "project__lead_unit_id", "project__owner_id",
                                       "handling_unit_id", "handling_unit__region_id")
    for region, lead, owner, unit, unit_region in rows:
        assert unit is None or unit in (lead, owner) or unit in province_units or unit_region in (region, city_of[region])
    assert Problem.objects.filter(handling_unit__isnull=True).exclude(status=ProblemStatus.PENDING).count() == 0
    links = Problem.cooperating_units.through.objects.values_list("problem__handling_unit_id", "unit_id")
    assert len(links) == result.counts["cooperating_links"] > 0
    assert all(helper != unit for unit, helper in links)


def test_orders_are_numbered_per_year_and_some_are_overdue(generated):
    _data, dispatcher, result = generated
    assert SupervisionOrder.objects.count() == 200
    numbers = list(SupervisionOrder.objects.values_list("year", "seq"))
    assert len(set(numbers)) == 200
    for year in {y for y, _s in numbers}:
        assert sorted(s for y, s in numbers if y == year) == list(range(1, 1 + sum(1 for y, _s in numbers if y == year)))
    orders = SupervisionOrder.objects.all()
    assert all(o.issued_on <= TODAY and o.reply_by > o.issued_on for o in orders)
    assert all(o.rectify_by for o in orders if o.status != OrderStatus.ISSUED)
    assert all(o.closed_on for o in orders if o.status == OrderStatus.CLOSED)
    # An order on a problem goes to its handling unit, on its project.
    for order in orders.filter(problem__isnull=False).select_related("problem"):
        assert (order.unit_id, order.project_id) == (order.problem.handling_unit_id, order.problem.project_id)
    assert 0 < selectors.overdue_orders(dispatcher, TODAY).count() < 200


def test_the_inbox_user_gets_the_longest_inbox(generated):
    unit, active = _busiest_unit()
    counts = Counter(Problem.objects.filter(status__in=ACTIVE_PROBLEM_STATES, handling_unit__isnull=False)
                     .values_list("handling_unit_id", flat=True))
    assert active == counts[unit.pk] == max(counts.values())
    handler = _principal("bench_handler", unit, Role.HANDLER)
    assert selectors.unit_inbox(handler).count() == active
