"""The derived figures of a progress report and the annual plan's monthly spread, checked against values
worked out by hand (the arithmetic is written next to each literal; none of it calls the code's formula).

序时进度 = the share of the year's plan due by the period's end; 占年计划% = 本年累计 ÷ 年度计划;
占总投资% = 开工累计 ÷ 总投资; gap = 占年计划% − 序时% in points. Everything rounds half-up to one decimal.
"""

from datetime import date
from decimal import Decimal

import pytest

from tuijin.projects.plans import active_months, even_monthly_plan, monthly_plan_errors
from tuijin.reports.figures import compute, gap_text, percent, schedule_share

D = Decimal


def pct(share: Decimal) -> Decimal:
    """A share shown as the report shows it (one decimal), for comparing schedule_share with a literal."""
    return (share * 100).quantize(D("0.1"), rounding="ROUND_HALF_UP")


# ------------------------------------------------------------------------------- a plain project


def test_plain_project_in_may_is_five_twelfths_of_the_year():
    # earlier 500 + this month 300 = 800 本年累计; opening 1,000 → 1,800 开工累计.
    figures = compute(amount=D("300.00"), earlier_this_year=D("500.00"), opening=D("1000.00"),
                      planned=D("2000.00"), total=D("12345.67"), period_end=date(2026, 5, 31))
    assert figures.amount == D("300.00")
    assert figures.year_to_date == D("800.00")
    assert figures.since_start == D("1800.00")
    assert figures.schedule_pct == D("41.7")          # 5/12 = 41.666…%
    assert figures.pct_of_plan == D("40.0")           # 800/2,000
    assert figures.pct_of_total == D("14.6")          # 1,800/12,345.67 = 14.5799…%
    assert figures.gap_pts == D("-1.7")               # 40.0 − 41.7
    assert figures.gap_text == "低于序时进度1.7个百分点"


def test_plain_project_schedule_share_is_exactly_five_twelfths():
    assert schedule_share(date(2026, 5, 31)) == D(5) / D(12)


@pytest.mark.parametrize(
    ("period_end", "expected"),
    [
        (date(2026, 1, 31), D("8.3")),     # 1/12 = 8.333…
        (date(2026, 3, 31), D("25.0")),    # 3/12
        (date(2026, 6, 30), D("50.0")),    # 6/12
        (date(2026, 10, 31), D("83.3")),   # 10/12 = 83.333…
        (date(2026, 11, 30), D("91.7")),   # 11/12 = 91.666…
        (date(2026, 12, 31), D("100.0")),
    ],
)
def test_plain_project_month_ends(period_end, expected):
    figures = compute(amount=None, earlier_this_year=D("0.00"), opening=D("0.00"), planned=D("2000.00"),
                      total=D("12345.67"), period_end=period_end)
    assert figures.schedule_pct == expected


def test_missing_amount_counts_as_zero():
    figures = compute(amount=None, earlier_this_year=D("250.00"), opening=D("100.00"), planned=D("1000.00"),
                      total=D("5000.00"), period_end=date(2026, 3, 31))
    assert figures.amount == D("0.00")
    assert figures.year_to_date == D("250.00")
    assert figures.since_start == D("350.00")
    assert figures.pct_of_plan == D("25.0")   # 250/1,000
    assert figures.pct_of_total == D("7.0")   # 350/5,000
    assert figures.gap_pts == D("0.0")        # 25.0 − 3/12 = 25.0
    assert figures.gap_text == "与序时进度持平"


# ------------------------------------------------------------------- a project starting mid-year


@pytest.mark.parametrize(
    ("period_end", "expected"),
    [
        (date(2026, 1, 31), D("0.0")),
        (date(2026, 3, 15), D("0.0")),
        (date(2026, 6, 30), D("0.0")),       # the day before July: nothing due yet
        (date(2026, 7, 15), D("8.1")),       # (15/31)/6 = 0.0806…
        (date(2026, 7, 31), D("16.7")),      # 1/6 = 16.666…
        (date(2026, 9, 30), D("50.0")),      # 3/6
        (date(2026, 11, 30), D("83.3")),     # 5/6 = 83.333…
        (date(2026, 12, 31), D("100.0")),    # 6/6
    ],
)
def test_plan_starting_in_july_is_spread_over_july_to_december(period_end, expected):
    figures = compute(amount=None, earlier_this_year=D("0.00"), opening=D("0.00"), planned=D("600.00"),
                      total=D("3000.00"), period_end=period_end, planned_start=date(2026, 7, 10))
    assert figures.schedule_pct == expected


def test_plan_starting_in_july_end_of_july_is_exactly_one_sixth():
    assert schedule_share(date(2026, 7, 31), planned_start=date(2026, 7, 10)) == D(1) / D(6)
    assert schedule_share(date(2026, 6, 30), planned_start=date(2026, 7, 10)) == D(0)


def test_plan_finishing_in_june_is_due_in_full_from_june_on():
    # January–June: end of March = 3/6, end of June and later = 100%, never above.
    assert pct(schedule_share(date(2026, 3, 31), planned_completion=date(2026, 6, 20))) == D("50.0")
    assert schedule_share(date(2026, 6, 30), planned_completion=date(2026, 6, 20)) == D(1)
    assert schedule_share(date(2026, 9, 30), planned_completion=date(2026, 6, 20)) == D(1)


def test_plan_built_march_to_april_only():
    # Two months: mid-March (15/31)/2 = 24.19…%, end of March 50%, end of April 100%.
    kwargs = {"planned_start": date(2026, 3, 1), "planned_completion": date(2026, 4, 30)}
    assert schedule_share(date(2026, 2, 28), **kwargs) == D(0)
    assert pct(schedule_share(date(2026, 3, 15), **kwargs)) == D("24.2")
    assert schedule_share(date(2026, 3, 31), **kwargs) == D("0.5")
    assert schedule_share(date(2026, 4, 30), **kwargs) == D(1)
    assert schedule_share(date(2026, 12, 31), **kwargs) == D(1)


def test_dates_of_other_years_do_not_narrow_the_months():
    # Started last year, finishing next year: the whole of this year.
    share = schedule_share(date(2026, 5, 31), planned_start=date(2025, 4, 1), planned_completion=date(2027, 9, 30))
    assert share == D(5) / D(12)


# ------------------------------------------------------------- the project's own monthly plan

# Cumulative plan of a 1,200 万元 year, back-loaded.
OWN_PLAN = ["50.00", "50.00", "100.00", "200.00", "300.00", "450.00",
            "600.00", "700.00", "800.00", "950.00", "1100.00", "1200.00"]


@pytest.mark.parametrize(
    ("period_end", "expected"),
    [
        (date(2026, 1, 31), D("4.2")),      # 50/1,200 = 4.166…
        (date(2026, 2, 28), D("4.2")),      # still 50
        (date(2026, 4, 30), D("16.7")),     # 200/1,200 = 16.666…
        (date(2026, 5, 31), D("25.0")),     # 300/1,200
        (date(2026, 6, 30), D("37.5")),     # 450/1,200
        (date(2026, 10, 31), D("79.2")),    # 950/1,200 = 79.166…
        (date(2026, 12, 31), D("100.0")),
    ],
)
def test_own_monthly_plan_gives_plan_due_over_planned(period_end, expected):
    figures = compute(amount=None, earlier_this_year=D("0.00"), opening=D("0.00"), planned=D("1200.00"),
                      total=D("8000.00"), period_end=period_end, monthly_plan=OWN_PLAN)
    assert figures.schedule_pct == expected


def test_own_monthly_plan_in_may_with_figures():
    # 本年累计 240 of 1,200 = 20.0%; due by end of May 300/1,200 = 25.0% → 5.0 points behind.
    figures = compute(amount=D("90.00"), earlier_this_year=D("150.00"), opening=D("0.00"), planned=D("1200.00"),
                      total=D("8000.00"), period_end=date(2026, 5, 31), monthly_plan=OWN_PLAN)
    assert figures.year_to_date == D("240.00")
    assert figures.schedule_pct == D("25.0")
    assert figures.pct_of_plan == D("20.0")
    assert figures.pct_of_total == D("3.0")   # 240/8,000
    assert figures.gap_pts == D("-5.0")
    assert figures.gap_text == "低于序时进度5.0个百分点"


def test_own_monthly_plan_share_is_exact():
    assert schedule_share(date(2026, 5, 31), planned=D("1200.00"), monthly_plan=OWN_PLAN) == D("0.25")


def test_own_monthly_plan_wins_over_planned_start():
    # The plan says nothing before July, but its own monthly plan has 300 due by May.
    share = schedule_share(date(2026, 5, 31), planned=D("1200.00"), monthly_plan=OWN_PLAN,
                           planned_start=date(2026, 7, 1))
    assert share == D("0.25")


def test_own_monthly_plan_is_ignored_without_a_positive_planned_investment():
    # Nothing to divide by: falls back to the even spread (5/12 at the end of May).
    assert schedule_share(date(2026, 5, 31), planned=D("0.00"), monthly_plan=OWN_PLAN) == D(5) / D(12)
    assert schedule_share(date(2026, 5, 31), planned=None, monthly_plan=OWN_PLAN) == D(5) / D(12)


# ------------------------------------------------------------------ 旬 and half-month period ends


@pytest.mark.parametrize(
    ("period_end", "expected"),
    [
        (date(2026, 2, 10), D("11.3")),    # (1 + 10/28)/12 = 0.11309…
        (date(2026, 2, 20), D("14.3")),    # (1 + 20/28)/12 = 0.14285…
        (date(2026, 2, 28), D("16.7")),    # 2/12
        (date(2026, 2, 15), D("12.8")),    # (1 + 15/28)/12 = 0.12797…
        (date(2028, 2, 15), D("12.6")),    # leap year: (1 + 15/29)/12 = 0.12643…
        (date(2026, 4, 15), D("29.2")),    # (3 + 15/30)/12 = 0.291666…
        (date(2026, 5, 10), D("36.0")),    # (4 + 10/31)/12 = 0.36021…
    ],
)
def test_period_end_inside_a_month_is_linear_within_the_month(period_end, expected):
    assert pct(schedule_share(period_end)) == expected
    figures = compute(amount=None, earlier_this_year=D("0.00"), opening=D("0.00"), planned=D("1000.00"),
                      total=None, period_end=period_end)
    assert figures.schedule_pct == expected


def test_half_month_is_exact():
    # April has 30 days: the 15th is half of April → 3.5 months of 12.
    assert schedule_share(date(2026, 4, 15)) == D("3.5") / D(12)


def test_own_monthly_plan_is_linear_within_the_month():
    # Mid-May (15/31 of May): 200 + (300 − 200) × 15/31 = 248.387… of 1,200 = 20.698…%.
    assert pct(schedule_share(date(2026, 5, 15), planned=D("1200.00"), monthly_plan=OWN_PLAN)) == D("20.7")
    # 上旬 of January: 0 + 50 × 10/31 = 16.129… of 1,200 = 1.344…%.
    assert pct(schedule_share(date(2026, 1, 10), planned=D("1200.00"), monthly_plan=OWN_PLAN)) == D("1.3")
    # February's plan does not grow: 50 all month.
    assert pct(schedule_share(date(2026, 2, 15), planned=D("1200.00"), monthly_plan=OWN_PLAN)) == D("4.2")


# ---------------------------------------------------------------- nothing planned or no total


@pytest.mark.parametrize("planned", [None, D("0.00")])
def test_no_planned_investment_gives_no_percent_and_no_gap(planned):
    figures = compute(amount=D("100.00"), earlier_this_year=D("200.00"), opening=D("700.00"), planned=planned,
                      total=D("4000.00"), period_end=date(2026, 6, 30))
    assert figures.year_to_date == D("300.00")
    assert figures.since_start == D("1000.00")
    assert figures.pct_of_plan is None
    assert figures.gap_pts is None
    assert figures.gap_text == ""
    assert figures.pct_of_total == D("25.0")   # 1,000/4,000 still shown
    assert figures.schedule_pct == D("50.0")   # 6/12 still shown


@pytest.mark.parametrize("total", [None, D("0.00")])
def test_no_total_investment_gives_no_share_of_total(total):
    figures = compute(amount=D("100.00"), earlier_this_year=D("0.00"), opening=D("0.00"), planned=D("400.00"),
                      total=total, period_end=date(2026, 3, 31))
    assert figures.pct_of_total is None
    assert figures.pct_of_plan == D("25.0")
    assert figures.gap_pts == D("0.0")


@pytest.mark.parametrize(("part", "whole"), [(None, D("100")), (D("1"), None), (D("1"), D("0")), (D("1"), D("-5"))])
def test_percent_without_a_positive_whole_is_none(part, whole):
    assert percent(part, whole) is None


# ------------------------------------------------------------------------------------ gap text


@pytest.mark.parametrize(
    ("gap", "text"),
    [
        (D("-1.6"), "低于序时进度1.6个百分点"),
        (D("-12.0"), "低于序时进度12.0个百分点"),
        (D("-0.1"), "低于序时进度0.1个百分点"),
        (D("13.8"), "超过序时进度13.8个百分点"),
        (D("0.1"), "超过序时进度0.1个百分点"),
        (D("0.0"), "与序时进度持平"),
        (D("0"), "与序时进度持平"),
        (None, ""),
    ],
)
def test_gap_text_wording(gap, text):
    assert gap_text(gap) == text


def test_ahead_of_schedule_reads_as_exceeding():
    # October: 本年累计 1,944 of 2,000 = 97.2%; 序时 10/12 = 83.3% → 13.9 points ahead.
    figures = compute(amount=D("144.00"), earlier_this_year=D("1800.00"), opening=D("0.00"), planned=D("2000.00"),
                      total=D("12345.67"), period_end=date(2026, 10, 31))
    assert figures.pct_of_plan == D("97.2")
    assert figures.schedule_pct == D("83.3")
    assert figures.gap_pts == D("13.9")
    assert figures.gap_text == "超过序时进度13.9个百分点"


# ------------------------------------------------------------------------------------ rounding


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (D("12.25"), D("100"), D("12.3")),     # half-up (banker's rounding would give 12.2)
        (D("1.00"), D("2000.00"), D("0.1")),   # 0.05 → 0.1 (banker's: 0.0)
        (D("0.99"), D("2000.00"), D("0.0")),   # 0.0495 → 0.0
        (D("1.35"), D("100"), D("1.4")),
        (D("1"), D("3"), D("33.3")),
        (D("2"), D("3"), D("66.7")),
        (D("2000.00"), D("2000.00"), D("100.0")),
        (D("2500.00"), D("2000.00"), D("125.0")),
    ],
)
def test_percent_rounds_half_up_to_one_decimal(part, whole, expected):
    result = percent(part, whole)
    assert result == expected
    assert result.as_tuple().exponent == -1


def test_schedule_percent_rounds_half_up():
    # January's own plan 122.50 of 1,000 = 12.25% → 12.3; the 本年累计 122.50 also 12.3 → level.
    plan = ["122.50", "200.00", "300.00", "400.00", "500.00", "600.00",
            "700.00", "800.00", "900.00", "950.00", "980.00", "1000.00"]
    figures = compute(amount=D("122.50"), earlier_this_year=D("0.00"), opening=D("0.00"), planned=D("1000.00"),
                      total=D("5000.00"), period_end=date(2026, 1, 31), monthly_plan=plan)
    assert figures.schedule_pct == D("12.3")
    assert figures.pct_of_plan == D("12.3")
    assert figures.gap_pts == D("0.0")
    assert figures.gap_text == "与序时进度持平"


# ------------------------------------------------------------------------- the monthly spread


def test_even_plan_over_the_whole_year():
    assert even_monthly_plan(D("1000.00")) == [
        D("83.33"), D("166.67"), D("250.00"), D("333.33"), D("416.67"), D("500.00"),
        D("583.33"), D("666.67"), D("750.00"), D("833.33"), D("916.67"), D("1000.00"),
    ]


def test_even_plan_from_july():
    assert even_monthly_plan(D("600.00"), 7, 12) == [
        D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"),
        D("100.00"), D("200.00"), D("300.00"), D("400.00"), D("500.00"), D("600.00"),
    ]


def test_even_plan_march_to_may_stays_at_planned_afterwards():
    assert even_monthly_plan(D("100.00"), 3, 5) == [
        D("0.00"), D("0.00"), D("33.33"), D("66.67"), D("100.00"), D("100.00"),
        D("100.00"), D("100.00"), D("100.00"), D("100.00"), D("100.00"), D("100.00"),
    ]


def test_even_plan_rounds_cents_half_up():
    # 0.10 over four months: 0.025 → 0.03 (banker's: 0.02), 0.05, 0.075 → 0.08, 0.10.
    assert even_monthly_plan(D("0.10"), 1, 4)[:5] == [D("0.03"), D("0.05"), D("0.08"), D("0.10"), D("0.10")]


def test_even_plan_of_one_month():
    plan = even_monthly_plan(D("2000.00"), 12, 12)
    assert plan[:11] == [D("0.00")] * 11
    assert plan[11] == D("2000.00")


@pytest.mark.parametrize(
    ("planned_start", "planned_completion", "expected"),
    [
        (None, None, (1, 12)),
        (date(2026, 7, 10), None, (7, 12)),
        (None, date(2026, 9, 30), (1, 9)),
        (date(2026, 3, 1), date(2026, 10, 31), (3, 10)),
        (date(2025, 5, 1), date(2027, 3, 1), (1, 12)),        # other years: the whole year
        (date(2027, 2, 1), None, (12, 12)),                   # starts next year
        (None, date(2025, 12, 1), (1, 1)),                    # finished last year
        (date(2026, 9, 1), date(2026, 5, 1), (9, 9)),          # completion before start: one month
    ],
)
def test_active_months(planned_start, planned_completion, expected):
    assert active_months(2026, planned_start, planned_completion) == expected


# -------------------------------------------------------------------- the monthly plan's rules


def test_valid_monthly_plan_has_no_errors():
    assert monthly_plan_errors(OWN_PLAN, D("1200.00")) == []
    assert monthly_plan_errors([D(v) for v in OWN_PLAN], D("1200")) == []


def test_empty_monthly_plan_means_even_spread():
    assert monthly_plan_errors([], D("1200.00")) == []
    assert monthly_plan_errors(None, D("1200.00")) == []


@pytest.mark.parametrize("length", [1, 11, 13])
def test_monthly_plan_needs_twelve_values(length):
    assert monthly_plan_errors(["100.00"] * length, D("100.00")) == ["月度累计计划须有12个月的数值"]


def test_monthly_plan_must_not_decrease():
    values = ["100", "200", "300", "250", "400", "500", "600", "700", "800", "900", "1000", "1200"]
    assert monthly_plan_errors(values, D("1200.00")) == ["月度累计计划应逐月不减：4月（250.00万元）少于3月（300.00万元）"]


def test_monthly_plan_decrease_is_reported_once_with_thousands_separators():
    values = ["1500", "1400", "1300", "1300", "1300", "1300", "1300", "1300", "1300", "1300", "1300", "2000"]
    assert monthly_plan_errors(values, D("2000.00")) == [
        "月度累计计划应逐月不减：2月（1,400.00万元）少于1月（1,500.00万元）"
    ]


def test_monthly_plan_must_not_be_negative():
    values = ["-10", "0", "100", "200", "300", "400", "500", "600", "700", "800", "900", "1000"]
    assert monthly_plan_errors(values, D("1000.00")) == ["月度累计计划不能为负数"]


def test_monthly_plan_december_must_equal_planned():
    values = ["100", "200", "300", "400", "500", "600", "700", "800", "900", "1000", "1050", "1100"]
    assert monthly_plan_errors(values, D("1200.00")) == ["12月累计计划（1,100.00万元）应等于年度计划投资（1,200.00万元）"]


def test_monthly_plan_december_is_not_checked_without_planned():
    values = ["100", "200", "300", "400", "500", "600", "700", "800", "900", "1000", "1050", "1100"]
    assert monthly_plan_errors(values, None) == []


def test_monthly_plan_reports_every_broken_rule():
    values = ["-5", "10", "5", "20", "30", "40", "50", "60", "70", "80", "90", "99"]
    assert monthly_plan_errors(values, D("100.00")) == [
        "月度累计计划不能为负数",
        "月度累计计划应逐月不减：3月（5.00万元）少于2月（10.00万元）",
        "12月累计计划（99.00万元）应等于年度计划投资（100.00万元）",
    ]
