"""The deadline burst (200 clerks submitting within a minute) against a real gunicorn on loopback.

The test prepares its own database (SQLite: a WAL file in a new directory; PostgreSQL: a database
`tuijin_load_test_<pid>` on the configured server, dropped afterwards) through
tuijin.core.bench.temporary_database, seeds 200 clerks (one unit, one project, one pending report each
in this month's open period) and 20 office readers, and starts `gunicorn tuijin.wsgi --workers 2
--threads 4` on it, as `make run` does. Then 200 simulated clerks (a bounded pool of 32 threads) each
log in through /login/, open the grid and submit their report (~30 form fields) while 20 readers poll
the period overview and the project list.

Asserted: no response >= 500, no "database is locked" in gunicorn's log, and the database holds
exactly 200 submitted reports, each equal to what its clerk sent. Latencies (p50/p95/p99 per
endpoint) are printed and written to test-artifacts/, never asserted: timing asserts are not allowed
in this suite.
"""

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urlparse

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from tuijin.core.bench import percentile, temporary_database
from tuijin.org.choices import Role, Scope, UnitKind
from tuijin.org.models import Membership, Unit
from tuijin.projects.models import Project
from tuijin.reports import services
from tuijin.reports.choices import ReportAction, ReportState
from tuijin.reports.models import ProgressReport, ReportEvent

from .. import factories as f

CLERKS = 200
READERS = 20
CLERK_THREADS = 32
READER_PAUSE = 2.0  # seconds between a reader's polls
READER_MAX_POLLS = 300  # a bound on every reader's loop
EXTRA_FIELDS = 19  # empty inputs that bring the grid POST to 30 fields
PASSWORD = "Tuijin-Load-2026!"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.load


# ------------------------------------------------------------------------------------ HTTP client


@dataclass
class Reply:
    status: int
    location: str
    text: str
    ms: float


@dataclass
class Log:
    """Every request of the run: (endpoint, status, milliseconds), and what went wrong."""

    requests: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def timings(self, endpoint: str) -> list[float]:
        return [ms for name, _status, ms in self.requests if name == endpoint]


class Browser:
    """A cookie-keeping HTTP client over http.client (the project does not install `requests`):
    one connection per request, redirects not followed."""

    def __init__(self, port: int, log: Log):
        self.port, self.log, self.cookies = port, log, {}

    def request(self, endpoint: str, method: str, path: str, fields=None) -> Reply:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=90)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        ms = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or ():
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.log.requests.append((endpoint, response.status, ms))
        return Reply(response.status, response.getheader("Location", ""), data.decode("utf-8", "replace"), ms)

    def get(self, endpoint: str, path: str) -> Reply:
        return self.request(endpoint, "GET", path)

    def post(self, endpoint: str, path: str, fields) -> Reply:
        return self.request(endpoint, "POST", path, fields)

    def login(self, username: str) -> bool:
        form = self.get("login_form", "/login/")
        token = csrf_token(form.text)
        if form.status != 200 or token is None:
            self.log.problems.append(f"{username}: login form {form.status}")
            return False
        reply = self.post("login", "/login/", [
            ("csrfmiddlewaretoken", token), ("username", username), ("password", PASSWORD), ("next", ""),
        ])
        if reply.status != 302 or "sessionid" not in self.cookies:
            self.log.problems.append(f"{username}: login answered {reply.status}")
            return False
        return True


def csrf_token(html: str) -> str | None:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else None


# ------------------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(name: str) -> str:
    """DATABASE_URL of the prepared database, for the server process."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"  # name is absolute: sqlite:////tmp/...
    return urlparse(settings.DATABASE_URL)._replace(path="/" + quote(name)).geturl()


class Gunicorn:
    """`gunicorn tuijin.wsgi --workers 2 --threads 4` on a free loopback port (as `make run`)."""

    def __init__(self, database_url: str, data_dir: Path):
        self.port = _free_port()
        self.stderr_path = data_dir / "gunicorn.stderr"
        (data_dir / "static").mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TUIJIN_DATA_DIR": str(data_dir),
            "TUIJIN_STATIC_ROOT": str(data_dir / "static"),
            "SECRET_KEY": secrets.token_urlsafe(50),  # not generated by two workers at once
            "DJANGO_SETTINGS_MODULE": "tuijin.settings",
            "DEBUG": "0",
            # The clerks sign in with the password the test set, as the suite's own users do (tests/conftest):
            # no forced change at first login, no second factor (tests/accounts tests those).
            "TUIJIN_PASSWORD_CHANGE_FIRST_LOGIN": "0",
            "TUIJIN_SECOND_FACTOR_ROLES": "",
        }
        command = [
            str(Path(sys.executable).with_name("gunicorn")), "tuijin.wsgi", "--workers", "2", "--threads", "4",
            "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
        ]
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self._stderr)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.stderr()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/login/")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{self.stderr()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._stderr.close()

    def stderr(self) -> str:
        if not self._stderr.closed:
            self._stderr.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


# --------------------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Clerk:
    username: str
    user_id: int
    report_id: int
    amount: Decimal
    progress: str
    workers_on_site: int


def seed(period_year: int, period_month: int):
    """CLERKS reporters (scope: their own unit) each leading one project with a pending report in an
    open period, and READERS office users (dispatchers and leaders of the city)."""
    lanshan = f.LanshanFactory()
    city = lanshan.parent
    office = Unit.objects.create(name="临沂市发展和改革委员会", kind=UnitKind.DEPARTMENT, region=city)
    Unit.objects.bulk_create(
        Unit(name=f"负载测试单位{i:03d}", kind=UnitKind.OWNER, region=lanshan) for i in range(CLERKS)
    )
    units = list(Unit.objects.filter(name__startswith="负载测试单位").order_by("name"))
    # One PBKDF2 hash (the production hasher, so that gunicorn checks it as it would a real one).
    hasher = PBKDF2PasswordHasher()
    password = hasher.encode(PASSWORD, hasher.salt())
    User = get_user_model()
    User.objects.bulk_create(
        [User(username=f"clerk{i:03d}", first_name=f"填报员{i:03d}", password=password) for i in range(CLERKS)]
        + [User(username=f"reader{j:02d}", first_name=f"读者{j:02d}", password=password) for j in range(READERS)]
    )
    clerks = list(User.objects.filter(username__startswith="clerk").order_by("username"))
    readers = list(User.objects.filter(username__startswith="reader").order_by("username"))
    Membership.objects.bulk_create(
        [Membership(user=u, unit=unit, role=Role.REPORTER, scope=Scope.UNIT) for u, unit in zip(clerks, units, strict=True)]
        + [Membership(user=u, unit=office, role=Role.DISPATCHER if j % 2 == 0 else Role.LEADER, scope=Scope.REGION)
           for j, u in enumerate(readers)]
    )
    projects = f.bulk_projects(CLERKS, region=lanshan, prefix="负载项目")
    for project, unit in zip(projects, units, strict=True):
        project.lead_unit = unit
    Project.objects.bulk_update(projects, ["lead_unit"])
    period = services.period_open(None, year=period_year, month=period_month, project_ids=[p.pk for p in projects])
    report_ids = dict(period.reports.values_list("project_id", "pk"))
    assert len(report_ids) == CLERKS
    plan = [
        Clerk(
            username=user.username, user_id=user.pk, report_id=report_ids[project.pk],
            amount=Decimal(100 + i) + Decimal(i % 100) / 100,
            progress=f"负载测试{i:03d}：主体结构施工至第{i % 30 + 1}层",
            workers_on_site=10 + i,
        )
        for i, (user, project) in enumerate(zip(clerks, projects, strict=True))
    ]
    return period, plan, [u.username for u in readers]


# ---------------------------------------------------------------------------------------- the run


def clerk_submits(port: int, log: Log, period_id: int, clerk: Clerk) -> None:
    """Log in, open the grid, submit the one report (30 fields), follow the redirect."""
    browser = Browser(port, log)
    if not browser.login(clerk.username):
        return
    grid = f"/reports/periods/{period_id}/grid/"
    page = browser.get("grid_get", grid)
    rid = clerk.report_id
    version = re.search(rf'name="r{rid}-version" value="(\d+)"', page.text)
    token = csrf_token(page.text)
    if page.status != 200 or version is None or token is None:
        log.problems.append(f"{clerk.username}: grid answered {page.status} without its row or token")
        return
    fields = [
        ("csrfmiddlewaretoken", token), ("row", str(rid)), (f"r{rid}-version", version.group(1)),
        (f"r{rid}-pick", "1"), (f"r{rid}-amount", str(clerk.amount)), (f"r{rid}-progress", clerk.progress),
        (f"r{rid}-work_status", "started"), (f"r{rid}-workers_planned", str(clerk.workers_on_site + 5)),
        (f"r{rid}-workers_on_site", str(clerk.workers_on_site)), (f"r{rid}-problems", ""),
        ("action", "submit"),
        *((f"memo-{k}", "") for k in range(EXTRA_FIELDS)),
    ]
    reply = browser.post("submit", grid, fields)
    if reply.status != 302:
        log.problems.append(f"{clerk.username}: submit answered {reply.status}")
        return
    after = browser.get("grid_get", reply.location or grid)
    if after.status != 200 or "已上报1个项目" not in after.text:
        log.problems.append(f"{clerk.username}: after submitting, the grid answered {after.status} without 已上报1个项目")


def reader_polls(port: int, log: Log, period_id: int, username: str, done: threading.Event) -> None:
    browser = Browser(port, log)
    if not browser.login(username):
        return
    for _poll in range(READER_MAX_POLLS):
        for endpoint, path in (("period_page", f"/reports/periods/{period_id}/"), ("projects_page", "/projects/")):
            reply = browser.get(endpoint, path)
            if reply.status != 200:
                log.problems.append(f"{username}: {path} answered {reply.status}")
        if done.wait(READER_PAUSE):
            break


def _guarded(log: Log, func, *args) -> None:
    try:
        func(*args)
    except Exception as exc:  # noqa: BLE001 - a dropped connection or timeout is a failure of the run
        log.problems.append(f"{func.__name__}{args[2:]}: {exc!r}")


def _summary(log: Log, vendor: str, elapsed: float) -> dict:
    endpoints = {}
    for name in ("submit", "login", "login_form", "grid_get", "period_page", "projects_page"):
        timings = log.timings(name)
        if timings:
            endpoints[name] = {
                "n": len(timings), **{f"p{p}": round(percentile(timings, p), 1) for p in (50, 95, 99)},
            }
    return {
        "test": "LOAD-DEADLINE", "database": vendor, "clerks": CLERKS, "readers": READERS,
        "requests": len(log.requests), "seconds": round(elapsed, 1),
        "requests_per_second": round(len(log.requests) / elapsed, 1), "endpoints_ms": endpoints,
    }


@pytest.fixture
def deadline_database(django_db_blocker, throwaway_databases):
    """A fresh, migrated database of its own; the suite's test database is left alone."""
    with django_db_blocker.unblock(), temporary_database(prefix="tuijin_load_test") as name:
        yield name


def test_load_deadline_200_clerks_submit_through_gunicorn_and_nothing_is_lost(deadline_database, tmp_path, capsys):
    today = timezone.localdate()
    period, plan, readers = seed(today.year, today.month)
    vendor = connection.vendor
    connection.close()  # the server has the database to itself during the run

    server = Gunicorn(_database_url(deadline_database), tmp_path)
    log = Log()
    try:
        server.wait_ready()
        done = threading.Event()
        started = time.perf_counter()
        reader_threads = [
            threading.Thread(target=_guarded, args=(log, reader_polls, server.port, log, period.pk, name, done))
            for name in readers
        ]
        for thread in reader_threads:
            thread.start()
        try:
            with ThreadPoolExecutor(max_workers=CLERK_THREADS) as pool:
                for clerk in plan:
                    pool.submit(_guarded, log, clerk_submits, server.port, log, period.pk, clerk)
        finally:
            done.set()
            for thread in reader_threads:
                thread.join(timeout=120)
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    stderr = server.stderr()

    summary = _summary(log, vendor, elapsed)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"load-deadline-{vendor}.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    with capsys.disabled():
        submit = summary["endpoints_ms"].get("submit", {})
        print(f"\nLOAD-DEADLINE on {vendor}: {summary['requests']} requests in {summary['seconds']} s "
              f"({summary['requests_per_second']} req/s); submit POST p50 {submit.get('p50')} ms, "
              f"p95 {submit.get('p95')} ms, p99 {submit.get('p99')} ms")
        for name, figures in summary["endpoints_ms"].items():
            print(f"  {name:14} n={figures['n']:4}  p50 {figures['p50']:8.1f}  p95 {figures['p95']:8.1f}  "
                  f"p99 {figures['p99']:8.1f} ms")

    server_errors = [(name, status) for name, status, _ms in log.requests if status >= 500]
    assert not server_errors, f"{len(server_errors)} responses >= 500: {server_errors[:20]}"
    assert "database is locked" not in stderr, stderr[-5000:]
    assert "Internal Server Error" not in stderr, stderr[-5000:]
    assert not log.problems, f"{len(log.problems)} problems: {log.problems[:20]}"
    assert len(log.timings("submit")) == CLERKS
    assert len(log.timings("period_page")) >= READERS and len(log.timings("projects_page")) >= READERS

    stored = {r.pk: r for r in ProgressReport.objects.filter(period_id=period.pk)}
    assert len(stored) == CLERKS
    assert sum(r.state == ReportState.SUBMITTED for r in stored.values()) == CLERKS
    lost = []
    for clerk in plan:
        report = stored[clerk.report_id]
        got = (report.amount, report.progress, report.workers_on_site, report.submitted_by_id, report.version)
        sent = (clerk.amount, clerk.progress, clerk.workers_on_site, clerk.user_id, 2)
        if got != sent:
            lost.append((clerk.username, sent, got))
    assert not lost, f"{len(lost)} reports differ from what their clerk sent: {lost[:10]}"
    assert ReportEvent.objects.filter(report__period_id=period.pk, action=ReportAction.SUBMIT).count() == CLERKS
    assert ReportEvent.objects.filter(report__period_id=period.pk).count() == CLERKS
