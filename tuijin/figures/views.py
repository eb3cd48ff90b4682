"""统计分析 pages: the figures table (any ledger filter, period and grouping) and the drill-down behind each
number. Thin views over selectors."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from tuijin.projects.filtersets import LedgerFilterSet
from tuijin.projects.models import Project
from tuijin.reports.models import ReportPeriod

from . import selectors
from .dimensions import REGION_LEVEL_LABELS, dimension_choices
from .periods import month_of
from .registry import COMPONENT_LABELS, FIGURES, display, display_part

# The figures the table shows, in its order (every figure has a drill-down and is in the CLI's JSON).
PAGE_KEYS = (
    "projects", "total_investment", "annual_plan", "completed", "plan_rate", "time_progress", "deviation_points",
    "plan_to_date_rate", "planned_starts", "started", "started_early", "not_started_on_time", "start_rate",
    "work_rate", "completion_rate", "milestone_rate", "approval_rate", "problem_close_rate", "problem_avg_days",
    "on_time_rate", "completed_yoy",
)
# The ledger filters the figures offer (the year is the period's; only admitted projects count).
FILTERS = ("region", "level", "category", "stage", "program", "unit", "leader", "light", "q")


def default_period() -> str:
    """The month of the latest reporting period already begun, else this month."""
    today = timezone.localdate()
    latest = ReportPeriod.objects.filter(starts_on__lte=today).order_by("-ends_on", "-id").values_list(
        "ends_on", flat=True).first()
    return month_of(latest or today).key


def _params(request) -> dict:
    return {"period": request.GET.get("period") or default_period(), "by": request.GET.get("by", "region"),
            "region_level": request.GET.get("region_level", "")}


def _query(request, **extra) -> str:
    data = request.GET.copy()
    for key in ("figure", "group", "page"):
        data.pop(key, None)
    for key, value in extra.items():
        data[key] = value
    return data.urlencode()


def _filter_form(request):
    """The ledger filter bar's fields (with the user's options), for showing the filters chosen."""
    data = selectors._filter_data(request.GET)
    data["year"] = ""
    return LedgerFilterSet(data, queryset=Project.objects.none(), user=request.user)


def _ledger_url(params: dict | None) -> str | None:
    return f"{reverse('projects:list')}?{urlencode(params)}" if params is not None else None


@login_required
@require_safe
def index(request):
    params = _params(request)
    context = {"filter": _filter_form(request), "filters": FILTERS, "params": params,
               "dimensions": dimension_choices(), "region_levels": list(REGION_LEVEL_LABELS.items()),
               "columns": [FIGURES[key] for key in PAGE_KEYS]}
    try:
        table = selectors.figures(request.user, period=params["period"], group_by=params["by"] or None,
                                  filters=request.GET, keys=PAGE_KEYS + ("projects_by_stage",),
                                  region_level=params["region_level"] or None)
    except selectors.FiguresError as exc:
        context["error"] = str(exc)
        return render(request, "figures/index.html", context, status=400)
    explain_base = f"{reverse('figures:explain')}?{_query(request, period=params['period'])}"

    def row(group):
        key = group.key if group.group is not None else "total"
        cells = [(display(group.get(f.key), f.kind), f"{explain_base}&figure={f.key}&group={key}")
                 for f in context["columns"]]
        offered = group.group is None or group.group.offered
        ledger = table.ledger_params(group if group.group is not None else None) if offered else None
        return {"name": group.name, "key": key, "cells": cells, "ledger": _ledger_url(ledger),
                "deviation": group.deviation_text}

    context.update(table=table, rows=[row(g) for g in table.groups], total=row(table.total))
    return render(request, "figures/index.html", context)


@login_required
@require_safe
def explain(request):
    params = _params(request)
    figure = request.GET.get("figure", "")
    group = request.GET.get("group") or None
    try:
        found = selectors.explain(request.user, figure, group, period=params["period"],
                                  group_by=params["by"] or None, filters=request.GET,
                                  region_level=params["region_level"] or None)
    except selectors.FiguresError as exc:
        raise BadRequest(str(exc)) from exc
    ledger = found.ledger
    if ledger is not None:
        # The ledger ignores a filter value outside the user's options: link only when it takes them all.
        check = LedgerFilterSet(QueryDict(urlencode(ledger)), queryset=Project.objects.none(), user=request.user)
        if not check.is_valid():
            ledger = None
    parts = [(part, COMPONENT_LABELS[part]) for part in found.figure.parts]
    return render(request, "figures/explain.html", {
        "found": found, "figure": found.figure, "value": display(found.value, found.figure.kind),
        "parts": parts,
        "rows": [(row, [display_part(row.parts.get(key)) for key, _l in parts]) for row in found.rows],
        "totals": [display_part(found.totals.get(key)) for key, _l in parts],
        "ledger_url": _ledger_url(ledger), "back": f"{reverse('figures:index')}?{_query(request)}",
        "params": params,
    })
