"""Full-width digits in amounts (issue #13 §6): "１２３４５．６" is read as 12345.6 everywhere an amount
enters — the project form, the annual plan, the report form, the report grid and both importers — and
the forms and the grid show the normalised "12345.6" when they show the value again."""

import io
from datetime import date
from decimal import Decimal

import pytest
import xlsxwriter
from django.urls import reverse
from django.utils import timezone

from tests.ledgerio import fixtures as fx
from tuijin.core.fields import number_text, to_money
from tuijin.core.sheets.values import parse_amount
from tuijin.ledgerio.services import import_ledger
from tuijin.projects.models import AnnualPlan, Project
from tuijin.reports import importing, services
from tuijin.reports.models import ProgressReport

from . import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_day")]  # on a chosen day of 2026 (tests/clock.py)

FULL = "１２３４５．６"  # full-width digits and point
FULL_COMMA = "１，２３４．５"  # full-width thousands comma
NEXT_YEAR = 2027


@pytest.mark.parametrize(("raw", "expected"), [
    (FULL, "12345.6"), (FULL_COMMA, "1234.5"), ("－１２", "-12"), (" １２ ", "12"), ("12.5", "12.5"),
])
def test_the_one_rule(raw, expected):
    assert number_text(raw) == expected
    assert to_money(raw) == Decimal(expected).quantize(Decimal("0.01"))
    assert parse_amount(raw) == Decimal(expected).quantize(Decimal("0.01"))  # the importers' reading


@pytest.fixture
def as_reporter(client, users):
    client.force_login(users["reporter_a"])
    return client


def test_project_form_reads_full_width_digits(as_reporter, regions):
    draft = f.ProjectFactory.build(name="全角金额测试项目", region=regions.lanshan, total_investment=Decimal("1"))
    response = as_reporter.post(reverse("projects:create"), f.project_form_data(draft, total_investment=FULL))
    assert response.status_code == 302
    assert Project.objects.get(name="全角金额测试项目").total_investment == Decimal("12345.60")


def test_project_form_shown_again_shows_the_normalised_amount(as_reporter, regions, db_state):
    draft = f.ProjectFactory.build(name="全角金额测试项目", region=regions.lanshan, total_investment=Decimal("1"))
    before = db_state()
    response = as_reporter.post(reverse("projects:create"), f.project_form_data(draft, total_investment=FULL, name=""))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="12345.6"' in body and FULL not in body
    assert db_state() == before


def test_annual_plan_form_reads_full_width_digits_in_the_plan_and_the_months(as_reporter, own_project):
    data = f.plan_form_data(year=NEXT_YEAR, planned_investment="１０３４５．６７")
    data.update({f"month_{m}": "0" for m in range(1, 12)}, month_12="１０３４５．６７")
    response = as_reporter.post(reverse("projects:plan_create", args=[own_project.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    plan = AnnualPlan.objects.get(project=own_project, year=NEXT_YEAR)
    assert plan.planned_investment == Decimal("10345.67")
    assert plan.monthly_plan[-1] == "10345.67"


def test_annual_plan_form_shown_again_shows_the_normalised_amount(as_reporter, own_project, db_state):
    before = db_state()
    data = f.plan_form_data(year=NEXT_YEAR, planned_investment="１０３４５．６７", construction_goal="x" * 5000)
    data["planned_investment"] = "１０３４５．６７"
    data["completed_before"] = "９９９９９９"  # over the total: the form comes back with an error
    response = as_reporter.post(reverse("projects:plan_create", args=[own_project.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="10345.67"' in body and 'value="999999"' in body and "１０３４５" not in body
    assert db_state() == before


@pytest.fixture
def open_report(users, own_project):
    year = timezone.localdate().year
    period = services.period_open(None, year=year, month=6, due_on=date(year + 5, 1, 31), project_ids=[own_project.pk])
    return ProgressReport.objects.get(period=period, project=own_project)


def test_report_form_reads_full_width_digits(as_reporter, open_report):
    response = as_reporter.post(reverse("reports:report", args=[open_report.pk]),
                                {"action": "save", "version": open_report.version, "amount": "１２．５", "progress": "施工"})
    assert response.status_code == 302
    open_report.refresh_from_db()
    assert open_report.amount == Decimal("12.50")


def test_report_form_shown_again_shows_the_normalised_amount(as_reporter, open_report, db_state):
    before = db_state()
    response = as_reporter.post(reverse("reports:report", args=[open_report.pk]),
                                {"action": "save", "version": open_report.version, "amount": "１２．５",
                                 "workers_planned": "很多"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="12.5"' in body and "１２．５" not in body
    assert db_state() == before


def grid_post(client, report, **values):
    data = {"action": "save", "row": [report.pk], f"r{report.pk}-version": report.version}
    data.update({f"r{report.pk}-{k}": v for k, v in values.items()})
    return client.post(reverse("reports:grid", args=[report.period_id]), data)


def test_grid_reads_full_width_digits(as_reporter, open_report):
    response = grid_post(as_reporter, open_report, amount=FULL_COMMA, progress="施工")
    assert response.status_code == 302
    open_report.refresh_from_db()
    assert open_report.amount == Decimal("1234.50")


def test_grid_shown_again_shows_the_normalised_amount(as_reporter, open_report, db_state):
    before = db_state()
    response = grid_post(as_reporter, open_report, amount="１２．５", workers_planned="很多")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="12.5"' in body and "１２．５" not in body
    assert db_state() == before


def test_ledger_import_reads_full_width_digits(city):
    rows = fx.ledger_rows(1)
    rows[fx.HEADER_ROW][fx.COL["总投资（万元）"]] = FULL
    analysis, result = import_ledger(fx.xlsx_bytes(rows), "台账.xlsx")
    assert result is not None, [str(e) for e in analysis.all_errors]
    assert Project.objects.get().total_investment == Decimal("12345.60")


def test_report_import_reads_full_width_digits(users, own_project, open_report):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("月报表")
    sheet.write_row(0, 0, ["序号", "项目名称", "本月完成投资(万元)", "形象进度"])
    sheet.write_row(1, 0, ["1", own_project.name, "１２．５", "施工"])
    book.close()
    analysis = importing.analyze(users["reporter_a"], open_report.period, buffer.getvalue(), "月报.xlsx")
    assert analysis.valid, analysis.as_dict()["errors"]
    importing.commit(users["reporter_a"], analysis)
    open_report.refresh_from_db()
    assert open_report.amount == Decimal("12.50")
