"""Backup and restore: a backup taken while OncoPRO runs, restored into an
empty database, holds every record (SQLite online backup; pg_dump and
pg_restore on PostgreSQL). Real processes, real databases."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.processes import ONCOPRO, SCENARIO, process_env, run


def test_a_backup_restored_into_an_empty_database_has_every_record(
    new_database_url: Callable[[], str], tmp_path: Path
) -> None:
    source = process_env(new_database_url(), tmp_path)
    for step in (
        [*ONCOPRO, "migrate", "--no-input"],
        [*SCENARIO, "setup"],
        [*SCENARIO, "report"],
        [*SCENARIO, "alerts"],
        [*SCENARIO, "report"],
    ):
        done = run(step, source)
        assert done.returncode == 0, done.stderr
    backup_file = tmp_path / "backup.bin"
    done = run([*ONCOPRO, "backup", "--output", str(backup_file)], source)
    assert done.returncode == 0, done.stderr
    assert "Backed up to" in done.stdout

    target = process_env(new_database_url(), tmp_path)
    done = run([*ONCOPRO, "restore", str(backup_file)], target)
    assert done.returncode == 0, done.stderr

    def fingerprint(env: dict[str, str]) -> dict[str, object]:
        done = run([*SCENARIO, "fingerprint"], env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    before, after = fingerprint(source), fingerprint(target)
    assert before == after
    assert before["checkins.CheckIn"] == 2
    assert before["alerts.Alert"] == 1
    assert int(str(before["accounts.AuditEvent"])) > 10
    # The restored database is a working one: migrations are all there.
    done = run([*ONCOPRO, "migrate", "--check"], target)
    assert done.returncode == 0, done.stdout + done.stderr


def test_restore_refuses_a_database_that_is_not_empty(
    new_database_url: Callable[[], str], tmp_path: Path
) -> None:
    env = process_env(new_database_url(), tmp_path)
    assert run([*ONCOPRO, "migrate", "--no-input"], env).returncode == 0
    backup_file = tmp_path / "backup.bin"
    assert run([*ONCOPRO, "backup", "--output", str(backup_file)], env).returncode == 0
    done = run([*ONCOPRO, "restore", str(backup_file)], env)
    assert done.returncode == 1
    assert "The database is not empty" in done.stderr
    missing = run(
        [*ONCOPRO, "restore", str(tmp_path / "nope.bin")], process_env(new_database_url(), tmp_path)
    )
    assert "There is no backup file" in missing.stderr
