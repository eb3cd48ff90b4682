"""`tuijin bench NAME [--json]`: run a registered benchmark in a throw-away database and report it."""

import argparse
import json
import signal
import sys
import threading

from django.core.management.base import BaseCommand, CommandError

from tuijin.core import bench


class Command(BaseCommand):
    help = (
        "运行性能基准（在临时数据库中生成数据并计时，不触碰当前数据库）。"
        " Run a benchmark in a temporary database and report its figures against their targets."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="基准名称 bench name (omit to list them)")
        parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象 print one JSON object")
        parser.add_argument(
            "--requests", type=int, default=None, help="每个角色计时的请求数 timed requests per principal"
        )
        parser.add_argument(
            "--rounds", type=int, default=bench.BenchOptions.rounds,
            help="计时轮数，报告各轮的中位数 timing rounds; figures are the median over rounds",
        )
        parser.add_argument(
            "--check", action="store_true", help="有指标未达标时以状态 1 退出 exit 1 when a target is missed"
        )
        # For tests and quick runs: fraction of the documented data volume, and the generator's seed.
        parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
        parser.add_argument("--seed", type=int, default=bench.BenchOptions.seed, help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        bench.autodiscover()
        available = bench.benches()
        name = options["name"]
        if not name:
            for item in available.values():
                self.stdout.write(f"{item.name:<12} {item.help}")
            return
        if name not in available:
            raise CommandError(f"未知的基准 unknown bench {name!r}; 可用 available: {', '.join(available) or '—'}")
        if options["scale"] <= 0:
            raise CommandError("--scale must be positive")
        if options["requests"] is not None and options["requests"] < 1:
            raise CommandError("--requests must be at least 1")
        if options["rounds"] < 1:
            raise CommandError("--rounds must be at least 1")
        as_json = options["json"]
        verbose = options["verbosity"] >= 2 or (options["verbosity"] >= 1 and not as_json)
        run_options = bench.BenchOptions(
            scale=options["scale"],
            requests=options["requests"],
            rounds=options["rounds"],
            seed=options["seed"],
            log=(lambda message: self.stderr.write(message)) if verbose else bench.BenchOptions.log,
        )
        with _sigterm_as_exit():
            try:
                report = bench.run(name, run_options)
            except bench.BenchError as exc:
                raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(render_table(report))
        if options["check"] and not report.ok:
            sys.exit(1)


class _sigterm_as_exit:
    """Turn SIGTERM into SystemExit while a bench runs, so its temporary database is still dropped."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._exit)
        return self

    @staticmethod
    def _exit(signum, frame):
        raise SystemExit(128 + signum)

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


def _number(value) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, int) else f"{value:.1f}"


def render_table(report: bench.Report) -> str:
    verdict = {True: "达标 OK", False: "未达标 MISS", None: "—"}
    lines = [
        f"基准 Bench: {report.name}    数据库 Database: {report.database}",
        "",
        f"{'指标 Metric':<30}{'值 Value':>14}{'目标 Target':>16}  结果 Result",
    ]
    for key, metric in report.result.metrics.items():
        value = f"{_number(metric.value)} {metric.unit}"
        target = "—" if metric.target is None else f"<= {_number(metric.target)} {metric.unit}"
        lines.append(f"{key:<30}{value:>14}{target:>16}  {verdict[metric.ok]}")
    if report.result.params:
        lines.append("")
        lines.append("参数 Parameters:")
        lines.extend(f"  {key}: {value}" for key, value in report.result.params.items())
    return "\n".join(lines)
