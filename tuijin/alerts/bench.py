"""The warnings bench: the full recompute, the refresh after one report save, and a 500-row Gantt.

Data: the ledger bench's province (20,000 projects) with the reporting bench's three years of monthly
reports (`generate_reporting`), plus schedules — the seven building nodes for every project in
construction or newly started, dated around today, a third of the reached ones with an actual date —
approval checklists for the 前期 projects, and a planned start for the projects not started yet.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuijin.core import events
from tuijin.core.bench import BenchOptions, BenchResult, Metric, environment, percentile, register
from tuijin.org.choices import Role
from tuijin.projects.bench import _principal, generate_province
from tuijin.projects.choices import CanonicalStage
from tuijin.projects.models import Project
from tuijin.reports.bench import generate_reporting
from tuijin.reports.events import ReportChanged
from tuijin.schedules.choices import ApprovalStatus
from tuijin.schedules.models import Approval, ApprovalType, Milestone, MilestoneTemplate

from . import services

FULL_TARGET_S = 5.0
INCREMENTAL_TARGET_MS = 50.0
GANTT_TARGET_MS = 300.0


def generate_schedules(rng: random.Random, today: date) -> dict:
    template = MilestoneTemplate.objects.get(kind="building")
    steps = list(template.steps.all())
    building = list(Project.objects.filter(is_archived=False, stage__canonical__in=[
        CanonicalStage.NEW_START, CanonicalStage.CONSTRUCTION]).values_list("pk", flat=True))
    preliminary = list(Project.objects.filter(is_archived=False, stage__canonical__in=[
        CanonicalStage.PRELIMINARY, CanonicalStage.RESERVE]).values_list("pk", flat=True))
    milestones = []
    for pk in building:
        target = today + timedelta(days=rng.randint(-200, 700))
        day = target
        dates = []
        for step in reversed(steps):
            dates.append(day)
            day -= timedelta(days=step.duration_days)
        for step, planned in zip(steps, reversed(dates), strict=True):
            actual = None
            if planned < today and rng.random() < 0.85:
                actual = min(planned + timedelta(days=rng.randint(-10, 40)), today)
            milestones.append(Milestone(project_id=pk, name=step.name, sort=step.sort, marks=step.marks, planned_date=planned,
                                        baseline_date=planned, actual_date=actual, version=1))
    Milestone.objects.bulk_create(milestones, batch_size=5000)
    kinds = list(ApprovalType.objects.filter(is_active=True))
    approvals = []
    for pk in preliminary:
        start = today + timedelta(days=rng.randint(-300, 200))
        for number, kind in enumerate(kinds):
            target = start + timedelta(days=20 * number)
            done = target < today and rng.random() < 0.8
            approvals.append(Approval(project_id=pk, type=kind, required=kind.required_by_default, version=1,
                                      status=(ApprovalStatus.DONE if done else ApprovalStatus.IN_PROGRESS)
                                      if kind.required_by_default else ApprovalStatus.NOT_NEEDED,
                                      target_date=target, done_date=min(target, today) if done and kind.required_by_default else None))
    Approval.objects.bulk_create(approvals, batch_size=5000)
    starts = []
    for pk in preliminary:
        starts.append(Project(pk=pk, planned_start=today + timedelta(days=rng.randint(-150, 300))))
    Project.objects.bulk_update(starts, ["planned_start"], batch_size=2000)
    return {"milestones": len(milestones), "approvals": len(approvals), "planned_starts": len(starts)}


@register("alerts", help="预警：省级规模 20,000 个项目全量重算、保存一条月报后的增量刷新、500 行甘特图数据")
def alerts_bench(options: BenchOptions) -> BenchResult:
    rng = random.Random(options.seed + 5)
    today = timezone.localdate()
    options.log("生成数据 generating the province…")
    data = generate_province(max(200, round(20_000 * options.scale)), seed=options.seed)
    dispatcher = _principal("bench_alerts", next(u for u in data.departments[data.province.pk]
                                                 if u.name.endswith("发展和改革委员会")), Role.DISPATCHER)
    options.log("  monthly reports (three years)…")
    generate_reporting(data, seed=options.seed, reviewer=dispatcher, today=today)
    options.log("  schedules and approvals…")
    with transaction.atomic():
        generated = generate_schedules(rng, today)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    options.log("全量重算 full recompute…")
    full_times = []
    for _round in range(max(1, options.rounds)):
        started = time.perf_counter()
        _run, result = services.refresh_all(None, today=today)
        full_times.append(time.perf_counter() - started)
        if _round == 0:
            first = result
    options.log("增量刷新 incremental refresh after a report save…")
    reporting = list(Project.objects.filter(is_archived=False, progress_reports__isnull=False).distinct()
                     .values_list("pk", flat=True)[:5000])
    picks = rng.sample(reporting, min(len(reporting), options.requests or 60))
    incremental = []
    for pk in picks:
        started = time.perf_counter()
        with transaction.atomic():
            events.emit(ReportChanged(project_ids=(pk,), period_id=None, user=None))  # what a saved report sends
        incremental.append((time.perf_counter() - started) * 1000)

    options.log("甘特图 500-row Gantt data…")
    client = Client()
    client.force_login(dispatcher)
    url = reverse("schedules:gantt_data")
    cities = [c for c in data.cities]
    gantt, rows = [], []
    client.get(url, HTTP_HOST="127.0.0.1")  # warm-up
    for number in range(max(10, (options.requests or 60) // 3)):
        city = cities[number % len(cities)]
        started = time.perf_counter()
        response = client.get(url, {"region": city.pk}, HTTP_HOST="127.0.0.1")
        gantt.append((time.perf_counter() - started) * 1000)
        rows.append(len(response.json()["rows"]))
    metrics = {
        "full_recompute_20000": Metric(round(max(full_times), 3), "s", FULL_TARGET_S),
        "incremental_after_report_save_p95": Metric(round(percentile(incremental, 95), 1), "ms", INCREMENTAL_TARGET_MS),
        "gantt_500_rows_p95": Metric(round(percentile(gantt, 95), 1), "ms", GANTT_TARGET_MS),
    }
    return BenchResult(metrics, params={
        "projects": first.projects, "alerts_created": first.created, "by_light": first.by_light,
        "by_dimension": first.by_dimension, "full_seconds": [round(t, 3) for t in full_times],
        "incremental_median_ms": round(statistics.median(incremental), 1), "gantt_rows": sorted(set(rows)),
        "load_average": [round(x, 2) for x in os.getloadavg()], **generated, **environment(options),
    })
