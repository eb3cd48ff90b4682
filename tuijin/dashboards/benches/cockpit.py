"""驾驶舱 data: `GET /dashboards/cockpit/data/` as the province's dispatcher, through the Django test Client
(the whole stack: middleware, session, the figures by region, category and stage, the year's months and
the JSON). Target p95 ≤ 300 ms (issue #17 §6). Each answer is checked against the figures the bench
computed beforehand (its 项目数 and 累计完成投资)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tuijin.core.bench import BenchError, latency_metrics
from tuijin.dashboards.bench import timed_rounds

TARGET_P95_MS = 300.0


def measure(ctx, options) -> dict:
    client = Client()
    client.force_login(ctx.dispatcher)
    url = reverse("dashboards:cockpit_data")
    expected = (ctx.table.total["projects"], str(ctx.table.total["completed"]))

    def call(_n):
        response = client.get(url, {"period": ctx.period})
        if response.status_code != 200:
            raise BenchError(f"the cockpit's data answered {response.status_code}: {response.content[:300]!r}")
        total = response.json()["total"]
        if (total["projects"], total["completed"]) != expected:
            raise BenchError(f"the cockpit's total {total['projects']} / {total['completed']} is not the figures' {expected}")
        return response

    rounds = timed_rounds("cockpit", call, options)
    return latency_metrics("cockpit_data", rounds, target_p95=TARGET_P95_MS)
