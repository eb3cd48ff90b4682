"""挂图作战 as it leaves the screen: the .xlsx holds the wall chart's nodes, one row each, project by project
in the chart's order (core.listexport), and the print page is the wall chart itself — one row per
project under its group's heading, its plan as a bar and its nodes as diamonds on the page's time axis,
A4 landscape, the header repeated on every sheet. Both come from the rows the page draws
(selectors.wall_projects of the page's filters, every page of them) laid out by wall.py."""

from dataclasses import dataclass, field
from datetime import date

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.listexport import ListExport, Section
from tuijin.core.sheets.writer import DATE, INTEGER, Column
from tuijin.projects.choices import Light

from . import wall
from .choices import MilestoneStatus, WallGrouping
from .selectors import WallData, WallGroup, WallProject

EXPORT_PROJECTS = 2500  # projects in the .xlsx (about 20,000 nodes)
PRINT_PROJECTS = 1000  # of them on the print page (some forty sheets of A4)
LEGEND = (MilestoneStatus.DONE, MilestoneStatus.DONE_LATE, MilestoneStatus.INFERRED, MilestoneStatus.OVERDUE,
          MilestoneStatus.DUE_SOON, MilestoneStatus.PLANNED)
GROUP_COLUMN = {WallGrouping.REGION: gettext_lazy("县区"), WallGrouping.UNIT: gettext_lazy("牵头单位"),
                WallGrouping.LEADER: gettext_lazy("分包领导")}


def gantt_columns(group: str = "") -> list[Column]:
    grouped = [Column("group", str(GROUP_COLUMN[group]), width=14, wrap=True)] if group in GROUP_COLUMN else []
    return [
        Column("number", _("序号"), kind=INTEGER, width=5),
        *grouped,
        Column("project", _("项目"), width=28, wrap=True),
        Column("region", _("区域"), width=10, wrap=True),
        Column("leaders", _("联系领导"), width=10, wrap=True),
        Column("light", _("预警"), width=6),
        Column("node", _("节点"), width=20, wrap=True),
        Column("start", _("计划开始"), kind=DATE, width=11),
        Column("planned", _("计划完成"), kind=DATE, width=11),
        Column("baseline", _("基线完成"), kind=DATE, width=11),
        Column("actual", _("实际完成"), kind=DATE, width=11),
        Column("status", _("状态"), width=14, wrap=True),
        Column("late", _("逾期天数"), kind=INTEGER, width=6),
    ]


def gantt_export(data: WallData, window: wall.Window, group: str, terms, today: date) -> ListExport:
    """`data`: selectors.wall_projects of the page's filters (one page of EXPORT_PROJECTS). The wall chart
    rides along for the print page (`chart`)."""
    lights = dict(Light.choices)
    names = {g.key: g.name for g in data.groups}
    rows = []
    for project in data.projects:
        light = str(lights[project.light]) if project.light is not None else ""
        head = [names.get(project.group, "")] if group in GROUP_COLUMN else []
        for m in project.nodes:
            rows.append((len(rows) + 1, *head, project.name, project.region, "、".join(project.leaders), light, m.name,
                         m.starts or m.planned_date, m.planned_date, m.baseline_date, m.actual_date, str(m.status_label),
                         m.days_late or None))
    note = (_("共%(total)s个项目，仅列出前%(n)s个，请缩小筛选范围") % {"total": data.total, "n": len(data.projects)}
            if data.pages > 1 else "")
    return ListExport(
        name=_("挂图作战节点计划"), terms=terms, slug="gantt", stated=_("截至%(day)s") % {"day": today.isoformat()},
        sections=[Section(gantt_columns(group), rows, heading=_("节点计划"), unit=_("个节点"), note=note,
                          freeze_columns=2 + (group in GROUP_COLUMN))],
        chart=wall_chart(data, window, group, today),
    )


# ------------------------------------------------------------------------------------ the wall chart


@dataclass
class WallRow:
    number: int
    project: WallProject
    light_label: str
    words: list[tuple[str, str]]
    marks: wall.RowMarks


@dataclass
class WallSection:
    group: WallGroup | None  # None: not grouped
    rows: list[WallRow] = field(default_factory=list)


@dataclass
class WallChart:
    axis: wall.Axis
    today: float | None
    window: str  # the time axis in words (2026年)
    grouping: str  # 按县区…, "" when not grouped
    sections: list[WallSection]
    total: int  # projects matched
    shown: int  # projects drawn
    legend: list[tuple[str, str]]


def wall_chart(data: WallData, window: wall.Window, group: str, today: date, *, limit: int = PRINT_PROJECTS) -> WallChart:
    """The print page's wall chart: the first `limit` rows of `data`, under their groups' headings."""
    lights = dict(Light.choices)
    groups = {g.key: g for g in data.groups}
    sections: list[WallSection] = []
    for number, project in enumerate(data.projects[:limit], start=1):
        heading = groups.get(project.group) if group else None
        if not sections or sections[-1].group is not heading:
            sections.append(WallSection(heading))
        sections[-1].rows.append(WallRow(
            number, project, str(lights[project.light]) if project.light is not None else "",
            wall.progress_words(project), wall.row_marks(project, window)))
    return WallChart(wall.axis(window), window.x(today), window.label(),
                     str(WallGrouping(group).label) if group else "", sections, data.total,
                     min(len(data.projects), limit), [(s.value, str(s.label)) for s in LEGEND])


def gantt_print(request, export, *, back: str = ""):
    """The wall chart's print page (core.listexport.export_urls' `printed`): A4 landscape, the chart
    instead of the .xlsx's table."""
    return render(request, "schedules/gantt_print.html", {
        "export": export, "title": export.title, "landscape": True, "back": back, "chart": export.chart,
    })
