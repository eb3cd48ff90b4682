"""Workflows written once, as tables: the states a record moves through and the steps between them.

Each step says where it may start (`sources`) and where it leads (`target`, or None when the state
stays), who may take it (`who`, a role test, and `actor`, a test of the user's place on the record),
its button (`label`), what its form asks for (a text box, further inputs) and what the page says once it
is done (`done`, `done_many` for a batch). An app defines its workflow once; its services check a step
against the table (`legal_step`, `Step.require`), its views draw the steps a user may take
(`allowed_steps`, `Workflow.allows`) and its tests are parametrised over the same table. Knows no domain
word.
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
    target: str | None  # the state it leads to; None: the state stays
    label: str  # its button
    done: str = ""  # what the page says once it is taken (may name the record: %(name)s)
    done_many: str = ""  # the same for a batch of %(n)s records
    who: Callable[[Any], bool] = anyone  # the role it needs; the system (user None) may take every step
    refused: str = ""  # why it cannot be taken from another state; %(state)s is that state's label
    # A rule on the record beyond its state and the user's role (separation of duties…): "" when the
    # user may take the step on this record, else why not.
    check: Callable[[Any, Any], str] | None = None
    # Whether the user may take it on this record by their place (the record's unit, its author…),
    # tested after `check`; a refusal says `forbidden` (%(step)s is the label) or the workflow's.
    actor: Callable[[Any, Any], bool] | None = None
    forbidden: str = ""
    # Its form: a text box (its label, "" for none; whether it must be filled; what it should hold),
    # the other inputs it posts, a date input's label and the record's date it starts from ("" empty).
    text: str = ""
    text_required: bool = True
    text_hint: str = ""
    inputs: tuple[str, ...] = ()
    day_label: str = ""
    day_from: str = ""
    style: str = "outline-primary"  # the button's look (Bootstrap's btn-… suffix)
    opens: Callable[[Any, Any], bool] | None = None  # shown unfolded for this user on this record
    own_form: bool = False  # taken through a form of its own, not the page's step form

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
    """A record's states (a TextChoices class) and the steps between them; `refused` and `forbidden` are
    the refusals of steps that have none of their own (see Step)."""

    states: Any
    steps: tuple[Step, ...]
    refused: str = ""
    forbidden: str = ""

    def __post_init__(self):
        known = set(self.states.values)
        names = [step.name for step in self.steps]
        if len(set(names)) != len(names):
            raise ValueError(f"steps named twice: {names}")
        for step in self.steps:
            if not step.sources <= known or (step.target is not None and step.target not in known):
                raise ValueError(f"step {step.name!r} names a state the workflow does not have")

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.steps)

    def label_of(self, state: str) -> str:
        return str(self.states(state).label)

    def refusal(self, name: str, state: str, user=None, record=None) -> str:
        """Why step `name` may not be taken from `state` ("" when it may): the state first, then, given the
        record, its check and the user's place on it (the system, user None, has every place). The role
        is apart (Step.allows)."""
        try:
            step = self.step(name)
        except KeyError:
            return _("不支持的操作：%(name)s") % {"name": name}
        if state not in step.sources:
            message = step.refused or self.refused or _("当前状态为“%(state)s”，不能%(step)s")
            return message % {"state": self.label_of(state), "step": step.label}
        if record is None:
            return ""
        reason = step.refusal(user, record)
        if not reason and step.actor is not None and user is not None and not step.actor(user, record):
            reason = (step.forbidden or self.forbidden or _("您不能%(step)s")) % {"step": step.label}
        return reason

    def allows(self, name: str, state: str, user=None, record=None) -> bool:
        """Whether step `name` may be taken from `state` (given the record, by the user on it)."""
        return not self.refusal(name, state, user, record)


def allowed_steps(workflow: Workflow, state: str, user, record=None) -> list[Step]:
    """The steps leaving `state` that the user's role allows, in the table's order; given the record,
    only those its checks and the user's place on it let the user take."""
    return [step for step in workflow.steps
            if state in step.sources and step.allows(user) and workflow.allows(step.name, state, user, record)]


def legal_step(workflow: Workflow, name: str, state: str, *, user=None, record=None, error=ValidationError) -> Step:
    """The step `name` of the workflow, if it may be taken from `state` (and, given the record, if its
    check and the user's place on it let the user take it); else `error` (a ValidationError, or
    PermissionDenied where a refused step is a 403) in Chinese saying why. The role is checked apart
    (Step.require: 403), so that each service keeps its own order of 404, 403 and refusals."""
    reason = workflow.refusal(name, state, user, record)
    if reason:
        raise error(reason)
    return workflow.step(name)
