"""Backup and restore of an installation (issue #19 §4): the database, the uploaded files, the archived
audit trail and the data directory's secret, in one archive with a manifest and checksums.

The database is copied consistently while users write: SQLite through its online backup API (one step,
a read snapshot: writers go on, and nothing committed after the copy began is in it), PostgreSQL through
pg_dump's custom format (one repeatable-read transaction). The files are copied after the database, so
every file a committed row names is there (an upload is stored before its row commits); a file added
meanwhile may come along unnamed, which is harmless.

The archive is a plain tar: manifest.json, database.sqlite3.gz (gzip level 1) or database.pgdump
(pg_dump's custom format, compressed already), secret_key, and files/<folder>/… for each of FILE_FOLDERS. The manifest holds each
member's SHA-256, the installation's migrations, and the row count of every table and the money sums
a restore is checked against.

`restore()` writes into an empty installation and refuses one that holds data unless `force`; it checks
every checksum before touching anything, then compares the restored counts and sums with the manifest.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
SECRET = "secret_key"
# Folders of the data directory that hold what only this installation has (uploads, archived audit).
FILE_FOLDERS = ("media", "audit")
# The money a restore is checked against (exact integer sums on both databases: core.fields.MoneyField).
MONEY_SUMS = (("projects.Project", "total_investment"), ("projects.AnnualPlan", "planned_investment"),
              ("reports.ProgressReport", "amount"))
ARCHIVE_PREFIX = "tuijin-backup-"
ARCHIVE_TIME = "%Y%m%d-%H%M%S"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is Chinese and says what to do."""


@dataclass
class Manifest:
    created: str
    vendor: str
    database_member: str
    checksums: dict[str, str]
    migrations: dict[str, list[str]]
    counts: dict[str, int]
    sums: dict[str, str]
    folders: list[str] = field(default_factory=list)
    format: int = FORMAT
    version: str = ""

    def as_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def read(cls, text: str) -> Manifest:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise BackupError(_("备份格式版本 %(v)s 无法识别（本系统读取版本 %(f)s）") % {"v": data.get("format"), "f": FORMAT})
        return cls(**data)


@dataclass
class BackupResult:
    path: Path
    manifest: Manifest
    seconds: float
    size: int
    pruned: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: Manifest
    seconds: float
    counts: dict[str, int]
    sums: dict[str, str]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _data_dir() -> Path:
    return Path(settings.DATA_DIR)


def _folder_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) if name == "media" else _data_dir() / name


# ------------------------------------------------------------------------------------------ figures


def table_counts(connection) -> dict[str, int]:
    """Rows of every table of the installed models (by model label: "projects.Project"), on `connection`
    (a database wrapper: the installation's, or one opened on a copy)."""
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.proxy or not model._meta.managed:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(model._meta.db_table)}")
            counts[model._meta.label] = cursor.fetchone()[0]
    return dict(sorted(counts.items()))


def money_sums(connection) -> dict[str, str]:
    """The MONEY_SUMS in 万元 (exact: the columns hold integer hundredths, core.fields.MoneyField)."""
    sums = {}
    with connection.cursor() as cursor:
        for label, name in MONEY_SUMS:
            model = apps.get_model(label)
            column = model._meta.get_field(name)
            cursor.execute(f"SELECT SUM({connection.ops.quote_name(column.column)}) "
                           f"FROM {connection.ops.quote_name(model._meta.db_table)}")
            total = cursor.fetchone()[0]
            sums[f"{label}.{name}"] = str(column.from_db_value(total or 0, None, connection))
    return sums


def _open(settings_dict: dict, name: str | None = None):
    """A connection of its own (not one of django.db.connections), closed by the caller."""
    settings_dict = {**settings_dict, "CONN_MAX_AGE": 0}
    if name is not None:
        settings_dict["NAME"] = name
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="tuijin-ops")


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def holds_data(alias: str = "default") -> bool:
    """Whether the installation has anything of its own: a user or a project (the empty, migrated
    installation a restore writes into has neither)."""
    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    for label in ("auth.User", "projects.Project"):
        model = apps.get_model(label)
        if model._meta.db_table in tables and model._base_manager.using(alias).exists():
            return True
    return False


# ------------------------------------------------------------------------------------------- backup


def _dump_sqlite(alias: str, target: Path) -> None:
    """The online backup API in one step: a consistent snapshot while others write."""
    source_name = connections[alias].settings_dict["NAME"]
    source = sqlite3.connect(f"file:{quote(str(source_name))}?mode=ro", uri=True, timeout=60)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _pg_env(settings_dict: dict) -> dict[str, str]:
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    env.pop("PGOPTIONS", None)
    return env


def _run(command: list[str], env: dict, what: str) -> None:
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(_("找不到 %(cmd)s：请安装 PostgreSQL 客户端（postgresql-client），版本不低于服务器")
                          % {"cmd": command[0]}) from exc
    if completed.returncode != 0:
        raise BackupError(_("%(what)s失败：%(err)s") % {"what": what, "err": completed.stderr.strip()[-800:]})


def _dump_postgresql(alias: str, target: Path) -> tuple[dict[str, int], dict[str, str]]:
    """pg_dump in a snapshot this process exports, and the counts and sums read in that same snapshot:
    the manifest says exactly what the dump holds, however many write meanwhile."""
    settings_dict = connections[alias].settings_dict
    snapshot = _open(settings_dict)
    try:
        with snapshot.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            name = cursor.fetchone()[0]
        counts, sums = table_counts(snapshot), money_sums(snapshot)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={name}",
              f"--file={target}", f"--dbname={settings_dict['NAME']}"], _pg_env(settings_dict),
             _("数据库导出（pg_dump）"))
        with snapshot.cursor() as cursor:
            cursor.execute("COMMIT")
    finally:
        snapshot.close()
    return counts, sums


def archive_name(moment: datetime) -> str:
    return f"{ARCHIVE_PREFIX}{timezone.localtime(moment).strftime(ARCHIVE_TIME)}.tar"


def scheduled_backup() -> dict:
    """The nightly backup (a scheduled job, `TUIJIN_SCHEDULES["backup"]`): into TUIJIN_BACKUP_DIR (default
    the data directory's backups folder), pruned by the retention, as `tuijin backup --prune`."""
    from django.conf import settings

    folder = getattr(settings, "TUIJIN_BACKUP_DIR", "") or None
    result = backup(Path(folder) if folder else None, prune=True)
    return {"archive": result.path.name, "bytes": result.size, "pruned": [p.name for p in result.pruned]}


def backup(to: Path | None = None, *, alias: str = "default", prune: bool = False,
           now: datetime | None = None) -> BackupResult:
    """Write one archive into `to` (default: the data directory's backups folder) and, with `prune`,
    remove the older archives there that the retention (RETENTION) does not keep."""
    started = time.perf_counter()
    now = now or timezone.now()
    folder = Path(to) if to else _data_dir() / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("不支持的数据库类型：%(v)s") % {"v": vendor})
    target = folder / archive_name(now)
    if target.exists():
        raise BackupError(_("备份文件 %(name)s 已存在，请稍后再试") % {"name": target.name})
    with tempfile.TemporaryDirectory(dir=folder, prefix=".backup-") as scratch:
        scratch = Path(scratch)
        member = "database.sqlite3.gz" if vendor == "sqlite" else "database.pgdump"
        dump = scratch / member
        # The figures the restore is checked against, of exactly what the copy holds.
        if vendor == "sqlite":
            copy = scratch / "database.sqlite3"
            _dump_sqlite(alias, copy)
            counts, sums = _figures_of_sqlite_file(copy)
            # Compressed quickly (a province's 320 MB file: 95 MB in ~3 s); pg_dump's format is already.
            with open(copy, "rb") as source, gzip.open(dump, "wb", compresslevel=1) as target_file:
                shutil.copyfileobj(source, target_file, 1 << 20)
            copy.unlink()
        else:
            counts, sums = _dump_postgresql(alias, dump)
        members: list[tuple[str, Path]] = [(member, dump)]
        secret = _data_dir() / SECRET
        if secret.exists():
            members.append((SECRET, secret))
        folders = []
        for name in FILE_FOLDERS:
            root = _folder_path(name)
            if not root.is_dir():
                continue
            folders.append(name)
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                members.append((f"files/{name}/{path.relative_to(root).as_posix()}", path))
        checksums = {arcname: _sha256(path) for arcname, path in members}
        from importlib.metadata import PackageNotFoundError, version
        try:
            app_version = version("tuijin")
        except PackageNotFoundError:
            app_version = ""
        manifest = Manifest(created=timezone.localtime(now).isoformat(), vendor=vendor, database_member=member,
                            checksums=checksums, migrations=applied_migrations(alias), counts=counts, sums=sums,
                            folders=folders, version=app_version)
        partial = scratch / target.name
        with tarfile.open(partial, "w") as tar:
            data = manifest.as_json().encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            for arcname, path in members:
                tar.add(path, arcname=arcname, recursive=False)
        os.chmod(partial, 0o600)  # it holds the secret key and every record
        partial.rename(target)
    pruned = prune_archives(folder) if prune else []
    return BackupResult(target, manifest, time.perf_counter() - started, target.stat().st_size, pruned)


def _figures_of_sqlite_file(path: Path) -> tuple[dict[str, int], dict[str, str]]:
    """The counts and sums of a SQLite copy."""
    copy = _open(connections["default"].settings_dict, str(path))
    try:
        return table_counts(copy), money_sums(copy)
    finally:
        copy.close()


# ------------------------------------------------------------------------------------------ retention


@dataclass(frozen=True)
class Retention:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


RETENTION = Retention()


def archive_time(path: Path) -> datetime | None:
    name = path.name
    if not (name.startswith(ARCHIVE_PREFIX) and name.endswith(".tar")):
        return None
    try:
        return datetime.strptime(name[len(ARCHIVE_PREFIX):-4], ARCHIVE_TIME)
    except ValueError:
        return None


def kept(moments: Iterable[datetime], retention: Retention = RETENTION) -> set[datetime]:
    """Which backups the retention keeps: the newest of each of the last `daily` days that have one, of
    the last `weekly` ISO weeks and of the last `monthly` months (a backup may count for all three)."""
    moments = sorted(set(moments), reverse=True)
    keep: set[datetime] = set()
    for count, key in ((retention.daily, lambda m: m.date()), (retention.weekly, lambda m: m.isocalendar()[:2]),
                       (retention.monthly, lambda m: (m.year, m.month))):
        seen = []
        for moment in moments:  # newest first: the first of each period is its newest
            period = key(moment)
            if period in seen:
                continue
            if len(seen) == count:
                break
            seen.append(period)
            keep.add(moment)
    return keep


def prune_archives(folder: Path, *, retention: Retention = RETENTION) -> list[Path]:
    """Remove the archives of `folder` the retention does not keep; other files are never touched."""
    archives = {moment: path for path in Path(folder).iterdir() if (moment := archive_time(path)) is not None}
    keep = kept(archives, retention)
    removed = []
    for moment, path in sorted(archives.items()):
        if moment not in keep:
            path.unlink()
            removed.append(path)
    return removed


# -------------------------------------------------------------------------------------------- restore


@contextmanager
def empty_database_beside(alias: str, folder: Path, *, of: str = "default") -> Iterator[str]:
    """Register `alias` as a new, empty database beside `of` for the length of the block — a SQLite file in
    `folder`, or a database `<name>_restore` on the same PostgreSQL server — connected now (also past a test
    case's guard of the databases it was given), closed and dropped afterwards. Where a restore is tried
    (the backup bench, tests/ops) without touching the installation."""
    source = connections[of]
    settings_dict = {**source.settings_dict, "CONN_MAX_AGE": 0}
    created = None
    if source.vendor == "sqlite":
        settings_dict["NAME"] = str(Path(folder) / "restored.sqlite3")
    else:
        created = source.ops.quote_name(f"{source.settings_dict['NAME']}_restore")
        with source._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {created}")
            cursor.execute(f"CREATE DATABASE {created}")
        settings_dict["NAME"] = f"{source.settings_dict['NAME']}_restore"
    connections.settings[alias] = settings_dict
    try:
        connections[alias].connect()
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        connections.settings.pop(alias, None)
        if created:
            with source._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {created}")


def read_manifest(archive: Path) -> Manifest:
    try:
        with tarfile.open(archive, "r") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return Manifest.read(member.read().decode())
    except (tarfile.TarError, KeyError, OSError, ValueError, TypeError) as exc:
        raise BackupError(_("%(name)s 不是本系统的备份文件（%(err)s）") % {"name": Path(archive).name, "err": exc}) from exc


def _extract_checked(archive: Path, into: Path, manifest: Manifest) -> None:
    """Extract every member and check it against the manifest before anything is restored."""
    with tarfile.open(archive, "r") as tar:
        names = {m.name for m in tar.getmembers() if m.isfile()} - {MANIFEST}
        missing = set(manifest.checksums) - names
        if missing:
            raise BackupError(_("备份文件不完整，缺少：%(names)s") % {"names": "、".join(sorted(missing)[:5])})
        unknown = names - set(manifest.checksums)
        if unknown:
            raise BackupError(_("备份文件含有清单以外的内容：%(names)s") % {"names": "、".join(sorted(unknown)[:5])})
        tar.extractall(into, filter="data")
    for name, expected in manifest.checksums.items():
        if _sha256(into / name) != expected:
            raise BackupError(_("备份文件已损坏：%(name)s 的校验和不符，未恢复任何内容") % {"name": name})


def restore(archive: Path, *, alias: str = "default", force: bool = False) -> RestoreResult:
    """Restore `archive` into this installation (its database, data directory and uploads)."""
    started = time.perf_counter()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("找不到备份文件：%(path)s") % {"path": archive})
    manifest = read_manifest(archive)
    vendor = connections[alias].vendor
    if manifest.vendor != vendor:
        raise BackupError(_("该备份来自 %(src)s 数据库，当前安装使用 %(dst)s，不能直接恢复")
                          % {"src": manifest.vendor, "dst": vendor})
    if not force and holds_data(alias):
        raise BackupError(_("当前安装已有数据（用户或项目），恢复会覆盖它们；确认覆盖请加 --force"))
    with tempfile.TemporaryDirectory(dir=_data_dir(), prefix=".restore-") as scratch:
        scratch = Path(scratch)
        _extract_checked(archive, scratch, manifest)
        dump = scratch / manifest.database_member
        if vendor == "sqlite":
            _restore_sqlite(alias, dump)
        else:
            _restore_postgresql(alias, dump)
        for name in manifest.folders:
            root = _folder_path(name)
            if root.exists():
                shutil.rmtree(root)
            source = scratch / "files" / name
            if source.is_dir():
                shutil.copytree(source, root)
            else:
                root.mkdir(parents=True)
        if (scratch / SECRET).exists():
            shutil.copyfile(scratch / SECRET, _data_dir() / SECRET)
            os.chmod(_data_dir() / SECRET, 0o600)
    counts, sums = table_counts(connections[alias]), money_sums(connections[alias])
    differing = [label for label, n in manifest.counts.items() if counts.get(label) != n]
    if sums != manifest.sums or differing:
        raise BackupError(_("恢复后的数据与备份清单不符（%(what)s），请检查备份文件")
                          % {"what": "、".join(differing[:5]) or _("金额合计")})
    return RestoreResult(manifest, time.perf_counter() - started, counts, sums)


def _restore_sqlite(alias: str, dump: Path) -> None:
    """Copy the backup into the database file through the backup API (the file stays where the
    settings name it; its WAL is reset by the copy)."""
    name = connections[alias].settings_dict["NAME"]
    copy = dump.with_suffix("")  # database.sqlite3.gz → database.sqlite3
    with gzip.open(dump, "rb") as compressed, open(copy, "wb") as plain:
        shutil.copyfileobj(compressed, plain, 1 << 20)
    source = sqlite3.connect(copy)
    destination = sqlite3.connect(name, timeout=60)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _restore_postgresql(alias: str, dump: Path) -> None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    settings_dict = connection.settings_dict
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={settings_dict['NAME']}", str(dump)], _pg_env(settings_dict), _("数据库恢复（pg_restore）"))
