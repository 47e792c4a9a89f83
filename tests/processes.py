"""For tests that run OncoPRO as real processes against a real database of
their own: a fresh SQLite file, or a fresh database on the throwaway
PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parent.parent
ONCOPRO = [sys.executable, "-m", "oncopro"]
SCENARIO = [sys.executable, "-m", "tests.crash_scenario"]


@pytest.fixture
def new_database_url(
    tmp_path: Path, expected_vendor: str, django_db_setup: None
) -> Callable[[], str]:
    """Call it for the URL of another new, empty database (on PostgreSQL, on
    the test run's throwaway server, which django_db_setup has started)."""

    def make() -> str:
        if expected_vendor == "sqlite":
            return f"sqlite:///{tmp_path / f'db-{uuid.uuid4().hex[:8]}.sqlite3'}"
        db = django_settings.DATABASES["default"]
        name = f"proc_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"

    return make


def process_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": database_url,
        "ONCOPRO_DATA_DIR": str(data_dir),
        **extra,
    }


def run(argv: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False, **kwargs
    )
