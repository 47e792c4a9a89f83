"""The worker is killed (SIGKILL) right after it committed the alert and
before it sent anything; after a restart the alert is notified exactly once.

Real processes against a real database file (SQLite) or a real database on
the throwaway PostgreSQL server, and a real SMTP server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings as django_settings

from tests.smtp import smtp_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def database_url(tmp_path: Path, expected_vendor: str) -> str:
    if expected_vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    db = django_settings.DATABASES["default"]
    name = f"crash_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def run(argv: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False, **kwargs
    )


def test_a_worker_killed_after_commit_notifies_exactly_once_after_restart(
    database_url: str, tmp_path: Path, settings
) -> None:
    with smtp_server(settings) as inbox:
        port = settings.MAILERS["default"]["OPTIONS"]["port"]
        env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DATABASE_URL": database_url,
            "ONCOPRO_DATA_DIR": str(tmp_path),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_USE_TLS": "false",
        }
        oncopro = [sys.executable, "-m", "oncopro"]
        scenario = [sys.executable, "-m", "tests.crash_scenario"]

        def counts() -> dict[str, int]:
            done = run([*scenario, "counts"], env)
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout)

        for step in ([*oncopro, "migrate", "--no-input"], [*scenario, "setup"]):
            done = run(step, env)
            assert done.returncode == 0, done.stderr
        done = run([*scenario, "report"], env)
        assert done.returncode == 0, done.stderr
        assert counts() == {
            "checkins": 1, "outbox_waiting": 1, "alerts": 0, "messages": 0, "messages_sent": 0
        }  # fmt: skip

        crashed = run([*oncopro, "worker"], {**env, "ONCOPRO_CRASH_AT": "alert-committed"})
        assert crashed.returncode == -signal.SIGKILL, crashed.stderr
        assert counts() == {
            "checkins": 1, "outbox_waiting": 0, "alerts": 1, "messages": 1, "messages_sent": 0
        }  # fmt: skip
        assert inbox.messages == []  # it died before sending

        for _restart in range(2):  # restarted, and once more for good measure
            done = run([*oncopro, "worker", "--batch"], env)
            assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 5
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        assert counts() == {
            "checkins": 1, "outbox_waiting": 0, "alerts": 1, "messages": 1, "messages_sent": 1
        }  # fmt: skip
    assert [m["To"] for m in inbox.messages] == ["nadia.nurse@example.org"]
