"""首页: each role's first screen (`/`, name `home`), over selectors.home. A user whose roles call for
more than one screen (an admin who is also a 联系领导) switches with `?view=office|leader|work`."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..selectors import home as selectors


@login_required
@require_safe
def home(request):
    kinds = selectors.screens_for(request.user)
    kind = request.GET.get("view")
    if kind not in kinds:
        kind = kinds[0]
    today = timezone.localdate()
    return render(request, f"dashboards/home_{kind}.html", {
        "screen": selectors.screen_for(request.user, kind, today), "kind": kind, "today": today,
        "kinds": [(k, selectors.SCREEN_LABELS[k]) for k in kinds],
    })
