"""`tuijin bench scoring`: the figures layer and a scheme run at province scale (issue #15 §4).

山东省 with 20,000 projects and three years of monthly reports (the reporting bench's generator), then:
- figures for every region of the province as of the latest closed month (the 统计分析 page's query),
  p95 ≤ 300 ms;
- one monthly scheme run over 200 subjects (lead units) and every project, ≤ 2 s (median of rounds);
- the drill-down of one point (one figure of one region, the projects and reports behind it) as a
  dispatcher sees it, p95 ≤ 200 ms.
"""

from __future__ import annotations

import random
import statistics

from django.db import connection

from tuijin.core.bench import BenchOptions, BenchResult, Metric, elapsed_ms, latency_metrics, register
from tuijin.figures.periods import month_of
from tuijin.figures.selectors import explain, figures
from tuijin.org.choices import Role
from tuijin.projects.bench import PROJECTS, _principal, generate_province
from tuijin.projects.models import Project
from tuijin.reports.bench import generate_reporting

from . import services

SUBJECTS = 200
FIGURES_TARGET_P95_MS = 300
RUN_TARGET_MS = 2000
DRILL_TARGET_P95_MS = 200
DEFAULT_REQUESTS = 20
INDICATORS = [
    {"code": "plan", "name": "年计划完成率", "source": "figure", "figure": "plan_rate", "weight": "40",
     "curve": {"kind": "per_point", "base": "40", "target": "100", "below": "0.2", "above": [["100", "0.1"]],
               "max_bonus": "5", "max_penalty": "20"}},
    {"code": "pace", "name": "完成1—N月计划", "source": "figure", "figure": "plan_to_date_rate", "weight": "20",
     "curve": {"kind": "linear", "target": "100"}},
    {"code": "scale", "name": "完成投资排名", "source": "figure", "figure": "completed", "weight": "10",
     "curve": {"kind": "rank", "ranks": [[1, 10, "10"], [11, 50, "6"], [51, 100, "3"]]}},
    {"code": "starts", "name": "开工率", "source": "figure", "figure": "start_rate", "weight": "15",
     "curve": {"kind": "linear", "target": "100", "missing": "15"}},
    {"code": "nodes", "name": "节点按期完成率", "source": "figure", "figure": "milestone_rate", "weight": "10",
     "curve": {"kind": "linear", "target": "100", "missing": "10"}},
    {"code": "reporting", "name": "按时填报率", "source": "figure", "figure": "on_time_rate", "weight": "5",
     "curve": {"kind": "linear", "target": "100", "missing": "5"}},
]


@register("scoring", help="统计与考核：省级规模 20,000 个项目、三年月报；全省分区域统计、200个对象的月度考核计算、单点下钻")
def scoring_bench(options: BenchOptions) -> BenchResult:
    rng = random.Random(options.seed)
    count = max(50, round(PROJECTS * options.scale))
    options.log(f"生成数据 generating {count} projects…")
    data, province_ms = elapsed_ms(generate_province, count, seed=options.seed)
    dispatcher_unit = next(u for u in data.departments[data.province.pk] if u.name.endswith("发展和改革委员会"))
    dispatcher = _principal("bench_dispatcher", dispatcher_unit, Role.DISPATCHER)
    options.log(f"  {province_ms / 1000:.1f} s; generating reports…")
    reporting, reports_ms = elapsed_ms(generate_reporting, data, seed=options.seed, reviewer=dispatcher)
    options.log(f"  {reports_ms / 1000:.1f} s: {reporting.counts}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    closed = [p for p in reporting.periods if p.status == "closed" and p.cadence == "month"]
    period = month_of(max(closed, key=lambda p: p.ends_on).ends_on if closed else reporting.open_period.ends_on)
    leading = list(Project.objects.admitted().exclude(lead_unit=None).order_by("lead_unit_id")
                   .values_list("lead_unit_id", flat=True).distinct()[:SUBJECTS])
    half = len(leading) // 2
    scheme = services.scheme_save(None, None, code="bench-monthly", name="省级月度考核（基准）",
                                  period_kind="month", target_figure="plan_rate", target_value="100",
                                  config={"series": [{"name": "甲序列", "kind": "lead_unit", "red": 10, "black": 10,
                                                      "members": leading[:half]},
                                                     {"name": "乙序列", "kind": "lead_unit", "red": 10, "black": 10,
                                                      "members": leading[half:]}],
                                          "indicators": INDICATORS})
    regions = [g.key for g in figures(dispatcher, period=period, group_by="region", region_level="district",
                                      keys=["projects"]).groups]  # the districts with projects to drill into
    requests = options.requests or DEFAULT_REQUESTS
    figure_rounds, drill_rounds, run_ms = [], [], []
    services.run_compute(None, scheme, period.key)  # warm-up, as a server that has answered once
    for round_number in range(1, options.rounds + 1):
        options.log(f"第 {round_number} 轮 round {round_number}: figures, a scheme run, drill-downs…")
        figure_rounds.append([elapsed_ms(figures, dispatcher, period=period, group_by="region")[1] for _ in range(requests)])
        _run, ms = elapsed_ms(services.run_compute, None, scheme, period.key)
        run_ms.append(ms)
        drill_rounds.append([elapsed_ms(explain, dispatcher, "plan_rate", rng.choice(regions), period=period,
                                        group_by="region", region_level="district")[1] for _ in range(requests)])
    results = _run.results.count()
    metrics = {
        **latency_metrics("figures_all_regions", figure_rounds, target_p95=FIGURES_TARGET_P95_MS),
        f"scheme_run_{results}": Metric(statistics.median(run_ms), "ms", RUN_TARGET_MS),
        **latency_metrics("drill_down", drill_rounds, target_p95=DRILL_TARGET_P95_MS),
    }
    return BenchResult(metrics, params={**data.counts, **reporting.counts, "period": period.key, "subjects": results,
                                        "rounds": options.rounds, "requests": requests})
