"""The ledger bench: a province's worth of projects, and the ledger list timed through the whole stack.

`generate_province()` fills the (temporary) database with 山东省: 16 cities, their districts, counties
and development zones, units, leaders and 20,000 projects with two years of annual plans. Other
benches (reporting, problems) build on it. Rows are written with plain `bulk_create`, so no history
records are made for bench data.
"""

from __future__ import annotations

import gc
import math
import os
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

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
from tuijin.core.fields import CENT
from tuijin.org.choices import RegionLevel, Role, Scope, UnitKind
from tuijin.org.models import Leader, Membership, Region, Unit
from tuijin.org.selectors import regions_visible_to

from .choices import LeaderRole
from .filtersets import LedgerFilterSet, options_changed
from .models import (
    AnnualPlan,
    Category,
    Level,
    Nature,
    Program,
    Project,
    ProjectLeader,
    ProjectResponsibleUnit,
    Stage,
)
from .selectors import current_year, ledger_queryset, ledger_totals
from .tables import SORTS

PROJECTS = 20_000
LIST_TARGET_P95_MS = 80.0
TOTALS_TARGET_P95_MS = 20.0
DEFAULT_REQUESTS = 100  # timed requests per principal
WARMUP_REQUESTS = 5

PROVINCE = ("370000", "山东省")
# The 16 cities of 山东 with their real codes and county-level divisions (codes below are synthetic).
CITIES = (
    ("370100", "济南市", "历下区 市中区 槐荫区 天桥区 历城区 长清区 章丘区 济阳区 莱芜区 钢城区 平阴县 商河县"),
    ("370200", "青岛市", "市南区 市北区 黄岛区 崂山区 李沧区 城阳区 即墨区 胶州市 平度市 莱西市"),
    ("370300", "淄博市", "淄川区 张店区 博山区 临淄区 周村区 桓台县 高青县 沂源县"),
    ("370400", "枣庄市", "市中区 薛城区 峄城区 台儿庄区 山亭区 滕州市"),
    ("370500", "东营市", "东营区 河口区 垦利区 利津县 广饶县"),
    ("370600", "烟台市", "芝罘区 福山区 牟平区 莱山区 蓬莱区 龙口市 莱阳市 莱州市 招远市 栖霞市 海阳市"),
    ("370700", "潍坊市", "潍城区 寒亭区 坊子区 奎文区 临朐县 昌乐县 青州市 诸城市 寿光市 安丘市 高密市 昌邑市"),
    ("370800", "济宁市", "任城区 兖州区 微山县 鱼台县 金乡县 嘉祥县 汶上县 泗水县 梁山县 曲阜市 邹城市"),
    ("370900", "泰安市", "泰山区 岱岳区 宁阳县 东平县 新泰市 肥城市"),
    ("371000", "威海市", "环翠区 文登区 荣成市 乳山市"),
    ("371100", "日照市", "东港区 岚山区 五莲县 莒县"),
    ("371300", "临沂市", "兰山区 罗庄区 河东区 沂南县 郯城县 沂水县 兰陵县 费县 平邑县 莒南县 蒙阴县 临沭县"),
    ("371400", "德州市", "德城区 陵城区 宁津县 庆云县 临邑县 齐河县 平原县 夏津县 武城县 乐陵市 禹城市"),
    ("371500", "聊城市", "东昌府区 茌平区 阳谷县 莘县 东阿县 冠县 高唐县 临清市"),
    ("371600", "滨州市", "滨城区 沾化区 惠民县 阳信县 无棣县 博兴县 邹平市"),
    ("371700", "菏泽市", "牡丹区 定陶区 曹县 单县 成武县 巨野县 郓城县 鄄城县 东明县"),
)
ZONES = ("高新技术产业开发区", "经济技术开发区", "临港产业区")
PROVINCE_DEPARTMENTS = (
    "发展和改革委员会", "交通运输厅", "住房和城乡建设厅", "水利厅", "工业和信息化厅", "教育厅",
    "卫生健康委员会", "农业农村厅", "生态环境厅", "商务厅", "能源局",
)
CITY_DEPARTMENTS = (
    "发展和改革委员会", "交通运输局", "住房和城乡建设局", "水利局", "工业和信息化局", "教育局",
    "卫生健康委员会", "农业农村局",
)
DISTRICT_DEPARTMENTS = ("发展和改革局", "住房和城乡建设局", "交通运输局")
OWNERS = (
    "城市建设投资集团有限公司", "交通发展集团有限公司", "水务集团有限公司", "城乡发展有限公司",
    "产业投资有限公司", "文化旅游发展有限公司", "能源发展有限公司", "教育投资有限公司",
    "医疗健康产业有限公司", "农业发展有限公司", "新材料科技有限公司", "智能制造有限公司",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN_NAMES = ("建国", "明华", "志强", "海涛", "晓东", "文静", "国庆", "立新", "春生", "振华", "德胜", "永刚", "秀英")
# What a project of each (seeded) sub-category is called; a name is "<place><noun><phase>".
NOUNS = {
    "公路": ("国道改建工程", "省道提升改造工程", "农村公路网化工程", "高速公路连接线工程"),
    "铁路": ("铁路专用线工程", "高铁站站前广场工程", "城际铁路配套工程"),
    "机场": ("通用机场建设项目", "机场航站楼改扩建工程"),
    "港口航道": ("港区通用泊位工程", "内河航道整治工程"),
    "城市交通": ("城市快速路工程", "公交枢纽站建设项目", "智慧停车场建设项目"),
    "道路桥梁": ("跨河大桥建设工程", "主干道改造工程", "城市道路新建工程"),
    "供排水": ("污水处理厂提标改造工程", "雨污分流改造工程", "供水管网改造工程"),
    "燃气热力": ("集中供热管网改造工程", "燃气管道老化更新改造工程"),
    "城市更新": ("老旧小区改造项目", "历史文化街区保护更新项目", "城中村改造项目"),
    "5G与通信": ("5G基站建设项目", "千兆光网覆盖工程"),
    "数据中心": ("大数据中心建设项目", "算力中心项目"),
    "工业互联网": ("工业互联网平台项目", "智能工厂改造项目"),
    "电力电网": ("220千伏输变电工程", "110千伏变电站新建工程", "配电网改造工程"),
    "新能源": ("光伏发电项目", "风电场项目", "氢能产业园项目"),
    "油气管网": ("天然气管道工程", "LNG储配站项目"),
    "储能": ("储能电站项目", "共享储能项目"),
    "水库": ("水库除险加固工程", "水库增容工程"),
    "河道治理": ("河道综合治理工程", "防洪堤加固工程"),
    "灌区": ("灌区续建配套与节水改造工程",),
    "供水工程": ("城乡供水一体化工程", "水厂扩建工程"),
    "商城市场": ("商贸城建设项目", "农产品批发市场项目"),
    "物流园区": ("智慧物流园区项目", "多式联运物流中心项目"),
    "冷链物流": ("冷链物流中心项目", "冷链仓储基地项目"),
    "基础教育": ("中学新建工程", "小学改扩建工程", "幼儿园建设项目"),
    "职业教育": ("职业学校实训基地项目", "技师学院新校区工程"),
    "高等教育": ("大学新校区建设工程", "高校图书馆建设项目"),
    "医疗卫生": ("人民医院新院区工程", "中医院综合楼项目", "疾控中心建设项目"),
    "养老服务": ("康养中心项目", "养老服务中心建设项目"),
    "乡村振兴": ("乡村振兴示范片区项目", "美丽乡村建设项目"),
    "农田水利": ("高标准农田建设项目", "小型农田水利工程"),
    "人居环境": ("农村人居环境整治项目", "农村改厕提升工程"),
    "先进制造": ("高端装备制造产业园项目", "汽车零部件生产线项目", "智能装备制造项目"),
    "新材料": ("新材料产业园项目", "高性能纤维项目"),
    "生物医药": ("生物医药产业园项目", "创新药生产基地项目"),
    "现代服务业": ("总部经济区项目", "科创中心项目", "会展中心建设项目"),
    "文化旅游": ("文旅小镇项目", "景区提升工程", "博物馆新馆建设工程"),
    "环境治理": ("大气污染综合治理项目", "土壤修复工程"),
    "园林绿化": ("城市公园建设工程", "湿地公园项目"),
    "固废处置": ("生活垃圾焚烧发电项目", "建筑垃圾资源化利用项目"),
}
PHASES = ("", "", "", "（一期）", "（二期）", "二期工程", "三期")
LEVEL_WEIGHTS = {"省重点": 12, "市重点": 38, "县（区）重点": 50}
STAGE_WEIGHTS = {
    "谋划": 3, "储备": 4, "预备": 5, "前期": 8, "新开工": 20, "续建": 28, "在建": 15, "竣工": 6,
    "竣工投产": 4, "投产": 3, "达效": 1, "暂停": 2, "取消": 1,
}


@dataclass
class Province:
    """What was generated, with the handles a bench needs to build realistic requests."""

    province: Region
    cities: list[Region] = field(default_factory=list)
    districts: list[Region] = field(default_factory=list)
    governments: dict[int, Unit] = field(default_factory=dict)  # region id -> its government
    departments: dict[int, list[Unit]] = field(default_factory=dict)  # region id -> departments
    owners: dict[int, list[Unit]] = field(default_factory=dict)  # region id -> project owners
    leaders: list[Leader] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _short(name: str) -> str:
    return name[:-1] if len(name) > 2 and name[-1] in "区县市" else name


def _money(value: float) -> Decimal:
    return (Decimal(round(value * 100)) / 100).quantize(CENT)


def _region_level(name: str) -> str:
    return RegionLevel.DISTRICT if name.endswith("区") else RegionLevel.COUNTY


def _bulk(model, objs, batch_size: int = 2000):
    """bulk_create within SQLite's 999-variable cap on old builds (Django caps the batch there too)."""
    if not objs:
        return []
    if connection.vendor == "sqlite":
        columns = len([f for f in model._meta.concrete_fields if not f.primary_key]) or 1
        batch_size = max(1, min(batch_size, connection.features.max_query_params // columns))
    return model.objects.bulk_create(objs, batch_size=batch_size)


def _generate_org(rng: random.Random) -> Province:
    province = Region.objects.create(code=PROVINCE[0], name=PROVINCE[1], level=RegionLevel.PROVINCE, sort=10)
    data = Province(province=province)
    cities = [
        Region(code=code, name=name, level=RegionLevel.CITY, parent=province, path=f"{province.path}{code}/", sort=i)
        for i, (code, name, _) in enumerate(CITIES, start=1)
    ]
    data.cities = _bulk(Region, cities)
    districts = []
    for city, (code, _, names) in zip(data.cities, CITIES, strict=True):
        short = _short(city.name)
        children = [(f"{code[:4]}{i:02d}", name, _region_level(name)) for i, name in enumerate(names.split(), start=2)]
        children += [(f"{code[:4]}{71 + i}", short + zone, RegionLevel.ZONE) for i, zone in enumerate(ZONES)]
        for sort, (child_code, name, level) in enumerate(children, start=1):
            districts.append(
                Region(code=child_code, name=name, level=level, parent=city, path=f"{city.path}{child_code}/", sort=sort)
            )
    data.districts = _bulk(Region, districts)

    units = [Unit(name="山东省人民政府", kind=UnitKind.GOVERNMENT, region=province)]
    units += [Unit(name=f"山东省{d}", kind=UnitKind.DEPARTMENT, region=province) for d in PROVINCE_DEPARTMENTS]
    for city in data.cities:
        units.append(Unit(name=f"{city.name}人民政府", kind=UnitKind.GOVERNMENT, region=city))
        units += [Unit(name=f"{city.name}{d}", kind=UnitKind.DEPARTMENT, region=city) for d in CITY_DEPARTMENTS]
        units += [Unit(name=_short(city.name) + o, kind=UnitKind.OWNER, region=city) for o in OWNERS]
    for district in data.districts:
        government = "管理委员会" if district.level == RegionLevel.ZONE else "人民政府"
        units.append(Unit(name=district.name + government, kind=UnitKind.GOVERNMENT, region=district))
        units += [Unit(name=district.name + d, kind=UnitKind.DEPARTMENT, region=district) for d in DISTRICT_DEPARTMENTS]
        units += [Unit(name=_short(district.name) + o, kind=UnitKind.OWNER, region=district) for o in OWNERS]
    units = _bulk(Unit, units)
    owners = data.owners
    for unit in units:
        if unit.kind == UnitKind.GOVERNMENT:
            data.governments[unit.region_id] = unit
        elif unit.kind == UnitKind.DEPARTMENT:
            data.departments.setdefault(unit.region_id, []).append(unit)
        else:
            owners.setdefault(unit.region_id, []).append(unit)

    names = [s + g for g in GIVEN_NAMES for s in SURNAMES]
    rng.shuffle(names)
    leaders = [
        Leader(name=names[i], title=title, unit=data.governments[province.pk], sort=i + 1)
        for i, title in enumerate(("省长", "常务副省长", "副省长", "副省长", "副省长", "副省长"))
    ]
    for i, city in enumerate(data.cities):
        leaders.append(Leader(name=names[10 + i], title="市长", unit=data.governments[city.pk], sort=20 + i))
        if i < 8:
            leaders.append(Leader(name=names[40 + i], title="常务副市长", unit=data.governments[city.pk], sort=40 + i))
    data.leaders = _bulk(Leader, leaders)
    data.counts.update(regions=1 + len(data.cities) + len(data.districts), units=len(units), leaders=len(data.leaders))
    return data


def _generate_projects(data: Province, rng: random.Random, count: int) -> None:
    year = current_year()
    levels = list(Level.objects.filter(name__in=LEVEL_WEIGHTS)) or list(Level.objects.all())
    level_weights = [LEVEL_WEIGHTS.get(level.name, 10) for level in levels]
    stages = list(Stage.objects.all())
    stage_weights = [STAGE_WEIGHTS.get(stage.name, 2) for stage in stages]
    natures = list(Nature.objects.all())
    programs = list(Program.objects.all())
    leaves = list(Category.objects.filter(parent__isnull=False))
    city_of = {d.pk: d.parent_id for d in data.districts}
    city_by_id = {c.pk: c for c in data.cities}
    leaders_of: dict[int, list[Leader]] = {}
    province_leaders = []
    for leader in data.leaders:
        region_id = leader.unit.region_id
        (province_leaders if region_id == data.province.pk else leaders_of.setdefault(region_id, [])).append(leader)
    # Some districts carry far more projects than others, as in any province.
    district_weights = [rng.paretovariate(1.5) for _ in data.districts]
    roles = [choice for choice, _ in LeaderRole.choices]

    projects = []
    for i in range(count):
        if rng.random() < 0.12:
            region = rng.choice(data.cities)
            city_id = region.pk
        else:
            region = rng.choices(data.districts, district_weights)[0]
            city_id = city_of[region.pk]
        city = city_by_id[city_id]
        category = rng.choice(leaves)
        place = region.name if region.pk == city_id else city.name + region.name
        name = place + rng.choice(NOUNS.get(category.name, ("建设项目",))) + rng.choice(PHASES)
        year_listed = rng.choices((year - 2, year - 1, year), (20, 35, 45))[0]
        start_year = year_listed - (1 if rng.random() < 0.3 else 0)
        total = _money(min(3_000_000.0, max(300.0, rng.lognormvariate(math.log(20_000), 1.1))))
        owner = rng.choice(data.owners[region.pk])
        roll = rng.random()
        if roll < 0.5:
            lead_unit = data.governments[region.pk]
        elif roll < 0.9:
            lead_unit = rng.choice(data.departments[region.pk])
        else:
            lead_unit = rng.choice(data.departments[city_id])
        project = Project(
            code=f"{year_listed}-{region.code}-{rng.randint(10, 99)}-{rng.randint(1, 9):02d}-{i + 1:06d}"
            if rng.random() < 0.7 else "",
            stats_code=f"37{rng.randint(10**12, 10**13 - 1)}" if rng.random() < 0.3 else "",
            name=name,
            year_listed=year_listed,
            level=rng.choices(levels, level_weights)[0],
            category=category,
            nature=rng.choice(natures),
            region=region,
            address=f"{place}{rng.randint(1, 99)}号地块",
            total_investment=total,
            start_year=start_year,
            end_year=start_year + rng.randint(1, 4),
            stage=rng.choices(stages, stage_weights)[0],
            is_paused=rng.random() < 0.02,
            is_archived=rng.random() < 0.01,
            owner=owner,
            lead_unit=lead_unit,
        )
        if rng.random() < 0.7:
            shares = [rng.random() for _ in range(3)]
            scale = float(total) * rng.uniform(0.5, 1.0) / sum(shares)
            fields = rng.sample(Project.FUND_FIELDS, 3)
            for field_name, share in zip(fields, shares, strict=True):
                setattr(project, field_name, _money(share * scale))
        project.search_text = project.build_search_text()
        projects.append(project)
    projects = _bulk(Project, projects)

    plans, units, leader_links, program_links = [], [], [], []
    through = Project.programs.through
    for project in projects:
        for plan_year in (year - 1, year):
            if plan_year < project.year_listed or (plan_year == year and rng.random() < 0.08):
                continue
            share = rng.uniform(0.08, 0.45)
            done = rng.uniform(0, 0.5) if project.start_year < plan_year else 0
            plans.append(
                AnnualPlan(
                    project=project, year=plan_year,
                    planned_investment=_money(float(project.total_investment) * share),
                    completed_before=_money(float(project.total_investment) * done),
                    construction_goal="完成年度建设任务",
                )
            )
        city_id = city_of.get(project.region_id, project.region_id)
        if rng.random() < 0.3:
            regions = {city_id, project.region_id}
            candidates = [u for r in sorted(regions) for u in data.departments[r] if u.pk != project.lead_unit_id]
            for unit in rng.sample(candidates, rng.choice((1, 1, 2))):
                units.append(ProjectResponsibleUnit(project=project, unit=unit))
        if rng.random() < 0.28:
            pool = province_leaders if rng.random() < 0.25 else leaders_of[city_id]
            for leader in rng.sample(pool, min(len(pool), rng.choice((1, 1, 1, 2)))):
                leader_links.append(ProjectLeader(project=project, leader=leader, role=rng.choice(roles)))
        if rng.random() < 0.5:
            for program in rng.sample(programs, rng.choice((1, 1, 1, 1, 2))):
                program_links.append(through(project_id=project.pk, program_id=program.pk))
    _bulk(AnnualPlan, plans)
    _bulk(ProjectResponsibleUnit, units)
    _bulk(ProjectLeader, leader_links)
    _bulk(through, program_links)
    data.counts.update(
        projects=len(projects), annual_plans=len(plans), responsible_units=len(units),
        leader_links=len(leader_links), program_links=len(program_links),
    )


def generate_province(projects: int = PROJECTS, *, seed: int = BenchOptions.seed) -> Province:
    """Fill the current database with 山东省 and `projects` projects (deterministic for a seed)."""
    rng = random.Random(seed)
    with transaction.atomic():
        data = _generate_org(rng)
        _generate_projects(data, rng, projects)
    options_changed()  # bulk_create sends no signals
    return data


@dataclass
class Principal:
    key: str
    user: object
    mix: list[dict[str, str]]


def _principal(username: str, unit: Unit, role: str):
    user = get_user_model().objects.create_user(username=username, first_name=username)
    Membership.objects.create(user=user, unit=unit, role=role, scope=Scope.REGION)
    return user


def _ids(qs) -> list[int]:
    return list(qs.values_list("pk", flat=True))


def _busiest(queryset, field_name: str) -> list[int]:
    """Values of a foreign key in a project queryset, the most frequent first."""
    rows = queryset.exclude(**{field_name: None}).values(field_name).annotate(n=Count("id")).order_by("-n", field_name)
    return [row[field_name] for row in rows]


def request_mix(data: Province, user, rng: random.Random) -> list[dict[str, str]]:
    """Realistic ledger requests for one principal: paging (to the last page), every sort both ways,
    every filter, combinations."""
    visible = ledger_queryset(user)
    offered = regions_visible_to(user).exclude(level=RegionLevel.PROVINCE)  # the filter's region options
    by_region = [pk for pk in _busiest(visible, "region_id") if offered.filter(pk=pk).exists()]
    districts = [d for d in data.districts if d.pk in by_region]
    district = min(districts, key=lambda d: by_region.index(d.pk))
    cities = [c for c in data.cities if offered.filter(pk=c.pk).exists()]
    city = next((c for c in cities if c.pk == district.parent_id), None)
    unit = str(rng.choice(_busiest(visible, "lead_unit_id")[:20]))
    leader_ids = list(ProjectLeader.objects.filter(project__in=visible).values_list("leader_id", flat=True).distinct())
    leader = str(rng.choice(sorted(leader_ids) or _ids(Leader.objects.all())))
    level = str(rng.choice(_ids(Level.objects.all())))
    stage = str(Stage.objects.filter(name="续建").values_list("pk", flat=True).first() or rng.choice(_ids(Stage.objects)))
    program = str(rng.choice(_ids(Program.objects.all())))
    top = str(Category.objects.filter(parent=None, name="交通").values_list("pk", flat=True).first())
    leaf = str(rng.choice(_ids(Category.objects.filter(parent__isnull=False))))
    place = _short(city.name) if city is not None else _short(district.name)
    area = str(city.pk if city is not None else district.pk)
    year = current_year()

    default = LedgerFilterSet(QueryDict(), queryset=visible, user=user).qs.count()
    last_page = str(max(1, math.ceil(default / 50)))  # the ledger shows 50 rows a page
    mix: list[dict[str, str]] = [{}, {"page": "2"}, {"page": "3"}, {"page": "7"}, {"page": last_page}]
    for key in SORTS:
        mix += [{"sort": key}, {"sort": f"-{key}"}]
    if city is not None:
        mix.append({"region": str(city.pk)})
    mix += [
        {"region": str(district.pk)},
        {"year": str(year - 1)},
        {"year": ""},
        {"level": level},
        {"category": top},
        {"category": leaf},
        {"stage": stage},
        {"program": program},
        {"unit": unit},
        {"leader": leader},
        {"q": place},
        {"q": "工程"},
        {"q": "改造 工程"},
        {"q": f"{year - 1}-37"},
        {"region": str(district.pk), "level": level, "sort": "-plan_investment"},
        {"category": top, "stage": stage, "page": "2"},
        {"q": "工程", "year": str(year - 1), "sort": "name"},
        {"program": program, "region": area, "sort": "plan_investment"},
        {"unit": unit, "sort": "lead_unit"},
        {"leader": leader, "sort": "-total_investment", "year": ""},
        {"archived": "1", "sort": "region"},
        {"q": place, "category": top, "level": level},
    ]
    return mix


def _check(response, params) -> None:
    if response.status_code != 200 or b'id="ledger-totals"' not in response.content:
        raise BenchError(f"ledger answered {response.status_code} without the totals row for {params!r}")


def _time_list(principal: Principal, url: str, requests: int) -> list[float]:
    client = Client()
    client.force_login(principal.user)
    for params in principal.mix[:WARMUP_REQUESTS]:
        _check(client.get(url, params), params)
    samples = []
    for i in range(requests):
        params = principal.mix[i % len(principal.mix)]
        response, ms = elapsed_ms(client.get, url, params)
        _check(response, params)
        samples.append(ms)
    return samples


def _time_totals(principal: Principal, requests: int) -> list[float]:
    """ledger_totals alone, for each distinct filter of the mix (page and sort do not change it)."""
    filters = {tuple(sorted((k, v) for k, v in params.items() if k not in ("page", "sort"))) for params in principal.mix}
    rounds = max(3, math.ceil(requests / len(filters)))
    samples = []
    for _ in range(rounds):
        for items in sorted(filters):
            data = QueryDict(mutable=True)
            data.update(dict(items))
            queryset = ledger_queryset(principal.user, include_archived=True)  # as the page: `archived` decides
            filterset = LedgerFilterSet(data, queryset=queryset, user=principal.user)
            filtered = filterset.qs
            year = filterset.selected_year or current_year()
            _, ms = elapsed_ms(ledger_totals, filtered, year)
            samples.append(ms)
    return samples


def _queries(principal: Principal, url: str, params: dict[str, str]) -> tuple[int, int]:
    """(number of SQL queries, rows shown) for one ledger page."""
    client = Client()
    client.force_login(principal.user)
    client.get(url, params)  # the first request after login writes the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    _check(response, params)
    return len(captured), response.content.count(b'<td><a href="/projects/')


@register("ledger", help="项目台账列表 /projects/：省级规模 20,000 个项目，两类用户的 p50/p95 与合计查询")
def ledger_bench(options: BenchOptions) -> BenchResult:
    """The ledger list at province scale, timed through the full Django stack."""
    rng = random.Random(options.seed)
    count = max(50, round(PROJECTS * options.scale))
    options.log(f"生成数据 generating {count} projects…")
    data, generate_ms = elapsed_ms(generate_province, count, seed=options.seed)
    options.log(f"  {generate_ms / 1000:.1f} s: {data.counts}")
    if connection.vendor == "postgresql":
        # A running server's autovacuum vacuums and analyzes freshly loaded tables within a minute or
        # two; do it now, so that it neither competes with the timing nor leaves the planner without
        # statistics. (SQLite has no such habit, so its database stays unanalyzed.)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    dispatcher_unit = next(u for u in data.departments[data.province.pk] if u.name.endswith("发展和改革委员会"))
    dispatcher = _principal("bench_dispatcher", dispatcher_unit, Role.DISPATCHER)
    reporter_region = next(d for d in data.districts if d.pk == _busiest(Project.objects.filter(
        region__level__in=[RegionLevel.DISTRICT, RegionLevel.COUNTY]), "region_id")[0])
    reporter = _principal("bench_reporter", data.governments[reporter_region.pk], Role.REPORTER)
    principals = [
        Principal("dispatcher", dispatcher, request_mix(data, dispatcher, rng)),
        Principal("reporter", reporter, request_mix(data, reporter, rng)),
    ]
    requests = options.requests or DEFAULT_REQUESTS
    url = reverse("projects:list")
    metrics: dict[str, Metric] = {}
    counts = {**data.counts, "reporter_visible": ledger_queryset(reporter).count()}
    one = Project.objects.filter(is_archived=False).exclude(code="").filter(leader_links__isnull=False).first()
    # A server process holds neither the generator's objects nor its garbage: drop both before timing,
    # or Python's full garbage collections (tens of milliseconds here) land in the requests.
    del data
    gc.collect()
    # As tuijin/wsgi.py does in a server process: what is loaded stays out of the full collections.
    gc.freeze()
    # Transport settings only: the bench client talks plain HTTP to "testserver".
    load_before = os.getloadavg()
    timings: dict[str, list[list[float]]] = {p.key: [] for p in principals}
    totals: list[list[float]] = []
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], SECURE_SSL_REDIRECT=False):
        for number in range(1, options.rounds + 1):
            for principal in principals:
                options.log(f"第 {number} 轮 round {number}: {requests} requests as {principal.key}…")
                timings[principal.key].append(_time_list(principal, url, requests))
            totals.append([ms for principal in principals for ms in _time_totals(principal, requests)])
        # Query count must not grow with the rows shown: a full page against a one-row page.
        full = _queries(principals[0], url, {})
        narrow = _queries(principals[0], url, {"q": one.code, "year": ""})
    gc.unfreeze()
    for principal in principals:
        rounds = timings[principal.key]
        metrics.update(latency_metrics(f"ledger_{principal.key}", rounds, target_p95=LIST_TARGET_P95_MS))
    metrics.update(latency_metrics("totals", totals, target_p95=TOTALS_TARGET_P95_MS))
    metrics["ledger_queries"] = Metric(max(full[0], narrow[0]), "queries")
    return BenchResult(
        metrics,
        params={
            **counts,
            "requests_per_principal": requests,
            "rounds": options.rounds,
            "p95_per_round": {
                **{p.key: round_percentiles(timings[p.key], 95) for p in principals},
                "totals": round_percentiles(totals, 95),
            },
            "totals_samples": sum(len(r) for r in totals),
            "request_mix": len(principals[0].mix),
            "queries_constant_in_rows": full[0] == narrow[0],
            "queries": {f"{full[1]} rows": full[0], f"{narrow[1]} rows": narrow[0]},
            "generate_seconds": round(generate_ms / 1000, 2),
            # Other work on the machine inflates every figure: 1-minute load before and after timing.
            "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
            "year": current_year(),
            **environment(options),
        },
    )
