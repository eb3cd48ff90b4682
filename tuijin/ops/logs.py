"""Logs an office can read and search (issue #19 §3): every line carries the request it belongs to, in
JSON lines by default (TUIJIN_LOG_FORMAT=json; `text` for a terminal), and a refusal the app meant —
403 on another's record, 404 — is one line, not a traceback.

- RequestIdMiddleware gives each request an id: the proxy's X-Request-ID when it is a sane token (nginx
  `$request_id`, see docs), else a new one; it is sent back in the response's X-Request-ID and kept in a
  context variable for the length of the request.
- RequestIdFilter puts that id on every log record (`request_id`, "-" outside a request).
- ExpectedRefusalFilter drops the traceback Django attaches to its "Forbidden" warning (django.request
  logs PermissionDenied with exc_info): the status, path and request id say all there is.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("tuijin_request_id", default="-")
_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEADER = "X-Request-ID"


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _SANE.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class ExpectedRefusalFilter(logging.Filter):
    """403 and 404 are answers the app means to give: logged as one line, never with a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 404, 405, 410):
            record.exc_info = None
            record.exc_text = None
        return True


def logging_config(fmt: str, level: str) -> dict:
    """settings.LOGGING: the console, in JSON lines (`json`) or plain text (`text`)."""
    if fmt not in ("json", "text"):
        raise ValueError("TUIJIN_LOG_FORMAT must be json or text")
    formatters = {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(status_code)s",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                 "json_ensure_ascii": False},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}, "expected_refusals": {"()": ExpectedRefusalFilter}},
        "formatters": {fmt: formatters[fmt]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": fmt,
                                 "filters": ["request_id", "expected_refusals"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"axes": {"level": "WARNING"}},
    }
