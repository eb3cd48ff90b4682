"""The problems app's two workflows, each written once as a table: a problem's and a supervision order's
steps — the states each starts from and the state it leads to, who may take it, its button, the text box
and inputs its form asks for and what the page says once it is taken.

The services check a step against the table under the row lock (`Workflow.check`: PermissionDenied with
the reason in Chinese), the problem and order pages draw the steps the user may take now
(`Workflow.steps_for`) and the step URLs accept exactly the table's names; the tests are parametrised
over the same table. What each step changes besides the state (a deadline, a level, who is told) stays
with its service (services/problems.py, services/orders.py).

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
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


@dataclass(frozen=True)
class Step:
    name: str  # what the step URL and the record's timeline say (the action's value)
    label: str  # its button, the timeline's word and the history's reason
    sources: frozenset  # the states it may be taken from
    target: str | None  # the state it leads to; None: the state stays
    who: Who
    done: str = ""  # what the page says once it is taken
    when: Callable[[Any], bool] | None = None  # a further condition on the record besides its state…
    unmet: str = ""  # …and what the refusal says when it does not hold
    text: str = ""  # the label of the step form's text box, in the services' messages too ("" none)
    text_required: bool = True
    text_hint: str = ""  # what the text should hold, after the label
    inputs: tuple[str, ...] = ()  # what the step form posts besides the text ("deadline", "level"…)
    day_label: str = ""  # the label of its date input, when it has one
    day_from: str = ""  # the record's date the input starts from ("" empty)
    style: str = "outline-primary"  # the button's look (Bootstrap's btn-… suffix)
    opens: Who | None = None  # shown unfolded on the page for this user: the step they most likely came for
    own_form: bool = False  # taken through a form of its own (交办, 上传附件), not the page's step form

    @property
    def text_label(self) -> str:
        if self.text_hint:
            return _("%(label)s（%(hint)s）") % {"label": self.text, "hint": self.text_hint}
        if not self.text_required:
            return _("%(label)s（可不填）") % {"label": self.text}
        return str(self.text)

    def is_open_for(self, user, record) -> bool:
        return bool(self.opens and self.opens(user, record))

    def day_of(self, record):
        """The date its input starts from on this record (None: empty)."""
        return getattr(record, self.day_from) if self.day_from else None


@dataclass(frozen=True)
class Workflow:
    noun: str  # the record in a refusal: 问题, 督办单
    steps: tuple[Step, ...]

    def step(self, name: str) -> Step | None:
        return next((step for step in self.steps if step.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.steps)

    def refusal(self, user, record, name: str) -> str:
        """Why `user` may not take step `name` on `record` now ("" when they may): its state first, then
        their place."""
        step = self.step(name)
        if step is None:
            return _("未知的操作")
        if record.status not in step.sources:
            return _("%(noun)s当前为“%(state)s”，不能进行“%(step)s”") % {
                "noun": self.noun, "state": record.get_status_display(), "step": step.label}
        if step.when is not None and not step.when(record):
            return str(step.unmet)
        if not step.who(user, record):
            return _("您不能对此%(noun)s进行“%(step)s”") % {"noun": self.noun, "step": step.label}
        return ""

    def allows(self, user, record, name: str) -> bool:
        return not self.refusal(user, record, name)

    def check(self, user, record, name: str) -> Step:
        """The step, if the user may take it on the record now; else PermissionDenied saying why."""
        reason = self.refusal(user, record, name)
        if reason:
            raise PermissionDenied(reason)
        return self.step(name)

    def steps_for(self, user, record) -> list[Step]:
        """The steps of the page's step form the user may take on the record now, in the table's order."""
        return [step for step in self.steps if not step.own_form and self.allows(user, record, step.name)]


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


# -------------------------------------------------------------------------------------- problems

P, PS = ProblemAction, ProblemStatus
OPEN, ACTIVE = frozenset(OPEN_PROBLEM_STATES), frozenset(ACTIVE_PROBLEM_STATES)

PROBLEM_WORKFLOW = Workflow(gettext_lazy("问题"), (
    Step(P.ASSIGN, P.ASSIGN.label, OPEN, None, office, own_form=True),
    Step(P.ACCEPT, P.ACCEPT.label, frozenset({PS.PENDING}), PS.HANDLING, any_of(office, handler),
         done=gettext_lazy("已受理，问题转入办理中"),
         when=lambda p: bool(p.handling_unit_id) and p.deadline is not None,  # 交办 comes first
         unmet=gettext_lazy("问题尚未交办责任单位和解决时限，不能受理"),
         text=gettext_lazy("受理意见"), text_required=False, style="primary", opens=handler),
    Step(P.REPLY, P.REPLY.label, OPEN, None, any_of(office, handler, cooperating),
         done=gettext_lazy("已记录办理情况"), text=gettext_lazy("办理情况")),
    Step(P.EXTEND, P.EXTEND.label, OPEN, None, any_of(office, coordinator),
         done=gettext_lazy("解决时限已延期"), text=gettext_lazy("延期理由"), inputs=("deadline",),
         day_label=gettext_lazy("新的解决时限")),
    Step(P.ESCALATE, P.ESCALATE.label, OPEN, None, any_of(office, handler, coordinator),
         done=gettext_lazy("已提级协调"), when=lambda p: p.level < Ladder.COMMITTEE,
         unmet=gettext_lazy("问题已在最高协调层级，不能再提级"),
         text=gettext_lazy("提级理由"), inputs=("level", "leader")),
    Step(P.INSTRUCT, P.INSTRUCT.label, ACTIVE, None, any_of(leader, coordinator),
         done=gettext_lazy("批示已记录并通知责任单位"), text=gettext_lazy("批示内容"), opens=leader),
    Step(P.RESOLVE, P.RESOLVE.label, frozenset({PS.HANDLING}), PS.RESOLVED, any_of(office, handler),
         done=gettext_lazy("已提交办结，等待核实销号"), text=gettext_lazy("解决情况"), style="primary", opens=handler),
    Step(P.CLOSE, P.CLOSE.label, frozenset({PS.RESOLVED}), PS.CLOSED, any_of(office, inspector),
         done=gettext_lazy("问题已核实销号"), text=gettext_lazy("核实意见"), text_required=False, style="primary",
         opens=always),
    Step(P.RETURN, P.RETURN.label, frozenset({PS.RESOLVED}), PS.HANDLING, any_of(office, inspector),
         done=gettext_lazy("已退回责任单位继续办理"), text=gettext_lazy("退回理由"), style="outline-danger"),
    Step(P.UNSOLVABLE, P.UNSOLVABLE.label, ACTIVE, PS.UNSOLVABLE, office,
         done=gettext_lazy("已确认无法解决"), text=gettext_lazy("无法解决的原因"), style="outline-danger"),
    Step(P.REOPEN, P.REOPEN.label, frozenset({PS.CLOSED, PS.UNSOLVABLE}), PS.HANDLING, office,
         done=gettext_lazy("问题已重新打开"), text=gettext_lazy("重新打开的理由"), inputs=("deadline",),
         day_label=gettext_lazy("新的解决时限"), opens=always),
    Step(P.ATTACH, P.ATTACH.label, ACTIVE, None, any_of(office, handler, raiser, inspector), own_form=True),
))

# ---------------------------------------------------------------------------- supervision orders

OA, OS = OrderAction, OrderStatus

ORDER_WORKFLOW = Workflow(gettext_lazy("督办单"), (
    Step(OA.REPLY, OA.REPLY.label, frozenset({OS.ISSUED}), OS.RECTIFYING, order_unit,
         done=gettext_lazy("整改方案已回复"), text=gettext_lazy("整改方案"), text_hint=gettext_lazy("措施、责任人、完成时间"),
         inputs=("day",), day_label=gettext_lazy("整改完成时限"), day_from="rectify_by", style="primary"),
    Step(OA.PROGRESS, OA.PROGRESS.label, frozenset({OS.RECTIFYING}), None, order_unit,
         done=gettext_lazy("已报告整改进展"), text=gettext_lazy("整改进展"), style="primary"),
    Step(OA.RETURN, OA.RETURN.label, frozenset({OS.RECTIFYING}), OS.ISSUED, any_of(supervisor, issuer),
         done=gettext_lazy("已退回，请承办单位重新回复"), text=gettext_lazy("退回理由"), inputs=("day",),
         day_label=gettext_lazy("新的回复时限"), style="outline-danger"),
    Step(OA.CLOSE, OA.CLOSE.label, frozenset({OS.RECTIFYING}), OS.CLOSED, any_of(supervisor, issuer),
         done=gettext_lazy("督办单已核实办结"), text=gettext_lazy("核实意见"), text_required=False, style="primary"),
    Step(OA.ATTACH, OA.ATTACH.label, frozenset(OPEN_ORDER_STATES), None, any_of(order_unit, supervisor), own_form=True),
))
