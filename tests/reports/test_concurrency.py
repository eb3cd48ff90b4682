"""Lost updates and double submits or approvals for the monthly dispatch, with real threads.

Each thread has its own database connection (a file database in WAL mode with IMMEDIATE
transactions on SQLite, the server on PostgreSQL) and closes it when done. The threads are released
together by a barrier once every one of them has "opened" the report, so all of them start from the
same version: the race the version check exists for.
"""

import re
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuijin.core.exceptions import ConflictError
from tuijin.org.choices import Role
from tuijin.projects.models import AnnualPlan
from tuijin.reports import services
from tuijin.reports.choices import ReportAction, ReportState
from tuijin.reports.models import ProgressReport, ReportEvent, ReportPeriod

from .. import factories as f

PAIRS = 50
PAIRS_PER_WAVE = 10
CLICKS = 20
WAIT = 15  # seconds a thread waits at the barrier for the others

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _file_or_server_database():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file database (tests/conftest.py puts the SQLite test database in a file)")


def run_threads(target, argument_lists) -> list:
    """Run target(barrier, *args) in one thread per argument list, released together by the barrier.

    Returns each thread's result in order; an unexpected exception becomes "error: <repr>". Every
    thread closes its own database connection.
    """
    barrier = threading.Barrier(len(argument_lists))
    results: list = [None] * len(argument_lists)

    def run(index, args):
        try:
            results[index] = target(barrier, *args)
        except Exception as exc:  # noqa: BLE001 - reported by the callers' assertions
            results[index] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, args)) for i, args in enumerate(argument_lists)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def _this_month() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month


# -------------------------------------------------------------------------------------------- CC-LOST


@pytest.fixture
def lost_update_setup():
    """Two clerks of 兰山区人民政府 and a period in which their office has PAIRS pending reports."""
    city = f.build_city()
    first = city.users["reporter_a"]
    second = f.member("reporter_a2", "钱兰山", city.units.lanshan_government, Role.REPORTER)
    projects = f.bulk_projects(PAIRS, region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
                               prefix="并发项目")
    year, month = _this_month()
    period = services.period_open(None, year=year, month=month, project_ids=[p.pk for p in projects])
    reports = list(period.reports.order_by("id"))
    assert len(reports) == PAIRS
    assert all(r.version == 1 and r.state == ReportState.PENDING for r in reports)
    assert ProgressReport.history.count() == 0 and ReportEvent.objects.count() == 0
    return period, reports, (first, second)


def _wanted(index: int, clerk: int) -> tuple[Decimal, str]:
    """What clerk 0 or 1 of pair `index` types in: different for every clerk."""
    return Decimal("100.00") * (clerk + 1) + index + Decimal("0.25"), f"第{index}对第{clerk + 1}人：主体施工完成{index}%"


def _waves(reports):
    """The pairs, PAIRS_PER_WAVE at a time (2 threads each)."""
    for start in range(0, len(reports), PAIRS_PER_WAVE):
        yield [(start + offset, report) for offset, report in enumerate(reports[start:start + PAIRS_PER_WAVE])]


def _race(target, reports) -> dict[int, dict[int, str]]:
    """Both clerks of every pair run target(barrier, index, clerk, report_id): {pair: {clerk: outcome}}."""
    outcomes: dict[int, dict[int, str]] = {}
    for wave in _waves(reports):
        for result in run_threads(target, [(i, c, r.pk) for i, r in wave for c in (0, 1)]):
            assert isinstance(result, tuple), result
            index, clerk, outcome = result
            outcomes.setdefault(index, {})[clerk] = outcome
    assert len(outcomes) == PAIRS and all(len(pair) == 2 for pair in outcomes.values())
    return outcomes


def race_through_the_service(period, reports, clerks):
    """Threads calling services.reports_save: "saved", "conflict" (a BatchError naming the report and
    carrying the winner's values) or what else happened."""

    def clerk_saves(barrier, index, clerk, report_id):
        try:
            opened = ProgressReport.objects.get(pk=report_id)  # both clerks open the same version
            amount, progress = _wanted(index, clerk)
            barrier.wait(timeout=WAIT)
            services.reports_save(clerks[clerk], period, [
                {"id": report_id, "version": opened.version, "amount": str(amount), "progress": progress},
            ])
        except services.BatchError as exc:
            problems = exc.problems
            if problems.errors or set(problems.conflicts) != {report_id}:
                return index, clerk, f"batch error: {problems}"
            # The loser is shown what the winner saved.
            fresh = problems.conflicts[report_id]
            if fresh.version != 2 or fresh.amount != _wanted(index, 1 - clerk)[0]:
                return index, clerk, f"stale conflict report: v{fresh.version} {fresh.amount}"
            return index, clerk, "conflict"
        except Exception as exc:  # noqa: BLE001 - an outcome the assertions report
            return index, clerk, f"error: {exc!r}"
        return index, clerk, "saved"

    return _race(clerk_saves, reports)


def race_over_http(period, reports, clerks):
    """Two logged-in browsers posting the single-report page (reports:report): "saved" (302),
    "conflict" (409 saying 已被〈the other clerk〉于 HH:MM 修改) or the status. Server errors are answered as a server would,
    with a 500, not raised into the test."""
    browsers = []
    for clerk in clerks:
        browser = Client(raise_request_exception=False)
        browser.force_login(clerk)
        browsers.append(browser)

    def clerk_posts(barrier, index, clerk, report_id):
        url = reverse("reports:report", args=[report_id])
        page = browsers[clerk].get(url)  # the clerk opens the form: it carries the version
        version = re.search(r'name="version" value="(\d+)"', page.content.decode())
        if page.status_code != 200 or version is None:
            barrier.abort()
            return index, clerk, f"GET {page.status_code}, version {version}"
        amount, progress = _wanted(index, clerk)
        barrier.wait(timeout=WAIT)
        response = browsers[clerk].post(url, {
            "version": version.group(1), "amount": str(amount), "progress": progress, "action": "save",
        })
        if response.status_code == 302:
            return index, clerk, "saved"
        if response.status_code == 409 and f"已被{clerks[1 - clerk].get_full_name()}于 " in response.content.decode():
            return index, clerk, "conflict"
        return index, clerk, f"status {response.status_code}"

    return _race(clerk_posts, reports)


RACES = {"service": race_through_the_service, "http": race_over_http}


@pytest.mark.parametrize("transport", RACES)
def test_cc_lost_exactly_one_save_per_pair_and_no_silent_overwrite(lost_update_setup, transport):
    period, reports, clerks = lost_update_setup

    outcomes = RACES[transport](period, reports, clerks)

    not_one = {i: pair for i, pair in outcomes.items() if list(pair.values()).count("saved") != 1}
    assert not not_one, f"pairs without exactly one save: {not_one}"
    for index, report in enumerate(reports):
        winner = next(clerk for clerk, outcome in outcomes[index].items() if outcome == "saved")
        amount, progress = _wanted(index, winner)
        report.refresh_from_db()
        assert (report.amount, report.progress) == (amount, progress), f"pair {index}: not the winner's values"
        assert (report.version, report.state) == (2, ReportState.DRAFT)
        events = list(ReportEvent.objects.filter(report=report))
        assert [(e.action, e.user_id) for e in events] == [(ReportAction.SAVE, clerks[winner].pk)]
        history = list(report.history.all())
        assert len(history) == 1, f"pair {index}: {len(history)} history rows"
        assert (history[0].amount, history[0].progress, history[0].history_user_id) == (
            amount, progress, clerks[winner].pk)
    assert ReportEvent.objects.count() == PAIRS
    assert ProgressReport.history.count() == PAIRS


@pytest.mark.parametrize("transport", RACES)
def test_cc_lost_the_other_clerk_of_each_pair_is_told_of_the_conflict(lost_update_setup, transport):
    """The loser gets BatchError with the conflict (HTTP: 409 "已被他人修改"), never an error.

    On PostgreSQL (READ COMMITTED) both clerks usually pass the version check in check_rows and the
    loser is stopped by the version claim (the conditional UPDATE): that path must answer the same."""
    period, reports, clerks = lost_update_setup

    outcomes = RACES[transport](period, reports, clerks)

    unexpected = {i: pair for i, pair in outcomes.items() if sorted(pair.values()) != ["conflict", "saved"]}
    assert not unexpected, f"{len(unexpected)} pairs without one save and one conflict: {unexpected}"


def race_opposite_batches(period, reports, clerks) -> tuple[list, dict[int, dict[int, str]]]:
    """Two clerks save the same two reports at once, listed in opposite orders (an import, a grid sorted
    differently), for PAIRS // 2 rounds: the rounds and {round: {clerk: outcome}}."""
    rounds = [(reports[i], reports[i + 1]) for i in range(0, PAIRS, 2)]

    def save_batch(barrier, index, clerk, first, second):
        amount, progress = _wanted(index, clerk)
        ordered = (first, second) if clerk == 0 else (second, first)
        rows = [{"id": r.pk, "version": 1, "amount": str(amount), "progress": progress} for r in ordered]
        barrier.wait(timeout=WAIT)
        try:
            services.reports_save(clerks[clerk], period, rows)
        except services.BatchError as exc:
            return index, clerk, "conflict" if exc.problems.conflicts and not exc.problems.errors else repr(exc.problems)
        except Exception as exc:  # noqa: BLE001 - an outcome the assertions report
            return index, clerk, f"error: {exc!r}"
        return index, clerk, "saved"

    outcomes: dict[int, dict[int, str]] = {}
    for start in range(0, len(rounds), 5):
        wave = [(start + k, pair) for k, pair in enumerate(rounds[start:start + 5])]
        for result in run_threads(save_batch, [(i, c, a, b) for i, (a, b) in wave for c in (0, 1)]):
            assert isinstance(result, tuple), result
            index, clerk, outcome = result
            outcomes.setdefault(index, {})[clerk] = outcome
    return rounds, outcomes


def test_cc_lost_two_batches_in_opposite_orders_are_all_or_nothing(lost_update_setup):
    """One batch saves both reports, the other nothing: never one report from each clerk."""
    period, reports, clerks = lost_update_setup

    rounds, outcomes = race_opposite_batches(period, reports, clerks)

    for index, (first, second) in enumerate(rounds):
        first.refresh_from_db()
        second.refresh_from_db()
        winners = {clerk for clerk in (0, 1) if first.amount == _wanted(index, clerk)[0]}
        assert len(winners) == 1 and second.amount == first.amount, f"round {index}: a mixed batch"
        winner = winners.pop()
        assert outcomes[index][winner] == "saved" and outcomes[index][1 - winner] != "saved", outcomes[index]
        assert (first.version, second.version) == (2, 2)
        assert ReportEvent.objects.filter(report__in=[first, second]).count() == 2


def test_cc_lost_two_batches_in_opposite_orders_the_loser_is_told_of_the_conflict(lost_update_setup):
    period, reports, clerks = lost_update_setup

    _rounds, outcomes = race_opposite_batches(period, reports, clerks)

    unexpected = {i: pair for i, pair in outcomes.items() if sorted(pair.values()) != ["conflict", "saved"]}
    assert not unexpected, f"{len(unexpected)} rounds without one save and one conflict: {unexpected}"


# ------------------------------------------------------------------------------------------ CC-DOUBLE


@pytest.fixture
def drafted():
    """reporter_a's draft of own_project in this month's period (version 2), and the dispatcher."""
    city = f.build_city()
    project = f.build_own_project(city)
    year, month = _this_month()
    period = services.period_open(None, year=year, month=month, project_ids=[project.pk])
    report = period.reports.get()
    clerk = city.users["reporter_a"]
    services.reports_save(clerk, period, [
        {"id": report.pk, "version": report.version, "amount": "321.50", "progress": "桩基施工完成"},
    ])
    report.refresh_from_db()
    assert (report.state, report.version) == (ReportState.DRAFT, 2)
    return period, report, clerk, city.users["dispatcher"]


def submit_twenty_times(period, report, clerk, button) -> Counter:
    """CLICKS threads hand the draft in at once: "submitted", "rejected" (BatchError or
    ValidationError) or what else happened."""

    def submit(barrier):
        barrier.wait(timeout=WAIT)
        try:
            if button == "form":  # the same page's 上报 clicked 20 times: same version, same values
                services.reports_save(clerk, period, [
                    {"id": report.pk, "version": 2, "amount": "321.50", "progress": "桩基施工完成"},
                ], submit=True)
            else:  # the inbox's 上报 button: hands the draft in as it stands
                services.reports_submit(clerk, period, [report.pk])
        except (services.BatchError, ValidationError):
            return "rejected"
        return "submitted"

    return Counter(run_threads(submit, [()] * CLICKS))


@pytest.mark.parametrize("button", ["form", "inbox"])
def test_cc_double_twenty_concurrent_submits_make_one_transition(drafted, button):
    period, report, clerk, _dispatcher = drafted

    outcomes = submit_twenty_times(period, report, clerk, button)

    assert outcomes["submitted"] == 1, outcomes
    report.refresh_from_db()
    assert (report.state, report.version, report.submitted_by_id) == (ReportState.SUBMITTED, 3, clerk.pk)
    assert report.amount == Decimal("321.50")
    assert ReportEvent.objects.filter(report=report, action=ReportAction.SUBMIT).count() == 1
    assert ReportEvent.objects.filter(report=report).count() == 2  # the draft's save and the submit
    assert report.history.count() == 2


@pytest.mark.parametrize("button", ["form", "inbox"])
def test_cc_double_the_other_nineteen_submits_are_refused_not_errors(drafted, button):
    period, report, clerk, _dispatcher = drafted

    outcomes = submit_twenty_times(period, report, clerk, button)

    assert outcomes == {"submitted": 1, "rejected": CLICKS - 1}, outcomes


def test_cc_double_twenty_concurrent_approves_make_one_transition(drafted):
    period, report, clerk, dispatcher = drafted
    services.reports_submit(clerk, period, [report.pk])
    report.refresh_from_db()
    assert (report.state, report.version) == (ReportState.SUBMITTED, 3)

    def approve(barrier):
        barrier.wait(timeout=WAIT)
        try:
            services.report_approve(dispatcher, ProgressReport(pk=report.pk), version=3)
        except (ConflictError, ValidationError):
            return "rejected"
        return "approved"

    outcomes = run_threads(approve, [()] * CLICKS)

    assert Counter(outcomes) == {"approved": 1, "rejected": CLICKS - 1}, Counter(outcomes)
    report.refresh_from_db()
    assert (report.state, report.version, report.reviewed_by_id) == (ReportState.APPROVED, 4, dispatcher.pk)
    assert ReportEvent.objects.filter(report=report, action=ReportAction.APPROVE).count() == 1
    assert report.history.count() == 3  # draft, submit, approve
    plan = AnnualPlan.objects.get(project_id=report.project_id, year=period.year)
    assert plan.counted_approved == Decimal("321.50")


def test_cc_double_twenty_concurrent_opens_of_one_month_make_one_period():
    city = f.build_city()
    projects = [f.build_own_project(city), f.build_other_project(city)]
    dispatcher = city.users["dispatcher"]
    year, month = _this_month()

    def open_period(barrier):
        barrier.wait(timeout=WAIT)
        try:
            services.period_open(dispatcher, year=year, month=month)
        except ValidationError as exc:
            # "already opened", or (PostgreSQL, when the winner commits between the two checks) "overlaps it"
            text = " ".join(exc.messages)
            return "rejected" if "已经开启过" in text or "时间重叠" in text else f"other validation: {exc.messages}"
        return "opened"

    outcomes = run_threads(open_period, [()] * CLICKS)

    assert Counter(outcomes) == {"opened": 1, "rejected": CLICKS - 1}, Counter(outcomes)
    period = ReportPeriod.objects.get()
    assert (period.year, period.month) == (year, month)
    assert ReportPeriod.history.count() == 1
    assert sorted(period.reports.values_list("project_id", flat=True)) == sorted(p.pk for p in projects)
    assert ProgressReport.objects.count() == len(projects)
