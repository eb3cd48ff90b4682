"""Money is exact on both databases: MoneyField keeps hundredths of 万元 as integers, sums are integer sums.

The suite runs on SQLite and on PostgreSQL (`make test`), so the totals test below proves the same
data gives the same ledger totals, to the cent, on both.
"""

import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from tuijin.core.fields import MAX_MONEY, MoneyField, to_money
from tuijin.projects.models import AnnualPlan, Project
from tuijin.projects.selectors import current_year, ledger_queryset, ledger_totals

from . import factories as f

# ---------------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.01", "0.01"),
        ("0.1", "0.10"),
        (0.1, "0.10"),
        (0.3, "0.30"),
        (Decimal("1234567.89"), "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        (" 2000000 ", "2000000.00"),
        (7, "7.00"),
        ("0.005", "0.01"),
        ("-0.005", "-0.01"),
        ("0.004", "0.00"),
    ],
)
def test_to_money_parses_into_decimal_with_two_places(raw, expected):
    result = to_money(raw)
    assert isinstance(result, Decimal)
    assert str(result) == expected


@pytest.mark.parametrize("raw", ["NaN", "nan", "inf", "-Infinity", "sNaN", "abc", "12元", "1.2.3", float("nan"), float("inf")])
def test_to_money_rejects_non_numbers_with_a_chinese_message(raw):
    with pytest.raises(ValidationError) as error:
        to_money(raw)
    assert error.value.messages == ["金额格式不正确"]


def test_to_money_keeps_empty_as_none():
    assert to_money(None) is None
    assert to_money("") is None


def test_money_field_rejects_garbage_before_it_reaches_the_database():
    with pytest.raises(ValidationError) as error:
        MoneyField().get_prep_value("NaN")
    assert error.value.messages == ["金额格式不正确"]


def test_money_field_refuses_amounts_beyond_the_limit():
    field = MoneyField()
    field.set_attributes_from_name("total_investment")
    with pytest.raises(ValidationError) as error:
        field.clean(MAX_MONEY + Decimal("0.01"), None)
    assert error.value.messages == ["金额超出允许范围"]
    assert field.clean(MAX_MONEY, None) == MAX_MONEY


@pytest.mark.parametrize(("raw", "expected"), [(Decimal("100"), "100.00"), (Decimal("50.5"), "50.50"), ("7", "7.00")])
def test_money_field_to_python_always_gives_two_places(raw, expected):
    assert str(MoneyField().to_python(raw)) == expected


def test_money_field_stores_hundredths_as_integers():
    assert MoneyField().get_prep_value(Decimal("1234567.89")) == 123456789
    assert MoneyField().get_prep_value("0.10") == 10


# ------------------------------------------------------------------------------- round trips


@pytest.mark.django_db
@pytest.mark.parametrize(
    "amount", ["0.00", "0.01", "0.10", "0.20", "0.30", "1234.56", "1234567.89", "2000000.00", "9999999.99",
               "9999999999999.99"]
)
def test_money_round_trips_exactly_through_the_database(regions, amount):
    project = f.ProjectFactory(total_investment=Decimal(amount), fund_central=Decimal(amount))
    stored = Project.objects.get(pk=project.pk)
    assert stored.total_investment == Decimal(amount)
    assert str(stored.total_investment) == amount
    assert str(stored.fund_central) == amount


@pytest.mark.django_db
def test_money_is_an_integer_column_in_the_database(regions):
    project = f.ProjectFactory(total_investment=Decimal("0.10"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT total_investment FROM projects_project WHERE id = %s", [project.pk])
        (raw,) = cursor.fetchone()
    assert raw == 10
    assert isinstance(raw, int)


@pytest.mark.django_db
def test_a_null_fund_stays_null(regions):
    project = f.ProjectFactory(fund_bond=None)
    assert Project.objects.get(pk=project.pk).fund_bond is None


@pytest.mark.django_db
def test_money_filters_compare_exactly(regions):
    project = f.ProjectFactory(total_investment=Decimal("0.30"))
    assert Project.objects.filter(total_investment=Decimal("0.1") + Decimal("0.2")).get() == project
    assert Project.objects.filter(total_investment__gt=Decimal("0.29")).exists()
    assert not Project.objects.filter(total_investment__gt=Decimal("0.30")).exists()


@pytest.mark.django_db
def test_the_form_rejects_a_nan_total_with_a_chinese_message(client, users, regions):
    client.force_login(users["dispatcher"])
    draft = f.ProjectFactory.build(name="NaN项目", region=regions.lanshan)
    response = client.post(reverse("projects:create"), f.project_form_data(draft, total_investment="NaN"))
    assert "输入一个数字。" in response.content.decode()
    assert not Project.objects.filter(name="NaN项目").exists()


# ------------------------------------------------------------------------------------ totals

# Values that drift as binary floats: 0.1 + 0.2 != 0.3, and sums of many 0.10s, of x.x5 amounts and
# of amounts near ten million lose cents in double precision.
DRIFTY = [Decimal(v) for v in ("0.10", "0.20", "0.30", "0.01", "0.07", "1234.56", "9999999.99", "3.35",
                               "1000000.01", "2000000.00", "0.05", "88888.88", "123.45", "7654321.09")]


def drifty_amounts(n: int, seed: int) -> list[Decimal]:
    rng = random.Random(seed)
    amounts = [DRIFTY[i % len(DRIFTY)] for i in range(n)]
    amounts += [Decimal(rng.randrange(1, 10**9)) / 100 for _ in range(n // 3)]
    return amounts


def test_the_chosen_amounts_really_drift_as_floats():
    amounts = drifty_amounts(300, seed=2026)
    assert sum(float(a) for a in amounts) != float(sum(amounts))


@pytest.mark.django_db
def test_ledger_totals_equal_the_exact_decimal_sum_on_this_database(users, regions):
    amounts = drifty_amounts(300, seed=2026)
    plans = list(reversed(amounts))
    projects = f.bulk_projects(len(amounts), region=regions.lanshan, amounts=amounts, plan=None)
    AnnualPlan.objects.bulk_create(
        AnnualPlan(project=p, year=current_year(), planned_investment=min(plan, p.total_investment))
        for p, plan in zip(projects, plans, strict=True)
    )
    expected_plan = sum((min(plan, amount) for amount, plan in zip(amounts, plans, strict=True)), Decimal("0"))

    totals = ledger_totals(ledger_queryset(users["dispatcher"]), current_year())

    assert totals.count == len(amounts)
    assert totals.total_investment == sum(amounts, Decimal("0"))
    assert totals.annual_plan == expected_plan
    assert isinstance(totals.total_investment, Decimal)
    assert totals.total_investment.as_tuple().exponent == -2


@pytest.mark.django_db
def test_the_ledger_page_shows_the_exact_total_to_the_cent(client, users, regions):
    amounts = [Decimal("0.10")] * 250 + [Decimal("9999999.99")] * 3
    f.bulk_projects(len(amounts), region=regions.lanshan, amounts=amounts, plan=Decimal("0.01"))
    client.force_login(users["dispatcher"])
    body = client.get(reverse("projects:list")).content.decode()
    assert 'data-total="total_investment">30,000,024.97</td>' in body
    assert 'data-total="annual_plan">2.53</td>' in body


@pytest.mark.django_db
def test_totals_of_an_empty_ledger_are_zero_with_two_places(users):
    totals = ledger_totals(ledger_queryset(users["dispatcher"]), current_year())
    assert (totals.count, str(totals.total_investment), str(totals.annual_plan)) == (0, "0.00", "0.00")
