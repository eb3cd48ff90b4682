"""A district reporter sees only their district, in the ledger and by URL."""

import pytest
from playwright.sync_api import expect

from .conftest import E2EData
from .helpers import ledger_rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reporter_sees_only_own_district(page, live_server, login, e2e_data: E2EData, screenshot):
    lanshan = e2e_data.in_region("兰山区")
    luozhuang = e2e_data.in_region("罗庄区")
    login(page, "reporter")
    expect(page.locator("#current-user")).to_have_text("王填报")

    rows = ledger_rows(page)
    assert {r["name"] for r in rows} == {p.name for p in lanshan}
    assert {r["region"] for r in rows} == {"兰山区"}
    totals = page.locator("#ledger-totals")
    expect(totals).to_contain_text(f"合计：{len(lanshan)} 个项目")
    expect(totals.locator('[data-total="total_investment"]')).to_have_text(e2e_data.money(e2e_data.total(lanshan)))
    # The region filter offers only the reporter's own district.
    options = page.locator("#id_region option").all_inner_texts()
    assert options == ["全部区域", "兰山区"], options
    screenshot(page, "reporter-ledger.png")

    # Another district's project: 404 by URL, for every page of it, and not found by keyword.
    other = luozhuang[0]
    for suffix in ("", "plans/", "history/", "edit/"):
        response = page.goto(f"{live_server.url}/projects/{other.pk}/{suffix}")
        assert response.status == 404, f"/projects/{other.pk}/{suffix} answered {response.status}"
        expect(page.locator("body")).not_to_contain_text(other.name)
    screenshot(page, "reporter-404.png")
    page.goto(f"{live_server.url}/projects/?q={other.name}")
    expect(page.locator("#ledger-totals")).to_contain_text("合计：0 个项目")
    # Asking for the other district by id in the URL does not widen the scope.
    response = page.goto(f"{live_server.url}/projects/?region={e2e_data.regions['罗庄区'].pk}")
    assert response.status == 200
    assert not {r["name"] for r in ledger_rows(page)} & {p.name for p in luozhuang}

    # Their own district's project opens normally.
    own = lanshan[0]
    response = page.goto(f"{live_server.url}/projects/{own.pk}/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(own.name)
