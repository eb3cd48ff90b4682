"""Reads of problems, orders, meetings and inspections, always through the scoping rule.

A user sees a problem when they see its project (the ledger's rule), when their unit handles or
helps with it, or when they are the leader it was escalated to; an order when they see its project
or their unit is the one it was issued to. Anything else answers 404.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.http import Http404

from tuijin.org.choices import Role
from tuijin.org.models import Leader
from tuijin.org.selectors import OFFICE_ROLES, user_access
from tuijin.projects.models import Project

from .choices import (
    ACTIVE_PROBLEM_STATES,
    DUE_SOON_DAYS,
    OPEN_ORDER_STATES,
    OPEN_PROBLEM_STATES,
    Interval,
    Ladder,
    OrderStatus,
    ProblemStatus,
)
from .models import Inspection, Meeting, MeetingCadence, Problem, SupervisionOrder

PROBLEM_RELATED = ("project", "type", "handling_unit", "coordinating_leader", "raised_by")
ORDER_RELATED = ("project", "unit", "issued_by", "problem")


def is_office(user) -> bool:
    return user_access(user).has_role(*OFFICE_ROLES)


def unit_ids(user) -> list[int]:
    """Every unit the user acts for (any role)."""
    return sorted({g.unit_id for g in user_access(user).grants})


def leader_of(user) -> Leader | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_tuijin_leader", [])
    if not cache:
        cache.append(Leader.objects.filter(user=user, is_active=True).first())
    return cache[0]


def _project_q(model, user) -> Q | None:
    access = user_access(user)
    return model.objects.all()._scope_q(access.grants, user)


def problems_visible_to(user):
    access = user_access(user)
    if access.is_superuser:
        return Problem.objects.all()
    query = _project_q(Problem, user) or Q(pk__in=[])
    units = unit_ids(user)
    if units:
        query |= Q(handling_unit_id__in=units)
        query |= Q(pk__in=Problem.cooperating_units.through.objects.filter(unit_id__in=units).values("problem_id"))
    leader = leader_of(user)
    if leader is not None:
        query |= Q(coordinating_leader=leader)
    return Problem.objects.filter(query)


def orders_visible_to(user):
    access = user_access(user)
    if access.is_superuser:
        return SupervisionOrder.objects.all()
    query = _project_q(SupervisionOrder, user) or Q(pk__in=[])
    units = unit_ids(user)
    if units:
        query |= Q(unit_id__in=units)
    return SupervisionOrder.objects.filter(query)


def _gathering_visible(model, user):
    """Meetings and inspections: those organised in the user's regions (or below), or that took up a
    project the user sees."""
    access = user_access(user)
    if access.is_superuser:
        return model.objects.all()
    if not access.grants:
        return model.objects.none()
    query = Q()
    for path in {g.region_path for g in access.grants}:
        query |= Q(region__path__startswith=path)
    through = model.projects.through
    query |= Q(pk__in=through.objects.filter(project__in=Project.objects.visible_to(user).values("pk"))
               .values(f"{model._meta.model_name}_id"))
    return model.objects.filter(query)


def meetings_visible_to(user):
    return _gathering_visible(Meeting, user)


def inspections_visible_to(user):
    return _gathering_visible(Inspection, user)


def _get(queryset, pk):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def problem_for_user(user, pk) -> Problem:
    return _get(problems_visible_to(user).select_related(*PROBLEM_RELATED, "report__period", "meeting", "inspection"), pk)


def order_for_user(user, pk) -> SupervisionOrder:
    return _get(orders_visible_to(user).select_related(*ORDER_RELATED, "meeting", "inspection"), pk)


def meeting_for_user(user, pk) -> Meeting:
    return _get(meetings_visible_to(user).select_related("chair", "region", "created_by"), pk)


def inspection_for_user(user, pk) -> Inspection:
    return _get(inspections_visible_to(user).select_related("leader", "region", "created_by"), pk)


# ----------------------------------------------------------------------------------------- lists


def problem_list(user):
    return problems_visible_to(user).select_related(*PROBLEM_RELATED)


def deadline_order():
    return [F("deadline").asc(nulls_last=True), "id"]


def unit_inbox(user, units=None):
    """Problems the user's units handle that are not finished (待受理、办理中、已解决待销号), the
    most pressing first."""
    units = unit_ids(user) if units is None else units
    return (Problem.objects.filter(handling_unit_id__in=units, status__in=ACTIVE_PROBLEM_STATES)
            .select_related(*PROBLEM_RELATED).order_by(*deadline_order()))


def cooperating_inbox(user):
    units = unit_ids(user)
    return (Problem.objects.filter(cooperating_units__in=units, status__in=ACTIVE_PROBLEM_STATES)
            .exclude(handling_unit_id__in=units).distinct().select_related(*PROBLEM_RELATED).order_by(*deadline_order()))


def leader_inbox(user):
    """What was escalated to the user as a leader: their own problems at the leader level, and what
    went up to the committee for every leader."""
    leader = leader_of(user)
    query = Q(coordinating_leader=leader, level__gte=Ladder.LEADER) if leader else Q(pk__in=[])
    if user_access(user).has_role(Role.LEADER) or leader is not None:
        query |= Q(level=Ladder.COMMITTEE)
    return (problems_visible_to(user).filter(query, status__in=ACTIVE_PROBLEM_STATES)
            .select_related(*PROBLEM_RELATED).order_by(*deadline_order()))


def order_inbox(user):
    return (SupervisionOrder.objects.filter(unit_id__in=unit_ids(user), status__in=OPEN_ORDER_STATES)
            .select_related(*ORDER_RELATED).order_by("reply_by", "id"))


def overdue_problems(user, today: date):
    return (problems_visible_to(user).filter(status__in=OPEN_PROBLEM_STATES, deadline__lt=today)
            .select_related(*PROBLEM_RELATED).order_by("deadline", "id"))


def due_soon_problems(user, today: date):
    return (problems_visible_to(user)
            .filter(status__in=OPEN_PROBLEM_STATES, deadline__gte=today, deadline__lte=today + timedelta(days=DUE_SOON_DAYS))
            .select_related(*PROBLEM_RELATED).order_by("deadline", "id"))


def overdue_orders_q(today: date) -> Q:
    return (Q(status=OrderStatus.ISSUED, reply_by__lt=today)
            | Q(status=OrderStatus.RECTIFYING, rectify_by__lt=today))


def overdue_orders(user, today: date):
    return orders_visible_to(user).filter(overdue_orders_q(today)).select_related(*ORDER_RELATED).order_by("reply_by", "id")


def due_soon_orders(user, today: date):
    soon = today + timedelta(days=DUE_SOON_DAYS)
    return (orders_visible_to(user)
            .filter(Q(status=OrderStatus.ISSUED, reply_by__gte=today, reply_by__lte=soon)
                    | Q(status=OrderStatus.RECTIFYING, rectify_by__gte=today, rectify_by__lte=soon))
            .select_related(*ORDER_RELATED).order_by("reply_by", "id"))


def days_overdue(deadline: date | None, today: date) -> int:
    return (today - deadline).days if deadline and deadline < today else 0


# ------------------------------------------------------------------------------------ statistics

GROUPS = {
    "unit": ("handling_unit_id", "handling_unit__name"),
    "type": ("type_id", "type__name"),
    "month": ("month", None),
}


@dataclass
class StatRow:
    key: object
    label: str
    total: int
    closed: int
    unsolvable: int
    open: int
    overdue: int
    avg_days: float | None

    @property
    def rate(self) -> float | None:
        """办结率: closed off (销号) of all raised, in percent."""
        return round(self.closed * 100 / self.total, 1) if self.total else None


def closure_stats(user, by: str, today: date, start: date | None = None, end: date | None = None) -> list[StatRow]:
    """办结率 and the average days to close, grouped by handling unit, type or month raised."""
    key, label = GROUPS[by]
    rows = problems_visible_to(user)
    if start:
        rows = rows.filter(raised_on__gte=start)
    if end:
        rows = rows.filter(raised_on__lte=end)
    if by == "month":
        rows = rows.annotate(month=TruncMonth("raised_on"))
        fields = ["month"]
    else:
        fields = [key, label]
    data = (rows.values(*fields).annotate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(status=ProblemStatus.CLOSED)),
        unsolvable=Count("pk", filter=Q(status=ProblemStatus.UNSOLVABLE)),
        open=Count("pk", filter=Q(status__in=ACTIVE_PROBLEM_STATES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_PROBLEM_STATES, deadline__lt=today)),
        avg_days=Avg("days_to_close"),
    ).order_by(*fields))
    result = []
    for row in data:
        if by == "month":
            month = row["month"]
            ident, name = month, f"{month.year}年{month.month}月" if month else "—"
        else:
            ident, name = row[key], row[label] or "（未交办）"
        avg = row["avg_days"]
        result.append(StatRow(ident, name, row["total"], row["closed"], row["unsolvable"], row["open"],
                              row["overdue"], round(float(avg), 1) if avg is not None else None))
    if by != "month":
        result.sort(key=lambda r: (-(r.rate or 0), -r.total))
    return result


def stat_total(rows: list[StatRow]) -> StatRow:
    closed_days = [(r.avg_days, r.closed) for r in rows if r.avg_days is not None and r.closed]
    weight = sum(n for _d, n in closed_days)
    avg = round(sum(d * n for d, n in closed_days) / weight, 1) if weight else None
    return StatRow(None, "合计", sum(r.total for r in rows), sum(r.closed for r in rows), sum(r.unsolvable for r in rows),
                   sum(r.open for r in rows), sum(r.overdue for r in rows), avg)


# --------------------------------------------------------------------------------------- cadence


def add_interval(day: date, interval: str) -> date:
    if interval == Interval.WEEK:
        return day + timedelta(days=7)
    if interval == Interval.HALF_MONTH:
        return day + timedelta(days=15)
    months = {Interval.MONTH: 1, Interval.TWO_MONTHS: 2, Interval.QUARTER: 3}[interval]
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


@dataclass
class CadenceDue:
    cadence: MeetingCadence
    last: object  # the last meeting or inspection of its kind, or None
    next_on: date
    problems: list
    orders: list
    is_late: bool


def next_due(cadence: MeetingCadence, last_on: date | None) -> date:
    """One interval after the last one held (or the rhythm's first date): a date in the past means
    the meeting is late, and the page says so."""
    return add_interval(last_on, cadence.interval) if last_on else cadence.first_on


def cadences(user, today: date, limit: int = 20) -> list[CadenceDue]:
    """Each active rhythm with its next date and the open problems and orders due by then."""
    result = []
    for cadence in MeetingCadence.objects.filter(is_active=True):
        if cadence.meeting_kind:
            last = meetings_visible_to(user).filter(kind=cadence.meeting_kind, held_on__lte=today).order_by("-held_on", "-id").first()
        else:
            last = inspections_visible_to(user).filter(kind=cadence.inspection_kind, held_on__lte=today).order_by("-held_on", "-id").first()
        next_on = next_due(cadence, last.held_on if last else None)
        problems = list(problems_visible_to(user).filter(status__in=OPEN_PROBLEM_STATES, deadline__lte=next_on)
                        .select_related(*PROBLEM_RELATED).order_by("deadline", "id")[:limit])
        orders = list(orders_visible_to(user).filter(status__in=OPEN_ORDER_STATES)
                      .filter(Q(status=OrderStatus.ISSUED, reply_by__lte=next_on) | Q(status=OrderStatus.RECTIFYING, rectify_by__lte=next_on))
                      .select_related(*ORDER_RELATED).order_by("reply_by", "id")[:limit])
        result.append(CadenceDue(cadence, last, next_on, problems, orders, next_on < today))
    return result
