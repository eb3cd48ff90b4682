"""Workflows written once, as tables: the states a record moves through and the steps between them.

Each step says where it may start (`sources`) and where it leads (`target`), who may take it (`who`,
a role test), its button (`label`) and what the page says once it is done (`done`, `done_many` for
a batch). An app defines its workflow once; its services check a step against the table
(`legal_step`, `Step.require`), its views draw the steps a user may take (`allowed_steps`) and its
tests are parametrised over the same table. Knows no domain word.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def anyone(user) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    name: str  # the action a form posts and a record's timeline keeps
    sources: frozenset  # the states it may be taken from
    target: str  # the state it leads to
    label: str  # its button
    done: str = ""  # what the page says once it is taken (may name the record: %(name)s)
    done_many: str = ""  # the same for a batch of %(n)s records
    who: Callable[[Any], bool] = anyone  # the role it needs; the system (user None) may take every step
    refused: str = ""  # why it cannot be taken from another state; %(state)s is that state's label
    # A rule on the record beyond its state and the user's role (separation of duties…): "" when the
    # user may take the step on this record, else why not.
    check: Callable[[Any, Any], str] | None = None

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))

    def allows(self, user) -> bool:
        """Whether the user's role lets them take this step at all (None, the system, always may)."""
        return user is None or bool(self.who(user))

    def require(self, user) -> None:
        if not self.allows(user):
            raise PermissionDenied

    def refusal(self, user, record) -> str:
        """Why `user` may not take the step on `record` (its check), "" when they may."""
        return self.check(user, record) if self.check is not None else ""


@dataclass(frozen=True)
class Workflow:
    """A record's states (a TextChoices class) and the steps between them."""

    states: Any
    steps: tuple[Step, ...]

    def __post_init__(self):
        known = set(self.states.values)
        names = [step.name for step in self.steps]
        if len(set(names)) != len(names):
            raise ValueError(f"steps named twice: {names}")
        for step in self.steps:
            if not step.sources <= known or step.target not in known:
                raise ValueError(f"step {step.name!r} names a state the workflow does not have")

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def label_of(self, state: str) -> str:
        return str(self.states(state).label)


def allowed_steps(workflow: Workflow, state: str, user, record=None) -> list[Step]:
    """The steps leaving `state` that the user's role allows, in the table's order; given the record,
    only those its checks let the user take."""
    return [step for step in workflow.steps
            if state in step.sources and step.allows(user) and (record is None or not step.refusal(user, record))]


def legal_step(workflow: Workflow, name: str, state: str, *, user=None, record=None) -> Step:
    """The step `name` of the workflow, if it may be taken from `state` (and, given the record, if its
    check lets the user take it); else a ValidationError in Chinese saying why. The role is checked
    apart (Step.require: 403), so that each service keeps its own order of 404, 403 and refusals."""
    try:
        step = workflow.step(name)
    except KeyError:
        raise ValidationError(_("不支持的操作：%(name)s") % {"name": name}) from None
    if state not in step.sources:
        message = step.refused or _("当前状态为“%(state)s”，不能%(step)s")
        raise ValidationError(message % {"state": workflow.label_of(state), "step": step.label})
    reason = step.refusal(user, record) if record is not None else ""
    if reason:
        raise ValidationError(reason)
    return step
