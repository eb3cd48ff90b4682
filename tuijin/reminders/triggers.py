"""The scan's rules: what is due or overdue today and whom to remind of it, each reminder sent once per
thing and day (ReminderSent), through notify() so it is in the navbar's 消息 at once and leaves by the
person's channels. Overdue and awaiting things are reminded again every TUIJIN_REMIND_REPEAT_DAYS.

  report_due        an open period due in TUIJIN_REMIND_REPORT_DAYS days (default 3 and 0): each unit's
                    clerks with reports not handed in (the people 催报 reaches)
  report_overdue    an open period past its due date: the same people
  problem_overdue   a problem still 待受理/办理中 after its deadline: the handling unit's people
  order_due         a 督办单 whose reply (or rectification) deadline is TUIJIN_REMIND_ORDER_DAYS away
  order_overdue     a 督办单 past it: the unit's people
  schedule_pending  a schedule with dated nodes and no approved baseline: the office over the project
"""

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.core.notify import notify
from tuijin.org.choices import Role
from tuijin.org.models import Membership
from tuijin.org.selectors import OfficeMembers
from tuijin.problems.choices import OPEN_ORDER_STATES
from tuijin.problems.models import Problem, SupervisionOrder
from tuijin.reports.choices import EDITABLE_STATES, PeriodStatus
from tuijin.reports.models import ProgressReport, ReportPeriod
from tuijin.reports.selectors import reporters_for_units
from tuijin.schedules.models import Milestone, Schedule

from .choices import Trigger
from .models import ReminderSent


def remind_once(trigger: str, key, today: date, users, text: str, url: str, *, repeat: bool = False) -> int:
    """Notify `users` unless this reminder was already sent today (or, with `repeat`, within the last
    TUIJIN_REMIND_REPEAT_DAYS); the unique ReminderSent row makes two scans at once send it once.
    Returns the number of people told."""
    users = [u for u in users if u is not None and u.is_active]
    if not users:
        return 0
    key = str(key)
    if repeat:
        since = today - timedelta(days=max(1, settings.TUIJIN_REMIND_REPEAT_DAYS) - 1)
        if ReminderSent.objects.filter(trigger=trigger, key=key, day__gte=since, day__lte=today).exists():
            return 0
    try:
        with transaction.atomic():
            ReminderSent.objects.create(trigger=trigger, key=key, day=today, recipients=len({u.pk for u in users}))
            return len(notify(users, text, url))
    except IntegrityError:
        return 0  # another scan sent it a moment ago


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日"


def unit_people(unit_ids) -> dict[int, list]:
    """{unit id: the active people acting for it (any role but leader)}, one query."""
    found: dict[int, dict] = defaultdict(dict)
    rows = (Membership.objects.filter(unit_id__in=list(unit_ids), is_active=True, user__is_active=True)
            .exclude(role=Role.LEADER).select_related("user").order_by("user_id"))
    for member in rows:
        found[member.unit_id].setdefault(member.user_id, member.user)
    return {unit: list(people.values()) for unit, people in found.items()}


# ---------------------------------------------------------------------------------------------- reports


def reports_due(today: date) -> dict:
    told = {Trigger.REPORT_DUE: 0, Trigger.REPORT_OVERDUE: 0}
    days_before = set(settings.TUIJIN_REMIND_REPORT_DAYS)
    url = reverse("reports:inbox")
    for period in ReportPeriod.objects.filter(status=PeriodStatus.OPEN).order_by("due_on", "id"):
        left = (period.due_on - today).days
        if left >= 0 and left not in days_before:
            continue
        by_unit: dict = defaultdict(set)
        counts: dict = defaultdict(int)
        missing = ProgressReport.objects.filter(period=period, state__in=list(EDITABLE_STATES), project__is_archived=False)
        for unit, path in missing.values_list("unit_id", "project__region__path"):
            by_unit[unit].add(path)
            counts[unit] += 1
        if not by_unit:
            continue
        reached = reporters_for_units(by_unit)
        for unit in by_unit:
            if left < 0:
                trigger = Trigger.REPORT_OVERDUE
                text = _("%(period)s调度填报已超过截止日期（%(due)s），尚有%(n)s个项目未上报，请尽快填报") % {
                    "period": period.label, "due": _day(period.due_on), "n": counts[unit]}
            else:
                trigger = Trigger.REPORT_DUE
                text = (_("今天是%(period)s调度填报截止日，尚有%(n)s个项目未上报") if left == 0 else
                        _("请于%(due)s前完成%(period)s调度填报：尚有%(n)s个项目未上报")) % {
                    "period": period.label, "due": _day(period.due_on), "n": counts[unit]}
            told[trigger] += remind_once(trigger, f"{period.pk}:{unit or 0}", today, reached[unit], text, url,
                                         repeat=left < 0)
    return told


# --------------------------------------------------------------------------------------------- problems


def problems_overdue(today: date) -> dict:
    problems = list(Problem.objects.overdue(today).filter(handling_unit__isnull=False, project__is_archived=False)
                    .select_related("project").order_by("deadline", "id"))
    people = unit_people({p.handling_unit_id for p in problems})
    told = 0
    for problem in problems:
        text = _("问题已逾期%(n)s天：“%(project)s”%(text)s（解决时限%(due)s）") % {
            "n": (today - problem.deadline).days, "project": problem.project.name,
            "text": problem.description[:60], "due": _day(problem.deadline)}
        told += remind_once(Trigger.PROBLEM_OVERDUE, problem.pk, today, people.get(problem.handling_unit_id, []),
                            text, reverse("problems:detail", args=[problem.pk]), repeat=True)
    return {Trigger.PROBLEM_OVERDUE: told}


def orders_due(today: date) -> dict:
    told = {Trigger.ORDER_DUE: 0, Trigger.ORDER_OVERDUE: 0}
    days_before = set(settings.TUIJIN_REMIND_ORDER_DAYS)
    orders = list(SupervisionOrder.objects.filter(status__in=list(OPEN_ORDER_STATES), project__is_archived=False)
                  .select_related("project").order_by("id"))
    people = unit_people({o.unit_id for o in orders})
    for order in orders:
        due = order.due
        if due is None:
            continue
        left = (due - today).days
        if left >= 0 and left not in days_before:
            continue
        what = _("回复整改方案") if order.status == OPEN_ORDER_STATES[0] else _("完成整改")
        values = {"number": order.number, "project": order.project.name, "what": what, "due": _day(due), "n": -left}
        if left < 0:
            trigger, text = Trigger.ORDER_OVERDUE, _("%(number)s已逾期%(n)s天：请尽快%(what)s（%(project)s，时限%(due)s）") % values
        else:
            trigger, text = Trigger.ORDER_DUE, _("%(number)s：请于%(due)s前%(what)s（%(project)s）") % values
        told[trigger] += remind_once(trigger, f"{order.pk}:{order.status}", today, people.get(order.unit_id, []),
                                     text, reverse("problems:order", args=[order.pk]), repeat=left < 0)
    return told


# -------------------------------------------------------------------------------------------- schedules


def schedules_pending(today: date) -> dict:
    """Schedules with dated nodes whose baseline nobody has approved: the office over the project (nothing
    else tells them a clerk has laid out a schedule). Each schedule is recorded once per repeat period; each
    person gets one message listing their schedules (a city's office may have dozens on the first day)."""
    dated = Milestone.objects.filter(planned_date__isnull=False).values("project_id")
    schedules = list(Schedule.objects.filter(baseline_number=0, project_id__in=dated, project__is_archived=False)
                     .select_related("project__region").order_by("project__name", "id"))
    if not schedules:
        return {Trigger.SCHEDULE_PENDING: 0}
    since = today - timedelta(days=max(1, settings.TUIJIN_REMIND_REPEAT_DAYS) - 1)
    recent = set(ReminderSent.objects.filter(trigger=Trigger.SCHEDULE_PENDING, day__gte=since, day__lte=today)
                 .values_list("key", flat=True))
    office = OfficeMembers()
    waiting: dict[int, list] = defaultdict(list)
    people: dict[int, object] = {}
    with transaction.atomic():
        for schedule in schedules:
            if str(schedule.pk) in recent:
                continue
            project = schedule.project
            users = office.over(project.region.path, {project.lead_unit_id} if project.lead_unit_id else ())
            if not users:
                continue
            _obj, created = ReminderSent.objects.get_or_create(
                trigger=Trigger.SCHEDULE_PENDING, key=str(schedule.pk), day=today, defaults={"recipients": len(users)})
            if not created:
                continue  # another scan took it a moment ago
            for user in users:
                people[user.pk] = user
                waiting[user.pk].append(project)
        told = 0
        for pk, projects in waiting.items():
            if len(projects) == 1:
                text = _("“%(project)s”的进度计划（倒排工期）已编排，待批准基线") % {"project": projects[0].name}
                url = reverse("schedules:project", args=[projects[0].pk])
            else:
                names = "、".join(p.name for p in projects[:5])
                text = _("%(n)s个项目的进度计划（倒排工期）已编排，待批准基线：%(names)s%(more)s") % {
                    "n": len(projects), "names": names, "more": _("等") if len(projects) > 5 else ""}
                url = reverse("schedules:gantt")
            told += len(notify([people[pk]], text, url))
    return {Trigger.SCHEDULE_PENDING: told}


RULES = (reports_due, problems_overdue, orders_due, schedules_pending)


def scan(today: date) -> dict:
    """Every rule for `today`: {trigger: people told}."""
    told: dict = {}
    for rule in RULES:
        told.update(rule(today))
    return {str(k): v for k, v in told.items()}
