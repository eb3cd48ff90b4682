"""The cockpit (驾驶舱, issue #17 §2): the charts' data for a user, a period and the ledger's filters.

Every number is a figure of `tuijin.figures.selectors` (figures() grouped by region, category and stage;
monthly_figures() for the months); this module only chooses them, orders the bars by rank and attaches
to each chart element the address of the list it summarises: the ledger (ledger_params: the same
projects, its 合计 the same total) or the figure's drill-down (figures:explain, whose rows add up to it).
The user's scope applies as in figures(): a district clerk's cockpit is their district's.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.figures import selectors as figures
from tuijin.figures.registry import FIGURES
from tuijin.projects.choices import CanonicalStage, Light
from tuijin.projects.models import Stage

# The bars of each district and category: 年计划完成率 against 序时进度, with the amounts behind them.
GROUP_KEYS = ("projects", "annual_plan", "completed", "plan_to_date", "plan_rate", "time_progress",
              "deviation_points")
# The headline, the gauges and the lights (all of the ledger's pass, so the district grouping's total
# carries them: no query more).
TOTAL_KEYS = (*GROUP_KEYS, "total_investment", "planned_starts", "started", "start_rate", "planned_completions",
              "completions", "completion_rate", "red_projects", "yellow_projects", "green_projects")
MONTH_KEYS = ("annual_plan", "completed", "plan_to_date", "plan_rate", "time_progress", "deviation_points",
              "problems", "problems_closed", "problem_close_rate")
# The funnel's order: the canonical lifecycle (储备→前期→新开工→续建→竣工→投产→达效); 暂停 and 取消 aside.
LIFECYCLE = (CanonicalStage.RESERVE, CanonicalStage.PRELIMINARY, CanonicalStage.NEW_START,
             CanonicalStage.CONSTRUCTION, CanonicalStage.COMPLETED, CanonicalStage.OPERATING,
             CanonicalStage.EFFECTIVE)
LIGHTS = (("red", Light.RED, "red_projects"), ("yellow", Light.YELLOW, "yellow_projects"),
          ("green", Light.GREEN, "green_projects"))


def check(user, *, period, filters) -> None:
    """FiguresError (Chinese) if the period or a filter cannot be read: what the page says instead of
    charts. Reads no figure."""
    figures.ledger_filter(user, filters, figures.period_of(period).year)


def ledger_url(params: dict | None) -> str | None:
    return f"{reverse('projects:list')}?{urlencode(params)}" if params is not None else None


class _Links:
    """The addresses of the lists behind the figures, with the filters in force."""

    def __init__(self, filterset, period_key: str):
        self.filters = figures.filter_params(filterset)
        self.period = period_key
        self.base = reverse("figures:explain")

    def explain(self, figure: str, *, period: str | None = None, group: str = "total", by: str | None = None) -> str:
        params = {**self.filters, "period": period or self.period, "figure": figure, "group": group}
        if by:
            params["by"] = by
        return f"{self.base}?{urlencode(params)}"


def _ranked(table, links: _Links, by: str) -> list[dict]:
    """The groups ordered by 年计划完成率, highest first (a group without an annual plan last), each with
    its rank and its ledger."""
    order = sorted(enumerate(table.groups), key=lambda item: (item[1]["plan_rate"] is None,
                                                              -(item[1]["plan_rate"] or 0), item[0]))
    rows = []
    for rank, (_index, group) in enumerate(order, start=1):
        params = table.ledger_params(group) if group.group.offered else None
        rows.append({**group.as_json(), "rank": rank, "ledger": ledger_url(params),
                     "explain": links.explain("plan_rate", group=group.key, by=by)})
    return rows


def _funnel(table) -> tuple[list[dict], list[dict]]:
    """The stage groups (the city's own words for the stages) in lifecycle order, and those aside."""
    stages = {str(pk): (canonical, sort) for pk, canonical, sort in
              Stage.objects.filter(pk__in=[g.key for g in table.groups]).values_list("pk", "canonical", "sort")}
    funnel, aside = [], []
    for group in table.groups:
        canonical, sort = stages.get(group.key, ("", 0))
        entry = {"key": group.key, "name": group.name, "canonical": canonical, "projects": group["projects"],
                 "ledger": ledger_url(table.ledger_params(group)), "_order": sort}
        (funnel if canonical in LIFECYCLE else aside).append(entry)
    funnel.sort(key=lambda e: (LIFECYCLE.index(e["canonical"]), e["_order"]))
    for entry in (*funnel, *aside):
        entry.pop("_order")
    return funnel, aside


def _lights(table, filterset) -> list[dict]:
    """Projects by their current light, each opening the ledger with that light (none for a light the
    filters already exclude: it counts no project)."""
    chosen = filterset.form.cleaned_data.get("light")
    base = table.ledger_params()
    labels = dict(Light.choices)
    rows = []
    for key, light, figure in LIGHTS:
        link = None
        if base is not None and chosen in (None, "", str(int(light))):
            link = ledger_url({**base, "light": int(light)})
        rows.append({"key": key, "name": str(labels[light]), "projects": table.total[figure], "ledger": link})
    return rows


def _months(monthly, period, links: _Links) -> dict:
    """Each month of the year: the plan's figures every month (the plan runs to December), 累计完成 and
    the problems up to the period's last month (later months have no figures yet)."""
    last = period.last_month
    rows = []
    for month in monthly.months:
        number = month.period.number
        values = figures.GroupFigures(month.period.key, month.period.label, month.components, month.values).as_json()
        known = number <= last
        if not known:
            for key in ("completed", "plan_rate", "deviation_points", "deviation_text", "problems",
                        "problems_closed", "problem_close_rate"):
                values[key] = None
        key = month.period.key
        completed_link = None
        if known:
            # The ledger as of the month's reporting period (its 合计 is the month's 累计完成); before the
            # year's first period the ledger has none to be read as of: the drill-down lists the reports.
            completed_link = (ledger_url(monthly.ledger_params(month)) if month.basis.as_of is not None
                              else links.explain("completed", period=key))
        rows.append({**values, "month": number, "label": _("%(m)s月") % {"m": number}, "known": known,
                     "links": {
                         "completed": completed_link,
                         "plan_to_date": links.explain("plan_to_date", period=key),
                         "problems": links.explain("problems", period=key) if known else None,
                         "problems_closed": links.explain("problems_closed", period=key) if known else None,
                     }})
    return {"year": monthly.year, "rows": rows}


def _gauge(table, links: _Links, rate: str, done: str, planned: str) -> dict:
    return {"key": rate, "name": str(FIGURES[rate].label), "value": table.total.as_json()[rate],
            "done": table.total[done], "planned": table.total[planned],
            "done_label": str(FIGURES[done].label), "planned_label": str(FIGURES[planned].label),
            "definition": str(FIGURES[rate].definition), "link": links.explain(rate)}


def labels() -> dict:
    """The charts' words (translated), so the script holds none."""
    return {
        "completed": str(FIGURES["completed"].label), "plan_to_date": str(FIGURES["plan_to_date"].label),
        "annual_plan": str(FIGURES["annual_plan"].label), "plan_rate": str(FIGURES["plan_rate"].label),
        "time_progress": str(FIGURES["time_progress"].label), "deviation": str(FIGURES["deviation_points"].label),
        "projects": str(FIGURES["projects"].label), "problems": _("累计提出问题"),
        "problems_closed": _("累计销号问题"), "problem_close_rate": str(FIGURES["problem_close_rate"].label),
        "wan": _("万元"), "unit_projects": _("个"), "rank": _("第%(n)s名"), "no_plan": _("无年度计划"),
        "click_ledger": _("点击打开台账"), "click_list": _("点击查看明细"), "none": _("暂无数据"),
        "no_problems": _("本年尚无问题"),
    }


def cockpit(user, *, period, filters=None) -> dict:
    """Everything the cockpit draws, as JSON-ready values (money and rates as exact decimal strings)."""
    regions = figures.figures(user, period=period, group_by="region", filters=filters, keys=TOTAL_KEYS)
    basis = regions.basis
    links = _Links(regions.filterset, basis.period.key)
    categories = figures.figures(user, period=period, group_by="category", filters=filters, keys=GROUP_KEYS)
    stages = figures.figures(user, period=period, group_by="stage", filters=filters, keys=("projects",))
    monthly = figures.monthly_figures(user, period=period, filters=filters, keys=MONTH_KEYS)
    funnel, aside = _funnel(stages)
    total = regions.total.as_json()
    return {
        "period": basis.period.key, "period_label": basis.period.label, "span": basis.period.span_label,
        "label": regions.label, "year": basis.year,
        "total": {**total, "ledger": ledger_url(regions.ledger_params()),
                  "links": {key: links.explain(key) for key in ("plan_rate", "time_progress", "deviation_points",
                                                                "plan_to_date")}},
        "months": _months(monthly, basis.period, links),
        "regions": {"title": str(regions.dimension.label), "rows": _ranked(regions, links, "region")},
        "categories": {"title": str(categories.dimension.label), "rows": _ranked(categories, links, "category")},
        "funnel": funnel, "stages_aside": aside,
        "lights": _lights(regions, regions.filterset),
        "gauges": [_gauge(regions, links, "start_rate", "started", "planned_starts"),
                   _gauge(regions, links, "completion_rate", "completions", "planned_completions")],
        "labels": labels(),
    }
