"""Logout, and small helpers shared by every app's views (the login is tuijin.accounts')."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe


class LogoutView(auth_views.LogoutView):
    template_name = "registration/logged_out.html"


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


@login_required
@require_safe
def notifications(request):
    """The user's messages (催报, 退回…), newest first."""
    from .models import Notification

    items = list(Notification.objects.filter(user=request.user)[:100])
    return render(request, "notifications.html", {"items": items})


@login_required
@require_POST
def notifications_read(request):
    from .notify import mark_read

    mark_read(request.user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("notifications")
    return redirect(target)


@login_required
@require_safe
def notification_open(request, pk):
    """Open a message: it counts as read, then its page (only one's own messages; others 404)."""
    from django.http import Http404

    from .models import Notification
    from .notify import mark_read

    item = Notification.objects.filter(pk=pk, user=request.user).first()
    if item is None:
        raise Http404
    mark_read(request.user, [item.pk])
    target = item.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications")
    return redirect(target)


def bad_request(request, exception=None):
    """400 page: a refused request parameter's Chinese reason (core.parsing), or a general one."""
    from django.core.exceptions import BadRequest

    message = str(exception) if isinstance(exception, BadRequest) and exception.args else ""
    return render(request, "400.html", {"message": message}, status=400)
