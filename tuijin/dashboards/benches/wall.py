"""挂图作战's data (issue #17 §5): one page of the wall chart — 500 projects with their nodes, laid out on the
time axis — as the province's dispatcher loads it through Django's test client (`GET /schedules/gantt/data/`,
the JSON wall.js draws).

The requests cycle through what a dispatcher asks: the whole province ungrouped, by 县区, by 牵头单位 and by
分包领导, this year's axis and the whole plan's, and one city at a time grouped by 分包领导. Every answer
must hold a full page (500 rows, or every matched project when fewer match). Target: p95 ≤ 300 ms.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tuijin.core.bench import BenchError, latency_metrics
from tuijin.dashboards.bench import timed_rounds
from tuijin.org.models import Region
from tuijin.schedules.selectors import WALL_PAGE

WALL_TARGET_P95_MS = 300.0
ASKED = ({}, {"group": "region"}, {"group": "unit", "window": "all"}, {"group": "leader"}, {"window": "all"})


def measure(ctx, options) -> dict:
    client = Client()
    client.force_login(ctx.dispatcher)
    url = reverse("schedules:gantt_data")
    cities = list(Region.objects.filter(level="city").order_by("code").values_list("pk", flat=True))
    asked = [*ASKED, *({"region": pk, "group": "leader"} for pk in cities[:5])]
    sizes: list[tuple[int, int]] = []

    def load(number: int):
        params = asked[number % len(asked)]
        response = client.get(url, params, HTTP_HOST="127.0.0.1")
        if response.status_code != 200:
            raise BenchError(f"挂图作战 data answered {response.status_code} for {params}")
        body = response.json()
        if len(body["rows"]) != min(WALL_PAGE, body["total"]) or not body["total"]:
            raise BenchError(f"挂图作战 data for {params}: {len(body['rows'])} rows of {body['total']}")
        sizes.append((len(body["rows"]), sum(len(r["nodes"]) for r in body["rows"])))
        return body

    rounds = timed_rounds("挂图作战", load, options)
    rows = sorted({r for r, _n in sizes})
    options.log(f"  挂图作战: {rows} projects a page, up to {max(n for _r, n in sizes)} nodes")
    ctx.extra["wall_rows"] = rows
    return latency_metrics("wall_data", rounds, target_p95=WALL_TARGET_P95_MS)
