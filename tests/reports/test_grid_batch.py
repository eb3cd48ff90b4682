"""A grid save of many rows is a batch (issue #13 §7): a few dozen SQL statements for 200 rows, whatever
their number (today's main took ~620, three per row), with every behaviour a row-by-row save had — a
history row and a ReportEvent per report, later months' cumulative figures, the ledger's approved
figure, problems from the reports and the warnings refreshed (the report.changed handlers run inside
the count).
"""

from datetime import date
from decimal import Decimal

import pytest

from tuijin.problems.models import Event, Problem
from tuijin.projects.models import AnnualPlan
from tuijin.projects.selectors import current_year
from tuijin.reports import services
from tuijin.reports.choices import ReportAction, ReportState
from tuijin.reports.models import ProgressReport, ReportEvent

D = Decimal
ROWS = 200


@pytest.fixture
def grid(city):
    """200 projects of 兰山区 (reporter_a's district) with their March and April reports open."""
    from .. import factories as f

    year = current_year()
    f.bulk_projects(ROWS, region=city.regions.lanshan, lead_unit=city.units.lanshan_government)
    dispatcher = city.users["dispatcher"]
    march = services.period_open(dispatcher, year=year, month=3, due_on=date(year + 5, 1, 31))
    april = services.period_open(dispatcher, year=year, month=4, due_on=date(year + 5, 1, 31))
    return march, april


def rows_of(period, **values):
    return [{"id": pk, "version": version, **values}
            for pk, version in ProgressReport.objects.filter(period=period).order_by("pk").values_list("pk", "version")]


def test_grid_hand_in_of_200_rows_takes_a_few_dozen_statements(grid, city, django_assert_max_num_queries,
                                                                django_capture_on_commit_callbacks):
    march, april = grid
    clerk = city.users["reporter_a"]
    services.reports_save(clerk, march, rows_of(march, amount="1"))  # drafts first: a change of state and amount
    rows = rows_of(march, amount="12.34", progress="主体施工")
    with django_assert_max_num_queries(40), django_capture_on_commit_callbacks(execute=True):
        saved = services.reports_save(clerk, march, rows, submit=True)
    assert len(saved) == ROWS
    reports = list(ProgressReport.objects.filter(period=march))
    assert {(r.state, r.amount, r.version, r.year_to_date, r.since_start) for r in reports} == {
        (ReportState.SUBMITTED, D("12.34"), 3, D("12.34"), D("12.34"))}
    assert all(r.submitted_by == clerk and r.submitted_at for r in reports)
    ids = [r.pk for r in reports]
    # a history row per report and save, each with its reason and the stored values
    history = ProgressReport.history.filter(id__in=ids)
    assert history.filter(history_change_reason="保存草稿", amount=D("1.00"), version=2, history_user=clerk).count() == ROWS
    assert history.filter(history_change_reason="上报", amount=D("12.34"), version=3, state=ReportState.SUBMITTED,
                          history_type="~", history_user=clerk).count() == ROWS
    assert ReportEvent.objects.filter(report_id__in=ids, action=ReportAction.SUBMIT, from_state=ReportState.DRAFT,
                                      to_state=ReportState.SUBMITTED, user=clerk).count() == ROWS
    # the later month carries the handed-in amounts; nothing is approved, so the ledger's figure stays 0
    assert set(ProgressReport.objects.filter(period=april).values_list("year_to_date", flat=True)) == {D("12.34")}
    assert set(AnnualPlan.objects.filter(project__progress_reports__period=march).values_list(
        "counted_approved", flat=True)) == {D("0.00")}


def test_grid_draft_save_of_200_rows_takes_a_few_dozen_statements(grid, city, django_assert_max_num_queries,
                                                                   django_capture_on_commit_callbacks):
    march, april = grid
    clerk = city.users["reporter_a"]
    rows = rows_of(march, amount="2.50", progress="基础施工", workers_on_site="12")
    with django_assert_max_num_queries(40), django_capture_on_commit_callbacks(execute=True):
        saved = services.reports_save(clerk, march, rows)
    assert {(r.state, r.amount, r.workers_on_site) for r in saved} == {(ReportState.DRAFT, D("2.50"), 12)}
    assert ProgressReport.history.filter(history_change_reason="保存草稿", workers_on_site=12).count() == ROWS
    # a draft shows its own amount but does not carry into April
    assert set(ProgressReport.objects.filter(period=march).values_list("year_to_date", flat=True)) == {D("2.50")}
    assert set(ProgressReport.objects.filter(period=april).values_list("year_to_date", flat=True)) == {D("0.00")}


def test_hand_in_raising_200_problems_stays_a_batch(grid, city, django_assert_max_num_queries,
                                                   django_capture_on_commit_callbacks):
    """The worst case: every report raises a new problem (problems, their history and events too, and
    the warnings refreshed on the problem dimension as well)."""
    march, _april = grid
    clerk = city.users["reporter_a"]
    rows = rows_of(march, amount="3", progress="主体施工", problems="征地拆迁未完成，影响施工进度")
    with django_assert_max_num_queries(50), django_capture_on_commit_callbacks(execute=True):
        services.reports_save(clerk, march, rows, submit=True)
    problems = Problem.objects.filter(report__period=march)
    assert problems.count() == ROWS
    assert Problem.history.filter(history_change_reason="月报提出的问题", history_type="+",
                                  history_user=clerk).count() == ROWS
    assert Event.objects.filter(problem__in=problems, actor=clerk).count() == ROWS


def test_stale_row_in_a_batch_writes_nothing(grid, city):
    march, _april = grid
    clerk = city.users["reporter_a"]
    rows = rows_of(march, amount="5")
    first = ProgressReport.objects.get(pk=rows[-1]["id"])
    services.reports_save(city.users["dispatcher"], march, [{"id": first.pk, "version": first.version, "amount": "9"}])
    with pytest.raises(services.BatchError) as caught:
        services.reports_save(clerk, march, rows)
    assert list(caught.value.problems.conflicts) == [first.pk]
    assert caught.value.problems.conflicts[first.pk].amount == D("9.00")
    assert not ProgressReport.objects.filter(period=march, amount=D("5.00")).exists()
    assert ProgressReport.history.filter(history_change_reason="保存草稿").count() == 1
