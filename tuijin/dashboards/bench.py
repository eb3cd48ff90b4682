"""The dashboards bench (issue #17 §6): the leader's screens at province scale.

Data: the figures bench's province (`generate_figures_data`: 20,000 projects, three years of reports,
schedules, approvals and problems). Each module of `.benches` measures one screen: it defines
`measure(ctx: Context, options) -> dict[str, Metric]` (use `core.bench.latency_metrics` with the
issue's target), and this bench runs every such module on the same province, in name order.

Targets (p95): the leader's first screen ≤ 150 ms, cockpit data ≤ 300 ms, map data ≤ 300 ms, big screen
refresh ≤ 300 ms.
"""

from __future__ import annotations

import gc
import importlib
import os
import pkgutil
from dataclasses import dataclass, field

from django.conf import settings
from django.test.utils import override_settings

from tuijin.core.bench import BenchError, BenchOptions, BenchResult, environment, register, timed_calls
from tuijin.figures.bench import generate_figures_data

from . import benches


@dataclass
class Context:
    """What every measure shares: the province's dispatcher, the period the figures are asked as of, the
    figures by 县区 (to check answers against) and the generation counts. `extra` holds what one measure
    prepares for itself."""

    dispatcher: object
    period: str
    table: object
    counts: dict
    extra: dict = field(default_factory=dict)


DEFAULT_REQUESTS = 20  # timed calls per screen and round
WARMUP = 2


def timed_rounds(name: str, call, options) -> list[list[float]]:
    """`options.rounds` rounds of `options.requests` (default DEFAULT_REQUESTS) timed calls of call(n),
    each after WARMUP untimed ones: what a screen's measure gives latency_metrics."""
    requests = options.requests or DEFAULT_REQUESTS
    rounds = []
    for number in range(1, options.rounds + 1):
        options.log(f"  {name} round {number}…")
        rounds.append(timed_calls(call, requests, WARMUP))
    return rounds


def measure_modules():
    for info in sorted(pkgutil.iter_modules(benches.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{benches.__name__}.{info.name}")
        if hasattr(module, "measure"):
            yield info.name, module


@register("dashboards", help="首页、驾驶舱、大屏、落地地图：省级规模 20,000 个项目的首屏与图表数据")
def dashboards_bench(options: BenchOptions) -> BenchResult:
    modules = list(measure_modules())
    if not modules:
        raise BenchError("no screen has a measure yet (tuijin/dashboards/benches/)")
    dispatcher, period, counts, table = generate_figures_data(options)
    ctx = Context(dispatcher=dispatcher, period=period, table=table, counts=counts)
    gc.collect()
    gc.freeze()
    load_before = os.getloadavg()
    metrics = {}
    try:
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], SECURE_SSL_REDIRECT=False):
            for name, module in modules:
                options.log(f"{name}…")
                metrics.update(module.measure(ctx, options))
    finally:
        gc.unfreeze()
    load_after = os.getloadavg()
    return BenchResult(metrics, params={
        **counts, "screens": [name for name, _ in modules], "rounds": options.rounds,
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)], **environment(options),
    })
