"""落地地图: the page (filters, the map, the districts beside it) and its data as JSON, which the big screen
(大屏) reads too. Thin views over selectors.map."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
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


def labels() -> dict:
    """The words the map's script writes (the page's language: the script has none of its own)."""
    return {
        "projects": _("项目数"), "points": _("有坐标"), "owner": _("项目业主"), "lead_unit": _("牵头单位"),
        "total": _("总投资"), "plan": _("年度计划"), "completed": _("本年累计完成"), "rate": _("完成率"),
        "money_unit": _("万元"), "open": _("查看项目"), "ledger": _("点击查看该区域的项目"),
        "no_boundary": _("无边界数据，标在其项目位置的中心"), "no_geo": _("没有该市的区县边界数据，只显示项目位置。"),
        "empty": _("没有符合条件的项目。"), "error": _("地图数据读取失败，请刷新页面重试。"),
        "light": _("预警"), "no_value": _("无数据"),
    }


@login_required
@require_safe
def map_page(request):
    params = _params(request)
    context = {"filter": _filter_form(request), "filters": FILTERS, "params": params,
               "figures": [FIGURES[key] for key in selectors.MAP_FIGURES], "labels": labels(),
               "query": request.GET.urlencode()}
    try:
        found = selectors.map_data(request.user, period=params["period"], figure=params["figure"], filters=request.GET)
    except FiguresError as exc:
        context["error"] = str(exc)
        return render(request, "dashboards/map.html", context, status=400)
    context.update(map=found, payload={**found.as_json(), "labels": labels()},
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
    return JsonResponse({**found.as_json(), "labels": labels()}, json_dumps_params={"ensure_ascii": False})
