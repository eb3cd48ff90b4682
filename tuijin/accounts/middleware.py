"""Holds a signed-in user on the page of a duty their sign-in left (views.GATES): change the password
(first login, expired, after an administrator's reset) or enrol an authenticator (a role that requires a
second factor). Only that page, logout, the language switch and static files are let through.

Reads the session only (the duties are worked out once, at sign-in): no query on an ordinary request."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .views import GATES, gate_url


class AccountGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        gates = session.get(GATES) if session is not None else None
        if gates and request.user.is_authenticated:
            target = gate_url(gates[0])
            path = request.path
            if path != target and path not in {reverse("logout"), reverse("set_language")} and not (
                    path.startswith(settings.STATIC_URL)):
                return redirect(target)
        return self.get_response(request)
