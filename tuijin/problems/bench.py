"""The problems bench: a handling unit's inbox, the province's overdue list and the closure statistics.

Data: the ledger bench's province (`generate_province()`, 20,000 projects) and `generate_problems()`:
100,000 problems raised over the last two and a half years (more of them recent), spread unevenly
over the projects (projects under construction raise more), of the 11 seeded types, handled by the
province's own units (the project's lead unit, a department or the government of its district or
city, its owner, now and then a provincial department), a quarter with one or two cooperating units.
About 60% are closed off (已销号, with 办结用时), the others 待受理 / 办理中 / 已解决待销号 / 无法解决; the
open ones have deadlines around today, about a third of them past. 3,000 supervision orders (most on
a problem, to its handling unit) over the last two years, mostly closed, the open ones due around
today. Rows are written in bulk (tuijin.core.bulk): no history rows and no timeline events.

Timed through the whole Django stack with `django.test.Client`, every response checked (outside the
timing) to be 200 and to show the first row the selectors give for it:

- `unit_inbox_*`: a 办理单位 user of the unit with the most unfinished problems opens /problems/inbox/
  (its own problems, the ones it cooperates on, its orders; first pages mostly).
- `overdue_list_*`: a province dispatcher opens /problems/overdue/ (first pages mostly, the due-soon
  tab now and then); `overdue_list_city_*` the same for the office of the largest city, whose lists go
  through the scoping rule.
- `closure_stats_*`: the province dispatcher opens /problems/stats/ by unit, by type and by month,
  this year and all years.
"""

from __future__ import annotations

import gc
import math
import os
import random
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tuijin.core.bench import (
    BenchError,
    BenchOptions,
    BenchResult,
    Metric,
    elapsed_ms,
    environment,
    latency_metrics,
    register,
    round_percentiles,
)
from tuijin.core.bulk import allocate_ids, insert_rows
from tuijin.org.choices import Role
from tuijin.org.models import Unit
from tuijin.projects.bench import PROJECTS, Province, _principal, generate_province
from tuijin.projects.choices import CanonicalStage
from tuijin.projects.models import Project

from . import selectors
from .choices import ACTIVE_PROBLEM_STATES, Ladder, OrderBasis, OrderStatus, ProblemStatus, Source
from .models import Problem, ProblemType, SupervisionOrder

PROBLEMS = 100_000
ORDERS = 3_000
HISTORY_DAYS = 900  # problems raised over the last two and a half years
INBOX_TARGET_P95_MS = 80.0
OVERDUE_TARGET_P95_MS = 80.0
STATS_TARGET_P95_MS = 300.0
DEFAULT_REQUESTS = 30  # timed requests per page and round
WARMUP_REQUESTS = 3
PAGE = 50  # rows a list page shows (views.PAGE)

TYPE_WEIGHTS = {
    "资金": 20, "用地": 14, "征地拆迁/民事纠纷": 16, "前期手续/审批": 15, "环保/能耗": 6, "规划": 6,
    "施工组织/安全": 5, "配套(水电气暖路)": 7, "管线迁改": 5, "政策": 3, "其他": 3,
}
DESCRIPTIONS = {
    "资金": ("项目资本金到位不足，影响施工进度", "专项债券资金拨付滞后", "银行贷款审批未完成", "工程款拨付不及时，施工单位垫资压力大"),
    "用地": ("建设用地指标尚未落实", "土地组卷报批未完成", "占用林地手续正在办理", "土地征收成片开发方案待批复"),
    "征地拆迁/民事纠纷": ("部分群众对补偿标准有异议，拆迁推进缓慢", "地上附着物清点未完成", "坟墓迁移尚未完成", "施工扰民引发群众阻工"),
    "前期手续/审批": ("施工许可证未办理", "初步设计未批复", "可研报告评审意见未回复", "节能审查未通过"),
    "环保/能耗": ("环评批复未取得", "能耗指标不足", "扬尘治理不达标被责令整改"),
    "规划": ("规划条件调整未完成", "建设工程规划许可证未办理", "线位与规划不一致需调整"),
    "施工组织/安全": ("施工单位人员设备投入不足", "安全隐患整改未完成", "冬季施工组织方案未落实"),
    "配套(水电气暖路)": ("施工用电未接通", "配套道路未建成", "供水管网接入未落实", "燃气接入方案未确定"),
    "管线迁改": ("通信管线迁改未完成", "高压线路迁改需协调电力部门", "燃气管道迁改方案未确定"),
    "政策": ("土地出让政策需明确", "电价优惠政策未兑现"),
    "其他": ("设备采购进度滞后", "周边企业协调困难"),
}
RESOLUTIONS = ("已协调解决", "资金已拨付到位", "手续已办结", "补偿协议已全部签订", "已完成迁改", "已接通")
SOURCES = ((Source.REPORT, 30), (Source.PATROL, 30), (Source.MEETING, 20), (Source.INSPECTION, 12),
           (Source.INSTRUCTION, 8))
LEVELS = ((Ladder.UNIT, 55), (Ladder.COUNTY, 22), (Ladder.DEPARTMENT, 11), (Ladder.LEADER, 9), (Ladder.COMMITTEE, 3))
# Status mixes by age: (upper bound of the roll, status). A problem raised more than four months ago is
# mostly closed off; a recent one mostly open. Overall about 60% 已销号.
OLD_MIX = ((0.72, ProblemStatus.CLOSED), (0.76, ProblemStatus.UNSOLVABLE), (0.79, ProblemStatus.RESOLVED),
           (0.94, ProblemStatus.HANDLING), (1.0, ProblemStatus.PENDING))
RECENT_MIX = ((0.25, ProblemStatus.CLOSED), (0.26, ProblemStatus.UNSOLVABLE), (0.36, ProblemStatus.RESOLVED),
              (0.80, ProblemStatus.HANDLING), (1.0, ProblemStatus.PENDING))
RECENT_DAYS = 120
PROBLEM_COLUMNS = (
    "id", "created_at", "updated_at", "version", "project_id", "type_id", "description", "source", "report_id",
    "meeting_id", "inspection_id", "raised_by_id", "raised_on", "handling_unit_id", "coordinating_leader_id",
    "level", "deadline", "status", "resolution", "closed_on", "days_to_close",
)
ORDER_COLUMNS = (
    "id", "created_at", "updated_at", "version", "year", "seq", "project_id", "basis", "problem_id", "warning",
    "meeting_id", "inspection_id", "unit_id", "content", "reply_by", "rectify_by", "status", "issued_by_id",
    "issued_on", "plan", "replied_on", "closed_on",
)


@dataclass
class Generated:
    problems: int
    orders: int
    counts: dict = field(default_factory=dict)


def _pick(mix, roll: float):
    for bound, value in mix:
        if roll < bound:
            return value
    return mix[-1][1]


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _fields(model, names):
    return [model._meta.get_field(name) for name in names]  # get_field knows attnames too


def _handling_units(data: Province) -> tuple[dict, dict, list]:
    """city of each region, every region's departments + government, the province's departments."""
    city_of = {d.pk: d.parent_id for d in data.districts}
    city_of.update({c.pk: c.pk for c in data.cities})
    return city_of, {r: data.departments.get(r, []) for r in data.governments}, data.departments[data.province.pk]


def generate_problems(data: Province, *, seed: int = BenchOptions.seed, today: date | None = None,
                      problems: int = PROBLEMS, orders: int = ORDERS, raised_by=None) -> Generated:
    """Fill the current database with `problems` problems and `orders` supervision orders on the
    province's projects (deterministic for a seed); see the module's docstring."""
    rng = random.Random(seed + 6)
    today = today or timezone.localdate()
    raised_by_id = getattr(raised_by, "pk", None)
    types = {t.name: t.pk for t in ProblemType.objects.all()}
    type_names = [name for name in TYPE_WEIGHTS if name in types] or sorted(types)
    type_weights = [TYPE_WEIGHTS.get(name, 3) for name in type_names]
    city_of, departments, province_departments = _handling_units(data)
    leaders_of: dict[int, list[int]] = {}
    for leader in data.leaders:
        leaders_of.setdefault(leader.unit.region_id, []).append(leader.pk)
    province_leaders = leaders_of.get(data.province.pk, [])
    projects = list(Project.objects.order_by("pk").values_list(
        "pk", "region_id", "lead_unit_id", "owner_id", "stage__canonical"))
    if not projects:
        raise BenchError("no project to raise problems on")
    building = {CanonicalStage.NEW_START, CanonicalStage.CONSTRUCTION}
    weights = [rng.paretovariate(2.0) * (2.5 if stage in building else 1.0) for *_r, stage in projects]
    sources, source_weights = zip(*SOURCES, strict=True)
    levels, level_weights = zip(*LEVELS, strict=True)

    statuses: Counter = Counter()
    with transaction.atomic():
        ids = allocate_ids(Problem, problems)
        rows, cooperating, problem_of = [], [], []
        for pk, project in zip(ids, rng.choices(projects, weights, k=problems), strict=True):
            project_id, region_id, lead_unit_id, owner_id, _stage = project
            city_id = city_of.get(region_id, region_id)
            age = int(rng.triangular(0, HISTORY_DAYS, 0))
            raised_on = today - timedelta(days=age)
            status = _pick(RECENT_MIX if age < RECENT_DAYS else OLD_MIX, rng.random())
            roll = rng.random()
            if status == ProblemStatus.PENDING and roll < 0.06:
                unit_id = None  # raised, waiting for the dispatcher to assign it
            elif roll < 0.35:
                unit_id = lead_unit_id
            elif roll < 0.60 and departments.get(region_id):
                unit_id = rng.choice(departments[region_id]).pk
            elif roll < 0.75:
                unit_id = data.governments[region_id].pk
            elif roll < 0.90 and departments.get(city_id):
                unit_id = rng.choice(departments[city_id]).pk
            elif roll < 0.97 and owner_id:
                unit_id = owner_id
            else:
                unit_id = rng.choice(province_departments).pk
            level = rng.choices(levels, level_weights)[0]
            leader_id = None
            if level >= Ladder.LEADER:
                pool = leaders_of.get(city_id) or province_leaders
                leader_id = rng.choice(province_leaders if level == Ladder.COMMITTEE and province_leaders else pool)
            kind = rng.choices(type_names, type_weights)[0]
            description = rng.choice(DESCRIPTIONS.get(kind, DESCRIPTIONS["其他"]))
            resolution, closed_on, days_to_close = "", None, None
            if status in (ProblemStatus.PENDING, ProblemStatus.HANDLING, ProblemStatus.RESOLVED):
                # Open: a deadline around today (extended, for the old ones); about a third past.
                deadline = max(raised_on + timedelta(days=7), today + timedelta(days=rng.randint(-60, 100)))
                if status == ProblemStatus.RESOLVED:
                    resolution = rng.choice(RESOLUTIONS)
            else:
                deadline = raised_on + timedelta(days=rng.choice((15, 30, 30, 60, 90)))
                took = min(age, max(1, int(rng.lognormvariate(math.log(35), 0.8))))
                closed_on = raised_on + timedelta(days=took)
                if status == ProblemStatus.CLOSED:
                    days_to_close = took
                    resolution = rng.choice(RESOLUTIONS)
                else:
                    resolution = "经协调暂无法解决，列入长期跟踪"
            version = {ProblemStatus.PENDING: 2, ProblemStatus.HANDLING: 3, ProblemStatus.RESOLVED: 5,
                       ProblemStatus.CLOSED: 6, ProblemStatus.UNSOLVABLE: 6}[status]
            if unit_id is None:
                version = 1
            stamp = _at(raised_on)
            updated = _at(closed_on, 17) if closed_on else stamp
            rows.append((
                pk, stamp, updated, version, project_id, types[kind], description,
                rng.choices(sources, source_weights)[0], None, None, None, raised_by_id, raised_on, unit_id, leader_id,
                level, deadline, status, resolution, closed_on, days_to_close,
            ))
            statuses[status] += 1
            if unit_id is not None and rng.random() < 0.25:
                pool = [u.pk for r in {region_id, city_id} for u in departments.get(r, []) if u.pk != unit_id]
                for helper in rng.sample(pool, min(len(pool), rng.choice((1, 1, 2)))):
                    cooperating.append((pk, helper))
            if unit_id is not None and status != ProblemStatus.UNSOLVABLE:
                problem_of.append((pk, project_id, unit_id, raised_on, status, description))
        insert_rows(Problem, _fields(Problem, PROBLEM_COLUMNS), rows)
        through = Problem.cooperating_units.through
        insert_rows(through, [through._meta.get_field("problem"), through._meta.get_field("unit")], cooperating)
        del rows

        order_rows = []
        order_statuses: Counter = Counter()
        seqs: Counter = Counter()
        order_ids = allocate_ids(SupervisionOrder, orders)
        recent = [p for p in problem_of if (today - p[3]).days < 730]
        for pk in order_ids:
            problem_id = None
            if recent and rng.random() < 0.7:
                problem_id, project_id, unit_id, raised_on, problem_status, content = rng.choice(recent)
                issued_on = min(today, raised_on + timedelta(days=rng.randint(10, 60)))
                basis = OrderBasis.PROBLEM
            else:
                project_id, region_id, lead_unit_id, _owner, _stage = rng.choice(projects)
                unit_id = lead_unit_id
                issued_on = today - timedelta(days=int(rng.triangular(0, 730, 0)))
                basis = OrderBasis.PROJECT if rng.random() < 0.6 else OrderBasis.WARNING
                content = "请加快推进项目建设，按期完成年度目标任务"
                problem_status = None
            age = (today - issued_on).days
            roll = rng.random()
            if problem_status == ProblemStatus.CLOSED or (age > 120 and roll < 0.8) or roll < 0.4:
                status = OrderStatus.CLOSED
            elif roll < 0.7 or age <= 15:
                status = OrderStatus.ISSUED if age <= 30 or roll < 0.5 else OrderStatus.RECTIFYING
            else:
                status = OrderStatus.RECTIFYING
            reply_by = issued_on + timedelta(days=rng.choice((5, 7, 10, 15)))
            rectify_by = replied_on = closed_on = None
            plan = ""
            if status == OrderStatus.ISSUED:
                reply_by = max(reply_by, today + timedelta(days=rng.randint(-20, 15)))
            else:
                replied_on = min(today, reply_by - timedelta(days=rng.randint(0, 4)))
                rectify_by = replied_on + timedelta(days=rng.choice((30, 60, 90)))
                plan = "制定整改方案，明确责任人和完成时限"
                if status == OrderStatus.RECTIFYING:
                    rectify_by = max(rectify_by, today + timedelta(days=rng.randint(-30, 60)))
                else:
                    closed_on = min(today, replied_on + timedelta(days=rng.randint(10, 80)))
            seqs[issued_on.year] += 1
            stamp = _at(issued_on)
            order_rows.append((
                pk, stamp, _at(closed_on, 17) if closed_on else stamp, 1 if status == OrderStatus.ISSUED else 3,
                issued_on.year, seqs[issued_on.year], project_id, basis, problem_id,
                "红灯：节点逾期" if basis == OrderBasis.WARNING else "", None, None, unit_id, content, reply_by,
                rectify_by, status, raised_by_id, issued_on, plan, replied_on, closed_on,
            ))
            order_statuses[status] += 1
        insert_rows(SupervisionOrder, _fields(SupervisionOrder, ORDER_COLUMNS), order_rows)

    return Generated(problems, orders, counts={
        "problems": problems, "problem_statuses": {str(k): n for k, n in sorted(statuses.items())},
        "cooperating_links": len(cooperating), "orders": orders, "order_statuses": {str(k): n for k, n in sorted(order_statuses.items())},
    })


# ------------------------------------------------------------------------------------------ timing


@dataclass
class Page:
    """One page to time: its URL, a user's client, and the requests to cycle through with what each
    must show (a link or a label the selectors give for it, HTML-escaped)."""

    key: str
    url: str
    client: Client
    mix: list[tuple[dict, bytes]]


def _entry(params: dict, queryset, offset: int, route: str) -> tuple[dict, bytes] | None:
    """A request and the link its page must show: the row at `offset` (the first of its page), or None
    when the list is that short."""
    rows = list(queryset[offset:offset + 1])
    return (params, reverse(route, args=[rows[0].pk]).encode()) if rows else None


def _mix(key: str, entries) -> list[tuple[dict, bytes]]:
    if entries[0] is None:
        raise BenchError(f"{key}: the bench data leaves the first page empty")
    return [entry for entry in entries if entry is not None]


def _check(page: Page, params: dict, expected: bytes, response) -> None:
    if response.status_code != 200 or expected not in response.content:
        raise BenchError(f"{page.url} {params!r} answered {response.status_code} without {expected.decode()!r}")


def _time(page: Page, requests: int, by_request: dict[int, list[float]]) -> list[float]:
    for params, expected in page.mix[:WARMUP_REQUESTS]:
        _check(page, params, expected, page.client.get(page.url, params))
    samples = []
    for number in range(requests):
        index = number % len(page.mix)
        params, expected = page.mix[index]
        response, ms = elapsed_ms(page.client.get, page.url, params)
        _check(page, params, expected, response)
        samples.append(ms)
        by_request.setdefault(index, []).append(ms)
    return samples


def _request_medians(page: Page, by_request: dict[int, list[float]]) -> dict[str, float]:
    """Median milliseconds of each distinct request of the mix (all rounds), for the report."""
    grouped: dict[str, list[float]] = {}
    for index, samples in sorted(by_request.items()):
        key = "&".join(f"{k}={v}" for k, v in page.mix[index][0].items()) or "(default)"
        grouped.setdefault(key, []).extend(samples)
    return {key: round(statistics.median(samples), 1) for key, samples in grouped.items()}


def _queries(page: Page) -> int:
    params, expected = page.mix[0]
    page.client.get(page.url, params)  # a session refresh (every few minutes) is not the page's
    with CaptureQueriesContext(connection) as captured:
        response = page.client.get(page.url, params)
    _check(page, params, expected, response)
    return len(captured)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.handler.load_middleware()  # a server loads its middleware once per process
    return client


def _inbox_page(handler) -> Page:
    unit = selectors.unit_inbox(handler)
    first = _entry({}, unit, 0, "problems:detail")
    mix = _mix("unit_inbox", [
        first, _entry({"page": "2"}, unit, PAGE, "problems:detail"), first,
        _entry({"tab": "cooperate"}, selectors.cooperating_inbox(handler), 0, "problems:detail"), first,
        _entry({"page": "3"}, unit, 2 * PAGE, "problems:detail"), first,
        _entry({"tab": "orders"}, selectors.order_inbox(handler), 0, "problems:order"),
    ])
    return Page("unit_inbox", reverse("problems:inbox"), _client(handler), mix)


def _overdue_page(dispatcher, today: date, key: str = "overdue_list") -> Page:
    overdue = selectors.overdue_problems(dispatcher, today)
    first = _entry({}, overdue, 0, "problems:detail")
    mix = _mix(key, [
        first, _entry({"page": "2"}, overdue, PAGE, "problems:detail"), first,
        _entry({"which": "soon"}, selectors.due_soon_problems(dispatcher, today), 0, "problems:detail"), first,
        _entry({"page": "3"}, overdue, 2 * PAGE, "problems:detail"),
    ])
    return Page(key, reverse("problems:overdue"), _client(dispatcher), mix)


def _stats_page(dispatcher, today: date) -> Page:
    year_start = today.replace(month=1, day=1)
    since = today.replace(year=today.year - 3, day=1)
    mix = []
    for by, start in (("unit", None), ("type", None), ("unit", since), ("month", since), ("type", since)):
        rows = selectors.closure_stats(dispatcher, by, today, start or year_start, None)
        if not rows:
            raise BenchError(f"closure statistics by {by} are empty")
        params = {"by": by, **({"start": start.isoformat()} if start else {})}
        mix.append((params, escape(rows[0].label).encode()))
    return Page("closure_stats", reverse("problems:stats"), _client(dispatcher), mix)


def _busiest_unit() -> tuple[Unit, int]:
    """The unit with the most unfinished problems (its inbox is the longest)."""
    row = (Problem.objects.filter(status__in=ACTIVE_PROBLEM_STATES, handling_unit__isnull=False)
           .values("handling_unit_id").annotate(n=Count("id")).order_by("-n", "handling_unit_id").first())
    if row is None:
        raise BenchError("no unit has an unfinished problem")
    return Unit.objects.get(pk=row["handling_unit_id"]), row["n"]


@register("problems", help="问题清单：省级规模 20,000 个项目、100,000 个问题；办理单位待办、逾期清单、办结率统计")
def problems_bench(options: BenchOptions) -> BenchResult:
    """Problems at province scale, timed through the full Django stack."""
    today = timezone.localdate()
    count = max(50, round(PROJECTS * options.scale))
    options.log(f"生成数据 generating {count} projects…")
    data, province_ms = elapsed_ms(generate_province, count, seed=options.seed)
    dispatcher_unit = next(u for u in data.departments[data.province.pk] if u.name.endswith("发展和改革委员会"))
    dispatcher = _principal("bench_problems_dispatcher", dispatcher_unit, Role.DISPATCHER)
    # A city's office too: its lists go through the scoping rule (the province's need none).
    below = Counter(r.parent_id for r in data.districts)
    city = max(data.cities, key=lambda c: below[c.pk])
    city_unit = next(u for u in data.departments[city.pk] if u.name.endswith("发展和改革委员会"))
    city_dispatcher = _principal("bench_problems_city_dispatcher", city_unit, Role.DISPATCHER)
    problems = max(200, round(PROBLEMS * options.scale))
    orders = max(20, round(ORDERS * options.scale))
    options.log(f"  {province_ms / 1000:.1f} s; generating {problems} problems and {orders} orders…")
    generated, problems_ms = elapsed_ms(generate_problems, data, seed=options.seed, today=today, problems=problems,
                                        orders=orders, raised_by=dispatcher)
    options.log(f"  {problems_ms / 1000:.1f} s: {generated.counts}")
    if connection.vendor == "postgresql":
        # As the other benches: what autovacuum would do within minutes on a running server.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    unit, unit_active = _busiest_unit()
    handler = _principal("bench_problems_handler", unit, Role.HANDLER)
    counts = {
        **data.counts, **generated.counts, "handler_unit": unit.name, "handler_unit_active": unit_active,
        "overdue_problems": selectors.overdue_problems(dispatcher, today).count(),
        "overdue_orders": selectors.overdue_orders(dispatcher, today).count(),
        "dispatcher_visible": Problem.objects.visible_to(dispatcher).count(),
    }
    del data
    gc.collect()
    gc.freeze()  # as tuijin/wsgi.py does in a server process

    requests = options.requests or DEFAULT_REQUESTS
    load_before = os.getloadavg()
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], SECURE_SSL_REDIRECT=False):
        pages = [_inbox_page(handler), _overdue_page(dispatcher, today), _overdue_page(city_dispatcher, today, "overdue_list_city"),
                 _stats_page(dispatcher, today)]
        timings: dict[str, list[list[float]]] = {page.key: [] for page in pages}
        by_request: dict[str, dict[int, list[float]]] = {page.key: {} for page in pages}
        for number in range(1, options.rounds + 1):
            for page in pages:
                options.log(f"第 {number} 轮 round {number}: {requests} requests of {page.key}…")
                timings[page.key].append(_time(page, requests, by_request[page.key]))
        queries = {page.key: _queries(page) for page in pages}
    load_after = os.getloadavg()
    gc.unfreeze()

    metrics: dict[str, Metric] = {}
    targets = {"unit_inbox": INBOX_TARGET_P95_MS, "overdue_list": OVERDUE_TARGET_P95_MS, "overdue_list_city": OVERDUE_TARGET_P95_MS,
               "closure_stats": STATS_TARGET_P95_MS}
    for page in pages:
        metrics.update(latency_metrics(page.key, timings[page.key], target_p95=targets[page.key]))
    for page in pages:
        metrics[f"{page.key}_queries"] = Metric(queries[page.key], "queries")
    return BenchResult(metrics, params={
        **counts,
        "requests_per_page": requests,
        "rounds": options.rounds,
        "p95_per_round": {page.key: round_percentiles(timings[page.key], 95) for page in pages},
        "median_ms": {page.key: round(statistics.median(ms for r in timings[page.key] for ms in r), 1) for page in pages},
        "median_ms_by_request": {page.key: _request_medians(page, by_request[page.key]) for page in pages},
        "generate_seconds": {"province": round(province_ms / 1000, 2), "problems": round(problems_ms / 1000, 2)},
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
        "today": today.isoformat(),
        **environment(options),
    })
