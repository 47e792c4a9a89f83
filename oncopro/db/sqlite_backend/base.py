"""Django's SQLite backend, with write transactions queued by the kernel.

SQLite lets one connection write at a time. A writer that finds the database
locked sleeps and tries again (after 1, 2, 5, 10 ... 100 ms), so under load
the lock is often free while every writer waiting for it sleeps: on the
submission benchmark a quarter of the two cores sat idle. Here each write
transaction (settings give every transaction `BEGIN IMMEDIATE`) first takes
an exclusive lock on a file next to the database; the kernel hands it to the
next waiting process the moment it is released. SQLite's own lock still
guards the data: this only puts the writers in a queue. A write outside a
transaction (a single autocommit INSERT, UPDATE or DELETE, such as a token's
time of last use) joins the queue for that one statement: left outside, it
waited on SQLite's lock with SQLite's back-off, and a submission whose
token was stale took 330 ms and more at 10 clients (p99 up to 764 ms).
Nothing waits for the queue while holding SQLite's lock, so the two locks
cannot deadlock. A killed process's lock is released by the kernel.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Callable
from typing import Any

from django.db.backends.sqlite3 import base

logger = logging.getLogger(__name__)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue_fd: int | None = None
        self._queue_pid = 0
        self._in_queue = False

    def _queue_path(self) -> str | None:
        name = str(self.settings_dict["NAME"] or "")
        if not name or name == ":memory:" or name.startswith("file:"):
            return None  # an in-memory database has one connection: no queue
        return f"{name}-writers.lock"

    def _join_queue(self) -> None:
        if self._queue_fd is None or self._queue_pid != os.getpid():
            # Opened by this process: a descriptor inherited through fork
            # shares its lock with the parent, and would not queue.
            path = self._queue_path()
            if path is None:
                return
            try:
                self._queue_fd = _open_lock_file(path)
            except OSError as error:
                # The queue only speeds writers up: without it SQLite's own
                # lock still keeps the data safe, so writes go on, and the
                # admin is told once why they may wait longer.
                _warn_once(path, error)
                return
            self._queue_pid = os.getpid()
        fcntl.flock(self._queue_fd, fcntl.LOCK_EX)
        self._in_queue = True

    def _leave_queue(self) -> None:
        if self._in_queue and self._queue_fd is not None:
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)
        self._in_queue = False

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=lambda db: _QueuedCursor(db, self))

    def _queue_for_one_statement(self, query: str) -> bool:
        """An autocommit write: one statement that is its own transaction."""
        return (
            not self._in_queue
            and not self.connection.in_transaction
            and query.lstrip()[:6].upper() in _WRITES
        )

    def _start_transaction_under_autocommit(self) -> None:
        self._join_queue()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._leave_queue()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class _QueuedCursor(base.SQLiteCursorWrapper):
    """Django's cursor; a write outside a transaction takes its turn."""

    def __init__(self, db: Any, wrapper: DatabaseWrapper) -> None:
        super().__init__(db)
        self._wrapper = wrapper

    def execute(self, query: str, params: Any = None) -> Any:
        return self._in_turn(query, super().execute, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        return self._in_turn(query, super().executemany, param_list)

    def _in_turn(self, query: str, run: Callable[[str, Any], Any], params: Any) -> Any:
        if not self._wrapper._queue_for_one_statement(query):
            return run(query, params)
        self._wrapper._join_queue()
        try:
            return run(query, params)
        finally:
            self._wrapper._leave_queue()


def _open_lock_file(path: str) -> int:
    """Opened (made if need be) with the database file's own permissions, as
    SQLite gives its -wal and -shm files: whoever may write the database may
    join the queue, whatever the umask."""
    try:
        mode = os.stat(path.removesuffix("-writers.lock")).st_mode & 0o666
    except OSError:
        mode = 0o644
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, mode)
    with contextlib.suppress(PermissionError):  # another user's file, still usable
        os.fchmod(fd, mode)
    return fd


_warned: set[str] = set()


def _warn_once(path: str, error: OSError) -> None:
    if path not in _warned:
        _warned.add(path)
        logger.warning(
            "SQLite writers' queue file %s cannot be opened (%s): writes go on without "
            "the queue. Give the user running OncoPRO write access to it.",
            path,
            error.strerror,
        )
