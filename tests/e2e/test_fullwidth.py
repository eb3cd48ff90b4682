"""Full-width digits typed into the batch grid (issue #13 §6): the amount is shown as it will be saved
("３００．５" becomes "300.5" on leaving the cell) and the derived figures count it."""

import datetime

import pytest
from playwright.sync_api import expect

from tuijin.reports import services
from tuijin.reports.models import ProgressReport

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROAD = "兰山区北城新区道路改造工程"  # this year's plan 3,000.00


def test_grid_shows_full_width_digits_normalised_and_saves_them(page, live_server, login, e2e_data: E2EData):
    road = e2e_data.projects[ROAD]
    period = services.period_open(None, year=e2e_data.year, month=6, due_on=datetime.date(e2e_data.year + 5, 1, 31),
                                  project_ids=[road.pk])
    login(page, "reporter")
    page.goto(f"{live_server.url}/reports/periods/{period.pk}/grid/")
    row = page.locator("tr[data-report]").filter(has_text=ROAD)
    amount = row.locator("input.amount")
    amount.fill("３００．５")
    expect(row.locator('[data-out="ytd"]')).to_have_text("300.50")  # counted while typing
    amount.press("Tab")
    expect(amount).to_have_value("300.5")
    row.locator("input.progress-text").fill("路基施工")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert str(ProgressReport.objects.get(period=period, project=road).amount) == "300.50"
