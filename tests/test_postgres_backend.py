"""The PostgreSQL backend checks a kept connection without a query
(oncopro.db.postgres_backend), and still drops one the server has ended.

It runs on a throwaway PostgreSQL server of its own in both test runs: it is
about the backend, not about the database the rest of the suite uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import ConnectionHandler

from tests.pg_server import PostgresUnavailable, ThrowawayPostgres


@pytest.fixture(scope="module")
def server() -> Iterator[ThrowawayPostgres]:
    pg = ThrowawayPostgres()
    try:
        pg.start()
    except PostgresUnavailable as error:  # pragma: no cover - CI has the server
        pg.stop()
        pytest.fail(f"PostgreSQL is needed: {error}")
    yield pg
    pg.stop()


@pytest.fixture(autouse=True)
def _own_server_allowed(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():  # not the suite's database: a server of this module's
        yield


def kept_connection(server: ThrowawayPostgres) -> Any:
    """A connection as the web server has it: kept, health-checked."""
    settings = {
        **server.django_settings("postgres"),
        "ENGINE": "oncopro.db.postgres_backend",
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }
    return ConnectionHandler({"default": settings})["default"]


def backend_pid(connection: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def last_query_of(server: ThrowawayPostgres, pid: int) -> str:
    other = kept_connection(server)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
            return str(cursor.fetchone()[0])
    finally:
        other.close()


def end_from_elsewhere(server: ThrowawayPostgres, pid: int) -> None:
    """As an administrator (or a restart) would: the server ends it."""
    other = kept_connection(server)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def next_request(connection: Any) -> None:
    """What Django does at the start of a request, then its first query."""
    connection.close_if_unusable_or_obsolete()
    connection.ensure_connection()


def test_a_live_kept_connection_is_used_without_a_query(server: ThrowawayPostgres) -> None:
    connection = kept_connection(server)
    try:
        pid = backend_pid(connection)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 'the last query before the check'")
        assert connection.is_usable()
        next_request(connection)
        assert last_query_of(server, pid) == "SELECT 'the last query before the check'"
        assert backend_pid(connection) == pid  # the same connection, kept
    finally:
        connection.close()


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(
    server: ThrowawayPostgres,
) -> None:
    connection = kept_connection(server)
    try:
        pid = backend_pid(connection)
        end_from_elsewhere(server, pid)
        deadline = time.monotonic() + 5
        while connection.is_usable() and time.monotonic() < deadline:
            time.sleep(0.01)  # the server's goodbye is on its way
        assert not connection.is_usable()
        next_request(connection)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # no error: a new connection
        assert backend_pid(connection) != pid
    finally:
        connection.close()


def test_a_closed_connection_is_not_usable(server: ThrowawayPostgres) -> None:
    connection = kept_connection(server)
    assert not connection.is_usable()  # never opened
    connection.ensure_connection()
    assert connection.is_usable()
    connection.connection.close()
    assert not connection.is_usable()
    connection.close()


def prepared_statements(connection: Any) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [str(row[0]) for row in cursor.fetchall()]


def run_often(connection: Any, times: int) -> None:
    for number in range(times):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::int + 1 AS next_number", [number])
            assert cursor.fetchone()[0] == number + 1


def test_a_statement_sent_again_and_again_is_prepared(server: ThrowawayPostgres) -> None:
    """PostgreSQL plans it once per connection instead of on every call."""
    connection = kept_connection(server)
    try:
        run_often(connection, 2)
        assert not any("next_number" in sql for sql in prepared_statements(connection))
        run_often(connection, 6)
        assert any("next_number" in sql for sql in prepared_statements(connection))
    finally:
        connection.close()


def test_prepared_statements_can_be_turned_off_for_a_pooler(server: ThrowawayPostgres) -> None:
    """What settings.py sets for DATABASE_PREPARED_STATEMENTS=off wins."""
    settings = {
        **server.django_settings("postgres"),
        "OPTIONS": {"server_side_binding": False, "prepare_threshold": None},
    }
    connection = ConnectionHandler({"default": settings})["default"]
    try:
        run_often(connection, 8)
        assert prepared_statements(connection) == []
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("off", {"server_side_binding": False, "prepare_threshold": None}), ("", {})],
)
def test_settings_turn_prepared_statements_off_by_environment(
    value: str, expected: dict[str, Any], tmp_path: Path
) -> None:
    """Read in a process of its own, as a server starts."""
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://someone@127.0.0.1:5432/somewhere",
        "DATABASE_PREPARED_STATEMENTS": value,
        "ONCOPRO_DATA_DIR": str(tmp_path),
    }
    show = (
        "import json, oncopro.settings as s; d = s.DATABASES['default'];"
        "print(json.dumps([d['ENGINE'], d.get('OPTIONS', {})]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", show], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == ["oncopro.db.postgres_backend", expected]
