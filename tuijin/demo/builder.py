"""Build the demo city (临沂市) in an empty database: regions, units, leaders, users and ~600 projects.

Deterministic for a seed and a day: one `random.Random(seed)` drives every choice, iterated structures
are ordered, and every date is derived from `today` (the day the demo is built as of, by default the
real local date): the ledger spans today's year and the two before it, and every actual date lies on
or before `today - ACTUAL_LAG`. Every project and annual plan goes through the ledger's own validation
(`project_validate`, `annual_plan_validate`); rows are bulk-inserted with their history records.
"""

import contextlib
import hashlib
import math
import random
import string
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from tuijin.accounts.services import mark_demo_users
from tuijin.org.choices import RegionLevel, Role, Scope, UnitKind
from tuijin.org.models import Leader, Membership, Region, Unit
from tuijin.projects.choices import LeaderRole
from tuijin.projects.models import (
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
from tuijin.projects.services import BulkProject, annual_plan_validate, project_validate, projects_bulk_save

from . import data
from .admissions import build_applications
from .bulletins import build_bulletins
from .clock import Clock, local_today
from .dispatch import build_dispatch
from .models import DemoRun
from .problems import build_problems
from .schedules import build_light_history, build_lights, build_schedules
from .scoring import build_scoring

DEFAULT_SEED = 371300
ACTUAL_LAG = timedelta(days=7)  # the latest recorded fact (an actual start, a completion) is a week old
HISTORY_REASON = "加载演示数据"
CENT = Decimal("0.01")
ORDINALS = "一二三四五六七八九十"
COMPANY_REUSE = 0.3  # chance that a company project goes to a fitting company already in the ledger
REPEAT_COMPANY = 0.7  # chance that a company project is a known company's next project
MAX_COMPANY_PROJECTS = 4


def _skip_on_commit(func, using=None, robust=False) -> None:
    """transaction.on_commit while the demo is built: nothing to do after the commit."""


class DemoDataError(Exception):
    """The generated data broke a ledger rule: a bug in the builder, never the user's fault."""


def demo_state() -> str:
    """'demo' when the demo was loaded, 'other' when the database holds other data, '' when empty."""
    if DemoRun.objects.exists():
        return "demo"
    user_model = get_user_model()
    for model in (Project, Unit, Region, user_model):
        if model._default_manager.exists():
            return "other"
    return ""


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_DOWN)


def nice(value: Decimal) -> Decimal:
    """Round an amount down the way a clerk would write it (万元)."""
    if value >= 10000:
        step = Decimal(100)
    elif value >= 1000:
        step = Decimal(10)
    else:
        step = Decimal(1)
    rounded = (value / step).to_integral_value(rounding=ROUND_DOWN) * step
    return rounded.quantize(CENT)


def add_months(day: date, months: float) -> date:
    return day + timedelta(days=round(months * 30.44))


def months_between(a: date, b: date) -> float:
    return max(0.0, (b - a).days / 30.44)


@dataclass
class RegionInfo:
    spec: dict
    region: Region
    government: Unit | None = None
    owners: dict = field(default_factory=dict)  # tag -> [owner name], registered on first use
    companies: dict = field(default_factory=dict)  # industry -> [Unit]

    @property
    def name(self) -> str:
        return self.region.name

    @property
    def short(self) -> str:
        return self.spec.get("short", self.region.name)

    @property
    def kind(self) -> int:
        """Index into a subcategory's weights: urban, county, zone, city."""
        if self.region.level == RegionLevel.CITY:
            return 3
        if self.region.level == RegionLevel.ZONE:
            return 2
        return 0 if self.region.level == RegionLevel.DISTRICT else 1


@dataclass
class Planned:
    """A project and everything hanging off it, before anything is written."""

    project: Project
    programs: list
    responsible: list
    leaders: list  # (Leader, role)
    plans: list = field(default_factory=list)


class DemoBuilder:
    def __init__(self, seed: int = DEFAULT_SEED, today: date | None = None, progress=None):
        self.seed = seed
        self.today = today or local_today()
        self.year = self.today.year
        self.years = (self.year - 2, self.year - 1, self.year)
        self.last_actual = self.today - ACTUAL_LAG
        self.progress = progress or (lambda label: None)
        self.rng = random.Random(seed)
        self.used_names: set[str] = set()
        self.used_units: set[tuple[str, str]] = set()
        self.used_serials: set[str] = set()
        self.units: list[Unit] = []
        self.company_nouns: dict[int, str] = {}
        self.company_projects: dict[int, int] = {}
        self.company_names: set[str] = set()
        self.owner_units: dict[tuple[str, str], Unit] = {}

    # ------------------------------------------------------------------ entry point
    STEPS = 10

    def build(self) -> dict:
        with transaction.atomic():
            state = demo_state()
            if state:
                raise DemoDataError(f"数据库不是空的（{state}）")
            clock = Clock(self.today)
            # The ledger's own checks ("not later than today") judge by the demo's day; the services' after-
            # commit work (alert refreshes per change, outside message channels) is skipped: the lights
            # are computed once at the end, and the demo's messages must not go out as SMS or e-mail.
            with clock.at(clock.now), mock.patch.object(transaction, "on_commit", _skip_on_commit):
                return self._build(clock)

    def _build(self, clock: Clock) -> dict:
        with self._step(1, "区划、单位与领导"):
            self._load_dictionaries()
            self._build_regions()
            self._build_units()
            self._build_leaders()
        with self._step(2, "项目台账（约600个项目）"):
            planned = self.planned = self._plan_projects()
            self._check_coverage(planned)
            bulk_create_with_history(self.units, Unit, default_change_reason=HISTORY_REASON)
        with self._step(3, "演示账号"):
            self._build_users()
            bulk_create_with_history(self.leaders, Leader, default_change_reason=HISTORY_REASON)
        with self._step(4, "年度计划与项目关联"):
            self._write_projects(planned)
        dispatcher = get_user_model().objects.get(username="dispatcher")
        with self._step(5, "月度调度与填报记录"):
            self.dispatch = build_dispatch(random.Random(self.seed + 1), dispatcher, clock)
        with self._step(6, "进度计划与审批手续"):
            self.schedules = build_schedules(random.Random(self.seed + 2), self.last_actual)
        with self._step(7, "问题清单、会议与督办"):
            build_applications()  # a few 申报 awaiting the office (tuijin/demo/admissions.py)
            build_lights(self.today)  # the orders go to the projects already red
            self.problems = build_problems(random.Random(self.seed + 3), clock)
        with self._step(8, "红黄绿灯预警"):
            build_light_history(self.today)  # the earlier months' lights, for the lights over time
            build_lights(self.today)
        with self._step(9, "考核排名与红黑榜"):
            self.scoring = build_scoring(dispatcher, self.today.year)
        with self._step(10, "通报"):
            self.bulletins = build_bulletins(dispatcher, self.today.year)
        DemoRun.objects.create(seed=self.seed)
        return self._summary(planned)

    @contextlib.contextmanager
    def _step(self, number: int, label: str):
        started = time.monotonic()
        yield
        self.progress(f"[{number}/{self.STEPS}] {label}… {time.monotonic() - started:.1f} s")

    # ------------------------------------------------------------------ dictionaries
    def _load_dictionaries(self) -> None:
        def by_name(model, names):
            found = {obj.name: obj for obj in model.objects.filter(name__in=names)}
            missing = [n for n in names if n not in found]
            if missing:
                raise DemoDataError(f"{model._meta.verbose_name}缺少：{'、'.join(missing)}")
            return found

        self.levels = by_name(Level, ["省重点", "市重点", "县（区）重点"])
        self.natures = by_name(Nature, ["新建", "扩建", "改建", "续建", "迁建", "技术改造"])
        self.programs = by_name(
            Program, ["“十大基础设施”工程", "基础设施攻坚战役", "重大项目攻坚年", "新旧动能转换", "乡村振兴", "城市更新"]
        )
        self.stages = by_name(Stage, ["谋划", "储备", "前期", "新开工", "续建", "竣工", "竣工投产", "投产", "达效", "暂停"])
        self.categories = {}
        tops = {c.name: c for c in Category.objects.filter(parent__isnull=True)}
        children = {(c.parent.name, c.name): c for c in Category.objects.filter(parent__isnull=False).select_related("parent")}
        for key in data.SUBCATEGORIES:
            if key not in children:
                raise DemoDataError(f"项目类别缺少：{key[0]} / {key[1]}")
            self.categories[key] = children[key]
        used_tops = {top for top, _ in data.SUBCATEGORIES}
        missing = sorted(set(tops) - used_tops)
        if missing:
            raise DemoDataError(f"演示数据未覆盖项目类别：{'、'.join(missing)}")

    # ------------------------------------------------------------------ regions and units
    def _build_regions(self) -> None:
        province = Region(code=data.PROVINCE[0], name=data.PROVINCE[1], level=RegionLevel.PROVINCE, sort=10)
        province.save()
        city = Region(code=data.CITY[0], name=data.CITY[1], level=RegionLevel.CITY, parent=province, sort=10)
        city.save()
        self.city = RegionInfo({"name": city.name, "center": data.CITY[2], "towns": [], "rivers": []}, city)
        self.regions: list[RegionInfo] = []
        for i, spec in enumerate(data.REGIONS):
            region = Region(code=spec["code"], name=spec["name"], level=spec["level"], parent=city, sort=(i + 1) * 10)
            region.save()
            self.regions.append(RegionInfo(spec, region))
        self.region_by_name = {info.name: info for info in self.regions}

    def _person(self) -> str:
        return self.rng.choice(data.SURNAMES) + "".join(self.rng.sample(data.GIVEN, self.rng.choice((1, 2))))

    def _phone(self) -> str:
        return f"0539-{self.rng.randint(7000000, 8999999)}"

    def _unit(self, name, kind, region_info, short="", contact=True) -> Unit:
        key = (region_info.region.code, name)
        if key in self.used_units:
            raise DemoDataError(f"单位重名：{name}")
        self.used_units.add(key)
        unit = Unit(
            name=name, short_name=short[:50], kind=kind, region=region_info.region,
            contact=self._person() if contact else "", phone=self._phone() if contact else "",
        )
        self.units.append(unit)
        return unit

    def _build_units(self) -> None:
        city = self.city
        self.city_gov = {key: self._unit(name, UnitKind.GOVERNMENT, city, short) for key, name, short in data.CITY_GOVERNMENTS}
        self.depts = {key: self._unit(name, UnitKind.DEPARTMENT, city, short) for key, name, short in data.DEPARTMENTS}
        for info in self.regions:
            if info.region.level == RegionLevel.ZONE:
                name = f"{info.name}管理委员会"
            else:
                name = f"{info.name}人民政府"
            info.government = self._unit(name, UnitKind.GOVERNMENT, info, name.replace("人民政府", "政府")[:50])
        for tag, name in data.CITY_OWNERS:
            city.owners.setdefault(tag, []).append(name)
        for info in self.regions:
            n = info.short
            if info.region.level == RegionLevel.ZONE:
                specs = [("chengtou", f"{n}城市发展集团有限公司"), ("jiaotou", f"{n}投资发展有限公司")]
            else:
                specs = [
                    ("chengtou", f"{n}城市建设投资集团有限公司"),
                    ("jiaotou", f"{n}交通投资发展有限公司"),
                    ("shuiwu", f"{n}水务集团有限公司"),
                    ("wenlv", f"{n}文化旅游发展集团有限公司"),
                    ("nongfa", f"{n}农业发展集团有限公司"),
                    ("hospital", f"{n}人民医院"),
                    ("school", f"{n}第一中学"),
                ]
                if info.region.level == RegionLevel.COUNTY:
                    specs.append(("tcm", f"{n}中医医院"))
            for tag, name in specs:
                info.owners.setdefault(tag, []).append(name)

    def _owner_unit(self, info: RegionInfo, name: str) -> Unit:
        """Owners are registered when their first project is: every owner in the demo owns something."""
        key = (info.region.code, name)
        if key not in self.owner_units:
            self.owner_units[key] = self._unit(name, UnitKind.OWNER, info)
        return self.owner_units[key]

    def _company(self, info: RegionInfo, industry: str, nouns=None) -> Unit:
        county = info.name[:-1] if info.region.level == RegionLevel.COUNTY and len(info.name) > 2 else info.name
        prefix_pool = ["临沂", "山东", "临沂", county if info.region.level == RegionLevel.COUNTY else "临沂"]
        for _ in range(50):
            brand = self.rng.choice(data.BRAND_A) + self.rng.choice(data.BRAND_B)
            if brand[0] == brand[1]:
                continue
            noun = self.rng.choice(nouns or data.INDUSTRY_NOUNS[industry])
            suffix = self.rng.choice(["有限公司", "有限公司", "股份有限公司", "集团有限公司"])
            name = f"{self.rng.choice(prefix_pool)}{brand}{noun}{suffix}"
            if name not in self.company_names:
                self.company_names.add(name)
                unit = self._unit(name, UnitKind.OWNER, info)
                info.companies.setdefault(industry, []).append(unit)
                self.company_nouns[id(unit)] = noun
                self.company_projects[id(unit)] = 0
                return unit
        raise DemoDataError("无法生成不重名的企业名称")

    # ------------------------------------------------------------------ leaders and users
    def _build_leaders(self) -> None:
        self.leaders: list[Leader] = []
        self.domain_leader: dict[str, Leader] = {}
        self.region_leader: dict[str, Leader] = {}
        for i, (name, title, unit_key, domains, regions) in enumerate(data.LEADERS):
            leader = Leader(name=name, title=title, unit=self.city_gov[unit_key], sort=(i + 1) * 10)
            self.leaders.append(leader)
            for domain in domains:
                self.domain_leader[domain] = leader
            for region_name in regions:
                self.region_leader[region_name] = leader
        self.secretary, self.mayor = self.leaders[0], self.leaders[1]

    def _build_users(self) -> None:
        user_model = get_user_model()
        password = make_password(data.DEMO_PASSWORD)
        users = []
        for username, display, role, _, _ in data.USERS:
            users.append(
                user_model(
                    username=username, first_name=display, last_name="", password=password, is_active=True,
                    is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN,
                )
            )
        users = user_model.objects.bulk_create(users)
        if users[0].pk is None:  # a backend without RETURNING
            users = list(user_model.objects.filter(username__in=[u.username for u in users]).order_by("id"))
        by_name = {u.username: u for u in users}
        memberships = []
        for username, _, role, unit_key, scope in data.USERS:
            if unit_key in self.depts:
                unit = self.depts[unit_key]
            elif unit_key in self.city_gov:
                unit = self.city_gov[unit_key]
            else:
                unit = self.region_by_name[unit_key].government
            memberships.append(Membership(user=by_name[username], unit=unit, role=role, scope=Scope(scope)))
        extra = self._unit_accounts(password, {m.unit.name for m in memberships if m.role == Role.REPORTER})
        bulk_create_with_history(memberships + extra, Membership, default_change_reason=HISTORY_REASON)
        # The demo's accounts keep the published password and need no authenticator, in the demo only
        # (tuijin.accounts.selectors.is_exempt; the login page says so).
        mark_demo_users(users + [m.user for m in extra])
        self.extra_logins = [m.user.username for m in extra]
        self.logins = [
            (m.user.username, m.user.first_name, str(m.get_role_display()), m.unit.name, str(m.get_scope_display()))
            for m in memberships
        ]
        for leader in self.leaders:
            if leader.name == data.LEADER_FOR_USER:
                leader.user = by_name["leader"]

    def _unit_accounts(self, password: str, staffed: set[str]) -> list[Membership]:
        """A clerk for every district government and every department that leads projects, and an officer
        for every department that handles problems: reports are handed in, and problems accepted, by
        someone of the unit concerned (the demo's named accounts cover only a few units)."""
        from .problems import OWNERS

        user_model = get_user_model()
        leading = {id(item.project.lead_unit) for item in self.planned}
        wanted = []  # (username, unit, role)
        for info in self.regions:
            if info.government.name not in staffed:
                wanted.append((f"tb_{info.region.code}", info.government, Role.REPORTER))
        handling = {name for name in OWNERS.values() if name}
        for key, unit in self.depts.items():
            if id(unit) in leading and unit.name not in staffed:
                wanted.append((f"tb_{key}", unit, Role.REPORTER))
            elif unit.name in handling and unit.name != self.depts["zrzy"].name:
                wanted.append((f"bl_{key}", unit, Role.HANDLER))
        users = [user_model(username=name, first_name=self._person(), last_name="", password=password, is_active=True)
                 for name, _, _ in wanted]
        users = user_model.objects.bulk_create(users)
        if users and users[0].pk is None:
            users = list(user_model.objects.filter(username__in=[u.username for u in users]).order_by("id"))
        by_name = {u.username: u for u in users}
        return [Membership(user=by_name[name], unit=unit, role=role, scope=Scope.UNIT if unit.kind == UnitKind.DEPARTMENT
                           else Scope.REGION) for name, unit, role in wanted]

    # ------------------------------------------------------------------ projects (in memory)
    def _plan_projects(self) -> list[Planned]:
        planned = []
        targets = [(info, info.spec["projects"]) for info in self.regions] + [(self.city, data.CITY_PROJECTS)]
        for info, count in targets:
            for _ in range(count):
                planned.append(self._plan_project(info))
        return planned

    def _check_coverage(self, planned: list[Planned]) -> None:
        tops = {p.project.category.parent_id for p in planned}
        all_tops = set(Category.objects.filter(parent__isnull=True).values_list("pk", flat=True))
        if tops != all_tops:
            raise DemoDataError("演示项目未覆盖全部项目大类")

    def _pick_subcategory(self, info: RegionInfo):
        keys, weights = [], []
        for key, spec in data.SUBCATEGORIES.items():
            weight = spec["w"][info.kind]
            usable = spec["city_names"] or spec["names"] if info.kind == 3 else spec["names"]
            if weight and usable:
                keys.append(key)
                weights.append(weight)
        key = self.rng.choices(keys, weights)[0]
        return key, data.SUBCATEGORIES[key]

    def _plan_project(self, info: RegionInfo) -> Planned:
        rng = self.rng
        year = rng.choices(self.years, (30, 33, 37))[0]
        key, spec = self._pick_subcategory(info)
        total = self._total(spec)
        timeline = self._timeline(year, total)
        start = timeline["actual_start"] or timeline["planned_start"]
        name, owner = self._name_and_owner(info, spec, start.year if start else year)
        if id(owner) in self.company_nouns:
            self.company_projects[id(owner)] += 1
        stage_name = self._stage(timeline, spec)
        in_city = info.kind == 3
        project = Project(
            name=name,
            year_listed=year,
            level=self._level(total, info),
            category=self.categories[key],
            nature=self._nature(name, key, timeline, year),
            region=info.region,
            total_investment=total,
            stage=self.stages[stage_name],
            is_paused=stage_name == "暂停",
            owner=owner,
            owner_contact=self._person(),
            owner_phone=self._phone(),
        )
        self._place(project, info, stage_name)
        self._dates(project, timeline)
        self._funds(project, spec, stage_name)
        project.scale = self._scale(spec, total)
        if spec.get("land"):
            intensity = rng.uniform(150, 450) if key[0] != "能源" else rng.uniform(40, 120)
            project.land_area = money(Decimal(total) / Decimal(str(round(intensity, 1))))
        if stage_name not in ("谋划", "储备") and rng.random() < 0.76:
            project.code = self._code(info, spec, timeline, year)
        if stage_name == "暂停":
            project.remarks = rng.choice(
                ["受资金筹措影响暂停施工，正在协调融资", "因规划调整暂停施工，待新方案批复后复工", "受环保督察整改影响暂停施工"]
            )
        lead, responsible = self._units_for(info, spec, in_city)
        project.lead_unit = lead
        planned = Planned(project, self._programs(key, project, info), responsible, self._leaders_for(key, project, info))
        planned.plans = self._plans(project, spec, timeline)
        return planned

    def _total(self, spec) -> Decimal:
        low, mode, high = spec["inv"]
        exponent = self.rng.triangular(low, high, mode)
        if self.rng.random() < 0.015:
            exponent = min(6.3, exponent + 0.6)
        value = Decimal(str(round(10**exponent, 2)))
        value = max(Decimal(1000), min(Decimal(2000000), value))
        return nice(value)

    def _company_noun(self, unit: Unit) -> str:
        return self.company_nouns.get(id(unit), "")

    def _owner_for(self, info: RegionInfo, spec, template: str, name: str) -> Unit:
        """The owner a template implies: named in the project's name, a fixed kind, or the trade's kind."""
        rng = self.rng
        named = self._named_owner(info, name)
        if named is not None:
            return self._owner_unit(*named)
        tag = data.TEMPLATE_OWNER.get(template)
        if tag is None:
            tags = spec["owners"]
            if "{co}" in template:
                tags = [t for t in tags if t.startswith("company:")] or tags
            weights = [0.7 if i == 0 else 0.3 / max(1, len(tags) - 1) for i in range(len(tags))]
            tag = rng.choices(tags, weights)[0]
        if tag == "grid":
            return self.depts["gd"]
        if tag.startswith("company:"):
            industry = tag.split(":", 1)[1]
            home = rng.choice(self.regions) if info.kind == 3 else info
            nouns = data.TEMPLATE_NOUNS.get(template)
            pool = [
                u for u in home.companies.get(industry, [])
                if (not nouns or self._company_noun(u) in nouns) and self.company_projects[id(u)] < MAX_COMPANY_PROJECTS
            ]
            if pool and rng.random() < COMPANY_REUSE:
                return rng.choice(pool)
            return self._company(home, industry, nouns)
        for source in (info, self.city):
            if source.owners.get(tag):
                return self._owner_unit(source, rng.choice(source.owners[tag]))
        home = info if info.owners.get("chengtou") else self.city
        return self._owner_unit(home, home.owners["chengtou"][0])

    def _named_owner(self, info: RegionInfo, name: str):
        """(region, owner name) when the project's name names one of the owners (a hospital, a school…)."""
        if not name:
            return None
        for source in (info, self.city):
            for names in source.owners.values():
                for owner_name in names:
                    if self._short_name(owner_name) in name:
                        return source, owner_name
        return None

    def _short_owner(self, owner: Unit) -> str:
        return self._short_name(owner.name)

    def _short_name(self, name: str) -> str:
        for suffix in ("集团有限公司", "股份有限公司", "有限公司"):
            if name.endswith(suffix):
                return name[: -len(suffix)]
        return name

    def _name_and_owner(self, info: RegionInfo, spec, year: int) -> tuple[str, Unit]:
        rng = self.rng
        towns = info.spec["towns"] or [t for r in self.regions for t in r.spec["towns"]]
        rivers = info.spec["rivers"] or ["沂河", "沭河", "祊河"]
        roads = data.URBAN_ROADS if info.spec.get("urban") or info.kind == 3 else data.COUNTY_ROADS
        town, town2 = rng.sample(towns, 2)
        ctx = {
            "r": info.short if info.kind == 2 and rng.random() < 0.6 else info.name,
            "town": town, "town2": town2, "river": rng.choice(rivers), "road": rng.choice(roads), "y": year,
            "n": rng.choice([3, 5, 6, 8, 10, 12, 15, 20, 30, 50]),
            "park": rng.choice(data.PARKS), "drug": rng.choice(data.DRUGS), "ordinal": rng.choice(ORDINALS[1:]),
        }
        if info.name in data.RESERVOIRS:
            ctx["reservoir"] = rng.choice(data.RESERVOIRS[info.name])
        if info.name in data.IRRIGATION:
            ctx["irrigation"] = data.IRRIGATION[info.name]
        if info.name in data.SCENIC:
            ctx["scenic"] = rng.choice(data.SCENIC[info.name])
        templates = list(spec["names"])
        if info.kind == 3 and spec["city_names"]:
            templates = list(spec["city_names"]) if rng.random() < 0.8 or not templates else templates
        formatter = string.Formatter()

        def usable(template: str) -> bool:
            if not all(f in ctx or f == "co" for _, f, _, _ in formatter.parse(template) if f):
                return False
            if data.TEMPLATE_OWNER.get(template) in ("hospital", "tcm", "school"):
                return self._named_owner(info, template.format(co="", **ctx)) is not None
            return True

        candidates = [t for t in templates if usable(t)]
        if not candidates:
            candidates = [t for t in spec["names"] + spec["city_names"] if usable(t)]
        order = rng.sample(candidates, len(candidates))
        # A company already in the ledger often comes back with its next project (or next phase).
        company_tags = [t for t in spec["owners"] if t.startswith("company:")]
        if company_tags and info.kind != 3 and rng.random() < REPEAT_COMPANY:
            industry = rng.choice(company_tags).split(":", 1)[1]
            pool = [u for u in info.companies.get(industry, []) if self.company_projects[id(u)] < MAX_COMPANY_PROJECTS]
            repeat = rng.choice(pool) if pool else None
            if repeat is not None:
                noun = self._company_noun(repeat)
                for template in order:
                    nouns = data.TEMPLATE_NOUNS.get(template)
                    if template in data.TEMPLATE_OWNER or (nouns and noun not in nouns):
                        continue
                    name = template.format(co=self._short_owner(repeat), **ctx)
                    if "{co}" in template or name not in self.used_names:
                        return self._unique(name), repeat
        for template in order:
            if "{co}" in template:
                owner = self._owner_for(info, spec, template, "")
                name = template.format(co=self._short_owner(owner), **ctx)
            else:
                name = template.format(**ctx)
                if name in self.used_names:
                    continue
                owner = self._owner_for(info, spec, template, name)
            return self._unique(name), owner
        template = order[0]
        owner = self._owner_for(info, spec, template, template.format(co="", **ctx))
        return self._unique(template.format(co=self._short_owner(owner), **ctx)), owner

    def _unique(self, name: str) -> str:
        """The name itself, or its next phase (二期, 三期…) when the ledger already holds it."""
        phases = ("二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期")
        if "二期" in name:
            candidates = [name.replace("二期", phase) for phase in phases]
        else:
            kind = "工程" if name.endswith("工程") else "项目"
            base = name.removesuffix(kind)
            candidates = [name] + [f"{base}（{phase}）{kind}" for phase in phases]
        for candidate in candidates:
            if candidate not in self.used_names:
                self.used_names.add(candidate)
                return candidate
        raise DemoDataError(f"无法生成不重名的项目名称：{name}")

    def _level(self, total: Decimal, info: RegionInfo) -> Level:
        roll = self.rng.random()
        if total >= 500000:
            odds = (0.6, 1.0)
        elif total >= 100000:
            odds = (0.15, 0.92)
        elif total >= 30000:
            odds = (0.03, 0.72)
        else:
            odds = (0.0, 0.35)
        if info.kind == 3:
            odds = (odds[0], 1.0)
        if roll < odds[0]:
            return self.levels["省重点"]
        if roll < odds[1]:
            return self.levels["市重点"]
        return self.levels["县（区）重点"]

    def _nature(self, name: str, key, timeline: dict, year: int) -> Nature:
        rng = self.rng
        if timeline["actual_start"] and timeline["actual_start"].year < year and rng.random() < 0.7:
            return self.natures["续建"]
        if "迁建" in name:
            return self.natures["迁建"]
        if "扩建" in name or "二期" in name or "扩能" in name or "增容" in name:
            return self.natures["扩建"]
        if any(w in name for w in ("改造", "改建", "提升", "除险加固", "大修", "提标", "整治", "白改黑")):
            return self.natures["改建"] if "技术" not in name else self.natures["技术改造"]
        if key[0] == "产业" and key[1] in ("先进制造", "新材料", "生物医药"):
            return self.natures[rng.choices(["新建", "扩建", "技术改造"], (65, 20, 15))[0]]
        return self.natures["新建"]

    def _place(self, project: Project, info: RegionInfo, stage_name: str) -> None:
        """The address, and a point inside the district (data.py's "spread" around its centre) for most
        projects: not for the city's cross-district works (a railway has no one point), nor for an idea
        still being planned (谋划: no site yet)."""
        rng = self.rng
        if info.kind == 3:
            a, b = rng.sample(self.regions, 2)
            lat0, lng0 = rng.choice([a, b]).spec["center"]
            project.address = f"临沂市{a.name}、{b.name}境内"
            spread = None
        else:
            lat0, lng0 = info.spec["center"]
            named = [t for t in info.spec["towns"] if t in project.name]
            town = named[0] if named else rng.choice(info.spec["towns"])
            roads = data.URBAN_ROADS if info.spec.get("urban") else data.COUNTY_ROADS
            if project.category.parent.name in ("农村", "水利", "生态") or project.category.name == "新能源":
                project.address = f"{info.name}{town}{rng.choice(['境内', '驻地周边', '东部片区', '西部片区'])}"
            else:
                project.address = f"{info.name}{town}{rng.choice(roads)}以{rng.choice('东西南北')}"
            spread = info.spec["spread"]
        # Two draws whatever comes of them, so the rest of the city stays as it was.
        u, v = rng.uniform(-1, 1), rng.uniform(-1, 1)
        if spread is None or stage_name == "谋划":
            return
        # The square onto the disc (elliptical grid mapping): every point within `spread` of the centre.
        x, y = u * math.sqrt(1 - v * v / 2), v * math.sqrt(1 - u * u / 2)
        project.latitude = Decimal(f"{lat0 + y * spread:.6f}")
        project.longitude = Decimal(f"{lng0 + x * spread * 1.2:.6f}")

    # ------------------------------------------------------------------ lifecycle
    def _timeline(self, year: int, total: Decimal) -> dict:
        rng = self.rng
        if total < 5000:
            duration = rng.randint(6, 14)
        elif total < 20000:
            duration = rng.randint(9, 20)
        elif total < 100000:
            duration = rng.randint(12, 30)
        elif total < 500000:
            duration = rng.randint(20, 40)
        else:
            duration = rng.randint(30, 60)
        this_year, today, last_actual = self.year, self.today, self.last_actual
        scenarios = {
            this_year - 2: (("carry", 30), ("start", 57), ("delayed", 9), ("stuck", 4)),
            this_year - 1: (("carry", 30), ("start", 52), ("delayed", 8), ("stuck", 10)),
            this_year: (("carry", 28), ("start", 38), ("prelim", 18), ("reserve", 16)),
        }[year]
        scenario = rng.choices([s for s, _ in scenarios], [w for _, w in scenarios])[0]

        def between(a: date, b: date) -> date:
            return a + timedelta(days=rng.randint(0, max(0, (b - a).days)))

        planned_start = actual_start = actual_completion = None
        reserve_kind = ""
        if scenario == "carry":
            actual_start = between(date(year - 2, 3, 1), date(year - 1, 12, 20))
            planned_start = actual_start - timedelta(days=rng.randint(0, 60))
            if add_months(actual_start, duration) < date(year, 4, 1):
                duration = int(months_between(actual_start, date(year, 1, 1))) + rng.randint(4, 18)
        elif scenario == "start" and min(date(year, 10, 31), today - timedelta(days=30)) < date(year, 2, 15):
            scenario = "prelim"  # early in the year: this year's starts are still ahead
        if scenario == "start":
            planned_start = between(date(year, 2, 15), min(date(year, 10, 31), today - timedelta(days=30)))
            actual_start = planned_start + timedelta(days=rng.randint(-20, min(75, (last_actual - planned_start).days)))
        elif scenario == "delayed":
            planned_start = between(date(year, 3, 1), date(year, 9, 30))
            late_until = min(date(year + 1, 10, 31), last_actual)
            if late_until >= date(year + 1, 2, 1):
                actual_start = between(date(year + 1, 2, 1), late_until)
            else:  # January: the late start happened before the winter break
                actual_start = between(planned_start + timedelta(days=60), min(date(year, 12, 20), last_actual))
        elif scenario in ("stuck", "prelim"):
            # Still in 前期: a project listed in an earlier year whose start slipped has had its start
            # re-planned, like this year's; a few are running a little late, none by years.
            late_from = max(date(year, 1, 10), today - timedelta(days=75))
            if rng.random() < 0.25 and late_from <= today - timedelta(days=20):
                planned_start = between(late_from, today - timedelta(days=20))  # its start is running late
            else:
                planned_start = between(today + timedelta(days=20), today + timedelta(days=230))
        else:
            reserve_kind = rng.choice(["谋划", "储备", "储备"])
            if reserve_kind == "储备":
                planned_start = between(date(this_year + 1, 3, 1), date(this_year + 2, 6, 30))
        planned_completion = add_months(planned_start, duration) if planned_start else None
        expected = None
        paused_year = None
        if actual_start:
            expected = max(planned_completion, add_months(actual_start, duration * 0.9))
            finish = expected + timedelta(days=rng.randint(-30, 120))
            finish = max(finish, actual_start + timedelta(days=90))
            if finish <= last_actual and rng.random() < 0.9:
                actual_completion = finish
            elif rng.random() < 0.045:
                paused_year = rng.randint(max(actual_start.year, year), this_year)
        return {
            "scenario": scenario, "duration": duration, "planned_start": planned_start,
            "planned_completion": planned_completion, "actual_start": actual_start,
            "actual_completion": actual_completion, "expected": expected, "paused_year": paused_year,
            "reserve_kind": reserve_kind, "year": year,
        }

    def _stage(self, t: dict, spec) -> str:
        if t["scenario"] == "reserve":
            return t["reserve_kind"]
        if not t["actual_start"]:
            return "前期"
        if t["actual_completion"]:
            if spec.get("produces"):
                if t["actual_completion"].year <= self.year - 2 and self.rng.random() < 0.35:
                    return "达效"
                return self.rng.choice(["投产", "投产", "竣工投产"])
            return "竣工"
        if t["paused_year"]:
            return "暂停"
        return "新开工" if t["actual_start"].year == self.year else "续建"

    def _dates(self, project: Project, t: dict) -> None:
        project.planned_start = t["planned_start"]
        project.planned_completion = t["planned_completion"]
        project.actual_start = t["actual_start"]
        project.actual_completion = t["actual_completion"]
        start = t["actual_start"] or t["planned_start"]
        if start:
            project.start_year = start.year
            end = t["actual_completion"] or t["expected"] or t["planned_completion"]
            project.end_year = max(end.year, start.year)
        else:  # 谋划: only the years are known
            project.start_year = self.rng.choice([self.year + 1, self.year + 2])
            project.end_year = project.start_year + max(1, t["duration"] // 12)

    def _funds(self, project: Project, spec, stage_name: str) -> None:
        rng = self.rng
        if stage_name in ("谋划", "储备") and rng.random() < 0.6 or rng.random() < 0.08:
            return
        presets = {
            "gov": [("fund_central", 0.3, 10, 40), ("fund_provincial", 0.35, 5, 20), ("fund_local", 0.85, 10, 50),
                    ("fund_bond", 0.5, 20, 60), ("fund_loan", 0.3, 10, 40), ("fund_enterprise", 0.2, 5, 30),
                    ("fund_other", 0.08, 5, 15)],
            "ent": [("fund_enterprise", 1.0, 40, 100), ("fund_loan", 0.5, 10, 50), ("fund_provincial", 0.1, 2, 8),
                    ("fund_other", 0.12, 5, 15)],
            "mixed": [("fund_central", 0.15, 5, 25), ("fund_provincial", 0.3, 5, 15), ("fund_local", 0.5, 10, 40),
                      ("fund_bond", 0.3, 20, 50), ("fund_loan", 0.5, 10, 40), ("fund_enterprise", 0.7, 20, 60),
                      ("fund_other", 0.1, 5, 15)],
        }[spec["fund"]]
        chosen = [(name, rng.uniform(low, high)) for name, odds, low, high in presets if rng.random() < odds]
        if not chosen:
            chosen = [(presets[0][0], 100.0)]
        total = project.total_investment
        coverage = Decimal(1) if rng.random() < 0.7 else Decimal(str(round(rng.uniform(0.6, 0.98), 3)))
        weight_sum = sum(w for _, w in chosen)
        amounts = {name: nice(total * coverage * Decimal(str(w / weight_sum))) for name, w in chosen}
        if coverage == 1:
            largest = max(amounts, key=lambda n: amounts[n])
            amounts[largest] = total - sum(v for n, v in amounts.items() if n != largest)
        for name, value in amounts.items():
            if value > 0:
                setattr(project, name, value)

    def _scale(self, spec, total: Decimal) -> str:
        rng = self.rng
        t = float(total)
        values = {
            "km": round(max(0.8, t / rng.uniform(3000, 9000)), 1), "km2": round(max(0.5, t / rng.uniform(5000, 12000)), 1),
            "grade": rng.choice(["一级公路", "二级公路", "城市主干路", "双向六车道一级公路"]),
            "w": rng.choice([12, 18, 24, 30, 40, 50, 60]), "b": max(1, int(t / rng.uniform(2000, 15000))),
            "speed": rng.choice([160, 200, 250, 350]), "area": int(max(2000, t * rng.uniform(1.5, 4))),
            "cap": round(max(0.5, t / rng.uniform(4000, 20000)), 1), "cap2": int(max(50, t / rng.uniform(40, 150))),
            "racks": int(max(200, t / rng.uniform(20, 60))), "mva": int(max(50, t / rng.uniform(20, 60)) // 10 * 10),
            "mw": int(max(10, t / rng.uniform(300, 600))), "mu": round(max(0.5, t / rng.uniform(1500, 3000)), 1),
            "mu2": int(max(30, t / rng.uniform(15, 40))), "area2": round(max(0.5, t / rng.uniform(3000, 8000)), 1),
            "classes": rng.choice([24, 30, 36, 48, 60, 72]), "beds": int(max(50, t / rng.uniform(60, 150)) // 10 * 10),
            "eq": int(max(20, t / rng.uniform(50, 300))), "rev": round(max(0.5, t / 10000 * rng.uniform(0.8, 2.5)), 1),
        }
        values["mwh"] = values["mw"] * 2
        if "{area}万平方米" in spec["scale"]:
            values["area"] = round(max(0.5, t / rng.uniform(6000, 12000)), 1)
        return spec["scale"].format(**values)

    def _code(self, info: RegionInfo, spec, t: dict, year: int) -> str:
        start = t["actual_start"] or t["planned_start"]
        code_year = min(year, start.year) - self.rng.choice([0, 0, 1])
        code_year = min(code_year, self.year)
        kind = {"gov": "01", "ent": "03", "mixed": "01"}[spec["fund"]]
        if spec["fund"] == "ent" and spec["industry"] in ("44", "57"):
            kind = "02"
        while True:
            serial = f"{self.rng.randint(1, 999999):06d}"
            code = f"{code_year}-{info.region.code}-{spec['industry']}-{kind}-{serial}"
            if code not in self.used_serials:
                self.used_serials.add(code)
                return code

    # ------------------------------------------------------------------ links
    def _units_for(self, info: RegionInfo, spec, in_city: bool):
        rng = self.rng
        primary = self.depts[spec["depts"][0]]
        if in_city or rng.random() < 0.3:
            lead = primary
        else:
            lead = info.government
        pool = [self.depts[k] for k in spec["depts"]] + [self.depts["zrzy"], self.depts["sp"], self.depts["fgw"]]
        seen, candidates = set(), []
        for unit in pool:
            if unit is not lead and id(unit) not in seen:
                seen.add(id(unit))
                candidates.append(unit)
        count = rng.choice([1, 2, 2, 3])
        responsible = candidates[:1] + rng.sample(candidates[1:], count - 1)
        if lead is not info.government and info.government is not None and rng.random() < 0.5:
            responsible = [info.government, *responsible[: count - 1]] if count > 1 else [info.government]
        return lead, responsible

    def _programs(self, key, project: Project, info: RegionInfo) -> list:
        rng = self.rng
        top, child = key
        chosen = []
        infra = ("交通", "市政", "信息", "能源", "水利", "商贸物流", "教育", "医养", "农村")
        if top in infra:
            if rng.random() < 0.55:
                chosen.append("“十大基础设施”工程")
            if rng.random() < 0.25:
                chosen.append("基础设施攻坚战役")
        if (top == "产业" and child in ("先进制造", "新材料", "生物医药") and rng.random() < 0.55) or (
            top == "信息" and rng.random() < 0.3
        ):
            chosen.append("新旧动能转换")
        if (top == "农村" and rng.random() < 0.6) or (child == "文化旅游" and info.kind == 1 and rng.random() < 0.3):
            chosen.append("乡村振兴")
        if (child == "城市更新" and rng.random() < 0.85) or "老旧小区" in project.name:
            chosen.append("城市更新")
        if (project.level.name == "省重点" or project.total_investment >= 100000) and rng.random() < 0.5:
            chosen.append("重大项目攻坚年")
        ordered = []
        for name in chosen:
            if name not in ordered:
                ordered.append(name)
        return [self.programs[name] for name in ordered]

    def _leaders_for(self, key, project: Project, info: RegionInfo) -> list:
        rng = self.rng
        top, child = key
        contracted = self.domain_leader.get(f"{top}/{child}") or self.domain_leader[top]
        links = [(contracted, LeaderRole.CONTRACTED)]
        linked = None
        if project.level.name == "省重点":
            linked = rng.choice([self.secretary, self.mayor])
        elif info.name in self.region_leader:
            odds = 0.5 if project.level.name == "市重点" else 0.25
            if rng.random() < odds:
                linked = self.region_leader[info.name]
        elif info.kind == 3 and rng.random() < 0.4:
            linked = self.mayor
        if linked is not None and linked is not contracted:
            links.append((linked, LeaderRole.LINKED))
        return links

    # ------------------------------------------------------------------ annual plans
    def _plans(self, project: Project, spec, t: dict) -> list[AnnualPlan]:
        rng = self.rng
        if t["scenario"] == "reserve":
            return []
        total = project.total_investment
        start = t["actual_start"]
        finish = t["actual_completion"]
        duration = t["duration"]
        cum = Decimal(0)
        if start and start.year < t["year"]:
            elapsed = months_between(start, date(t["year"], 1, 1))
            cum = money(total * Decimal(str(min(0.85, elapsed / duration * rng.uniform(0.6, 1.0)))))
        plans = []
        for y in range(t["year"], self.year + 1):
            if finish and finish.year < y:
                break
            remaining = total - cum
            if remaining <= 0:
                break
            started = start is not None and start.year < y
            if start is not None and start.year <= y:
                begin = max(start, date(y, 1, 1))
                # An overdue project plans to finish by mid-year.
                end = t["expected"] if t["expected"] >= date(y, 1, 1) else date(y, 6, 30)
            elif t["planned_start"].year <= y:
                begin = max(t["planned_start"], date(y, 3, 1))
                end = add_months(begin, duration)
            else:
                begin = end = None
            completing = (finish is not None and finish.year == y) or (end is not None and end.year <= y)
            if completing:
                planned = remaining
            elif begin is not None:
                share = months_between(begin, date(y, 12, 31)) / max(1.0, months_between(begin, end))
                planned = nice(remaining * Decimal(str(min(1.0, share * rng.uniform(0.85, 1.15)))))
            else:
                planned = nice(total * Decimal(str(rng.uniform(0.01, 0.05))))
            planned = min(max(planned, min(remaining, Decimal(1))), remaining)
            plan_start = begin if begin is not None and not started and begin.year == y else None
            if plan_start is not None and start is not None and start.year == y:
                # The plan was written before the work began: it names the scheduled day.
                ps = t["planned_start"]
                plan_start = ps if ps.year == y else date(y, start.month, 1)
            plan_end = end if completing and end is not None and end.year == y else None
            if completing and plan_end is None:
                plan_end = min(finish, date(y, 12, 31)) if finish else date(y, 12, 31)
            if plan_start and plan_end and plan_end < plan_start:
                plan_end = plan_start
            plan = AnnualPlan(
                project=project, year=y, planned_investment=planned, completed_before=cum,
                planned_start=plan_start, planned_completion=plan_end if completing else None,
            )
            plan.construction_goal, plan.progress_goal = self._goals(
                spec, total, cum, planned, y, begin, plan_start, plan_end if completing else None
            )
            plans.append(plan)
            # What was actually done this year becomes next year's 开工至上年底累计.
            if finish is not None and finish.year == y:
                done = remaining
            elif start is not None and start.year <= y:
                paused = t["paused_year"]
                if paused and paused < y:
                    perf = 0.0
                elif paused == y:
                    perf = rng.uniform(0.2, 0.5)
                else:
                    perf = rng.uniform(0.7, 1.08)
                done = min(money(planned * Decimal(str(perf))), money(remaining * Decimal("0.95")))
            else:
                done = Decimal(0)
            cum = money(cum + done)
        return plans

    def _goals(self, spec, total, before, planned, year, begin, start_day, end_day) -> tuple[str, str]:
        """年度建设目标 and a quarter-by-quarter 形象进度目标 that follow the year's schedule."""
        phases = spec["phases"]  # four construction phases, then the completion step
        done_word = "竣工投产" if spec.get("produces") else "竣工验收"
        amount = f"{planned / 10000:.2f}亿元" if planned >= 10000 else f"{planned:.0f}万元"
        if begin is None:
            goal = f"加快推进立项、用地、规划、环评等前期手续，力争{year + 1}年上半年开工建设，完成前期投资{amount}"
            steps = ["完成项目建议书编制", "完成可行性研究报告批复", "办理用地预审及规划选址", "完成初步设计及施工图审查"]
            return goal, self._quarters(steps)
        i0 = min(3, int(float(before / total) * 4))
        i1 = max(i0, min(3, int(float((before + planned) / total) * 4 - 1e-9)))
        start_q = (start_day.month - 1) // 3 + 1 if start_day else 0
        end_q = (end_day.month - 1) // 3 + 1 if end_day else 5
        first, last = start_q + 1 if start_q else 1, min(4, end_q - 1)
        pre = ["完成初步设计及概算批复", "完成施工图审查及施工招标", "办理施工许可及施工准备"]
        steps = []
        for q in range(1, 5):
            if q < start_q:
                steps.append(pre[q - start_q])
            elif q == start_q:
                steps.append(f"{start_day.month}月开工建设" + (f"，{end_day.month}月底前{done_word}" if q == end_q else ""))
            elif q == end_q:
                steps.append(f"{end_day.month}月底前{done_word}")
            elif q > end_q:
                steps.append("办理竣工结算及资料归档" if not spec.get("produces") else "试生产及产能爬坡")
            else:
                idx = i1 if last == first else i0 + round((i1 - i0) * (q - first) / (last - first))
                steps.append(phases[min(3, idx)])
        if end_day:
            goal = f"{end_day.month}月底前{done_word}"
            if start_day:
                goal = f"{start_day.month}月底前开工建设，" + goal
            elif i0 < 3:
                goal = f"完成{phases[3]}，" + goal
        elif start_day:
            goal = f"{start_day.month}月底前开工建设，年底前完成{phases[i1]}"
        else:
            goal = f"完成{phases[i0]}" + (f"至{phases[i1]}" if i1 > i0 else "")
        return f"{goal}，完成投资{amount}", self._quarters(steps)

    def _quarters(self, steps: list[str]) -> str:
        labels = ["一季度", "二季度", "三季度", "四季度"]
        return "；".join(f"{label}：{step}" for label, step in zip(labels, steps, strict=True))

    # ------------------------------------------------------------------ writing
    def _write_projects(self, planned: list[Planned]) -> None:
        fk_fields = ["level", "category", "nature", "region", "owner", "lead_unit", "stage", "parent", "created_by"]
        for item in planned:
            project = item.project
            try:
                project.clean_fields(exclude=fk_fields)
            except ValidationError as exc:
                raise DemoDataError(f"项目“{project.name}”未通过校验：{exc.message_dict}") from exc
            for plan in item.plans:
                try:
                    plan.clean_fields(exclude=["project"])
                    annual_plan_validate(plan)
                except ValidationError as exc:
                    raise DemoDataError(f"“{project.name}”{plan.year}年度计划未通过校验：{exc.message_dict}") from exc
        # The ledger's one bulk path: search text, versions, history and the rules, as the import has them.
        try:
            projects_bulk_save(None, [
                BulkProject(item.project, programs=[p.pk for p in item.programs],
                            responsible_units=[u.pk for u in item.responsible],
                            leaders=[(leader.pk, role) for leader, role in item.leaders], plans=item.plans)
                for item in planned
            ], reason=HISTORY_REASON)
        except ValidationError as exc:
            raise DemoDataError(f"项目未通过校验：{exc.messages}") from exc
        # Once everything is in place, the ledger's rules must hold for every project as stored.
        for item in planned:
            try:
                project_validate(item.project)
            except ValidationError as exc:
                raise DemoDataError(f"项目“{item.project.name}”未通过校验：{exc.message_dict}") from exc

    def _summary(self, planned: list[Planned]) -> dict:
        projects = [p.project for p in planned]
        by_kind = {kind: sum(1 for u in self.units if u.kind == kind) for kind in UnitKind.values}
        by_stage: dict[str, int] = {}
        for p in projects:
            by_stage[p.stage.name] = by_stage.get(p.stage.name, 0) + 1
        return {
            "regions": 2 + len(self.regions),
            "units": len(self.units),
            "departments": by_kind[UnitKind.DEPARTMENT],
            "governments": by_kind[UnitKind.GOVERNMENT],
            "owners": by_kind[UnitKind.OWNER],
            "leaders": len(self.leaders),
            "logins": self.logins,  # (username, display name, role, unit, scope)
            "projects": len(projects),
            "projects_by_year": {y: sum(1 for p in projects if p.year_listed == y) for y in self.years},
            "projects_by_stage": by_stage,
            "with_code": sum(1 for p in projects if p.code),
            "plans": sum(len(p.plans) for p in planned),
            "total_investment": sum((p.total_investment for p in projects), Decimal(0)),
            "report_periods": self.dispatch["periods"],
            "reports": self.dispatch["reports"],
            "dispatch": self.dispatch,
            "today": self.today,
            "extra_logins": self.extra_logins,
            "problems": self.problems,
            "scoring": self.scoring,
            "bulletins": self.bulletins,
            "lights": light_counts(),
        }


def light_counts() -> dict[str, int]:
    from tuijin.projects.choices import Light

    counts = {"green": 0, "yellow": 0, "red": 0}
    names = {Light.GREEN: "green", Light.YELLOW: "yellow", Light.RED: "red"}
    for light in Project.objects.values_list("light", flat=True):
        counts[names[light]] += 1
    return counts


def build_demo(seed: int = DEFAULT_SEED, today: date | None = None, progress=None) -> dict:
    from tuijin.projects.filtersets import options_changed

    result = DemoBuilder(seed, today, progress).build()
    options_changed()  # bulk_create sends no signals
    return result


def demo_digest() -> str:
    """A fingerprint of the demo ledger as stored (names, amounts, dates, links), independent of ids."""
    h = hashlib.sha256()

    def feed(*values) -> None:
        h.update(("|".join("" if v is None else str(v) for v in values) + "\n").encode())

    for row in Region.objects.order_by("code").values_list("code", "name", "level", "path"):
        feed(*row)
    for row in Unit.objects.order_by("id").values_list("name", "kind", "region__code", "contact", "phone"):
        feed(*row)
    for row in Leader.objects.order_by("id").values_list("name", "title", "unit__name", "user__username"):
        feed(*row)
    fields = [
        "name", "code", "year_listed", "level__name", "category__name", "nature__name", "region__code", "address",
        "latitude", "longitude", "scale", "total_investment", *Project.FUND_FIELDS, "start_year", "end_year",
        "planned_start", "actual_start", "planned_completion", "actual_completion", "land_area", "owner__name",
        "owner_contact", "owner_phone", "lead_unit__name", "stage__name", "is_paused", "remarks", "search_text",
    ]
    for row in Project.objects.order_by("id").values_list(*fields):
        feed(*row)
    for row in Project.programs.through.objects.order_by("id").values_list("project__name", "program__name"):
        feed(*row)
    for row in ProjectResponsibleUnit.objects.order_by("id").values_list("project__name", "unit__name"):
        feed(*row)
    for row in ProjectLeader.objects.order_by("id").values_list("project__name", "leader__name", "role"):
        feed(*row)
    plan_fields = ["project__name", "year", "planned_investment", "completed_before", "construction_goal",
                   "progress_goal", "planned_start", "planned_completion"]
    for row in AnnualPlan.objects.order_by("id").values_list(*plan_fields):
        feed(*row)
    return h.hexdigest()
