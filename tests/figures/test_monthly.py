"""The figures month by month (monthly_figures: the cockpit's S-curve and problems by month) equal
figures() asked for each month, for the hand-built town (conftest.py), with filters and scopes; and the
light figures (红灯 / 黄灯 / 绿灯项目: the projects' current lights)."""

from datetime import date
from decimal import Decimal

import pytest

from tuijin.figures import sources
from tuijin.figures.registry import FIGURES
from tuijin.figures.selectors import FiguresError, figures, monthly_figures, monthly_keys
from tuijin.problems.choices import ProblemStatus
from tuijin.problems.models import Problem, ProblemType
from tuijin.projects.choices import Light
from tuijin.projects.models import AnnualPlan, Project
from tuijin.reports.models import ReportPeriod

D = Decimal
KEYS = monthly_keys(None)


def test_the_monthly_figures_are_the_year_plan_completion_and_problem_figures():
    assert set(KEYS) == {"projects", "total_investment", "annual_plan", "completed", "plan_rate", "plan_to_date",
                         "plan_to_date_rate", "time_progress", "deviation_points", "problems", "problems_closed",
                         "problem_close_rate", "problem_avg_days"}
    with pytest.raises(FiguresError, match="指标“start_rate”不能逐月统计"):
        monthly_keys(["completed", "start_rate"])


def _assert_each_month_equals_figures(user, filters=None):
    table = monthly_figures(user, period="2026-10", filters=filters)
    assert [m.period.key for m in table.months] == [f"2026-{n:02d}" for n in range(1, 13)]
    for month in table.months:
        expected = figures(user, period=month.period.key, filters=filters, keys=KEYS)
        assert month.values == expected.total.values, month.period.key
        assert month.basis.as_of == expected.basis.as_of, month.period.key
        for part in month.components:
            assert month.components[part] == expected.total.components[part], (month.period.key, part)
    return table


def test_each_month_equals_the_figures_of_that_month(town):
    table = _assert_each_month_equals_figures(None)
    # The series as worked out by hand: September's approved reports (P1 400, P2 10, P3 300, P5 1,000),
    # October's add P1 572 and P2 50 (P3's submitted and P5's returned do not count), November's P3 999.
    assert [table.month(n)["completed"] for n in (8, 9, 10, 11, 12)] == [
        D("0.00"), D("1710.00"), D("2332.00"), D("3331.00"), D("3331.00")]
    assert table.month(10)["plan_to_date"] == D("5771.43")       # as test_figures worked it out
    assert table.month(12)["time_progress"] == D("100.0")
    # Problems raised in 2026 (P1 Feb and Apr, P3 May, P4 Jul) and 销号 (P1's Mar 3 and Apr 20, P3's Nov 5).
    assert [table.month(n)["problems"] for n in (1, 2, 4, 5, 7, 11)] == [0, 1, 2, 3, 4, 4]
    assert [table.month(n)["problems_closed"] for n in (2, 3, 4, 10, 11)] == [0, 1, 2, 2, 3]
    # The as-of reporting period of each month: none before September's.
    assert table.month(8).basis.as_of is None and table.month(10).basis.as_of == town.periods.oct


@pytest.mark.parametrize("filters", [{"region": "lanshan"}, {"level": "省重点"}, {"q": "罗庄"}, {"light": "2"}])
def test_with_the_ledgers_filters(town, city, filters):
    from tuijin.projects.models import Level

    if "region" in filters:
        filters = {"region": city.regions.lanshan.pk}
    if "level" in filters:
        filters = {"level": Level.objects.get(name="省重点").pk}
    Project.objects.filter(pk=town.p.p3.pk).update(light=Light.RED)
    _assert_each_month_equals_figures(None, filters)


def test_over_a_users_scope(town, city):
    table = _assert_each_month_equals_figures(city.users["reporter_a"])
    assert table.month(12)["projects"] == 3                      # 兰山区: P1, P2, P6
    _assert_each_month_equals_figures(city.users["outsider"])


def test_edge_cases_closed_without_a_date_closed_next_year_and_uneven_monthly_plans(town):
    kind = ProblemType.objects.order_by("sort", "id").first()
    Problem.objects.create(project=town.p.p2, type=kind, description="无销号日期", raised_on=date(2026, 6, 1),
                           status=ProblemStatus.CLOSED, closed_on=None, days_to_close=3)
    Problem.objects.create(project=town.p.p2, type=kind, description="次年销号", raised_on=date(2026, 12, 1),
                           status=ProblemStatus.CLOSED, closed_on=date(2027, 1, 5), days_to_close=35)
    # Two plans with the same monthly plan and different amounts (the plans' rules forbid it; still exact).
    AnnualPlan.objects.filter(project=town.p.p4, year=2026).update(
        monthly_plan=AnnualPlan.objects.get(project=town.p.p2, year=2026).monthly_plan)
    table = _assert_each_month_equals_figures(None)
    assert table.month(6)["problems_closed"] == 3 and table.month(12)["problems"] == 6


def test_half_month_reporting_periods_the_as_of_period_is_the_latest_ending_by_the_months_end(town):
    first, second = (ReportPeriod.objects.create(year=2026, month=6, seq=seq, cadence="half", starts_on=start,
                                                 ends_on=end, due_on=end, status="closed")
                     for seq, start, end in ((1, date(2026, 6, 1), date(2026, 6, 15)),
                                             (2, date(2026, 6, 16), date(2026, 6, 30))))
    bases = sources.month_bases(2026, date(2026, 11, 20))
    assert [b.as_of for b in bases[4:8]] == [None, second, second, second]
    assert first.ends_on < second.ends_on
    _assert_each_month_equals_figures(None)


def test_the_light_figures_count_the_projects_current_lights(town):
    Project.objects.filter(pk__in=[town.p.p1.pk, town.p.p3.pk]).update(light=Light.RED)
    Project.objects.filter(pk=town.p.p2.pk).update(light=Light.YELLOW)
    Project.objects.filter(pk=town.p.p7.pk).update(light=Light.RED)  # 申报中: not among the figures' projects
    table = figures(None, period="2026-10", group_by="region")
    total = table.total
    assert (total["red_projects"], total["yellow_projects"], total["green_projects"]) == (2, 1, 3)
    lanshan = table.group("371302")
    assert (lanshan["red_projects"], lanshan["yellow_projects"], lanshan["green_projects"]) == (1, 1, 1)
    assert "不按统计期回溯" in str(FIGURES["red_projects"].definition)


@pytest.mark.parametrize("by", [None, "region", "stage", "responsible_unit"])
def test_a_figure_asked_alone_is_what_it_is_among_all(town, by):
    """The ledger's pass computes only the components asked for (a count alone is a plain grouped count):
    each figure alone, and a few together, equal the table of every figure; no component it did not
    compute is filled in."""
    everything = figures(None, period="2026-10", group_by=by)
    # (上年同期 alone makes no group: a group is one of this year's projects.)
    alone = [[key] for key in FIGURES if key != "completed_last_year"]
    for keys in alone + [["projects", "completed"], ["plan_to_date", "start_rate"], ["completed_last_year", "projects"]]:
        table = figures(None, period="2026-10", group_by=by, keys=keys)
        assert [g.key for g in table.groups] == [g.key for g in everything.groups], keys
        for group, expected in zip([*table.groups, table.total], [*everything.groups, everything.total], strict=True):
            assert group.values == {key: expected[key] for key in keys}, (keys, group.name)
    alone = figures(None, period="2026-10", group_by=by, keys=["projects"]).total.components
    assert "completed" not in alone and "plan_due" not in alone and "stage_construction" not in alone
    assert alone["projects"] == 6
