"""One 口径 for 本年累计完成 (issue #13 §3): the ledger, its 合计 row, its export and the investment warning
read the same figure — the sum of the year's counted amounts up to one chosen period (by default the
year's latest period begun, stated in the header), counting approved reports only unless
settings.TUIJIN_COUNTED_REPORTS = "handed_in". Figures worked out by hand next to each literal.

Last year's periods, so that every month has begun whatever day the tests run.

    plan      January            February             March
P1 1,000.00   approved 100.10    approved 200.20      submitted 300.30
P2 2,000.00   approved   0.01    returned 999.99      approved   50.00
P3 3,000.00   draft     10.00    pending               approved    1.23
罗庄 (reporter_b's district) 5,000.00: approved 777.77 in January.
"""

import csv
from datetime import date
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.urls import reverse

from tuijin.alerts import engine
from tuijin.alerts.choices import Method
from tuijin.ledgerio.exporting import ledger_columns
from tuijin.projects.choices import Light
from tuijin.projects.models import AnnualPlan, Project
from tuijin.projects.selectors import current_year
from tuijin.reports import selectors, services
from tuijin.reports.choices import ReportState
from tuijin.reports.models import ProgressReport, ReportPeriod

from .. import factories as f

D = Decimal
Y = current_year() - 1
A, S, R, DR, P = ReportState.APPROVED, ReportState.SUBMITTED, ReportState.RETURNED, ReportState.DRAFT, ReportState.PENDING
TABLE = {
    "P1": ("1000.00", [(A, "100.10", "一月土方"), (A, "200.20", "二月基础"), (S, "300.30", "三月主体")]),
    "P2": ("2000.00", [(A, "0.01", "一月进场"), (R, "999.99", "二月退回"), (A, "50.00", "三月桩基")]),
    "P3": ("3000.00", [(DR, "10.00", "一月草稿"), (P, None, ""), (A, "1.23", "三月围挡")]),
}


@pytest.fixture
def ledger(city):
    projects = {}
    for name, (plan, _months) in TABLE.items():
        (project,) = f.bulk_projects(1, region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
                                     plan=D(plan), prefix=name, year=Y)
        projects[name] = project
    (other,) = f.bulk_projects(1, region=city.regions.luozhuang, lead_unit=city.units.luozhuang_government,
                               plan=D("5000.00"), prefix="罗庄", year=Y)
    Project.objects.filter(pk=projects["P1"].pk).update(light=Light.RED, light_reason="截至2月底完成年度计划30.0%")
    dispatcher = city.users["dispatcher"]
    periods = [services.period_open(dispatcher, year=Y, month=m, due_on=date(Y, m, 25)) for m in (1, 2, 3)]
    for name, (_plan, months) in TABLE.items():
        for period, (state, amount, progress) in zip(periods, months, strict=True):
            ProgressReport.objects.filter(period=period, project=projects[name]).update(
                state=state, amount=None if amount is None else D(amount), progress=progress)
    ProgressReport.objects.filter(period=periods[0], project=other).update(state=A, amount=D("777.77"), progress="罗庄")
    # The states were set directly: refresh the stored figures as the services do after every change.
    services.refresh_cumulative([*(p.pk for p in projects.values()), other.pk], Y)
    for period in periods[:2]:
        ReportPeriod.objects.filter(pk=period.pk).update(status="closed")
    return SimpleNamespace(projects=projects, other=other, periods=periods)


def ids(ledger, *names):
    return [ledger.projects[n].pk for n in names]


def test_completion_as_of_sums_the_approved_amounts_up_to_the_period(ledger):
    jan, feb, mar = (p.ends_on for p in ledger.periods)
    p1, p2, p3 = ids(ledger, "P1", "P2", "P3")
    assert selectors.completion_as_of([p1, p2, p3], jan) == {p1: D("100.10"), p2: D("0.01")}
    # February: P1 100.10 + 200.20; P2's returned 999.99 does not count
    assert selectors.completion_as_of([p1, p2, p3], feb) == {p1: D("300.30"), p2: D("0.01")}
    # March: P1's submitted 300.30 does not count; P2 0.01 + 50.00; P3 1.23 (its January draft does not)
    assert selectors.completion_as_of([p1, p2, p3], mar) == {p1: D("300.30"), p2: D("50.01"), p3: D("1.23")}
    # the total in one SUM: 300.30 + 50.01 + 1.23 = 351.54; with 罗庄's 777.77: 1,129.31
    assert selectors.completion_total(Project.objects.filter(pk__in=[p1, p2, p3]), mar) == D("351.54")
    assert selectors.completion_total(Project.objects.all(), mar) == D("1129.31")
    assert selectors.progress_as_of([p1, p2, p3], feb) == {p1: "二月基础", p2: "一月进场"}
    assert selectors.progress_as_of([p1, p2, p3], mar) == {p1: "二月基础", p2: "三月桩基", p3: "三月围挡"}


def test_the_plans_carry_the_years_latest_figure_by_both_rules(ledger):
    """As of the year's latest period the 合计 sums the plans' figures (AnnualPlan.counted_*), kept by
    refresh_cumulative: March's by each rule (P1 approved 300.30, handed in 600.60, …)."""
    carried = dict((pk, (a, h)) for pk, a, h in AnnualPlan.objects.filter(year=Y).values_list(
        "project_id", "counted_approved", "counted_handed_in"))
    p1, p2, p3 = ids(ledger, "P1", "P2", "P3")
    assert carried[p1] == (D("300.30"), D("600.60"))
    assert carried[p2] == (D("50.01"), D("50.01"))
    assert carried[p3] == (D("1.23"), D("1.23"))
    assert carried[ledger.other.pk] == (D("777.77"), D("777.77"))   # January's, its only report


def test_the_total_as_of_the_latest_period_falls_back_to_the_reports_where_a_plan_carries_nothing(ledger):
    """A plan made after its reports (nothing carried yet) and a project without a plan for the year
    count their reports' figure, as every project does as of an earlier period."""
    mar = ledger.periods[2].ends_on
    p1, p2, p3 = ids(ledger, "P1", "P2", "P3")
    everything = Project.objects.filter(pk__in=[p1, p2, p3])
    AnnualPlan.objects.filter(project_id=p1, year=Y).update(counted_approved=None, counted_handed_in=None)
    AnnualPlan.objects.filter(project_id=p3, year=Y).delete()
    assert selectors.completion_total(everything, mar) == D("351.54")       # 300.30 + 50.01 + 1.23
    # …and the plan's figure is what is summed where it carries one: a figure the reports do not give
    # shows through (here set by hand; the services never write one).
    AnnualPlan.objects.filter(project_id=p2, year=Y).update(counted_approved=D("1.00"))
    assert selectors.completion_total(everything, mar) == D("302.53")       # 300.30 + 1.00 + 1.23
    # As of February (not the year's latest period) every figure comes from the reports.
    assert selectors.completion_total(everything, ledger.periods[1].ends_on) == D("300.31")   # 300.30 + 0.01


def test_handed_in_rule_counts_submitted_reports_too(ledger, settings):
    settings.TUIJIN_COUNTED_REPORTS = "handed_in"
    mar = ledger.periods[2].ends_on
    p1, p2, p3 = ids(ledger, "P1", "P2", "P3")
    # P1 100.10 + 200.20 + 300.30 = 600.60; returned, draft and pending still do not count
    assert selectors.completion_as_of([p1, p2, p3], mar) == {p1: D("600.60"), p2: D("50.01"), p3: D("1.23")}
    assert selectors.completion_total(Project.objects.filter(pk__in=[p1, p2, p3]), mar) == D("651.84")
    assert selectors.progress_as_of([p1], mar) == {p1: "三月主体"}
    assert selectors.counted_label() == "已上报填报（含待审核）"


def cell(html: str, key: str) -> str:
    head = f'data-total="{key}">'
    start = html.index(head) + len(head)
    return html[start:html.index("</td>", start)]


def test_ledger_states_the_period_and_fills_the_totals_row(ledger, client, users):
    client.force_login(users["dispatcher"])
    html = client.get(reverse("projects:list"), {"year": Y}).content.decode()
    # default: the year's latest period begun (March), approved reports only — stated once
    assert f"本年累计完成：截至{Y}年3月，已审核填报" in html
    assert cell(html, "completed_ytd") == "1,129.31"       # 351.54 + 罗庄 777.77
    assert cell(html, "completion_rate") == "10.3%"        # 1,129.31 ÷ 11,000.00 = 10.266…%
    assert '<td class="num">300.30</td>\n<td class="num">30.0%</td>' in html    # P1: 300.30 ÷ 1,000
    assert '<td class="num">50.01</td>\n<td class="num">2.5%</td>' in html      # P2: 2.5005 % → 2.5
    assert "<div class=\"small text-muted\">截至" not in html  # no row carries a month of its own any more
    feb = ledger.periods[1]
    html = client.get(reverse("projects:list"), {"year": Y, "as_of": feb.pk}).content.decode()
    assert f"本年累计完成：截至{Y}年2月，已审核填报" in html
    assert cell(html, "completed_ytd") == "1,078.08"       # 300.30 + 0.01 + 777.77
    assert cell(html, "completion_rate") == "9.8%"         # 1,078.08 ÷ 11,000.00 = 9.800…%
    assert f'<option value="{feb.pk}" selected>' in html


def test_a_districts_totals_count_only_its_projects(ledger, client, users):
    client.force_login(users["reporter_a"])
    html = client.get(reverse("projects:list"), {"year": Y}).content.decode()
    assert cell(html, "completed_ytd") == "351.54"
    assert cell(html, "completion_rate") == "5.9%"         # 351.54 ÷ 6,000.00 = 5.859 %


@pytest.mark.parametrize("bad", ["abc", "99999999999999999999", "-1", ""])
def test_an_unknown_period_falls_back_to_the_latest(ledger, client, users, bad):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("projects:list"), {"year": Y, "as_of": bad})
    assert response.status_code == 200
    assert f"截至{Y}年3月，已审核填报" in response.content.decode()


def test_a_period_of_another_year_is_not_used(ledger, city, client, users):
    other = services.period_open(city.users["dispatcher"], year=Y - 1, month=6, due_on=date(Y - 1, 6, 25))
    client.force_login(users["dispatcher"])
    html = client.get(reverse("projects:list"), {"year": Y, "as_of": other.pk}).content.decode()
    assert f"截至{Y}年3月" in html


def test_a_year_without_periods_says_so(ledger, client, users):
    AnnualPlan.objects.filter(year=Y).update(year=Y - 3)
    client.force_login(users["dispatcher"])
    html = client.get(reverse("projects:list"), {"year": Y - 3}).content.decode()
    assert f"本年累计完成：{Y - 3}年尚无调度期" in html
    assert cell(html, "completed_ytd") == "—"


def test_export_carries_completion_rate_progress_and_light(ledger, client, users):
    client.force_login(users["reporter_a"])
    feb = ledger.periods[1]
    response = client.get(reverse("ledgerio:export_csv"), {"year": Y, "as_of": feb.pk, "sort": "name"})
    assert response.status_code == 200
    keys = [c.key for c in ledger_columns(Y)]
    header, totals, *rows = list(csv.reader(StringIO(response.content.decode("utf-8-sig"), newline="")))
    # the period and rule head the three columns (a CSV has no title rows)
    assert header[keys.index("completed_ytd")] == f"截至{Y}年2月，已审核填报/本年累计完成投资（万元）"
    assert header[keys.index("progress")] == f"截至{Y}年2月，已审核填报/形象进度"
    totals = dict(zip(keys, totals, strict=True))
    assert (totals["completed_ytd"], totals["completion_rate"]) == ("300.31", "5.0")   # 300.31 ÷ 6,000 = 5.005 %
    by_name = {row[keys.index("name")][:2]: dict(zip(keys, row, strict=True)) for row in rows}
    assert set(by_name) == {"P1", "P2", "P3"}
    p1 = by_name["P1"]
    assert (p1["completed_ytd"], p1["completion_rate"], p1["progress"], p1["light"], p1["light_reason"]) == (
        "300.30", "30.0", "二月基础", "红灯", "截至2月底完成年度计划30.0%")
    assert (by_name["P2"]["completed_ytd"], by_name["P2"]["completion_rate"], by_name["P2"]["progress"]) == (
        "0.01", "0.0", "一月进场")
    assert (by_name["P3"]["completed_ytd"], by_name["P3"]["progress"], by_name["P3"]["light"]) == ("0.00", "", "绿灯")


def test_the_investment_warning_reads_the_same_figure(ledger):
    # March, approved only: P1 300.30 of 1,000 = 30.0 % against 序时 3/12 = 25.0 % → not behind;
    # P2 50.01 of 2,000 = 2.5 % → 22.5 points behind; P3 1.23 of 3,000 = 0.041 % → 0.0 %, 25.0 points.
    rule = SimpleNamespace(method=Method.POINTS_BEHIND, min_annual_plan=None)
    found = engine.investment_lag(rule, Project.objects.filter(pk__in=ids(ledger, "P1", "P2", "P3")), date(Y, 5, 1),
                                  period=ledger.periods[2])
    p1, p2, p3 = ids(ledger, "P1", "P2", "P3")
    assert p1 not in found
    assert (found[p2].value, found[p2].reason) == (
        D("22.5"), f"截至{Y}年3月底完成年度计划2.5%，低于序时进度22.5个百分点（据{Y}年3月已审核填报，本年累计50.01万元；年度计划2,000.00万元）")
    assert found[p3].value == D("25.0")
