"""Dispatch pages: thin views over selectors (reads) and services (writes)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tuijin.core.exceptions import ConflictError
from tuijin.core.fields import number_text
from tuijin.core.listexport import filter_terms
from tuijin.core.parsing import parse_int as _int
from tuijin.core.parsing import query_year
from tuijin.core.photos import photo_response
from tuijin.core.workflow import allowed_steps
from tuijin.jobs.services import job_start
from tuijin.org.selectors import is_editor, is_office, require_editor, require_office
from tuijin.projects.selectors import project_for_user

from . import exporting, selectors, services, tables
from .choices import EDITABLE_STATES, ReportAction, ReportState, WorkStatus
from .filtersets import ReportFilterSet
from .forms import PeriodOpenForm, ReportForm, ReviewForm
from .models import ProgressReport
from .workflow import FILL_STEPS, REPORT_WORKFLOW, REVIEW_STEPS

GRID_FIELDS = ("amount", "progress", "work_status", "workers_planned", "workers_on_site", "problems")
SAVE, SUBMIT = (REPORT_WORKFLOW.step(name) for name in FILL_STEPS)


def _errors_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# ------------------------------------------------------------------------------------------- inbox


@login_required
@require_safe
def inbox(request):
    """The clerk's start page: each open period with their projects' states; the office's periods."""
    periods = []
    for period in selectors.open_periods():
        mine = selectors.inbox(request.user, period) if is_editor(request.user) else ProgressReport.objects.none()
        periods.append({"period": period, "counts": selectors.state_counts(mine), "total": mine.count(),
                        "overdue": timezone.localdate() > period.due_on})
    context = {
        "periods": periods,
        "is_office": is_office(request.user),
        "can_report": is_editor(request.user),
        "recent": selectors.ReportPeriod.objects.all()[:24],
    }
    return render(request, "reports/inbox.html", context)


# ----------------------------------------------------------------------------------------- periods


@login_required
@require_http_methods(["GET", "POST"])
def period_open(request):
    require_office(request.user)
    form = PeriodOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _starts, _ends, _due, label = services.period_open_check(
                request.user, year=data["year"], month=data["month"], cadence=data["cadence"], seq=data["seq"],
                due_on=data["due_on"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Writing a pending report for every project and re-judging every project's warnings takes
            # seconds at province scale: a background job (reports/jobs.py), whose page shows its progress.
            job = job_start(request.user, kind="period_open", title=_("开启%(label)s调度期") % {"label": label},
                            func="tuijin.reports.jobs.period_open", params={
                                "year": data["year"], "month": data["month"], "cadence": data["cadence"],
                                "seq": data["seq"], "due_on": data["due_on"].isoformat() if data["due_on"] else None,
                                "stages": list(data["stages"]), "note": data["note"]})
            still_open = [p.label for p in selectors.open_periods().exclude(
                cadence=data["cadence"], year=data["year"], month=data["month"], seq=data["seq"])]
            if still_open:
                messages.warning(request, _("注意：%(labels)s调度期仍在填报中，审核完后请及时关闭")
                                 % {"labels": "、".join(still_open)})
            return redirect("jobs:detail", pk=job.pk)
    return render(request, "reports/period_open.html", {"form": form})


@login_required
@require_safe
def period_detail(request, pk):
    """Period overview: submitted / late / missing by unit and by region (within the user's scope)."""
    period = selectors.period_get(pk)
    overview = selectors.period_overview(request.user, period)
    office = is_office(request.user)
    # ?unit=<id> or ?unit=none lists that unit's missing reports below the tables (ReportFilterSet).
    chosen = _missing(request, period)
    missing = list(chosen.qs[:500]) if "unit" in request.GET else None
    return render(request, "reports/period_detail.html", {
        "period": period, "overview": overview, "is_office": office, "states": ReportState,
        "missing": missing, "can_report": is_editor(request.user),
        "missing_unit": _unit_name(overview, chosen.unit_key),
        # A province's ~900 unit rows are written in Python (tables.py), not by a template loop.
        "unit_rows": tables.render_unit_rows(overview, period=period, is_office=office,
                                             csrf_token=get_token(request)),
        "region_rows": tables.render_region_rows(overview),
    })


def _missing(request, period) -> ReportFilterSet:
    """The period's reports not handed in yet, of the page's unit filter (ReportFilterSet)."""
    return ReportFilterSet(request.GET, queryset=selectors.missing_reports(request.user, period))


def period_export(request, pk):
    """填报情况 as the period page shows it: by unit with whom to chase, by region, the missing reports
    (all of them, or the unit's the page lists)."""
    period = selectors.period_get(pk)
    chosen = _missing(request, period)
    overview = selectors.period_overview(request.user, period)
    return exporting.period_export(request.user, period, overview, chosen.qs, filter_terms(chosen))


def _unit_name(overview, key) -> str:
    """The overview's name of the unit `key` (None: projects without one; "": no unit asked)."""
    if key == "":
        return ""
    return next((t.name for t in overview.by_unit if t.key == key), "")


@login_required
@require_POST
def period_projects(request, pk):
    """The office adjusts who must report: add projects by 项目代码 or exact name, or take a pending one out."""
    require_office(request.user)
    period = selectors.period_get(pk)
    remove = _int(request.POST.get("remove"))
    try:
        if remove is not None:
            report = selectors.report_for_user(request.user, remove)
            if report.period_id != period.pk:
                raise PermissionDenied
            services.period_remove_report(request.user, report)
            messages.success(request, _("已将“%(name)s”移出本期填报") % {"name": report.project.name})
        else:
            text = request.POST.get("projects", "").replace("，", "\n").replace(",", "\n")
            wanted = [w.strip() for w in text.splitlines() if w.strip()]
            if not wanted:
                raise ValidationError(_("请填写要加入的项目代码或项目名称，每行一个"))
            ids, unknown = selectors.projects_named(request.user, wanted[:200])
            if unknown:
                raise ValidationError(_("以下项目找不到（或名称对应多个项目，请用项目代码）：%(words)s") % {"words": "、".join(unknown)})
            added = services.period_add_projects(request.user, period, ids)
            messages.success(request, _("已加入%(n)s个项目（已在本期的不重复加入）") % {"n": added})
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    return redirect("reports:period", pk=pk)


@login_required
@require_POST
def period_close(request, pk):
    require_office(request.user)
    period = selectors.period_get(pk)
    version = request.POST.get("version")
    try:
        services.period_close_check(request.user, period, version=version)
    except ConflictError as exc:
        messages.error(request, _("该调度期%(changed)s，本次没有关闭，请核对后再操作") % {"changed": exc.changed})
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        # Closing re-judges every project's warnings: a background job (reports/jobs.py).
        job = job_start(request.user, kind="period_close", title=_("关闭%(label)s调度期") % {"label": period.label},
                        func="tuijin.reports.jobs.period_close", params={"period_id": period.pk, "version": version})
        return redirect("jobs:detail", pk=job.pk)
    return redirect("reports:period", pk=pk)


@login_required
@require_POST
def period_remind(request, pk):
    require_office(request.user)
    period = selectors.period_get(pk)
    unit = request.POST.get("unit", "")
    try:
        reminders = services.period_remind(
            request.user, period, unit_id=_int(unit) if unit not in ("", "none") else None, all_units=unit == ""
        )
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        people = sum(r.recipients for r in reminders)
        missing = sum(r.missing for r in reminders)
        if people:
            messages.success(request, _("已向%(units)s个单位的%(people)s名填报员发送催报（%(missing)s个项目未上报）")
                             % {"units": len(reminders), "people": people, "missing": missing})
        else:
            messages.warning(request, _("已记录催报，但这些单位还没有填报员账号，请联系系统管理员开通"))
    return redirect("reports:period", pk=pk)


# -------------------------------------------------------------------------------------- batch grid


def over_total(figures, basis) -> str:
    """The server's refusal of an amount that takes 开工累计 above 总投资 (services.check_rows), to show
    before saving; "" when the amount is acceptable on that count."""
    if basis.total is None or figures.since_start <= basis.total:
        return ""
    return _("开工累计完成投资（%(since)s万元）将超过总投资（%(total)s万元）") % {
        "since": f"{figures.since_start:,.2f}", "total": f"{basis.total:,.2f}"}


def _grid_rows(request, period, reports, posted=None, problems=None, picked=frozenset()):
    """Rows for the grid template: the report, its figures' basis and what to show in each input.
    No row comes ticked for 上报 unless the clerk ticked it in this visit (`picked`, a refused post)."""
    bases = selectors.bases(reports, period)
    rows = []
    for index, report in enumerate(reports, start=1):
        basis = bases[report.project_id]
        values = {name: getattr(report, name) for name in GRID_FIELDS}
        values = {k: ("" if v is None else v) for k, v in values.items()}
        if posted and report.pk in posted:
            values.update(posted[report.pk])
        shown_amount = values.get("amount")
        try:
            amount = services.to_money(shown_amount) if shown_amount not in ("", None) else None
        except ValidationError:
            amount = None
        figures = basis.figures(amount, period.ends_on)
        conflict = problems.conflicts.get(report.pk) if problems else None
        rows.append({
            "index": index, "report": report, "basis": basis, "figures": figures, "values": values,
            "editable": report.state in EDITABLE_STATES and period.is_open,
            "errors": (problems.errors.get(report.pk, {}) if problems else {}),
            "conflict": conflict,
            "version": conflict.version if conflict else report.version,
            "picked": report.pk in picked,
            "over_total": over_total(figures, basis) if amount is not None else "",
        })
    return rows


def _posted_rows(request) -> tuple[list[dict], set[int]]:
    rows, submit_ids = [], set()
    for raw in request.POST.getlist("row"):
        pk = _int(raw)
        if pk is None:
            continue
        row = {"id": pk, "version": request.POST.get(f"r{pk}-version")}
        for name in GRID_FIELDS:
            key = f"r{pk}-{name}"
            if key in request.POST:
                row[name] = request.POST.get(key)
        if row.get("amount"):
            row["amount"] = number_text(row["amount"])  # shown again as read: "１２．５" → "12.5"
        rows.append(row)
        if request.POST.get(f"r{pk}-pick"):
            submit_ids.add(pk)
    return rows, submit_ids


@login_required
@require_http_methods(["GET", "POST"])
def grid(request, pk):
    """The batch grid: every report of the period the user may fill, on one page."""
    require_editor(request.user)
    period = selectors.period_get(pk)
    autosave = request.headers.get("X-Tuijin-Autosave") == "1"
    status, posted, problems = 200, None, None
    if request.method != "POST":
        reports = list(selectors.inbox(request.user, period))
    else:  # a save redirects or answers JSON; only a refused one shows the grid, read afresh below
        rows, submit_ids = _posted_rows(request)
        action = request.POST.get("action", "save")
        submit = submit_ids if action == SUBMIT.name else set()
        unchanged = _returned_unchanged(request, period, rows, submit)
        if action == SUBMIT.name and not submit_ids:
            messages.error(request, _("请勾选要上报的项目"))
        elif unchanged:
            # A returned report goes back only when it was changed, or the clerk confirmed sending it as it is.
            messages.error(request, _("以下项目已被退回，但本次没有修改：%(names)s。本次没有保存或上报任何内容；"
                                      "请按退回意见修改，或确认原样重新上报。") % {"names": "、".join(unchanged)})
            status = 400
            posted = {row["id"]: {k: v for k, v in row.items() if k in GRID_FIELDS} for row in rows}
        else:
            try:
                saved = services.reports_save(request.user, period, rows, submit=submit)
            except services.BatchError as exc:
                problems = exc.problems
                status = 409 if problems.conflicts else 400
                posted = {row["id"]: {k: v for k, v in row.items() if k in GRID_FIELDS} for row in rows}
                if autosave:
                    return JsonResponse(_problems_json(problems), status=status)
                if problems.conflicts:
                    messages.error(request, _("已被他人修改：%(n)s个项目的填报在您编辑期间已被其他人保存，本次没有保存任何内容。"
                                              "您填写的数值仍在下方，标红的行显示了对方保存的数值，请核对后再次保存。")
                                   % {"n": len(problems.conflicts)})
                if problems.errors:
                    messages.error(request, _("%(n)s个项目的填报有误，本次没有保存任何内容，请按标红处修改") % {"n": len(problems.errors)})
            except ValidationError as exc:
                if autosave:
                    return JsonResponse({"ok": False, "message": _errors_text(exc)}, status=400)
                messages.error(request, _errors_text(exc))
                status = 400
            else:
                if autosave:
                    return JsonResponse({"ok": True, "versions": {r.pk: r.version for r in saved},
                                         "states": {r.pk: r.get_state_display() for r in saved},
                                         "saved_at": timezone.localtime().strftime("%H:%M:%S")})
                submitted = sum(1 for r in saved if r.state == SUBMIT.target)
                step, n = (SUBMIT, submitted) if submitted else (SAVE, len(saved))
                messages.success(request, step.done_many % {"n": n})
                return redirect("reports:grid", pk=pk)
        reports = list(selectors.inbox(request.user, period))
    context = {
        "period": period,
        "rows": _grid_rows(request, period, reports, posted, problems,
                           picked=frozenset(_posted_rows(request)[1]) if request.method == "POST" else frozenset()),
        "work_statuses": WorkStatus.choices,
        "counts": selectors.state_counts(selectors.inbox(request.user, period)),
    }
    return render(request, "reports/grid.html", context, status=status)


def _returned_unchanged(request, period, rows, submit_ids) -> list[str]:
    """Names of the ticked reports that were returned and come back exactly as they were returned,
    unless the clerk confirmed resubmitting them unchanged (confirm_returned)."""
    if not submit_ids or request.POST.get("confirm_returned") == "1":
        return []
    returned = {r.pk: r for r in selectors.inbox(request.user, period).filter(pk__in=list(submit_ids),
                                                                          state=ReportState.RETURNED)}
    names = []
    for row in rows:
        report = returned.get(row["id"])
        if report is None:
            continue
        values, errors = services.clean_report_data(row)
        if not errors and all(getattr(report, name) == value for name, value in values.items()):
            names.append(report.project.name)
    return names


def _problems_json(problems) -> dict:
    return {
        "ok": False,
        "errors": {str(pk): errors for pk, errors in problems.errors.items()},
        "conflicts": {str(pk): {"version": r.version, "amount": None if r.amount is None else str(r.amount),
                                "progress": r.progress, "state": r.get_state_display(), "changed": r.changed}
                      for pk, r in problems.conflicts.items()},
        "message": _("已被他人修改或填写有误，本次没有保存"),
    }


# ---------------------------------------------------------------------------------- single report


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk):
    report = selectors.report_for_user(request.user, pk)
    editable_by_user = selectors.report_editable(request.user, report)
    status = 200
    initial = {name: ("" if getattr(report, name) is None else getattr(report, name)) for name in GRID_FIELDS}
    initial.update(next_steps=report.next_steps, version=report.version)
    form = ReportForm(initial=initial)
    ask_returned = False
    if request.method == "POST":
        if not editable_by_user:
            raise PermissionDenied
        form = ReportForm(request.POST)
        confirmed = request.POST.get("confirm_returned") == "1"
        action = request.POST.get("action") or (SUBMIT.name if confirmed else SAVE.name)
        delete_photo = _int(request.POST.get("delete_photo"))
        photos_wanted = action == "photo" and delete_photo is None
        if photos_wanted and not request.FILES.getlist("photos"):
            # Nothing to upload: the page comes back with everything typed still in it.
            messages.error(request, _("请选择要上传的照片"))
            form.is_valid()
            status = 400
        elif (form.is_valid() and action == SUBMIT.name and delete_photo is None and not confirmed
              and _returned_as_it_was(report, request.POST)):
            # As on the grid: a returned report goes back only changed, or once the clerk confirms it as it is.
            messages.error(request, _("该填报已被退回，但本次没有修改。本次没有保存或上报任何内容；"
                                      "请按退回意见修改，或确认原样重新上报。"))
            status, ask_returned = 400, True
        elif form.is_valid():
            status, form = _report_save(request, report, form, submit=action == SUBMIT.name and delete_photo is None)
            if status == 200:
                if delete_photo is not None:
                    _photo_delete(request, report, delete_photo)
                elif photos_wanted:
                    _photos_add(request, report)
                else:
                    messages.success(request, (SUBMIT if report.state == SUBMIT.target else SAVE).done)
                return redirect(reverse("reports:report", args=[pk]) + ("#photos" if action == "photo" else ""))
            if action == "photo" or delete_photo is not None:
                messages.error(request, _("照片操作未完成：请先改正上方填写中的错误（您填写的内容仍在页面上）"))
        else:
            status = 400
        report = selectors.report_for_user(request.user, pk)
    return _report_page(request, report, form=form, status=status, ask_returned=ask_returned)


def _returned_as_it_was(report, post) -> bool:
    """A returned report whose posted values are exactly the ones it was returned with (the grid's rule)."""
    if report.state != ReportState.RETURNED:
        return False
    values, errors = services.clean_report_data({name: post.get(name, "") for name in (*GRID_FIELDS, "next_steps")})
    return not errors and all(getattr(report, name) == value for name, value in values.items())


def _report_save(request, report, form, *, submit: bool):
    """Save the report form (a draft, or handed in): (200, form) when saved, else (status, form with errors)."""
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        services.report_save(request.user, report, data, version=form.cleaned_data["version"], submit=submit)
    except services.BatchError as exc:
        if exc.problems.conflicts:
            fresh = exc.problems.conflicts[report.pk]
            messages.error(request, _("该填报在您编辑期间%(changed)s（%(state)s，本期完成%(amount)s万元），"
                                      "您的修改没有保存。您填写的内容仍在下方，核对后可再次保存。")
                           % {"changed": fresh.changed, "state": fresh.get_state_display(),
                              "amount": fresh.amount if fresh.amount is not None else "—"})
            form = ReportForm({**request.POST.dict(), "version": fresh.version})
            form.is_valid()
            return 409, form
        for field_name, errors in exc.problems.errors.get(report.pk, {}).items():
            for error in errors:
                form.add_error(field_name if field_name in form.fields else None, error)
        return 400, form
    except ValidationError as exc:
        form.add_error(None, exc)
        return 400, form
    return 200, form


def _photos_add(request, report) -> None:
    added = 0
    for upload in request.FILES.getlist("photos"):
        try:
            services.photo_add(request.user, report, upload, caption=request.POST.get("caption", ""))
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
        else:
            added += 1
    if added:
        messages.success(request, _("已保存填写并上传%(n)s张现场照片") % {"n": added})


def _photo_delete(request, report, photo_id: int) -> None:
    photo = selectors.report_photo(report, photo_id)
    try:
        services.photo_delete(request.user, photo)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(request, _("照片已删除"))


def _report_page(request, report, *, form=None, review_form=None, status=200, ask_returned=False):
    """The report page; a refused save or review shows it again with what was typed still in it."""
    # The buttons are the workflow's steps open to this user from the report's state (reports/workflow.py):
    # the clerk's on a report of theirs, the office's review, none once the period is closed.
    steps = {}
    if report.period.is_open:
        fill = selectors.report_editable(request.user, report)
        steps = {step.name: step for step in allowed_steps(REPORT_WORKFLOW, report.state, request.user)
                 if step.name in REVIEW_STEPS or (fill and step.name in FILL_STEPS)}
    if form is None:
        initial = {name: ("" if getattr(report, name) is None else getattr(report, name)) for name in GRID_FIELDS}
        initial.update(next_steps=report.next_steps, version=report.version)
        form = ReportForm(initial=initial)
    basis = selectors.bases([report], report.period)[report.project_id]
    amount_value = form["amount"].value()
    try:
        amount = services.to_money(amount_value) if amount_value not in (None, "") else report.amount
    except ValidationError:
        amount = report.amount
    events = list(report.events.select_related("user").order_by("at", "id"))
    figures = basis.figures(amount, report.period.ends_on)
    context = {
        "report": report, "form": form, "steps": steps, "basis": basis,
        "can_edit": any(name in steps for name in FILL_STEPS),
        "can_review": any(name in steps for name in REVIEW_STEPS),
        # Why this user may not approve it (they handed it in): the review form says so.
        "approve_refused": REPORT_WORKFLOW.step(ReportAction.APPROVE).refusal(request.user, report),
        "figures": figures,
        "over_total": over_total(figures, basis) if amount is not None else "",
        "events": events,
        "hands": selectors.report_hands(report, events),
        "photos": report.photos.select_related("uploaded_by"),
        "review_form": review_form or ReviewForm(initial={"version": report.version}),
        "ask_returned": ask_returned,
    }
    return render(request, "reports/report_detail.html", context, status=status)


@login_required
@require_POST
def report_review(request, pk):
    """Approve or return one report. Done: on to the next one waiting in the queue. Refused (no reason
    for a return, someone else was quicker, the submitter approving their own): the same report again,
    with the comment as typed, so nothing is ever sent back on the wrong project."""
    report = selectors.report_for_user(request.user, pk)
    require_office(request.user)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("审核表单不完整，请刷新页面后重试"))
        return redirect("reports:report", pk=pk)
    data = form.cleaned_data
    step = REPORT_WORKFLOW.step(data["decision"])  # the form offers the review steps only
    try:
        services.report_review(request.user, report, step.name, version=data["version"], comment=data["comment"])
        messages.success(request, step.done % {"name": report.project.name})
    except (ConflictError, ValidationError) as exc:
        if isinstance(exc, ConflictError):
            messages.error(request, _("该填报%(changed)s（审核或修改），本次没有审核，请核对后再操作") % {"changed": exc.changed})
            status = 409
        else:
            for field_name, errors in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
                for error in errors:
                    form.add_error(field_name if field_name in form.fields else None, error)
            messages.error(request, _("%(name)s：%(errors)s") % {"name": report.project.name, "errors": _errors_text(exc)})
            status = 400
        report = selectors.report_for_user(request.user, pk)
        if status == 409:  # the page shows the report as it is now; the comment typed stays
            form = ReviewForm({"version": report.version, "comment": data["comment"], "decision": data["decision"]})
            form.is_valid()
        return _report_page(request, report, review_form=form, status=status)
    # On to the next report waiting for review (the queue's order), or back to the queue when none.
    following = selectors.review_queue(request.user, report.period).exclude(pk=pk).first()
    if following is not None and report.period.is_open:
        return redirect("reports:report", pk=following.pk)
    return redirect("reports:review", pk=report.period_id)


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """The office's review queue of a period; approve several at once."""
    require_office(request.user)
    period = selectors.period_get(pk)
    if request.method == "POST":
        versions = {}
        for raw in request.POST.getlist("pick"):
            report_id = _int(raw)
            if report_id is not None:  # its version as posted: a missing one is refused, never skipped
                versions[report_id] = request.POST.get(f"v{report_id}")
        if not versions:
            messages.error(request, _("请勾选要审核通过的填报"))
        else:
            try:
                n = services.reports_approve_many(request.user, period, versions)
            except ConflictError as exc:
                name = exc.current.project.name if exc.current is not None else ""
                messages.error(request, _("“%(name)s”的填报%(changed)s，本次没有审核任何填报，请核对后再操作")
                               % {"name": name, "changed": exc.changed})
            except ValidationError as exc:
                messages.error(request, _errors_text(exc))
            else:
                messages.success(request, REPORT_WORKFLOW.step(ReportAction.APPROVE).done_many % {"n": n})
        return redirect("reports:review", pk=pk)
    queue = list(selectors.review_queue(request.user, period))
    bases = selectors.bases(queue, period)
    approve = REPORT_WORKFLOW.step(ReportAction.APPROVE)
    # A report this user may not approve (they handed it in) gets no box to tick.
    rows = [{"report": r, "figures": bases[r.project_id].figures(r.amount, period.ends_on),
             "approve_refused": approve.refusal(request.user, r)} for r in queue]
    return render(request, "reports/review.html", {"period": period, "rows": rows})


def review_export(request, pk):
    """The review queue as its page lists it, with the same figures; the office's, as the page."""
    require_office(request.user)
    period = selectors.period_get(pk)
    queue = list(selectors.review_queue(request.user, period))
    return exporting.review_export(period, queue, selectors.bases(queue, period))


# --------------------------------------------------------------------------------- project history


@login_required
@require_safe
def project_reports(request, pk):
    project = project_for_user(request.user, pk)
    year = query_year(request.GET) or timezone.localdate().year
    reports = list(selectors.project_reports(project))
    return render(request, "reports/project_reports.html", {
        "project": project, "reports": reports, "year": year,
        "years": sorted({r.period.year for r in reports} | {year}, reverse=True),
        "curve": selectors.s_curve(project, year), "tab": "reports",
    })


# ------------------------------------------------------------------------------------------- photos


@login_required
@require_safe
def photo_file(request, pk):
    """A photo, only for users who may see its project (never a public media URL)."""
    photo = selectors.photo_for_user(request.user, pk)
    return photo_response(photo.file, photo.content_type)


# ------------------------------------------------------------------------------------------- import


@login_required
@require_http_methods(["GET", "POST"])
def import_reports(request, pk):
    """Upload a unit's monthly sheet: check it (nothing written), or import it as drafts / submitted."""
    from tuijin.core.sheets.reader import SheetReadError

    from . import importing

    require_editor(request.user)
    period = selectors.period_get(pk)
    context = {"period": period, "analysis": None, "max_mb": settings.TUIJIN_IMPORT_MAX_BYTES // (1024 * 1024)}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的月报表文件"))
            return render(request, "reports/import.html", context, status=400)
        if upload.size > settings.TUIJIN_IMPORT_MAX_BYTES:
            messages.error(request, _("文件超过%(mb)sMB，请拆分后再导入") % {"mb": context["max_mb"]})
            return render(request, "reports/import.html", context, status=400)
        if not period.is_open:
            messages.error(request, _("%(label)s的调度期已关闭，不能再导入") % {"label": period.label})
            return render(request, "reports/import.html", context, status=400)
        content, importing_now = upload.read(), request.POST.get("action") == "import"
        try:
            analysis = importing.analyze(request.user, period, content, upload.name,
                                         sheet=request.POST.get("sheet") or None,
                                         submit=request.POST.get("submit") == "1")
        except SheetReadError as exc:
            messages.error(request, str(exc))
            if importing_now:
                importing.audit(request.user, upload.name, content, refused=str(exc))
            return render(request, "reports/import.html", context, status=400)
        if importing_now:
            refused = ""
            if analysis.valid:
                try:
                    importing.commit(request.user, analysis, submit=request.POST.get("submit") == "1")
                except ValidationError as exc:
                    refused = _errors_text(exc)
                    messages.error(request, refused)
            importing.audit(request.user, upload.name, content, analysis=analysis, refused=refused)
            if analysis.saved:
                messages.success(request, _("已从“%(file)s”导入%(n)s个项目的填报%(how)s")
                                 % {"file": upload.name, "n": analysis.saved,
                                    "how": _("并上报") if request.POST.get("submit") == "1" else _("（草稿，请核对后上报）")})
                return redirect("reports:grid", pk=pk)
        if analysis.issues:
            status = 400
            messages.error(request, _("文件有%(n)s处错误，没有导入任何内容，请修改后重新上传") % {"n": len(analysis.issues)})
        elif request.POST.get("action") != "import":
            messages.info(request, _("检查通过：%(n)s个项目可以导入，请再次选择文件并点“导入”") % {"n": len(analysis.rows)})
        context["analysis"] = analysis
    return render(request, "reports/import.html", context, status=status)
