"""Backups: a consistent copy of the whole database while OncoPRO runs, and
putting one back.

SQLite: the online backup API (a consistent snapshot, even with writers
busy). PostgreSQL: pg_dump's custom format, and pg_restore. The database in
use is the one in DATABASE_URL, as everywhere else.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections


class BackupError(RuntimeError):
    """Something the person running the command can act on; the message says what."""


def _database() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def is_sqlite() -> bool:
    return connections["default"].vendor == "sqlite"


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise BackupError(f"{name} was not found. Install the PostgreSQL client tools.")
    return found


def _pg_args_and_env() -> tuple[list[str], dict[str, str]]:
    db = _database()
    args = ["--host", str(db.get("HOST") or "localhost"), "--username", str(db.get("USER") or "")]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def backup(destination: Path) -> Path:
    """Write a backup of the whole database to `destination`."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if destination.exists():
        raise BackupError(f"{destination} exists already. Choose a new file name.")
    if is_sqlite():
        source = sqlite3.connect(str(_database()["NAME"]))
        target = sqlite3.connect(str(destination))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return destination
    args, env = _pg_args_and_env()
    done = subprocess.run(  # noqa: S603 - our settings, no shell
        [_pg_tool("pg_dump"), *args, "--format=custom", "--file", str(destination),
         str(_database()["NAME"])],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return destination


def restore(source: Path) -> None:
    """Put a backup back into the database in use, which must be empty
    (freshly created, no tables): a restore never mixes two histories."""
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    connection = connections["default"]
    if connection.introspection.table_names():
        raise BackupError(
            "The database is not empty. Restore into a new, empty database "
            "(create it, point DATABASE_URL at it, and run restore again)."
        )
    connection.close()
    if is_sqlite():
        backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if backup_file.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is damaged (SQLite integrity check failed).")
            target = sqlite3.connect(str(_database()["NAME"]))
            try:
                with target:
                    backup_file.backup(target)
            finally:
                target.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not an OncoPRO SQLite backup ({error}).") from None
        finally:
            backup_file.close()
        return
    args, env = _pg_args_and_env()
    done = subprocess.run(  # noqa: S603 - our settings, no shell
        [_pg_tool("pg_restore"), *args, "--no-owner", "--exit-on-error",
         "--dbname", str(_database()["NAME"]), str(source)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
