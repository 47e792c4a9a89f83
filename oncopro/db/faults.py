"""Crash points for the crash tests: a process told (by the environment) to
die at a named point kills itself there with SIGKILL, as a power cut would.
Without ONCOPRO_CRASH_AT nothing happens."""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    if os.environ.get("ONCOPRO_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
