"""大屏 in a real browser: the dispatcher issues a display token, a fresh browser (never signed in) opens the
screen's address and shows the figures layer's numbers, refreshes without a sign-in, reaches no other page,
and turns to a Chinese message once the token is revoked."""

import pytest
from playwright.sync_api import expect

from tuijin.core.templatetags.tuijin import yi
from tuijin.dashboards.models import DisplayToken
from tuijin.figures.selectors import figures
from tuijin.figures.views import default_period

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tile(page, key: str):
    return page.locator(f"#screen-tiles .tile[data-key='{key}'] .num")


def test_a_token_opens_the_screen_in_a_fresh_browser_until_it_is_revoked(page, new_page, live_server, login,
                                                                         e2e_data: E2EData, screenshot):
    office = page
    login(office, "dispatcher")
    office.goto(f"{live_server.url}/dashboards/screen/tokens/")
    office.get_by_label("名称").fill("市政府三楼会议室大屏")
    office.get_by_label("展示范围").select_option(label="临沂市")
    office.get_by_role("button", name="签发", exact=True).click()
    expect(office.locator(".alert-success").first).to_contain_text("已签发展示令牌“市政府三楼会议室大屏”")
    address = office.locator("#new-token-url").input_value()
    assert address.startswith(f"{live_server.url}/dashboards/screen/")
    assert DisplayToken.objects.get().hint == address.rstrip("/")[-4:]

    total = figures(e2e_data.users["dispatcher"], period=default_period(),
                    keys=("projects", "annual_plan", "plan_rate")).total
    screen = new_page()
    screen.set_viewport_size({"width": 1920, "height": 1080})
    screen.goto(address)
    expect(screen.locator("#screen-title")).to_have_text("临沂市重点项目建设推进情况")
    expect(tile(screen, "projects")).to_have_text(str(total["projects"]))
    assert total["projects"] == len(e2e_data.projects)
    expect(tile(screen, "annual_plan")).to_have_text(yi(total["annual_plan"]))  # 7.95 (亿元)
    expect(tile(screen, "plan_rate")).to_have_text("—" if total["plan_rate"] is None else str(total["plan_rate"]))
    expect(screen.locator("#screen-districts li")).to_have_count(2)  # 兰山区 and 罗庄区
    screenshot(screen, "screen-token-1920.png", full_page=False)

    # A refresh asks the data URL in place: the screen stays, no sign-in page appears.
    body = screen.evaluate("window.TuijinScreen.refresh()")
    assert body["headline"][0]["value"] == str(total["projects"])
    assert screen.url == address
    expect(screen.locator("#screen-overlay")).to_be_hidden()

    # The same browser reaches nothing else: the ledger asks for a sign-in.
    other = screen.context.new_page()
    other.goto(f"{live_server.url}/projects/")
    assert "/login/" in other.url
    other.close()

    # Revoked on the office's page, the screen says so at its next refresh.
    office.goto(f"{live_server.url}/dashboards/screen/tokens/")
    office.get_by_label("撤销原因").fill("会议室换屏")
    office.once("dialog", lambda dialog: dialog.accept())
    office.get_by_role("button", name="撤销", exact=True).click()
    expect(office.locator(".alert-success").first).to_contain_text("已撤销“市政府三楼会议室大屏”")
    expect(office.locator("#token-history")).to_contain_text("撤销展示令牌：市政府三楼会议室大屏（会议室换屏）")
    screen.evaluate("window.TuijinScreen.refresh()")
    expect(screen.locator("#screen-overlay")).to_be_visible()
    expect(screen.locator("#screen-overlay")).to_contain_text("该大屏链接已于")
    expect(screen.locator("#screen-overlay")).to_contain_text("如需继续展示，请联系推进办重新签发。")
    screen.reload()
    expect(screen.locator("#screen-message")).to_contain_text("撤销")
