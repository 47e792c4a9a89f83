"""What the figures were measured on, and how fast that machine was then.

The reference machine is shared: the same code measured an hour apart has
differed by 20% and more. `python_speed_ms` times one fixed piece of pure
Python work (best of several tries) so that runs can be compared: when it
is higher, everything else was slower too.
"""

from __future__ import annotations

import json
import os
import platform
import time


def describe() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def python_speed_ms(tries: int = 7) -> float:
    """Milliseconds for a fixed mix of dict, string and JSON work: lower is faster."""
    best = float("inf")
    for _ in range(tries):
        started = time.perf_counter()
        for n in range(2000):
            row = {"id": n, "name": f"patient {n}", "answers": {"pain": n % 5, "fatigue": [n, n]}}
            json.loads(json.dumps(row))
            sorted(str(n * 7919) for n in range(20))
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)
