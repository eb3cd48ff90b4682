"""The `tuijin` console command wraps manage.py; DATABASE_URL is parsed by tuijin.settings.database_from_url."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tuijin.settings import database_from_url

CONSOLE_SCRIPT = Path(sys.executable).with_name("tuijin")


def run(args, tmp_path, **env):
    """Run a command from a scratch directory, with the test's environment plus `env`."""
    environment = {**os.environ, "TUIJIN_DATA_DIR": str(tmp_path / "data"), **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    # Set in this process by the browser tests' plugin (pytest-playwright): never a deployment's.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(args, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=900)  # a hang guard, not a speed limit


def test_python_dash_m_tuijin_runs_django_checks(tmp_path):
    result = run([sys.executable, "-m", "tuijin", "check"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason=f"console script {CONSOLE_SCRIPT} not installed")
def test_the_tuijin_console_script_lists_the_management_commands(tmp_path):
    result = run([str(CONSOLE_SCRIPT), "help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "tuijin help <subcommand>" in result.stdout
    for command in ("migrate", "createsuperuser", "axes_reset"):
        assert command in result.stdout


def test_an_unknown_subcommand_fails_loudly(tmp_path):
    result = run([sys.executable, "-m", "tuijin", "no-such-command"], tmp_path)
    assert result.returncode != 0
    assert "Unknown command" in result.stderr


def test_tuijin_migrate_creates_the_sqlite_database_named_by_database_url(tmp_path):
    target = tmp_path / "fresh.sqlite3"
    result = run([sys.executable, "-m", "tuijin", "migrate", "--noinput", "-v0"], tmp_path,
                 DATABASE_URL=f"sqlite:///{target}")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as db:
        levels = db.execute("SELECT name FROM projects_level ORDER BY sort").fetchall()
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert [name for (name,) in levels] == ["省重点", "市重点", "县（区）重点"]
    assert journal == "wal"


def test_the_data_directory_gets_a_private_secret_key(tmp_path):
    result = run([sys.executable, "-m", "tuijin", "check"], tmp_path, SECRET_KEY="")
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "data" / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0


# ----------------------------------------------------------------------------- DATABASE_URL


def test_a_relative_sqlite_url_resolves_from_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    db = database_from_url("sqlite:///data/tuijin.sqlite3")
    assert db["ENGINE"] == "tuijin.core.sqlite"
    assert db["NAME"] == str(tmp_path.resolve() / "data" / "tuijin.sqlite3")


def test_an_absolute_sqlite_url_keeps_its_path():
    db = database_from_url("sqlite:////var/lib/tuijin/tuijin.sqlite3")
    assert db["NAME"] == "/var/lib/tuijin/tuijin.sqlite3"


def test_sqlite_gets_wal_immediate_transactions_and_a_busy_timeout():
    options = database_from_url("sqlite:////tmp/x.sqlite3")["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "PRAGMA journal_mode=WAL" in options["init_command"]


def test_an_in_memory_sqlite_url():
    assert database_from_url("sqlite:///:memory:")["NAME"] == ":memory:"


def test_a_postgresql_url_is_split_into_its_parts():
    db = database_from_url("postgresql://user:pw@host:5432/db")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == ("db", "user", "pw", "host", "5432")


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_every_postgresql_scheme_spelling_is_accepted(scheme):
    assert database_from_url(f"{scheme}://u@h/d")["ENGINE"] == "django.db.backends.postgresql"


def test_a_postgresql_url_decodes_escaped_characters_and_keeps_query_options():
    db = database_from_url("postgresql://tuijin:p%40ss%2Fw0rd@db.internal/tuijin?sslmode=require")
    assert db["PASSWORD"] == "p@ss/w0rd"
    assert db["PORT"] == ""
    assert db["OPTIONS"] == {"sslmode": "require", "options": SESSION}


def test_an_unsupported_database_url_is_refused():
    with pytest.raises(ValueError, match="unsupported scheme 'mysql'"):
        database_from_url("mysql://u:p@h/db")


def test_a_postgresql_url_reuses_connections_and_names_its_test_database(monkeypatch):
    monkeypatch.setenv("DB_CONN_MAX_AGE", "30")
    monkeypatch.setenv("TUIJIN_TEST_PG_NAME", "test_tuijin_x")
    db = database_from_url("postgresql://u@h/d")
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) == (30, True)
    assert db["TEST"] == {"NAME": "test_tuijin_x"}
    assert db["OPTIONS"] == {"options": SESSION}


SESSION = "-c max_parallel_workers_per_gather=0 -c work_mem=16MB -c jit=off"


def test_every_postgresql_connection_opens_without_parallel_workers_or_jit_and_with_16mb_work_mem():
    assert database_from_url("postgresql://u@h/d")["OPTIONS"]["options"] == SESSION


def test_a_setting_the_url_names_keeps_the_urls_value_and_the_others_are_added():
    options = database_from_url("postgresql://u@h/d?options=-c%20jit%3Don%20--work_mem%3D64MB")["OPTIONS"]["options"]
    assert options == "-c jit=on --work_mem=64MB -c max_parallel_workers_per_gather=0"
    other = database_from_url("postgresql://u@h/d?options=-c%20statement_timeout%3D5000")["OPTIONS"]["options"]
    assert other == f"-c statement_timeout=5000 {SESSION}"


def test_sqlite_gets_no_postgresql_session_options():
    assert "options" not in database_from_url("sqlite:////tmp/x.sqlite3")["OPTIONS"]


def test_an_unsupported_scheme_that_dj_database_url_knows_is_still_refused():
    with pytest.raises(ValueError, match="unsupported scheme 'spatialite'"):
        database_from_url("spatialite:///x.sqlite3")


def test_the_default_database_lives_in_a_data_directory_with_url_characters_in_its_name(tmp_path):
    data_dir = tmp_path / "数据 #1 ?50%"
    code = "from tuijin import settings; print(settings.DATABASES['default']['NAME'])"
    result = run([sys.executable, "-c", code], tmp_path, TUIJIN_DATA_DIR=str(data_dir), DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(data_dir / "tuijin.sqlite3")


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's session settings")
def test_the_postgresql_connection_runs_with_the_session_settings():
    with connection.cursor() as cursor:
        shown = {}
        for name in ("max_parallel_workers_per_gather", "work_mem", "jit"):
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    assert shown == {"max_parallel_workers_per_gather": "0", "work_mem": "16MB", "jit": "off"}
