"""Warning pages (红黄绿灯): the list, a project's alerts, the rules and presets. Thin views over
selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tuijin.core.exceptions import ConflictError
from tuijin.core.listexport import filter_terms
from tuijin.org.selectors import is_office, require_office
from tuijin.projects.selectors import project_for_user

from . import engine, exporting, selectors, services
from . import rules as rule_text
from .choices import DIMENSION_METHODS, Dimension, Preset
from .forms import PresetForm, RuleForm
from .models import AlertRule

# The ledger filters the warnings list offers over projects (its own light filter is the alert's).
PROJECT_FILTERS = ("region", "unit", "leader", "category", "level", "stage", "q")


def _alerts(request):
    """The warnings list of the page's filters (selectors.alert_filter): the page and its exports."""
    return selectors.alert_filter(request.user, request.GET)


@login_required
@require_safe
def alert_list(request):
    filterset, alert_filter, projects = _alerts(request)
    page = Paginator(alert_filter.qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "alerts/alert_list.html", {
        "filter": filterset, "project_filters": PROJECT_FILTERS, "page_obj": page, "summary": selectors.summary(projects),
        "dimensions": Dimension.choices, "dimension": alert_filter.chosen("dimension"),
        "light": alert_filter.chosen("light"), "mine": alert_filter.chosen("mine"),
        "since": alert_filter.chosen("since"),
        "is_leader": selectors.is_leader_of_any(request.user), "base_query": params.urlencode(),
        "is_office": is_office(request.user), "last_run": selectors.last_run(),
    })


def alert_list_export(request):
    filterset, alert_filter, projects = _alerts(request)
    return exporting.alert_list_export(alert_filter.qs, filter_terms(alert_filter) + filter_terms(filterset),
                                       selectors.summary(projects))


@login_required
@require_POST
def refresh(request):
    require_office(request.user)
    run, result = services.refresh_all(request.user)
    lights = result.by_light
    messages.success(request, _("已重新计算%(n)s个项目的预警：红灯%(r)s个、黄灯%(y)s个；新增%(c)s条，解除%(x)s条")
                     % {"n": result.projects, "r": lights["red"], "y": lights["yellow"], "c": result.created, "x": result.resolved})
    return redirect("alerts:list")


@login_required
@require_safe
def project_alerts(request, pk):
    project = project_for_user(request.user, pk)
    alerts = selectors.project_alerts(project)
    return render(request, "alerts/project_alerts.html", {
        "project": project, "tab": "alerts", "active": [a for a in alerts if a.resolved_at is None],
        "resolved": [a for a in alerts if a.resolved_at is not None],
        "judged": services.judged_projects().filter(pk=project.pk).exists(),
    })


@login_required
@require_safe
def rule_list(request):
    rules = list(selectors.rules())
    for rule in rules:
        rule.text = rule_text.describe_thresholds(rule.method, rule.yellow, rule.red)
        rule.measured = engine.is_measured(rule.dimension)
    return render(request, "alerts/rules.html", {
        "rules": rules, "can_edit": is_office(request.user), "preset_form": PresetForm(initial={"preset": services.active_preset()}),
        "active_preset": Preset(services.active_preset()).label, "last_run": selectors.last_run(),
    })


@login_required
@require_POST
def preset(request):
    if not is_office(request.user):
        raise PermissionDenied
    form = PresetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择一个预设规则"))
        return redirect("alerts:rules")
    try:
        services.apply_preset(request.user, form.cleaned_data["preset"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已启用预设：%(p)s。全部项目的预警已按新规则重新计算。") % {"p": Preset(form.cleaned_data["preset"]).label})
    return redirect("alerts:rules")


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    if not is_office(request.user):
        raise PermissionDenied
    rule = get_object_or_404(AlertRule, pk=pk)
    methods = DIMENSION_METHODS.get(rule.dimension, ())
    if request.method == "POST":
        form = RuleForm(request.POST, methods=methods)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rule_update(request.user, rule, version=data["version"], name=data["name"], method=data["method"],
                                     yellow=data["yellow"], red=data["red"], is_active=data["is_active"],
                                     levels=data["levels"], categories=data["categories"],
                                     min_annual_plan=data["min_annual_plan"], note=data["note"])
            except ConflictError as exc:
                form.add_error(None, _("该规则%(changed)s，您的修改未保存。请刷新后在最新内容上重新修改。") % {"changed": exc.changed})
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(request, _("已保存规则“%(name)s”，相关项目的预警已重新计算") % {"name": data["name"]})
                return redirect("alerts:rules")
    else:
        form = RuleForm(methods=methods, initial={
            "version": rule.version, "name": rule.name, "method": rule.method, "yellow": rule.yellow, "red": rule.red,
            "min_annual_plan": rule.min_annual_plan, "levels": rule.levels.all(), "categories": rule.categories.all(),
            "is_active": rule.is_active, "note": rule.note,
        })
    return render(request, "alerts/rule_form.html", {"form": form, "rule": rule})

