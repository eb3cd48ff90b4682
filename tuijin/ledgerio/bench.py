"""The export bench: the whole province's ledger downloaded as .xlsx and as .csv through the full stack.

Data comes from the ledger bench's generator (`generate_province`, 20,000 projects); a dispatcher of
the province exports every project (all years, archived included), as `GET /ledger/export/xlsx/`
and `/ledger/export/csv/` with `django.test.Client`. Each file is opened and its rows counted outside
the timing, so an error page or a short file is never timed.
"""

from __future__ import annotations

import csv
import gc
import io
import os
import resource
import statistics

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tuijin.core.bench import BenchError, BenchOptions, BenchResult, Metric, elapsed_ms, environment, register
from tuijin.core.sheets.writer import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from tuijin.org.choices import Role
from tuijin.projects.bench import PROJECTS, _principal, generate_province
from tuijin.projects.models import Project

TARGET_SECONDS = 5.0
# Everything the province holds: all years (not only this year's plans) and the archived projects.
PARAMS = {"year": "", "archived": "1"}
XLSX_HEADER_ROWS = 5  # title, unit line, two header rows, 合计
CSV_HEADER_ROWS = 2  # header, 合计


def _xlsx_rows(content: bytes) -> int:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    return len(sheet.to_python(skip_empty_area=False)) - XLSX_HEADER_ROWS


def _csv_rows(content: bytes) -> int:
    if not content.startswith(b"\xef\xbb\xbf"):
        raise BenchError("the CSV export has no UTF-8 BOM")
    return sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))) - CSV_HEADER_ROWS


FORMATS = {
    "xlsx": ("ledgerio:export_xlsx", XLSX_CONTENT_TYPE, _xlsx_rows),
    "csv": ("ledgerio:export_csv", CSV_CONTENT_TYPE, _csv_rows),
}


def _time_export(client: Client, fmt: str, expected_rows: int) -> tuple[float, int]:
    """Seconds for one download, and its size in bytes; the file is checked afterwards."""
    url_name, content_type, count_rows = FORMATS[fmt]
    response, ms = elapsed_ms(client.get, reverse(url_name), PARAMS)
    if response.status_code != 200 or response["Content-Type"] != content_type:
        raise BenchError(f"export {fmt} answered {response.status_code} {response['Content-Type']}")
    rows = count_rows(response.content)
    if rows != expected_rows:
        raise BenchError(f"export {fmt} held {rows} project rows, expected {expected_rows}")
    return ms / 1000, len(response.content)


@register("export", help="台账导出 /ledger/export/：省级规模 20,000 个项目导出为 .xlsx 与 .csv（秒）")
def export_bench(options: BenchOptions) -> BenchResult:
    """The whole province's ledger as .xlsx and .csv, timed through the full Django stack."""
    count = max(50, round(PROJECTS * options.scale))
    options.log(f"生成数据 generating {count} projects…")
    data, generate_ms = elapsed_ms(generate_province, count, seed=options.seed)
    options.log(f"  {generate_ms / 1000:.1f} s: {data.counts}")
    if connection.vendor == "postgresql":
        # As the ledger bench: what autovacuum would do within minutes on a running server.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    unit = next(u for u in data.departments[data.province.pk] if u.name.endswith("发展和改革委员会"))
    dispatcher = _principal("bench_export_dispatcher", unit, Role.DISPATCHER)
    expected = Project.objects.count()
    counts = dict(data.counts)
    del data
    gc.collect()

    load_before = os.getloadavg()
    seconds: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    sizes: dict[str, int] = {}
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], SECURE_SSL_REDIRECT=False):
        client = Client()
        client.force_login(dispatcher)
        client.get(reverse("projects:list"))  # the first request after login writes the session
        for number in range(1, options.rounds + 1):
            for fmt in FORMATS:
                options.log(f"第 {number} 轮 round {number}: export {fmt}…")
                value, sizes[fmt] = _time_export(client, fmt, expected)
                seconds[fmt].append(value)
    metrics = {
        f"export_{fmt}_{expected}": Metric(statistics.median(values), "s", TARGET_SECONDS)
        for fmt, values in seconds.items()
    }
    return BenchResult(
        metrics,
        params={
            **counts,
            "exported_rows": expected,
            "rounds": options.rounds,
            "seconds_per_round": {fmt: [round(v, 2) for v in values] for fmt, values in seconds.items()},
            "bytes": sizes,
            # Peak resident memory of the whole process (generator included), for an order of magnitude.
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "generate_seconds": round(generate_ms / 1000, 2),
            "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
            **environment(options),
        },
    )

from . import bench_import  # noqa: E402,F401  (registers the "import" bench)
