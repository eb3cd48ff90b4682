"""Who may take which step (the workflow rules; docs/architecture.md, Problems). Every view and button
asks these; the services ask them again under the row lock.

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

from tuijin.org.choices import Role
from tuijin.org.selectors import EDITOR_ROLES, OFFICE_ROLES, SUPERVISOR_ROLES, user_access
from tuijin.projects.models import Project

from .. import selectors
from ..choices import (
    ACTIVE_PROBLEM_STATES,
    OPEN_PROBLEM_STATES,
    Ladder,
    OrderAction,
    OrderStatus,
    ProblemAction,
    ProblemStatus,
)
from ..models import Problem, SupervisionOrder


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
