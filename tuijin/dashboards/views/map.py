"""落地地图: the page (filters, the map, the districts beside it) and its data as JSON, which the big screen
(大屏) reads too. Thin views over selectors.map."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tuijin.figures.registry import FIGURES
from tuijin.figures.selectors import FiguresError
from tuijin.figures.views import default_period
from tuijin.projects.filtersets import LedgerFilterSet
from tuijin.projects.models import Project

from ..selectors import map as selectors

# The ledger filters the map offers (the year is the period's; only admitted projects count).
# (The leader and keyword filters apply through the URL as on the ledger, without a field here.)
FILTERS = ("region", "level", "category", "stage", "program", "unit", "light")


def _filter_form(request):
    """The ledger filter bar's fields with the user's options, showing the filters chosen."""
    data = request.GET.copy()
    for name in ("period", "figure"):
        data.pop(name, None)
    data["year"] = ""
    return LedgerFilterSet(data, queryset=Project.objects.none(), user=request.user)


def _params(request) -> dict:
    return {"period": request.GET.get("period") or default_period(),
            "figure": request.GET.get("figure") or next(iter(selectors.MAP_FIGURES))}


@login_required
@require_safe
def map_page(request):
    params = _params(request)
    context = {"filter": _filter_form(request), "filters": FILTERS, "params": params,
               "figures": [FIGURES[key] for key in selectors.MAP_FIGURES],
               "query": request.GET.urlencode()}
    try:
        found = selectors.map_data(request.user, period=params["period"], figure=params["figure"], filters=request.GET)
    except FiguresError as exc:
        context["error"] = str(exc)
        return render(request, "dashboards/map.html", context, status=400)
    context.update(map=found, payload=found.as_json(),
                   unplaced=[d for d in found.districts if d.level in ("zone", "self")])
    return render(request, "dashboards/map.html", context)


@login_required
@require_safe
def map_data(request):
    params = _params(request)
    try:
        found = selectors.map_data(request.user, period=params["period"], figure=params["figure"], filters=request.GET)
    except FiguresError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(found.as_json(), json_dumps_params={"ensure_ascii": False})
