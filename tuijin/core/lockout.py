"""Throttling login failures per network address (password spraying), beside django-axes' lock.

django-axes locks a username at one address after 5 failures (settings.AXES_LOCKOUT_PARAMETERS), so a
stranger cannot lock the leader out everywhere. That alone would let one address try one password on
each of many accounts; here an address whose failures, across every username it tried, reach
TUIJIN_LOGIN_ADDRESS_FAILURE_LIMIT within TUIJIN_LOGIN_ADDRESS_WINDOW is refused until the window has
passed since its last failure. The count is read from axes' own AccessAttempt rows (failures per
username and address, stamped with the last failure), so `tuijin axes_reset_ip ADDRESS` and the
admin's 访问尝试 page lift it, and a successful login (AXES_RESET_ON_SUCCESS) takes that user's share off.
"""

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def address_failures(ip_address: str | None) -> int:
    """Failed logins from `ip_address` whose latest failure falls inside the throttling window."""
    if not ip_address:
        return 0
    since = timezone.now() - settings.TUIJIN_LOGIN_ADDRESS_WINDOW
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start"))["n"]
    return total or 0


def address_throttled(request) -> bool:
    return address_failures(get_client_ip_address(request)) >= settings.TUIJIN_LOGIN_ADDRESS_FAILURE_LIMIT


def client_ip(request) -> str | None:
    """The address login failures are counted against (settings.AXES_CLIENT_IP_CALLABLE).

    Behind the reverse proxy (TUIJIN_BEHIND_PROXY) every request comes from the proxy, so the address is
    the last X-Forwarded-For entry — the one the proxy itself appended, which a client cannot forge;
    otherwise REMOTE_ADDR.
    """
    if settings.TUIJIN_BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
