"""Session lifetime (30 min idle, 12 h absolute) and security headers for every response."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout

_REFRESH_EVERY = 60  # seconds: renew the idle timer at most once a minute, not on every request


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated and SESSION_KEY in request.session:
            # The session names a user who may no longer log in (disabled or removed): it ends for good,
            # so enabling the account again does not revive it without a password.
            request.session.flush()
        elif user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.get("_tj_login_at")
            if started is None:
                session["_tj_login_at"] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return self.get_response(request)
            last = session.get("_tj_seen_at", 0)
            if now - last >= _REFRESH_EVERY:
                # Modifying the session re-saves it with a fresh SESSION_COOKIE_AGE (sliding expiry).
                session["_tj_seen_at"] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """CSP and Permissions-Policy on every response, no-store on authenticated pages (headers a passive
    security scan checks)."""

    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )

    # The browser features no page of the platform uses are off for every page and every frame; fullscreen
    # stays open to the platform's own pages (a 大屏 is shown full screen), to no one else.
    permissions_policy = ", ".join([
        *(f"{feature}=()" for feature in (
            "accelerometer", "autoplay", "bluetooth", "camera", "display-capture", "encrypted-media",
            "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi",
            "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial",
            "usb", "xr-spatial-tracking", "browsing-topics",
        )),
        "fullscreen=(self)",
    ])

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", self.permissions_policy)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose another language (cookie): the browser's language is not asked.

    Government PCs often run English-language browsers; the office still expects a Chinese UI.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulCharactersMiddleware:
    """A query parameter or form field holding a NUL character is refused with a Chinese 400.

    PostgreSQL cannot store or compare text containing NUL (psycopg raises, a 500), SQLite keeps it and
    cuts the text short on display; no form or filter needs one. Uploaded files are not looked at.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import BadRequest
        from django.utils.translation import gettext as _

        from .views import bad_request

        params = [request.GET]
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            params.append(request.POST)
        for query in params:
            if any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()):
                return bad_request(request, BadRequest(_("提交的内容含有不允许的控制字符（NUL），请删除后重试")))
        return self.get_response(request)


class DomainErrorMiddleware:
    """Turns the domain's NotFound (raised by services and selectors) into the site's 404 answer, so
    views stay thin and the layers below know nothing of HTTP. PermissionDenied is already a 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from tuijin.core.exceptions import NotFound

        if isinstance(exception, NotFound):
            from django.core.handlers.exception import response_for_exception
            from django.http import Http404

            return response_for_exception(request, Http404(str(exception)))
        return None
