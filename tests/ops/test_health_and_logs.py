"""/healthz, the request id and the logs' format (issue #19 §3)."""

import json
import logging
import logging.config
from collections import namedtuple

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path

from tuijin.ops import health
from tuijin.ops.logs import logging_config

Usage = namedtuple("Usage", "total used free")


@pytest.mark.django_db
def test_healthz_answers_ok_with_its_checks_and_no_data():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok" and set(body["checks"]) == {"database", "disk", "worker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "/" not in json.dumps(body)  # no path of the installation


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_disk_when_it_fills(monkeypatch):
    monkeypatch.setattr(health.shutil, "disk_usage", lambda _path: Usage(10 << 30, (10 << 30) - (100 << 20), 100 << 20))
    with override_settings(TUIJIN_HEALTH_MIN_FREE_MB=1024):
        response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["disk"] == {"ok": False, "detail": "100 MB free (minimum 1024 MB)"}
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(monkeypatch):
    from django.db import DatabaseError

    def broken():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "detail": "DatabaseError"}


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_keeps_a_sane_one_from_the_proxy():
    client = Client()
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-0123456789abcdef"})["X-Request-ID"] == \
        "nginx-0123456789abcdef"
    forged = client.get("/healthz", headers={"X-Request-ID": "x\r\nSet-Cookie: a=b"})["X-Request-ID"]
    assert len(forged) == 32 and "\n" not in forged


def refuse(request):
    raise PermissionDenied


urlpatterns = [path("refuse/", refuse), path("", include("tuijin.urls"))]  # the 403 page links home


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_refusal_is_logged_as_one_json_line_with_the_request_id_and_no_traceback(capsys):
    logging.config.dictConfig(logging_config("json", "WARNING"))
    try:
        response = Client().get("/refuse/", headers={"X-Request-ID": "req-forbidden-0001"})
    finally:
        from django.conf import settings
        logging.config.dictConfig(settings.LOGGING)
    assert response.status_code == 403
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    refused = [r for r in records if r.get("logger") == "django.request"]
    assert len(refused) == 1, lines
    assert refused[0]["request_id"] == "req-forbidden-0001" and refused[0]["status_code"] == 403
    assert refused[0]["level"] == "WARNING" and "Forbidden" in refused[0]["message"]
    assert "exc_info" not in refused[0] and "Traceback" not in "\n".join(lines)


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="TUIJIN_LOG_FORMAT must be json or text"):
        logging_config("xml", "INFO")
