"""大屏 refresh: `GET /dashboards/screen/<token>/data/`, the request the big screen makes every few minutes,
through the Django test Client with a display token of the whole province (no session: the token is looked
up by its hash and its issuer's right checked on every request), the whole stack: the headline figures and
the breakdown by region, the lights, the red-light projects, the overdue problems and orders, the board of
the latest published run, and the JSON. Target p95 ≤ 300 ms (issue #17 §6). Each answer is checked against
the figures computed beforehand (its 项目数 and 年度计划投资)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuijin.core.bench import BenchError, latency_metrics
from tuijin.dashboards.bench import timed_rounds
from tuijin.figures.selectors import figures
from tuijin.figures.views import default_period
from tuijin.org.selectors import office_regions

from .. import services

TARGET_P95_MS = 300.0


def measure(ctx, options) -> dict:
    region = office_regions(ctx.dispatcher).order_by("path").first()  # the dispatcher's province
    _token, secret = services.display_token_issue(ctx.dispatcher, name="基准测试大屏", region=region,
                                                  expires_on=timezone.localdate())
    url = reverse("dashboards:token_screen_data", args=[secret])
    total = figures(ctx.dispatcher, period=default_period(), keys=("projects", "annual_plan")).total
    expected = (str(total["projects"]), str(total["annual_plan"]))
    client = Client()

    def call(_n):
        response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"the big screen's data answered {response.status_code}: {response.content[:300]!r}")
        tiles = {tile["key"]: tile["raw"] for tile in response.json()["headline"]}
        if (tiles["projects"], tiles["annual_plan"]) != expected:
            raise BenchError(f"the big screen shows {tiles['projects']} / {tiles['annual_plan']}, the figures {expected}")
        return response

    rounds = timed_rounds("screen", call, options)
    return latency_metrics("screen_refresh", rounds, target_p95=TARGET_P95_MS)
