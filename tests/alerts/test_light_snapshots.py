"""The lights as of a month (alerts.LightSnapshot): recorded while the month is the one judged, begun by a
full recompute, kept by the refreshes after a save, and left as they were once the next month falls due."""

from datetime import date
from decimal import Decimal

import pytest

from tuijin.alerts import services
from tuijin.alerts.models import LightSnapshot, PeriodLight
from tuijin.projects.choices import Light
from tuijin.projects.models import AnnualPlan
from tuijin.reports import services as report_services
from tuijin.reports.models import ReportPeriod

from .test_engine import hand_in, make_project

D = Decimal
G, Y, R = Light.GREEN, Light.YELLOW, Light.RED
JUNE_JUDGED = date(2026, 7, 10)  # June's period fell due on 07-05; July's falls due on 08-05
JULY_JUDGED = date(2026, 8, 10)


@pytest.fixture
def three_months(city, users):
    """Two 续建 projects planning 1,200 万元 each for 2026, with May, June and July periods."""
    projects = [make_project(city, f"投资项目{n}") for n in (1, 2)]
    for p in projects:
        AnnualPlan.objects.create(project=p, year=2026, planned_investment=D("1200.00"))
    for month, due in ((5, date(2026, 6, 5)), (6, date(2026, 7, 5)), (7, date(2026, 8, 5))):
        report_services.period_open(users["dispatcher"], year=2026, month=month, due_on=due,
                                    project_ids=[p.pk for p in projects])
    return projects


def recorded(month: int) -> dict[int, tuple[int, str]]:
    period = ReportPeriod.objects.get(year=2026, month=month)
    return {pk: (light, reason) for pk, light, reason in
            PeriodLight.objects.filter(snapshot__period=period).values_list("project_id", "light", "reason")}


def test_a_full_recompute_records_the_judged_months_yellow_and_red_projects(three_months):
    behind, ahead = three_months
    hand_in(behind, 5, "0.00")
    hand_in(behind, 6, "0.00")      # 0 % of the plan against 序时 50 %: 50 points behind, red
    hand_in(ahead, 5, "300.00")
    hand_in(ahead, 6, "700.00")     # 58.3 %: ahead, green
    services.refresh(None, today=JUNE_JUDGED)
    behind.refresh_from_db()
    assert behind.light == R
    assert recorded(6) == {behind.pk: (R, behind.light_reason)}   # the green project is not listed
    assert "低于序时进度50.0个百分点" in behind.light_reason
    assert recorded(5) == {} and not LightSnapshot.objects.filter(period__month=5).exists()


def test_a_refresh_after_a_save_keeps_the_record_of_the_judged_month(three_months):
    behind, ahead = three_months
    hand_in(behind, 5, "0.00")
    hand_in(behind, 6, "0.00")
    services.refresh(None, today=JUNE_JUDGED)
    behind.refresh_from_db()
    assert {pk: light for pk, (light, _) in recorded(6).items()} == {behind.pk: R, ahead.pk: R}
    assert recorded(6)[behind.pk] == (R, behind.light_reason)
    hand_in(ahead, 6, "600.00")     # on 序时 now: green
    services.refresh([ahead.pk], today=JUNE_JUDGED)
    assert set(recorded(6)) == {behind.pk}
    hand_in(behind, 6, "482.40")    # 40.2 %: 9.8 points behind, green
    hand_in(ahead, 6, "480.00")     # 40.0 %: 10.0 points behind, yellow
    services.refresh([behind.pk, ahead.pk], today=JUNE_JUDGED)
    ahead.refresh_from_db()
    assert recorded(6) == {ahead.pk: (Y, ahead.light_reason)}


def test_a_partial_refresh_does_not_begin_a_months_record(three_months):
    behind, _ahead = three_months
    services.refresh([behind.pk], today=JUNE_JUDGED)
    behind.refresh_from_db()
    assert behind.light == R                                   # the project's own light is judged
    assert not LightSnapshot.objects.exists()                  # but June's record waits for a full recompute


def test_a_months_record_stays_as_it_was_once_the_next_month_falls_due(three_months):
    behind, ahead = three_months
    services.refresh(None, today=JUNE_JUDGED)
    june = recorded(6)
    assert set(june) == {behind.pk, ahead.pk}
    for month in (5, 6, 7):
        hand_in(ahead, month, "1200.00")                        # the whole plan done: green from now on
    services.refresh(None, today=JULY_JUDGED)
    services.refresh([ahead.pk], today=JULY_JUDGED)
    assert recorded(6) == june                                   # June as it was judged then
    assert set(recorded(7)) == {behind.pk}                       # July: only the project still behind
    snapshot = LightSnapshot.objects.get(period__month=7)
    assert snapshot.begun_at <= snapshot.refreshed_at


def test_no_period_judged_means_no_record(city):
    services.refresh(None, today=date(2026, 1, 3))
    assert not LightSnapshot.objects.exists() and not PeriodLight.objects.exists()
