"""The SQLite backend queues write transactions on a lock file (oncopro.db.sqlite_backend).

It runs on its own SQLite file in both test runs: it is about the backend,
not about the database the rest of the suite uses."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler

ROOT = Path(__file__).resolve().parent.parent


def sqlite_settings(path: Path) -> dict[str, object]:
    return {
        "ENGINE": "oncopro.db.sqlite_backend",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000",
            "transaction_mode": "IMMEDIATE",
        },
    }


def own_connection(path: Path):
    """A connection of its own to that file, apart from the suite's database."""
    return ConnectionHandler({"default": sqlite_settings(path)})["default"]


def queue_is_free(path: Path) -> bool:
    """Could another writer join now? (A separate open: flock locks belong
    to the open file, so this conflicts even within one process.)"""
    fd = os.open(f"{path}-writers.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


@pytest.fixture(autouse=True)
def _own_database_allowed(django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():  # not the suite's database: a file of this test's
        yield


def test_a_write_transaction_holds_the_queue_until_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    connection = own_connection(path)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
    assert queue_is_free(path)  # a single autocommit statement does not queue
    for end in (connection.commit, connection.rollback):
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO counter VALUES (1)")
        assert not queue_is_free(path)  # held from BEGIN ...
        end()
        connection.set_autocommit(True)
        assert queue_is_free(path)  # ... to COMMIT or ROLLBACK
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM counter")
        assert cursor.fetchone() == (1,)  # committed once, rolled back once
    connection.close()


def test_a_write_outside_a_transaction_takes_its_turn_and_a_read_does_not(
    tmp_path: Path,
) -> None:
    path = tmp_path / "queue.sqlite3"
    connection = own_connection(path)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    assert queue_is_free(path)  # left after the statement
    held = os.open(f"{path}-writers.lock", os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)  # another writer's turn
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n FROM counter")  # a read does not wait
            assert cursor.fetchone() == (0,)

        def update() -> None:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE counter SET n = n + 1")

        connection.inc_thread_sharing()  # the writer runs in a thread of its own
        writer = threading.Thread(target=update)
        writer.start()
        writer.join(timeout=0.5)
        assert writer.is_alive()  # waits for its turn
    finally:
        fcntl.flock(held, fcntl.LOCK_UN)
        os.close(held)
    writer.join(timeout=10)
    assert not writer.is_alive()
    connection.dec_thread_sharing()
    assert queue_is_free(path)
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone() == (1,)
    connection.close()


WRITER = """
import sys
import django
from django.conf import settings
settings.configure(DATABASES={"default": %r})
django.setup()
from django.db import connection, transaction
for _ in range(100):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT n FROM counter")
            (n,) = cursor.fetchone()
            cursor.execute("UPDATE counter SET n = %%s", [n + 1])
"""


def test_writers_in_four_processes_take_turns_without_losing_one(tmp_path: Path) -> None:
    """A read-then-write in each transaction: any overlap would lose counts,
    a deadlock between the queue and SQLite's lock would hang (timeout)."""
    path = tmp_path / "queue.sqlite3"
    connection = own_connection(path)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    script = WRITER % (sqlite_settings(path),)
    writers = [
        subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors.decode()[-2000:]
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone() == (400,)
    connection.close()


def test_the_queue_file_takes_the_database_files_permissions(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    connection = own_connection(path)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
    path.chmod(0o660)  # a group the service runs in may write it
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO counter VALUES (1)")
    connection.commit()
    connection.set_autocommit(True)
    assert (tmp_path / "queue.sqlite3-writers.lock").stat().st_mode & 0o777 == 0o660
    connection.close()


def test_writes_go_on_when_the_queue_file_cannot_be_opened(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The queue only speeds writers up; SQLite's own lock keeps the data safe."""
    path = tmp_path / "queue.sqlite3"
    (tmp_path / "queue.sqlite3-writers.lock").mkdir()  # cannot be opened as a file
    connection = own_connection(path)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
    for _ in range(2):
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO counter VALUES (1)")
        connection.commit()
        connection.set_autocommit(True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM counter")
        assert cursor.fetchone() == (2,)
    warnings = [r for r in caplog.records if "writers' queue file" in r.getMessage()]
    assert len(warnings) == 1  # said once, not at every write
    connection.close()
