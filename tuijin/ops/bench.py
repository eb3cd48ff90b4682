"""`tuijin bench backup`: the recovery time (RTO) of the province (issue #19 §4).

Data: the figures bench's province (20,000 projects, three years of monthly reports, schedules,
approvals, problems). Times one `backup()` of it and one `restore()` of that archive into an empty
database beside it (SQLite: a new file; PostgreSQL: a new database on the same server), then checks
that the restored installation has the manifest's counts and sums (restore() does) and passes Django's
system checks. Targets (ours; the issue asks for the figures): backup ≤ 60 s, restore ≤ 300 s."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.core import checks
from django.test.utils import override_settings

from tuijin.core.bench import BenchError, BenchOptions, BenchResult, Metric, environment, register
from tuijin.figures.bench import generate_figures_data

from . import backup as ops

BACKUP_TARGET_S = 60.0
RESTORE_TARGET_S = 300.0
ALIAS = "bench_restore"


@register("backup", help="备份与恢复：省级规模数据（20,000 个项目、三年月报）的备份用时和恢复用时（RTO）")
def backup_bench(options: BenchOptions) -> BenchResult:
    generate_figures_data(options)
    scratch = Path(tempfile.mkdtemp(prefix="tuijin_backup_bench_"))
    try:
        options.log("backup…")
        result = ops.backup(scratch / "archives")
        target = scratch / "target"
        target.mkdir()
        options.log("restore…")
        with ops.empty_database_beside(ALIAS, scratch), \
                override_settings(DATA_DIR=target, MEDIA_ROOT=target / "media"):
            restored = ops.restore(result.path, alias=ALIAS)
            problems = [m for m in checks.run_checks(databases=[ALIAS]) if m.level >= checks.ERROR]
        if problems:
            raise BenchError(f"the restored installation fails its checks: {problems[:3]}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    manifest = result.manifest
    return BenchResult({
        "backup_seconds": Metric(result.seconds, "s", BACKUP_TARGET_S),
        "restore_seconds": Metric(restored.seconds, "s", RESTORE_TARGET_S),
        "archive_mb": Metric(result.size / 1048576, "MB"),
    }, params={"projects": manifest.counts["projects.Project"], "reports": manifest.counts["reports.ProgressReport"],
               "problems": manifest.counts["problems.Problem"], "sums": manifest.sums, **environment(options)})
