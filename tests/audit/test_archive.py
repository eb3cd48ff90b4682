"""Retention: `tuijin audit archive` moves entries older than TUIJIN_AUDIT_RETENTION_DAYS to a gzip
JSON-lines file that keeps the chain (`tuijin audit verify --archive FILE`); the entries left start from
the file's last hash, and nothing is dropped silently."""

import gzip
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tuijin.audit import services
from tuijin.audit.choices import Action
from tuijin.audit.models import AuditEntry, ChainHead

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings, tmp_path):
    settings.DATA_DIR = str(tmp_path)
    return tmp_path / "audit"


def aged_trail(old: int = 4, new: int = 3):
    """`old` entries 200 days old, then `new` entries of today, sealed in that order."""
    now = timezone.now()
    for n in range(old):
        services.entry(Action.LOGIN, target=f"旧{n}", at=now - timedelta(days=200, minutes=n)).save()
    for n in range(new):
        services.entry(Action.LOGIN, target=f"新{n}").save()
    services.seal_pending()


def test_old_entries_move_to_a_file_that_verifies_and_the_rest_still_verifies(folder, capsys):
    aged_trail()
    call_command("audit", "archive")
    files = list(folder.glob("*.jsonl.gz"))
    assert len(files) == 1
    lines = [json.loads(line) for line in gzip.open(files[0], "rt", encoding="utf-8")]
    assert [line["target"] for line in lines] == ["旧0", "旧1", "旧2", "旧3"]
    assert [line["seq"] for line in lines] == [1, 2, 3, 4] and all(len(line["hash"]) == 64 for line in lines)
    assert not AuditEntry.objects.filter(target__startswith="旧").exists()

    head = ChainHead.objects.get(pk=1)
    assert (head.anchor_seq, head.anchor_hash) == (4, lines[-1]["hash"])
    remaining = AuditEntry.objects.filter(seq=5).get()
    assert remaining.prev_hash == lines[-1]["hash"]  # the database's chain goes on from the file's tail

    call_command("audit", "verify", "--archive", str(files[0]))
    assert "完好" in capsys.readouterr().out
    call_command("audit", "verify")  # the remaining chain, from the anchor, and the archive's own entry
    record = AuditEntry.objects.filter(action=Action.ARCHIVE).get()
    assert record.detail["file"] == files[0].name and record.detail["count"] == 4
    assert record.detail["sha256"] == hashlib.sha256(files[0].read_bytes()).hexdigest()
    assert (record.detail["first_seq"], record.detail["last_seq"]) == (1, 4)


def test_an_edited_archive_file_fails_verify_naming_the_entry(folder):
    aged_trail()
    call_command("audit", "archive")
    (path,) = folder.glob("*.jsonl.gz")
    lines = gzip.open(path, "rt", encoding="utf-8").read().splitlines()
    edited = json.loads(lines[1])
    edited["target"] = "改过"
    lines[1] = json.dumps(edited, ensure_ascii=False)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    with pytest.raises(CommandError) as refused:
        call_command("audit", "verify", "--archive", str(path))
    assert "第2条" in str(refused.value)


def test_nothing_old_enough_archives_nothing(folder):
    aged_trail(old=0)
    assert services.archive() is None
    assert AuditEntry.objects.count() == 3 and not list(Path(folder).glob("*.gz"))


def test_a_broken_chain_is_not_archived_and_nothing_is_deleted(folder):
    from django.db import connection

    aged_trail()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name(AuditEntry._meta.db_table)} SET target = 'x' WHERE seq = 2")
    with pytest.raises(CommandError) as refused:
        call_command("audit", "archive")
    assert "未归档" in str(refused.value)
    assert AuditEntry.objects.count() == 7 and not list(Path(folder).glob("*.gz"))


def test_a_retention_shorter_than_184_days_is_refused(folder, settings):
    aged_trail()
    settings.TUIJIN_AUDIT_RETENTION_DAYS = 180
    with pytest.raises(CommandError) as refused:
        call_command("audit", "archive")
    assert "184" in str(refused.value)
    assert AuditEntry.objects.count() == 7


def test_a_second_archive_continues_the_chain(folder):
    aged_trail(old=2, new=0)
    first = services.archive()
    services.entry(Action.LOGIN, target="又一条").save()
    services.seal_pending()
    assert services.archive() is None  # the archive's own entry (today) ends the old part
    second = services.archive(now=timezone.now() + timedelta(days=200))  # half a year on
    assert second["first_seq"] == first["last_seq"] + 1
    targets = [row["target"] for row in services.read_archive(folder / second["file"])]
    assert targets == [first["file"], "又一条"]
    archived = [services.verify_file(folder / s["file"]) for s in (first, second)]
    assert all(check.ok for check in archived)
    assert services.verify().ok
