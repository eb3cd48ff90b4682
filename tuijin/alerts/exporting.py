"""The warnings list as it leaves the screen (core.listexport): the active alerts of the page's filters,
in its order (selectors.alert_list: the user's own projects first, red before yellow, the oldest first)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.listexport import ListExport, Section
from tuijin.core.sheets.writer import DATE, INTEGER, Column
from tuijin.projects.choices import Light

CHUNK = 2000


def alert_list_export(alerts, terms, summary) -> ListExport:
    """`alerts`: the page's AlertFilterSet queryset; `summary`: its projects by light (selectors.summary),
    as the page's heading counts them."""
    columns = [
        Column("number", _("序号"), kind=INTEGER, width=5),
        Column("light", _("灯色"), width=6),
        Column("project", _("项目"), width=30, wrap=True),
        Column("code", _("项目代码"), width=22),
        Column("region", _("区域"), width=10, wrap=True),
        Column("dimension", _("预警维度"), width=14, wrap=True),
        Column("reason", _("预警原因"), width=44, wrap=True),
        Column("first_seen", _("首次预警"), kind=DATE, width=11),
    ]
    rows = [
        (number, a.get_level_display(), a.project.name, a.project.code, a.project.region.name, a.get_dimension_display(),
         a.reason, timezone.localtime(a.first_seen).date())
        for number, a in enumerate(alerts.iterator(chunk_size=CHUNK), start=1)
    ]
    lights = summary["lights"]
    stated = _("红灯项目%(red)s个、黄灯项目%(yellow)s个、绿灯项目%(green)s个") % {
        "red": lights.get(Light.RED, 0), "yellow": lights.get(Light.YELLOW, 0), "green": lights.get(Light.GREEN, 0)}
    return ListExport(name=_("预警清单"), terms=terms, slug="warnings", stated=stated,
                      sections=[Section(columns, rows, heading=_("预警清单"), unit=_("条预警"), freeze_columns=3)])
