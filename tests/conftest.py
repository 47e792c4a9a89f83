"""Test set-up: which database, the personas, and the browser.

`pytest --db=sqlite` (the default) or `pytest --db=postgres`; `make test`
runs both. For PostgreSQL the harness starts a throwaway server from the
installed binaries and stops it at the end. Under CI=true a missing server
is a failure, never a skip.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import TransactionTestCase

from oncopro.accounts.audit_purge import audit_purge_allowed
from tests.browser import browser, page  # noqa: F401 - fixtures
from tests.personas import World, make_world
from tests.pg_server import PostgresUnavailable, ThrowawayPostgres
from tests.processes import new_database_url  # noqa: F401 - fixture

# Playwright's sync API runs an event loop in the test's thread; the ORM
# calls the tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="Database to run the tests on (a throwaway PostgreSQL server for 'postgres').",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.config.getoption("--db") != "postgres":
        # A file, not Django's shared in-memory database: the live server,
        # the task worker and the test each get their own connection, with
        # WAL and busy waits, as in production. (Threads sharing one
        # in-memory database fail with "database table is locked".)
        with tempfile.TemporaryDirectory(prefix="oncopro-test-") as folder:
            settings.DATABASES["default"]["TEST"]["NAME"] = str(Path(folder) / "test.sqlite3")
            yield
        return
    server = ThrowawayPostgres()
    try:
        server.start()
    except PostgresUnavailable as error:
        server.stop()
        if os.getenv("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is needed in CI: {error}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {error}")
    # Django made its connection object from the SQLite settings at start-up:
    # drop it, so this thread and every other one connect to PostgreSQL.
    connections.close_all()
    pg = connections.configure_settings({"default": server.django_settings()})["default"]
    settings.DATABASES["default"] = pg
    del connections["default"]
    try:
        yield
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Argon2 is the real hasher (tests/test_settings.py proves it); tests that
    # make dozens of accounts use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Emptying the database between transactional tests (live-server and browser
# tests) must get past the audit log's append-only triggers, deliberately.
_original_teardown = TransactionTestCase._fixture_teardown  # type: ignore[attr-defined]


def _teardown_with_audit_purge(self: TransactionTestCase) -> None:
    with audit_purge_allowed():
        _original_teardown(self)


TransactionTestCase._fixture_teardown = _teardown_with_audit_purge  # type: ignore[attr-defined]


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    # Keep each phase's report on the test, so fixtures can see a failure.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def expected_vendor(request: pytest.FixtureRequest) -> str:
    return {"sqlite": "sqlite", "postgres": "postgresql"}[request.config.getoption("--db")]
