"""落地地图: one city's districts coloured by a figure, and the projects that have a location as points.

Every number is the figures layer's: the districts' values are `figures.selectors.figures` grouped by region
rolled up to 县区 with the ledger's filters, and the points are the very projects those figures count
(`figures.selectors.projects_of`), each with its ledger row's 本年累计完成 (the figures' own expression). So a
district's 项目数 is the count of the ledger opened from it, and the points plus the projects without a
location are the total.

The map shows one city (district boundaries are bundled per city, `org.geo`): the city of the region chosen in
the filter, else the user's own city; a user above the cities (the province's office) sees the first city of
the province, and picks another with the region filter. Districts with no boundary (development zones, a
city's own 本级 projects) are marked at the middle of their projects' points and listed beside the map.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.parsing import parse_id
from tuijin.figures import sources
from tuijin.figures.dimensions import REGION_LEVELS, SELF
from tuijin.figures.registry import FIGURES, display
from tuijin.figures.selectors import FiguresError, figures, period_of, projects_of
from tuijin.org.choices import RegionLevel
from tuijin.org.geo import boundary_url, path_codes
from tuijin.org.models import Region
from tuijin.org.selectors import regions_visible_to, user_access
from tuijin.projects.choices import Light
from tuijin.projects.selectors import YEAR_PLAN, with_year_plan
from tuijin.reports.figures import percent

# The figures a district may be coloured by (the first is the default), and what colours mean for each:
# "good_high" (完成率: red → green), "diverging" (序时偏差: behind red, ahead green), "bad_high" (红灯: more is
# redder), "neutral" (counts and money).
MAP_FIGURES = {
    "plan_rate": "good_high",
    "deviation_points": "diverging",
    "red_projects": "bad_high",
    "projects": "neutral",
    "completed": "neutral",
}
# What a district's tooltip shows besides the chosen figure.
KEYS = ("projects", "annual_plan", "completed", "plan_rate", "time_progress", "deviation_points", "red_projects")
LIGHTS = {Light.GREEN: "green", Light.YELLOW: "yellow", Light.RED: "red"}
LIGHT_LABELS = {Light.GREEN: gettext_lazy("绿灯"), Light.YELLOW: gettext_lazy("黄灯"), Light.RED: gettext_lazy("红灯")}


@dataclass
class MapDistrict:
    """A group of the figures (a 县区, a zone, the city's 本级): its figures and the ledger listing them."""

    code: str
    name: str
    level: str  # district, county, zone, or "self" (the city's own projects)
    values: dict
    ledger: str | None
    points: int = 0
    centre: tuple[float, float] | None = None  # (lng, lat): the middle of its points
    label: str = ""  # the name as the map writes it beside a marker (short_name)


@dataclass
class MapData:
    city: Region | None
    geo: str | None  # the URL of the city's district boundaries, None when none is bundled
    figure: str
    label: str  # 截至2026年10月，已审核填报
    period: str
    districts: list[MapDistrict]
    total: dict
    total_ledger: str | None
    points: list[dict]
    without_location: int
    other_cities: int = 0  # points the user sees outside the city shown (not drawn)

    def as_json(self) -> dict:
        figure = FIGURES[self.figure]
        return {
            "city": {"code": self.city.code, "name": self.city.name} if self.city is not None else None,
            "geo": self.geo, "period": self.period, "label": self.label,
            "figure": {"key": figure.key, "label": str(figure.label), "unit": figure.unit, "kind": figure.kind,
                       "scale": MAP_FIGURES[figure.key], "definition": str(figure.definition)},
            "figures": [{"key": key, "label": str(FIGURES[key].label)} for key in MAP_FIGURES],
            "districts": [_district_json(d, self.figure) for d in self.districts],
            "total": {"values": _values_json(self.total), "text": display(self.total.get(self.figure),
                                                                           figure.kind),
                      "ledger": self.total_ledger},
            "points": self.points, "without_location": self.without_location, "other_cities": self.other_cities,
            "lights": {LIGHTS[light]: str(label) for light, label in LIGHT_LABELS.items()},
            "labels": map_labels(),
        }


def map_labels() -> dict:
    """The words the map's script writes (in the language of the request: the script has none of its own)."""
    return {
        "projects": _("项目数"), "points": _("有坐标"), "owner": _("项目业主"), "lead_unit": _("牵头单位"),
        "total": _("总投资"), "plan": _("年度计划"), "completed": _("本年累计完成"), "rate": _("完成率"),
        "money_unit": _("万元"), "open": _("查看项目"), "ledger": _("点击查看该区域的项目"),
        "no_boundary": _("无边界数据，标在其项目位置的中心"), "no_geo": _("没有该市的区县边界数据，只显示项目位置。"),
        "empty": _("没有符合条件的项目。"), "error": _("地图数据读取失败，请刷新页面重试。"),
        "light": _("预警"), "no_value": _("无数据"),
    }


def _values_json(values: dict) -> dict:
    result = {}
    for key, value in values.items():
        kind = FIGURES[key].kind
        result[key] = {"value": None if value is None else (int(value) if kind == "count" else str(value)),
                       "text": display(value, kind), "label": str(FIGURES[key].label), "unit": FIGURES[key].unit}
    return result


def _district_json(district: MapDistrict, figure: str) -> dict:
    value = district.values.get(figure)
    return {"code": district.code, "name": district.name, "label": district.label or district.name,
            "level": district.level,
            "value": None if value is None else float(value), "text": display(value, FIGURES[figure].kind),
            "values": _values_json(district.values), "ledger": district.ledger, "points": district.points,
            "centre": district.centre}


# ------------------------------------------------------------------------------------------- the city


def _city_of(region_path: str) -> Region | None:
    codes = path_codes(region_path)
    return Region.objects.filter(code__in=codes, level=RegionLevel.CITY).order_by("path").first()


def map_city(user, chosen: Region | None) -> tuple[Region | None, bool]:
    """(the city the map shows, whether the figures must be narrowed to it): the chosen region's city;
    else the user's own city (their grants' regions all in one); else, for a user above the cities, the
    first city they see, narrowed to it."""
    if chosen is not None:
        city = _city_of(chosen.path)
        if city is not None:
            return city, False
    access = user_access(user)
    paths = {grant.region_path for grant in access.grants}
    if paths and not access.is_superuser:
        cities = {_city_key(path) for path in paths}
        if len(cities) == 1 and None not in cities:
            return _city_of(min(paths, key=len)), False
    first = (regions_visible_to(user).filter(level=RegionLevel.CITY).order_by("sort", "path")
             .only("pk", "code", "name", "path").first())
    return first, first is not None


def _city_key(path: str) -> str | None:
    """The first two codes of a path (province/city) when it reaches a city's depth, else None."""
    codes = path_codes(path)
    return "/".join(codes[:2]) if len(codes) >= 2 else None


# --------------------------------------------------------------------------------------------- reads


def _ledger_url(params: dict | None) -> str | None:
    return f"{reverse('projects:list')}?{urlencode(params)}" if params is not None else None


def _query(filters) -> dict:
    if filters is None:
        return {}
    if hasattr(filters, "lists"):
        return {name: values for name, values in filters.lists()}
    return {name: value if isinstance(value, list) else [value] for name, value in filters.items()}


def _chosen_region(query: dict) -> Region | None:
    """The region named by the filter's `region` parameter (whether the user may choose it is the ledger
    filter's to say, which the figures apply: FiguresError otherwise)."""
    values = query.get("region") or [""]
    pk = parse_id(values[-1])
    return Region.objects.filter(pk=pk).only("pk", "path").first() if pk is not None else None


def map_data(user, *, period, figure: str | None = None, filters=None) -> MapData:
    """The map of `user` for `period` (a Period or its text), the districts coloured by `figure` (a key of
    MAP_FIGURES, default 完成率) and the ledger's `filters` (a QueryDict or dict). FiguresError (Chinese
    message) for a figure, period or filter the map cannot show."""
    figure = figure or next(iter(MAP_FIGURES))
    if figure not in MAP_FIGURES:
        raise FiguresError(_("地图不能按“%(key)s”着色，可选：%(all)s")
                           % {"key": figure, "all": "、".join(str(FIGURES[k].label) for k in MAP_FIGURES)})
    period = period_of(period)
    query = _query(filters)
    city, narrow = map_city(user, _chosen_region(query))
    if city is not None and narrow:
        query["region"] = [str(city.pk)]
    table = figures(user, period=period, group_by="region", region_level="district", filters=query,
                    keys=KEYS)
    districts = _districts(table)
    for district in districts:
        district.label = short_name(district.name, city)
    points, without, outside = _points(user, period, query, table, city, districts)
    return MapData(city=city, geo=boundary_url(city.code) if city is not None else None, figure=figure,
                   label=table.label, period=period.key, districts=districts, total=table.total.values,
                   total_ledger=_ledger_url(table.ledger_params()), points=points,
                   without_location=without, other_cities=outside)


# How offices shorten a development zone's name (临沂高新技术产业开发区 → 高新区), for the map's markers.
_ZONE_WORDS = (("高新技术产业开发区", "高新区"), ("经济技术开发区", "经开区"), ("经济开发区", "开发区"),
               ("产业开发区", "开发区"), ("开发区开发区", "开发区"))


def short_name(name: str, city: Region | None) -> str:
    """A zone's or district's name without its city's name in front and with the usual abbreviations:
    what fits beside a marker on the map (the table and the tooltip keep the full name)."""
    place = city.name.removesuffix("市") if city is not None else ""
    short = name.removeprefix(place) if place and name.startswith(place) and len(name) > len(place) + 1 else name
    for long, abbreviation in _ZONE_WORDS:
        short = short.replace(long, abbreviation)
    return short


def _districts(table) -> list[MapDistrict]:
    codes = [g.key.removesuffix(SELF) for g in table.groups]
    levels = dict(Region.objects.filter(code__in=codes).values_list("code", "level"))
    districts = []
    for group in table.groups:
        own = group.key.endswith(SELF)
        level = "self" if own else levels.get(group.key, "")
        params = table.ledger_params(group) if group.group is not None and group.group.offered else None
        districts.append(MapDistrict(group.key, group.name, level, group.values, _ledger_url(params)))
    return districts


def _points(user, period, query, table, city, districts) -> tuple[list[dict], int, int]:
    """The projects of the figures with a location, as the map's points (those in the city shown), how
    many have none, and how many lie in another city."""
    basis = sources.basis_for(period)
    done = basis.completion()
    projects = projects_of(user, period=period, filters=query)
    rows = (with_year_plan(projects, basis.year, done).filter(longitude__isnull=False, latitude__isnull=False)
            .order_by("pk")
            .annotate(point_done=done.expression, point_plan=F(f"{YEAR_PLAN}__planned_investment"))
            .values_list("pk", "name", "longitude", "latitude", "light", "light_reason", "region__path", "owner__name", "lead_unit__name", "total_investment", "point_plan",
                         "point_done"))
    by_code = {d.code: d for d in districts}
    city_code = city.code if city is not None else None
    light_labels = {light: str(label) for light, label in LIGHT_LABELS.items()}
    sums: dict[str, list] = defaultdict(lambda: [0.0, 0.0, 0])
    points, outside = [], 0
    zero = Decimal("0.00")
    detail = reverse("projects:detail", args=[0]).replace("/0/", "/{}/")
    for pk, name, lng, lat, light, reason, path, owner, lead, total, plan, completed in rows:
        codes = path_codes(path)
        if city_code is not None and city_code not in codes:
            outside += 1
            continue
        # The figures' group of the project (regions rolled up to 县区, the third level; above it, the
        # region's own 本级 group), as figures.dimensions.RegionDimension names it.
        depth = REGION_LEVELS["district"]
        group = codes[depth - 1] if len(codes) >= depth else f"{codes[-1]}{SELF}"
        completed = completed or zero
        plan = plan or zero
        point = {
            "id": pk, "name": name, "lng": float(lng), "lat": float(lat), "light": LIGHTS.get(light, "green"),
            "light_text": light_labels.get(light, ""), "reason": reason, "district": group,
            "owner": owner or "", "lead_unit": lead or "", "total": display(total, "money"),
            "plan": display(plan, "money"), "completed": display(completed, "money"),
            "rate": display(percent(completed, plan), "rate"),
            "url": detail.format(pk),
        }
        points.append(point)
        entry = sums[group]
        entry[0] += point["lng"]
        entry[1] += point["lat"]
        entry[2] += 1
    for code, (lng, lat, n) in sums.items():
        district = by_code.get(code)
        if district is not None:
            district.points = n
            district.centre = (round(lng / n, 6), round(lat / n, 6))
    projects_total = table.total.values.get("projects") or 0
    return points, projects_total - len(points) - outside, outside
