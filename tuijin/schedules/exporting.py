"""挂图作战 as it leaves the screen: the .xlsx holds the chart's nodes, one row each (core.listexport), and
the print page is a wall chart — one row per project, its nodes as bars on one time axis, A4 landscape.
Both draw exactly the nodes the page's chart draws (selectors.gantt_milestones of the page's filters)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from tuijin.core.listexport import ListExport, Section, print_response
from tuijin.core.sheets.writer import DATE, INTEGER, Column

from .choices import MilestoneStatus

EXPORT_LIMIT = 20000  # nodes in the .xlsx (the page's chart shows GANTT_LIMIT)
WALL_LIMIT = 2000  # nodes on the wall chart
LABEL_MM_PER_CHAR = 2.3  # a node's name inside its bar (6.5pt): how much bar one character needs
TIMELINE_MM = 168  # the time axis' width on A4 landscape (the page's CSS gives it that share)


def gantt_columns() -> list[Column]:
    return [
        Column("number", _("序号"), kind=INTEGER, width=5),
        Column("project", _("项目"), width=28, wrap=True),
        Column("region", _("区域"), width=10, wrap=True),
        Column("node", _("节点"), width=20, wrap=True),
        Column("start", _("计划开始"), kind=DATE, width=11),
        Column("planned", _("计划完成"), kind=DATE, width=11),
        Column("baseline", _("基线完成"), kind=DATE, width=11),
        Column("actual", _("实际完成"), kind=DATE, width=11),
        Column("status", _("状态"), width=14, wrap=True),
        Column("late", _("逾期天数"), kind=INTEGER, width=6),
    ]


def gantt_export(found, terms, today: date) -> ListExport:
    """`found`: selectors.gantt_milestones of the page's filters. The wall chart rides along for the
    print page (`chart`)."""
    rows = []
    for number, m in enumerate(found.nodes, start=1):
        name, region = found.projects.get(m.project_id, ("", ""))
        rows.append((number, name, region, m.name, m.starts or m.planned_date, m.planned_date, m.baseline_date,
                     m.actual_date, str(m.status_label), m.days_late or None))
    left_out = found.total - len(found.nodes)
    note = _("共%(total)s个节点，仅列出前%(n)s个，请缩小筛选范围") % {"total": found.total, "n": len(found.nodes)} if left_out else ""
    return ListExport(
        name=_("挂图作战节点计划"), terms=terms, slug="gantt", stated=_("截至%(day)s") % {"day": today.isoformat()},
        sections=[Section(gantt_columns(), rows, heading=_("节点计划"), unit=_("个节点"), note=note, freeze_columns=2)],
        chart=wall_chart(found, today),
    )


# ------------------------------------------------------------------------------------ the wall chart


@dataclass
class Bar:
    left: float  # percent of the time axis
    width: float
    status: str
    label: str
    title: str


@dataclass
class WallRow:
    number: int
    project: str
    region: str
    summary: list[tuple[str, str]]
    bars: list[Bar] = field(default_factory=list)
    baselines: list[tuple[float, float]] = field(default_factory=list)  # (left, width)
    actuals: list[float] = field(default_factory=list)
    nodes: list = field(default_factory=list)


@dataclass
class WallChart:
    months: list[tuple[float, float, str]]  # (left, width, label) of each tick's span on the axis
    lines: list[float]  # where each month starts
    today: float | None
    rows: list[WallRow]
    total: int  # nodes matched
    shown: int  # nodes drawn
    legend: list[tuple[str, str]]


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def wall_chart(found, today: date, *, limit: int = WALL_LIMIT) -> WallChart:
    """One row per project of `found`, its (first `limit`) nodes as bars from the previous node's planned
    date to their own, coloured by status as on the page's chart; the baseline a thin bar under them, the
    actual date a diamond, today a red line; the row says which nodes are overdue and which is next."""
    nodes = found.nodes[:limit]
    days = [d for m in nodes for d in (m.starts, m.planned_date, m.baseline_starts, m.baseline_date, m.actual_date) if d]
    first = _month_start(min([*days, today - timedelta(days=7)]))
    last = _next_month(max([*days, today + timedelta(days=7)]))
    span = (last - first).days

    def at(day: date) -> float:
        return round((day - first).days * 100 / span, 3)

    months: list[tuple[float, float, str]] = []
    lines: list[float] = []
    month = first
    count = 0
    while month < last:
        count += 1
        month = _next_month(month)
    step = 1 if count <= 18 else 3 if count <= 48 else 12  # a label every month, quarter or year
    month = first
    while month < last:
        following = month
        for _i in range(step):
            following = min(_next_month(following), last)
        label = (_("%(y)s年") % {"y": month.year} if step == 12 else
                 _("%(y)s年%(m)s月") % {"y": month.year, "m": month.month} if month.month == 1 or month == first else
                 _("%(m)s月") % {"m": month.month})
        months.append((at(month), round(at(following) - at(month), 3), label))
        inner = month
        while inner < following:
            if step < 12 or inner.month % 3 == 1:  # over years, a line a quarter is enough
                lines.append(at(inner))
            inner = _next_month(inner)
        month = following

    rows: dict[int, WallRow] = {}
    for m in nodes:
        row = rows.get(m.project_id)
        if row is None:
            name, region = found.projects.get(m.project_id, ("", ""))
            row = rows[m.project_id] = WallRow(len(rows) + 1, name, region, [])
        row.nodes.append(m)
        if m.planned_date:
            start = m.starts if m.starts and m.starts < m.planned_date else m.planned_date
            left, right = at(start), at(m.planned_date + timedelta(days=1))
            width = max(round(right - left, 3), 0.4)
            fits = int(width * TIMELINE_MM / 100 / LABEL_MM_PER_CHAR)
            label = m.name if len(m.name) <= fits else (m.name[: fits - 1] + "…" if fits >= 3 else "")
            row.bars.append(Bar(left, width, str(m.status), label,
                                f"{m.name}：{_('计划')}{m.planned_date.isoformat()}　{m.status_label}"))
        if m.baseline_date:
            start = m.baseline_starts if m.baseline_starts and m.baseline_starts < m.baseline_date else m.baseline_date
            row.baselines.append((at(start), max(round(at(m.baseline_date + timedelta(days=1)) - at(start), 3), 0.4)))
        if m.actual_date:
            row.actuals.append(at(m.actual_date))
    for row in rows.values():
        row.summary = _summary(row.nodes, today)
    legend = [(s.value, str(s.label)) for s in (MilestoneStatus.DONE, MilestoneStatus.DONE_LATE, MilestoneStatus.INFERRED,
                                                MilestoneStatus.OVERDUE, MilestoneStatus.DUE_SOON, MilestoneStatus.PLANNED)]
    return WallChart(months, lines, at(today) if first <= today < last else None, list(rows.values()),
                     found.total, len(nodes), legend)


def _summary(nodes, today: date) -> list[tuple[str, str]]:
    """What the row says in words, as (text, date kept on one line): the overdue nodes (days late), the
    next node due, how many are done."""
    late = [m for m in nodes if m.status == MilestoneStatus.OVERDUE]
    lines = []
    if late:
        lines.append((_("逾期：%(nodes)s") % {"nodes": "、".join(
            _("%(name)s（%(n)s天）") % {"name": m.name, "n": m.days_late} for m in late[:3])
            + ("…" if len(late) > 3 else "")}, ""))
    upcoming = [m for m in nodes if m.status in (MilestoneStatus.DUE_SOON, MilestoneStatus.PLANNED)]
    if upcoming:
        lines.append((_("下一节点：%(name)s") % {"name": upcoming[0].name}, upcoming[0].planned_date.isoformat()))
    done = sum(1 for m in nodes if m.status in (MilestoneStatus.DONE, MilestoneStatus.DONE_LATE, MilestoneStatus.INFERRED))
    lines.append((_("已完成%(done)s/%(n)s个节点") % {"done": done, "n": len(nodes)}, ""))
    return lines


def gantt_print(request, export, *, back: str = ""):
    """The wall chart's print page (core.listexport.export_urls' `printed`)."""
    return print_response(request, export, back=back, template="schedules/gantt_print.html", chart=export.chart,
                          landscape=True)
