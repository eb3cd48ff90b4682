"""驾驶舱 (issue #17 §2): the page (filters and the charts' places) and its data (JSON, every figure from
the figures layer through ..selectors.cockpit). Open to every signed-in user over their own scope."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from tuijin.figures import selectors as figures
from tuijin.figures.registry import FIGURES
from tuijin.figures.views import FILTERS, default_period
from tuijin.projects.filtersets import LedgerFilterSet
from tuijin.projects.models import Project

from ..selectors import cockpit as selectors

# The headline figures above the charts (the script fills them in from the data).
KPIS = ("projects", "total_investment", "annual_plan", "completed", "plan_rate", "time_progress", "deviation_points")


def _period(request) -> str:
    return request.GET.get("period") or default_period()


def _filter_form(request) -> LedgerFilterSet:
    """The ledger's filter bar (the user's options) showing the filters chosen; the year is the period's."""
    data = request.GET.copy()
    for name in (*figures.OWN_PARAMS, *figures.FIXED_PARAMS):
        data.pop(name, None)
    data["year"] = ""
    return LedgerFilterSet(data, queryset=Project.objects.none(), user=request.user)


@login_required
@require_safe
def page(request):
    period = _period(request)
    query = request.GET.copy()
    query["period"] = period
    context = {"filter": _filter_form(request), "filters": FILTERS, "period": period,
               "kpis": [(key, FIGURES[key].label) for key in KPIS],
               "data_url": f"{reverse('dashboards:cockpit_data')}?{query.urlencode()}"}
    try:
        selectors.check(request.user, period=period, filters=request.GET)
    except figures.FiguresError as exc:
        context["error"] = str(exc)
        return render(request, "dashboards/cockpit.html", context, status=400)
    return render(request, "dashboards/cockpit.html", context)


@login_required
@require_safe
def data(request):
    try:
        found = selectors.cockpit(request.user, period=_period(request), filters=request.GET)
    except figures.FiguresError as exc:
        return JsonResponse({"error": str(exc)}, status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(found, json_dumps_params={"ensure_ascii": False})
