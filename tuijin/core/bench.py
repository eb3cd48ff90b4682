"""Benchmarks: a registry of named benches, timing helpers and a throw-away database to run them in.

An app registers a bench in its own `bench.py` with `@register("name")`; `tuijin bench NAME` finds it
through `autodiscover()` and runs it inside `temporary_database()`, so a bench never writes to the
database the user configured. Core knows no domain word: what is generated and measured is the app's.
"""

from __future__ import annotations

import copy
import math
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.module_loading import autodiscover_modules


class BenchError(RuntimeError):
    """A bench could not produce honest figures (an error page was served, a check failed...)."""


@dataclass
class Metric:
    """One figure; lower is better. `ok` is None when the figure has no target (informational)."""

    value: float
    unit: str = "ms"
    target: float | None = None

    @property
    def ok(self) -> bool | None:
        return None if self.target is None else round(self.value, 2) <= self.target

    def as_dict(self) -> dict[str, Any]:
        return {"value": round(self.value, 2), "unit": self.unit, "target": self.target, "ok": self.ok}


@dataclass
class BenchResult:
    metrics: dict[str, Metric]
    params: dict[str, Any] = field(default_factory=dict)


def _silent(message: str) -> None:
    return None


@dataclass
class BenchOptions:
    """What a run may vary. `scale` multiplies the data volume (1.0 = the documented size)."""

    scale: float = 1.0
    requests: int | None = None
    rounds: int = 3
    seed: int = 20261122
    log: Callable[[str], None] = _silent


@dataclass(frozen=True)
class Bench:
    name: str
    func: Callable[[BenchOptions], BenchResult]
    help: str = ""


_REGISTRY: dict[str, Bench] = {}


def register(name: str, help: str = "") -> Callable:
    """Decorator: `@register("name")` over `def run(options: BenchOptions) -> BenchResult`."""

    def decorator(func: Callable[[BenchOptions], BenchResult]):
        existing = _REGISTRY.get(name)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ImproperlyConfigured(f"bench {name!r} is registered twice")
        summary = help or next(iter((func.__doc__ or "").strip().splitlines()), "")
        _REGISTRY[name] = Bench(name, func, summary)
        return func

    return decorator


def autodiscover() -> None:
    """Import every installed app's `bench` module so its benches register themselves."""
    autodiscover_modules("bench")


def benches() -> dict[str, Bench]:
    return dict(sorted(_REGISTRY.items()))


# --- timing -----------------------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """The pct-th percentile with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def elapsed_ms(func: Callable, *args, **kwargs) -> tuple[Any, float]:
    """Call func and return (its result, wall time in milliseconds)."""
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, (time.perf_counter() - start) * 1000


def timed_calls(func: Callable, requests: int, warmup: int) -> list[float]:
    """Call func(n) for n in 0 … warmup + requests − 1; the milliseconds of the calls after the warm-up."""
    samples = []
    for number in range(warmup + requests):
        _result, ms = elapsed_ms(func, number)
        if number >= warmup:
            samples.append(ms)
    return samples


def latency_metrics(prefix: str, rounds: Sequence[Sequence[float]], *, target_p95: float | None) -> dict[str, Metric]:
    """p50 (informational) and p95 (against the target) of millisecond timings taken in rounds.

    Each figure is the median over the rounds of that round's percentile: on a shared machine one
    round can fall into someone else's busy minute, and the median of three is what repeats.
    """
    return {
        f"{prefix}_p50": Metric(statistics.median(percentile(r, 50) for r in rounds), "ms"),
        f"{prefix}_p95": Metric(statistics.median(percentile(r, 95) for r in rounds), "ms", target_p95),
    }


def calibration_ms(repeat: int = 3) -> float:
    """Best time of a fixed pure-Python loop: how fast this machine is at the moment of the run.

    Shared and virtual machines speed up and slow down by half or more; a report carries this figure
    so that two runs can be compared.
    """

    def loop() -> int:
        total = 0
        for i in range(1_000_000):
            total += i * i
        return total

    return round(min(elapsed_ms(loop)[1] for _ in range(repeat)), 1)


def round_percentiles(rounds: Sequence[Sequence[float]], pct: float) -> list[float]:
    """Each round's percentile, for the report's parameters."""
    return [round(percentile(r, pct), 1) for r in rounds]


# --- a throw-away database ----------------------------------------------------------------------------


def _sqlite_dir(settings_dict: dict) -> str | None:
    """Beside the configured SQLite file (same disk), unless that database lives in memory."""
    name = str(settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    parent = Path(name).parent
    return str(parent) if parent.is_dir() and os.access(parent, os.W_OK) else None


@contextmanager
def temporary_database(alias: str = DEFAULT_DB_ALIAS, *, prefix: str = "tuijin_bench") -> Iterator[str]:
    """Point `alias` at a fresh, fully migrated database for the duration of the block.

    SQLite: a file in a new temporary directory, opened with the configured OPTIONS (WAL, IMMEDIATE),
    never an in-memory database. PostgreSQL: a new database `<prefix>_<pid>` on the configured server.
    The configured connection object is set aside untouched (open transactions included, as inside a
    test run) and put back afterwards; the temporary database is dropped even when the block fails.
    """
    from django.contrib.contenttypes.models import ContentType

    original = connections[alias]
    saved_settings = copy.deepcopy(settings.DATABASES[alias])
    settings_dict = copy.deepcopy(original.settings_dict)
    tmpdir = None
    if original.vendor == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix=f"{prefix}_", dir=_sqlite_dir(original.settings_dict))
        test_name = os.path.join(tmpdir, "bench.sqlite3")
    else:
        test_name = f"{prefix}_{os.getpid()}"
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "NAME": test_name, "MIGRATE": True}
    wrapper = original.__class__(settings_dict, alias)
    connections[alias] = wrapper
    ContentType.objects.clear_cache()
    try:
        # Django's own test-database machinery: creates, migrates, and knows each vendor's quirks.
        wrapper.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
        if wrapper.vendor == "sqlite" and wrapper.is_in_memory_db():
            raise BenchError("the bench database must be a file, not an in-memory database")
        yield test_name
    finally:
        try:
            wrapper.close()
            if wrapper.vendor == "postgresql":
                # Through the maintenance database, as Django drops its test databases; FORCE (13+)
                # so that a connection left open by a failing bench cannot keep it alive.
                with wrapper._nodb_cursor() as cursor:
                    cursor.execute("SHOW server_version_num")
                    force = " WITH (FORCE)" if int(cursor.fetchone()[0]) >= 130000 else ""
                    cursor.execute(f"DROP DATABASE IF EXISTS {wrapper.ops.quote_name(test_name)}{force}")
        finally:
            connections[alias] = original
            settings.DATABASES[alias].clear()
            settings.DATABASES[alias].update(saved_settings)
            ContentType.objects.clear_cache()
            if tmpdir:
                shutil.rmtree(tmpdir, ignore_errors=True)


def database_vendor(alias: str = DEFAULT_DB_ALIAS) -> str:
    return connections[alias].vendor


def database_details(alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Server version (and SQLite's journal mode) of the database a bench runs in."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = cursor.fetchone()[0]
            cursor.execute("PRAGMA journal_mode")
            return {"database_version": version, "journal_mode": cursor.fetchone()[0]}
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return {"database_version": cursor.fetchone()[0]}
    return {}


@dataclass
class Report:
    name: str
    database: str
    result: BenchResult

    def as_dict(self) -> dict[str, Any]:
        return {
            "bench": self.name,
            "database": self.database,
            "metrics": {key: metric.as_dict() for key, metric in self.result.metrics.items()},
            "params": self.result.params,
        }

    @property
    def ok(self) -> bool:
        return all(metric.ok is not False for metric in self.result.metrics.values())


def run(name: str, options: BenchOptions | None = None) -> Report:
    """Run a registered bench in a temporary database of the configured vendor."""
    bench = _REGISTRY.get(name)
    if bench is None:
        raise KeyError(name)
    options = options or BenchOptions()
    vendor = database_vendor()
    before = calibration_ms()
    with temporary_database():
        details = database_details()
        result = bench.func(options)
    result.params = {**details, **result.params, "calibration_ms": [before, calibration_ms()]}
    return Report(name, vendor, result)


def environment(options: BenchOptions) -> dict[str, Any]:
    """What every bench reports about where it ran, besides its own figures."""
    import platform
    import time

    import django
    from django.conf import settings

    return {
        "cpu_count": os.cpu_count(), "python": platform.python_version(), "django": django.get_version(),
        "debug": settings.DEBUG, "seed": options.seed, "generated_at": time.strftime("%Y-%m-%d"),
    }
