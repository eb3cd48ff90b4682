"""挂图作战's layout: where the wall chart's rows (selectors.wall_projects) fall on its time axis, in percent
of the axis, for the page (its JSON, drawn by static/tuijin/wall.js) and for the print page
(exporting.py). One layout, two renderers: the page and the paper show the same marks at the same places.

The axis is a window of time: this year (January to December, the default) or the whole plan (from the
first node to the last); a node outside the window is counted at the edge of its row, not drawn.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from tuijin.projects.choices import Light

from .choices import MilestoneStatus, WallGrouping, WallWindow
from .selectors import WallData, WallProject

MARGIN = timedelta(days=7)  # today stays on the whole-plan axis with a week either side
MONTHS = (None, pgettext_lazy("month on a time axis", "1月"), pgettext_lazy("month on a time axis", "2月"),
          pgettext_lazy("month on a time axis", "3月"), pgettext_lazy("month on a time axis", "4月"),
          pgettext_lazy("month on a time axis", "5月"), pgettext_lazy("month on a time axis", "6月"),
          pgettext_lazy("month on a time axis", "7月"), pgettext_lazy("month on a time axis", "8月"),
          pgettext_lazy("month on a time axis", "9月"), pgettext_lazy("month on a time axis", "10月"),
          pgettext_lazy("month on a time axis", "11月"), pgettext_lazy("month on a time axis", "12月"))


@dataclass(frozen=True)
class Window:
    key: str
    start: date  # the first day on the axis
    end: date  # the day after the last

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def x(self, day: date | None) -> float | None:
        """Where `day` falls, in percent of the axis; None outside the window (or no date)."""
        if day is None or not self.start <= day < self.end:
            return None
        return round((day - self.start).days * 100 / self.days, 3)

    def span(self, first: date | None, last: date | None) -> tuple[float, float] | None:
        """(left, width) of the days `first` to `last` (both shown), cut to the window; None when they lie
        outside it. At least a sliver wide, so a one-day span still shows."""
        if first is None or last is None:
            return None
        first, last = min(first, last), max(first, last)
        if last < self.start or first >= self.end:
            return None
        left = (max(first, self.start) - self.start).days * 100 / self.days
        right = (min(last + timedelta(days=1), self.end) - self.start).days * 100 / self.days
        return round(left, 3), round(max(right - left, 0.3), 3)

    def label(self) -> str:
        if self.key == WallWindow.YEAR:
            return _("%(y)s年") % {"y": self.start.year}
        last = self.end - timedelta(days=1)
        return _("%(a)s至%(b)s") % {"a": _month_label(self.start), "b": _month_label(last)}


def _month_label(day: date) -> str:
    return _("%(y)s年%(m)s月") % {"y": day.year, "m": day.month}


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def window_of(key: str, today: date, data: WallData | None = None) -> Window:
    """This year's window, or the whole plan's of `data`'s rows: from the month of the first date any
    of their nodes has (planned, baseline, actual) to the month of the last, today always inside."""
    if key != WallWindow.ALL:
        return Window(WallWindow.YEAR, date(today.year, 1, 1), date(today.year + 1, 1, 1))
    days = [today - MARGIN, today + MARGIN]
    for row in data.projects if data else []:
        days += [d for d in (row.first, row.last) if d]
        days += [d for m in row.nodes for d in (m.starts, m.planned_date, m.baseline_starts, m.baseline_date, m.actual_date) if d]
    return Window(WallWindow.ALL, _month_start(min(days)), _next_month(max(days)))


@dataclass
class Axis:
    ticks: list[tuple[float, float, str]]  # (left, width, label) of each labelled stretch
    lines: list[float]  # where each month (each quarter over years) starts


def axis(window: Window) -> Axis:
    """The axis' labels: a month each over up to 18 months, a quarter each up to four years, else a year
    each (the year said at the first label and wherever it changes); a thin line at each month (each
    quarter over years)."""
    months = 0
    month = window.start
    while month < window.end:
        months += 1
        month = _next_month(month)
    step = 1 if months <= 18 else 3 if months <= 48 else 12
    ticks, lines = [], []
    month = previous = window.start
    while month < window.end:
        following = month
        for _i in range(step):
            following = min(_next_month(following), window.end)
        if step == 12:
            label = _("%(y)s年") % {"y": month.year}
        elif window.key == WallWindow.YEAR or (ticks and month.year == previous.year):
            label = str(MONTHS[month.month])
        else:  # the first label, and the first of each year, says the year
            label = _month_label(month)
        previous = month
        left = window.x(month) or 0.0
        ticks.append((left, round((window.x(following) if following < window.end else 100.0) - left, 3), label))
        inner = month
        while inner < following:
            if step < 12 or inner.month % 3 == 1:
                lines.append(window.x(inner) or 0.0)
            inner = _next_month(inner)
        month = following
    return Axis(ticks, lines)


# ------------------------------------------------------------------------------------------- a row


@dataclass
class RowMarks:
    """What a project row draws: its plan's bar (`summary`) with the done part (`done`), a diamond per
    node in the window (x, status), and how many nodes lie before and after the window, with the index
    (in row.nodes) of the nearest of each (None when there is none)."""

    summary: tuple[float, float] | None
    done: tuple[float, float] | None
    diamonds: list[tuple[float, str]]
    before: int
    after: int
    before_node: int | None
    after_node: int | None


def row_marks(row: WallProject, window: Window) -> RowMarks:
    summary = window.span(row.first, row.last)
    done = window.span(row.first, row.done_to) if row.done_to else None
    diamonds, before, after = [], [], []
    for index, m in enumerate(row.nodes):
        x = window.x(m.planned_date)
        if x is not None:
            diamonds.append((x, str(m.status)))
        elif m.planned_date and m.planned_date < window.start:
            before.append(index)
        elif m.planned_date:
            after.append(index)
    return RowMarks(summary, done, diamonds, len(before), len(after), before[-1] if before else None,
                    after[0] if after else None)


def progress_words(row: WallProject) -> list[tuple[str, str]]:
    """What the row says in words, as (text, a date kept on one line): the overdue nodes (days late), the
    next node due, how many are done."""
    late = [m for m in row.nodes if m.status == MilestoneStatus.OVERDUE]
    lines = []
    if late:
        lines.append((_("逾期：%(nodes)s") % {"nodes": "、".join(
            _("%(name)s（%(n)s天）") % {"name": m.name, "n": m.days_late} for m in late[:3])
            + ("…" if len(late) > 3 else "")}, ""))
    upcoming = [m for m in row.nodes if m.status in (MilestoneStatus.DUE_SOON, MilestoneStatus.PLANNED)]
    if upcoming:
        lines.append((_("下一节点：%(name)s") % {"name": upcoming[0].name}, upcoming[0].planned_date.isoformat()))
    lines.append((_("已完成%(done)s/%(n)s个节点") % {"done": row.done, "n": len(row.nodes)}, ""))
    return lines


def progress_title(row: WallProject) -> str:
    text = _("已完成%(done)s/%(n)s个节点") % {"done": row.done, "n": len(row.nodes)}
    return text + (_("，%(n)s个已逾期") % {"n": row.overdue} if row.overdue else "")


def group_counts(group) -> str:
    """A group heading's count: 12个项目, or 12个项目（本页7个） when the group runs over two pages."""
    text = ngettext("%(n)s个项目", "%(n)s个项目", group.projects) % {"n": group.projects}
    if group.shown != group.projects:
        text += _("（本页%(n)s个）") % {"n": group.shown}
    return text


def leaders_title(row: WallProject) -> str:
    """分包领导：王建国；挂点领导：李明."""
    return _("；").join(_("%(role)s：%(name)s") % {"role": role, "name": name} for role, name in row.leader_roles)


# ------------------------------------------------------------------------------------------ the JSON


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def payload(data: WallData, window: Window, today: date, group: str) -> dict:
    """The page's JSON (wall.js): the axis, the groups and one row per project with its marks and its
    nodes (the rows shown when the project is expanded), every position in percent of the axis.

    A node's words (its tooltip, its state) are put together by wall.js from `words`, the templates in the
    page's language: translating them once, not once per node, keeps 500 projects' answer fast."""
    head, tail = reverse("schedules:project", args=[918273645]).split("918273645")
    lights = {value: str(label) for value, label in Light.choices}
    shown_axis = axis(window)
    rows = []
    for row in data.projects:
        marks = row_marks(row, window)
        nodes = []
        for m in row.nodes:
            start = m.starts if m.starts and m.planned_date and m.starts < m.planned_date else m.planned_date
            base_start = (m.baseline_starts if m.baseline_starts and m.baseline_date and m.baseline_starts < m.baseline_date
                          else m.baseline_date)
            node = {
                "id": m.pk, "name": m.name, "planned": _iso(m.planned_date), "actual": _iso(m.actual_date),
                "status": m.status.value, "days_late": m.days_late, "x": window.x(m.planned_date),
                "bar": window.span(start, m.planned_date), "baseline": window.span(base_start, m.baseline_date),
                "actual_x": window.x(m.actual_date),
            }
            if m.status == MilestoneStatus.INFERRED:  # says what it was inferred from
                node["label"] = str(m.status_label)
            nodes.append(node)
        rows.append({
            "id": row.id, "name": row.name, "url": f"{head}{row.id}{tail}", "region": row.region, "group": row.group,
            "leaders": "、".join(row.leaders), "leaders_title": leaders_title(row),
            "light": row.light, "light_label": lights[row.light] if row.light is not None else "",
            "light_reason": row.light_reason, "done": row.done, "count": len(row.nodes), "overdue": row.overdue,
            "progress_title": progress_title(row),
            "overdue_label": _("逾期%(n)s") % {"n": row.overdue} if row.overdue else "",
            "summary": marks.summary, "done_bar": marks.done,
            "before": marks.before, "before_node": marks.before_node, "after": marks.after, "after_node": marks.after_node,
            "nodes": nodes,
        })
    return {
        "today": today.isoformat(), "today_x": window.x(today),
        "window": {"key": window.key, "start": window.start.isoformat(), "end": window.end.isoformat(),
                   "last": (window.end - timedelta(days=1)).isoformat(), "label": window.label()},
        "ticks": shown_axis.ticks, "lines": shown_axis.lines,
        "group": group, "group_label": str(WallGrouping(group).label) if group in WallGrouping.values else "",
        "groups": [{"key": g.key, "name": g.name, "projects": g.projects, "shown": g.shown, "red": g.red,
                    "yellow": g.yellow, "counts": group_counts(g)} for g in data.groups] if group else [],
        "lights": {str(value): label for value, label in lights.items()},
        "rows": rows, "total": data.total, "page": data.page, "pages": data.pages, "per_page": data.per_page,
        "truncated": data.pages > 1, "without_plan": data.without_plan, "note": note(data),
        "statuses": {s.value: str(s.label) for s in MilestoneStatus},
        "words": {
            # 主体封顶：计划2026-05-01，已逾期（12天），实际2026-05-13
            "title": _("%(name)s：%(when)s，%(state)s"), "planned": _("计划%(d)s"), "unscheduled": _("未排期"),
            "days": _("（%(n)s天）"), "actual": _("，实际%(d)s"),
            "after": _("%(n)s个节点在%(d)s以后，最近的：%(node)s"), "before": _("%(n)s个节点在%(d)s以前，最近的：%(node)s"),
        },
    }


def note(data: WallData) -> str:
    """The line above the chart: how many projects, which of them this page shows, and how many of the
    filtered projects have no node plan at all."""
    text = ngettext("共%(n)s个项目", "共%(n)s个项目", data.total) % {"n": data.total}
    if data.pages > 1:
        first = (data.page - 1) * data.per_page + 1
        text += _("，本页第%(a)s–%(b)s个") % {"a": first, "b": first + len(data.projects) - 1}
    if data.without_plan:
        text += ngettext("；另有%(n)s个项目尚未编制节点计划", "；另有%(n)s个项目尚未编制节点计划",
                         data.without_plan) % {"n": data.without_plan}
    return text
