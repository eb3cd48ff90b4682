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
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tuijin.core.exceptions import ConflictError, messages_of
from tuijin.core.parsing import parse_id
from tuijin.core.signals import send_export
from tuijin.jobs.services import job_start
from tuijin.org.selectors import is_office, require_office

from . import forms, schemes, selectors, services
from .choices import RunState, Source, SubjectKind
from .compute import parse_key
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
    notes: list[str] = []
    if request.method == "POST":
        header = forms.SchemeHeaderForm(request.POST)
        header.is_valid()
        fields = {**{k: request.POST.get(k, "") for k in header.fields}, "red_needs_target": request.POST.get("red_needs_target") == "on",
                  "is_active": request.POST.get("is_active") == "on"}
        shown = {**fields, "board_red": request.POST.get("board_red", ""), "board_black": request.POST.get("board_black", "")}
        changed = forms.kind_changed(request.POST)
        if changed and not request.POST.get("refresh"):
            # A 序列's kind was changed without the page listing the new kind's subjects (no script):
            # nothing is saved; its subjects are chosen again among the kind now chosen.
            notes = [_("序列“%(name)s”的考核对象类型已更改，请重新勾选考核对象后保存") % {"name": name} for name in changed]
        elif not request.POST.get("refresh"):
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
        source = scheme or Scheme(period_kind="month")
        values = {k: getattr(source, k) for k in ("code", "name", "period_kind", "basis", "target_figure",
                                                   "target_value", "red_needs_target", "is_active")}
        boards = (source.config or {}).get("boards") or {}
        values.update(board_red=boards.get("red", ""), board_black=boards.get("black", ""))
        series, indicators = forms.editor_rows(source.config or {})
    candidates: dict[str, list] = {}
    for row in series:  # each 序列's own subjects first, ticked; then the rest of its kind to choose from
        kind = row["kind"] if row["kind"] in SubjectKind.values else SubjectKind.REGION
        row["kind"] = kind
        if kind not in candidates:
            candidates[kind] = list(selectors.subject_choices(kind))
        chosen = set(row["members"])
        row["options"] = sorted(((f"{kind}:{pk}", name, f"{kind}:{pk}" in chosen) for pk, name in candidates[kind]),
                                key=lambda o: not o[2])
    return render(request, "scoring/scheme_form.html", {
        "scheme": scheme, "values": values, "series_rows": series, "indicator_rows": indicators, "errors": errors,
        "notes": notes, "form": forms.SchemeHeaderForm(), "kinds": SubjectKind.choices,
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
    members = selectors.members_with_names(scheme)
    return render(request, "scoring/scheme_detail.html", {
        "scheme": scheme, "document": document, "is_office": office,
        "indicators": selectors.indicators_described(document["indicators"]),
        "runs": selectors.runs_visible_to(request.user).filter(scheme=scheme).order_by("-period_end", "-id"),
        "exemptions": selectors.exemptions_of(scheme) if office else [],
        "exemptable": selectors.exemptable_projects(scheme) if office else [],
        "members": members,
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
    send_export(request, what=_("考核方案"), filter=f"{scheme.name}（{scheme.code}）", format="json",
                filename=f"scheme-{scheme.code}.json")
    return response


@login_required
@require_POST
def run_compute(request, pk):
    require_office(request.user)
    scheme = get_object_or_404(Scheme, pk=pk)
    period = request.POST.get("period", "").strip()
    try:
        parsed, _spec = services.run_compute_check(request.user, scheme, period)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
        return redirect("scoring:scheme", scheme.pk)
    return redirect("jobs:detail", _compute_job(request.user, scheme, period, parsed.label).pk)


def _compute_job(user, scheme: Scheme, period: str, label: str):
    """A ranking's computation reads every subject's figures: a background job (scoring/jobs.py)."""
    return job_start(user, kind="scoring_compute",
                     title=_("计算“%(scheme)s”%(period)s的考核结果") % {"scheme": scheme.name, "period": label},
                     func="tuijin.scoring.jobs.run_compute", params={"scheme_id": scheme.pk, "period": period})


@login_required
@require_POST
def exemption_add(request, pk):
    """登记豁免: a subject of the scheme (`subject`: region:12) or a project of its subjects (`project`)."""
    require_office(request.user)
    scheme = get_object_or_404(Scheme, pk=pk)
    dates = {"reason": request.POST.get("reason", ""), "starts": _date(request.POST.get("starts")),
             "ends": _date(request.POST.get("ends"))}
    target = ({"project_id": parse_id(request.POST.get("project"))} if "project" in request.POST else
              {"subject": parse_key(request.POST.get("subject"))})
    try:
        services.exemption_add(request.user, scheme, **target, **dates)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("已登记豁免，下次计算时生效（已发布的结果不变）"))
    return redirect(reverse("scoring:scheme", args=[scheme.pk]) + "#exemptions")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def exemption_edit(request, pk):
    """修改豁免: its reason and dates, by the office, at the version the page showed."""
    require_office(request.user)
    exemption = get_object_or_404(Exemption.objects.select_related("scheme", "project", "approved_by"), pk=pk)
    errors: list[str] = []
    values = {"reason": exemption.reason, "starts": exemption.starts.isoformat(), "ends": exemption.ends.isoformat(),
              "version": exemption.version}
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in ("reason", "starts", "ends", "version")}
        try:
            services.exemption_change(request.user, exemption, version=values["version"], reason=values["reason"],
                                      starts=_date(values["starts"]), ends=_date(values["ends"]))
        except ValidationError as error:
            errors = _errors(error)
        except ConflictError as error:
            errors = [str(error.message)]
        else:
            messages.success(request, _("已修改豁免，下次计算时生效（已发布的结果不变）"))
            return redirect(reverse("scoring:scheme", args=[exemption.scheme_id]) + "#exemptions")
    return render(request, "scoring/exemption_form.html", {
        "exemption": exemption, "scheme": exemption.scheme, "values": values, "errors": errors,
        "what": selectors.exemption_label(exemption), "history": selectors.exemption_history(exemption),
    })


@login_required
@require_POST
def exemption_delete(request, pk):
    require_office(request.user)
    exemption = get_object_or_404(Exemption, pk=pk)
    try:
        services.exemption_remove(request.user, exemption, version=request.POST.get("version"))
    except (ValidationError, ConflictError) as error:
        messages.error(request, str(getattr(error, "message", None) or "；".join(_errors(error))))
    else:
        messages.success(request, _("已取消豁免"))
    return redirect(reverse("scoring:scheme", args=[exemption.scheme_id]) + "#exemptions")


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
        "vetoes": {f"{v.subject_kind}:{v.subject_id}": v for v in run.vetoes.all()} if office else {},
        "judges_sheets": selectors.judges_sheets(run) if office else [],
    })


@login_required
@require_safe
def run_point(request, pk):
    """The drill-down of one value of a run: the projects and reports behind it (today's data, the
    run's exempted projects left out and listed apart, 已豁免 with the reason)."""
    from tuijin.figures.registry import COMPONENT_LABELS, display, display_part

    run = _run_for(request, pk)
    found = selectors.point(request.user, run, request.GET.get("subject", ""), request.GET.get("indicator", ""))
    explanation = found["found"]
    parts = [(part, COMPONENT_LABELS[part]) for part in explanation.figure.parts] if explanation else []
    return render(request, "scoring/run_point.html", {
        "run": run, "label": selectors.run_label(run), **found,
        "shown": selectors.with_links(run, [found["line"]])[0].shown.get(found["indicator"]["code"]),
        "today": display(explanation.value, explanation.figure.kind) if explanation else None,
        "parts": parts,
        "rows": [(row, [display_part(row.parts.get(key)) for key, _l in parts]) for row in explanation.rows]
        if explanation else [],
        "totals": [display_part(explanation.totals.get(key)) for key, _l in parts] if explanation else [],
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
    for line in results:
        line.notes = selectors.notes_of(line)
    from .exporting import run_subtitle, run_title

    response = render(request, "scoring/run_print.html", {
        "run": run, "label": selectors.run_label(run), "series": selectors.series_of(results),
        "title": run_title(run), "subtitle": run_subtitle(run), "landscape": True,
        "back": reverse("scoring:run", args=[run.pk]),
        "indicators": run.snapshot.get("scheme", {}).get("indicators", []),
        "boards": schemes.board_labels(run.snapshot.get("config")),
    })
    send_export(request, what=_("考核排名"), filter=run_title(run), rows=len(results), format="print")
    return response


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
    from .exporting import run_title

    send_export(request, what=_("考核排名"), filter=run_title(run), rows=len(results), format="xlsx", filename=filename)
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
            for series in subjects:
                for member in series["members"]:
                    raw = request.POST.get(f"score-{item['code']}-{member['key']}", "").strip()
                    typed[(item["code"], member["subject"])] = raw
                    if raw:
                        entries.append((item["code"], member["subject"], raw))
        try:
            saved = services.sheet_save(request.user, run, entries)
        except services.SheetError as error:
            errors = error.cells
            messages.error(request, ngettext("评分未保存：%(n)s处填写有误，请按标红的提示修改",
                                             "评分未保存：%(n)s处填写有误，请按标红的提示修改", len(errors)) % {"n": len(errors)})
        else:
            messages.success(request, ngettext("已保存%(n)s项评分，重新计算后计入结果", "已保存%(n)s项评分，重新计算后计入结果",
                                               saved) % {"n": saved})
            return redirect("scoring:sheet", run.pk)
    values = typed or {key: format(sheet.score, "f") for key, sheet in selectors.sheets(run, request.user).items()}
    rows = [(series["name"], [(member["key"], member["name"], [{"item": item, "name": f"score-{item['code']}-{member['key']}",
                                                 "value": values.get((item["code"], member["subject"]), ""),
                                                 "error": errors.get((item["code"], member["subject"]))} for item in items])
                              for member in series["members"]]) for series in subjects]
    return render(request, "scoring/run_sheet.html", {
        "run": run, "label": selectors.run_label(run), "items": items, "rows": rows,
    })


@login_required
@require_POST
def veto_save(request, pk):
    def save(run):
        subject = parse_key(request.POST.get("subject"))
        if request.POST.get("clear") == "1":
            services.veto_clear(request.user, run, subject=subject)
            return _("已取消一票否决，重新计算后生效")
        services.veto_set(request.user, run, subject=subject, reason=request.POST.get("reason", ""))
        return _("已记录一票否决，重新计算后生效")
    return _office_write(request, pk, save)


@login_required
@require_POST
def run_recompute(request, pk):
    require_office(request.user)
    run = get_object_or_404(Run.objects.select_related("scheme"), pk=pk)
    period = run.snapshot.get("period", "")
    try:
        parsed, _spec = services.run_compute_check(request.user, run.scheme, period)
    except ValidationError as error:
        for text in _errors(error):
            messages.error(request, text)
        return redirect("scoring:run", run.pk)
    return redirect("jobs:detail", _compute_job(request.user, run.scheme, period, parsed.label).pk)


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
