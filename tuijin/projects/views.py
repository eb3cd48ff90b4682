"""Ledger pages: thin views over selectors (reads) and services (writes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tuijin.core.exceptions import ConflictError
from tuijin.core.views import is_htmx
from tuijin.org.selectors import is_editor, is_office, regions_editable_by, require_office

from . import completion, selectors, services
from .choices import Admission
from .filtersets import AdmissionFilterSet, LedgerFilterSet
from .forms import AnnualPlanForm, ArchiveForm, ProjectForm
from .models import AnnualPlan, Project
from .tables import LEDGER_COLUMNS, parse_sort, render_rows


@login_required
@require_safe
def project_list(request):
    filterset = LedgerFilterSet(request.GET, queryset=selectors.ledger_queryset(request.user, include_archived=True),
                                user=request.user)
    filtered = filterset.qs
    year = filterset.selected_year or selectors.current_year()
    sort, ordering = parse_sort(request.GET.get("sort"))
    as_of = completion.as_of(year, request.GET.get("as_of"))
    figure = completion.figure(as_of)  # 本年累计完成, summed with the other totals in their one pass
    page_obj, rows, totals = selectors.ledger_page_and_totals(
        filtered, year=year, ordering=ordering, page=request.GET.get("page"), done=figure
    )
    totals = selectors.admitted_totals(totals, filtered, year, figure)
    done = selectors.ledger_completion(filtered, rows, totals, as_of=as_of)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sort", None)
    context = {
        "filter": filterset,
        "rows": rows,
        "rows_html": render_rows(rows, page_obj.start_index()),
        "page_obj": page_obj,
        "totals": totals,
        "completion": done,
        "year": year,
        "columns": LEDGER_COLUMNS,
        "sort": sort,
        "base_query": params.urlencode(),
        "can_create": is_editor(request.user)
        and regions_editable_by(request.user).exists(),
    }
    if request.GET.get("admission") in (Admission.PENDING, Admission.RETURNED) and filterset.selected_year:
        # The year filter lists only projects with that year's plan, and a clerk's application often has
        # none yet: point to all years rather than let "没有符合条件的项目" suggest it was lost.
        all_years = params.copy()
        all_years["year"] = ""
        context["all_years_query"] = all_years.urlencode()
    if not is_htmx(request) and is_office(request.user):
        context["admission_waiting"] = selectors.admission_queue_count(request.user)
    template = "projects/_ledger_table.html" if is_htmx(request) else "projects/project_list.html"
    return render(request, template, context)


def _detail_context(request, project, tab):
    editable = selectors.project_editable(request.user, project)
    return {
        "project": project,
        "tab": tab,
        "can_edit": editable and not project.is_archived,
        "can_archive": editable and is_office(request.user),
        "can_review": (project.admission == Admission.PENDING or project.requested_level_id is not None)
        and Project.objects.reviewable_by(request.user).filter(pk=project.pk).exists(),
    }


@login_required
@require_safe
def project_detail(request, pk):
    return _render_detail(request, selectors.project_for_user(request.user, pk))


def _render_detail(request, project, status=200, archive_form=None):
    context = _detail_context(request, project, "overview")
    context["leader_links"] = project.leader_links.select_related("leader").order_by("role", "id")
    context["responsible_units"] = [link.unit for link in project.responsible_links.select_related("unit")]
    context["programs"] = list(project.programs.all())
    context["current_plan"] = project.annual_plans.filter(year=selectors.current_year()).first()
    context["archive_form"] = archive_form or ArchiveForm(initial={"version": project.version})
    context["owner_contact"], context["owner_phone"] = selectors.owner_contact(request.user, project)
    return render(request, "projects/project_detail.html", context, status=status)


@login_required
@require_safe
def project_plans(request, pk):
    project = selectors.project_for_user(request.user, pk)
    context = _detail_context(request, project, "plans")
    plans = list(project.annual_plans.order_by("-year"))
    done = completion.by_year(project.pk)  # 本年累计完成 by the rule in force, and the month it is through
    for plan in plans:
        plan.completed, plan.completed_through = done.get(plan.year, (None, None))
    context["plans"] = plans
    return render(request, "projects/project_plans.html", context)


@login_required
@require_safe
def project_history(request, pk):
    project = selectors.project_for_user(request.user, pk)
    context = _detail_context(request, project, "history")
    context["entries"] = selectors.project_history(project, request.user)
    return render(request, "projects/project_history.html", context)


def _editable_project(request, pk) -> Project:
    """Out of scope: 404 (the project's existence is not revealed). In scope but read-only: 403."""
    project = selectors.project_for_user(request.user, pk)
    if not selectors.project_editable(request.user, project):
        raise PermissionDenied
    return project


def _conflict_message(request, exc: ConflictError, subject: str):
    messages.error(request, _("%(subject)s在您编辑期间%(changed)s，您的修改没有保存。下方已载入最新内容，请核对后重新修改。")
                   % {"subject": subject, "changed": exc.changed})


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    if not is_editor(request.user) or not regions_editable_by(request.user).exists():
        raise PermissionDenied
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                request.user,
                form.save(commit=False),
                programs=form.cleaned_data["programs"],
                responsible_units=form.cleaned_data["responsible_units"],
                leaders=form.leader_pairs(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if project.admission == Admission.PENDING:
                messages.success(request, _(
                    "项目“%(name)s”已登记并提交推进办审核：审核通过前不计入台账合计、预警和调度。"
                    "请接着填写年度计划。") % {"name": project.name})
            else:
                messages.success(
                    request,
                    _("项目“%(name)s”已登记。请接着填写年度计划：有年度计划的项目才会出现在该年度的台账中。")
                    % {"name": project.name},
                )
            return redirect("projects:plan_create", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk):
    project = _editable_project(request, pk)
    if project.is_archived:
        messages.error(request, _("已归档的项目不能修改"))
        return redirect("projects:detail", pk=pk)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            before = (project.admission, project.requested_level_id)
            saved = services.project_update(
                request.user,
                form.save(commit=False),
                version=form.cleaned_data["version"],
                programs=form.cleaned_data["programs"],
                responsible_units=form.cleaned_data["responsible_units"],
                leaders=form.leader_pairs(),
                reason=form.cleaned_data.get("reason", ""),
            )
        except ConflictError as exc:
            _conflict_message(request, exc, _("该项目"))
            fresh = Project.objects.get(pk=pk)
            form = ProjectForm(instance=fresh, user=request.user)
            return render(request, "projects/project_form.html", {"form": form, "project": fresh, "conflict": True}, status=409)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if saved.admission == Admission.PENDING and before[0] == Admission.RETURNED:
                messages.success(request, _("修改已保存，并已重新提交推进办审核"))
            elif saved.requested_level_id and saved.requested_level_id != before[1]:
                messages.success(request, _("修改已保存。级别调整为“%(level)s”已提交推进办审核，审核通过前仍按“%(old)s”统计")
                                 % {"level": saved.requested_level, "old": saved.level})
            else:
                messages.success(request, _("修改已保存"))
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
@require_POST
def project_archive(request, pk):
    project = _editable_project(request, pk)
    require_office(request.user)
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        # Refused on the same project with the reason typed kept in the form.
        return _render_detail(request, project, status=400, archive_form=form)
    try:
        services.project_archive(request.user, project, version=form.cleaned_data["version"], reason=form.cleaned_data["reason"])
    except ConflictError as exc:
        _conflict_message(request, exc, _("该项目"))
        return _render_detail(request, selectors.project_for_user(request.user, pk), status=409)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return _render_detail(request, project, status=400, archive_form=form)
    messages.success(request, _("项目已归档，可在台账中勾选“含已归档”查看"))
    return redirect("projects:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk, year=None):
    project = _editable_project(request, pk)
    if project.is_archived:
        raise Http404
    plan = None
    if year is not None:
        plan = get_object_or_404(AnnualPlan, project=project, year=year)
    form = AnnualPlanForm(request.POST or None, instance=plan, project=project)
    if plan is None and request.method == "GET":
        form.initial.setdefault("year", selectors.current_year())
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.annual_plan_save(
                    request.user, form.save(commit=False), version=form.cleaned_data.get("version"),
                    reason=form.cleaned_data.get("reason", ""),
                )
        except ConflictError as exc:
            _conflict_message(request, exc, _("该年度计划"))
            fresh = AnnualPlan.objects.get(pk=plan.pk)
            form = AnnualPlanForm(instance=fresh, project=project)
            return render(request, "projects/plan_form.html", {"form": form, "project": project, "plan": fresh}, status=409)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("年度计划已保存"))
            return redirect(reverse("projects:plans", args=[pk]))
    return render(request, "projects/plan_form.html", {"form": form, "project": project, "plan": plan})


# ------------------------------------------------------------------------------ 申报入库 (admission)


def _render_queue(request, *, failed=None, status=200):
    """The queue (filtered by AdmissionFilterSet); `failed` is (project id, reason typed, error) of a
    refused decision, shown on that same record with the typed reason kept (never moved on to another one)."""
    filterset = AdmissionFilterSet(request.GET, queryset=selectors.admission_queue(request.user), user=request.user)
    rows = list(filterset.qs)
    elsewhere = failed[2] if failed and all(p.pk != failed[0] for p in rows) else ""
    context = {"rows": rows, "failed": failed, "failed_elsewhere": elsewhere, "filter": filterset}
    return render(request, "projects/admission_queue.html", context, status=status)


@login_required
@require_safe
def admission_queue(request):
    require_office(request.user)
    return _render_queue(request)


@login_required
@require_POST
def admission_decide(request, pk):
    """Approve (decision=approve) or return with a reason (decision=return) one application."""
    project = selectors.project_for_user(request.user, pk)
    if not Project.objects.reviewable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    decision = request.POST.get("decision")
    reason = request.POST.get("reason", "")
    version = request.POST.get("version")  # none or not a number: refused by the service, never skipped
    try:
        if decision == "approve":
            services.admission_approve(request.user, project, version=version)
            messages.success(request, _("已审核通过：“%(name)s”") % {"name": project.name})
        elif decision == "return":
            services.admission_return(request.user, project, version=version, reason=reason)
            messages.success(request, _("已退回：“%(name)s”") % {"name": project.name})
        else:
            return _render_queue(request, failed=(pk, reason, _("请选择“通过”或“退回”")), status=400)
    except ConflictError as exc:
        return _render_queue(request, failed=(pk, reason, _("该项目%(changed)s，申报可能已被处理，请核对后重新操作")
                                              % {"changed": exc.changed}), status=409)
    except ValidationError as exc:
        return _render_queue(request, failed=(pk, reason, "；".join(exc.messages)))
    if request.POST.get("from") == "detail":
        return redirect("projects:detail", pk=pk)
    return redirect("projects:admissions")
