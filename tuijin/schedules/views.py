"""Schedule pages (倒排工期、挂图作战) and the approvals checklist (前期手续): thin views over selectors
(reads) and services (writes). Writes answer with a message and a redirect back to the page."""

import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tuijin.core.exceptions import ConflictError
from tuijin.core.listexport import filter_terms
from tuijin.core.parsing import parse_int as _int
from tuijin.core.photos import photo_response
from tuijin.org.selectors import is_office
from tuijin.projects.filtersets import LedgerFilterSet
from tuijin.projects.selectors import ledger_queryset, project_editable, project_for_user

from . import exporting, selectors, services, wall
from .choices import OPEN_APPROVAL_STATES, ApprovalStatus, MilestoneStatus
from .filtersets import MilestoneFilterSet
from .forms import ApplyTemplateForm, ApprovalForm, BaselineForm, MilestoneForm, WallOptionsForm
from .workflow import baseline_step


def _errors_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _form_errors(form) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def _require_editor(request, project) -> None:
    """The project is visible (else 404 already); a user who may not change it gets 403 before any
    form is read, whatever was posted."""
    if not project_editable(request.user, project):
        raise PermissionDenied


def _write(request, action, success: str, subject: str = "") -> bool:
    """Run a service call; turn its errors into messages, named after `subject` (the row's node or
    procedure) when there is one. True when it succeeded."""
    prefix = f"{subject}：" if subject else ""
    try:
        action()
    except ConflictError as exc:
        messages.error(request, prefix + _("该记录%(changed)s，您的修改未保存，请核对后重新填写") % {"changed": exc.changed})
    except ValidationError as exc:
        messages.error(request, prefix + _errors_text(exc))
    else:
        messages.success(request, success)
        return True
    return False


# ------------------------------------------------------------------------------------ project tabs


MILESTONE_TABLE_FIELDS = ("name", "planned_date", "actual_date", "responsible")
APPROVAL_TABLE_FIELDS = ("required", "status", "target_date", "done_date", "document_no", "approving_unit",
                         "responsible", "note")


def _shown(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _loaded(values: dict, fields) -> str:
    """A short digest of a row's values as the page showed them (`<letter><id>-loaded`): a posted row
    whose values still match it was not touched, so the save leaves it alone even if someone else
    changed it meanwhile (no false conflict); a row the user did change is version-checked as ever."""
    shown = json.dumps([_shown(values.get(name)).replace("\r\n", "\n") for name in fields], ensure_ascii=False)
    return hashlib.sha256(shown.encode()).hexdigest()[:20]


def _overlay(objects, fields, letter: str, request=None, failure=None) -> None:
    """What each row's inputs show (`obj.v`): the stored values, or after a refused save what the user
    posted, with the row's errors (`obj.row_errors`) and what another person saved (`obj.conflict`)."""
    for obj in objects:
        obj.row_errors, obj.conflict, obj.shown_version = [], None, obj.version
        obj.loaded = _loaded({name: getattr(obj, name) for name in fields}, fields)
        if failure is None:
            obj.v = {name: _shown(getattr(obj, name)) for name in fields}
            continue
        prefix = f"{letter}{obj.pk}-"
        if obj.pk not in failure.conflicts:  # still compared with what the page first showed
            obj.loaded = request.POST.get(prefix + "loaded") or obj.loaded
        obj.v = {name: (f"{prefix}{name}" in request.POST) if name == "required"
                 else request.POST.get(prefix + name, "") for name in fields}
        obj.row_errors = [str(e) for errors in failure.errors.get(obj.pk, {}).values() for e in errors]
        fresh = failure.conflicts.get(obj.pk)
        if fresh is not None:
            obj.conflict = fresh
            obj.shown_version = fresh.version  # saving again means: what I typed wins, knowingly
        else:
            obj.shown_version = _int(request.POST.get(prefix + "version")) or obj.version


def _posted_table(request, letter: str, form_class, fields):
    """The posted table: ([{"id", "version", field: value}], {id: {field: [errors]}}, rows left alone)
    parsed by the row form (dates, choices), each row's inputs named <letter><id>-<field>; a row whose
    values are still those it was loaded with (see _loaded) is left out."""
    rows, errors, untouched = [], {}, 0
    for raw in request.POST.getlist("row"):
        pk = _int(raw)
        if pk is None:
            continue
        form = form_class(request.POST, prefix=f"{letter}{pk}")
        if not form.is_valid():
            errors[pk] = form.errors
            continue
        if request.POST.get(f"{letter}{pk}-loaded") == _loaded(form.cleaned_data, fields):
            untouched += 1
            continue
        row = {"id": pk, "version": form.cleaned_data.get("version")}
        for name in fields:
            if name == "required" or f"{letter}{pk}-{name}" in request.POST:
                row[name] = form.cleaned_data[name]
        rows.append(row)
    return rows, errors, untouched


@login_required
@require_safe
def project_schedule(request, pk):
    return _schedule_page(request, project_for_user(request.user, pk))


def _schedule_page(request, project, failure=None, status=200):
    today = timezone.localdate()
    milestones = selectors.project_milestones(project, today)
    _overlay(milestones, MILESTONE_TABLE_FIELDS, "m", request, failure)
    schedule = selectors.schedule_of(project)
    can_edit = project_editable(request.user, project) and not project.is_archived
    step = baseline_step(schedule.baseline_number if schedule else 0)
    suggested = services.suggested_template(project)
    rows = [selectors.gantt_row(m) for m in milestones]
    return render(request, "schedules/project_schedule.html", {
        "project": project, "tab": "schedule", "milestones": milestones, "schedule": schedule,
        "baselines": selectors.baselines(project), "can_edit": can_edit,
        "can_delete_baselined": can_edit and is_office(request.user),  # as services.milestone_delete
        # The baseline's next step (workflow.py), when this user may take it.
        "baseline_step": step if can_edit and step.allows(request.user) else None,
        "apply_form": ApplyTemplateForm(initial={"template": suggested, "target_date": project.planned_completion}),
        "templates": selectors.templates(), "gantt": selectors.gantt_payload(rows, len(rows), today),
        "overdue": sum(m.status == MilestoneStatus.OVERDUE for m in milestones),
    }, status=status)


def _save_table(request, project, letter, form_class, fields, service, prepare=None):
    """Parse and save a whole table; None when saved, else the failure to show with the typing kept."""
    rows, errors, untouched = _posted_table(request, letter, form_class, fields)
    if errors:
        return services.TableError(errors, {}), 400
    if prepare:
        prepare(rows)
    if not rows and not untouched:
        messages.error(request, _("页面已过期，请刷新后重新填写"))
        return services.TableError({}, {}), 400
    if not rows:
        messages.success(request, _("没有修改需要保存"))
        return None, 200
    try:
        saved = service(request.user, project, rows)
    except services.TableError as exc:
        if exc.conflicts:
            messages.error(request, _("已被他人修改：%(n)s行在您编辑期间已被其他人保存，本次没有保存任何内容。"
                                      "您填写的内容仍在下方，标注的行显示了对方保存的内容，核对后可再次保存。")
                           % {"n": len(exc.conflicts)})
        return exc, 409 if exc.conflicts else 400
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
        return services.TableError({}, {}), 400
    messages.success(request, _("已保存%(n)s行修改") % {"n": len(saved)} if saved else _("没有修改需要保存"))
    return None, 200


@login_required
@require_POST
def milestones_save(request, pk):
    """The node table's 保存: every row at once, so no row's typing is lost by saving another."""
    project = project_for_user(request.user, pk)
    _require_editor(request, project)
    failure, status = _save_table(request, project, "m", MilestoneForm, MILESTONE_TABLE_FIELDS, services.milestones_save)
    if failure is None:
        return redirect("schedules:project", pk=pk)
    if failure.errors:
        messages.error(request, _("%(n)s行填写有误，本次没有保存任何内容，请按标红处修改") % {"n": len(failure.errors)})
    return _schedule_page(request, project, failure, status)


@login_required
@require_POST
def apply_template(request, pk):
    project = project_for_user(request.user, pk)
    _require_editor(request, project)
    form = ApplyTemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("schedules:project", pk=pk)
    data = form.cleaned_data
    anchor, anchor_label = services.start_anchor(project)
    where = (_("开工节点排在%(what)s%(d)s") % {"what": anchor_label, "d": anchor}) if anchor else _("按目标日期倒排")
    _write(request, lambda: services.apply_template(request.user, project, data["template"], data["target_date"],
                                                    replace=data["replace"]),
           _("已按“%(t)s”倒排生成节点计划（%(where)s）。请核对各节点日期，确认后报调度员批准基线。")
           % {"t": data["template"].name, "where": where})
    return redirect("schedules:project", pk=pk)


@login_required
@require_POST
def milestone_add(request, pk):
    project = project_for_user(request.user, pk)
    _require_editor(request, project)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("schedules:project", pk=pk)
    data = form.cleaned_data
    _write(request, lambda: services.milestone_add(request.user, project, name=data["name"], planned_date=data["planned_date"],
                                                   responsible=data["responsible"], note=data["note"]),
           _("已新增节点“%(name)s”") % {"name": data["name"]})
    return redirect("schedules:project", pk=pk)


@login_required
@require_POST
def milestone_delete(request, pk):
    milestone = selectors.milestone_for_user(request.user, pk)
    _require_editor(request, milestone.project)
    # A page without the version it was read at cannot prove it is current: the service refuses it.
    version = request.POST.get("version")
    _write(request, lambda: services.milestone_delete(request.user, milestone, version=version),
           _("已删除节点“%(name)s”") % {"name": milestone.name}, subject=milestone.name)
    return redirect("schedules:project", pk=milestone.project_id)


@login_required
@require_POST
def milestone_evidence(request, pk):
    milestone = selectors.milestone_for_user(request.user, pk)
    _require_editor(request, milestone.project)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, _("请选择要上传的佐证照片"))
    else:
        _write(request, lambda: services.milestone_evidence(request.user, milestone, upload),
               _("已上传“%(name)s”的佐证照片") % {"name": milestone.name}, subject=milestone.name)
    return redirect(reverse("schedules:project", args=[milestone.project_id]) + f"#m-{milestone.pk}")


@login_required
@require_safe
def milestone_photo(request, pk):
    """The evidence photo, only to users who may see the project."""
    milestone = selectors.milestone_for_user(request.user, pk)
    if not milestone.evidence:
        raise Http404
    return photo_response(milestone.evidence, milestone.evidence_type)


@login_required
@require_POST
def baseline_approve(request, pk):
    project = project_for_user(request.user, pk)
    step = baseline_step(selectors.baseline_number(project))
    step.require(request.user)
    form = BaselineForm(request.POST)
    reason = form.data.get("reason", "") if not form.is_valid() else form.cleaned_data["reason"]
    try:
        baseline = services.baseline_approve(request.user, project, reason=reason)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(request, step.done % {"n": baseline.number})
    return redirect("schedules:project", pk=pk)


@login_required
@require_safe
def project_approvals(request, pk):
    return _approvals_page(request, project_for_user(request.user, pk))


def _approvals_page(request, project, failure=None, status=200):
    approvals, summary = selectors.project_approvals(project, timezone.localdate())
    _overlay(approvals, APPROVAL_TABLE_FIELDS, "a", request, failure)
    return render(request, "schedules/project_approvals.html", {
        "project": project, "tab": "approvals", "approvals": approvals, "summary": summary,
        "can_edit": project_editable(request.user, project) and not project.is_archived,
        "statuses": ApprovalStatus.choices,
    }, status=status)


@login_required
@require_POST
def approvals_save(request, pk):
    """The checklist's 保存: every row at once, so no row's typing is lost by saving another."""
    from .models import Approval

    project = project_for_user(request.user, pk)
    _require_editor(request, project)

    def one_switch_each(rows):
        stored = {a.pk: a for a in Approval.objects.filter(project=project, pk__in=[r["id"] for r in rows])}
        for row in rows:
            if row["id"] in stored:
                _one_switch(stored[row["id"]], row)

    failure, status = _save_table(request, project, "a", ApprovalForm, APPROVAL_TABLE_FIELDS, services.approvals_save,
                                  prepare=one_switch_each)
    if failure is None:
        return redirect("schedules:approvals", pk=pk)
    if failure.errors:
        messages.error(request, _("%(n)s行填写有误，本次没有保存任何内容，请按标红处修改") % {"n": len(failure.errors)})
    return _approvals_page(request, project, failure, status)


@login_required
@require_POST
def approvals_init(request, pk):
    project = project_for_user(request.user, pk)
    _require_editor(request, project)
    _write(request, lambda: services.approvals_init(request.user, project), _("已建立前期手续清单，请逐项填写计划办结日期"))
    return redirect("schedules:approvals", pk=pk)


def _one_switch(approval, data: dict) -> None:
    """需要办理 and 无需办理 say one thing: whichever of the two the user changed sets the other."""
    status, required = data["status"], data["required"]
    if status == ApprovalStatus.NOT_NEEDED and required:
        if approval.required:  # 无需办理 was chosen
            data["required"] = False
        else:  # 需要办理 was ticked again
            data["status"] = ApprovalStatus.NOT_STARTED
    elif not required and status in OPEN_APPROVAL_STATES:
        data["status"] = ApprovalStatus.NOT_NEEDED


# ------------------------------------------------------------------------------------------- Gantt


def _gantt_filter(request):
    data = request.GET.copy()
    data.setdefault("year", "")  # nodes of every project, not only those with this year's plan
    return LedgerFilterSet(data, queryset=ledger_queryset(request.user), user=request.user, archived=False)


# The ledger's filters 挂图作战 keeps behind 更多筛选, so that the bar takes one line and the chart the screen.
GANTT_MORE_FILTERS = ("year", "level", "category", "stage", "program", "admission")


@login_required
@require_safe
def gantt(request):
    """挂图作战: a wall chart of any filtered set of projects, one row per project (its nodes as diamonds on
    one time axis, expandable to a row per node), grouped by 县区, 牵头单位 or 分包领导. The page is the
    frame; the rows come from gantt_data."""
    filterset = _gantt_filter(request)
    fields = list(filterset.form)
    return render(request, "schedules/gantt.html", {
        "filter": filterset, "node_filter": MilestoneFilterSet(request.GET), "options": WallOptionsForm(request.GET),
        "main_fields": [f for f in fields if f.name not in GANTT_MORE_FILTERS],
        "more_fields": [f for f in fields if f.name in GANTT_MORE_FILTERS],
        "more_open": any(request.GET.get(name) for name in GANTT_MORE_FILTERS),
        "query": request.GET.urlencode(),
        "legend": [(s.value, s.label) for s in exporting.LEGEND],
    })


def _wall(request, filterset, *, per_page: int, page: int | None = None):
    """The wall chart of the request's filters (`filterset`: _gantt_filter) and options: (node filter, data,
    window, grouping, today)."""
    today = timezone.localdate()
    node_filter = MilestoneFilterSet(request.GET, queryset=selectors.gantt_nodes(filterset.qs), today=today)
    node_filter.form.is_valid()
    group, window, asked = WallOptionsForm(request.GET).options()
    data = selectors.wall_projects(filterset.qs, node_filter.qs, today, group=group, page=page or asked,
                                   per_page=per_page,
                                   node_filtered=bool(getattr(node_filter.form, "cleaned_data", {}).get("status")))
    return node_filter, data, wall.window_of(window, today, data), group, today


def gantt_export(request):
    """The wall chart's projects of the page's filters (every page, up to exporting.EXPORT_PROJECTS): their
    nodes one row each in the .xlsx, the chart itself on the print page."""
    filterset = _gantt_filter(request)
    node_filter, data, window, group, today = _wall(request, filterset, per_page=exporting.EXPORT_PROJECTS, page=1)
    return exporting.gantt_export(data, window, group, filter_terms(filterset) + filter_terms(node_filter), today)


@login_required
@require_safe
def gantt_data(request):
    """The wall chart's rows (one page of them) as JSON for wall.js."""
    filterset = _gantt_filter(request)
    if not filterset.is_valid():
        return JsonResponse({"error": _("筛选条件不正确，请重新选择")}, status=400)
    _nodes, data, window, group, today = _wall(request, filterset, per_page=selectors.WALL_PAGE)
    return JsonResponse(wall.payload(data, window, today, group))
