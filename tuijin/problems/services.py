"""Every write of problems, supervision orders, meetings and inspections.

Each write checks that the user may see the record (else NotFound, the site's 404) and may take the step (else 403),
validates with Chinese messages and writes nothing on error, compares versions so a stale page never
overwrites a newer step, keeps history (simple-history, who and why) plus the record's timeline
(Event), tells the people concerned (tuijin.core.notify) and tells the warning engine (PROBLEM_CHANGED).

Who may take which step (the workflow rules; docs/architecture.md, Problems):

| step | problem status | who |
|---|---|---|
| raise | — | editors of the project; inspectors and leaders who see it |
| assign (交办: type, units, deadline) | 待受理/办理中 | the office |
| accept (受理) | 待受理, unit and deadline set | the handling unit, the office |
| reply (办理回复) | 待受理/办理中 | the handling and cooperating units, the office |
| extend (延期, with a reason) | 待受理/办理中 | the office, the coordinating leader |
| escalate (提级) | 待受理/办理中, below the committee | the office, the handling unit, the coordinating leader |
| instruct (批示) | not finished | leaders who see it |
| resolve (办结申请) | 办理中 | the handling unit, the office |
| close (核实销号) / return (退回) | 已解决待销号 | the office, inspectors |
| unsolvable (无法解决) | not finished | the office |
| reopen | 已销号/无法解决 | the office |
"""

import re
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core import events
from tuijin.core.bulk import add_objects, create_history, create_objects
from tuijin.core.fields import TEXT_MAX, text_too_long
from tuijin.core.history import stamp
from tuijin.core.notify import notify
from tuijin.core.versioning import claim
from tuijin.org.choices import Role
from tuijin.org.models import Leader, Membership
from tuijin.org.selectors import (
    EDITOR_ROLES,
    OFFICE_ROLES,
    SUPERVISOR_ROLES,
    may_supervise,
    primary_unit,
    user_access,
)
from tuijin.projects.choices import LeaderRole, Light
from tuijin.projects.models import Project, ProjectLeader
from tuijin.reports.choices import HANDED_IN_STATES
from tuijin.reports.models import ProgressReport

from . import selectors
from .choices import (
    ACTIVE_PROBLEM_STATES,
    OPEN_PROBLEM_STATES,
    InspectionKind,
    Ladder,
    MeetingKind,
    OrderAction,
    OrderBasis,
    OrderStatus,
    ProblemAction,
    ProblemStatus,
    Source,
)
from .models import (
    Attachment,
    Event,
    Inspection,
    InspectionPhoto,
    Meeting,
    Problem,
    ProblemType,
    SupervisionOrder,
)

PROBLEM_CHANGED = "problem.changed"  # payload: project_ids, user
TEXT_LIMIT = TEXT_MAX  # core.fields: the models' limit on free text
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
# “无”, “暂无问题和困难”, “目前没有困难”, “/”…: the clerk says there is nothing (the box is titled 存在问题及困难,
# so “无问题及困难” is as common as “无”); anything else, “无法开工” or “没有资金” included, is a problem.
NOTHING = re.compile(r"^[\s。．.、,，;；:：/\\\-—_（）()]*"
                     r"((目前|当前|现|暂时?)?(无|没有|暂无|未发现)(明显)?(问题|困难)?([和及与、]?(问题|困难))?|正常|/)?"
                     r"[\s。．.、,，;；）)]*$")


def _changed(project_ids, user) -> None:
    ids = sorted(set(project_ids))
    transaction.on_commit(lambda: events.emit(PROBLEM_CHANGED, project_ids=ids, user=user))


def _text(value, label: str, *, required: bool = True, field: str = "text") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("请填写%(label)s") % {"label": label}]})
    if len(value) > TEXT_LIMIT:
        raise ValidationError({field: [_("%(label)s过长（不超过%(n)s字）") % {"label": label, "n": TEXT_LIMIT}]})
    return value


def _check_day(value, label: str, field: str, errors: dict, *, not_before: date | None = None, before_label: str = "") -> None:
    if value is None:
        return
    if not EARLIEST <= value <= LATEST:
        errors.setdefault(field, []).append(_("%(label)s应在2000年至2100年之间") % {"label": label})
    elif not_before is not None and value < not_before:
        errors.setdefault(field, []).append(_("%(label)s不能早于%(other)s（%(day)s）") % {"label": label, "other": before_label, "day": not_before})


def _unit_users(unit_ids):
    """The people who act for these units (active memberships, any role but leader)."""
    return (get_user_model().objects.filter(memberships__unit_id__in=list(unit_ids), memberships__is_active=True, is_active=True)
            .exclude(memberships__role=Role.LEADER).distinct())


def _office_users(project: Project):
    """The dispatchers whose region contains the project's (a district office is not told about the
    city's other districts)."""
    path = project.region.path
    rows = Membership.objects.filter(role=Role.DISPATCHER, is_active=True, user__is_active=True).select_related("user", "unit__region")
    return [m.user for m in rows if path.startswith(m.unit.region.path)]


def _tell(users, actor, text: str, url: str) -> None:
    """Notify everyone concerned but the person who acted."""
    actor_id = getattr(actor, "pk", None)
    notify([u for u in users if u is not None and u.pk != actor_id], text, url)


def _event(user, action, *, problem=None, order=None, text="", at=None, **changes) -> Event:
    return Event.objects.create(problem=problem, order=order, action=action, actor=user if getattr(user, "pk", None) else None,
                                actor_unit=primary_unit(user) if getattr(user, "pk", None) else None,
                                at=at or timezone.now(), text=text, **changes)


# --------------------------------------------------------------------------------- who may do what


def _in_units(user, *unit_ids) -> bool:
    mine = set(selectors.unit_ids(user))
    return any(u in mine for u in unit_ids if u)


def _is_leader_of(user, problem) -> bool:
    leader = selectors.leader_of(user)
    return leader is not None and problem.coordinating_leader_id == leader.pk


def can(user, problem: Problem, action: str) -> bool:
    """Whether the user may take `action` on the problem now (its status and their place)."""
    access = user_access(user)
    office = access.is_superuser or access.has_role(*OFFICE_ROLES)
    status = problem.status
    handler = _in_units(user, problem.handling_unit_id)
    if action == ProblemAction.ASSIGN:
        return office and status in OPEN_PROBLEM_STATES
    if action == ProblemAction.ACCEPT:  # only once handed to a unit with a deadline (交办 first)
        return ((office or handler) and status == ProblemStatus.PENDING and bool(problem.handling_unit_id)
                and problem.deadline is not None)
    if action == ProblemAction.REPLY:
        cooperating = _in_units(user, *problem.cooperating_units.values_list("pk", flat=True))
        return (office or handler or cooperating) and status in OPEN_PROBLEM_STATES
    if action == ProblemAction.EXTEND:
        return (office or _is_leader_of(user, problem)) and status in OPEN_PROBLEM_STATES
    if action == ProblemAction.ESCALATE:
        return ((office or handler or _is_leader_of(user, problem)) and status in OPEN_PROBLEM_STATES
                and problem.level < Ladder.COMMITTEE)
    if action == ProblemAction.INSTRUCT:
        return (access.has_role(Role.LEADER) or _is_leader_of(user, problem)) and status in ACTIVE_PROBLEM_STATES
    if action == ProblemAction.RESOLVE:
        return (office or handler) and status == ProblemStatus.HANDLING
    if action in (ProblemAction.CLOSE, ProblemAction.RETURN):
        return (office or access.has_role(Role.INSPECTOR)) and status == ProblemStatus.RESOLVED
    if action == ProblemAction.UNSOLVABLE:
        return office and status in ACTIVE_PROBLEM_STATES
    if action == ProblemAction.REOPEN:
        return office and status in (ProblemStatus.CLOSED, ProblemStatus.UNSOLVABLE)
    if action == ProblemAction.ATTACH:
        if status in (ProblemStatus.CLOSED, ProblemStatus.UNSOLVABLE):
            return False
        return office or handler or problem.raised_by_id == getattr(user, "pk", None) or access.has_role(Role.INSPECTOR)
    return False


def may_raise(user, project: Project) -> bool:
    access = user_access(user)
    if access.is_superuser:
        return True
    if access.has_role(*EDITOR_ROLES) and Project.objects.editable_by(user).filter(pk=project.pk).exists():
        return True
    return (access.has_role(Role.INSPECTOR, Role.LEADER)
            and Project.objects.visible_to(user).filter(pk=project.pk).exists())


def order_can(user, order: SupervisionOrder, action: str) -> bool:
    access = user_access(user)
    unit = access.is_superuser or _in_units(user, order.unit_id)
    verifier = (access.is_superuser or access.has_role(*SUPERVISOR_ROLES)
                or order.issued_by_id == getattr(user, "pk", None))
    if action == OrderAction.REPLY:
        return unit and order.status == OrderStatus.ISSUED
    if action == OrderAction.PROGRESS:
        return unit and order.status == OrderStatus.RECTIFYING
    if action in (OrderAction.RETURN, OrderAction.CLOSE):
        return verifier and order.status == OrderStatus.RECTIFYING
    return False


def _locked_problem(user, problem_id) -> Problem:
    return selectors.get_visible(Problem.objects.visible_to(user).select_for_update(of=("self",)), problem_id)


def _locked_order(user, order_id) -> SupervisionOrder:
    return selectors.get_visible(SupervisionOrder.objects.visible_to(user).select_for_update(of=("self",)), order_id)


# ---------------------------------------------------------------------------------------- problems


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
    if not can(user, problem, ProblemAction.ASSIGN):
        raise PermissionDenied
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


STEPS = frozenset({ProblemAction.ACCEPT, ProblemAction.REPLY, ProblemAction.EXTEND, ProblemAction.ESCALATE,
                   ProblemAction.INSTRUCT, ProblemAction.RESOLVE, ProblemAction.CLOSE, ProblemAction.RETURN,
                   ProblemAction.UNSOLVABLE, ProblemAction.REOPEN})


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
    """One workflow step on a problem (see the table in the module docstring)."""
    problem = _locked_problem(user, problem.pk)
    if action not in STEPS:
        raise ValidationError(_("未知的操作"))
    if not can(user, problem, action):
        raise PermissionDenied
    today = timezone.localdate()
    before_status, before_level, before_deadline = problem.status, problem.level, problem.deadline
    change: dict = {}
    notice = None  # (users, text)
    url = reverse("problems:detail", args=[problem.pk])
    name = problem.project.name
    if action == ProblemAction.ACCEPT:  # can() asked for a unit and a deadline (交办 comes first)
        text = _text(text, _("受理意见"), required=False)
        change["status"] = ProblemStatus.HANDLING
    elif action == ProblemAction.REPLY:
        text = _text(text, _("办理情况"))
    elif action == ProblemAction.EXTEND:
        text = _text(text, _("延期理由"))
        errors: dict = {}
        if deadline is None:
            errors["deadline"] = [_("请填写新的解决时限")]
        _check_day(deadline, _("新的解决时限"), "deadline", errors, not_before=max(today, problem.deadline or today), before_label=_("今天和原时限"))
        if not errors and problem.deadline and deadline == problem.deadline:
            errors["deadline"] = [_("新的解决时限与原时限相同")]
        if errors:
            raise ValidationError(errors)
        change["deadline"] = deadline
        notice = (_unit_users([problem.handling_unit_id]) if problem.handling_unit_id else [],
                  _("问题“%(project)s”的解决时限延至%(d)s：%(why)s") % {"project": name, "d": deadline, "why": text[:60]})
    elif action == ProblemAction.ESCALATE:
        text = _text(text, _("提级理由"))
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
    elif action == ProblemAction.INSTRUCT:
        text = _text(text, _("批示内容"))
        users = list(_unit_users([problem.handling_unit_id])) if problem.handling_unit_id else []
        notice = (users + list(_office_users(problem.project)), _("领导批示（%(project)s）：%(text)s") % {"project": name, "text": text[:80]})
    elif action == ProblemAction.RESOLVE:
        text = _text(text, _("解决情况"))
        change["status"], change["resolution"] = ProblemStatus.RESOLVED, text
        users = list(_office_users(problem.project)) + ([problem.raised_by] if problem.raised_by_id else [])
        notice = (users, _("问题已解决，请核实销号：“%(project)s”%(text)s") % {"project": name, "text": problem.description[:60]})
    elif action == ProblemAction.CLOSE:
        text = _text(text, _("核实意见"), required=False)
        change.update(status=ProblemStatus.CLOSED, closed_on=today, days_to_close=max(0, (today - problem.raised_on).days))
        users = list(_unit_users([problem.handling_unit_id])) if problem.handling_unit_id else []
        notice = (users + ([problem.raised_by] if problem.raised_by_id else []),
                  _("问题已销号：“%(project)s”%(text)s") % {"project": name, "text": problem.description[:60]})
    elif action == ProblemAction.RETURN:
        text = _text(text, _("退回理由"))
        change["status"] = ProblemStatus.HANDLING
        notice = (_unit_users([problem.handling_unit_id]) if problem.handling_unit_id else [],
                  _("问题核实未通过，退回继续办理：“%(project)s”%(why)s") % {"project": name, "why": text[:60]})
    elif action == ProblemAction.UNSOLVABLE:
        text = _text(text, _("无法解决的原因"))
        change.update(status=ProblemStatus.UNSOLVABLE, closed_on=today, days_to_close=None)
    elif action == ProblemAction.REOPEN:
        text = _text(text, _("重新打开的理由"))
        change.update(status=ProblemStatus.HANDLING, closed_on=None, days_to_close=None)
        if problem.deadline and problem.deadline < today and deadline is None:
            raise ValidationError({"deadline": [_("原解决时限已过，请填写新的解决时限")]})
        if deadline is not None:
            errors = {}
            _check_day(deadline, _("新的解决时限"), "deadline", errors, not_before=today, before_label=_("今天"))
            if errors:
                raise ValidationError(errors)
            change["deadline"] = deadline
    claim(problem, version)
    for field, value in change.items():
        setattr(problem, field, value)
    stamp(problem, user, str(ProblemAction(action).label)).save()
    _event(user, action, problem=problem, text=text, status_before=before_status, status_after=problem.status,
           level_before=before_level, level_after=problem.level, deadline_before=before_deadline,
           deadline_after=problem.deadline, leader=problem.coordinating_leader if action == ProblemAction.ESCALATE else None)
    if notice and notice[0]:
        _tell(notice[0], user, notice[1], url)
    _changed([problem.project_id], user)
    return problem


# ------------------------------------------------------------------------ problems from month reports

KEYWORDS = [
    ("征地拆迁/民事纠纷", ("征地", "拆迁", "征迁", "民事", "纠纷", "阻工", "补偿", "青苗")),
    ("用地", ("用地", "土地", "供地", "指标", "林地", "耕地", "占补")),
    ("资金", ("资金", "融资", "贷款", "拨付", "缺口", "到位", "专项债")),
    ("前期手续/审批", ("手续", "审批", "批复", "许可", "立项", "核准", "备案", "可研", "施工许可", "审查")),
    ("环保/能耗", ("环评", "环保", "能耗", "能评", "排放", "扬尘")),
    ("管线迁改", ("管线", "迁改", "杆线", "迁移")),
    ("配套(水电气暖路)", ("供水", "供电", "用电", "燃气", "供暖", "道路", "配套", "电力", "接入")),
    ("规划", ("规划", "选址", "红线", "调规")),
    ("施工组织/安全", ("施工", "安全", "工期", "人员", "机械", "雨季", "冬季")),
    ("政策", ("政策", "补贴", "优惠", "税")),
]


def guess_type(text: str, types: dict | None = None) -> ProblemType | None:
    """The problem type a report's words suggest (资金、用地…), or 其他; the office corrects it."""
    if types is None:
        types = {t.name: t for t in ProblemType.objects.filter(is_active=True)}
    for name, words in KEYWORDS:
        if name in types and any(w in text for w in words):
            return types[name]
    return types.get("其他") or next(iter(types.values()), None)


def says_nothing(text: str) -> bool:
    """“无”, “暂无问题”, “/”: a report with nothing to raise."""
    return bool(NOTHING.match(text or ""))


REPORT_CHUNK = 5000  # project ids per query (SQLite's bound-variable limit; alerts refresh in the same parts)


def problems_from_reports(period_id: int, project_ids) -> list[Problem]:
    """Each handed-in report of the period whose 存在问题及困难 says something becomes a problem (来源:
    月报), once; the same words again in a later month add a note to the open problem instead of a
    second one; a report handed in again with other words updates its problem while nobody has accepted
    it yet. Raised in the name of the person who handed the report in. A few queries per 5,000 reports
    (a whole import), so a grid's hand-in stays fast."""
    ids = sorted(set(project_ids))
    made = []
    for start in range(0, len(ids), REPORT_CHUNK):
        chunk = ids[start:start + REPORT_CHUNK]
        # Most hand-ins say nothing under 存在问题及困难: a read first, so that they take no write
        # transaction (on SQLite the database's one write lock, which the deadline's submits queue for).
        if not ProgressReport.objects.filter(period_id=period_id, project_id__in=chunk, state__in=HANDED_IN_STATES,
                                             project__is_archived=False).exclude(problems="").exists():
            continue
        made += _problems_from_reports(period_id, chunk)
    return made


@transaction.atomic
def _problems_from_reports(period_id: int, project_ids: list[int]) -> list[Problem]:
    reports = [r for r in ProgressReport.objects.filter(period_id=period_id, project_id__in=project_ids, state__in=HANDED_IN_STATES,
                                                         project__is_archived=False)
               .exclude(problems="").select_related("submitted_by", "period").order_by("id")
               if not says_nothing(r.problems)]
    if not reports:
        return []
    texts = {r.pk: r.problems.strip()[:TEXT_LIMIT] for r in reports}
    existing = {p.report_id: p for p in Problem.objects.select_for_update().filter(report_id__in=list(texts))}
    same = {}
    for problem in (Problem.objects.filter(project_id__in=[r.project_id for r in reports], status__in=ACTIVE_PROBLEM_STATES,
                                           description__in=set(texts.values())).order_by("-id")):
        same[(problem.project_id, problem.description)] = problem
    types = {t.name: t for t in ProblemType.objects.filter(is_active=True)}
    label = reports[0].period.label
    noted = set(Event.objects.filter(problem_id__in=[p.pk for p in same.values()], action=ProblemAction.REPLY,
                                     text__startswith=label).values_list("problem_id", flat=True))
    new, events_rows = [], []
    for report in reports:
        text, period = texts[report.pk], report.period.label
        problem = existing.get(report.pk)
        if problem is not None:
            if problem.status == ProblemStatus.PENDING and problem.description != text:
                Problem.objects.filter(pk=problem.pk).update(version=F("version") + 1)
                problem.version += 1
                problem.description = text
                stamp(problem, report.submitted_by, _("月报重新上报，更新问题描述")).save()
                _event(report.submitted_by, ProblemAction.REPLY, problem=problem, text=_("月报重新上报：%(t)s") % {"t": text})
            continue
        earlier = same.get((report.project_id, text))
        if earlier is not None and earlier.report_id != report.pk:  # the same words again: one problem
            if earlier.pk and earlier.pk not in noted:
                noted.add(earlier.pk)
                events_rows.append(Event(problem=earlier, action=ProblemAction.REPLY, actor=report.submitted_by,
                                         actor_unit_id=report.unit_id, at=timezone.now(),
                                         text=_("%(period)s月报再次反映此问题") % {"period": period}))
            continue
        kind = guess_type(text, types)
        if kind is None:
            continue
        raised_on = timezone.localdate(report.submitted_at) if report.submitted_at else timezone.localdate()
        problem = Problem(project_id=report.project_id, type=kind, description=text, source=Source.REPORT, report=report,
                          raised_by=report.submitted_by, raised_on=raised_on, version=1)
        new.append((problem, report))
        same[(report.project_id, text)] = problem
    if not new:
        add_objects(Event, events_rows)
        return []
    # All the new problems in one INSERT and their history in one per person who handed reports in,
    # whatever their number (a grid's hand-in of 200 reports stays a few statements; issue #13 §7).
    create_objects(Problem, [problem for problem, _report in new])
    by_user: dict = {}
    for problem, report in new:
        by_user.setdefault(report.submitted_by_id, (report.submitted_by, []))[1].append(problem)
    now = timezone.now()
    for user, problems in by_user.values():
        create_history(Problem, problems, history_type="+", user=user, reason=_("月报提出的问题"), when=now)
    made = []
    for saved, report in new:
        made.append(saved)
        user = report.submitted_by
        events_rows.append(Event(problem=saved, action=ProblemAction.RAISE, actor=user, at=report.submitted_at or timezone.now(),
                                 actor_unit_id=report.unit_id,
                                 text=_("%(period)s月报提出：%(t)s") % {"period": report.period.label, "t": saved.description},
                                 status_after=saved.status, level_after=saved.level))
    add_objects(Event, events_rows)
    _changed([p.project_id for p in made], None)
    return made


# ------------------------------------------------------------------------------------- attachments

ATTACHMENT_KINDS = {
    "pdf": ("application/pdf", (b"%PDF",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "wps": ("application/vnd.ms-works", (b"\xd0\xcf\x11\xe0",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG",)),
}
ATTACHMENT_MAX_MB = 20
ATTACHMENTS_PER_OWNER = 30


def check_attachment(upload) -> tuple[str, str, str]:
    """(extension, content type, clean file name) of a document we keep; Chinese ValidationError if not."""
    name = (upload.name or "").replace("\\", "/").split("/")[-1].strip()[:150] or "file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_KINDS:
        raise ValidationError(_("“%(name)s”的格式不支持，只能上传 PDF、Word、Excel、WPS 文档或 JPG、PNG 图片") % {"name": name})
    if upload.size == 0:
        raise ValidationError(_("“%(name)s”是空文件") % {"name": name})
    if upload.size > ATTACHMENT_MAX_MB * 1024 * 1024:
        raise ValidationError(_("“%(name)s”超过%(mb)sMB") % {"name": name, "mb": ATTACHMENT_MAX_MB})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    content_type, magics = ATTACHMENT_KINDS[extension]
    if not any(head.startswith(m) for m in magics):
        raise ValidationError(_("“%(name)s”的内容与扩展名不符，请检查文件是否损坏") % {"name": name})
    return extension, content_type, name


@transaction.atomic
def attachment_add(user, upload, *, problem=None, order=None, meeting=None) -> Attachment:
    import uuid

    from django.core.files.storage import default_storage

    if problem is not None:
        problem = _locked_problem(user, problem.pk)
        if not can(user, problem, ProblemAction.ATTACH):
            raise PermissionDenied
        owner = {"problem": problem}
    elif order is not None:
        order = _locked_order(user, order.pk)
        if order.status == OrderStatus.CLOSED or not (
                order_can(user, order, OrderAction.REPLY) or order_can(user, order, OrderAction.PROGRESS) or may_supervise(user)):
            raise PermissionDenied
        owner = {"order": order}
    else:
        meeting = selectors.get_visible(Meeting.objects.visible_to(user).select_for_update(of=("self",)), meeting.pk)
        if not may_supervise(user):
            raise PermissionDenied
        owner = {"meeting": meeting}
    if Attachment.objects.filter(**owner).count() >= ATTACHMENTS_PER_OWNER:
        raise ValidationError(_("附件已达%(n)s个，请先删除不需要的附件") % {"n": ATTACHMENTS_PER_OWNER})
    extension, content_type, name = check_attachment(upload)
    now = timezone.localtime()
    stored = default_storage.save(f"problems/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}", upload)
    attachment = Attachment(file=stored, name=name, content_type=content_type, size=upload.size,
                            uploaded_by=user if getattr(user, "pk", None) else None, **owner)
    try:
        stamp(attachment, user, _("上传附件")).save()
    except Exception:
        default_storage.delete(stored)
        raise
    if problem is not None:
        _event(user, ProblemAction.ATTACH, problem=problem, text=name)
    elif order is not None:
        _event(user, OrderAction.ATTACH, order=order, text=name)
    return attachment


@transaction.atomic
def attachment_delete(user, attachment: Attachment) -> None:
    """The uploader or the office removes an attachment of a record still in progress."""
    from django.core.files.storage import default_storage

    access = user_access(user)
    if not (access.has_role(*OFFICE_ROLES) or attachment.uploaded_by_id == getattr(user, "pk", None)):
        raise PermissionDenied
    if attachment.problem_id and attachment.problem.status in (ProblemStatus.CLOSED, ProblemStatus.UNSOLVABLE):
        raise ValidationError(_("问题已办结，附件不能删除"))
    if attachment.order_id and attachment.order.status == OrderStatus.CLOSED:
        raise ValidationError(_("督办单已办结，附件不能删除"))
    name = attachment.file.name
    stamp(attachment, user, _("删除附件")).delete()
    transaction.on_commit(lambda: default_storage.delete(name))


# ------------------------------------------------------------------------------ supervision orders


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


ORDER_STEPS = frozenset({OrderAction.REPLY, OrderAction.PROGRESS, OrderAction.RETURN, OrderAction.CLOSE})


@transaction.atomic
def order_step(user, order: SupervisionOrder, action: str, *, version, text: str = "", day: date | None = None) -> SupervisionOrder:
    order = _locked_order(user, order.pk)
    if action not in ORDER_STEPS:
        raise ValidationError(_("未知的操作"))
    if not order_can(user, order, action):
        raise PermissionDenied
    today = timezone.localdate()
    before_status, before_due = order.status, order.due
    change: dict = {}
    url = reverse("problems:order", args=[order.pk])
    notice = None
    if action == OrderAction.REPLY:
        text = _text(text, _("整改方案"))
        errors: dict = {}
        if day is None and order.rectify_by is None:  # else 整改中 could never fall overdue
            errors["day"] = [_("请填写整改完成时限")]
        _check_day(day, _("整改时限"), "day", errors, not_before=today, before_label=_("今天"))
        if errors:
            raise ValidationError(errors)
        change.update(status=OrderStatus.RECTIFYING, plan=text, replied_on=today, rectify_by=day or order.rectify_by)
        users = [order.issued_by] if order.issued_by_id else []
        notice = (users, _("%(number)s已回复整改方案，请审核跟踪") % {"number": order.number})
    elif action == OrderAction.PROGRESS:
        text = _text(text, _("整改进展"))
    elif action == OrderAction.RETURN:
        text = _text(text, _("退回理由"))
        errors = {}
        if day is None:
            errors["day"] = [_("请填写新的回复时限")]
        _check_day(day, _("新的回复时限"), "day", errors, not_before=today, before_label=_("今天"))
        if errors:
            raise ValidationError(errors)
        change.update(status=OrderStatus.ISSUED, reply_by=day)
        notice = (_unit_users([order.unit_id]), _("%(number)s的整改方案被退回，请于%(d)s前重新回复：%(why)s")
                  % {"number": order.number, "d": day, "why": text[:60]})
    elif action == OrderAction.CLOSE:
        text = _text(text, _("核实意见"), required=False)
        change.update(status=OrderStatus.CLOSED, closed_on=today)
        notice = (_unit_users([order.unit_id]), _("%(number)s已核实办结") % {"number": order.number})
    claim(order, version)
    for field, value in change.items():
        setattr(order, field, value)
    stamp(order, user, str(OrderAction(action).label)).save()
    _event(user, action, order=order, text=text, status_before=before_status, status_after=order.status,
           deadline_before=before_due, deadline_after=order.due)
    if notice and notice[0]:
        _tell(notice[0], user, notice[1], url)
    _changed([order.project_id], user)
    return order


# ------------------------------------------------------------------------- meetings and inspections

GATHERING_FIELDS = {
    Meeting: ("kind", "title", "held_on", "location", "chair", "attendees", "minutes"),
    Inspection: ("kind", "title", "held_on", "leader", "participants", "findings"),
}


@transaction.atomic
def gathering_save(user, model, data: dict, *, instance=None, version=None):
    """Record or correct a meeting (例会、专题会…) or an inspection (督导、观摩): office and inspectors."""
    if not may_supervise(user):
        raise PermissionDenied
    if instance is not None:
        instance = selectors.get_visible(model.objects.editable_by(user).select_for_update(of=("self",)), instance.pk)
    errors: dict[str, list[str]] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = [_("请填写名称")]
    if data.get("held_on") is None:
        errors["held_on"] = [_("请填写日期")]
    kinds = MeetingKind.values if model is Meeting else InspectionKind.values
    if data.get("kind") not in kinds:
        errors["kind"] = [_("请选择类型")]
    _check_day(data.get("held_on"), _("日期"), "held_on", errors)
    for field in ("attendees", "minutes", "participants", "findings"):
        if field in {f.name for f in model._meta.concrete_fields}:
            message = text_too_long(data.get(field), model._meta.get_field(field).max_length)
            if message:
                errors[field] = [message]
    projects = list(data.get("projects") or [])
    allowed = set(Project.objects.visible_to(user).filter(pk__in=[p.pk for p in projects]).values_list("pk", flat=True))
    if any(p.pk not in allowed for p in projects):
        errors["projects"] = [_("所选项目不存在或无权查看")]
    if len(projects) > 200:
        errors["projects"] = [_("一次最多关联200个项目")]
    if errors:
        raise ValidationError(errors)
    fields = GATHERING_FIELDS[model]
    if instance is None:
        unit = primary_unit(user)
        region = unit.region if unit else None
        if region is None:
            from tuijin.org.models import Region

            region = Region.objects.order_by("path").first()
        instance = model(region=region, created_by=user if getattr(user, "pk", None) else None, version=1)
        reason = _("登记")
    else:
        claim(instance, version)
        reason = _("修改")
    for field in fields:
        value = data.get(field)
        setattr(instance, field, value.strip() if isinstance(value, str) else value if value is not None else ("" if field not in ("chair", "leader", "held_on") else None))
    stamp(instance, user, reason).save()
    instance.projects.set(projects)
    return instance


@transaction.atomic
def decision_add(user, source, kind: str, project: Project, data: dict):
    """A meeting's decision (交办事项) or an inspection's finding, in one step: it becomes a problem
    (kind "problem") or a supervision order (kind "order") pointing back to where it was decided."""
    if not may_supervise(user):
        raise PermissionDenied
    link = {"meeting": source} if isinstance(source, Meeting) else {"inspection": source}
    if kind == "problem":
        source_kind = Source.MEETING if isinstance(source, Meeting) else Source.INSPECTION
        held_on = source.held_on if source.held_on <= timezone.localdate() else None
        return problem_raise(user, project, data, source=source_kind, raised_on=held_on, **link)
    if kind == "order":
        return order_issue(user, project, data, **link)
    raise ValidationError(_("请选择转为问题还是督办单"))


@transaction.atomic
def inspection_photo_add(user, inspection: Inspection, upload, *, project=None, caption: str = "") -> InspectionPhoto:
    from django.core.files.storage import default_storage

    from tuijin.core import photos

    inspection = selectors.get_visible(Inspection.objects.visible_to(user).select_for_update(of=("self",)), inspection.pk)
    if not may_supervise(user):
        raise PermissionDenied
    if inspection.photos.count() >= 60:
        raise ValidationError(_("每次督查最多60张照片"))
    if len(caption or "") > 200:
        raise ValidationError({"caption": [_("说明过长（不超过200字）")]})
    if project is not None and not Project.objects.visible_to(user).filter(pk=project.pk).exists():
        raise ValidationError({"project": [_("所选项目不存在或无权查看")]})
    info = photos.inspect(upload)
    now = timezone.now()
    name = default_storage.save(photos.stored_name(info, timezone.localtime(now), folder="inspections"), upload)
    photo = InspectionPhoto(inspection=inspection, project=project, file=name, content_type=info.content_type,
                            caption=(caption or "").strip(), taken_at=info.taken_at, latitude=info.latitude,
                            longitude=info.longitude, uploaded_by=user if getattr(user, "pk", None) else None)
    try:
        stamp(photo, user, _("上传督查照片")).save()
    except Exception:
        default_storage.delete(name)
        raise
    return photo
