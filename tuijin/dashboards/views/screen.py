"""The big screen (大屏): the screen and its data for a signed-in user's own scope, the same through a display
token for a meeting-room display (no sign-in, nothing else reachable), and the office's page that issues
and revokes the tokens. Thin views over `..selectors.screen` and `..services`."""

from datetime import timedelta
from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tuijin.core.exceptions import ConflictError, get_or_not_found, messages_of
from tuijin.core.parsing import parse_id
from tuijin.org.selectors import is_office, office_regions, require_office

from .. import services
from ..selectors import screen as selectors

NEW_TOKEN = "dashboards_screen_new_token"  # the session key holding a just-issued token's address, shown once


@lru_cache(maxsize=1)
def map_assets() -> tuple[str, ...]:
    """The 落地地图's scripts when the app has them (ECharts and tuijin/district_map.js), else none: the
    map panel then shows the districts' bars."""
    wanted = ("vendor/echarts/echarts.min.js", "tuijin/district_map.js")
    return wanted if all(finders.find(path) for path in wanted) else ()


def _screen(request, viewer, data_url: str, token=None):
    data = selectors.screen_data(viewer)
    return render(request, "dashboards/screen.html", {
        "data": data, "data_url": data_url, "map_assets": map_assets(), "token": token,
        "minutes": max(1, data["refresh_seconds"] // 60),
        "may_issue": token is None and is_office(request.user),
    })


# ------------------------------------------------------------------------ signed in: one's own scope


@login_required
@require_safe
def screen(request):
    return _screen(request, request.user, reverse("dashboards:screen_data"))


@login_required
@require_safe
def screen_data(request):
    return JsonResponse(selectors.screen_data(request.user), json_dumps_params={"ensure_ascii": False})


# ------------------------------------------------------------------------ through a display token


def _refused(request, message: str, status: int):
    return render(request, "dashboards/screen_message.html", {"message": message}, status=status)


UNKNOWN = 404
REFUSED = 410  # Gone: the token was good and is no more (revoked, expired, its issuer's right ended)


def _token(secret: str):
    """(the token, None) when it opens the screen, else (None, (message, status))."""
    token = selectors.token_by_secret(secret)
    if token is None:
        return None, (_("大屏链接无效。请核对链接，或联系推进办重新签发。"), UNKNOWN)
    refusal = selectors.token_refusal(token)
    if refusal is not None:
        return None, (refusal.message, REFUSED)
    return token, None


@never_cache
@require_safe
def token_screen(request, token):
    found, refused = _token(token)
    if refused:
        return _refused(request, *refused)
    return _screen(request, selectors.token_viewer(found), reverse("dashboards:token_screen_data", args=[token]),
                   token=found)


@never_cache
@require_safe
def token_screen_data(request, token):
    found, refused = _token(token)
    if refused:
        message, status = refused
        return JsonResponse({"error": "refused" if status == REFUSED else "unknown", "message": message},
                            status=status, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(selectors.screen_data(selectors.token_viewer(found)), json_dumps_params={"ensure_ascii": False})


# ------------------------------------------------------------------------ the office's tokens


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request):
    require_office(request.user)
    errors, posted = [], None
    if request.method == "POST":
        posted = request.POST
        try:
            token, secret = services.display_token_issue(request.user, name=posted.get("name", ""),
                                                         region=posted.get("region", ""),
                                                         expires_on=posted.get("expires_on", ""))
        except ValidationError as error:
            errors = messages_of(error)
        else:
            # Shown once on the page it redirects to, then gone: only its hash is stored.
            request.session[NEW_TOKEN] = {"id": token.pk, "url": request.build_absolute_uri(
                reverse("dashboards:token_screen", args=[secret]))}
            messages.success(request, _("已签发展示令牌“%(name)s”") % {"name": token.name})
            return redirect("dashboards:tokens")
    new = request.session.pop(NEW_TOKEN, None)
    today = timezone.localdate()
    issuers: dict = {}
    rows = [(token, *selectors.token_state(token, today, issuers)) for token in selectors.token_list(request.user)]
    return render(request, "dashboards/screen_tokens.html", {
        "rows": rows, "new": new, "errors": errors, "posted": posted,
        "regions": office_regions(request.user).order_by("path"),
        "history": selectors.token_history(request.user),
        "default_expiry": (today + timedelta(days=30)).isoformat(), "today": today.isoformat(),
        "max_expiry": (today + timedelta(days=services.MAX_DAYS)).isoformat(),
    })


@login_required
@require_POST
def token_revoke(request, pk):
    require_office(request.user)
    token = get_or_not_found(selectors.managed_tokens(request.user), pk=parse_id(pk) or 0)
    try:
        services.display_token_revoke(request.user, token, version=request.POST.get("version"),
                                      reason=request.POST.get("reason", ""))
    except ValidationError as error:
        for text in messages_of(error):
            messages.error(request, text)
    except ConflictError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已撤销“%(name)s”，该大屏将在下次刷新时停止显示") % {"name": token.name})
    return redirect("dashboards:tokens")
