"""The problems app's two workflows, each written once as a table: a problem's and a supervision order's
steps — the states each starts from and the state it leads to, who may take it, its button, the text box
and inputs its form asks for and what the page says once it is taken.

The tables are core.workflow's `Step`s and `Workflow`s; this module adds only the tests of the user's
place on the record (`actor`), the rules on the record (`check`) and the refusals in this app's words.
The services check a step against the table under the row lock (`legal_step(…, error=PermissionDenied)`:
403 with the reason in Chinese), the problem and order pages draw the steps the user may take now
(`allowed_steps`, `Workflow.allows`) and the step URLs accept exactly the table's names; the tests are
parametrised over the same table. What each step changes besides the state (a deadline, a level, who is
told) stays with its service (services/problems.py, services/orders.py).

Who may take which problem step (the office: admins and dispatchers; "unit": the handling unit):

| step | from | to | who |
|---|---|---|---|
| assign (交办: type, units, deadline) | 待受理/办理中 | — | the office |
| accept (受理) | 待受理, unit and deadline set | 办理中 | the handling unit, the office |
| reply (办理回复) | 待受理/办理中 | — | the handling and cooperating units, the office |
| extend (延期, with a reason) | 待受理/办理中 | — | the office, the coordinating leader |
| escalate (提级) | 待受理/办理中, below the committee | — | the office, the handling unit, the coordinating leader |
| instruct (批示) | not finished | — | leaders, the coordinating leader |
| resolve (办结申请) | 办理中 | 已解决待销号 | the handling unit, the office |
| close (核实销号) | 已解决待销号 | 已销号 | the office, inspectors |
| return (核实退回) | 已解决待销号 | 办理中 | the office, inspectors |
| unsolvable (无法解决) | not finished | 无法解决 | the office |
| reopen (重新打开) | 已销号/无法解决 | 办理中 | the office |
| attach (上传附件) | not finished | — | the office, inspectors, the handling unit, whoever raised it |

Raising a problem (— → 待受理) is `may_raise`: editors of the project, inspectors and leaders who see it.
An order's steps: reply (待回复 → 整改中) and progress (整改中) for its unit; return (整改中 → 待回复) and
close (整改中 → 已办结) for the office, inspectors and its issuer; attach while open for its unit, the
office and inspectors.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.workflow import Step, Workflow
from tuijin.org.choices import Role
from tuijin.org.selectors import EDITOR_ROLES, OFFICE_ROLES, SUPERVISOR_ROLES, user_access
from tuijin.projects.models import Project

from .choices import (
    ACTIVE_PROBLEM_STATES,
    OPEN_ORDER_STATES,
    OPEN_PROBLEM_STATES,
    Ladder,
    OrderAction,
    OrderStatus,
    ProblemAction,
    ProblemStatus,
)
from .models import leader_of, unit_ids

Who = Callable[[Any, Any], bool]  # (user, record) → may this user take the step on this record


# ------------------------------------------------------------------------------------ who is who


def _in_units(user, *ids) -> bool:
    mine = set(unit_ids(user))
    return any(u in mine for u in ids if u)


def office(user, record=None) -> bool:
    return user_access(user).has_role(*OFFICE_ROLES)


def inspector(user, record=None) -> bool:
    return user_access(user).has_role(Role.INSPECTOR)


def leader(user, record=None) -> bool:
    return user_access(user).has_role(Role.LEADER)


def handler(user, problem) -> bool:
    """The problem's handling unit acts through this user."""
    return _in_units(user, problem.handling_unit_id)


def cooperating(user, problem) -> bool:
    return _in_units(user, *problem.cooperating_units.values_list("pk", flat=True))


def coordinator(user, problem) -> bool:
    """The user is the leader the problem was escalated to."""
    me = leader_of(user)
    return me is not None and problem.coordinating_leader_id == me.pk


def raiser(user, problem) -> bool:
    return problem.raised_by_id is not None and problem.raised_by_id == getattr(user, "pk", None)


def order_unit(user, order) -> bool:
    """The unit the order was issued to acts through this user (a superuser may act for it)."""
    return user_access(user).is_superuser or _in_units(user, order.unit_id)


def supervisor(user, record=None) -> bool:
    """The office and inspectors (org.selectors.may_supervise)."""
    return user_access(user).has_role(*SUPERVISOR_ROLES)


def issuer(user, order) -> bool:
    return order.issued_by_id is not None and order.issued_by_id == getattr(user, "pk", None)


def any_of(*tests: Who) -> Who:
    return lambda user, record: any(test(user, record) for test in tests)


def always(user, record) -> bool:
    return True


def may_raise(user, project: Project) -> bool:
    """Raising a problem (— → 待受理): editors of the project, inspectors and leaders who see it."""
    access = user_access(user)
    if access.is_superuser:
        return True
    if access.has_role(*EDITOR_ROLES) and Project.objects.editable_by(user).filter(pk=project.pk).exists():
        return True
    return (access.has_role(Role.INSPECTOR, Role.LEADER)
            and Project.objects.visible_to(user).filter(pk=project.pk).exists())


# ------------------------------------------------------------------------ rules on the record


def unassigned(user, problem) -> str:
    """交办 comes before 受理: a handling unit and a deadline."""
    if problem.handling_unit_id and problem.deadline is not None:
        return ""
    return _("问题尚未交办责任单位和解决时限，不能受理")


def at_the_top(user, problem) -> str:
    if problem.level < Ladder.COMMITTEE:
        return ""
    return _("问题已在最高协调层级，不能再提级")


# -------------------------------------------------------------------------------------- problems

P, PS = ProblemAction, ProblemStatus
OPEN, ACTIVE = frozenset(OPEN_PROBLEM_STATES), frozenset(ACTIVE_PROBLEM_STATES)

PROBLEM_WORKFLOW = Workflow(
    states=ProblemStatus,
    refused=gettext_lazy("问题当前为“%(state)s”，不能进行“%(step)s”"),
    forbidden=gettext_lazy("您不能对此问题进行“%(step)s”"),
    steps=(
        Step(P.ASSIGN, OPEN, None, P.ASSIGN.label, actor=office, own_form=True),
        Step(P.ACCEPT, {PS.PENDING}, PS.HANDLING, P.ACCEPT.label, actor=any_of(office, handler),
             done=gettext_lazy("已受理，问题转入办理中"), check=unassigned,
             text=gettext_lazy("受理意见"), text_required=False, style="primary", opens=handler),
        Step(P.REPLY, OPEN, None, P.REPLY.label, actor=any_of(office, handler, cooperating),
             done=gettext_lazy("已记录办理情况"), text=gettext_lazy("办理情况")),
        Step(P.EXTEND, OPEN, None, P.EXTEND.label, actor=any_of(office, coordinator),
             done=gettext_lazy("解决时限已延期"), text=gettext_lazy("延期理由"), inputs=("deadline",),
             day_label=gettext_lazy("新的解决时限")),
        Step(P.ESCALATE, OPEN, None, P.ESCALATE.label, actor=any_of(office, handler, coordinator),
             done=gettext_lazy("已提级协调"), check=at_the_top, text=gettext_lazy("提级理由"), inputs=("level", "leader")),
        Step(P.INSTRUCT, ACTIVE, None, P.INSTRUCT.label, actor=any_of(leader, coordinator),
             done=gettext_lazy("批示已记录并通知责任单位"), text=gettext_lazy("批示内容"), opens=leader),
        Step(P.RESOLVE, {PS.HANDLING}, PS.RESOLVED, P.RESOLVE.label, actor=any_of(office, handler),
             done=gettext_lazy("已提交办结，等待核实销号"), text=gettext_lazy("解决情况"), style="primary", opens=handler),
        Step(P.CLOSE, {PS.RESOLVED}, PS.CLOSED, P.CLOSE.label, actor=any_of(office, inspector),
             done=gettext_lazy("问题已核实销号"), text=gettext_lazy("核实意见"), text_required=False, style="primary",
             opens=always),
        Step(P.RETURN, {PS.RESOLVED}, PS.HANDLING, P.RETURN.label, actor=any_of(office, inspector),
             done=gettext_lazy("已退回责任单位继续办理"), text=gettext_lazy("退回理由"), style="outline-danger"),
        Step(P.UNSOLVABLE, ACTIVE, PS.UNSOLVABLE, P.UNSOLVABLE.label, actor=office,
             done=gettext_lazy("已确认无法解决"), text=gettext_lazy("无法解决的原因"), style="outline-danger"),
        Step(P.REOPEN, {PS.CLOSED, PS.UNSOLVABLE}, PS.HANDLING, P.REOPEN.label, actor=office,
             done=gettext_lazy("问题已重新打开"), text=gettext_lazy("重新打开的理由"), inputs=("deadline",),
             day_label=gettext_lazy("新的解决时限"), opens=always),
        Step(P.ATTACH, ACTIVE, None, P.ATTACH.label, actor=any_of(office, handler, raiser, inspector), own_form=True),
    ))

# ---------------------------------------------------------------------------- supervision orders

OA, OS = OrderAction, OrderStatus

ORDER_WORKFLOW = Workflow(
    states=OrderStatus,
    refused=gettext_lazy("督办单当前为“%(state)s”，不能进行“%(step)s”"),
    forbidden=gettext_lazy("您不能对此督办单进行“%(step)s”"),
    steps=(
        Step(OA.REPLY, {OS.ISSUED}, OS.RECTIFYING, OA.REPLY.label, actor=order_unit,
             done=gettext_lazy("整改方案已回复"), text=gettext_lazy("整改方案"), text_hint=gettext_lazy("措施、责任人、完成时间"),
             inputs=("day",), day_label=gettext_lazy("整改完成时限"), day_from="rectify_by", style="primary"),
        Step(OA.PROGRESS, {OS.RECTIFYING}, None, OA.PROGRESS.label, actor=order_unit,
             done=gettext_lazy("已报告整改进展"), text=gettext_lazy("整改进展"), style="primary"),
        Step(OA.RETURN, {OS.RECTIFYING}, OS.ISSUED, OA.RETURN.label, actor=any_of(supervisor, issuer),
             done=gettext_lazy("已退回，请承办单位重新回复"), text=gettext_lazy("退回理由"), inputs=("day",),
             day_label=gettext_lazy("新的回复时限"), style="outline-danger"),
        Step(OA.CLOSE, {OS.RECTIFYING}, OS.CLOSED, OA.CLOSE.label, actor=any_of(supervisor, issuer),
             done=gettext_lazy("督办单已核实办结"), text=gettext_lazy("核实意见"), text_required=False, style="primary"),
        Step(OA.ATTACH, OPEN_ORDER_STATES, None, OA.ATTACH.label, actor=any_of(order_unit, supervisor), own_form=True),
    ))
