"""The second factor in the browser: a dispatcher (a role that must use one) enrols after the password step
(QR code and secret shown; the code computed from the shown secret as an authenticator app would), sees ten
recovery codes once, logs out, logs in with a code, then with a recovery code after a wrong code is refused."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from .conftest import PASSWORD, E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def app_code(secret: str, steps_ahead: int = 0) -> str:
    return f"{totp(b32decode(secret), step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def password_step(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/?next=/projects/")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


def log_out(page) -> None:
    page.get_by_role("button", name="退出", exact=True).click()
    page.wait_for_url("**/login/")


def test_enrol_then_log_in_with_a_code_and_with_a_recovery_code(page, live_server, e2e_data: E2EData, settings,
                                                                 screenshot):
    settings.TUIJIN_SECOND_FACTOR_ROLES = ["dispatcher"]
    password_step(page, live_server, "dispatcher")
    page.wait_for_url(f"{live_server.url}/account/factor/")
    expect(page.get_by_text("您的角色须使用双因素认证，请先绑定验证器后继续使用。")).to_be_visible()
    expect(page.locator("#totp-qr svg")).to_be_visible()
    # Every other page sends the user back here until an authenticator is bound.
    page.goto(f"{live_server.url}/projects/")
    page.wait_for_url(f"{live_server.url}/account/factor/")
    secret = page.locator("#totp-secret").inner_text().strip()
    screenshot(page, "second-factor-enrol.png")
    page.get_by_label("验证码", exact=True).fill(app_code(secret))
    page.get_by_role("button", name="确认绑定").click()
    page.wait_for_url(f"{live_server.url}/account/")
    codes = page.locator(".recovery-code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    expect(page.locator("#factor-status")).to_contain_text("已启用")
    page.reload()
    expect(page.locator("#recovery-codes")).to_have_count(0)  # shown once

    log_out(page)
    password_step(page, live_server, "dispatcher")
    page.wait_for_url(f"{live_server.url}/login/code/")
    page.get_by_label("验证码或恢复码").fill(app_code(secret, 1))  # the enrolment used this step's code
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{live_server.url}/projects/**")
    expect(page.locator("#current-user")).to_have_text("张调度")

    log_out(page)
    password_step(page, live_server, "dispatcher")
    page.wait_for_url(f"{live_server.url}/login/code/")
    right = app_code(secret, 1)
    page.get_by_label("验证码或恢复码").fill(f"{(int(right) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_text("验证码错误或已过期，请重新输入。")).to_be_visible()
    screenshot(page, "second-factor-wrong-code.png")
    page.goto(f"{live_server.url}/projects/")
    page.wait_for_url("**/login/?next=/projects/")  # not signed in
    password_step(page, live_server, "dispatcher")
    page.wait_for_url(f"{live_server.url}/login/code/")
    page.get_by_label("验证码或恢复码").fill(codes[0])
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{live_server.url}/projects/**")
    expect(page.get_by_text("您使用了一个恢复码，剩余9个。")).to_be_visible()
