"""SQLite writers of one process queue on a lock from BEGIN to COMMIT/ROLLBACK (tuijin.core.sqlite), so a
writer is woken as soon as the one before it ends instead of sleeping in SQLite's busy handler."""

import threading
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, connections, transaction
from django.utils import timezone

from tuijin.core.sqlite.base import writer_lock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's one write lock"),
]


def lock():
    return writer_lock(connection.settings_dict["NAME"])


def add_session(key: str) -> None:
    Session.objects.create(session_key=key, session_data="x", expire_date=timezone.now() + timedelta(days=1))


def test_a_transaction_holds_the_lock_until_it_commits():
    assert not lock().locked()
    with transaction.atomic():
        assert lock().locked()
        add_session("held-1")
        with transaction.atomic():  # a savepoint takes nothing more
            add_session("held-2")
        assert lock().locked()
    assert not lock().locked()
    assert Session.objects.filter(session_key__startswith="held-").count() == 2


def test_a_rollback_releases_the_lock_and_writes_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        add_session("rolled-back")
        raise RuntimeError("refused")
    assert not lock().locked()
    assert not Session.objects.filter(session_key="rolled-back").exists()


def test_closing_a_connection_inside_a_transaction_releases_the_lock():
    done = []

    def work():
        try:
            transaction.atomic().__enter__()  # never left: the thread's connection is closed instead
            add_session("closed")
            connections["default"].close()
            done.append(True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=60)
    assert done == [True]
    assert not lock().locked()
    assert not Session.objects.filter(session_key="closed").exists()


def test_a_second_writer_waits_for_the_first_and_then_writes():
    first_in, first_may_end = threading.Event(), threading.Event()
    order, errors = [], []

    def first():
        try:
            with transaction.atomic():
                add_session("first")
                first_in.set()
                assert first_may_end.wait(timeout=60)
                order.append("first")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    def second():
        try:
            with transaction.atomic():
                order.append("second")
                add_session("second")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(timeout=60)
    b = threading.Thread(target=second)
    b.start()
    b.join(timeout=0.5)
    assert b.is_alive() and order == [], "the second writer began while the first held the lock"
    first_may_end.set()
    a.join(timeout=60)
    b.join(timeout=60)
    assert errors == []
    assert order == ["first", "second"]
    assert set(Session.objects.values_list("session_key", flat=True)) >= {"first", "second"}


def test_many_writers_at_once_all_write_without_database_is_locked():
    errors = []
    start = threading.Barrier(12)

    def work(number: int):
        try:
            start.wait(timeout=60)
            for step in range(5):
                with transaction.atomic():
                    add_session(f"burst-{number}-{step}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Session.objects.filter(session_key__startswith="burst-").count() == 60
    assert not lock().locked()
