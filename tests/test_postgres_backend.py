"""The PostgreSQL backend checks a kept connection without a query
(oncopro.ops.postgres_backend), and still drops one the server has ended.

It runs on a throwaway PostgreSQL server of its own in both test runs: it is
about the backend, not about the database the rest of the suite uses."""

from __future__ import annotations

import time
from collections.abc import Iterator
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
        "ENGINE": "oncopro.ops.postgres_backend",
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
