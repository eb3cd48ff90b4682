"""One 口径 for 本年累计完成 (issue #13 §3): the ledger, its 合计 row, its export and the investment warning
read the same figure — the sum of the year's counted amounts up to one chosen period (by default the
year's latest period already due, the one the warnings judge, stated in the header), counting approved
reports only unless settings.TUIJIN_COUNTED_REPORTS = "handed_in". Figures worked out by hand next to
each literal.

Last year's periods, so that every month has begun whatever day the tests run.

    plan      January            February             March
P1 1,000.00   approved 100.10    approved 200.20      submitted 300.30
P2 2,000.00   approved   0.01    returned 999.99      approved   50.00
P3 3,000.00   draft     10.00    pending               approved    1.23
罗庄 (reporter_b's district) 5,000.00: approved 777.77 in January.
"""

import csv
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from tuijin.alerts import engine
from tuijin.alerts.choices import Method
from tuijin.ledgerio.exporting import ledger_columns
from tuijin.projects import services as project_services
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


def test_a_plan_made_after_its_reports_carries_their_figure_from_its_first_save(ledger, users):
    p1 = ledger.projects["P1"]
    AnnualPlan.objects.filter(project=p1, year=Y).delete()
    plan = project_services.annual_plan_save(users["dispatcher"], AnnualPlan(
        project=p1, year=Y, planned_investment=D("1000.00"), completed_before=D("0.00")))
    plan.refresh_from_db()
    assert (plan.counted_approved, plan.counted_handed_in) == (D("300.30"), D("600.60"))  # March's, as refresh_cumulative
    # …and through the bulk path (the import, the demo): a new plan of an existing project.
    p2 = ledger.projects["P2"]
    AnnualPlan.objects.filter(project=p2, year=Y).delete()
    project_services.projects_bulk_save(None, [project_services.BulkProject(
        project=Project.objects.get(pk=p2.pk), original=Project.objects.get(pk=p2.pk),
        plans=[AnnualPlan(year=Y, planned_investment=D("900.00"), completed_before=D("0.00"))])], reason="测试")
    assert AnnualPlan.objects.filter(project=p2, year=Y).values_list("counted_approved", "counted_handed_in").get() == (
        D("50.01"), D("50.01"))


def test_the_plans_page_shows_the_figure_through_the_last_counted_month(ledger, client, users, settings):
    client.force_login(users["dispatcher"])
    url = reverse("projects:plans", args=[ledger.projects["P1"].pk])
    # P1: January and February approved (300.30), March only submitted: through February.
    assert '300.30<div class="small text-muted">截至2月</div>' in client.get(url).content.decode()
    settings.TUIJIN_COUNTED_REPORTS = "handed_in"
    assert '600.60<div class="small text-muted">截至3月</div>' in client.get(url).content.decode()


def test_the_total_is_the_plans_figure_and_a_project_without_a_plan_counts_its_reports(ledger):
    """As of the year's latest period the 合计 sums the plans' figures; a project without a plan for the
    year (the ledger's "all years") counts its latest report's, as every project did before."""
    mar, feb = ledger.periods[2].ends_on, ledger.periods[1].ends_on
    p1, p2, p3 = ids(ledger, "P1", "P2", "P3")
    everything = Project.objects.filter(pk__in=[p1, p2, p3])
    AnnualPlan.objects.filter(project_id=p3, year=Y).delete()
    assert selectors.completion_total(everything, mar) == D("351.54")       # 300.30 + 50.01 + 1.23
    assert selectors.completion_as_of(everything, mar) == {p1: D("300.30"), p2: D("50.01"), p3: D("1.23")}
    # The plan's figure is what is summed where there is one (set by hand; the services never differ).
    AnnualPlan.objects.filter(project_id=p2, year=Y).update(counted_approved=D("1.00"))
    assert selectors.completion_total(everything, mar) == D("302.53")       # 300.30 + 1.00 + 1.23
    # As of February (not the year's latest period) every figure comes from the reports.
    assert selectors.completion_total(everything, feb) == D("300.31")       # 300.30 + 0.01


def test_as_of_an_earlier_period_a_project_out_of_it_keeps_its_earlier_figure(ledger):
    """As of February each project's February report answers; one with no report in February (taken out,
    or added to the dispatch later) counts its latest report before, and one whose plan counts nothing
    all year counts nothing."""
    jan, feb, mar = ledger.periods
    p1, p2, p3 = ids(ledger, "P1", "P2", "P3")
    ProgressReport.objects.filter(period=feb, project_id=p1).delete()
    ProgressReport.objects.filter(period=feb, project_id=ledger.other.pk).delete()   # its only report is January's
    everything = Project.objects.all()
    assert selectors.completion_as_of(everything, feb.ends_on) == {
        p1: D("100.10"), p2: D("0.01"), ledger.other.pk: D("777.77")}                 # P1 and 罗庄: January's
    assert selectors.completion_total(everything, feb.ends_on) == D("877.88")         # 100.10 + 0.01 + 777.77
    (empty,) = f.bulk_projects(1, region=ledger.projects["P1"].region, lead_unit=ledger.projects["P1"].lead_unit,
                               plan=D("10.00"), prefix="空", year=Y)
    assert AnnualPlan.objects.get(project=empty, year=Y).counted_approved == D("0.00")
    assert selectors.completion_total(everything, feb.ends_on) == D("877.88")
    assert selectors.completion_total(everything, jan.ends_on) == D("877.88")         # 100.10 + 0.01 + 777.77


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


def test_the_ledger_defaults_to_the_period_the_warnings_judge_and_says_when_one_is_still_open(ledger, client, users):
    """An April period begun but due in the future: its reports are still coming in, so the ledger stays as
    of March — the period the warnings judge (alerts.engine.evaluation_period) — and April, when chosen,
    is stated as still being filled in."""
    today = timezone.localdate()
    april = services.period_open(users["dispatcher"], year=Y, month=4, due_on=today + timedelta(days=30))
    ProgressReport.objects.filter(period=april, project=ledger.projects["P2"]).update(state=A, amount=D("1000.00"))
    services.refresh_cumulative(ids(ledger, "P2"), Y)
    assert engine.evaluation_period(today) == ledger.periods[2]
    client.force_login(users["dispatcher"])
    html = client.get(reverse("projects:list"), {"year": Y}).content.decode()
    assert f"本年累计完成：截至{Y}年3月，已审核填报" in html
    assert cell(html, "completed_ytd") == "1,129.31"       # March's, as before April opened
    html = client.get(reverse("projects:list"), {"year": Y, "as_of": april.pk}).content.decode()
    due = april.due_on
    assert f"本年累计完成：截至{Y}年4月（填报中，截止{due.month}月{due.day}日），已审核填报" in html
    assert cell(html, "completed_ytd") == "2,129.31"       # + P2's approved April 1,000.00


def test_a_year_with_no_period_due_yet_shows_its_open_period_as_such(city, client, users):
    this_year, today = current_year(), timezone.localdate()
    (project,) = f.bulk_projects(1, region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
                                 plan=D("100.00"), prefix="今年", year=this_year)
    period = services.period_open(users["dispatcher"], year=this_year, month=1, due_on=today + timedelta(days=10))
    client.force_login(users["dispatcher"])
    html = client.get(reverse("projects:list"), {"year": this_year}).content.decode()
    due = period.due_on
    assert f"本年累计完成：截至{this_year}年1月（填报中，截止{due.month}月{due.day}日），已审核填报" in html
    assert cell(html, "completed_ytd") == "0.00"


def test_the_figure_keeps_the_year_filters_inner_join_of_the_plans(ledger, users):
    """The figure as of an earlier period reads each project's report in that period through one outer
    join; the plans stay an inner join under the year filter, so SQLite reads the year's plans from their
    covering index in project order instead of probing them per project (docs/benchmarks.md)."""
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from tuijin.projects import completion
    from tuijin.projects.filtersets import LedgerFilterSet
    from tuijin.projects.selectors import ledger_queryset, ledger_totals

    dispatcher = users["dispatcher"]
    filtered = LedgerFilterSet(QueryDict(f"year={Y}"), queryset=ledger_queryset(dispatcher), user=dispatcher).qs
    for key in (ledger.periods[1].pk, ledger.periods[2].pk):   # February (a report join), March (the plans')
        figure = completion.figure(completion.as_of(Y, str(key)))
        with CaptureQueriesContext(connection) as captured:
            totals = ledger_totals(filtered, Y, figure)
        (sql,) = [q["sql"] for q in captured]
        assert 'INNER JOIN "projects_annualplan"' in sql and 'OUTER JOIN "projects_annualplan"' not in sql
        assert totals.completed == (D("1078.08") if key == ledger.periods[1].pk else D("1129.31"))


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
