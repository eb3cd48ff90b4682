"""Signing in through the real forms, and the codes an authenticator app would show."""

from binascii import unhexlify

from django.urls import reverse
from django_otp.oath import totp

from .. import factories as f

LOGIN = reverse("login")
LOGIN_CODE = reverse("login_code")


def code(key: str, steps_ahead: int = 0) -> str:
    """The 6-digit code of `key` now (or `steps_ahead` 30-second steps later), as the app shows it."""
    return f"{totp(unhexlify(key.encode()), step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def log_in(client, username: str, password: str = f.PASSWORD, next_url: str = ""):
    url = f"{LOGIN}?next={next_url}" if next_url else LOGIN
    return client.post(url, {"username": username, "password": password})


def enrolled(user) -> tuple[str, list[str]]:
    """`user` with a confirmed authenticator: its key and the 10 recovery codes."""
    from tuijin.accounts import services

    key = services.new_totp_key()
    return key, services.factor_enrol(user, key=key, token=code(key))
