"""The annual plan's monthly breakdown (季度、月度任务分解) imported with the ledger: month columns per
month or cumulative, under a group header or alone; wrong breakdowns refused like the edit form does."""

from decimal import Decimal

import pytest

from tuijin.ledgerio.importing import cumulative_plan
from tuijin.ledgerio.mapping import plan_month
from tuijin.ledgerio.services import import_ledger
from tuijin.projects.models import AnnualPlan, Project

from . import fixtures as fx

pytestmark = pytest.mark.django_db

MONTHS = [f"{m}月计划投资（万元）" for m in range(1, 13)]
# 200.25 spread as 11 × 16.69 + 16.66 (per month)
PER_MONTH = [16.69] * 11 + [16.66]


@pytest.mark.parametrize(("label", "expected"), [
    ("3月计划投资（万元）", (3, False)),
    ("3月份计划", (3, False)),
    ("十二月计划投资", (12, False)),
    ("1-3月累计计划投资", (3, True)),
    ("1～6月计划投资", (6, True)),
    ("3月累计计划", (3, True)),
    ("2026年分月计划/3月", (3, False)),
    ("月度累计计划/11月", (11, True)),
    ("2026年实际完成情况/1-3月实际完成投资(万元)", None),  # actual, not plan
    ("3月", None),  # a bare month under no 计划 group
    ("2026年计划投资（万元）", None),
])
def test_month_plan_headers(label, expected):
    assert plan_month(label) == expected


def test_per_month_amounts_become_the_cumulative_plan():
    months = {m: (Decimal(str(v)), False) for m, v in enumerate(PER_MONTH, start=1)}
    plan = cumulative_plan(months)
    assert plan[0] == "16.69" and plan[2] == "50.07" and plan[10] == "183.59" and plan[11] == "200.25"


def _ledger(header_extra, row_extra, **kwargs):
    rows = fx.ledger_rows(2, **kwargs)
    rows[2] = rows[2] + header_extra
    for row in rows[3:]:
        row.extend(row_extra)
    return fx.xlsx_bytes(rows)


def test_a_ledger_with_month_columns_imports_the_monthly_plan(city, users):
    content = _ledger(MONTHS, PER_MONTH)
    analysis, result = import_ledger(content, "台账.xlsx", user=users["dispatcher"])
    assert result is not None, [i.message for i in analysis.all_errors][:5]
    plans = AnnualPlan.objects.filter(project__name__startswith="测试导入项目", year=fx.YEAR)
    assert plans.count() == 2
    for plan in plans:
        assert plan.monthly_plan[0] == "16.69"
        assert plan.monthly_plan[11] == "200.25"
        assert len(plan.monthly_plan) == 12


def test_cumulative_month_columns_are_taken_as_they_are(city, users):
    header = [f"1-{m}月累计计划投资（万元）" for m in range(1, 13)]
    values = [round(200.25 * m / 12, 2) for m in range(1, 12)] + [200.25]
    analysis, result = import_ledger(_ledger(header, values), "台账.xlsx", user=users["dispatcher"])
    assert result is not None, [i.message for i in analysis.all_errors][:5]
    plan = AnnualPlan.objects.filter(project__name="测试导入项目001", year=fx.YEAR).get()
    assert plan.monthly_plan[5] == f"{Decimal(str(values[5])):.2f}"
    assert plan.monthly_plan[11] == "200.25"


def test_months_that_do_not_add_up_to_the_year_plan_are_refused_and_nothing_is_written(city, users):
    wrong = [16.69] * 12  # 200.28, not 200.25
    before = (Project.objects.count(), AnnualPlan.objects.count())
    analysis, result = import_ledger(_ledger(MONTHS, wrong), "台账.xlsx", user=users["dispatcher"])
    assert result is None
    messages = [i.message for i in analysis.all_errors]
    assert any("12月累计计划（200.28万元）应等于年度计划投资（200.25万元）" in m for m in messages), messages[:3]
    assert (Project.objects.count(), AnnualPlan.objects.count()) == before


def test_a_missing_month_is_refused(city, users):
    header, values = MONTHS[:11], PER_MONTH[:11]  # no December column
    analysis, result = import_ledger(_ledger(header, values), "台账.xlsx", user=users["dispatcher"])
    assert result is None
    assert any("月度累计计划须有12个月的数值" in i.message for i in analysis.all_errors)


def test_reimporting_updates_the_monthly_plan_of_the_existing_plan(city, users):
    import_ledger(_ledger(MONTHS, PER_MONTH), "台账.xlsx", user=users["dispatcher"])
    front_loaded = [100.25, 100.00] + [0] * 10
    analysis, result = import_ledger(_ledger(MONTHS, front_loaded), "台账.xlsx", user=users["dispatcher"])
    assert result is not None and result.updated == 2, [i.message for i in analysis.all_errors][:3]
    plan = AnnualPlan.objects.filter(project__name="测试导入项目001", year=fx.YEAR).get()
    assert plan.monthly_plan[:3] == ["100.25", "200.25", "200.25"]
    assert plan.history.first().monthly_plan == plan.monthly_plan  # kept in the plan's history
