"""Assessment pages (考核排名): schemes and their editor, a run's results with its scores, vetoes and
publication, the boards (红黑榜) for projection, the printable page and the xlsx export. Thin views
over selectors and services."""

import json
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tuijin.core.exceptions import ConflictError, messages_of
from tuijin.core.parsing import parse_id
from tuijin.org.selectors import is_office, require_office

from . import forms, schemes, selectors, services
from .choices import RunState, Source, SubjectKind
from .models import Exemption, Run, Scheme
from .presets import PRESETS

MAX_IMPORT_BYTES = 512 * 1024


def _date(value) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


_errors = messages_of


def _figure_choices():
    from tuijin.figures.registry import FIGURES

    return [(key, str(figure.label)) for key, figure in FIGURES.items()]


@login_required
@require_safe
def scheme_list(request):
    office = is_office(request.user)
    schemes = selectors.schemes_visible_to(request.user).order_by("code")
    runs = selectors.runs_visible_to(request.user).select_related("scheme").order_by("-period_end", "-id")[:50]
    installed = set(Scheme.objects.values_list("code", flat=True))
    return render(request, "scoring/scheme_list.html", {
        "schemes": schemes, "runs": runs, "is_office": office,
        "presets": [(code, p["name"], code in installed) for code, p in PRESETS.items()] if office else [],
    })


@login_required
@require_POST
def preset_install(request):
    try:
        scheme = services.preset_install(request.user, request.POST.get("preset", ""))
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
        return redirect("scoring:list")
    messages.success(request, _("已安装“%(name)s”，请为各序列选择考核对象后保存") % {"name": scheme.name})
    return redirect("scoring:edit", scheme.pk)


@login_required
@require_POST
def scheme_import(request):
    require_office(request.user)
    upload = request.FILES.get("file")
    problem = None
    if upload is None:
        problem = _("请选择要导入的方案文件（.json）")
    elif upload.size > MAX_IMPORT_BYTES:
        problem = _("文件过大：方案文件不超过512KB")
    else:
        try:
            document = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            problem = _("文件不是推进平台导出的考核方案（JSON）")
    if problem is None:
        try:
            scheme = services.scheme_import(request.user, document)
        except ValidationError as error:
            problem = "；".join(_errors(error))
    if problem:
        messages.error(request, problem)
        return redirect("scoring:list")
    messages.success(request, _("已导入考核方案“%(name)s”") % {"name": scheme.name})
    return redirect("scoring:scheme", scheme.pk)


def _editor(request, scheme: Scheme | None):
    require_office(request.user)
    errors: list[str] = []
    if request.method == "POST":
        header = forms.SchemeHeaderForm(request.POST)
        header.is_valid()
        fields = {**{k: request.POST.get(k, "") for k in header.fields}, "red_needs_target": request.POST.get("red_needs_target") == "on",
                  "is_active": request.POST.get("is_active") == "on"}
        shown = {**fields, "board_red": request.POST.get("board_red", ""), "board_black": request.POST.get("board_black", "")}
        config = forms.config_from_post(request.POST)
        try:
            saved = services.scheme_save(request.user, scheme, version=request.POST.get("version"), config=config, **fields)
        except ValidationError as error:
            errors = _errors(error)
        except ConflictError as error:
            errors = [str(error.message)]
        else:
            messages.success(request, _("已保存考核方案“%(name)s”") % {"name": saved.name})
            return redirect("scoring:scheme", saved.pk)
        series, indicators = forms.rows_from_post(request.POST)
        values = shown
    else:
        header = None
        source = scheme or Scheme(period_kind="month", subject_kind="region")
        values = {k: getattr(source, k) for k in ("code", "name", "subject_kind", "period_kind", "basis", "target_figure",
                                                   "target_value", "red_needs_target", "is_active")}
        boards = (source.config or {}).get("boards") or {}
        values.update(board_red=boards.get("red", ""), board_black=boards.get("black", ""))
        series, indicators = forms.editor_rows(source.config or {})
    kind = values.get("subject_kind") or "region"
    candidates = list(selectors.subject_choices(kind)) if kind in SubjectKind.values else []
    for row in series:  # each 序列's own subjects first, ticked; then the rest to choose from
        chosen = set(row["members"])
        row["options"] = sorted(((pk, name, str(pk) in chosen) for pk, name in candidates), key=lambda o: not o[2])
    return render(request, "scoring/scheme_form.html", {
        "scheme": scheme, "values": values, "series_rows": series, "indicator_rows": indicators, "errors": errors,
        "form": forms.SchemeHeaderForm(),
        "figures": _figure_choices(), "sources": Source.choices, "curve_kinds": forms.CURVE_KINDS,
        "version": request.POST.get("version") if request.method == "POST" else getattr(scheme, "version", ""),
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scheme_new(request):
    return _editor(request, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scheme_edit(request, pk):
    require_office(request.user)
    return _editor(request, get_object_or_404(Scheme, pk=pk))


@login_required
@require_safe
def scheme_detail(request, pk):
    scheme = get_object_or_404(selectors.schemes_visible_to(request.user), pk=pk)
    office = is_office(request.user)
    document = selectors.scheme_document(scheme)
    return render(request, "scoring/scheme_detail.html", {
        "scheme": scheme, "document": document, "is_office": office,
        "indicators": selectors.indicators_described(document["indicators"]),
        "runs": selectors.runs_visible_to(request.user).filter(scheme=scheme).order_by("-period_end", "-id"),
        "exemptions": scheme.exemptions.select_related("approved_by") if office else [],
        "names": selectors.subject_names(scheme.subject_kind, [e.subject_id for e in scheme.exemptions.all()]) if office else {},
        "members": selectors.members_with_names(scheme),
        "figures": dict(_figure_choices()),
    })


@login_required
@require_safe
def scheme_export(request, pk):
    require_office(request.user)
    scheme = get_object_or_404(Scheme, pk=pk)
    text = json.dumps(selectors.scheme_document(scheme), ensure_ascii=False, indent=2)
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="scheme-{scheme.code}.json"'
    return response


@login_required
@require_POST
def run_compute(request, pk):
    require_office(request.user)
    scheme = get_object_or_404(Scheme, pk=pk)
    try:
        run = services.run_compute(request.user, scheme, request.POST.get("period", "").strip())
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
        return redirect("scoring:scheme", scheme.pk)
    messages.success(request, _("已计算%(period)s的考核结果（草稿），核对后可发布") % {"period": run.snapshot.get("period_label")})
    return redirect("scoring:run", run.pk)


@login_required
@require_POST
def exemption_add(request, pk):
    require_office(request.user)
    scheme = get_object_or_404(Scheme, pk=pk)
    try:
        services.exemption_add(request.user, scheme, subject_id=parse_id(request.POST.get("subject_id")),
                               reason=request.POST.get("reason", ""), starts=_date(request.POST.get("starts")),
                               ends=_date(request.POST.get("ends")))
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("已登记豁免，下次计算时生效（已发布的结果不变）"))
    return redirect("scoring:scheme", scheme.pk)


@login_required
@require_POST
def exemption_delete(request, pk):
    require_office(request.user)
    exemption = get_object_or_404(Exemption, pk=pk)
    services.exemption_remove(request.user, exemption)
    messages.success(request, _("已取消豁免"))
    return redirect("scoring:scheme", exemption.scheme_id)


def _run_for(request, pk) -> Run:
    return get_object_or_404(selectors.runs_visible_to(request.user).select_related("scheme"), pk=pk)


@login_required
@require_safe
def run_detail(request, pk):
    run = _run_for(request, pk)
    office = is_office(request.user)
    results = selectors.with_links(run, list(selectors.results_visible_to(request.user, run)))
    scheme_doc = run.snapshot.get("scheme", {})
    indicators = selectors.indicators_described(scheme_doc.get("indicators", []))
    draft = run.state == RunState.DRAFT
    return render(request, "scoring/run_detail.html", {
        "run": run, "label": selectors.run_label(run), "results": results, "indicators": indicators,
        "boards": schemes.board_labels(run.snapshot.get("config")),
        "series": selectors.series_of(results), "is_office": office, "draft": draft,
        "has_sheet": draft and any(i.get("source") in (Source.MANUAL, Source.JUDGES) for i in indicators),
        "vetoes": {v.subject_id: v for v in run.vetoes.all()} if office else {},
        "judges_sheets": selectors.judges_sheets(run) if office else [],
    })


@login_required
@require_safe
def run_board(request, pk):
    run = _run_for(request, pk)
    results = list(selectors.results_visible_to(request.user, run).exclude(board=""))
    return render(request, "scoring/run_board.html", {
        "run": run, "label": selectors.run_label(run), "series": selectors.series_of(results),
        "boards": schemes.board_labels(run.snapshot.get("config")),
    })


@login_required
@require_safe
def run_print(request, pk):
    run = _run_for(request, pk)
    results = list(selectors.results_visible_to(request.user, run))
    from .exporting import run_subtitle, run_title

    return render(request, "scoring/run_print.html", {
        "run": run, "label": selectors.run_label(run), "series": selectors.series_of(results),
        "title": run_title(run), "subtitle": run_subtitle(run), "landscape": True,
        "back": reverse("scoring:run", args=[run.pk]),
        "indicators": run.snapshot.get("scheme", {}).get("indicators", []),
        "boards": schemes.board_labels(run.snapshot.get("config")),
    })


@login_required
@require_safe
def run_export(request, pk):
    from tuijin.core.sheets import writer

    from .exporting import run_filename, run_workbook

    run = _run_for(request, pk)
    results = list(selectors.results_visible_to(request.user, run))
    content = run_workbook(run, results)
    response = HttpResponse(content, content_type=writer.XLSX_CONTENT_TYPE)
    filename, fallback = run_filename(run)
    response["Content-Disposition"] = writer.attachment_header(filename, fallback=fallback)
    return response


def _office_write(request, pk, action):
    """Run an office action on a run; the refusal's Chinese message (or a conflict's) is shown on the run."""
    require_office(request.user)
    run = get_object_or_404(Run.objects.select_related("scheme"), pk=pk)
    try:
        message = action(run)
    except ValidationError as error:
        for text in _errors(error):
            messages.error(request, text)
    except ConflictError as error:
        messages.error(request, str(error.message))
    else:
        if message:
            messages.success(request, message)
    return redirect("scoring:run", run.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def run_sheet(request, pk):
    """评分表: the office's manual items, or a judge's own sheet (观摩、擂台赛), for a draft run."""
    run = get_object_or_404(selectors.sheet_runs(request.user).select_related("scheme"), pk=pk)
    items = selectors.sheet_items(run, request.user)
    subjects = selectors.members_with_names(run.scheme)
    errors: dict = {}
    typed: dict = {}
    if request.method == "POST":
        entries = []
        for item in items:
            for _series, members in subjects:
                for subject_id, _name in members:
                    raw = request.POST.get(f"score-{item['code']}-{subject_id}", "").strip()
                    typed[(item["code"], subject_id)] = raw
                    if raw:
                        entries.append((item["code"], subject_id, raw))
        try:
            saved = services.sheet_save(request.user, run, entries)
        except services.SheetError as error:
            errors = error.cells
            messages.error(request, _("评分未保存：%(n)s处填写有误，请按标红的提示修改") % {"n": len(errors)})
        else:
            messages.success(request, _("已保存%(n)s项评分，重新计算后计入结果") % {"n": saved})
            return redirect("scoring:sheet", run.pk)
    values = typed or {key: format(sheet.score, "f") for key, sheet in selectors.sheets(run, request.user).items()}
    rows = [(series, [(subject_id, name, [{"item": item, "name": f"score-{item['code']}-{subject_id}",
                                           "value": values.get((item["code"], subject_id), ""),
                                           "error": errors.get((item["code"], subject_id))} for item in items])
                      for subject_id, name in members]) for series, members in subjects]
    return render(request, "scoring/run_sheet.html", {
        "run": run, "label": selectors.run_label(run), "items": items, "rows": rows,
    })


@login_required
@require_POST
def veto_save(request, pk):
    def save(run):
        subject = parse_id(request.POST.get("subject_id"))
        if request.POST.get("clear") == "1":
            services.veto_clear(request.user, run, subject_id=subject)
            return _("已取消一票否决，重新计算后生效")
        services.veto_set(request.user, run, subject_id=subject, reason=request.POST.get("reason", ""))
        return _("已记录一票否决，重新计算后生效")
    return _office_write(request, pk, save)


@login_required
@require_POST
def run_recompute(request, pk):
    def again(run):
        services.run_compute(request.user, run.scheme, run.snapshot.get("period", ""))
        return _("已按最新数据和评分重新计算")
    return _office_write(request, pk, again)


@login_required
@require_POST
def run_publish(request, pk):
    def publish(run):
        run = services.run_publish(request.user, run, version=request.POST.get("version"))
        return _("已发布：%(label)s。发布后的结果不再随填报变化") % {"label": selectors.run_label(run)}
    return _office_write(request, pk, publish)


@login_required
@require_POST
def run_delete(request, pk):
    require_office(request.user)
    run = get_object_or_404(Run, pk=pk)
    try:
        services.run_delete(request.user, run, version=request.POST.get("version"))
    except (ValidationError, ConflictError) as error:
        messages.error(request, str(getattr(error, "message", None) or "；".join(_errors(error))))
        return redirect("scoring:run", run.pk)
    messages.success(request, _("已删除该期草稿"))
    return redirect("scoring:scheme", run.scheme_id)
