"""`tuijin bench bulletin`: a province's bulletin as .docx, and a 1,000-row annex (issue #16 §3).

Data: the figures bench's province (20,000 projects, about 200 县区, three years of monthly reports,
schedules, problems), with the warnings engine run over it so the 预警 section and annex are full.

- `bulletin_docx_*` (target p95 ≤ 3 s): assemble the province's bulletin as of the last closed month
  (every section, the 县区 ranking, the chart, the annexes) and render it as .docx — what 下载Word does
  for a draft.
- `annex_1000_*` (target p95 ≤ 1 s): a 1,000-row annex table (projects with their year's plan and
  completion, read from the ledger's rows) rendered as .docx and as .xlsx.
"""

from __future__ import annotations

import gc
import os

from django.utils import timezone

from tuijin.core.bench import (
    BenchOptions,
    BenchResult,
    elapsed_ms,
    environment,
    latency_metrics,
    register,
    round_percentiles,
    timed_calls,
)
from tuijin.figures.bench import generate_figures_data
from tuijin.figures.periods import parse_period
from tuijin.org.models import Region

from . import rendering
from .assemble import Spec, assemble
from .document import Document, Section, Table

BULLETIN_TARGET_P95_MS = 3000.0
ANNEX_TARGET_P95_MS = 1000.0
DEFAULT_REQUESTS = 5
WARMUP = 1


def _timed(func, requests: int) -> list[float]:
    return timed_calls(func, requests, WARMUP)


def _annex_rows(limit: int = 1000) -> list[list[str]]:
    from tuijin.projects.models import AnnualPlan

    year = timezone.localdate().year
    rows = (AnnualPlan.objects.filter(year=year).order_by("project_id")
            .values_list("project__name", "project__region__name", "planned_investment", "counted_approved")[:limit])
    return [[str(i), name, region, str(plan), str(done or "0.00")] for i, (name, region, plan, done) in enumerate(rows, 1)]


@register("bulletin", help="通报：省级规模（20,000 个项目、约 200 个县区）生成通报 Word 文档；1,000 行附件表")
def bulletin_bench(options: BenchOptions) -> BenchResult:
    from tuijin.alerts.services import refresh_all

    from .render_docx import render_docx

    dispatcher, period_key, counts, _table = generate_figures_data(options)
    options.log("  warnings…")
    refresh_all()
    province = Region.objects.filter(parent__isnull=True).order_by("path").first()
    period = parse_period(period_key)
    spec = Spec(period=period, region=province, texts={"next_steps": "一是加快项目建设。\n二是强化要素保障。"})
    found, assemble_ms = elapsed_ms(assemble, dispatcher, spec)
    data, render_ms = elapsed_ms(render_docx, found.document)
    counts.update(sections=len(found.document.sections), annex_rows=[len(t.rows) for t in found.document.annexes],
                  docx_bytes=len(data), first_call_ms={"assemble": round(assemble_ms), "render": round(render_ms)})
    rows = _annex_rows()
    annex = Document(title="附件", number="", issuer="", date="", sections=[Section("overview", "附件", [])],
                     annexes=[Table("重点项目清单", ["序号", "项目名称", "地区", "年度计划（万元）", "累计完成（万元）"], rows,
                                    None, [True, False, False, True, True], landscape=True)])
    counts["annex_table_rows"] = len(rows)
    gc.collect()
    gc.freeze()

    def bulletin(_n):
        return render_docx(assemble(dispatcher, spec).document)

    def annex_docx(_n):
        return render_docx(annex)

    def annex_xlsx(_n):
        return rendering.annex_workbook(annex)

    requests = options.requests or DEFAULT_REQUESTS
    load_before = os.getloadavg()
    rounds: dict[str, list[list[float]]] = {"bulletin": [], "docx": [], "xlsx": []}
    for number in range(1, options.rounds + 1):
        options.log(f"第 {number} 轮 round {number}…")
        rounds["bulletin"].append(_timed(bulletin, requests))
        rounds["docx"].append(_timed(annex_docx, requests))
        rounds["xlsx"].append(_timed(annex_xlsx, requests))
    load_after = os.getloadavg()
    gc.unfreeze()
    metrics = {}
    metrics.update(latency_metrics("bulletin_docx", rounds["bulletin"], target_p95=BULLETIN_TARGET_P95_MS))
    metrics.update(latency_metrics("annex_1000_docx", rounds["docx"], target_p95=ANNEX_TARGET_P95_MS))
    metrics.update(latency_metrics("annex_1000_xlsx", rounds["xlsx"], target_p95=ANNEX_TARGET_P95_MS))
    return BenchResult(metrics, params={
        **counts, "rounds": options.rounds, "requests_per_round": requests,
        "bulletin_p95_per_round": round_percentiles(rounds["bulletin"], 95),
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)], **environment(options),
    })
