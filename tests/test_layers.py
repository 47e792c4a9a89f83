"""The one-way flow is checked, and the check can fail: a copy of the code
with one upward import planted in it breaks the contract that forbids it.
(`make lint` runs the same check, `lint-imports`, on the real tree.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_copy(tmp_path: Path, plant: tuple[str, str] | None = None) -> subprocess.CompletedProcess:
    """lint-imports on a copy of oncopro/ (with `plant`: a line added to one file)."""
    shutil.copytree(ROOT / "oncopro", tmp_path / "oncopro", ignore=shutil.ignore_patterns("static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    if plant is not None:
        path, line = plant
        target = tmp_path / "oncopro" / path
        target.write_text(target.read_text() + f"\n{line}\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_real_layers_are_kept(tmp_path: Path) -> None:
    done = _lint_copy(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("plant", "broken"),
    [
        # An app reaching up into ops.
        (("care/models.py", "from oncopro.ops import backup  # noqa"), "Layers run one way"),
        # The ground floor reaching up into an app.
        (("db/faults.py", "from oncopro.care import models  # noqa"), "Layers run one way"),
        # clinical and db are apart from each other.
        (("clinical/result.py", "from oncopro.db import faults  # noqa"), "Layers run one way"),
        # Inside clinical: a leaf reaching back up (the old pack<->conditions circle).
        (
            ("clinical/conditions.py", "from oncopro.clinical import pack  # noqa"),
            "Inside clinical",
        ),
        # clinical stays pure Python.
        (("clinical/result.py", "import django.db  # noqa"), "clinical imports no Django"),
    ],
    ids=[
        "app-imports-ops",
        "db-imports-app",
        "clinical-imports-db",
        "conditions-imports-pack",
        "clinical-imports-django",
    ],
)
def test_a_planted_upward_import_breaks_the_check(
    tmp_path: Path, plant: tuple[str, str], broken: str
) -> None:
    done = _lint_copy(tmp_path, plant)
    assert done.returncode != 0
    assert f"{broken}" in done.stdout
    assert "BROKEN" in done.stdout
