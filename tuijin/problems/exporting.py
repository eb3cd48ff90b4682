"""The problems app's lists as they leave the screen (core.listexport): 问题清单, 逾期与临期, 办结统计 and
the decisions of meetings with their live status. Each takes the rows its page lists, read by the page's
own selector and FilterSet (the views build both), and says only which columns show them."""

from datetime import date

from django.db.models import Subquery
from django.utils.translation import gettext as _

from tuijin.core.listexport import ListExport, Section
from tuijin.core.sheets.writer import DATE, INTEGER, RATE, Column

from .models import Problem, SupervisionOrder
from .selectors import ORDER_ROW_FIELDS, PROBLEM_ROW_FIELDS, days_overdue, order_rows, problem_rows

CHUNK = 2000


def problem_columns() -> list[Column]:
    return [
        Column("number", _("序号"), kind=INTEGER, width=5),
        Column("status", _("状态"), width=9, wrap=True),
        Column("project", _("项目"), width=26, wrap=True),
        Column("description", _("问题"), width=40, wrap=True),
        Column("type", _("问题类型"), width=12, wrap=True),
        Column("unit", _("责任单位"), width=18, wrap=True),
        Column("level", _("协调层级"), width=14, wrap=True),
        Column("leader", _("协调领导"), width=9, wrap=True),
        Column("deadline", _("解决时限"), kind=DATE, width=11),
        Column("late", _("逾期天数"), kind=INTEGER, width=6),
        Column("raised_on", _("提出日期"), kind=DATE, width=11),
    ]


def problem_values(problems, today: date) -> list[tuple]:
    """One row per problem as the list shows it (its full text): days overdue only while it can still
    fall overdue (待受理、办理中), as the page marks them; no handling unit yet reads 待交办."""
    waiting = _("待交办")
    rows = []
    for number, p in enumerate(problems.iterator(chunk_size=CHUNK), start=1):
        late = days_overdue(p.deadline, today) if p.is_open else 0
        rows.append((
            number, p.get_status_display(), p.project.name, p.description, p.type.name,
            p.handling_unit.name if p.handling_unit_id else waiting, p.get_level_display(),
            p.coordinating_leader.name if p.coordinating_leader_id else "", p.deadline, late or None, p.raised_on,
        ))
    return rows


def order_columns() -> list[Column]:
    return [
        Column("number", _("序号"), kind=INTEGER, width=5),
        Column("code", _("文号"), width=16),
        Column("status", _("状态"), width=8),
        Column("project", _("项目"), width=26, wrap=True),
        Column("unit", _("承办单位"), width=18, wrap=True),
        Column("content", _("督办内容"), width=44, wrap=True),
        Column("due", _("当前时限"), kind=DATE, width=11),
        Column("late", _("逾期天数"), kind=INTEGER, width=6),
        Column("issued_on", _("下发日期"), kind=DATE, width=11),
    ]


def order_values(orders, today: date) -> list[tuple]:
    rows = []
    for number, o in enumerate(orders.iterator(chunk_size=CHUNK), start=1):
        rows.append((number, o.number, o.get_status_display(), o.project.name, o.unit.name, o.content, o.due,
                     days_overdue(o.due, today) or None, o.issued_on))
    return rows


def problem_list_export(problems, terms, today: date) -> ListExport:
    """问题清单: `problems` as the page lists them (ProblemFilterSet over selectors.problem_list, its order)."""
    columns = problem_columns()
    return ListExport(
        name=_("问题清单"), terms=terms, slug="problems",
        stated=_("逾期天数截至%(day)s") % {"day": today.isoformat()},
        sections=[Section(columns, problem_values(problem_rows(problems), today), heading=_("问题清单"),
                          unit=_("件"), freeze_columns=3)],
    )


def overdue_export(which_label: str, problems, orders, today: date) -> ListExport:
    """逾期与临期: the page's tab (已逾期 or 7天内到期), its problems and every one of its orders (the page
    shows the first twenty and links to the rest)."""
    return ListExport(
        name=_("逾期与临期"), terms=[(_("时限"), which_label)], slug="overdue",
        stated=_("截至%(day)s") % {"day": today.isoformat()},
        sections=[
            Section(problem_columns(), problem_values(problem_rows(problems), today), heading=_("问题"), unit=_("件"),
                    freeze_columns=3),
            Section(order_columns(), order_values(order_rows(orders), today), heading=_("督办单"), unit=_("件"),
                    freeze_columns=2),
        ],
    )


def stats_export(rows, total, *, by_label: str, header: str, start: date | None, end: date | None) -> ListExport:
    """办结统计: the groups of selectors.closure_stats and its 合计 (selectors.stat_total), as the page
    shows them; rates and average days are the StatRow's own."""
    columns = [
        Column("label", header, width=24, wrap=True),
        Column("total", _("提出"), kind=INTEGER, width=8),
        Column("closed", _("已销号"), kind=INTEGER, width=8),
        Column("rate", _("办结率（%）"), kind=RATE, width=9),
        Column("avg_days", _("平均办结用时（天）"), kind=RATE, width=11),
        Column("open", _("未办结"), kind=INTEGER, width=8),
        Column("overdue", _("其中逾期"), kind=INTEGER, width=8),
        Column("unsolvable", _("无法解决"), kind=INTEGER, width=8),
    ]

    def values(r, label):
        return [label, r.total, r.closed, r.rate, r.avg_days, r.open, r.overdue, r.unsolvable]

    period = f"{start.isoformat() if start else _('最早')} {_('至')} {end.isoformat() if end else _('今')}"
    return ListExport(
        name=_("问题办结统计"), terms=[(_("统计口径"), by_label), (_("提出日期"), period)], slug="closure_stats",
        stated=_("办结率 = 已销号问题数 ÷ 提出问题数；平均办结用时 = 已销号问题从提出到销号的平均天数"),
        sections=[Section(columns, [values(r, r.label) for r in rows], heading=_("办结统计"),
                          totals=values(total, _("合计")), unit=_("组"))],
    )


def decision_columns() -> list[Column]:
    return [
        Column("number", _("序号"), kind=INTEGER, width=5),
        Column("held_on", _("会议日期"), kind=DATE, width=11),
        Column("kind", _("会议类型"), width=10, wrap=True),
        Column("meeting", _("会议名称"), width=22, wrap=True),
        Column("form", _("交办形式"), width=14, wrap=True),
        Column("project", _("项目"), width=22, wrap=True),
        Column("content", _("交办事项"), width=40, wrap=True),
        Column("unit", _("责任单位"), width=18, wrap=True),
        Column("deadline", _("时限"), kind=DATE, width=11),
        Column("status", _("办理状态"), width=10, wrap=True),
        Column("late", _("逾期天数"), kind=INTEGER, width=6),
    ]


def meeting_decisions_export(user, meetings, terms, today: date, *, name: str | None = None) -> ListExport:
    """Meetings (the page's, in its order) each with its decisions — the problems and 督办单 it handed
    out, as far as the user sees them (as the meeting's page lists them) — and their status now. A
    meeting that handed out nothing has one row saying so."""
    ids = Subquery(meetings.order_by().values("pk"))
    problems: dict[int, list] = {}
    decided = Problem.objects.visible_to(user).filter(meeting_id__in=ids)
    for p in problem_rows(decided).only(*PROBLEM_ROW_FIELDS, "meeting").order_by("id").iterator(chunk_size=CHUNK):
        problems.setdefault(p.meeting_id, []).append(p)
    orders: dict[int, list] = {}
    ordered = SupervisionOrder.objects.visible_to(user).filter(meeting_id__in=ids)
    for o in order_rows(ordered).only(*ORDER_ROW_FIELDS, "meeting").order_by("id").iterator(chunk_size=CHUNK):
        orders.setdefault(o.meeting_id, []).append(o)
    meetings = list(meetings.select_related(None).only("id", "kind", "title", "held_on"))
    waiting, nothing = _("待交办"), _("（未交办事项）")
    rows, decided = [], 0
    for m in meetings:
        head = (m.held_on, m.get_kind_display(), m.title)
        items = []
        for p in problems.get(m.pk, ()):
            late = days_overdue(p.deadline, today) if p.is_open else 0
            items.append((_("问题"), p.project.name, p.description, p.handling_unit.name if p.handling_unit_id else waiting,
                          p.deadline, p.get_status_display(), late or None))
        for o in orders.get(m.pk, ()):
            items.append((_("督办单 %(number)s") % {"number": o.number}, o.project.name, o.content, o.unit.name, o.due,
                          o.get_status_display(), days_overdue(o.due, today) or None))
        decided += len(items)
        for item in items or [("", "", nothing, "", None, "", None)]:
            rows.append((len(rows) + 1, *head, *item))
    note = _("%(m)s次会议，%(d)s项交办事项") % {"m": len(meetings), "d": decided}
    return ListExport(
        name=name or _("会议交办事项"), terms=terms, slug="meeting_decisions",
        stated=_("办理状态截至%(day)s") % {"day": today.isoformat()},
        sections=[Section(decision_columns(), rows, heading=_("交办事项"), note=note, unit=None, freeze_columns=4)],
    )

