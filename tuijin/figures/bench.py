"""The figures bench: every figure for all regions of a province, and the drill-down behind one number.

Data: the ledger bench's province (`generate_province()`, 20,000 projects with two years of plans), the
reporting bench's three years of monthly reports (`generate_reporting`), the warnings bench's schedules,
approvals and planned starts (`generate_schedules`) and the problems bench's problems (`generate_problems`).
The figures are asked as of the last closed month by the province's dispatcher (the scope rule applies).

- `figures_all_regions_*` (target p95 ≤ 300 ms): `selectors.figures` with every figure, grouped by region
  rolled up to 县区 (about 200 groups and the cities' own projects).
- `explain_*` (target p95 ≤ 200 ms): `selectors.explain` of one figure of one 县区, a mix of figures and
  districts; each answer is checked against the grouped figure.
- `figures_cities_*` and `figures_page_*` (informational): grouped by city, and the 统计分析 page
  (`GET /figures/`) through the whole Django stack.
"""

from __future__ import annotations

import gc
import os
import random
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from tuijin.alerts.bench import generate_schedules
from tuijin.core.bench import (
    BenchError,
    BenchOptions,
    BenchResult,
    elapsed_ms,
    environment,
    latency_metrics,
    register,
    round_percentiles,
    timed_calls,
)
from tuijin.org.choices import Role
from tuijin.problems.bench import PROBLEMS, generate_problems
from tuijin.projects.bench import PROJECTS, _principal, generate_province
from tuijin.reports.bench import generate_reporting

from . import selectors
from .periods import month_of

FIGURES_TARGET_P95_MS = 300.0
EXPLAIN_TARGET_P95_MS = 200.0
DEFAULT_REQUESTS = 20  # timed calls per measure and round
WARMUP = 2
EXPLAIN_MIX = ("completed", "plan_rate", "time_progress", "start_rate", "work_rate", "completion_rate",
               "milestone_rate", "approval_rate", "problem_close_rate", "on_time_rate", "completed_yoy")


def _timed(func, requests: int) -> list[float]:
    return timed_calls(func, requests, WARMUP)


def generate_figures_data(options: BenchOptions):
    """The province with three years of reports, schedules and problems, as the figures bench and the
    bulletin bench measure it: (its dispatcher, the last closed month, the counts, the figures by 县区)."""
    today = timezone.localdate()
    count = max(200, round(PROJECTS * options.scale))
    options.log(f"生成数据 generating {count} projects…")
    data, province_ms = elapsed_ms(generate_province, count, seed=options.seed)
    dispatcher = _principal("bench_figures", next(u for u in data.departments[data.province.pk]
                                                  if u.name.endswith("发展和改革委员会")), Role.DISPATCHER)
    options.log("  monthly reports (three years)…")
    reporting, reports_ms = elapsed_ms(generate_reporting, data, seed=options.seed, reviewer=dispatcher, today=today)
    options.log("  schedules, approvals and problems…")
    with transaction.atomic():
        scheduled = generate_schedules(random.Random(options.seed + 5), today)
    problems = max(200, round(PROBLEMS * options.scale))
    generated, problems_ms = elapsed_ms(generate_problems, data, seed=options.seed, today=today, problems=problems,
                                        orders=max(20, round(3000 * options.scale)), raised_by=dispatcher)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    # As of the last closed month (the open one is the current month).
    period = month_of(reporting.open_period.starts_on - timedelta(days=1)).key
    table = selectors.figures(dispatcher, period=period, group_by="region", region_level="district")
    if table.total["completed"] <= 0 or not table.total["milestones_due"]:
        raise BenchError("the province's figures came out empty: the generated data is not what the bench needs")
    counts = {**data.counts, **reporting.counts, **scheduled, **generated.counts, "period": period,
              "groups": len(table.groups), "label": table.label,
              "total": {k: str(v) for k, v in table.total.as_json().items()
                        if k in ("projects", "completed", "plan_rate", "time_progress", "start_rate", "on_time_rate")},
              "generate_seconds": {"province": round(province_ms / 1000, 1), "reports": round(reports_ms / 1000, 1),
                                   "problems": round(problems_ms / 1000, 1)}}
    return dispatcher, period, counts, table


@register("figures", help="统计分析：省级规模 20,000 个项目、三年月报、节点、手续、问题；全省各县区全部指标、单个数字的明细")
def figures_bench(options: BenchOptions) -> BenchResult:
    rng = random.Random(options.seed + 15)
    dispatcher, period, counts, table = generate_figures_data(options)
    districts = [g.key for g in table.groups if not g.key.endswith("-self")]
    if len(districts) < 10:
        raise BenchError("the province's figures came out empty: the generated data is not what the bench needs")
    gc.collect()
    gc.freeze()

    requests = options.requests or DEFAULT_REQUESTS
    picks = [(rng.choice(EXPLAIN_MIX), rng.choice(districts)) for _ in range(WARMUP + requests)]
    expected = {key: table.group(key) for key in districts}

    def regions(_n):
        return selectors.figures(dispatcher, period=period, group_by="region", region_level="district")

    def cities(_n):
        return selectors.figures(dispatcher, period=period, group_by="region", region_level="city")

    def explain(n):
        figure, key = picks[n]
        found = selectors.explain(dispatcher, figure, key, period=period, group_by="region", region_level="district")
        if found.value != expected[key][figure]:
            raise BenchError(f"explain of {figure} for {key} gave {found.value}, the table {expected[key][figure]}")
        return found

    client = Client()
    client.force_login(dispatcher)
    url = reverse("figures:index")

    def page(_n):
        response = client.get(url, {"period": period, "by": "region", "region_level": "district"})
        if response.status_code != 200 or b'id="figures-table"' not in response.content:
            raise BenchError(f"the figures page answered {response.status_code} without its table")
        return response

    load_before = os.getloadavg()
    rounds: dict[str, list[list[float]]] = {"regions": [], "explain": [], "cities": [], "page": []}
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], SECURE_SSL_REDIRECT=False):
        for number in range(1, options.rounds + 1):
            options.log(f"第 {number} 轮 round {number}…")
            rounds["regions"].append(_timed(regions, requests))
            rounds["explain"].append(_timed(explain, requests))
            rounds["cities"].append(_timed(cities, requests))
            rounds["page"].append(_timed(page, max(5, requests // 2)))
    load_after = os.getloadavg()
    gc.unfreeze()

    metrics = {}
    metrics.update(latency_metrics("figures_all_regions", rounds["regions"], target_p95=FIGURES_TARGET_P95_MS))
    metrics.update(latency_metrics("explain", rounds["explain"], target_p95=EXPLAIN_TARGET_P95_MS))
    metrics.update(latency_metrics("figures_cities", rounds["cities"], target_p95=None))
    metrics.update(latency_metrics("figures_page", rounds["page"], target_p95=None))
    return BenchResult(metrics, params={
        **counts, "rounds": options.rounds, "requests_per_round": requests,
        "figures_p95_per_round": round_percentiles(rounds["regions"], 95),
        "explain_p95_per_round": round_percentiles(rounds["explain"], 95),
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)], **environment(options),
    })
