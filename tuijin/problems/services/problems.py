"""Problems: raising one, 交办 (assign), and the steps of its workflow (problems/workflow.py says who may take
which, from which status and to which)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.history import stamp
from tuijin.core.versioning import claim
from tuijin.core.workflow import legal_step
from tuijin.org.models import Leader
from tuijin.projects.choices import LeaderRole
from tuijin.projects.models import Project, ProjectLeader

from .. import selectors
from ..choices import Ladder, ProblemAction, Source
from ..models import Problem
from ..workflow import PROBLEM_WORKFLOW, may_raise
from .common import (
    TEXT_LIMIT,
    _begin_step,
    _changed,
    _check_day,
    _event,
    _locked_problem,
    _office_users,
    _tell,
    _unit_users,
)


def _validate_problem(data: dict, raised_on: date) -> dict:
    errors: dict[str, list[str]] = {}
    kind = data.get("type")
    if kind is None or not getattr(kind, "is_active", False):
        errors["type"] = [_("请选择问题类型")]
    description = (data.get("description") or "").strip()
    if not description:
        errors["description"] = [_("请填写问题描述")]
    elif len(description) > TEXT_LIMIT:
        errors["description"] = [_("问题描述过长（不超过%(n)s字）") % {"n": TEXT_LIMIT}]
    unit = data.get("handling_unit")
    if unit is not None and not unit.is_active:
        errors["handling_unit"] = [_("责任单位“%(name)s”已停用") % {"name": unit.name}]
    cooperating = list(data.get("cooperating_units") or [])
    if unit is not None and any(u.pk == unit.pk for u in cooperating):
        errors.setdefault("cooperating_units", []).append(_("配合单位不能与责任单位相同"))
    _check_day(data.get("deadline"), _("解决时限"), "deadline", errors, not_before=raised_on, before_label=_("提出日期"))
    if errors:
        raise ValidationError(errors)
    return {"type": kind, "description": description, "handling_unit": unit, "deadline": data.get("deadline"),
            "cooperating_units": cooperating}


@transaction.atomic
def problem_raise(user, project: Project, data: dict, *, source: str = Source.PATROL, report=None, meeting=None,
                  inspection=None, raised_on: date | None = None) -> Problem:
    """A new problem on a project (待受理). Handing it to a unit with a deadline at once is 交办 too."""
    if not may_raise(user, project):
        if Project.objects.visible_to(user).filter(pk=project.pk).exists():
            raise PermissionDenied
        raise selectors.not_found(Project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.is_archived:
        raise ValidationError(_("已归档的项目不能再提出问题"))
    if source not in Source.values:
        raise ValidationError({"source": [_("请选择问题来源")]})
    raised_on = raised_on or timezone.localdate()
    values = _validate_problem(data, raised_on)
    cooperating = values.pop("cooperating_units")
    problem = Problem(project=project, source=source, report=report, meeting=meeting, inspection=inspection,
                      raised_by=user if getattr(user, "pk", None) else None, raised_on=raised_on, version=1, **values)
    stamp(problem, user, _("提出问题")).save()
    problem.cooperating_units.set(cooperating)
    _event(user, ProblemAction.RAISE, problem=problem, text=problem.description, status_after=problem.status,
           level_after=problem.level, deadline_after=problem.deadline, unit=problem.handling_unit)
    if problem.handling_unit_id:
        _tell_assigned(problem, cooperating, user)
    _changed([project.pk], user)
    return problem


def _tell_assigned(problem: Problem, cooperating, actor=None) -> None:
    url = reverse("problems:detail", args=[problem.pk])
    deadline = _("，请于%(d)s前解决") % {"d": problem.deadline} if problem.deadline else ""
    _tell(_unit_users([problem.handling_unit_id]), actor,
          _("交办问题：“%(project)s”%(text)s%(deadline)s") % {"project": problem.project.name, "text": problem.description[:60], "deadline": deadline}, url)
    if cooperating:
        _tell(_unit_users([u.pk for u in cooperating]), actor,
              _("请配合办理问题：“%(project)s”%(text)s") % {"project": problem.project.name, "text": problem.description[:60]}, url)


@transaction.atomic
def problem_assign(user, problem: Problem, data: dict, *, version) -> Problem:
    """交办 / correct a problem: type, description, handling and cooperating units, deadline (office)."""
    problem = _locked_problem(user, problem.pk)
    legal_step(PROBLEM_WORKFLOW, ProblemAction.ASSIGN, problem.status, user=user, record=problem, error=PermissionDenied)
    values = _validate_problem(data, problem.raised_on)
    cooperating = values.pop("cooperating_units")
    old_coop = set(problem.cooperating_units.values_list("pk", flat=True))
    before = {name: getattr(problem, name) for name in values}
    changed = [name for name, value in values.items() if before[name] != value]
    if not changed and old_coop == {u.pk for u in cooperating}:
        raise ValidationError(_("没有修改任何内容"))
    claim(problem, version)
    for name, value in values.items():
        setattr(problem, name, value)
    stamp(problem, user, _("交办")).save()
    problem.cooperating_units.set(cooperating)
    lines = []
    if "handling_unit" in changed:
        lines.append(_("责任单位：%(u)s") % {"u": problem.handling_unit or "—"})
    if {u.pk for u in cooperating} != old_coop:
        lines.append(_("配合单位：%(u)s") % {"u": "、".join(u.name for u in cooperating) or "—"})
    if "type" in changed:
        lines.append(_("问题类型：%(t)s") % {"t": problem.type})
    if "description" in changed:
        lines.append(_("问题描述已修改"))
    _event(user, ProblemAction.ASSIGN, problem=problem, text="；".join(lines), deadline_before=before["deadline"],
           deadline_after=problem.deadline, unit=problem.handling_unit)
    if problem.handling_unit_id and ("handling_unit" in changed or "deadline" in changed):
        _tell_assigned(problem, [u for u in cooperating if u.pk not in old_coop], user)
    _changed([problem.project_id], user)
    return problem


def contracted_leader(project: Project) -> Leader | None:
    """The project's contracted (分包) leader, else its first linked leader: whom 提级 to the leader
    level goes to unless the office names another."""
    links = list(ProjectLeader.objects.filter(project=project, leader__is_active=True).select_related("leader").order_by("id"))
    contracted = [link for link in links if link.role == LeaderRole.CONTRACTED]
    chosen = (contracted or links or [None])[0]
    return chosen.leader if chosen else None


@transaction.atomic
def problem_step(user, problem: Problem, action: str, *, version, text: str = "", deadline: date | None = None,
                 level: int | None = None, leader: Leader | None = None) -> Problem:
    """One workflow step on a problem (see the table in problems/workflow.py): the state it leads to, and
    what else it changes and whom it tells."""
    problem = _locked_problem(user, problem.pk)
    step, text, change = _begin_step(PROBLEM_WORKFLOW, user, problem, action, text)
    today = timezone.localdate()
    before_status, before_level, before_deadline = problem.status, problem.level, problem.deadline
    notice = None  # (users, text)
    url = reverse("problems:detail", args=[problem.pk])
    name = problem.project.name
    if action == ProblemAction.EXTEND:
        errors: dict = {}
        if deadline is None:
            errors["deadline"] = [_("请填写%(label)s") % {"label": step.day_label}]
        _check_day(deadline, step.day_label, "deadline", errors, not_before=max(today, problem.deadline or today), before_label=_("今天和原时限"))
        if not errors and problem.deadline and deadline == problem.deadline:
            errors["deadline"] = [_("新的解决时限与原时限相同")]
        if errors:
            raise ValidationError(errors)
        change["deadline"] = deadline
        notice = (_unit_users([problem.handling_unit_id]) if problem.handling_unit_id else [],
                  _("问题“%(project)s”的解决时限延至%(d)s：%(why)s") % {"project": name, "d": deadline, "why": text[:60]})
    elif action == ProblemAction.ESCALATE:
        if level is None or level not in Ladder.values or level <= problem.level:
            raise ValidationError({"level": [_("请选择高于当前层级（%(now)s）的协调层级") % {"now": problem.get_level_display()}]})
        change["level"] = level
        if level >= Ladder.LEADER:
            leader = leader or problem.coordinating_leader or contracted_leader(problem.project)
            if leader is None:
                raise ValidationError({"leader": [_("该项目没有分包（联系）领导，请选择协调领导")]})
            if not leader.is_active:
                raise ValidationError({"leader": [_("领导“%(name)s”已不在任") % {"name": leader.name}]})
            change["coordinating_leader"] = leader
            if leader.user_id:
                notice = ([leader.user], _("提请协调：“%(project)s”%(text)s（%(level)s）")
                          % {"project": name, "text": problem.description[:60], "level": Ladder(level).label})
        else:
            # 县区/部门 coordination is the office's to arrange: the dispatchers over the project are told.
            notice = (list(_office_users(problem.project)), _("问题提级至%(level)s：“%(project)s”%(text)s")
                      % {"level": Ladder(level).label, "project": name, "text": problem.description[:60]})
    elif action == ProblemAction.INSTRUCT:
        users = list(_unit_users([problem.handling_unit_id])) if problem.handling_unit_id else []
        notice = (users + list(_office_users(problem.project)), _("领导批示（%(project)s）：%(text)s") % {"project": name, "text": text[:80]})
    elif action == ProblemAction.RESOLVE:
        change["resolution"] = text
        users = list(_office_users(problem.project)) + ([problem.raised_by] if problem.raised_by_id else [])
        notice = (users, _("问题已解决，请核实销号：“%(project)s”%(text)s") % {"project": name, "text": problem.description[:60]})
    elif action == ProblemAction.CLOSE:
        change.update(closed_on=today, days_to_close=max(0, (today - problem.raised_on).days))
        users = list(_unit_users([problem.handling_unit_id])) if problem.handling_unit_id else []
        notice = (users + ([problem.raised_by] if problem.raised_by_id else []),
                  _("问题已销号：“%(project)s”%(text)s") % {"project": name, "text": problem.description[:60]})
    elif action == ProblemAction.RETURN:
        notice = (_unit_users([problem.handling_unit_id]) if problem.handling_unit_id else [],
                  _("问题核实未通过，退回继续办理：“%(project)s”%(why)s") % {"project": name, "why": text[:60]})
    elif action == ProblemAction.UNSOLVABLE:
        change.update(closed_on=today, days_to_close=None)
    elif action == ProblemAction.REOPEN:
        change.update(closed_on=None, days_to_close=None)
        if problem.deadline and problem.deadline < today and deadline is None:
            raise ValidationError({"deadline": [_("原解决时限已过，请填写新的解决时限")]})
        if deadline is not None:
            errors = {}
            _check_day(deadline, step.day_label, "deadline", errors, not_before=today, before_label=_("今天"))
            if errors:
                raise ValidationError(errors)
            change["deadline"] = deadline
    claim(problem, version)
    for field, value in change.items():
        setattr(problem, field, value)
    stamp(problem, user, str(step.label)).save()
    _event(user, action, problem=problem, text=text, status_before=before_status, status_after=problem.status,
           level_before=before_level, level_after=problem.level, deadline_before=before_deadline,
           deadline_after=problem.deadline, leader=problem.coordinating_leader if action == ProblemAction.ESCALATE else None)
    if notice and notice[0]:
        _tell(notice[0], user, notice[1], url)
    _changed([problem.project_id], user)
    return problem
