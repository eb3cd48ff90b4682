"""Response headers for 等保 §4 of issue #18: a Permissions-Policy on every response (pages, errors, the
admin, static files), and `tuijin check --deploy` clean with a production-like environment."""

import secrets
import sys

import pytest
from django.urls import reverse

from .test_cli import run

OFF = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "display-capture", "midi")


def policy(response) -> dict[str, str]:
    """Permissions-Policy as {feature: allow-list}."""
    header = response["Permissions-Policy"]
    return dict(item.strip().split("=", 1) for item in header.split(","))


def assert_locked_down(response) -> None:
    features = policy(response)
    for feature in OFF:
        assert features[feature] == "()", feature
    assert features["fullscreen"] == "(self)"  # the 大屏 may go full screen, nobody else's frame


@pytest.mark.django_db
def test_the_login_page_turns_off_camera_microphone_location_payment_and_usb(client):
    assert_locked_down(client.get(reverse("login")))


@pytest.mark.django_db
def test_signed_in_pages_errors_and_the_admin_carry_the_policy_too(client, users, own_project, other_project):
    client.force_login(users["reporter_a"])
    assert_locked_down(client.get(reverse("projects:list")))
    assert_locked_down(client.get(reverse("projects:detail", args=[other_project.pk])))  # 404
    assert_locked_down(client.get(reverse("projects:create"), follow=False))
    assert_locked_down(client.get("/admin/"))  # 403: administers nothing
    client.force_login(users["admin"])
    assert_locked_down(client.get("/admin/"))


@pytest.mark.django_db
def test_static_files_carry_the_policy(client):
    response = client.get("/static/tuijin/app.css")
    assert response.status_code == 200
    assert_locked_down(response)


def test_no_feature_is_allowed_to_other_origins():
    from tuijin.core.middleware import SecurityHeadersMiddleware

    for item in SecurityHeadersMiddleware.permissions_policy.split(", "):
        feature, allowed = item.split("=")
        assert allowed in {"()", "(self)"}, item


PRODUCTION = {
    "TUIJIN_HTTPS": "1", "DEBUG": "0", "ALLOWED_HOSTS": "tuijin.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://tuijin.example.gov.cn",
}


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    result = run([sys.executable, "-m", "tuijin", "check", "--deploy", "--fail-level", "WARNING"], tmp_path,
                 SECRET_KEY=secrets.token_urlsafe(60), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_does_complain_without_https(tmp_path):
    """The check above could pass by checking nothing: over plain HTTP it names what is missing."""
    result = run([sys.executable, "-m", "tuijin", "check", "--deploy", "--fail-level", "WARNING"], tmp_path,
                 SECRET_KEY=secrets.token_urlsafe(60), **{**PRODUCTION, "TUIJIN_HTTPS": "0"})
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS
