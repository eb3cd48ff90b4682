"""Test databases from one migration per run of the suite.

Migrating an empty database takes 20-40 s on this machine (Django renders the model states of ~85
migrations), and a run of the suite used to do it five or more times per database: once per pytest-xdist
worker for its test database, once more per worker for the benches' throw-away databases, and once in
the backup bench. Two mechanisms bring that down to one migration per database per run:

Shared test database (`SharedMigration`, pytest-xdist only): the first worker to take the run's lock
creates and migrates its test database exactly as Django does, copies it aside as the run's template and
writes a marker; every other worker copies the template instead of migrating. The last worker to finish
drops the template (a crashed run leaves at most one: the next run's first worker replaces it).

Throw-away databases: `tuijin.core.bench.temporary_database` (the benches, the deadline load test) creates and migrates a
fresh database each time it is entered: 15–20 s of migrations, five times in a run of the suite. Under
`throwaway_template` the first one in the session is created and migrated exactly as the benches do it,
then copied aside as a template, and every later one is a copy of that template (a file copy on SQLite,
CREATE DATABASE … TEMPLATE on PostgreSQL): the same freshly migrated database, without the migrations.
Everything else temporary_database does (its own connection, the settings put back, the database dropped
afterwards) runs unchanged.
"""

import fcntl
import json
import os
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass
class Template:
    name: str | None = None  # the SQLite file or the PostgreSQL database, once made
    vendor: str | None = None
    folder: str | None = None  # SQLite: where the template file lives
    owned: bool = True  # False: the run's shared template (SharedMigration drops it, not drop())


def _copy_sqlite(source: str, target: str) -> None:
    """A consistent copy of a closed SQLite file (through the backup API: WAL content included)."""
    if os.path.exists(target):
        os.remove(target)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _copy_postgresql(connection, source: str, target: str) -> None:
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
        cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(source)}")


def create_from_template(template: Template, original):
    """A replacement for DatabaseCreation.create_test_db (see the module docstring); `original` is Django's."""

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        connection = self.connection
        if template.name is None:
            name = original(self, verbosity=verbosity, autoclobber=autoclobber, serialize=serialize, keepdb=keepdb)
            connection.close()  # a PostgreSQL template must have no session; SQLite checkpoints its WAL
            template.vendor = connection.vendor
            if connection.vendor == "sqlite":
                # Beside the throw-away's own folder, which goes when its block ends.
                template.folder = tempfile.mkdtemp(prefix="tuijin_template_", dir=os.path.dirname(os.path.dirname(name)))
                template.name = os.path.join(template.folder, "template.sqlite3")
                _copy_sqlite(name, template.name)
            else:
                template.name = f"{name}_template"
                _copy_postgresql(connection, name, template.name)
            connection.ensure_connection()
            return name
        name = self._get_test_db_name()
        connection.close()
        if connection.vendor == "sqlite":
            _copy_sqlite(template.name, name)
        else:
            _copy_postgresql(connection, template.name, name)
        # What Django's create_test_db does after creating and migrating.
        settings.DATABASES[connection.alias]["NAME"] = name
        connection.settings_dict["NAME"] = name
        connection.ensure_connection()
        return name

    return create_test_db


def drop(template: Template, connection) -> None:
    if template.name is None or not template.owned:
        return
    if template.vendor == "sqlite":
        shutil.rmtree(template.folder, ignore_errors=True)
    else:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template.name)}")


# ------------------------------------------------------------------ one migration for the xdist workers


class SharedMigration:
    """The run's migrated template, shared by its pytest-xdist workers (see the module docstring).

    State lives in the data directory (the suite's own, per run of scripts/test.sh), one lock file and one
    marker per database vendor, so the SQLite and PostgreSQL runs side by side do not meet. The marker holds
    the xdist run id, the template's name and how many workers have finished with it."""

    def __init__(self, run: str, workers: int, vendor: str):
        self.run, self.workers, self.vendor = run, workers, vendor
        folder = Path(settings.DATA_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        self.lock_path = folder / f"db-template-{vendor}.lock"
        self.marker_path = folder / f"db-template-{vendor}.json"

    @classmethod
    def for_this_worker(cls, vendor: str) -> "SharedMigration | None":
        run, workers = os.environ.get("PYTEST_XDIST_TESTRUNUID"), os.environ.get("PYTEST_XDIST_WORKER_COUNT")
        if not run or not workers or int(workers) < 2:
            return None
        return cls(run, int(workers), vendor)

    @contextmanager
    def locked(self):
        with open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def marker(self) -> dict | None:
        try:
            marker = json.loads(self.marker_path.read_text())
        except (OSError, ValueError):
            return None
        return marker if marker.get("run") == self.run else None

    def _write(self, marker: dict) -> None:
        self.marker_path.write_text(json.dumps(marker))

    def template(self) -> Template | None:
        """This run's template once a worker has made it (a Template that drop() leaves alone)."""
        marker = self.marker()
        if marker is None:
            return None
        return Template(name=marker["name"], vendor=self.vendor, folder=marker.get("folder"), owned=False)

    def create_test_db(self, original):
        """A replacement for DatabaseCreation.create_test_db: migrate once, copy everywhere else."""
        shared = self

        def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
            connection = self.connection
            with shared.locked():
                marker = shared.marker()
                if marker is None:
                    name = original(self, verbosity=verbosity, autoclobber=autoclobber, serialize=serialize,
                                    keepdb=keepdb)
                    connection.close()
                    marker = {"run": shared.run, "finished": 0, **shared._keep(connection, name)}
                    shared._write(marker)
                    connection.ensure_connection()
                    return name
                name = self._get_test_db_name()
                if connection.vendor == "sqlite":
                    Path(name).parent.mkdir(parents=True, exist_ok=True)
                    _copy_sqlite(marker["name"], name)
                else:
                    _copy_postgresql(connection, marker["name"], name)
            # What Django's create_test_db does after creating and migrating.
            connection.close()
            settings.DATABASES[connection.alias]["NAME"] = name
            connection.settings_dict["NAME"] = name
            if serialize:
                connection._test_serialized_contents = self.serialize_db_to_string()
            from django.core.management import call_command

            call_command("createcachetable", database=connection.alias)
            connection.ensure_connection()
            return name

        return create_test_db

    def _keep(self, connection, name: str) -> dict:
        """Copy the freshly migrated database `name` aside as the run's template."""
        if connection.vendor == "sqlite":
            folder = tempfile.mkdtemp(prefix=f"tuijin_template_{self.run[:8]}_", dir=settings.DATA_DIR)
            template = os.path.join(folder, "template.sqlite3")
            _copy_sqlite(name, template)
            return {"name": template, "folder": folder}
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        base = name[: -len(worker) - 1] if worker and name.endswith(f"_{worker}") else name
        template = f"{base}_template"
        _copy_postgresql(connection, name, template)
        return {"name": template}

    def finished(self, connection) -> None:
        """One worker is done; the last one drops the template."""
        with self.locked():
            marker = self.marker()
            if marker is None:
                return
            marker["finished"] += 1
            if marker["finished"] < self.workers:
                self._write(marker)
                return
            if self.vendor == "sqlite":
                shutil.rmtree(marker["folder"], ignore_errors=True)
            else:
                with connection._nodb_cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(marker['name'])}")
            self.marker_path.unlink(missing_ok=True)
