"""What every write of the problems app shares: the ProblemChanged event, the timeline entry (Event), the
notices, the checks of free text and dates, and the records read under a row lock through the scoping rule
(NotFound when the user does not see them)."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core import events
from tuijin.core.fields import TEXT_MAX
from tuijin.core.notify import notify
from tuijin.core.workflow import legal_step
from tuijin.org.choices import Role
from tuijin.org.models import Membership
from tuijin.org.selectors import primary_unit
from tuijin.projects.models import Project

from .. import selectors
from ..events import ProblemChanged
from ..models import Event, Problem, SupervisionOrder

TEXT_LIMIT = TEXT_MAX  # core.fields: the models' limit on free text
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _changed(project_ids, user) -> None:
    ids = sorted(set(project_ids))
    transaction.on_commit(lambda: events.emit(ProblemChanged(project_ids=tuple(ids), user=user)))


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


def _begin_step(workflow, user, record, action: str, text: str):
    """The start every page-form step shares (problem_step, order_step): a step of the table taken through
    the page's step form (else 未知的操作), one the user may take on the record now (else PermissionDenied
    saying why), its text checked; returns the step, the text and the change so far (the state it leads to)."""
    if action not in workflow.names or workflow.step(action).own_form:
        raise ValidationError(_("未知的操作"))
    step = legal_step(workflow, action, record.status, user=user, record=record, error=PermissionDenied)
    text = _text(text, step.text, required=step.text_required)
    return step, text, ({"status": step.target} if step.target else {})


def _locked_problem(user, problem_id) -> Problem:
    return selectors.get_visible(Problem.objects.visible_to(user).select_for_update(of=("self",)), problem_id)


def _locked_order(user, order_id) -> SupervisionOrder:
    return selectors.get_visible(SupervisionOrder.objects.visible_to(user).select_for_update(of=("self",)), order_id)
