"""Reads of problems, orders, meetings and inspections, always through the scoping rule.

A user sees a problem when they see its project (the ledger's rule), when their unit handles or
helps with it, or when they are the leader it was escalated to; an order when they see its project
or their unit is the one it was issued to. Anything else answers 404.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from tuijin.core.exceptions import NotFound
from tuijin.org.choices import Role
from tuijin.org.models import Unit
from tuijin.org.selectors import user_access

from .choices import (
    ACTIVE_PROBLEM_STATES,
    OPEN_ORDER_STATES,
    Interval,
    Ladder,
    ProblemAction,
    ProblemStatus,
)
from .filtersets import OrderFilterSet, ProblemFilterSet
from .models import (
    Event,
    Inspection,
    Meeting,
    MeetingCadence,
    Problem,
    ProblemQuerySet,
    ProblemType,
    SupervisionOrder,
    leader_of,
    unit_ids,
)

PROBLEM_RELATED = ("project", "type", "handling_unit", "coordinating_leader", "raised_by")
ORDER_RELATED = ("project", "unit", "issued_by", "problem")
# What a list row shows (the _problem_rows / _order_rows tables), nothing more: lists of thousands.
PROBLEM_ROW = ("project", "type", "handling_unit", "coordinating_leader")
ORDER_ROW = ("project", "unit")
PROBLEM_ROW_FIELDS = ("id", "project", "project__name", "type", "type__name", "description", "status", "level", "deadline",
                      "raised_on", "handling_unit", "handling_unit__name", "coordinating_leader", "coordinating_leader__name")
ORDER_ROW_FIELDS = ("id", "project", "project__name", "unit", "unit__name", "year", "seq", "status", "content", "reply_by",
                    "rectify_by", "issued_on")


def not_found(model) -> NotFound:
    """The domain's 404 for a record the user does not see (it may exist: the message never says)."""
    return NotFound(_("%(model)s不存在或不在您的范围内") % {"model": model._meta.verbose_name})


def get_visible(queryset, pk):
    """The record `pk` of a scoped queryset; NotFound when the user does not see it."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise not_found(queryset.model)
    return obj


def problem_for_user(user, pk) -> Problem:
    return get_visible(Problem.objects.visible_to(user).select_related(*PROBLEM_RELATED, "report__period", "meeting", "inspection"), pk)


def order_for_user(user, pk) -> SupervisionOrder:
    return get_visible(SupervisionOrder.objects.visible_to(user).select_related(*ORDER_RELATED, "meeting", "inspection"), pk)


def meeting_for_user(user, pk) -> Meeting:
    return get_visible(Meeting.objects.visible_to(user).select_related("chair", "region", "created_by"), pk)


def inspection_for_user(user, pk) -> Inspection:
    return get_visible(Inspection.objects.visible_to(user).select_related("leader", "region", "created_by"), pk)


# ----------------------------------------------------------------------------------------- lists


def problem_list(user):
    return Problem.objects.visible_to(user).select_related(*PROBLEM_ROW).only(*PROBLEM_ROW_FIELDS)


def problem_filter(user, params, today: date) -> ProblemFilterSet:
    """问题清单 of these filters as the list page reads them (ProblemFilterSet over problem_list): a screen
    that counts `.qs` and links to the list with the same parameters shows the list's own count."""
    return ProblemFilterSet(params, queryset=problem_list(user), today=today)


def order_filter(user, params, today: date) -> OrderFilterSet:
    """督办单 of these filters as the order list reads them (OrderFilterSet over the visible orders)."""
    return OrderFilterSet(params, queryset=order_rows(SupervisionOrder.objects.visible_to(user)), today=today)


def with_instruction(problems, user):
    """The problems with `instructed`: whether `user` has written a 批示 on each (a leader's to-do marks
    the ones still awaiting it)."""
    pk = getattr(user, "pk", None)
    return problems.annotate(instructed=Exists(Event.objects.filter(
        problem_id=OuterRef("pk"), action=ProblemAction.INSTRUCT, actor_id=pk)))


def problem_rows(queryset):
    """A problem list's rows: only what the table shows."""
    return queryset.select_related(*PROBLEM_ROW).only(*PROBLEM_ROW_FIELDS)


def order_rows(queryset):
    return queryset.select_related(*ORDER_ROW).only(*ORDER_ROW_FIELDS)


def deadline_order():
    return [F("deadline").asc(nulls_last=True), "id"]


def unit_inbox(user, units=None):
    """Problems the user's units handle that are not finished (待受理、办理中、已解决待销号), the
    most pressing first."""
    units = unit_ids(user) if units is None else units
    return (Problem.objects.filter(handling_unit_id__in=units, status__in=ACTIVE_PROBLEM_STATES)
            .select_related(*PROBLEM_ROW).only(*PROBLEM_ROW_FIELDS).order_by(*deadline_order()))


def cooperating_inbox(user):
    units = unit_ids(user)
    return (Problem.objects.filter(cooperating_units__in=units, status__in=ACTIVE_PROBLEM_STATES)
            .exclude(handling_unit_id__in=units).distinct().select_related(*PROBLEM_ROW).only(*PROBLEM_ROW_FIELDS).order_by(*deadline_order()))


def leader_inbox(user):
    """What was escalated to the user as a leader: their own problems at the leader level, and what
    went up to the committee for every leader."""
    leader = leader_of(user)
    query = Q(coordinating_leader=leader, level__gte=Ladder.LEADER) if leader else Q(pk__in=[])
    if user_access(user).has_role(Role.LEADER) or leader is not None:
        query |= Q(level=Ladder.COMMITTEE)
    return (Problem.objects.visible_to(user).filter(query, status__in=ACTIVE_PROBLEM_STATES)
            .select_related(*PROBLEM_ROW).only(*PROBLEM_ROW_FIELDS).order_by(*deadline_order()))


def unassigned(user):
    """待交办: raised, not yet handed to a unit (the office's desk)."""
    return (Problem.objects.visible_to(user).filter(status=ProblemStatus.PENDING, handling_unit__isnull=True)
            .select_related(*PROBLEM_ROW).only(*PROBLEM_ROW_FIELDS).order_by("raised_on", "id"))


def awaiting_verification(user):
    """已解决待销号: solved by the unit, waiting for the office or an inspector to verify and close."""
    return (Problem.objects.visible_to(user).filter(status=ProblemStatus.RESOLVED)
            .select_related(*PROBLEM_ROW).only(*PROBLEM_ROW_FIELDS).order_by("deadline", "id"))


def order_inbox(user):
    return (SupervisionOrder.objects.filter(unit_id__in=unit_ids(user), status__in=OPEN_ORDER_STATES)
            .select_related(*ORDER_ROW).only(*ORDER_ROW_FIELDS).order_by("reply_by", "id"))


def overdue_problems(user, today: date):
    return Problem.objects.visible_to(user).overdue(today).select_related(*PROBLEM_ROW).only(*PROBLEM_ROW_FIELDS).order_by("deadline", "id")


def due_soon_problems(user, today: date):
    return Problem.objects.visible_to(user).due_soon(today).select_related(*PROBLEM_ROW).only(*PROBLEM_ROW_FIELDS).order_by("deadline", "id")


def overdue_orders(user, today: date):
    return SupervisionOrder.objects.visible_to(user).overdue(today).select_related(*ORDER_ROW).only(*ORDER_ROW_FIELDS).order_by("reply_by", "id")


def due_soon_orders(user, today: date):
    return SupervisionOrder.objects.visible_to(user).due_soon(today).select_related(*ORDER_ROW).only(*ORDER_ROW_FIELDS).order_by("reply_by", "id")


def overdue_summary(today: date | None = None) -> dict:
    """The daily overdue check (a scheduled job, `TUIJIN_SCHEDULES["overdue"]`; `tuijin problems overdue`
    lists the same rows): how many problems and supervision orders are past their deadline today."""
    from django.utils import timezone

    today = today or timezone.localdate()
    return {"date": today.isoformat(), "problems": Problem.objects.overdue(today).count(),
            "orders": SupervisionOrder.objects.overdue(today).count()}


def days_overdue(deadline: date | None, today: date) -> int:
    return (today - deadline).days if deadline and deadline < today else 0


# ------------------------------------------------------------------------------------ statistics

GROUPS = {"unit": "handling_unit_id", "type": "type_id", "month": "raised_on"}


@dataclass
class StatRow:
    key: object
    label: str
    total: int
    closed: int
    unsolvable: int
    open: int
    overdue: int
    days: int = 0  # sum of days_to_close over the closed ones, so averages combine exactly

    @property
    def rate(self) -> float | None:
        """办结率: closed off (销号) of all raised, in percent."""
        return round(self.closed * 100 / self.total, 1) if self.total else None

    @property
    def avg_days(self) -> float | None:
        return round(self.days / self.closed, 1) if self.closed else None

    def add(self, other: "StatRow") -> None:
        for name in ("total", "closed", "unsolvable", "open", "overdue", "days"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def closure_stats(user, by: str, today: date, start: date | None = None, end: date | None = None) -> list[StatRow]:
    """办结率 and the average days to close, grouped by handling unit, type or month raised: one grouped
    query with filtered counts (months are folded from days in Python: SQLite would call a function
    for every row to truncate dates)."""
    key = GROUPS[by]
    rows = Problem.objects.visible_to(user)
    if start:
        rows = rows.filter(raised_on__gte=start)
    if end:
        rows = rows.filter(raised_on__lte=end)
    data = list(rows.values(key).annotate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(status=ProblemStatus.CLOSED)),
        unsolvable=Count("pk", filter=Q(status=ProblemStatus.UNSOLVABLE)),
        open=Count("pk", filter=Q(status__in=ACTIVE_PROBLEM_STATES)),
        overdue=Count("pk", filter=ProblemQuerySet.overdue_q(today)),
        days=Sum("days_to_close", filter=Q(status=ProblemStatus.CLOSED)),
    ).order_by(key))
    # Names afterwards, from the few hundred groups (no join on 100,000 rows).
    model = {"unit": Unit, "type": ProblemType}.get(by)
    names = dict(model.objects.filter(pk__in=[r[key] for r in data if r[key]]).values_list("pk", "name")) if model else {}
    result: dict = {}
    for row in data:
        if by == "month":
            day = row[key]
            ident, name = day.replace(day=1), f"{day.year}年{day.month}月"
        else:
            ident, name = row[key], names.get(row[key]) or "（未交办）"
        stat = StatRow(ident, name, row["total"], row["closed"], row["unsolvable"], row["open"], row["overdue"], row["days"] or 0)
        if ident in result:
            result[ident].add(stat)
        else:
            result[ident] = stat
    rows = list(result.values())
    if by != "month":
        rows.sort(key=lambda r: (-(r.rate or 0), -r.total, r.label))
    return rows


def stat_total(rows: list[StatRow]) -> StatRow:
    total = StatRow(None, "合计", 0, 0, 0, 0, 0, 0)
    for row in rows:
        total.add(row)
    return total


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
    problem_count: int
    order_count: int


def next_due(cadence: MeetingCadence, last_on: date | None, today: date) -> date:
    """One interval after the last one held: a date in the past means it is late, and the page says
    so. Without any record yet, the rhythm's first date rolled forward to today or later."""
    if last_on:
        return add_interval(last_on, cadence.interval)
    day = cadence.first_on
    while day < today:
        day = add_interval(day, cadence.interval)
    return day


def cadences(user, today: date, limit: int = 20) -> list[CadenceDue]:
    """Each active rhythm with its next date and the open problems and orders due by then."""
    result = []
    for cadence in MeetingCadence.objects.filter(is_active=True):
        if cadence.meeting_kind:
            last = Meeting.objects.visible_to(user).filter(kind=cadence.meeting_kind, held_on__lte=today).order_by("-held_on", "-id").first()
        else:
            last = Inspection.objects.visible_to(user).filter(kind=cadence.inspection_kind, held_on__lte=today).order_by("-held_on", "-id").first()
        next_on = next_due(cadence, last.held_on if last else None, today)
        problems = (Problem.objects.visible_to(user).due_by(next_on)
                    .select_related(*PROBLEM_ROW).only(*PROBLEM_ROW_FIELDS).order_by("deadline", "id"))
        orders = (SupervisionOrder.objects.visible_to(user).due_by(next_on)
                  .select_related(*ORDER_ROW).only(*ORDER_ROW_FIELDS).order_by("reply_by", "id"))
        result.append(CadenceDue(cadence, last, next_on, list(problems[:limit]), list(orders[:limit]), next_on < today,
                                 problems.count(), orders.count()))
    return result
