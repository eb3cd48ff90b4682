"""The import bench: a realistic 10,000-row .xlsx ledger imported end to end (read, map, validate, write).

The province of the ledger bench (`generate_province`, here with 2,000 projects) is the database the
file is imported into. The file has what real ledgers have: a title row, a "单位：万元" line, a two-row
header with merged cells, a 合计 row, region names, dictionary words, owners (most of them new units),
responsible units and leaders; one row in ten carries the code of a project already in the database,
so it is an update. Each timed import runs inside a transaction that is rolled back, so every round
imports the same file into the same database; the last round is kept and checked.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import time
from collections import Counter
from decimal import Decimal

import xlsxwriter
from django.db import connection, transaction

from tuijin.core.bench import BenchError, BenchOptions, BenchResult, Metric, environment, register
from tuijin.core.sheets.reader import read_workbook
from tuijin.org.choices import Role
from tuijin.projects.bench import _principal, generate_province
from tuijin.projects.models import AnnualPlan, Category, Level, Nature, Project

from .services import import_ledger, summary

ROWS = 10_000
EXISTING = 2_000
TARGET_SECONDS = 2.0  # issue #14 §3: ≤ 2 s for 10,000 rows on both databases
# Reading the file alone (tuijin.core.sheets): the figure tests/sheets/test_reader.py used to assert
# for a 10,000 x 25 sheet, judged here where a loaded machine cannot fail the suite.
READ_TARGET_SECONDS = 1.0
HEADER = [
    ("序号", None), ("项目代码", None), ("项目名称", None), ("所属区域", None), ("项目级别", None),
    ("项目类别", None), ("建设性质", None), ("项目阶段", None), ("建设内容及规模", None), ("建设起止年限", None),
    ("总投资（万元）", None), ("开工至上年底累计完成投资（万元）", None), ("{year}年计划投资（万元）", None),
    ("项目业主单位", "业主名称"), ("项目业主单位", "联系人"), ("项目业主单位", "联系电话"),
    ("责任单位", None), ("联系领导", None), ("备注", None),
]


class _Rollback(Exception):
    pass


def build_ledger(data, rows: int, rng: random.Random, year: int) -> bytes:
    """A province ledger as an office would keep it in Excel."""
    names = Counter(d.name for d in data.districts)
    districts = [d for d in data.districts if names[d.name] == 1]
    levels = list(Level.objects.values_list("name", flat=True))
    categories = list(Category.objects.filter(parent__isnull=False).values_list("name", flat=True))
    natures = list(Nature.objects.values_list("name", flat=True))
    stages = ["前期", "新开工", "续建", "在建", "竣工"]
    leaders = [leader.name for leader in data.leaders]
    existing = list(Project.objects.exclude(code="").values_list("code", "total_investment")[: rows // 10])
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet("项目台账")
    bold = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True})
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, f"山东省{year}年省重点项目台账", bold)
    sheet.write(1, 0, "单位：万元")
    # constant_memory writes row by row: the header's upper row first, then its lower row.
    col = 0
    while col < len(HEADER):
        top, sub = HEADER[col]
        span = 1 if sub is None else sum(1 for t, _s in HEADER[col:] if t == top)
        if sub is None:
            sheet.merge_range(2, col, 3, col, top.format(year=year), bold)
        else:
            sheet.merge_range(2, col, 2, col + span - 1, top, bold)
        col += span
    for col, (_top, sub) in enumerate(HEADER):
        if sub is not None:
            sheet.write(3, col, sub, bold)
    lines = []
    total_sum = plan_sum = Decimal("0")
    for i in range(rows):
        district = rng.choice(districts)
        total = Decimal(rng.randrange(1000, 2_000_000)) / 10
        code = ""
        if i % 10 == 0 and existing:
            code, total = existing.pop()
        before = (total * Decimal(rng.randrange(0, 40)) / 100).quantize(Decimal("0.01"))
        plan = ((total - before) * Decimal(rng.randrange(5, 60)) / 100).quantize(Decimal("0.01"))
        total_sum += total
        plan_sum += plan
        start = rng.randrange(year - 3, year + 1)
        lines.append([
            i + 1, code, f"{district.name}{rng.choice(categories)}项目{i + 1:05d}号", district.name, rng.choice(levels),
            rng.choice(categories), rng.choice(natures), rng.choice(stages),
            "新建厂房及配套设施，建筑面积约" + str(rng.randrange(1, 90)) + "万平方米",
            f"{start}-{start + rng.randrange(1, 5)}", float(total), float(before), float(plan),
            f"{district.name}第{i % 997:03d}建设发展有限公司", "张工", f"0539-8{i % 1000000:06d}",
            f"{district.name}住房和城乡建设局", rng.choice(leaders), "",
        ])
    sheet.write(4, 0, f"合计（{rows}项）")
    sheet.write_number(4, 10, float(total_sum))
    sheet.write_number(4, 12, float(plan_sum))
    for r, line in enumerate(lines, start=5):
        for c, value in enumerate(line):
            if isinstance(value, float | int):
                sheet.write_number(r, c, value)
            elif value:
                sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()


@register("import", help="台账导入：10,000 行 .xlsx 省级台账的读取、列对应、校验、写入全过程（目标 ≤ 2 s）")
def import_bench(options: BenchOptions) -> BenchResult:
    rng = random.Random(options.seed)
    rows = max(100, round(ROWS * options.scale))
    options.log(f"生成数据 generating the province with {EXISTING} projects…")
    data = generate_province(max(200, round(EXISTING * options.scale)), seed=options.seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    year = 2026
    content = build_ledger(data, rows, rng, year)
    options.log(f"  ledger file: {rows} rows, {len(content) / 1e6:.1f} MB")
    user = _principal("bench_importer", next(u for u in data.departments[data.province.pk]
                                             if u.name.endswith("发展和改革委员会")), Role.DISPATCHER)
    del data
    read_times, import_times = [], []
    rounds = max(1, options.rounds)
    for number in range(1, rounds + 1):
        started = time.perf_counter()
        read_workbook(content, "台账.xlsx")
        read_times.append(time.perf_counter() - started)
        options.log(f"第 {number} 轮 round {number}: importing…")
        keep = number == rounds
        try:
            with transaction.atomic():
                started = time.perf_counter()
                # most owners are new units: confirmed, as the user would after reading the preview's list
                analysis, result = import_ledger(content, "台账.xlsx", user=user, create_new=True)
                import_times.append(time.perf_counter() - started)
                if result is None:
                    report = summary(analysis, None)
                    raise BenchError(f"the generated ledger did not import: {report['errors'][:3]}")
                if not keep:
                    raise _Rollback
        except _Rollback:
            pass
    expected_new = rows - result.updated
    if result.created != expected_new or result.created + result.updated != rows:
        raise BenchError(f"imported {result.created} + {result.updated}, expected {rows} rows")
    plans = AnnualPlan.objects.filter(year=year, project_id__in=result.project_ids[:1000]).count()
    if plans != min(1000, rows):
        raise BenchError(f"{plans} annual plans written for the first 1000 projects")
    metrics = {
        "import_10000_rows": Metric(round(statistics.median(import_times), 3), "s", TARGET_SECONDS),
        "read_only": Metric(round(statistics.median(read_times), 3), "s", READ_TARGET_SECONDS),
    }
    return BenchResult(metrics, params={
        "rows": rows, "created": result.created, "updated": result.updated,
        "units_created": len(result.units_created), "rounds": rounds,
        "import_seconds": [round(t, 3) for t in import_times], "read_seconds": [round(t, 3) for t in read_times],
        "file_bytes": len(content),
        "phase_seconds": {**{k: round(v, 3) for k, v in analysis.timings.items()},
                          **{k: round(v, 3) for k, v in result.timings.items()}},
        "load_average": [round(x, 2) for x in os.getloadavg()], **environment(options),
    })

