"""Export from the ledger page in a real browser: the 导出 menu downloads what the filter shows."""

import csv
import io

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_export_excel_downloads_the_filtered_ledger_with_a_chinese_name(page, login, e2e_data: E2EData):
    login(page, "dispatcher")
    lanshan = e2e_data.in_region("兰山区")
    # Filter through htmx first: the export links must follow the filter without a page load.
    page.get_by_label("区域", exact=True).select_option(label="兰山区")
    expect(page.locator("#ledger-totals")).to_contain_text(f"合计：{len(lanshan)} 个项目")

    page.get_by_role("button", name="导出", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    download = download_info.value
    today = timezone.localdate().strftime("%Y%m%d")
    assert download.suggested_filename == f"重点项目台账_{e2e_data.year}年_{today}.xlsx"

    with open(download.path(), "rb") as handle:  # Playwright's copy has no extension
        ws = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    assert ws["A1"].value == f"兰山区{e2e_data.year}年重点项目台账"
    names = [row[2] for row in ws.iter_rows(min_row=6, values_only=True)]
    assert sorted(names) == sorted(p.name for p in lanshan)
    assert ws["A5"].value == f"合计（{len(lanshan)}项）"

    page.get_by_role("button", name="导出", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"重点项目台账_{e2e_data.year}年_{today}.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert sorted(row[2] for row in rows[2:]) == sorted(p.name for p in lanshan)
