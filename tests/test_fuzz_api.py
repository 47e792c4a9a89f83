"""Fuzzing the JSON API with schemathesis against the live server's own
OpenAPI schema, every check on: no 5xx, every response as the schema says,
and afterwards no patient name or detail in the logs."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from oncopro.accounts.actions import create_api_token
from oncopro.accounts.audit import Actor
from oncopro.checkins.actions import submit_checkin
from tests.personas import BY, make_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_schemathesis_finds_nothing_and_the_logs_name_nobody(
    live_server, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    world = make_world()
    submit_checkin(
        world.alice,
        author=world.alice.user,
        client_id=uuid.uuid4(),
        answers={"temperature_c": 38.4, "pain": {"severity": 2, "location": "left hip"}},
        by=BY,
    )
    token, _ = create_api_token(world.alice.user, "fuzz", by=Actor.system("test"))
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f'headers = {{ Authorization = "Bearer {token}" }}\n'
        "[parameters]\n"
        f'"path.patient_id" = "{world.alice.public_id}"\n'
        # A check-in valid by the schema may still be refused, with 422, for
        # what no schema can say: dated in the future by the clinic's clock,
        # or before she joined the program.
        "[checks.positive_data_acceptance]\n"
        'expected-statuses = ["200", "201", "401", "403", "404", "409", "422"]\n'
    )
    caplog.set_level(logging.DEBUG)
    done = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
         f"{live_server.url}/api/v1/openapi.json", "--checks", "all",
         "--max-examples", "30", "--seed", "20261125", "--workers", "1", "--max-time", "45",
         "--request-timeout", "20"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    summary = re.findall(r"^.*(?:passed|failed|errored).*$", done.stdout, re.MULTILINE)
    print("\n".join(summary[-3:]))
    assert done.returncode == 0, done.stdout[-6000:]
    assert "5xx" not in done.stdout
    logged = caplog.text
    assert logged  # the server did log the fuzzing
    secrets = ("Alice", "alice.example@example.org", "1966-03-14", "left hip", "capecitabine")
    for secret in secrets:
        assert secret not in logged, secret
