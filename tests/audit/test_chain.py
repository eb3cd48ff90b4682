"""The audit trail's hash chain: entries sealed in order, read-only through the ORM and the admin, and
`tuijin audit verify` names the first entry edited or deleted in the database behind the app's back."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from tuijin.audit import services
from tuijin.audit.chain import entry_hash
from tuijin.audit.choices import Action, Result
from tuijin.audit.models import GENESIS, AuditEntry, ChainHead, ReadOnlyEntry

from .. import factories as f

pytestmark = pytest.mark.django_db


def table() -> str:
    return connection.ops.quote_name(AuditEntry._meta.db_table)


def five_entries():
    user = f.UserFactory(username="zhang")
    for n in range(5):
        services.record(Action.EXPORT, actor=user, target=f"清单{n}", detail={"rows": n, "filter": "状态：办理中"})
    assert services.seal_pending() == 5
    return list(AuditEntry.objects.order_by("seq"))


def test_entries_are_chained_in_order_from_the_genesis():
    entries = five_entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
    row = AuditEntry.objects.filter(pk=entries[2].pk).values().get()
    assert entry_hash(row) == entries[2].hash and len(entries[2].hash) == 64
    head = ChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (5, entries[-1].hash)
    assert entries[0].username == "zhang" and entries[0].detail == {"rows": 0, "filter": "状态：办理中"}


def test_verify_passes_on_an_untouched_chain_and_keeps_the_result_for_the_page(capsys):
    five_entries()
    call_command("audit", "verify")
    assert "完好" in capsys.readouterr().out
    head = ChainHead.objects.get(pk=1)
    assert (head.verified_ok, head.verified_seq) == (True, 5)


def test_an_entry_cannot_be_changed_or_deleted_through_the_orm():
    entry = five_entries()[1]
    entry.target = "改过的"
    with pytest.raises(ReadOnlyEntry):
        entry.save()
    with pytest.raises(ReadOnlyEntry):
        entry.delete()
    with pytest.raises(ReadOnlyEntry):
        AuditEntry.objects.filter(pk=entry.pk).update(target="改过的")
    with pytest.raises(ReadOnlyEntry):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).target == "清单1"
    assert AuditEntry.objects.count() == 5


def test_an_entry_edited_in_the_database_breaks_verify_naming_it(capsys):
    entries = five_entries()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table()} SET detail = %s WHERE seq = 3", ['{"rows": 999}'])
    with pytest.raises(CommandError) as refused:
        call_command("audit", "verify")
    assert "第3条" in str(refused.value) and "被修改" in str(refused.value)
    assert entries[2].at.astimezone().strftime("%Y") in str(refused.value)
    head = ChainHead.objects.get(pk=1)
    assert head.verified_ok is False and "第3条" in head.verified_message


def test_an_entry_deleted_in_the_database_breaks_verify_naming_the_gap():
    five_entries()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table()} WHERE seq = 2")
    with pytest.raises(CommandError) as refused:
        call_command("audit", "verify")
    assert "第3条" in str(refused.value) and "缺少第2条" in str(refused.value)


def test_the_last_entries_deleted_in_the_database_break_verify():
    five_entries()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table()} WHERE seq >= 4")
    with pytest.raises(CommandError) as refused:
        call_command("audit", "verify")
    assert "第4条" in str(refused.value) and "末尾" in str(refused.value)


def test_a_rehashed_forgery_still_breaks_at_the_next_entry():
    """Editing an entry and recomputing its own hash leaves the next entry pointing at the old one."""
    entries = five_entries()
    row = AuditEntry.objects.filter(seq=2).values().get()
    row["target"] = "伪造"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table()} SET target = %s, hash = %s WHERE seq = 2", ["伪造", entry_hash(row)])
    result = services.verify()
    assert not result.ok and result.broken_seq == 3
    assert entries[2].prev_hash != entry_hash(row)


def test_the_admin_has_no_page_of_the_trail_not_even_for_the_superuser(client):
    """The trail is read on /audit/ by the audit administrator; the admin (where the probe of issue #18
    deleted login logs) has no page of it to add, change or delete through."""
    entry = five_entries()[0]
    admin = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/audit/auditentry/").status_code == 404
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 404
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"target": "x"}).status_code == 404
    assert AuditEntry.objects.filter(pk=entry.pk, target="清单0").exists()


def test_an_entry_written_in_a_transaction_that_rolls_back_is_gone_with_it():
    """A data change rolled back did not happen: its entry goes with it (the documented choice)."""
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record(Action.DATA_CHANGE, target="回滚的修改")
        raise RuntimeError
    assert not AuditEntry.objects.filter(target="回滚的修改").exists()


def test_a_result_other_than_success_is_kept():
    services.record(Action.LOGIN_FAILED, target="nobody", detail={"username": "nobody"}, result=Result.FAILURE)
    entry = AuditEntry.objects.get(target="nobody")
    assert (entry.result, entry.username) == ("failure", "nobody")


def test_a_nul_character_in_the_detail_is_dropped_not_refused():
    services.record(Action.EXPORT, target="清单", detail={"filter": "a\x00b"})
    assert AuditEntry.objects.get(target="清单").detail == {"filter": "ab"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_build_one_unbroken_chain():
    """Eight threads recording at once (each its own connection, committing): no seq twice, no fork."""
    errors = []

    def writer(n):
        try:
            for i in range(10):
                services.record(Action.EXPORT, target=f"线程{n}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEntry.objects.filter(seq__isnull=True).count() == 0
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 81))
    result = services.verify()
    assert result.ok and result.count == 80
