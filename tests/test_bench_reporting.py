"""`tuijin bench reporting`: one JSON object from a throw-away database; a generator whose cumulative
figures are the services' own; and the period overview's fast paths (one grouped query, rows written in
Python) giving exactly what the two queries and the template loops gave."""

import json
import statistics
from collections import defaultdict
from copy import deepcopy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count, Max, Q
from django.template import engines
from django.utils import timezone, translation

from tuijin.org.choices import Role, Scope
from tuijin.org.models import Membership, Region
from tuijin.projects.bench import _principal, generate_province
from tuijin.projects.models import AnnualPlan, Project
from tuijin.reports import selectors, services, tables
from tuijin.reports.bench import HISTORY_MONTHS, generate_reporting
from tuijin.reports.choices import DEFAULT_REPORTING_STAGES, EDITABLE_STATES, PeriodStatus, ReportState
from tuijin.reports.models import ProgressReport, Reminder, ReportPeriod
from tuijin.reports.selectors import Overview, Tally

from .test_bench import _leftovers


@pytest.mark.usefixtures("throwaway_databases")
@pytest.mark.django_db
def test_the_reporting_bench_reports_one_json_object_and_leaves_the_configured_database_alone(db_state):
    before = db_state()
    leftovers = _leftovers()
    settings_before = deepcopy(settings.DATABASES["default"])
    default_connection = connections["default"]
    out, err = StringIO(), StringIO()

    call_command("bench", "reporting", "--json", "--scale", "0.01", "--requests", "4", "--rounds", "2",
                 stdout=out, stderr=err)

    report = json.loads(out.getvalue())  # exactly one JSON object on stdout
    assert report["bench"] == "reporting"
    assert report["database"] == connection.vendor
    metrics, params = report["metrics"], report["params"]
    grid = f"grid_save_{params['grid_rows']}"
    assert set(metrics) == {grid, f"grid_page_{params['grid_rows']}", "grid_save_queries", "period_overview_p50",
                            "period_overview_p95", "deadline_submit_p50", "deadline_submit_p95",
                            "ledger_with_reports_p50", "ledger_with_reports_p95"}
    for key, target in ((grid, 300), ("period_overview_p95", 200), ("deadline_submit_p95", 1000),
                        ("ledger_with_reports_p95", 80)):
        metric = metrics[key]
        assert metric["unit"] == "ms" and metric["value"] > 0 and metric["target"] == target
        assert metric["ok"] is (metric["value"] <= metric["target"])
    assert metrics["period_overview_p50"]["target"] is None and metrics["period_overview_p50"]["ok"] is None
    # The figures are what the rounds give: a grid save is the median of the rounds' medians, a p95 the
    # median of the rounds' p95; no p50 is above its p95.
    saves = params["grid_save_ms_per_round"]
    assert len(saves) == 2 and all(len(r) == params["grid_saves_per_round"] for r in saves)
    assert metrics[grid]["value"] == pytest.approx(statistics.median(statistics.median(r) for r in saves), abs=0.1)
    for key, rounds in (("period_overview", "overview_p95_per_round"), ("deadline_submit", "submit_p95_per_round")):
        assert metrics[f"{key}_p95"]["value"] == pytest.approx(statistics.median(params[rounds]), abs=0.1)
        assert metrics[f"{key}_p50"]["value"] <= metrics[f"{key}_p95"]["value"]
    # A grid save is a batch: a few dozen statements whatever its rows (tests/reports/test_grid_batch.py holds
    # 200 rows to the same 40), never one or more per row.
    assert metrics["grid_save_queries"]["unit"] == "queries"
    assert 0 < metrics["grid_save_queries"]["value"] <= 40
    assert params["projects"] == 200
    assert params["periods"] == HISTORY_MONTHS + 1
    assert params["reports"] == params["periods"] * params["reporting_projects"]
    assert params["grid_rows"] >= 1
    assert params["rounds"] == 2 and len(params["grid_save_ms_per_round"]) == 2
    assert len(params["overview_p95_per_round"]) == 2 and len(params["submit_p95_per_round"]) == 2
    assert params["submits_per_round"] >= 2 and params["submit_threads"] >= 1
    assert len(params["calibration_ms"]) == 2 and len(params["load_average"]) == 2
    if connection.vendor == "sqlite":
        assert params["journal_mode"] == "wal"

    # The configured database is untouched and still the one in use; nothing is left behind.
    assert db_state() == before
    assert not Region.objects.filter(code="370100").exists()
    assert connections["default"] is default_connection
    assert settings.DATABASES["default"] == settings_before
    assert _leftovers() == leftovers


TODAY = date(2026, 3, 14)  # a year boundary inside the three years: periods from 2023-03 to 2026-03


@pytest.fixture
def generated(db):
    data = generate_province(200, seed=3)
    reviewer = _principal("bench_dispatcher", data.governments[data.province.pk], Role.DISPATCHER)
    return data, generate_reporting(data, seed=3, reviewer=reviewer, today=TODAY, grid_rows=6)


def test_the_generator_writes_a_report_per_reporting_project_and_month(generated):
    data, reporting = generated
    periods = list(ReportPeriod.objects.order_by("starts_on"))
    assert [(p.year, p.month) for p in periods][:2] == [(2023, 3), (2023, 4)]
    assert [(p.year, p.month) for p in periods][-1] == (2026, 3)
    assert len(periods) == HISTORY_MONTHS + 1
    assert [p.status for p in periods] == [PeriodStatus.CLOSED] * HISTORY_MONTHS + [PeriodStatus.OPEN]
    assert reporting.open_period.pk == periods[-1].pk
    # What period_open would pick: not archived, in construction or 前期.
    reporting_ids = set(Project.objects.filter(is_archived=False, stage__canonical__in=DEFAULT_REPORTING_STAGES)
                        .values_list("pk", flat=True))
    for period in periods:
        assert set(period.reports.values_list("project_id", flat=True)) == reporting_ids
        assert not period.reports.exclude(period_end=period.ends_on).exists()
    assert ProgressReport.objects.count() == len(periods) * len(reporting_ids) == reporting.counts["reports"]
    units = dict(Project.objects.values_list("pk", "lead_unit_id"))
    assert all(units[pk] == unit for pk, unit in ProgressReport.objects.values_list("project_id", "unit_id"))
    # Pending reports carry no amount; every other one does; closed months are mostly approved.
    assert not ProgressReport.objects.filter(state=ReportState.PENDING, amount__isnull=False).exists()
    assert not ProgressReport.objects.exclude(state=ReportState.PENDING).filter(amount__isnull=True).exists()
    closed = ProgressReport.objects.filter(period__status=PeriodStatus.CLOSED)
    assert closed.filter(state=ReportState.APPROVED).count() > 0.85 * closed.count()
    # The grid district keeps exactly grid_rows editable reports in the open month.
    grid = ProgressReport.objects.filter(period=reporting.open_period, project__region_id=reporting.grid_region_id)
    assert grid.filter(state__in=list(EDITABLE_STATES)).count() == reporting.grid_rows == 6
    assert ProgressReport.history.count() == 0  # bench data is written without history


def test_the_generated_cumulative_figures_are_what_the_services_compute(generated):
    data, reporting = generated
    ids = list(ProgressReport.objects.values_list("project_id", flat=True).distinct())
    # Recomputed by the services from the first year on, and from this year on: nothing changes, the
    # plans' counted figures (their latest report's) included.
    carried = sorted(AnnualPlan.objects.values_list("pk", "counted_approved", "counted_handed_in"))
    assert any(h >= a > 0 for _pk, a, h in carried)
    assert services.refresh_cumulative(ids, 2023) == 0
    assert services.refresh_cumulative(ids, 2026) == 0
    assert sorted(AnnualPlan.objects.values_list("pk", "counted_approved", "counted_handed_in")) == carried
    # …and by hand: each plan's approved figure is its year's approved amounts (0 without any).
    approved = defaultdict(lambda: Decimal("0.00"))
    for pk, end, amount in ProgressReport.objects.filter(state=ReportState.APPROVED).values_list(
            "project_id", "period_end", "amount"):
        approved[(pk, end.year)] += amount
    plans = AnnualPlan.objects.values_list("project_id", "year", "counted_approved")
    assert [(pk, year, done) for pk, year, done in plans if done != approved[(pk, year)]] == []

    # And by hand: 本年累计 is the year's amounts handed in so far plus the report's own; 开工累计 adds the year's opening balance, which
    # is the annual plan's 开工至上年底累计 when it gives one, otherwise where the year before ended.
    given = {(pk, year): before for pk, year, before in AnnualPlan.objects.filter(completed_before__gt=0)
             .values_list("project_id", "year", "completed_before")}
    by_project = defaultdict(list)
    for row in ProgressReport.objects.order_by("project_id", "period_end").values_list(
            "project_id", "period_end", "amount", "year_to_date", "since_start", "state"):
        by_project[row[0]].append(row[1:])
    checked = 0
    for pk, rows in by_project.items():
        year, opening, ytd = None, Decimal("0.00"), Decimal("0.00")
        for end, amount, year_to_date, since_start, state in rows:
            if end.year != year:
                opening = given.get((pk, end.year), opening + ytd)
                year, ytd = end.year, Decimal("0.00")
            shown = ytd + (amount or 0)  # a report shows its own amount on top of what was handed in
            assert (year_to_date, since_start) == (shown, opening + shown), (pk, end)
            if state in ("submitted", "approved"):
                ytd = shown  # only amounts handed in carry forward
            checked += 1
        total = Project.objects.get(pk=pk).total_investment
        assert rows[-1][3] <= total  # never more than the project's total investment
    assert checked == ProgressReport.objects.count()


def _old_period_overview(user, period):
    """period_overview as it was before the reporting bench: one grouped query by unit, one by region."""
    reports = ProgressReport.objects.visible_to(user).filter(period=period).order_by()
    total = Tally(name="合计")
    units: dict = {}
    rows = reports.values_list("unit_id", "unit__name", "state").annotate(
        n=Count("id"), late=Count("id", filter=Q(is_late=True))).order_by("unit_id")
    for unit_id, unit_name, state, n, late in rows:
        tally = units.setdefault(unit_id, Tally(name=unit_name or "（未指定牵头单位）", key=unit_id))
        for t in (tally, total):
            t.counts[state] += n
            t.required += n
            t.late += late
    regions: dict = {}
    for region_id, region_name, path, state, n, late in reports.values_list(
        "project__region_id", "project__region__name", "project__region__path", "state"
    ).annotate(n=Count("id"), late=Count("id", filter=Q(is_late=True))):
        tally = regions.setdefault(region_id, Tally(name=region_name, key=path))
        tally.counts[state] += n
        tally.required += n
        tally.late += late
    for unit_id, n, last in Reminder.objects.filter(period=period).values_list("unit_id").annotate(
        n=Count("id"), last=Max("created_at")
    ):
        if unit_id in units:
            units[unit_id].reminders, units[unit_id].last_reminder = n, last
    by_unit = sorted(units.values(), key=lambda t: (-t.missing, t.name))
    by_region = sorted(regions.values(), key=lambda t: t.key)
    return Overview(period, total, by_unit, by_region, timezone.localdate() > period.due_on)


def test_the_overview_from_one_query_is_the_overview_from_two(generated):
    data, reporting = generated
    ProgressReport.objects.filter(pk__in=ProgressReport.objects.filter(period=reporting.open_period)
                                  .values_list("pk", flat=True)[:5]).update(unit=None, is_late=True)
    dispatcher = _principal("province", data.governments[data.province.pk], Role.DISPATCHER)
    city = data.cities[0]
    city_dispatcher = _principal("city", data.governments[city.pk], Role.DISPATCHER)
    unit = data.departments[city.pk][0]
    Reminder.objects.create(period=reporting.open_period, unit=unit, missing=3)
    Reminder.objects.create(period=reporting.open_period, unit=None, missing=1)
    unit_reporter = _principal("unit", unit, Role.REPORTER)
    Membership.objects.filter(user=unit_reporter).update(scope=Scope.UNIT)
    for user in (dispatcher, city_dispatcher, unit_reporter):
        for period in (reporting.open_period, reporting.periods[0]):
            assert selectors.period_overview(user, period) == _old_period_overview(user, period)


# The overview's rows as reports/period_detail.html wrote them before tables.py took over.
TEMPLATE_UNIT_ROWS = """{% load i18n tuijin %}<tbody>{% for t in overview.by_unit %}<tr{% if t.missing %} class="table-warning"{% endif %}>
<td>{% if t.missing %}<a href="?unit={{ t.key|default_if_none:'none' }}#missing">{{ t.name }}</a>{% else %}{{ t.name }}{% endif %}</td><td class="num">{{ t.required }}</td><td class="num">{{ t.handed_in }}</td><td class="num">{{ t.counts.approved }}</td>
<td class="num">{{ t.counts.returned }}</td><td class="num{% if t.missing %} text-danger fw-bold{% endif %}">{{ t.missing }}</td><td class="num">{{ t.late }}</td>
<td class="text-nowrap">{% if t.reminders %}<span class="small text-muted">{% blocktranslate with n=t.reminders %}已催{{ n }}次{% endblocktranslate %} {{ t.last_reminder|date:"m-d H:i" }}</span>{% endif %}
{% if is_office and period.is_open and t.missing %}<form method="post" action="{% url 'reports:period_remind' period.pk %}" class="d-inline">{% csrf_token %}<input type="hidden" name="unit" value="{{ t.key|default_if_none:'none' }}"><button class="btn btn-link btn-sm p-0" type="submit">{% translate "催报" %}</button></form>{% endif %}</td>
</tr>{% empty %}<tr><td colspan="8" class="text-center text-muted py-3">{% translate "本期没有需要填报的项目。" %}</td></tr>{% endfor %}</tbody>"""
TEMPLATE_REGION_ROWS = """{% load i18n tuijin %}<tbody>{% for t in overview.by_region %}<tr>
<td>{{ t.name }}</td><td class="num">{{ t.required }}</td><td class="num">{{ t.handed_in }}</td><td class="num{% if t.missing %} text-danger{% endif %}">{{ t.missing }}</td><td class="num">{{ t.late }}</td><td class="num">{{ t.rate|default_if_none:"—" }}{% if t.rate is not None %}%{% endif %}</td>
</tr>{% endfor %}</tbody>"""


def _tally(name, key, required, handed_in=0, approved=0, returned=0, late=0, reminders=0, last=None):
    tally = Tally(name=name, key=key, required=required, late=late, reminders=reminders, last_reminder=last)
    tally.counts.update(submitted=handed_in - approved, approved=approved, returned=returned)
    return tally


@pytest.mark.django_db
def test_the_overview_rows_written_in_python_match_the_template_loops_they_replace():
    when = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # 10 日 07:30 in 北京
    units = [
        _tally("<b>A&B</b> “局”", 7, 12, handed_in=3, approved=2, returned=1, late=1, reminders=2, last=when),
        _tally("（未指定牵头单位）", None, 4, reminders=1, last=when),
        _tally("全部上报的单位", 9, 1234, handed_in=1234, approved=1000, late=12),
        _tally("'引号'", 10, 0),
    ]
    regions = [_tally("兰山区", "/370000/371300/371302/", 3, handed_in=2, late=1),
               _tally("<罗庄区>", "/370000/371300/371311/", 0),
               _tally("高新区", "/370000/371300/371371/", 7, handed_in=7)]
    open_period = ReportPeriod(pk=41, year=2026, month=3, status=PeriodStatus.OPEN, due_on=TODAY,
                               starts_on=TODAY, ends_on=TODAY + timedelta(days=17))
    closed_period = ReportPeriod(pk=42, year=2026, month=2, status=PeriodStatus.CLOSED, due_on=TODAY,
                                 starts_on=TODAY, ends_on=TODAY)
    unit_template = engines["django"].from_string(TEMPLATE_UNIT_ROWS)
    region_template = engines["django"].from_string(TEMPLATE_REGION_ROWS)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for period in (open_period, closed_period):
                for rows in (units, []):
                    for is_office in (True, False):
                        overview = Overview(period, Tally(name="合计"), rows, regions, False)
                        context = {"overview": overview, "period": period, "is_office": is_office,
                                   "csrf_token": "Tok3n"}
                        expected = unit_template.render(context)
                        written = tables.render_unit_rows(overview, period=period, is_office=is_office,
                                                          csrf_token="Tok3n")
                        assert f"<tbody>{written}</tbody>" == expected
            overview = Overview(open_period, Tally(name="合计"), units, regions, False)
            assert f"<tbody>{tables.render_region_rows(overview)}</tbody>" == region_template.render(
                {"overview": overview})
