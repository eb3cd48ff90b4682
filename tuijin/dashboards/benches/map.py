"""落地地图's measure: `GET /dashboards/map/data/` through the Django test Client as the province's dispatcher.

The province's projects get a location first (seven in eight of them, spread over 山东; one UPDATE), since
the generated province has none. The dispatcher is above the cities, so the map shows the province's first
city (济南, about a sixteenth of the projects) with its districts coloured by 完成率 and its projects as
points; each answer's districts are checked against the figures by 县区 (`ctx.table`).

- `map_data_p95` (target ≤ 300 ms, issue #17 §6): the JSON, the default figure, every few requests another
  one (序时偏差, 红灯项目).
- `map_page_p95` (informational): the page, which carries the same data.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.urls import reverse

from tuijin.core.bench import BenchError, latency_metrics, timed_calls
from tuijin.projects.models import Project

MAP_TARGET_P95_MS = 300.0
DEFAULT_REQUESTS = 20
WARMUP = 2
FIGURE_MIX = ("plan_rate", "plan_rate", "deviation_points", "plan_rate", "red_projects")


def place_projects() -> int:
    """Give seven in eight projects a point in 山东 (115.5–122.5°E, 34.4–38.3°N), spread by their ids."""
    table = connection.ops.quote_name(Project._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET longitude = 115.5 + (id % 7001) / 1000.0, latitude = 34.4 + (id % 3907) / 1000.0 "
            "WHERE id % 8 <> 0")
        return cursor.rowcount


def measure(ctx, options) -> dict:
    placed = place_projects()
    client = Client()
    client.force_login(ctx.dispatcher)
    url = reverse("dashboards:map_data")
    page_url = reverse("dashboards:map")
    requests = options.requests or DEFAULT_REQUESTS
    checked = {}

    def data(n):
        figure = FIGURE_MIX[n % len(FIGURE_MIX)]
        response = client.get(url, {"period": ctx.period, "figure": figure})
        if response.status_code != 200:
            raise BenchError(f"the map's data answered {response.status_code}")
        if not checked:
            payload = response.json()
            for district in payload["districts"]:
                expected = ctx.table.group(district["code"])
                found = district["values"]["projects"]["value"]
                if expected is None or expected["projects"] != found:
                    raise BenchError(f"the map's {district['name']} has {found} projects, the figures "
                                     f"{expected['projects'] if expected else None}")
            if not payload["points"] or not payload["districts"]:
                raise BenchError("the map came out empty: no districts or no points")
            checked.update(city=payload["city"]["name"], districts=len(payload["districts"]),
                           points=len(payload["points"]), bytes=len(response.content))
        return response

    def page(_n):
        response = client.get(page_url, {"period": ctx.period})
        if response.status_code != 200 or b'id="district-map"' not in response.content:
            raise BenchError(f"the map page answered {response.status_code} without its map")
        return response

    rounds: dict[str, list[list[float]]] = {"data": [], "page": []}
    for number in range(1, options.rounds + 1):
        options.log(f"  map round {number}…")
        rounds["data"].append(timed_calls(data, requests, WARMUP))
        rounds["page"].append(timed_calls(page, max(5, requests // 2), WARMUP))
    ctx.extra["map"] = {"placed": placed, **checked}
    options.log(f"  map: {checked}")
    return {
        **latency_metrics("map_data", rounds["data"], target_p95=MAP_TARGET_P95_MS),
        **latency_metrics("map_page", rounds["page"], target_p95=None),
    }
