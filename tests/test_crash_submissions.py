"""Many phones submit check-ins, retrying until they get an answer, while
the web server (and, on PostgreSQL, the database server) is killed with
SIGKILL at random moments and started again. Afterwards every check-in
that was acknowledged with a 2xx exists exactly once, every alert it should
raise exists once and was emailed once, and SQLite's integrity check is ok.
This is the short form CI runs; CRASH_SECONDS makes it longer."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.pg_server import ThrowawayPostgres, free_port
from tests.processes import ONCOPRO, ROOT, SCENARIO, process_env, run
from tests.smtp import smtp_server

SECONDS = float(os.getenv("CRASH_SECONDS", "20"))
PHONES = 8
ANSWERS = [
    {"fatigue": {"severity": 1}},
    {"pain": {"severity": 2}, "temperature_c": 36.9},
    {"temperature_c": 38.4},  # fever on capecitabine: urgent, an alert
]


@dataclass
class Tally:
    submitted: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # id -> patient
    lock: threading.Lock = field(default_factory=threading.Lock)


class WebServer:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*ONCOPRO, "serve", "--workers", "2"],
            env={**self.env, "HOST": "127.0.0.1", "PORT": str(self.port)},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: master and workers
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # serving again (the phones keep retrying)
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("the web server did not come back")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@pytest.fixture
def crash_database(
    tmp_path: Path, expected_vendor: str
) -> Iterator[tuple[str, ThrowawayPostgres | None]]:
    if expected_vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}", None
        return
    # Its own server, as durable as a production one: this one gets killed.
    server = ThrowawayPostgres(durable=True).start()
    try:
        s = server.django_settings("postgres")
        yield f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/postgres", server
    finally:
        server.stop()


def phone(base: str, patients: list[tuple[str, str]], tally: Tally, until: float) -> None:
    rng = random.Random()
    while time.monotonic() < until:
        patient_id, token = rng.choice(patients)
        report_id = str(uuid.uuid4())
        body: dict[str, Any] = {
            "id": report_id,
            "reporter": "patient",
            "answers": rng.choice(ANSWERS),
        }
        with tally.lock:
            tally.submitted += 1
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:  # retry the same report until it is answered
            try:
                response = requests.post(
                    f"{base}/api/v1/patients/{patient_id}/checkins",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=10,
                )
            except requests.RequestException:
                time.sleep(0.2)
                continue
            if response.status_code in (200, 201):
                with tally.lock:
                    tally.acknowledged[report_id] = patient_id
                break
            assert response.status_code >= 500, (response.status_code, response.text)
            time.sleep(0.2)


def test_nothing_acknowledged_is_lost_or_doubled_when_servers_die(
    crash_database: tuple[str, ThrowawayPostgres | None], tmp_path: Path, settings
) -> None:
    database_url, postgres = crash_database
    env = process_env(database_url, tmp_path, LOG_LEVEL="WARNING")
    assert run([*ONCOPRO, "migrate", "--no-input"], env).returncode == 0
    made = run([*SCENARIO, "phones"], env)
    assert made.returncode == 0, made.stderr
    patients = [(p[0], p[1]) for p in json.loads(made.stdout)]

    web = WebServer(env)
    web.start()
    tally = Tally()
    until = time.monotonic() + SECONDS
    phones = [
        threading.Thread(
            target=phone, args=(f"http://127.0.0.1:{web.port}", patients, tally, until)
        )
        for _ in range(PHONES)
    ]
    for thread in phones:
        thread.start()
    kills = {"web": 0, "database": 0}
    rng = random.Random(20261125)
    while time.monotonic() < until - 3:
        time.sleep(rng.uniform(1, 3))  # a while of normal work, then a crash
        if postgres is not None and sum(kills.values()) % 2 == 1:  # web, database, web...
            postgres.kill()
            kills["database"] += 1
            time.sleep(rng.uniform(0.2, 1))
            postgres.restart_after_crash()
        else:
            web.kill()
            kills["web"] += 1
            time.sleep(rng.uniform(0.1, 0.8))
            web.start()
    for thread in phones:
        thread.join(timeout=90)
    web.kill()

    # Afterwards: the worker opens the alerts and sends their emails.
    with smtp_server(settings) as inbox:
        port = settings.MAILERS["default"]["OPTIONS"]["port"]
        mail = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "EMAIL_USE_TLS": "false"}
        for _ in range(2):
            done = run([*ONCOPRO, "worker", "--batch"], {**env, **mail})
            assert done.returncode == 0, done.stderr
        time.sleep(0.5)
    check = run([*SCENARIO, "stored"], env)
    assert check.returncode == 0, check.stderr
    stored = json.loads(check.stdout)
    ids = stored["ids"]
    acknowledged = set(tally.acknowledged)
    lost = acknowledged - set(ids)
    duplicates = len(ids) - len(set(ids))
    print(
        f"\ncrash test ({'postgres' if postgres else 'sqlite'}, {SECONDS:.0f} s, {PHONES} phones,"
        f" kills: {kills['web']} web server, {kills['database']} database):"
        f" submitted {tally.submitted}, acknowledged {len(acknowledged)}, stored {len(ids)},"
        f" duplicates {duplicates}, lost {len(lost)}; alerts {stored['alerts']},"
        f" emails {len(inbox.messages)} for {stored['sent']} notifications"
    )
    assert kills["web"] >= 1
    assert postgres is None or kills["database"] >= 1
    assert sum(kills.values()) >= 2
    assert len(acknowledged) > 20
    assert not lost
    assert duplicates == 0
    assert stored["waiting"] == 0
    assert stored["outbox"] == stored["needing"]  # every report needing the team has its row
    assert stored["alerts"] >= 1
    assert stored["sent"] == stored["messages"] == len(inbox.messages)
    if postgres is None:
        db = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
