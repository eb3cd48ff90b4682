"""Django's SQLite backend, with the writers of one process queued on a lock instead of SQLite's busy handler.

SQLite has one write lock per database. Tuijin begins every transaction IMMEDIATE (settings.py), so a
transaction takes that lock at BEGIN, and a second writer waits in SQLite's busy handler: it sleeps
1, 2, 5 … 100 ms between tries and is not queued, so at a reporting deadline (16 clerks handing in at
once) a writer that came early can lose to later ones again and again — a few submits waited 2–3 s
while the median waited 0.2 s (docs/benchmarks.md, the reporting bench).

Here the threads of one process wait for each other on a lock held from BEGIN to COMMIT/ROLLBACK
— exactly as long as SQLite's own write lock is held, so nothing is serialised that was not already —
and a thread is woken the moment the writer before it ends, without sleeping. Between processes
(several gunicorn workers) SQLite's busy handler still decides, as before. The wait is bounded by the
connection's `timeout` option; past it the transaction begins anyway and SQLite's busy handler
answers as it always did ("database is locked" after its own timeout).

Only for transactions that begin IMMEDIATE or EXCLUSIVE on a database file: a DEFERRED transaction
may only read, and an in-memory database belongs to one connection.
"""

from __future__ import annotations

import os
import threading

from django.db.backends.sqlite3 import base

_guard = threading.Lock()
_writers: dict[str, threading.Lock] = {}


def writer_lock(name: str) -> threading.Lock:
    """The process's lock for the database file `name` (one per file, made on first use)."""
    with _guard:
        lock = _writers.get(name)
        if lock is None:
            lock = _writers[name] = threading.Lock()
        return lock


def _forget_locks() -> None:
    # A child forked while a thread of the parent held a lock would inherit it held, with no thread
    # left to release it: the child starts with none.
    global _guard, _writers
    _guard, _writers = threading.Lock(), {}


os.register_at_fork(after_in_child=_forget_locks)


class DatabaseWrapper(base.DatabaseWrapper):
    _writer: threading.Lock | None = None  # the lock this connection holds, while it holds one

    def _queues_writers(self) -> bool:
        return self.transaction_mode in {"IMMEDIATE", "EXCLUSIVE"} and not self.is_in_memory_db()

    def _start_transaction_under_autocommit(self):
        if self._writer is None and self._queues_writers():
            lock = writer_lock(self.settings_dict["NAME"])
            timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
            if lock.acquire(timeout=timeout):
                self._writer = lock
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        lock, self._writer = self._writer, None
        if lock is not None:
            lock.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            # After COMMIT; a COMMIT that failed leaves the transaction open until its ROLLBACK.
            if self.connection is None or not self.connection.in_transaction:
                self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
