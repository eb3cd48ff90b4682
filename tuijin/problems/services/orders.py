"""Supervision orders (督办单): issued with a number per year, answered by the unit, verified by the issuer."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.history import stamp
from tuijin.core.versioning import claim
from tuijin.org.selectors import may_supervise
from tuijin.projects.choices import Light
from tuijin.projects.models import Project

from .. import selectors
from ..choices import ACTIVE_PROBLEM_STATES, OrderAction, OrderBasis
from ..models import SupervisionOrder
from ..workflow import ORDER_WORKFLOW
from .common import TEXT_LIMIT, _begin_step, _changed, _check_day, _event, _locked_order, _tell, _unit_users


def _next_seq(year: int) -> int:
    return (SupervisionOrder.objects.filter(year=year).aggregate(m=Max("seq"))["m"] or 0) + 1


def order_issue(user, project: Project, data: dict, *, problem=None, meeting=None, inspection=None) -> SupervisionOrder:
    """Issue 督办〔year〕N号 to a unit: numbered in the order issued, without gaps taken twice (a clash
    between two issuers at the same moment is retried with the next number)."""
    for attempt in range(5):
        try:
            return _order_issue(user, project, data, problem=problem, meeting=meeting, inspection=inspection)
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError


@transaction.atomic
def _order_issue(user, project, data, *, problem, meeting, inspection) -> SupervisionOrder:
    if not Project.objects.visible_to(user).filter(pk=project.pk).exists():
        raise selectors.not_found(Project)
    if not may_supervise(user):
        raise PermissionDenied
    project = Project.objects.get(pk=project.pk)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    unit = data.get("unit")
    if unit is None:
        errors["unit"] = [_("请选择承办单位")]
    elif not unit.is_active:
        errors["unit"] = [_("承办单位“%(name)s”已停用") % {"name": unit.name}]
    content = (data.get("content") or "").strip()
    if not content:
        errors["content"] = [_("请填写督办内容")]
    elif len(content) > TEXT_LIMIT:
        errors["content"] = [_("督办内容过长（不超过%(n)s字）") % {"n": TEXT_LIMIT}]
    reply_by, rectify_by = data.get("reply_by"), data.get("rectify_by")
    if reply_by is None:
        errors["reply_by"] = [_("请填写回复时限")]
    _check_day(reply_by, _("回复时限"), "reply_by", errors, not_before=today, before_label=_("今天"))
    _check_day(rectify_by, _("整改时限"), "rectify_by", errors, not_before=reply_by or today, before_label=_("回复时限"))
    basis = data.get("basis") or (OrderBasis.PROBLEM if problem else OrderBasis.PROJECT)
    if basis not in OrderBasis.values:
        errors["basis"] = [_("请选择督办事由")]
    if problem is not None and problem.project_id != project.pk:
        errors["problem"] = [_("督办的问题不属于该项目")]
    if problem is not None and problem.status not in ACTIVE_PROBLEM_STATES:
        errors["problem"] = [_("问题已%(state)s，不能再督办") % {"state": problem.get_status_display()}]
    if basis == OrderBasis.PROBLEM and problem is None:
        errors.setdefault("basis", []).append(_("按问题督办时请从问题页面下发"))
    warning = ""
    if basis == OrderBasis.WARNING:
        if project.light == Light.GREEN:
            errors.setdefault("basis", []).append(_("该项目当前没有红灯或黄灯预警"))
        warning = f"{project.get_light_display()}：{project.light_reason}"[:300]
    if errors:
        raise ValidationError(errors)
    order = SupervisionOrder(year=today.year, seq=_next_seq(today.year), project=project, basis=basis, problem=problem,
                             warning=warning, meeting=meeting, inspection=inspection, unit=unit, content=content,
                             reply_by=reply_by, rectify_by=rectify_by, issued_by=user if getattr(user, "pk", None) else None,
                             issued_on=today, version=1)
    with transaction.atomic():
        stamp(order, user, _("下发督办单")).save()
    _event(user, OrderAction.ISSUE, order=order, text=content, status_after=order.status, deadline_after=reply_by, unit=unit)
    _tell(_unit_users([unit.pk]), user, _("%(number)s：请于%(d)s前回复整改方案（%(project)s）")
          % {"number": order.number, "d": reply_by, "project": project.name}, reverse("problems:order", args=[order.pk]))
    _changed([project.pk], user)
    return order


@transaction.atomic
def order_step(user, order: SupervisionOrder, action: str, *, version, text: str = "", day: date | None = None) -> SupervisionOrder:
    """One step on an order (see the table in problems/workflow.py): the state it leads to, and what else it
    changes and whom it tells."""
    order = _locked_order(user, order.pk)
    step, text, change = _begin_step(ORDER_WORKFLOW, user, order, action, text)
    today = timezone.localdate()
    before_status, before_due = order.status, order.due
    url = reverse("problems:order", args=[order.pk])
    notice = None
    if action == OrderAction.REPLY:
        errors: dict = {}
        if day is None and order.rectify_by is None:  # else 整改中 could never fall overdue
            errors["day"] = [_("请填写%(label)s") % {"label": step.day_label}]
        _check_day(day, _("整改时限"), "day", errors, not_before=today, before_label=_("今天"))
        if errors:
            raise ValidationError(errors)
        change.update(plan=text, replied_on=today, rectify_by=day or order.rectify_by)
        users = [order.issued_by] if order.issued_by_id else []
        notice = (users, _("%(number)s已回复整改方案，请审核跟踪") % {"number": order.number})
    elif action == OrderAction.RETURN:
        errors = {}
        if day is None:
            errors["day"] = [_("请填写%(label)s") % {"label": step.day_label}]
        _check_day(day, step.day_label, "day", errors, not_before=today, before_label=_("今天"))
        if errors:
            raise ValidationError(errors)
        change["reply_by"] = day
        notice = (_unit_users([order.unit_id]), _("%(number)s的整改方案被退回，请于%(d)s前重新回复：%(why)s")
                  % {"number": order.number, "d": day, "why": text[:60]})
    elif action == OrderAction.CLOSE:
        change["closed_on"] = today
        notice = (_unit_users([order.unit_id]), _("%(number)s已核实办结") % {"number": order.number})
    claim(order, version)
    for field, value in change.items():
        setattr(order, field, value)
    stamp(order, user, str(step.label)).save()
    _event(user, action, order=order, text=text, status_before=before_status, status_after=order.status,
           deadline_before=before_due, deadline_after=order.due)
    if notice and notice[0]:
        _tell(notice[0], user, notice[1], url)
    _changed([order.project_id], user)
    return order
