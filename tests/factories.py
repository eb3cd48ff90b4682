"""factory-boy factories for the org tree and the ledger, plus POST payloads for the ledger forms.

Dictionaries (levels, categories, natures, stages, programs) are seeded by migrations; `dictionary()`
fetches them by name and creates them only when a transactional test's flush has removed them.
"""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from tuijin.org.choices import RegionLevel, Role, Scope, UnitKind
from tuijin.org.models import Leader, Membership, Region, Unit
from tuijin.projects.choices import CanonicalStage
from tuijin.projects.models import (
    AnnualPlan,
    Category,
    Level,
    Nature,
    Project,
    ProjectLeader,
    ProjectResponsibleUnit,
    Stage,
)
from tuijin.projects.selectors import current_year

PASSWORD = "Tuijin-Test-2026!"

STAGE_CANONICAL = {
    "谋划": CanonicalStage.RESERVE, "前期": CanonicalStage.PRELIMINARY, "新开工": CanonicalStage.NEW_START,
    "续建": CanonicalStage.CONSTRUCTION, "在建": CanonicalStage.CONSTRUCTION, "竣工": CanonicalStage.COMPLETED,
    "投产": CanonicalStage.OPERATING,
}


def dictionary(model, name: str, **defaults):
    """A seeded dictionary entry by name (re-created if a flush removed it)."""
    if model is Stage:
        defaults.setdefault("canonical", STAGE_CANONICAL.get(name, CanonicalStage.CONSTRUCTION))
    return model.objects.get_or_create(name=name, defaults=defaults)[0]


def category(parent_name: str, child_name: str | None = None) -> Category:
    parent = Category.objects.get_or_create(name=parent_name, parent=None)[0]
    if child_name is None:
        return parent
    return Category.objects.get_or_create(name=child_name, parent=parent)[0]


# ------------------------------------------------------------------------------------------ org


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"3713{n:02d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    level = RegionLevel.DISTRICT
    parent = None


class ProvinceFactory(RegionFactory):
    code = "370000"
    name = "山东省"
    level = RegionLevel.PROVINCE


class CityFactory(RegionFactory):
    code = "371300"
    name = "临沂市"
    level = RegionLevel.CITY
    parent = factory.SubFactory(ProvinceFactory)


class LanshanFactory(RegionFactory):
    code = "371302"
    name = "兰山区"
    level = RegionLevel.DISTRICT
    parent = factory.SubFactory(CityFactory)
    sort = 1


class LuozhuangFactory(RegionFactory):
    code = "371311"
    name = "罗庄区"
    level = RegionLevel.DISTRICT
    parent = factory.SubFactory(CityFactory)
    sort = 2


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("region", "name")

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.DEPARTMENT
    region = factory.SubFactory(CityFactory)


class LeaderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leader

    name = factory.Sequence(lambda n: f"领导{n}")
    title = "副市长"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(PASSWORD)
    is_active = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.REPORTER
    scope = Scope.REGION


def member(username: str, full_name: str, unit: Unit, role: str, scope: str = Scope.REGION):
    """A user holding one role in one unit."""
    user = UserFactory(username=username, first_name=full_name)
    MembershipFactory(user=user, unit=unit, role=role, scope=scope)
    return user


# -------------------------------------------------------------------------------------- ledger


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project saved directly (no service): search_text is built here as the services would."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试项目{n:04d}")
    year_listed = factory.LazyFunction(current_year)
    level = factory.LazyFunction(lambda: dictionary(Level, "市重点"))
    category = factory.LazyFunction(lambda: category("市政", "道路桥梁"))
    nature = factory.LazyFunction(lambda: dictionary(Nature, "新建"))
    stage = factory.LazyFunction(lambda: dictionary(Stage, "续建"))
    region = factory.SubFactory(LanshanFactory)
    total_investment = Decimal("10000.00")
    start_year = factory.LazyFunction(lambda: current_year() - 1)
    end_year = factory.LazyFunction(lambda: current_year() + 2)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        project = model_class(*args, **kwargs)
        project.search_text = project.build_search_text()
        project.save()
        return project

    @factory.post_generation
    def programs(self, create, extracted, **kwargs):
        if create and extracted:
            self.programs.set(extracted)

    @factory.post_generation
    def responsible_units(self, create, extracted, **kwargs):
        if create and extracted:
            for unit in extracted:
                ProjectResponsibleUnit.objects.create(project=self, unit=unit)

    @factory.post_generation
    def leaders(self, create, extracted, **kwargs):
        """leaders=[(leader, role), ...] or [leader, ...] (分包领导)."""
        if create and extracted:
            for item in extracted:
                leader, role = item if isinstance(item, tuple) else (item, "contracted")
                ProjectLeader.objects.create(project=self, leader=leader, role=role)

    @factory.post_generation
    def plan(self, create, extracted, **kwargs):
        """plan=Decimal(...) adds this year's annual plan with that planned investment."""
        if create and extracted is not None:
            AnnualPlanFactory(project=self, planned_investment=extracted, **kwargs)


class AnnualPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualPlan

    project = factory.SubFactory(ProjectFactory)
    year = factory.LazyFunction(current_year)
    planned_investment = Decimal("1000.00")
    completed_before = Decimal("0.00")
    construction_goal = "完成年度建设任务"


def bulk_projects(n: int, *, region: Region, plan: Decimal | None = Decimal("100.00"), prefix: str = "批量项目",
                  amounts=None, year: int | None = None, **fields) -> list[Project]:
    """n projects (and this year's plans) in two INSERTs, for list, paging and money tests."""
    year = year or current_year()
    defaults = {
        "year_listed": year,
        "level": dictionary(Level, "市重点"),
        "category": category("市政", "道路桥梁"),
        "nature": dictionary(Nature, "新建"),
        "stage": dictionary(Stage, "续建"),
        "region": region,
        "start_year": year - 1,
        "end_year": year + 2,
    }
    defaults.update(fields)
    projects = []
    for i in range(n):
        total = amounts[i] if amounts is not None else Decimal("1000.00") + i
        project = Project(name=f"{prefix}{i:04d}", total_investment=total, **defaults)
        project.search_text = project.build_search_text()
        projects.append(project)
    projects = Project.objects.bulk_create(projects)
    if plan is not None:
        AnnualPlan.objects.bulk_create(
            AnnualPlan(project=p, year=year, planned_investment=plan, completed_before=Decimal("0.00")) for p in projects
        )
    if any(p.pk is None for p in projects):  # backends without RETURNING on bulk insert
        projects = list(Project.objects.filter(name__startswith=prefix).order_by("name"))
    return projects


# ------------------------------------------------------------------------------------ scenario


_PASSWORDS: dict = {}


def _password() -> str:
    """PASSWORD hashed once per hasher configuration (the suite's fast hasher, or another a test sets)."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    key = tuple(settings.PASSWORD_HASHERS)
    if key not in _PASSWORDS:
        _PASSWORDS[key] = make_password(PASSWORD)
    return _PASSWORDS[key]


def build_city():
    """The test city described in conftest.py: regions, units, a 联系领导 and one user per principal.

    Written in bulk (about a dozen statements; most tests start from it): the same rows, history rows
    and passwords the factories would write one by one (`member()`, `UnitFactory`, …), which later
    calls of those factories find by their get-or-create keys.
    """
    from types import SimpleNamespace

    from simple_history.utils import bulk_create_with_history

    def regions_below(parent, *rows):
        made = [Region(code=code, name=name, level=level, parent=parent, sort=sort,
                       path=f"{parent.path if parent else '/'}{code}/") for code, name, level, sort in rows]
        return Region.objects.bulk_create(made)

    (province,) = regions_below(None, ("370000", "山东省", RegionLevel.PROVINCE, 100))
    (city,) = regions_below(province, ("371300", "临沂市", RegionLevel.CITY, 100))
    lanshan, luozhuang = regions_below(city, ("371302", "兰山区", RegionLevel.DISTRICT, 1),
                                       ("371311", "罗庄区", RegionLevel.DISTRICT, 2))
    regions = SimpleNamespace(province=province, city=city, lanshan=lanshan, luozhuang=luozhuang)

    unit_rows = {
        "development": ("临沂市发展和改革委员会", "市发改委", UnitKind.DEPARTMENT, city),
        "city_government": ("临沂市人民政府", "", UnitKind.GOVERNMENT, city),
        "land": ("临沂市自然资源和规划局", "", UnitKind.DEPARTMENT, city),
        "inspection": ("临沂市委市政府督查室", "", UnitKind.DEPARTMENT, city),
        "transport": ("临沂市交通运输局", "", UnitKind.DEPARTMENT, city),
        "lanshan_government": ("兰山区人民政府", "", UnitKind.GOVERNMENT, lanshan),
        "luozhuang_government": ("罗庄区人民政府", "", UnitKind.GOVERNMENT, luozhuang),
        "owner": ("临沂城市建设投资集团有限公司", "临沂城投", UnitKind.OWNER, city),
    }
    made = bulk_create_with_history(
        [Unit(name=name, short_name=short, kind=kind, region=region) for name, short, kind, region in unit_rows.values()],
        Unit)
    units = SimpleNamespace(**dict(zip(unit_rows, made, strict=True)))

    # username: (full name, unit, role, scope); None for the two without a membership
    people = {
        "admin": ("系统管理员", None, None, None),
        "dispatcher": ("张调度", units.development, Role.DISPATCHER, Scope.REGION),
        "leader": ("王领导", units.city_government, Role.LEADER, Scope.REGION),
        "reporter_a": ("李兰山", units.lanshan_government, Role.REPORTER, Scope.REGION),
        "reporter_b": ("赵罗庄", units.luozhuang_government, Role.REPORTER, Scope.REGION),
        "handler": ("孙办理", units.land, Role.HANDLER, Scope.REGION),
        "inspector": ("周督查", units.inspection, Role.INSPECTOR, Scope.REGION),
        "dept_reporter": ("吴交通", units.transport, Role.REPORTER, Scope.UNIT),
        "outsider": ("钱无岗", None, None, None),
        # 三权分立: administrators of the platform, with no business grant (they see no project)
        "security": ("孙安全", units.development, Role.SECURITY, Scope.REGION),
        "auditor": ("周审计", units.development, Role.AUDITOR, Scope.REGION),
    }
    User = get_user_model()
    accounts = User.objects.bulk_create([
        User(username=username, first_name=full_name, password=_password(), is_active=True,
             is_superuser=username == "admin", is_staff=username == "admin")
        for username, (full_name, *_rest) in people.items()])
    if any(user.pk is None for user in accounts):  # backends without RETURNING on bulk insert
        accounts = list(User.objects.filter(username__in=people).order_by("id"))
    users = {"anonymous": None, **{user.username: user for user in accounts}}
    bulk_create_with_history([
        Membership(user=users[username], unit=unit, role=role, scope=scope)
        for username, (_name, unit, role, scope) in people.items() if unit is not None], Membership)
    (contact_leader,) = bulk_create_with_history(
        [Leader(name="王建国", title="副市长", unit=units.city_government)], Leader)
    return SimpleNamespace(regions=regions, units=units, users=users, contact_leader=contact_leader)


def build_own_project(city) -> "Project":
    """兰山区 (reporter_a's district), led by 兰山区人民政府, with this year's plan of 2,000.00 万元."""
    return ProjectFactory(
        name="兰山区北城新区道路改造工程",
        code="2026-371302-48-01-000001",
        region=city.regions.lanshan,
        lead_unit=city.units.lanshan_government,
        owner=city.units.owner,
        total_investment=Decimal("12345.67"),
        plan=Decimal("2000.00"),
    )


def build_other_project(city) -> "Project":
    """罗庄区 (reporter_b's district), led by 罗庄区人民政府, with this year's plan of 5,000.00 万元."""
    return ProjectFactory(
        name="罗庄区河道综合治理工程",
        code="2026-371311-76-01-000002",
        region=city.regions.luozhuang,
        lead_unit=city.units.luozhuang_government,
        total_investment=Decimal("31000.00"),
        plan=Decimal("5000.00"),
    )


# ---------------------------------------------------------------------------------- POST data


def _value(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def project_form_data(project: Project, **overrides) -> dict:
    """What the browser posts for the project form, filled from `project`; override None drops a key."""
    data = {
        name: _value(getattr(project, name))
        for name in (
            "name", "code", "stats_code", "year_listed", "address", "longitude", "latitude", "scale",
            "total_investment", *Project.FUND_FIELDS, "start_year", "end_year", "planned_start", "actual_start",
            "planned_completion", "actual_completion", "land_area", "owner_contact", "owner_phone", "remarks",
        )
    }
    for name in ("level", "category", "nature", "stage", "region", "owner", "lead_unit", "parent"):
        data[name] = _value(getattr(project, f"{name}_id"))
    if project.is_paused:
        data["is_paused"] = "on"
    saved = project.pk is not None
    data["programs"] = [str(pk) for pk in project.programs.values_list("pk", flat=True)] if saved else []
    data["responsible_units"] = (
        [str(pk) for pk in project.responsible_links.values_list("unit_id", flat=True)] if saved else []
    )
    links = list(project.leader_links.all()) if saved else []
    data["contracted_leaders"] = [str(link.leader_id) for link in links if link.role == "contracted"]
    data["linked_leaders"] = [str(link.leader_id) for link in links if link.role != "contracted"]
    data["version"] = str(project.version) if saved else ""
    data["reason"] = ""
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value if isinstance(value, list) else _value(value)
    return data


def plan_form_data(plan: AnnualPlan | None = None, **overrides) -> dict:
    data = {
        "year": str(current_year()),
        "planned_investment": "1000.00",
        "completed_before": "0.00",
        "construction_goal": "完成年度建设任务",
        "progress_goal": "",
        "planned_start": "",
        "planned_completion": "",
        "version": "",
        "reason": "",
    }
    if plan is not None:
        for name in ("year", "planned_investment", "completed_before", "construction_goal", "progress_goal",
                     "planned_start", "planned_completion", "version"):
            data[name] = _value(getattr(plan, name))
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = _value(value)
    return data
