"""The ledger page in a real browser: login, totals, htmx filtering, sorting, URL state."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, E2EData
from .helpers import ROWS, as_decimal, assert_assets_loaded, is_htmx_request, ledger_rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_wrong_password_shows_chinese_error(page, live_server, e2e_data, screenshot):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名", exact=True).fill("dispatcher")
    page.get_by_label("密码", exact=True).fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    expect(page).to_have_url(re.compile(r"/login/"))
    screenshot(page, "login-error.png")


def test_dispatcher_logs_in_and_sees_ledger_with_totals(page, live_server, login, e2e_data: E2EData, screenshot):
    # Start from the ledger's address: it redirects to the login form and back to the ledger afterwards.
    login(page, "dispatcher", PASSWORD, start="/projects/")
    expect(page).to_have_url(f"{live_server.url}/projects/")
    expect(page.get_by_role("heading", level=1)).to_have_text("重点项目台账")
    expect(page.locator("#current-user")).to_have_text("张调度")

    # Static assets are served: htmx is loaded and Bootstrap styles the navbar.
    assert_assets_loaded(page, live_server.url)
    navbar_bg = page.locator("nav.navbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert navbar_bg == "rgb(13, 110, 253)", f"Bootstrap CSS not applied (navbar background {navbar_bg})"

    projects = list(e2e_data.projects.values())
    totals = page.locator("#ledger-totals")
    expect(totals).to_contain_text(f"合计：{len(projects)} 个项目")
    expect(totals.locator('[data-total="total_investment"]')).to_have_text(e2e_data.money(e2e_data.total(projects)))
    expect(totals.locator('[data-total="annual_plan"]')).to_have_text("79,500.00")
    expect(totals).to_contain_text(f"年度计划为 {e2e_data.year} 年")

    rows = ledger_rows(page)
    assert len(rows) == len(projects)
    # Default order: total investment, largest first; amounts shown like 12,345.67.
    amounts = [as_decimal(r["total"]) for r in rows]
    assert amounts == sorted(amounts, reverse=True)
    by_name = {r["name"]: r for r in rows}
    assert by_name["兰山区北城新区道路改造工程"]["total"] == "12,345.67"
    assert by_name["兰山区北城新区道路改造工程"]["leaders"] == "刘建国、陈志远"
    assert by_name["罗庄区河道综合治理"]["leaders"] == "刘建国"
    expect(page.locator(".card-footer")).to_contain_text(f"共 {len(projects)} 条")
    screenshot(page, "ledger.png")


def test_filter_sort_and_url_state(page, live_server, login, e2e_data: E2EData, screenshot):
    login(page, "dispatcher")
    assert_assets_loaded(page, live_server.url)
    page.evaluate("window.__marker = 1")
    lanshan = e2e_data.in_region("兰山区")
    totals = page.locator("#ledger-totals")
    all_total = totals.locator('[data-total="total_investment"]').inner_text()

    # 1. Region filter: htmx swaps the table, no page load.
    with page.expect_response(is_htmx_request) as info:
        page.locator("#ledger-filter #id_region").select_option(label="兰山区")
    assert info.value.status == 200
    expect(totals).to_contain_text(f"合计：{len(lanshan)} 个项目")
    expect(totals.locator('[data-total="total_investment"]')).to_have_text(e2e_data.money(e2e_data.total(lanshan)))
    assert totals.locator('[data-total="total_investment"]').inner_text() != all_total
    assert page.evaluate("window.__marker") == 1, "the filter reloaded the whole page instead of swapping via htmx"
    query = parse_qs(urlparse(page.url).query)
    assert query["region"] == [str(e2e_data.regions["兰山区"].pk)], page.url
    rows = ledger_rows(page)
    assert {r["region"] for r in rows} == {"兰山区"}
    assert {r["name"] for r in rows} == {p.name for p in lanshan}
    screenshot(page, "ledger-filtered.png")

    # 2. Keyword: typed Chinese (an IME commit ends with a key release, which htmx listens for).
    keyword = page.locator("#id_q")
    keyword.fill("物流")
    with page.expect_response(is_htmx_request):
        keyword.press("End")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(totals).to_contain_text("合计：1 个项目")
    assert [r["name"] for r in ledger_rows(page)] == ["兰山区智慧物流园区"]
    assert "q=" in page.url
    assert page.evaluate("window.__marker") == 1

    # 3. Clear the keyword, then sort by 总投资 ascending by clicking its header (default is descending).
    keyword.fill("")
    with page.expect_response(is_htmx_request):
        keyword.press("End")
    expect(page.locator(ROWS)).to_have_count(len(lanshan))
    before = [r["name"] for r in ledger_rows(page)]
    header = page.locator("#ledger-table thead a.sort", has_text="总投资")
    expect(header).to_contain_text("▼")
    with page.expect_response(is_htmx_request):
        header.click()
    expect(page.locator("#ledger-table thead a.sort", has_text="总投资")).to_contain_text("▲")
    rows = ledger_rows(page)
    after = [r["name"] for r in rows]
    assert after == list(reversed(before)), (before, after)
    amounts = [as_decimal(r["total"]) for r in rows]
    assert amounts == sorted(amounts)
    assert {r["region"] for r in rows} == {"兰山区"}, "sorting lost the region filter"
    query = parse_qs(urlparse(page.url).query)
    assert query["sort"] == ["total_investment"] and query["region"] == [str(e2e_data.regions["兰山区"].pk)]
    assert page.evaluate("window.__marker") == 1

    # 4. The URL carries the state: a full reload shows the same filter, sort and rows.
    page.reload()
    assert page.evaluate("window.__marker") is None  # a real reload this time
    expect(page.locator("#id_region")).to_have_value(str(e2e_data.regions["兰山区"].pk))
    expect(page.locator("#ledger-table thead a.sort", has_text="总投资")).to_contain_text("▲")
    assert [r["name"] for r in ledger_rows(page)] == after
    expect(totals).to_contain_text(f"合计：{len(lanshan)} 个项目")

    # 5. The same state with a keyword survives a fresh load of the URL too.
    page.goto(f"{page.url}&q=学校")
    expect(page.locator("#id_q")).to_have_value("学校")
    assert [r["name"] for r in ledger_rows(page)] == ["兰山区第一实验学校扩建"]
