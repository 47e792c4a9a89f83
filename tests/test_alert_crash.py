"""The worker is killed (SIGKILL) right after it committed the alert and
before it sent anything; after a restart the alert is notified exactly once.

Real processes against a real database file (SQLite) or a real database on
the throwaway PostgreSQL server, and a real SMTP server."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path

from tests.processes import ONCOPRO, SCENARIO, process_env, run
from tests.smtp import smtp_server


def test_a_worker_killed_after_commit_notifies_exactly_once_after_restart(
    new_database_url: Callable[[], str], tmp_path: Path, settings
) -> None:
    database_url = new_database_url()
    with smtp_server(settings) as inbox:
        port = settings.MAILERS["default"]["OPTIONS"]["port"]
        env = process_env(
            database_url,
            tmp_path,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(port),
            EMAIL_USE_TLS="false",
        )
        oncopro, scenario = ONCOPRO, SCENARIO

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
