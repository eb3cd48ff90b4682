"""Throw-away databases from one migration per test session.

`tuijin.core.bench.temporary_database` (the benches, the deadline load test) creates and migrates a
fresh database each time it is entered: 15–20 s of migrations, five times in a run of the suite. Under
`throwaway_template` the first one in the session is created and migrated exactly as the benches do it,
then copied aside as a template, and every later one is a copy of that template (a file copy on SQLite,
CREATE DATABASE … TEMPLATE on PostgreSQL): the same freshly migrated database, without the migrations.
Everything else temporary_database does (its own connection, the settings put back, the database dropped
afterwards) runs unchanged.
"""

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass

from django.conf import settings


@dataclass
class Template:
    name: str | None = None  # the SQLite file or the PostgreSQL database, once made
    vendor: str | None = None
    folder: str | None = None  # SQLite: where the template file lives


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
    if template.name is None:
        return
    if template.vendor == "sqlite":
        shutil.rmtree(template.folder, ignore_errors=True)
    else:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template.name)}")
