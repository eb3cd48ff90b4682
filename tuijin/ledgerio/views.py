"""Ledger import pages: upload → preview (mapping, rows, errors, reconciliation) → confirm → result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tuijin.jobs.selectors import latest_job
from tuijin.org.selectors import regions_editable_by
from tuijin.projects.models import Category, Level, Nature, Project, Stage

from . import services
from .choices import BatchStatus, LedgerField, RowKind
from .forms import OptionsForm, UploadForm
from .importing import CREATE_NEW, DEFAULTABLE, MAX_SHOWN_ERRORS, TOTAL_MISMATCH, ImportError_, StaleImport
from .models import ImportBatch
from .services import SheetReadError

PREVIEW_ROWS = 300
CONFIRM_FIELDS = {TOTAL_MISMATCH: "accept_total_mismatch", CREATE_NEW: "create_new"}  # Analysis.needs → POST field


def _importer(request):
    if not services.can_import(request.user):
        raise PermissionDenied
    return request.user


def _batch(request, token) -> ImportBatch:
    """The user's own batch; anyone else's answers 404."""
    _importer(request)
    return get_object_or_404(ImportBatch, token=token, user=request.user)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request):
    user = _importer(request)
    max_mb = services.max_bytes() // (1024 * 1024)
    form = UploadForm(request.POST or None, request.FILES or None, max_mb=max_mb)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_start(user, form.cleaned_data["file"], year=form.cleaned_data["year"])
        except SheetReadError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("ledgerio:preview", token=batch.token)
    recent = ImportBatch.objects.filter(user=user).order_by("-created_at")[:10]
    return render(request, "ledgerio/upload.html", {"form": form, "recent": recent, "max_mb": max_mb},
                  status=400 if form.errors else 200)


def _choices(user):
    regions = regions_editable_by(user).order_by("path").values_list("name", "code")
    return {
        "region": [(code, name) for name, code in regions],
        "level": [(x, x) for x in Level.objects.filter(is_active=True).values_list("name", flat=True)],
        "category": [(c.name, f"{c.parent.name} / {c.name}" if c.parent_id else c.name)
                     for c in Category.objects.filter(is_active=True).select_related("parent").order_by("parent__sort", "sort")],
        "nature": [(x, x) for x in Nature.objects.filter(is_active=True).values_list("name", flat=True)],
        "stage": [(x, x) for x in Stage.objects.filter(is_active=True).values_list("name", flat=True)],
    }


def _preview_context(request, batch, analysis, form=None):
    errors = analysis.all_errors
    options = batch.options or {}
    if form is None:
        initial = {"sheet": analysis.sheet, "year": analysis.year, **(options.get("defaults") or {})}
        initial.update({f"col_{c.index}": c.field for c in analysis.columns})
        form = OptionsForm(initial=initial, sheets=analysis.sheet_names, columns=analysis.columns)
    counts = analysis.counts()
    shown_rows = analysis.rows[:PREVIEW_ROWS]
    choices = _choices(request.user)
    return {
        "batch": batch, "analysis": analysis, "form": form, "counts": counts,
        "errors": errors[:MAX_SHOWN_ERRORS], "error_count": len(errors), "warnings": analysis.all_warnings[:200],
        "rows": [r for r in shown_rows if r.kind != RowKind.BLANK], "more_rows": max(0, len(analysis.rows) - PREVIEW_ROWS),
        "totals": analysis.totals(),
        "default_fields": [
            {"name": str(name), "label": LedgerField(name).label, "choices": choices[str(name)],
             "value": (options.get("defaults") or {}).get(str(name), ""), "resolved": analysis.defaults.get(name),
             "inferred": analysis.inferred.get(name, ""), "missing": name in analysis.missing,
             "column": analysis.column(name)}
            for name in DEFAULTABLE
        ],
        "mapping": [(column, form[f"col_{column.index}"]) for column in analysis.columns],
        "can_confirm": not errors and counts["projects"] > 0,
        "needs": [{"kind": kind, "field": CONFIRM_FIELDS[kind], "message": message} for kind, message in analysis.needs.items()],
        "new_units": analysis.new_units[:200], "new_leaders": analysis.new_leaders[:200],
        "can_confirm_valid": not analysis.errors and counts["invalid"] and counts["create"] + counts["update"] > 0,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preview(request, token):
    batch = _batch(request, token)
    if batch.status != BatchStatus.PREVIEW:
        return redirect("ledgerio:result", token=batch.token)
    try:
        if request.method == "POST":
            analysis = services.batch_analyze(batch)
            form = OptionsForm(request.POST, sheets=analysis.sheet_names, columns=analysis.columns)
            if not form.is_valid():
                return render(request, "ledgerio/preview.html", _preview_context(request, batch, analysis, form), status=400)
            sheet_changed = form.cleaned_data["sheet"] != analysis.sheet
            services.batch_update(
                batch, sheet=form.cleaned_data["sheet"], year=form.cleaned_data["year"],
                overrides=None if sheet_changed else form.overrides(), defaults=form.defaults(),
                remember_mapping=form.cleaned_data["remember"] and not sheet_changed,
            )
            messages.info(request, _("已按您的选择重新检查文件"))
            return redirect("ledgerio:preview", token=batch.token)
        analysis = services.batch_analyze(batch)
        services.remember_seen(batch, analysis)
    except (SheetReadError, ImportError_) as exc:
        return render(request, "ledgerio/preview_failed.html", {"batch": batch, "message": str(exc)}, status=400)
    return render(request, "ledgerio/preview.html", _preview_context(request, batch, analysis))


@login_required
@require_POST
def confirm(request, token):
    batch = _batch(request, token)
    valid_only = request.POST.get("valid_only") == "1"
    try:
        services.batch_confirm(batch, valid_only=valid_only,
                               accept_total_mismatch=request.POST.get(CONFIRM_FIELDS[TOTAL_MISMATCH]) == "1",
                               create_new=request.POST.get(CONFIRM_FIELDS[CREATE_NEW]) == "1")
    except StaleImport as exc:
        messages.error(request, str(exc))
        return redirect("ledgerio:preview", token=batch.token)
    except (ValidationError, SheetReadError, ImportError_) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        if batch.status == BatchStatus.PREVIEW:
            messages.error(request, message)
            return redirect("ledgerio:preview", token=batch.token)
        messages.error(request, message)
        return redirect("ledgerio:result", token=batch.token)
    return redirect("ledgerio:result", token=batch.token)


@login_required
@require_POST
def discard(request, token):
    batch = _batch(request, token)
    if batch.status == BatchStatus.PREVIEW:
        services.batch_discard(batch)
        messages.info(request, _("已放弃导入“%(file)s”，上传的文件已删除") % {"file": batch.filename})
    return redirect("ledgerio:upload")


@login_required
@require_safe
def result(request, token):
    batch = _batch(request, token)
    if batch.status == BatchStatus.PREVIEW:
        return redirect("ledgerio:preview", token=batch.token)
    data = batch.result or {}
    ids = data.get("project_ids") or []
    projects = list(Project.objects.visible_to(request.user).filter(pk__in=ids[:500])
                    .select_related("region").only("id", "name", "code", "region__name", "total_investment"))
    order = {pk: i for i, pk in enumerate(ids)}
    projects.sort(key=lambda p: order.get(p.pk, 0))
    return render(request, "ledgerio/result.html", {"batch": batch, "data": data, "projects": projects,
                                                     "more": max(0, len(ids) - len(projects)),
                                                     "rejudge": latest_job(request.user, "alerts_rejudge",
                                                                           batch.finished_at)})


urlpatterns = [
    path("import/", upload, name="upload"),
    path("import/<uuid:token>/", preview, name="preview"),
    path("import/<uuid:token>/confirm/", confirm, name="confirm"),
    path("import/<uuid:token>/discard/", discard, name="discard"),
    path("import/<uuid:token>/result/", result, name="result"),
]
