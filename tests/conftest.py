"""The test city: 山东省 → 临沂市 → 兰山区 / 罗庄区, its units, a leader, one user per role, two projects.

Principals (the permission matrix uses these names):
  admin          superuser
  dispatcher     市发展和改革委员会, dispatcher, scope region (whole city)
  leader         市人民政府, leader (read-only, whole city)
  reporter_a     兰山区人民政府, reporter, scope region
  reporter_b     罗庄区人民政府, reporter, scope region
  handler        市自然资源和规划局, handler (read-only, whole city)
  inspector      市委市政府督查室, inspector (read-only, whole city)
  dept_reporter  市交通运输局, reporter, scope unit (only projects the bureau leads or is responsible for)
  outsider       a logged-in user with no membership
  security       市发展和改革委员会, 安全管理员 (roles, grants, unlocks; no business data)
  auditor        市发展和改革委员会, 审计管理员 (the audit trail only; no business data)
  anonymous      not logged in

Use `client.force_login(user)`; django-axes needs a request to authenticate, so only the login
tests post to /login/.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db.models import Model

from tuijin.core.models import Notification
from tuijin.projects.models import (
    AnnualPlan,
    Project,
    ProjectLeader,
    ProjectResponsibleUnit,
)
from tuijin.reports.models import ProgressReport, Reminder, ReportEvent, ReportPeriod, ReportPhoto

from . import factories as f

PRINCIPALS = (
    "anonymous", "admin", "dispatcher", "leader", "reporter_a", "reporter_b", "handler", "inspector",
    "dept_reporter", "outsider", "security", "auditor",
)


def pytest_configure(config):
    from django.conf import settings

    # WhiteNoise warns on every request when STATIC_ROOT does not exist (no collectstatic in tests).
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # Each test's client loads the middleware afresh, and WhiteNoise (WHITENOISE_USE_FINDERS) would list
    # every static file through the finders each time: a third of a page test's time. In tests it looks a
    # static file up when one is asked for instead (the browser tests ask; the file served is the same).
    settings.WHITENOISE_AUTOREFRESH = True
    # The sign-in duties (tuijin.accounts) are on in production; the suite's users sign in without them:
    # no forced change of the factories' password at the first login, no authenticator required of the
    # office. tests/accounts turns them on (the `settings` fixture) where a test asks for them.
    # Background jobs run inside the request that starts them (django-tasks' immediate backend), so a test
    # of a page that starts one sees the job finished; tests/jobs runs the database backend and its worker.
    settings.TUIJIN_TASKS_BACKEND = "immediate"
    settings.TASKS = {"default": {"BACKEND": settings.TUIJIN_TASKS_BACKENDS["immediate"]}}
    settings.TUIJIN_PASSWORD_CHANGE_FIRST_LOGIN = False
    settings.TUIJIN_SECOND_FACTOR_ROLES = []


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """On SQLite, test in a file rather than Django's shared in-memory database; on PostgreSQL, commit
    without waiting for the disk.

    Threads on the in-memory database fail at once with "database table is locked", so the
    concurrency tests need a file to see the WAL + IMMEDIATE behaviour production has
    (concurrent writers on SQLite). TUIJIN_TEST_SQLITE_NAME chooses the file; by default it is per process.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    if db["ENGINE"] == "tuijin.core.sqlite" and not os.environ.get("TUIJIN_TEST_SQLITE_NAME"):
        # Per process, so also per pytest-xdist worker (whose suffix would make "test_/path…_gw0" of an
        # unset name).
        # In a folder of its own: the benches' throw-away databases go beside it (tests/test_bench.py's
        # _leftovers counts this process's only, with other workers' benches running at the same time).
        folder = Path(settings.DATA_DIR) / f"test-{os.getpid()}"
        folder.mkdir(parents=True, exist_ok=True)
        test["NAME"] = str(folder / "test.sqlite3")
    if db["ENGINE"] == "django.db.backends.postgresql":
        # The test run's own connections only: a commit returns without waiting for its WAL to reach the
        # disk (a crash could lose the last commits of a database the run drops anyway). What a commit
        # makes visible, and every lock and constraint, is unchanged.
        options = db.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()

    # pytest-xdist's workers migrate once between them (tests/throwaway.py, SharedMigration).
    from django.db import connection

    from . import throwaway

    shared = throwaway.SharedMigration.for_this_worker(connection.vendor)
    if shared is None:
        yield
        return
    creation = type(connection.creation)
    original = creation.create_test_db
    creation.create_test_db = shared.create_test_db(original)
    try:
        yield
    finally:
        creation.create_test_db = original
        with django_db_blocker.unblock():
            shared.finished(connection)


@pytest.fixture(scope="session")
def _throwaway_template(django_db_setup, django_db_blocker):
    from django.db import connection

    from . import throwaway

    shared = throwaway.SharedMigration.for_this_worker(connection.vendor)
    template = (shared and shared.template()) or throwaway.Template()
    yield template
    with django_db_blocker.unblock():
        throwaway.drop(template, connection)


@pytest.fixture
def throwaway_databases(_throwaway_template, monkeypatch):
    """temporary_database (benches, the deadline load test) migrates once per session: tests/throwaway.py."""
    from django.db import connection

    from . import throwaway

    creation = type(connection.creation)
    monkeypatch.setattr(creation, "create_test_db",
                        throwaway.create_from_template(_throwaway_template, creation.create_test_db))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos land in the test's own directory, never in the data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_filter_options():
    """Each test's rolled-back data must not show up in the next test's cached filter options."""
    from tuijin.projects.filtersets import options_changed

    options_changed()
    yield
    options_changed()


@pytest.fixture
def city(db):
    """Regions, units, a 联系领导 and every principal (factories.build_city)."""
    return f.build_city()


@pytest.fixture
def regions(city):
    return city.regions


@pytest.fixture
def units(city):
    return city.units


@pytest.fixture
def contact_leader(city):
    """A 联系领导 (the Leader record projects link to), not a user."""
    return city.contact_leader


@pytest.fixture
def users(city) -> dict:
    """Every principal by name; "anonymous" is None."""
    return city.users


@pytest.fixture
def own_project(city):
    """A 兰山区 project led by 兰山区人民政府, total 12,345.67, this year's plan 2,000.00 万元."""
    return f.build_own_project(city)


@pytest.fixture
def other_project(city):
    """A 罗庄区 project led by 罗庄区人民政府, total 31,000.00, this year's plan 5,000.00 万元."""
    return f.build_other_project(city)


def _rows(model: type[Model]) -> list[tuple]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "updated_at"]
    return sorted(model.objects.order_by().values_list(*fields))


@dataclass(frozen=True)
class DbState:
    projects: list
    plans: list
    project_history: int
    plan_history: int
    leader_links: list
    unit_links: list
    program_links: list
    link_history: int
    periods: list
    reports: list
    report_events: int
    report_history: int
    reminders: int
    notifications: int
    photos: list


@pytest.fixture
def db_state(db):
    """db_state() → everything a ledger write could touch; equal snapshots mean nothing was written."""

    def snapshot() -> DbState:
        return DbState(
            projects=_rows(Project),
            plans=_rows(AnnualPlan),
            project_history=Project.history.count(),
            plan_history=AnnualPlan.history.count(),
            leader_links=_rows(ProjectLeader),
            unit_links=_rows(ProjectResponsibleUnit),
            program_links=sorted(Project.programs.through.objects.values_list("project_id", "program_id")),
            link_history=ProjectLeader.history.count() + ProjectResponsibleUnit.history.count(),
            periods=_rows(ReportPeriod),
            reports=_rows(ProgressReport),
            report_events=ReportEvent.objects.count(),
            report_history=ProgressReport.history.count(),
            reminders=Reminder.objects.count(),
            notifications=Notification.objects.count(),
            photos=_rows(ReportPhoto),
        )

    return snapshot


@pytest.fixture
def on_day(request, time_machine):
    """The clock moved to a chosen day in Shanghai (tests/clock.py), returned as a date.

    Parametrize it indirectly with (year, month, day[, hour, minute]) and name it first among the test's
    fixtures, so that the city and its rows are written on that day too; unparametrized it is 2026-07-10.
    """
    from datetime import date

    from .clock import at

    when = getattr(request, "param", (2026, 7, 10))
    time_machine.move_to(at(*when))
    return date(*when[:3])
