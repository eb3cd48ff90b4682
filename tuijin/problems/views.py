"""Problem lists and inboxes, supervision orders, meetings and inspections: thin views over selectors
(reads) and services (writes). Out-of-scope records answer 404; steps the user may not take, 403."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from tuijin.core.exceptions import ConflictError
from tuijin.core.listexport import filter_terms
from tuijin.core.parsing import parse_int as _int
from tuijin.core.photos import photo_response
from tuijin.core.workflow import allowed_steps, legal_step
from tuijin.org.choices import Role, UnitKind
from tuijin.org.models import Leader, Unit
from tuijin.org.selectors import (
    OFFICE_ROLES,
    SUPERVISOR_ROLES,
    may_supervise,
    primary_unit,
    regions_visible_to,
)
from tuijin.projects.models import Project
from tuijin.projects.selectors import project_for_user

from . import exporting, selectors, services
from .choices import (
    ACTIVE_PROBLEM_STATES,
    DUE_SOON_DAYS,
    Ladder,
    OrderAction,
    OrderStatus,
    ProblemAction,
    ProblemStatus,
    Source,
)
from .filtersets import (
    QUERY_MAX,
    InspectionFilterSet,
    MeetingFilterSet,
    OrderFilterSet,
    ProblemFilterSet,
    iso_day,
)
from .forms import DecisionForm, InspectionForm, MeetingForm, OrderForm, ProblemForm
from .models import Attachment, Inspection, InspectionPhoto, Meeting, Problem, ProblemType, SupervisionOrder
from .workflow import ORDER_WORKFLOW, PROBLEM_WORKFLOW, may_raise

PAGE = 50
STATS_PAGE = 100  # a province has thousands of units: the table pages, the total row counts them all
ORDERS_ON_OVERDUE = 20


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _form_errors(form) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def _write(request, action, success: str) -> bool:
    try:
        action()
    except ConflictError as exc:
        messages.error(request, _("该记录%(changed)s，您的操作未保存，请核对最新情况后重新操作") % {"changed": exc.changed})
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, success)
        return True
    return False


def _kept(request, action, *fields) -> dict:
    """What was typed in a refused step's form ({"action", field: text}): the page is shown again on the
    same record with it put back in that step's form (problems, supervision orders, decisions)."""
    return {"action": action, **{f: request.POST.get(f, "") for f in fields}}


def _page(request, rows):
    """A page of a long list in two steps: the page's ids first (a narrow sort an index mostly feeds),
    then those rows with what the table shows. Sorting 10,000 wide joined rows to show 50 is what
    made a province's overdue list slow on SQLite."""
    page = Paginator(rows.values_list("pk", flat=True), PAGE).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    found = {obj.pk: obj for obj in rows.order_by().filter(pk__in=ids)}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def _query(request) -> str:
    """The page's filters for its pager links ("a=1&b=2&"), without the page number."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


# ------------------------------------------------------------------------------------------- lists


def _filter_context(request):
    return {
        "statuses": ProblemStatus.choices, "types": ProblemType.objects.filter(is_active=True), "levels": Ladder.choices,
        "sources": Source.choices, "f": {k: request.GET.get(k, "") for k in ProblemFilterSet.base_filters},
        # Government and department units of the user's regions: the usual handlers (no scan of the problems).
        "filter_units": Unit.objects.filter(is_active=True, kind__in=(UnitKind.GOVERNMENT, UnitKind.DEPARTMENT),
                                            region__in=regions_visible_to(request.user)).order_by("region__path", "name")[:1000],
    }


def _problem_list(request, today):
    """问题清单 of the page's filter, in its order: (the bound FilterSet, the problems). The page and its
    exports both read it here."""
    filterset = selectors.problem_filter(request.user, request.GET, today)
    return filterset, filterset.qs.order_by("-raised_on", "-id")


@login_required
@require_safe
def problem_list(request):
    today = timezone.localdate()
    filterset, rows = _problem_list(request, today)
    return render(request, "problems/problem_list.html", {
        "page": _page(request, rows), "today": today, "query": _query(request), **_filter_context(request),
        "narrowed": _narrowed(filterset, ("leader",)),
    })


def problem_list_export(request):
    today = timezone.localdate()
    filterset, rows = _problem_list(request, today)
    return exporting.problem_list_export(rows, filter_terms(filterset), today)


@login_required
@require_safe
def inbox(request):
    """The user's desk: what their unit must handle, what was escalated to them, their orders."""
    today = timezone.localdate()
    tab = request.GET.get("tab", "")
    leader = selectors.leader_of(request.user)
    tabs = [("unit", _("本单位办理"), selectors.unit_inbox(request.user)),
            ("cooperate", _("配合办理"), selectors.cooperating_inbox(request.user)),
            ("orders", _("督办单"), selectors.order_inbox(request.user))]
    access = selectors.user_access(request.user)
    if leader is not None or access.is_superuser or access.has_role(Role.LEADER):
        tabs.insert(0, ("leader", _("提请我协调"), selectors.leader_inbox(request.user)))
    if access.has_role(*SUPERVISOR_ROLES):
        tabs.insert(0, ("verify", _("待核实销号"), selectors.awaiting_verification(request.user)))
    if access.has_role(*OFFICE_ROLES):
        tabs.insert(0, ("assign", _("待交办"), selectors.unassigned(request.user)))
    keys = [t[0] for t in tabs]
    if tab not in keys:
        tab = keys[0]
    rows = dict((k, r) for k, _l, r in tabs)[tab]
    return render(request, "problems/inbox.html", {
        "tabs": [(k, label, r.count()) for k, label, r in tabs], "tab": tab, "page": _page(request, rows), "today": today,
        "query": _query(request),
    })


def _overdue_lists(request, today):
    """The overdue page's tab (due=overdue|soon) with its problems and orders, in the page's order."""
    which = "soon" if request.GET.get("which") == "soon" else "overdue"  # the page's tabs: due=overdue|soon
    problems = ProblemFilterSet({"due": which}, queryset=selectors.problem_list(request.user), today=today).qs
    orders = OrderFilterSet({"due": which}, queryset=selectors.order_rows(SupervisionOrder.objects.visible_to(request.user)),
                            today=today).qs
    return which, problems.order_by("deadline", "id"), orders.order_by("reply_by", "id")


def overdue_export(request):
    today = timezone.localdate()
    which, problems, orders = _overdue_lists(request, today)
    label = _("已逾期") if which == "overdue" else _("%(n)s天内到期") % {"n": DUE_SOON_DAYS}
    return exporting.overdue_export(label, problems, orders, today)


@login_required
@require_safe
def overdue(request):
    today = timezone.localdate()
    which, problems, orders = _overdue_lists(request, today)
    return render(request, "problems/overdue.html", {
        "which": which, "page": _page(request, problems), "query": _query(request),
        "orders": orders[:ORDERS_ON_OVERDUE], "order_count": orders.count(), "orders_shown": ORDERS_ON_OVERDUE,
        "today": today, "soon_days": DUE_SOON_DAYS,
    })


class BadDate(ValueError):
    """A posted date that is not 年-月-日."""


def _posted_day(request, name: str):
    """The posted date `name`, None when left empty; BadDate (the view says so) when malformed."""
    raw = request.POST.get(name)
    if not raw:
        return None
    day = iso_day(raw)
    if day is None:
        raise BadDate(raw)
    return day


DATE_FORMAT_ERROR = gettext_lazy("日期格式不正确，应为 年-月-日，如 2026-12-31")


def _stat_groups():
    return [("unit", _("按责任单位")), ("type", _("按问题类型")), ("month", _("按提出月份"))]


def _stats_query(request, today):
    """办结统计's grouping and dates as the page reads them (by, start, end, what was wrong with them):
    by unit from January 1st by default; a date that is not 年-月-日 is left out, reversed dates swapped."""
    by = request.GET.get("by", "unit")
    if by not in selectors.GROUPS:
        by = "unit"
    start, end = iso_day(request.GET.get("start")), iso_day(request.GET.get("end"))
    if start is None and not request.GET.get("start"):
        start = today.replace(month=1, day=1)
    errors = []
    if (request.GET.get("start") and start is None) or (request.GET.get("end") and end is None):
        errors.append(DATE_FORMAT_ERROR)
    if start and end and start > end:
        errors.append(_("开始日期不能晚于结束日期"))
        start, end = end, start
    return by, start, end, errors


STAT_HEADERS = {"unit": gettext_lazy("责任单位"), "type": gettext_lazy("问题类型"), "month": gettext_lazy("提出月份")}


@login_required
@require_safe
def stats(request):
    today = timezone.localdate()
    by, start, end, errors = _stats_query(request, today)
    for error in errors:
        messages.error(request, error)
    rows = selectors.closure_stats(request.user, by, today, start, end)
    return render(request, "problems/stats.html", {
        "page": Paginator(rows, STATS_PAGE).get_page(request.GET.get("page")), "query": _query(request),
        "total": selectors.stat_total(rows), "by": by, "start": start, "end": end,
        "groups": _stat_groups(), "header": STAT_HEADERS[by],
    })


def stats_export(request):
    today = timezone.localdate()
    by, start, end, _errors = _stats_query(request, today)
    rows = selectors.closure_stats(request.user, by, today, start, end)
    return exporting.stats_export(rows, selectors.stat_total(rows), by_label=dict(_stat_groups())[by],
                                  header=str(STAT_HEADERS[by]), start=start, end=end)


@login_required
@require_safe
def project_problems(request, pk):
    project = project_for_user(request.user, pk)
    today = timezone.localdate()
    problems = selectors.problem_rows(Problem.objects.visible_to(request.user).filter(project=project))
    orders = selectors.order_rows(SupervisionOrder.objects.visible_to(request.user).filter(project=project))
    return render(request, "problems/project_problems.html", {
        "project": project, "tab": "problems", "problems": problems.order_by("-raised_on", "-id"),
        "orders": orders, "today": today, "may_raise": may_raise(request.user, project) and not project.is_archived,
        "may_supervise": may_supervise(request.user),
    })


# ---------------------------------------------------------------------------------------- problems


@login_required
def problem_new(request, pk):
    project = project_for_user(request.user, pk)
    if not may_raise(request.user, project):
        raise PermissionDenied
    form = ProblemForm(request.POST or None, with_source=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        source = data.pop("source")
        try:
            problem = services.problem_raise(request.user, project, data, source=source)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("问题已提出") + (_("，已交办%(unit)s") % {"unit": problem.handling_unit.name}
                                                      if problem.handling_unit_id else _("，等待调度员交办")))
            return redirect("problems:detail", pk=problem.pk)
    return render(request, "problems/problem_form.html", {"project": project, "form": form, "title": _("提出问题")},
                  status=400 if form.errors else 200)


@login_required
@require_safe
def problem_detail(request, pk):
    return _problem_page(request, selectors.problem_for_user(request.user, pk))


def _problem_page(request, problem, kept=None, status=200, assign_form=None, order_form=None):
    """The problem's page; after a refused step, `kept` (see _kept) puts what was typed back in that step's
    form, shown open, on this same problem; a refused 交办 or 督办单 passes its bound form instead."""
    today = timezone.localdate()
    if not PROBLEM_WORKFLOW.allows(ProblemAction.ASSIGN, problem.status, request.user, problem):
        assign_form = None
    elif assign_form is None:
        assign_form = ProblemForm(initial={
            "type": problem.type_id, "description": problem.description, "handling_unit": problem.handling_unit_id,
            "cooperating_units": list(problem.cooperating_units.values_list("pk", flat=True)), "deadline": problem.deadline})
    return render(request, "problems/problem_detail.html", {
        "problem": problem, "project": problem.project, "today": today,
        "events": problem.events.select_related("actor", "actor_unit", "leader", "unit"),
        "attachments": problem.attachments.select_related("uploaded_by"),
        "cooperating": problem.cooperating_units.all(),
        "orders": SupervisionOrder.objects.visible_to(request.user).filter(problem=problem),
        "steps": [(step, step.is_open_for(request.user, problem))
                  for step in allowed_steps(PROBLEM_WORKFLOW, problem.status, request.user, problem) if not step.own_form],
        "assign_form": assign_form,
        "can_attach": PROBLEM_WORKFLOW.allows(ProblemAction.ATTACH, problem.status, request.user, problem),
        "can_issue": may_supervise(request.user) and problem.status in ACTIVE_PROBLEM_STATES,
        "order_form": order_form or OrderForm(with_basis=False, initial={"unit": problem.handling_unit_id,
                                                                         "content": problem.description}),
        "levels": [(v, label) for v, label in Ladder.choices if v > problem.level],
        "leaders": Leader.objects.filter(is_active=True).order_by("sort", "id"),
        "default_leader": problem.coordinating_leader or services.contracted_leader(problem.project),
        "overdue_days": selectors.days_overdue(problem.deadline, today) if problem.is_open else 0,
        "kept": kept or {},
    }, status=status)


@login_required
@require_POST
def problem_assign(request, pk):
    problem = selectors.problem_for_user(request.user, pk)
    legal_step(PROBLEM_WORKFLOW, ProblemAction.ASSIGN, problem.status, user=request.user, record=problem, error=PermissionDenied)
    form = ProblemForm(request.POST)
    version = _int(request.POST.get("version"))
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _problem_page(request, problem, {"action": "assign"}, status=400, assign_form=form)
    done = _write(request, lambda: services.problem_assign(request.user, problem, form.cleaned_data, version=version),
                  _("已交办：%(unit)s") % {"unit": form.cleaned_data["handling_unit"] or _("（未定责任单位）")})
    if not done:
        return _problem_page(request, selectors.problem_for_user(request.user, pk), {"action": "assign"}, status=400,
                             assign_form=form)
    return redirect("problems:detail", pk=pk)


@login_required
@require_POST
def problem_step(request, pk, action):
    problem = selectors.problem_for_user(request.user, pk)
    if action not in PROBLEM_WORKFLOW.names or PROBLEM_WORKFLOW.step(action).own_form:
        raise Http404
    step = legal_step(PROBLEM_WORKFLOW, action, problem.status, user=request.user, record=problem, error=PermissionDenied)
    post = request.POST
    kept = _kept(request, action, "text", "deadline")
    try:
        deadline = _posted_day(request, "deadline")
    except BadDate:
        messages.error(request, DATE_FORMAT_ERROR)
        return _problem_page(request, problem, kept, status=400)
    leader = None
    if _int(post.get("leader")):
        leader = Leader.objects.filter(pk=_int(post.get("leader"))).first()
        if leader is None:
            messages.error(request, _("所选领导不存在"))
            return _problem_page(request, problem, kept, status=400)
    done = _write(request, lambda: services.problem_step(request.user, problem, action, version=_int(post.get("version")),
                                                         text=post.get("text", ""), deadline=deadline,
                                                         level=_int(post.get("level")), leader=leader),
                  step.done)
    if not done:
        return _problem_page(request, selectors.problem_for_user(request.user, pk), kept, status=400)
    return redirect("problems:detail", pk=pk)


@login_required
@require_POST
def problem_attach(request, pk):
    problem = selectors.problem_for_user(request.user, pk)
    legal_step(PROBLEM_WORKFLOW, ProblemAction.ATTACH, problem.status, user=request.user, record=problem, error=PermissionDenied)
    return _attach(request, reverse("problems:detail", args=[pk]) + "#attachments", problem=problem)


@login_required
@require_POST
def problem_order(request, pk):
    """Issue a supervision order about this problem (督办)."""
    problem = selectors.problem_for_user(request.user, pk)
    if not may_supervise(request.user):
        raise PermissionDenied
    form = OrderForm(request.POST, with_basis=False)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _problem_page(request, problem, {"action": "order"}, status=400, order_form=form)
    try:
        order = services.order_issue(request.user, problem.project, {**form.cleaned_data, "basis": "problem"}, problem=problem)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _problem_page(request, problem, {"action": "order"}, status=400, order_form=form)
    messages.success(request, _("已下发%(number)s") % {"number": order.number})
    return redirect("problems:order", pk=order.pk)


def _attach(request, back: str, **owner):
    """Upload one document to a problem, an order or a meeting (the service checks who may)."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件"))
    else:
        _write(request, lambda: services.attachment_add(request.user, upload, **owner),
               _("已上传附件“%(name)s”") % {"name": upload.name})
    return redirect(back)


def _attachment_for_user(user, pk) -> Attachment:
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    if attachment.problem_id:
        selectors.problem_for_user(user, attachment.problem_id)
    elif attachment.order_id:
        selectors.order_for_user(user, attachment.order_id)
    else:
        selectors.meeting_for_user(user, attachment.meeting_id)
    return attachment


@login_required
@require_safe
def attachment_download(request, pk):
    attachment = _attachment_for_user(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attachment.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = _attachment_for_user(request.user, pk)
    back = (reverse("problems:detail", args=[attachment.problem_id]) if attachment.problem_id
            else reverse("problems:order", args=[attachment.order_id]) if attachment.order_id
            else reverse("problems:meeting", args=[attachment.meeting_id]))
    _write(request, lambda: services.attachment_delete(request.user, attachment), _("已删除附件“%(name)s”") % {"name": attachment.name})
    return redirect(back)


# -------------------------------------------------------------------------------------------- orders


@login_required
@require_safe
def order_list(request):
    today = timezone.localdate()
    filterset = selectors.order_filter(request.user, request.GET, today)
    status, q = request.GET.get("status", ""), (request.GET.get("q") or "").strip()[:QUERY_MAX]
    return render(request, "problems/order_list.html", {
        "page": _page(request, filterset.qs.order_by("-year", "-seq")), "today": today, "query": _query(request),
        "statuses": OrderStatus.choices, "status": status, "q": q, "may_supervise": may_supervise(request.user),
        "narrowed": _narrowed(filterset, ("leader", "due_by")),
    })


def _narrowed(filterset, names) -> list[tuple[str, str, str]]:
    """(name, value, "label：words") of the filters among `names` in force that the list's filter bar does
    not offer (a first screen's link: a leader's problems or projects, what falls due by a meeting), so
    the page keeps them in its form and says so."""
    words = dict(filter_terms(filterset))
    found = []
    for name in names:
        label = str(filterset.filters[name].label)
        if words.get(label):
            found.append((name, filterset.data.get(name), f"{label}：{words[label]}"))
    return found


@login_required
def order_new(request, pk):
    project = project_for_user(request.user, pk)
    if not may_supervise(request.user):
        raise PermissionDenied
    initial = {"basis": "warning" if project.light else "project"}
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_issue(request.user, project, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已下发%(number)s") % {"number": order.number})
            return redirect("problems:order", pk=order.pk)
    return render(request, "problems/order_form.html", {"project": project, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_safe
def order_detail(request, pk):
    return _order_page(request, selectors.order_for_user(request.user, pk))


def _order_page(request, order, kept=None, status=200):
    """The order's page; after a refused step, `kept` (see _kept) puts what was typed back in that step's form."""
    today = timezone.localdate()
    return render(request, "problems/order_detail.html", {
        "order": order, "project": order.project, "today": today,
        "events": order.events.select_related("actor", "actor_unit"),
        "attachments": order.attachments.select_related("uploaded_by"),
        "steps": [(step, step.day_of(order))
                  for step in allowed_steps(ORDER_WORKFLOW, order.status, request.user, order) if not step.own_form],
        "can_attach": ORDER_WORKFLOW.allows(OrderAction.ATTACH, order.status, request.user, order),
        "overdue_days": selectors.days_overdue(order.due, today),
        "kept": kept or {},
    }, status=status)


@login_required
@require_POST
def order_step(request, pk, action):
    order = selectors.order_for_user(request.user, pk)
    if action not in ORDER_WORKFLOW.names or ORDER_WORKFLOW.step(action).own_form:
        raise Http404
    step = legal_step(ORDER_WORKFLOW, action, order.status, user=request.user, record=order, error=PermissionDenied)
    kept = _kept(request, action, "text", "day")
    try:
        day = _posted_day(request, "day")
    except BadDate:
        messages.error(request, DATE_FORMAT_ERROR)
        return _order_page(request, order, kept, status=400)
    done = _write(request, lambda: services.order_step(request.user, order, action, version=_int(request.POST.get("version")),
                                                       text=request.POST.get("text", ""), day=day), step.done)
    if not done:
        return _order_page(request, selectors.order_for_user(request.user, pk), kept, status=400)
    return redirect("problems:order", pk=pk)


@login_required
@require_POST
def order_attach(request, pk):
    order = selectors.order_for_user(request.user, pk)
    return _attach(request, reverse("problems:order", args=[pk]), order=order)


@login_required
@require_safe
def order_print(request, pk):
    order = selectors.order_for_user(request.user, pk)
    length = len(order.content) + len(order.plan)
    return render(request, "problems/order_print.html", {
        "order": order, "project": order.project, "issuer_unit": primary_unit(order.issued_by) if order.issued_by else None,
        "size": "small" if length > 900 else "compact" if length > 350 else "",
    })


# ----------------------------------------------------------------------------- meetings, inspections


def _gathering_rows(request, model):
    """The meetings (inspections) of the list's filter, in its order: (the bound FilterSet, the rows)."""
    filterset = (MeetingFilterSet if model is Meeting else InspectionFilterSet)(
        request.GET, queryset=model.objects.visible_to(request.user))
    return filterset, filterset.qs


def _gathering_list(request, model, template):
    today = timezone.localdate()
    _filterset, rows = _gathering_rows(request, model)
    kind = request.GET.get("kind", "")
    related = ("chair",) if model is Meeting else ("leader",)
    return render(request, template, {
        "page": _page(request, rows.select_related(*related)), "kind": kind, "query": _query(request),
        "kinds": model._meta.get_field("kind").choices, "today": today,
        "may_supervise": may_supervise(request.user),
        "cadences": selectors.cadences(request.user, today) if model is Meeting else [],
    })


@login_required
@require_safe
def meeting_list(request):
    return _gathering_list(request, Meeting, "problems/meeting_list.html")


def meetings_export(request):
    """The meetings of the list's filter, each with its decisions and their status now."""
    filterset, meetings = _gathering_rows(request, Meeting)
    return exporting.meeting_decisions_export(request.user, meetings, filter_terms(filterset), timezone.localdate())


def meeting_export(request, pk):
    """One meeting's decisions (交办事项清单) and their status now; a meeting the user does not see is 404."""
    meeting = selectors.meeting_for_user(request.user, pk)
    return exporting.meeting_decisions_export(
        request.user, Meeting.objects.filter(pk=meeting.pk), [], timezone.localdate(),
        name=_("%(meeting)s交办事项") % {"meeting": meeting.title})


@login_required
@require_safe
def inspection_list(request):
    return _gathering_list(request, Inspection, "problems/inspection_list.html")


def _gathering_form(request, model, instance=None):
    if not may_supervise(request.user):
        raise PermissionDenied
    form_class = MeetingForm if model is Meeting else InspectionForm
    name = "meeting" if model is Meeting else "inspection"
    initial = {}
    if instance is not None:
        initial = {f: getattr(instance, f"{f}_id" if f in ("chair", "leader") else f) for f in services.GATHERING_FIELDS[model]}
        initial["projects"] = list(instance.projects.values_list("pk", flat=True))
        initial["version"] = instance.version
    else:
        initial = {"held_on": timezone.localdate()}
        if request.GET.get("kind"):
            initial["kind"] = request.GET.get("kind")
    form = form_class(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.gathering_save(request.user, model, form.cleaned_data, instance=instance,
                                            version=form.cleaned_data.get("version"))
        except ConflictError as exc:
            form.add_error(None, _("该记录%(changed)s，您的修改未保存，请刷新后重新填写") % {"changed": exc.changed})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存“%(title)s”") % {"title": saved.title})
            return redirect(f"problems:{name}", pk=saved.pk)
    return render(request, "problems/gathering_form.html", {"form": form, "instance": instance, "name": name,
                                                            "title": model._meta.verbose_name},
                  status=400 if form.errors else 200)


@login_required
def meeting_new(request):
    return _gathering_form(request, Meeting)


@login_required
def meeting_edit(request, pk):
    return _gathering_form(request, Meeting, selectors.meeting_for_user(request.user, pk))


@login_required
def inspection_new(request):
    return _gathering_form(request, Inspection)


@login_required
def inspection_edit(request, pk):
    return _gathering_form(request, Inspection, selectors.inspection_for_user(request.user, pk))


def _decision_projects(request, source):
    visible = Project.objects.visible_to(request.user).filter(is_archived=False)
    chosen = visible.filter(pk__in=source.projects.values("pk"))
    return chosen if chosen.exists() else visible.order_by("name")


def _gathering_detail(request, source, template=None, decision_form=None, status=200):
    """A meeting's or inspection's page; after a refused decision, `decision_form` (bound) shows it again
    with what was typed kept."""
    template = template or f"problems/{'meeting' if isinstance(source, Meeting) else 'inspection'}_detail.html"
    today = timezone.localdate()
    name = "meeting" if isinstance(source, Meeting) else "inspection"
    problems = selectors.problem_rows(Problem.objects.visible_to(request.user).filter(**{name: source}))
    orders = selectors.order_rows(SupervisionOrder.objects.visible_to(request.user).filter(**{name: source}))
    context = {
        name: source, "source": source, "today": today, "problems": problems, "orders": orders,
        "projects": Project.objects.visible_to(request.user).filter(pk__in=source.projects.values("pk")).order_by("name"),
        "may_supervise": may_supervise(request.user),
        "decision_form": decision_form or (DecisionForm(projects=_decision_projects(request, source))
                                           if may_supervise(request.user) else None),
    }
    if isinstance(source, Meeting):
        context["attachments"] = source.attachments.select_related("uploaded_by")
    else:
        visible = Project.objects.visible_to(request.user).values("pk")
        context["photos"] = source.photos.filter(Q(project__isnull=True) | Q(project__in=visible)).select_related("project")
    return render(request, template, context, status=status)


@login_required
@require_safe
def meeting_detail(request, pk):
    return _gathering_detail(request, selectors.meeting_for_user(request.user, pk), "problems/meeting_detail.html")


@login_required
@require_safe
def inspection_detail(request, pk):
    return _gathering_detail(request, selectors.inspection_for_user(request.user, pk), "problems/inspection_detail.html")


def _decide(request, source):
    name = "meeting" if isinstance(source, Meeting) else "inspection"
    if not may_supervise(request.user):
        raise PermissionDenied
    form = DecisionForm(request.POST, projects=_decision_projects(request, source))
    # A refused decision shows this meeting (inspection) again with what was typed kept in its form.
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _gathering_detail(request, source, decision_form=form, status=400)
    kind = form.cleaned_data["kind"]
    try:
        made = services.decision_add(request.user, source, kind, form.cleaned_data["project"], form.service_data())
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _gathering_detail(request, source, decision_form=form, status=400)
    if kind == "problem":
        messages.success(request, _("已列入问题清单：%(project)s") % {"project": made.project.name})
    else:
        messages.success(request, _("已下发%(number)s") % {"number": made.number})
    return redirect(reverse(f"problems:{name}", args=[source.pk]) + "#decisions")


@login_required
@require_POST
def meeting_decide(request, pk):
    return _decide(request, selectors.meeting_for_user(request.user, pk))


@login_required
@require_POST
def inspection_decide(request, pk):
    return _decide(request, selectors.inspection_for_user(request.user, pk))


@login_required
@require_POST
def meeting_attach(request, pk):
    meeting = selectors.meeting_for_user(request.user, pk)
    if not may_supervise(request.user):
        raise PermissionDenied
    return _attach(request, reverse("problems:meeting", args=[pk]), meeting=meeting)


@login_required
@require_POST
def inspection_photo_add(request, pk):
    inspection = selectors.inspection_for_user(request.user, pk)
    if not may_supervise(request.user):
        raise PermissionDenied
    upload = request.FILES.get("photo")
    project = None
    if _int(request.POST.get("project")):
        project = Project.objects.visible_to(request.user).filter(pk=_int(request.POST.get("project"))).first()
        if project is None:
            messages.error(request, _("所选项目不存在或无权查看"))
            return redirect("problems:inspection", pk=pk)
    if upload is None:
        messages.error(request, _("请选择要上传的照片"))
    else:
        _write(request, lambda: services.inspection_photo_add(request.user, inspection, upload, project=project,
                                                              caption=request.POST.get("caption", "")),
               _("已上传照片"))
    return redirect(reverse("problems:inspection", args=[pk]) + "#photos")


@login_required
@require_safe
def inspection_photo(request, pk):
    photo = InspectionPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404
    selectors.inspection_for_user(request.user, photo.inspection_id)
    if photo.project_id and not Project.objects.visible_to(request.user).filter(pk=photo.project_id).exists():
        raise Http404  # a joint inspection's photo of another district's project
    return photo_response(photo.file, photo.content_type)
