"""tuijin backup / tuijin restore (issue #19 §4): the round trip, what is refused, the retention, and a
backup taken while 50 clients write."""

import json
import tarfile
import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test import override_settings

from tests.factories import ProjectFactory
from tuijin.core.models import Notification
from tuijin.core.notify import notify
from tuijin.ops import backup as ops
from tuijin.projects.models import Project

pytestmark = pytest.mark.django_db(transaction=True)

TARGET = "restore_target"


@pytest.fixture
def installation(tmp_path):
    """This installation's data directory: a secret key and two uploaded files."""
    data = tmp_path / "source"
    (data / "media" / "problems" / "2026").mkdir(parents=True)
    (data / "secret_key").write_text("the-source-secret")
    (data / "media" / "problems" / "2026" / "现场照片.jpg").write_bytes(b"\xff\xd8photo")
    (data / "media" / "会议纪要.pdf").write_bytes(b"%PDF-1.4 minutes")
    with override_settings(DATA_DIR=data, MEDIA_ROOT=data / "media"):
        yield data


@pytest.fixture
def target(tmp_path):
    """An empty installation beside this one: its own database (alias TARGET) and data directory."""
    data = tmp_path / "target"
    data.mkdir()
    with ops.empty_database_beside(TARGET, tmp_path):
        yield data


def restore_into(target_dir: Path, archive: Path, **kwargs):
    with override_settings(DATA_DIR=target_dir, MEDIA_ROOT=target_dir / "media"):
        return ops.restore(archive, alias=TARGET, **kwargs)


def test_backup_and_restore_give_the_same_records_files_and_secret(installation, target, tmp_path):
    ProjectFactory(name="兰山区北城新区道路改造工程", total_investment=Decimal("12345.67"))
    ProjectFactory(name="罗庄区冷链物流中心", total_investment=Decimal("800.01"))
    result = ops.backup(tmp_path / "backups")
    assert result.path.name.startswith("tuijin-backup-") and result.path.stat().st_mode & 0o077 == 0
    manifest = ops.read_manifest(result.path)
    assert manifest.counts["projects.Project"] == 2
    assert manifest.sums["projects.Project.total_investment"] == "13145.68"
    assert set(manifest.checksums) == {manifest.database_member, "secret_key", "files/media/会议纪要.pdf",
                                       "files/media/problems/2026/现场照片.jpg"}

    restored = restore_into(target, result.path)
    assert restored.counts == manifest.counts and restored.sums == manifest.sums
    names = set(Project.objects.using(TARGET).values_list("name", flat=True))
    assert names == {"兰山区北城新区道路改造工程", "罗庄区冷链物流中心"}
    assert (target / "secret_key").read_text() == "the-source-secret"
    assert (target / "media" / "problems" / "2026" / "现场照片.jpg").read_bytes() == b"\xff\xd8photo"
    assert (target / "media" / "会议纪要.pdf").read_bytes() == b"%PDF-1.4 minutes"


def test_restore_refuses_an_installation_that_holds_data_unless_forced(installation, target, tmp_path):
    ProjectFactory(name="兰山区北城新区道路改造工程")
    archive = ops.backup(tmp_path / "backups").path
    restore_into(target, archive)
    Project.objects.using(TARGET).update(name="改过的名称")
    with pytest.raises(ops.BackupError, match="当前安装已有数据（用户或项目），恢复会覆盖它们；确认覆盖请加 --force"):
        restore_into(target, archive)
    assert list(Project.objects.using(TARGET).values_list("name", flat=True)) == ["改过的名称"]  # untouched
    restore_into(target, archive, force=True)
    assert list(Project.objects.using(TARGET).values_list("name", flat=True)) == ["兰山区北城新区道路改造工程"]


def test_a_damaged_archive_is_refused_before_anything_is_restored(installation, target, tmp_path):
    ProjectFactory(name="兰山区北城新区道路改造工程")
    archive = ops.backup(tmp_path / "backups").path
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "files/media/会议纪要.pdf":
                data = data.replace(b"minutes", b"MINUTES")
            member.size = len(data)
            copy.addfile(member, BytesIO(data))
    with pytest.raises(ops.BackupError, match="备份文件已损坏：files/media/会议纪要.pdf 的校验和不符，未恢复任何内容"):
        restore_into(target, damaged)
    assert not (target / "media").exists() and not (target / "secret_key").exists()
    assert not ops.holds_data(TARGET)


def test_a_file_that_is_not_a_backup_is_refused_in_chinese(target, tmp_path):
    stray = tmp_path / "台账.xlsx"
    stray.write_bytes(b"PK\x03\x04 not a tar")
    with pytest.raises(ops.BackupError, match="台账.xlsx 不是本系统的备份文件"):
        restore_into(target, stray)
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "missing.tar"))


def test_the_commands_print_what_they_did_and_restore_refuses_this_installation(installation, tmp_path):
    ProjectFactory(name="兰山区北城新区道路改造工程")
    out = StringIO()
    call_command("backup", "--to", str(tmp_path / "b"), stdout=out)
    assert "已备份到" in out.getvalue() and "项目 1 个" in out.getvalue()
    archive = next((tmp_path / "b").iterdir())
    with pytest.raises(CommandError, match="当前安装已有数据"):
        call_command("restore", str(archive), stdout=StringIO())
    Project.objects.update(name="备份之后改的名称")
    out = StringIO()
    call_command("restore", str(archive), "--force", stdout=out)
    assert "各表行数和金额合计与备份清单一致" in out.getvalue()
    assert list(Project.objects.values_list("name", flat=True)) == ["兰山区北城新区道路改造工程"]


@pytest.mark.parametrize(("moments", "expected_kept"), [
    # one a day for 40 days: the last 7 days, plus the newest of 4 weeks, plus the newest of 12 months
    ([datetime(2026, 12, 7, 2) - timedelta(days=n) for n in range(40)],
     # (12-07 is a Monday: the weeks' newest are 12-07 and 12-06, in the days, then 11-29 and 11-22; the
     # months' 12-07, 11-30 and 10-31)
     {datetime(2026, 12, d, 2) for d in range(1, 8)} | {datetime(2026, 11, 29, 2), datetime(2026, 11, 22, 2)}
     | {datetime(2026, 11, 30, 2), datetime(2026, 10, 31, 2)}),
    # two on one day: only the newer counts
    ([datetime(2026, 12, 7, 2), datetime(2026, 12, 7, 14)], {datetime(2026, 12, 7, 14)}),
    # monthly ones over two years: the newest 12 months
    ([datetime(2025 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(1, 25)],
     {datetime(2025 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(13, 25)}),
])
def test_retention_keeps_seven_days_four_weeks_twelve_months(moments, expected_kept):
    assert ops.kept(moments) == expected_kept


def test_prune_removes_only_archives_the_retention_drops(tmp_path):
    days = [datetime(2026, 10, 1, 2) + timedelta(days=n) for n in range(71)]  # 10-01 … 12-10, one a day
    for moment in days:
        (tmp_path / f"tuijin-backup-{moment:%Y%m%d-%H%M%S}.tar").write_bytes(b"x")
    for name in ("说明.txt", "tuijin-backup-bad.tar"):
        (tmp_path / name).write_bytes(b"x")
    removed = ops.prune_archives(tmp_path)
    left = sorted(p.name for p in tmp_path.iterdir())
    # 7 days (12-04…12-10), the newest of 4 ISO weeks (12-10 and 12-06 are in the days; 11-29, 11-22), of
    # 12 months (12-10, 11-30, 10-31): 7 + 2 + 2 archives, and the two files that are not archives.
    assert left == sorted([f"tuijin-backup-202612{d:02d}-020000.tar" for d in range(4, 11)]
                          + ["tuijin-backup-20261129-020000.tar", "tuijin-backup-20261122-020000.tar",
                             "tuijin-backup-20261130-020000.tar", "tuijin-backup-20261031-020000.tar",
                             "说明.txt", "tuijin-backup-bad.tar"])
    assert len(removed) == 71 - 11


def test_a_backup_taken_while_50_clients_write_loses_nothing_committed_before_it(installation, target, tmp_path):
    user = get_user_model().objects.create_user("writer", password="x")
    stop = threading.Event()
    committed: list[tuple[int, float]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        try:
            n = 0
            while not stop.is_set():
                n += 1
                created = notify([user], f"客户端{number}第{n}条")
                done = time.perf_counter()
                with lock:
                    committed.extend((row.pk, done) for row in created)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    try:
        while len(committed) < 200 and not errors:  # everyone is writing
            time.sleep(0.05)
        started = time.perf_counter()
        result = ops.backup(tmp_path / "backups")
        time.sleep(0.2)  # and they go on writing after it
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors
    before = {pk for pk, done in committed if done < started}
    after = {pk for pk, done in committed if done > started}
    assert len(before) >= 200 and after  # writes before and during the backup
    restored = restore_into(target, result.path)
    in_backup = set(Notification.objects.using(TARGET).values_list("pk", flat=True))
    assert before <= in_backup  # nothing committed before the backup began is lost
    assert restored.counts["core.Notification"] == len(in_backup)
    assert Notification.objects.count() > len(in_backup) or after <= in_backup


@pytest.mark.usefixtures("throwaway_databases")  # the bench's temporary database: a copy, not a migration
@pytest.mark.django_db
def test_the_backup_bench_times_a_backup_and_a_restore_and_leaves_the_database_alone(db_state, settings, tmp_path):
    from tests.test_bench import _leftovers

    settings.DATA_DIR = tmp_path  # the archives and the restored files go to temporary folders anyway
    before = db_state()
    leftovers = _leftovers()
    out = StringIO()
    call_command("bench", "backup", "--json", "--scale", "0.01", stdout=out, stderr=StringIO())
    report = json.loads(out.getvalue())
    assert (report["bench"], report["database"]) == ("backup", connection.vendor)
    metrics = report["metrics"]
    assert metrics["backup_seconds"]["target"] == 60 and metrics["restore_seconds"]["target"] == 300
    assert metrics["backup_seconds"]["value"] > 0 and metrics["archive_mb"]["value"] > 0
    assert report["params"]["projects"] == 200 and report["params"]["reports"] > 0
    assert db_state() == before
    assert _leftovers() == leftovers
    assert not (tmp_path / "backups").exists()
