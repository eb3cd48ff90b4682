"""Browser tests: Debian's Chromium driven by Playwright (sync API) against pytest-django's live_server.

Never downloads a browser: Chromium must be the system one (apt-get install chromium fonts-noto-cjk).
Without it every test in this directory is skipped with a loud reason (and a loud report header).
"""

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop on the main thread; Django's ORM refuses to run under
# a running loop unless told this is fine. The test thread only does plain synchronous ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("TUIJIN_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = E2E_DIR.parent.parent / "test-artifacts"
PASSWORD = "Tuijin-e2e-2026!"


def _skip_reason() -> str | None:
    if not os.path.exists(CHROMIUM) or not os.access(CHROMIUM, os.X_OK):
        return (
            f"!!! BROWSER (e2e) TESTS SKIPPED: {CHROMIUM} not found. "
            "Install Debian's Chromium: apt-get install chromium fonts-noto-cjk (never `playwright install`) !!!"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "!!! BROWSER (e2e) TESTS SKIPPED: the `playwright` Python package is not installed (pip install -e '.[dev]') !!!"
    return None


SKIP_REASON = _skip_reason()


def pytest_report_header(config):
    if SKIP_REASON:
        return ["#" * 100, SKIP_REASON, "#" * 100]
    return [f"e2e: Chromium at {CHROMIUM}"]


def pytest_collection_modifyitems(config, items):
    if not SKIP_REASON:
        return
    marker = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(marker)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if SKIP_REASON:
        terminalreporter.write_sep("!", SKIP_REASON, red=True, bold=True)


# --------------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """Factory for extra isolated browser sessions (own cookies) within one test."""
    contexts = []

    def make():
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1440, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="session", autouse=True)
def _static_root():
    """WhiteNoise warns "No directory at STATIC_ROOT" until collectstatic ran; tests serve via finders."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def artifacts_dir():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def screenshot(artifacts_dir):
    def take(page, name: str, full_page: bool = True):
        path = artifacts_dir / name
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def login(live_server):
    """Log in through the real login form (labels 用户名/密码, button 登录) and land on the ledger (asked for
    as the page after logging in); `start="/"` lands on the user's first screen (首页) instead."""

    def do_login(page, username: str, password: str = PASSWORD, start: str = "/login/?next=/projects/"):
        page.goto(f"{live_server.url}{start}")
        page.get_by_label("用户名", exact=True).fill(username)
        page.get_by_label("密码", exact=True).fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_url(f"{live_server.url}/" if start == "/" else f"{live_server.url}/projects/**")
        return page

    return do_login


# ------------------------------------------------------------------------------------------------ data


@dataclass
class E2EData:
    year: int
    regions: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    projects: dict = field(default_factory=dict)  # name -> Project

    def in_region(self, region_name: str):
        return [p for p in self.projects.values() if p.region.name == region_name]

    @staticmethod
    def total(projects) -> Decimal:
        return sum((p.total_investment for p in projects), Decimal("0.00"))

    @staticmethod
    def money(value: Decimal) -> str:
        return f"{value:,.2f}"


# (name, district, (category parent, child), level, stage, total investment, plan this year)
PROJECTS = [
    ("兰山区北城新区道路改造工程", "兰山区", ("市政", "道路桥梁"), "市重点", "续建", "12345.67", "3000.00"),
    ("兰山区智慧物流园区", "兰山区", ("商贸物流", "物流园区"), "省重点", "新开工", "56000.00", "10000.00"),
    ("兰山区第一实验学校扩建", "兰山区", ("教育", "基础教育"), "县（区）重点", "续建", "8800.50", "2000.00"),
    ("兰山区人民医院新院区", "兰山区", ("医养", "医疗卫生"), "市重点", "在建", "150000.00", "30000.00"),
    ("罗庄区新能源储能电站", "罗庄区", ("能源", "储能"), "省重点", "新开工", "88888.88", "20000.00"),
    ("罗庄区城市更新片区改造", "罗庄区", ("市政", "城市更新"), "市重点", "续建", "23456.78", "5000.00"),
    ("罗庄区冷链物流中心", "罗庄区", ("商贸物流", "冷链物流"), "县（区）重点", "前期", "9999.99", "1500.00"),
    ("罗庄区河道综合治理", "罗庄区", ("水利", "河道治理"), "市重点", "在建", "31000.00", "8000.00"),
]


_HASHES: dict = {}


def _password_hash() -> str:
    """set_password() once per hasher configuration: PBKDF2 costs ~0.6 s a hash.

    Keyed by PASSWORD_HASHERS because a parent conftest may switch hashers per test, and a hash
    made by a hasher that is not configured any more never verifies.
    """
    from django.conf import settings
    from django.contrib.auth import get_user_model

    key = tuple(settings.PASSWORD_HASHERS)
    if key not in _HASHES:
        user = get_user_model()()
        user.set_password(PASSWORD)
        _HASHES[key] = user.password
    return _HASHES[key]


def _reseed() -> None:
    """The milestone templates, approval types, warning rules, problem types and meeting cadences the
    migrations seed (a transactional test's flush removed them), through the migrations' own seed functions."""
    import importlib

    from django.apps import apps

    for module in ("tuijin.schedules.migrations.0002_seed", "tuijin.alerts.migrations.0002_seed_rules",
                   "tuijin.problems.migrations.0002_seed"):
        importlib.import_module(module).seed(apps, None)
    importlib.import_module("tuijin.schedules.migrations.0004_node_marks").mark(apps, None)  # 开工/竣工 nodes


@pytest.fixture
def e2e_data(transactional_db):
    """Regions, units, users and eight projects with this year's plans, written through the services.

    The dictionaries are seeded by migrations, but a transactional test's flush removes them, so
    they are fetched with get_or_create here.
    """
    from django.contrib.auth import get_user_model

    from tuijin.org.models import Leader, Membership, Region, Unit
    from tuijin.projects import selectors, services
    from tuijin.projects.models import AnnualPlan, Category, Level, Nature, Program, Project, Stage

    year = selectors.current_year()
    data = E2EData(year=year)
    _reseed()

    province = Region.objects.create(code="370000", name="山东省", level="province")
    city = Region.objects.create(code="371300", name="临沂市", level="city", parent=province)
    lanshan = Region.objects.create(code="371302", name="兰山区", level="district", parent=city, sort=1)
    luozhuang = Region.objects.create(code="371311", name="罗庄区", level="district", parent=city, sort=2)
    data.regions = {r.name: r for r in (province, city, lanshan, luozhuang)}

    units = [
        Unit.objects.create(name="临沂市发展和改革委员会", short_name="市发改委", kind="department", region=city),
        Unit.objects.create(name="兰山区人民政府", kind="government", region=lanshan),
        Unit.objects.create(name="罗庄区人民政府", kind="government", region=luozhuang),
        Unit.objects.create(name="临沂城市建设投资集团有限公司", short_name="临沂城投", kind="owner", region=city),
    ]
    data.units = {u.name: u for u in units}
    city_unit, lanshan_gov, luozhuang_gov, owner = units

    User = get_user_model()
    for username, full_name, unit, role in [
        ("dispatcher", "张调度", city_unit, "dispatcher"),
        ("dispatcher2", "李调度", city_unit, "dispatcher"),
        ("reporter", "王填报", lanshan_gov, "reporter"),
        ("reporter2", "赵填报", luozhuang_gov, "reporter"),
    ]:
        user = User.objects.create(username=username, first_name=full_name, password=_password_hash())
        Membership.objects.create(user=user, unit=unit, role=role, scope="region")
        data.users[username] = user

    def category(parent_name, child_name):
        parent, _ = Category.objects.get_or_create(name=parent_name, parent=None)
        child, _ = Category.objects.get_or_create(name=child_name, parent=parent)
        return child

    nature, _ = Nature.objects.get_or_create(name="新建")
    program, _ = Program.objects.get_or_create(name="重大项目攻坚年")
    Program.objects.get_or_create(name="城市更新")
    deputy_mayor = Leader.objects.create(name="刘建国", title="副市长", unit=city_unit, sort=1)
    district_head = Leader.objects.create(name="陈志远", title="兰山区区长", unit=lanshan_gov, sort=2)
    dispatcher = data.users["dispatcher"]
    for name, district, (cat_parent, cat_child), level, stage, total, plan in PROJECTS:
        region = data.regions[district]
        project = services.project_create(
            dispatcher,
            Project(
                name=name,
                year_listed=year,
                level=Level.objects.get_or_create(name=level)[0],
                category=category(cat_parent, cat_child),
                nature=nature,
                stage=Stage.objects.get_or_create(name=stage, defaults={"canonical": "construction"})[0],
                region=region,
                total_investment=Decimal(total),
                start_year=year - 1,
                end_year=year + 2,
                owner=owner,
                lead_unit=lanshan_gov if region == lanshan else luozhuang_gov,
                address=f"临沂市{district}",
            ),
            responsible_units=[city_unit],
            programs=[program] if level == "省重点" else [],
            leaders=[(deputy_mayor, "contracted")] + ([(district_head, "linked")] if region == lanshan else []),
        )
        services.annual_plan_save(
            dispatcher,
            AnnualPlan(
                project=project,
                year=year,
                planned_investment=Decimal(plan),
                completed_before=Decimal("0.00"),
                construction_goal="完成年度建设任务",
            ),
        )
        data.projects[name] = Project.objects.select_related("region").get(pk=project.pk)
    return data
