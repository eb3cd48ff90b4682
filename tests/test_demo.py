"""`tuijin demo`: the demo city is complete, valid, scoped, deterministic and never overwrites real data."""

import importlib
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from tuijin.demo.builder import demo_digest
from tuijin.demo.models import DemoRun
from tuijin.org.choices import RegionLevel, Role, Scope, UnitKind
from tuijin.org.models import Leader, Membership, Region, Unit
from tuijin.projects.choices import PROJECT_CODE_PATTERN
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
from tuijin.projects.services import annual_plan_validate, project_validate

from .geo import boundaries, inside

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)
EXPECTED_ROLES = {
    "admin": (Role.ADMIN, "临沂市发展和改革委员会"),
    "dispatcher": (Role.DISPATCHER, "临沂市发展和改革委员会"),
    "leader": (Role.LEADER, "临沂市人民政府"),
    "reporter": (Role.REPORTER, "兰山区人民政府"),
    "reporter2": (Role.REPORTER, "罗庄区人民政府"),
    "handler": (Role.HANDLER, "临沂市自然资源和规划局"),
    "inspector": (Role.INSPECTOR, "临沂市委市政府督查室"),
}


@pytest.fixture(autouse=True)
def _dictionaries(db):
    """The seeded dictionaries, even after another test's flush removed the migration's rows."""
    seed_dictionaries()


def seed_dictionaries() -> None:
    importlib.import_module("tuijin.projects.migrations.0002_seed_dictionaries").seed(django_apps, None)


@pytest.fixture(scope="class")
def demo_output(django_db_setup, django_db_blocker):
    """The demo city at TODAY, built once for the tests of TestTheCityAtToday (a build takes ≈ 50 s).

    Built inside an outer transaction rolled back after the class (as the permission matrix's world);
    each test runs in its own savepoint (pytest-django's `db`), so what one test changes never reaches
    the next, and the tests after the class find an empty database again. Yields the command's output.
    """
    # conftest's fast hasher is a function fixture, set up after this one: the accounts are hashed with it
    # here too, or `authenticate` under it could not check their passwords.
    hashers = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with hashers, django_db_blocker.unblock(), transaction.atomic():
        seed_dictionaries()
        yield run_demo()
        transaction.set_rollback(True)


def run_demo(*args, today: str = TODAY.isoformat()) -> str:
    out = StringIO()
    call_command("demo", *args, "--today", today, stdout=out)
    return out.getvalue()


def counts() -> dict:
    models = [Region, Unit, Leader, Membership, get_user_model(), Project, AnnualPlan, ProjectLeader,
              ProjectResponsibleUnit, Project.programs.through, DemoRun]
    result = {model._meta.label: model.objects.count() for model in models}
    for model in (Unit, Project, AnnualPlan, ProjectLeader, ProjectResponsibleUnit):
        result[f"{model._meta.label} history"] = model.history.count()
    return result


class TestTheCityAtToday:
    """The tests that read the demo city built on TODAY share one build (`demo_output`)."""

    def test_demo_builds_a_complete_valid_city(self, demo_output):
        output = demo_output

        city = Region.objects.get(code="371300")
        assert city.name == "临沂市" and city.parent.code == "370000"
        below = Region.objects.filter(parent=city)
        assert below.count() == 15
        assert below.filter(level=RegionLevel.ZONE).count() == 3
        assert Unit.objects.filter(kind=UnitKind.DEPARTMENT, region=city).count() >= 28
        assert Unit.objects.filter(kind=UnitKind.GOVERNMENT, region__in=below).count() == 15
        assert 150 <= Unit.objects.filter(kind=UnitKind.OWNER).count() <= 250
        assert Leader.objects.count() == 15
        assert not Leader.objects.filter(name__in=["王玉君", "孟庆斌"]).exists()  # the seeds' real officials

        projects = list(Project.objects.select_related("stage", "region", "owner", "category"))
        assert 550 <= len(projects) <= 650
        assert {p.year_listed for p in projects} == {2024, 2025, 2026}
        tops = set(Category.objects.filter(parent__isnull=True).values_list("pk", flat=True))
        assert {p.category.parent_id for p in projects} == tops
        assert all(p.category.parent_id for p in projects)
        for name in ("兰山区", "罗庄区"):
            assert sum(p.region.name == name for p in projects) >= 40
        assert Level.objects.get(name="省重点").project_set.count() < Level.objects.get(name="市重点").project_set.count()
        assert Nature.objects.filter(project__isnull=False).distinct().count() >= 4

        codes = [p.code for p in projects if p.code]
        assert 0.6 <= len(codes) / len(projects) <= 0.85
        assert len(codes) == len(set(codes))
        assert all(re.match(PROJECT_CODE_PATTERN, c) for c in codes)
        for p in projects:
            assert 1000 <= p.total_investment <= 2000000
            assert p.latitude is None or (34.4 <= p.latitude <= 36.2 and 117.4 <= p.longitude <= 119.1)
            assert p.owner_id and p.lead_unit_id and p.version == 1
            assert p.search_text == p.build_search_text()
            assert p.actual_start is None or p.actual_start <= TODAY
            assert p.actual_completion is None or p.actual_completion <= TODAY
            if p.stage.canonical in ("reserve", "preliminary"):
                assert p.actual_start is None
            if p.stage.canonical in ("completed", "operating", "effective"):
                assert p.actual_completion is not None
            if p.stage.name == "暂停":
                assert p.is_paused
            project_validate(p)
        stages = {p.stage.name for p in projects}
        assert {"谋划", "储备", "前期", "新开工", "续建", "竣工", "投产", "暂停"} <= stages
        assert sum(p.is_paused for p in projects) < len(projects) * 0.05
        assert all(1 <= n <= 3 for n in _per_project(ProjectResponsibleUnit))
        assert all(1 <= n <= 2 for n in _per_project(ProjectLeader))

        plans = list(AnnualPlan.objects.select_related("project").order_by("project_id", "year"))
        assert {plan.year for plan in plans} == {2024, 2025, 2026}
        previous = {}
        for plan in plans:
            assert plan.year >= plan.project.year_listed
            assert plan.completed_before + plan.planned_investment <= plan.project.total_investment
            assert plan.construction_goal and plan.progress_goal
            if plan.project_id in previous:
                assert plan.completed_before >= previous[plan.project_id]
            previous[plan.project_id] = plan.completed_before
            annual_plan_validate(plan)
        assert any(plan.completed_before > 0 for plan in plans)

        # Every ledger row carries its "created" history record.
        for model in (Project, AnnualPlan, ProjectLeader, ProjectResponsibleUnit, Unit):
            assert model.history.filter(history_type="+").count() == model.objects.count()
        historical_programs = django_apps.get_model("projects", "HistoricalProject_programs")
        assert historical_programs.objects.count() == Project.programs.through.objects.count() > 0

        request = RequestFactory().post("/login/")
        for username, (role, unit_name) in EXPECTED_ROLES.items():
            user = authenticate(request, username=username, password="tuijin-demo")
            assert user is not None, username
            assert user.first_name and not user.last_name
            membership = Membership.objects.get(user=user)
            assert (membership.role, membership.unit.name) == (role, unit_name)
            assert username in output
        # Besides the named accounts: a clerk for every other district and leading department, an officer
        # for every department that handles problems (all with the same password).
        others = get_user_model().objects.exclude(username__in=list(EXPECTED_ROLES))
        assert 15 <= others.count() <= 50
        # Staff by their role: the system and security administrators, who enter /admin/ (the flag mirrors
        # the role; tuijin.org.adminsite asks the role).
        staff = set(get_user_model().objects.filter(is_staff=True).values_list("username", flat=True))
        assert staff == {"admin", "security"}
        assert all(user.memberships.count() == 1 for user in others)
        # 三权分立: the demo's admin is a staff system administrator, never a superuser (installation only).
        admin = get_user_model().objects.get(username="admin")
        assert admin.is_staff and not admin.is_superuser
        assert not get_user_model().objects.filter(is_superuser=True).exists()
        assert Leader.objects.get(user__username="leader").title == "市委常委、常务副市长"
        assert DemoRun.objects.count() == 1
        assert "演示账号" in output



    def test_most_projects_have_a_location_inside_their_district(self, demo_output):
        """落地地图: every project placed in its district but the city's cross-district works and ideas still
        being planned (谋划); a zone's projects inside the city. Checked against the bundled boundaries."""
        projects = list(Project.objects.select_related("region", "stage"))
        placed = [p for p in projects if p.longitude is not None]
        assert len(placed) >= 0.9 * len(projects)
        assert all((p.latitude is None) == (p.longitude is None) for p in projects)
        assert all(p.longitude is None for p in projects if p.region.level == RegionLevel.CITY)
        assert all(p.longitude is None for p in projects if p.stage.name == "谋划")
        districts = boundaries("371300")
        if districts is None:
            pytest.skip("tuijin/static/vendor/geo/371300.json not built (npm run vendor)")
        every = [polygon for _name, polygons in districts.values() for polygon in polygons]
        for p in placed:
            point = (float(p.longitude), float(p.latitude))
            if p.region.level == RegionLevel.ZONE:
                assert inside(point, every), p.name
            else:
                name, polygons = districts[p.region.code]
                assert name == p.region.name and inside(point, polygons), (p.name, p.region.name, point)

    def test_the_demo_has_last_months_bulletin_published_and_this_months_in_draft(self, demo_output):
        from tuijin.bulletins import selectors as bulletin_selectors
        from tuijin.bulletins.models import Bulletin
        from tuijin.demo.scoring import closed_months
        from tuijin.figures import selectors as figures

        published = Bulletin.objects.get(state="published")
        draft = Bulletin.objects.get(state="draft")
        year = published.issued_on.year
        months = closed_months(draft.issued_on.year if draft.issued_on else int(draft.period[:4]))
        assert (published.period, draft.period) == (f"{int(draft.period[:4])}-{months[-2]:02d}",
                                                    f"{int(draft.period[:4])}-{months[-1]:02d}")
        assert published.number_label == f"{year}年第1期" and "通报：" in demo_output
        document, headline = bulletin_selectors.document_of(published)
        total = figures.figures(None, period=published.period, filters={"region": published.region_id}).total.as_json()
        assert headline["completed"] == total["completed"] and headline["projects"] == total["projects"] > 100
        keys = [s.key for s in document.sections]
        assert keys == ["overview", "categories", "rankings", "warnings", "problems", "next_steps"]
        rankings = next(s for s in document.sections if s.key == "rankings")
        assert any(getattr(b, "text", "").startswith("根据《县区重点项目月度考核》") for b in rankings.blocks)

    def test_each_reporter_sees_only_their_district(self, demo_output):
        users = {u.username: u for u in get_user_model().objects.all()}
        for username, district in (("reporter", "兰山区"), ("reporter2", "罗庄区")):
            expected = set(Project.objects.filter(region__name=district).values_list("pk", flat=True))
            assert len(expected) >= 40
            assert set(Project.objects.visible_to(users[username]).values_list("pk", flat=True)) == expected
            assert set(Project.objects.editable_by(users[username]).values_list("pk", flat=True)) == expected
            membership = Membership.objects.get(user=users[username])
            assert membership.scope == Scope.REGION
        everything = Project.objects.count()
        for username in ("dispatcher", "leader", "inspector", "admin"):
            assert Project.objects.visible_to(users[username]).count() == everything


    def test_second_run_says_it_exists_and_creates_nothing(self, demo_output):
        before = counts()
        assert "演示数据已存在，无需重复加载" in run_demo()
        assert "演示数据已存在" in run_demo("--if-empty")
        assert counts() == before

    def test_demo_is_deterministic(self, demo_output, tmp_path):
        first = demo_digest()
        assert Project.objects.exists()
        changed = Project.objects.order_by("id").first()
        with transaction.atomic():
            Project.objects.filter(pk=changed.pk).update(total_investment=changed.total_investment + 1)
            assert demo_digest() != first  # the digest does see the amounts
            transaction.set_rollback(True)
        assert demo_digest() == first

        # Another process, another hash seed, a fresh SQLite file: the same city (this also stands for a
        # second build in this process, which the suite no longer pays for).
        script = (
            "import django; django.setup()\n"
            "from io import StringIO\n"
            "from django.core.management import call_command\n"
            "call_command('migrate', verbosity=0)\n"
            f"call_command('demo', '--today', '{TODAY}', stdout=StringIO())\n"
            "from tuijin.demo.builder import demo_digest\n"
            "print(demo_digest())\n"
        )
        env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "tuijin.settings", "PYTHONHASHSEED": "4242",
            "TUIJIN_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        }
        result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=900)  # a hang guard, not a speed limit
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == first


def _per_project(model) -> list[int]:
    per = {}
    for project_id in model.objects.values_list("project_id", flat=True):
        per[project_id] = per.get(project_id, 0) + 1
    assert len(per) == Project.objects.count()
    return list(per.values())


def _other_user():
    get_user_model().objects.create_user("someone", password="x-123456789")


def _other_region():
    Region.objects.create(code="440300", name="深圳市", level=RegionLevel.CITY)


def _other_unit():
    Unit.objects.create(name="某单位", region=Region.objects.create(code="440300", name="深圳市", level=RegionLevel.CITY))


def _other_project():
    region = Region.objects.create(code="440300", name="深圳市", level=RegionLevel.CITY)
    Project.objects.create(
        name="某项目", year_listed=2026, level=Level.objects.first(), nature=Nature.objects.first(),
        category=Category.objects.filter(parent__isnull=False).first(), stage=Stage.objects.first(),
        region=region, total_investment=1000,
    )


@pytest.mark.parametrize("make_other", [_other_user, _other_region, _other_unit, _other_project])
def test_refuses_a_database_with_other_data_and_writes_nothing(make_other):
    make_other()
    before = counts()
    with pytest.raises(CommandError, match="数据库中已有非演示数据，拒绝加载演示城市（请使用空数据库）"):
        run_demo()
    assert counts() == before
    assert "跳过" in run_demo("--if-empty")
    assert counts() == before


# ---------------------------------------------------------------------------------- a demo that stays alive


def test_dispatch_calendar_is_never_past_due_on_any_day():
    from tuijin.demo.clock import dispatch_calendar

    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        cal = dispatch_calendar(day)
        assert (cal.open_year, cal.open_month) == (day.year, day.month)
        assert cal.due_on > day, day  # due in the future, on every day of the year
        assert cal.extended == (day.day >= 25)
        last = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
        assert cal.closed[-1] == last, day  # last month's period is closed
        assert len(cal.closed) == (12 if day.month == 1 else day.month - 1)
        day += timedelta(days=1)
    assert dispatch_calendar(date(2026, 12, 28)).due_on == date(2027, 1, 5)
    assert dispatch_calendar(date(2026, 12, 24)).due_on == date(2026, 12, 25)


def test_progress_text_never_reads_as_less_done():
    from tuijin.demo.dispatch import PRELIMINARY_STEPS, progress_percent, progress_text

    shares = [Decimal(n) / 1000 for n in range(0, 1000, 7)]
    texts = [progress_text(False, 0, share) for share in shares]
    assert [progress_percent(t) for t in texts] == sorted(progress_percent(t) for t in texts)
    assert progress_percent(progress_text(True, 3, Decimal("0.5"))) is None
    assert progress_text(True, 99, Decimal(0)) == PRELIMINARY_STEPS[-1]


def month_end_of(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def test_bad_today_is_refused_in_chinese_and_nothing_is_written():
    before = counts()
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD：2026-13-01"):
        run_demo(today="2026-13-01")
    assert counts() == before


@pytest.mark.parametrize("today", [date(2027, 3, 10), date(2026, 12, 28)])
def test_demo_is_alive_on_the_day_it_is_built(today):
    from tuijin.alerts.models import Alert
    from tuijin.core.models import Notification
    from tuijin.demo.dispatch import PRELIMINARY_STEPS, progress_percent
    from tuijin.problems.choices import OPEN_PROBLEM_STATES, ProblemAction
    from tuijin.problems.models import Problem
    from tuijin.projects.choices import Light
    from tuijin.reports.choices import PeriodStatus, ReportState
    from tuijin.reports.models import ProgressReport, ReportPeriod
    from tuijin.schedules.models import Milestone

    output = run_demo(today=today.isoformat())
    assert "[1/10]" in output and "[10/10]" in output  # progress while it loads
    assert "绿灯" in output and "红灯" in output

    # This month's period open and due in the future; last month's closed, on an earlier day.
    open_period = ReportPeriod.objects.get(status=PeriodStatus.OPEN)
    assert (open_period.year, open_period.month) == (today.year, today.month)
    assert open_period.due_on > today
    last_year, last_month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    last = ReportPeriod.objects.get(year=last_year, month=last_month)
    assert last.status == PeriodStatus.CLOSED and timezone.localdate(last.closed_at) <= today

    # Reports in every state in the open period, each handed in and reviewed on or before today.
    states = set(ProgressReport.objects.filter(period=open_period).values_list("state", flat=True))
    assert states == {ReportState.PENDING, ReportState.DRAFT, ReportState.SUBMITTED, ReportState.RETURNED,
                      ReportState.APPROVED}
    assert not ProgressReport.objects.filter(state=ReportState.RETURNED, review_comment="").exists()
    for submitted, reviewed in ProgressReport.objects.exclude(submitted_at=None).values_list("submitted_at", "reviewed_at"):
        assert timezone.localdate(submitted) <= today
        assert reviewed is None or submitted < reviewed and timezone.localdate(reviewed) <= today
    # The clerk who hands a report in belongs to the unit that leads the project, never the office.
    handed = ProgressReport.objects.exclude(submitted_by=None).values_list("submitted_by_id", "unit_id").distinct()
    members = set(Membership.objects.values_list("user_id", "unit_id"))
    assert all(pair in members for pair in handed)

    # Problems: each step by the right person, in order, on or before today.
    problems = list(Problem.objects.prefetch_related("events__actor").select_related("handling_unit"))
    assert len(problems) >= 30
    office_ids = set(get_user_model().objects.filter(username="dispatcher").values_list("pk", flat=True))
    leader_ids = set(Membership.objects.filter(role=Role.LEADER).values_list("user_id", flat=True))
    accepted = 0
    for problem in problems:
        events = sorted(problem.events.all(), key=lambda e: (e.at, e.pk))
        assert all(timezone.localdate(e.at) <= today for e in events)
        actions = [e.action for e in events]
        order = [ProblemAction.RAISE, ProblemAction.ASSIGN, ProblemAction.ACCEPT, ProblemAction.RESOLVE,
                 ProblemAction.CLOSE]
        positions = [actions.index(a) for a in order if a in actions]
        assert positions == sorted(positions), actions
        for event in events:
            if event.action == ProblemAction.ACCEPT:
                accepted += 1
                assert (event.actor_id, problem.handling_unit_id) in members, problem  # 受理: the handling unit
            if event.action in (ProblemAction.ASSIGN, ProblemAction.CLOSE, ProblemAction.ESCALATE):
                assert event.actor_id in office_ids  # 交办, 销号, 提级: the office
            if event.action == ProblemAction.INSTRUCT:
                assert event.actor_id in leader_ids  # 批示: a leader
        if ProblemAction.ASSIGN in actions:
            assigned = events[actions.index(ProblemAction.ASSIGN)].at
            assert 10 <= (problem.deadline - timezone.localdate(assigned)).days <= 60
    assert accepted >= len(problems) // 3
    overdue = [(today - p.deadline).days for p in problems
               if p.status in OPEN_PROBLEM_STATES and p.deadline and p.deadline < today]
    assert len(overdue) < len(problems) / 4  # a minority
    assert all(days <= 45 for days in overdue), overdue  # by days or weeks, not months

    # Messages of many kinds and texts, all sent before now.
    texts = list(Notification.objects.values_list("text", "created_at"))
    assert len({text for text, _ in texts}) > 40
    assert all(timezone.localdate(at) <= today for _, at in texts)
    for kind in ("交办问题", "被退回", "前完成", "问题已销号", "领导批示"):
        assert any(kind in text for text, _ in texts), kind

    # 形象进度 never goes backwards.
    progress: dict[int, list[str]] = {}
    for pid, text in (ProgressReport.objects.exclude(progress="").order_by("project_id", "period_end")
                      .values_list("project_id", "progress")):
        progress.setdefault(pid, []).append(text)
    assert len(progress) > 200
    for texts_of_one in progress.values():
        steps = [PRELIMINARY_STEPS.index(t) for t in texts_of_one if t in PRELIMINARY_STEPS]
        assert steps == sorted(steps)
        percents = [progress_percent(t) for t in texts_of_one if progress_percent(t) is not None]
        assert percents == sorted(percents), texts_of_one

    # Facts agree: a started project's 开工进场 is actual-dated on its actual start; nodes lie between
    # its start and (about) its planned completion.
    milestones = Milestone.objects.select_related("project").order_by("project_id", "sort")
    assert milestones.exists()
    first = {}
    for m in milestones:
        first.setdefault(m.project_id, m)
        start = m.project.actual_start or m.project.planned_start
        assert start <= m.planned_date
        assert m.actual_date is None or m.actual_date <= today
    for m in first.values():
        if m.project.actual_start:
            assert m.actual_date == m.project.actual_start and m.planned_date == m.project.actual_start

    # Facts agree, stage by stage (a 推进办 reviewer's reading of one project's page).
    from tuijin.alerts.choices import Dimension
    from tuijin.schedules.choices import DoneBasis, NodeMark

    year = today.year
    open_start = open_period.starts_on
    for project in Project.objects.select_related("stage"):
        reports = list(ProgressReport.objects.filter(project=project).exclude(amount=None).select_related("period")
                       .order_by("period_end"))
        if project.stage.canonical == "preliminary":
            # 前期: small 前期 spending only, a start ahead or just slipping, and 形象进度 of approvals.
            assert project.actual_start is None and project.actual_completion is None
            assert project.planned_start is None or project.planned_start >= today - timedelta(days=100), project
            assert all(r.since_start <= project.total_investment * Decimal("0.03") for r in reports), project
            assert all(r.progress in PRELIMINARY_STEPS for r in reports), project
        if project.actual_completion is not None:
            plan = AnnualPlan.objects.filter(project=project, year=year).first()
            # Completed before this year: no plan for it. Completed this year, before the open month:
            # its reports carried the year's plan up to completion.
            assert plan is None or project.actual_completion.year == year, project
            if plan is not None and project.actual_completion < open_start:
                approved = [r for r in reports if r.period.year == year and r.state == ReportState.APPROVED]
                assert approved and approved[-1].year_to_date == plan.planned_investment, project
                assert all(r.period_end <= month_end_of(project.actual_completion) for r in approved), project
    # Start overdue is counted in whole months; a slipping 前期 start is a yellow light, not a red one.
    assert not Alert.objects.filter(dimension=Dimension.START_OVERDUE, resolved_at=None, level=Light.RED).exists()

    # Milestones: a 竣工 node is done only for a project with an actual completion; a few projects have
    # intermediate nodes left unrecorded before a later recorded one (已完成（据后续节点已完成推定）).
    nodes = list(Milestone.objects.with_inference().select_related("project"))
    for node in nodes:
        if node.marks == NodeMark.COMPLETION and node.done_basis:
            assert node.project.actual_completion is not None, node.project
    inferred = {node.project_id for node in nodes if node.done_basis == DoneBasis.LATER}
    assert 5 <= len(inferred) <= 10, len(inferred)

    # Lights a reviewer would accept: most green, a minority yellow or red, each for a stated reason.
    lights = list(Project.objects.values_list("pk", "light"))
    green = sum(light == Light.GREEN for _, light in lights)
    red = sum(light == Light.RED for _, light in lights)
    assert green > len(lights) / 2
    assert red < len(lights) * Decimal("0.15")
    for pk, light in lights:
        if light != Light.GREEN:
            assert Alert.objects.filter(project_id=pk, resolved_at=None, level=light).exclude(reason="").exists()
