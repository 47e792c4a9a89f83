"""Check-in submission over real HTTP: gunicorn with several workers on
loopback, driven by wrk (Debian: apt-get install wrk) at 1, 10 and 50
concurrent clients. Every request is a new check-in (its own UUID) for one
of N patients, with a personal token, through the JSON API: validation,
triage with her history, the stored row, the alert outbox, the audit log.

    .venv/bin/python benchmarks/submit_http.py --db sqlite|postgres [--seconds 15]
        [--patients 2000] [--workers 4] [--clients 1 10 50] [--json out.json]

Prints a table (p50/p95/p99 latency, requests/s, errors) and the peak memory
(VmHWM) of each web worker and of the task worker after it has processed the
alerts the run raised. Loopback only; every server it starts, it stops.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe, python_speed_ms  # noqa: E402
from tests.pg_server import ThrowawayPostgres, free_port  # noqa: E402
from tests.pg_server import _children as all_children  # noqa: E402

CONCURRENCY = (1, 10, 50)
WRK = shutil.which("wrk") or "wrk"
LUA = r"""
local tokens = {}
local paths = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
  local path, token = line:match("([^ ]+) ([^ ]+)")
  paths[#paths + 1] = path
  tokens[#tokens + 1] = token
end
local bodies = {
  '{"temperature_c": 36.8, "fatigue": {"severity": 1}, "pain": {"severity": 1}}',
  '{"fatigue": {"severity": 2}, "nausea": {"frequency": 1, "severity": 1}}',
  '{"pain": {"severity": 3, "interference": 2}, "insomnia": {"frequency": 2}}',
  '{"temperature_c": 38.3, "shivering": {"present": true}}',
}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end
function init(args)
  math.randomseed(os.time() + seed * 7919)
end
local function uuid4()
  local t = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (t:gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end
function request()
  local i = math.random(#paths)
  local body = '{"id": "' .. uuid4() .. '", "reporter": "patient", "answers": '
    .. bodies[math.random(#bodies)] .. '}'
  return wrk.format("POST", paths[i], {
    ["Authorization"] = "Bearer " .. tokens[i],
    ["Content-Type"] = "application/json",
  }, body)
end
done = function(summary, latency, requests)
  local out = io.open(os.getenv("BENCH_OUT"), "w")
  out:write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, '
    .. '"max_ms": %.2f, "errors_status": %d, "errors_connect": %d, "errors_timeout": %d, '
    .. '"errors_read": %d, "errors_write": %d}',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect, summary.errors.timeout,
    summary.errors.read, summary.errors.write))
  out:close()
end
"""


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time these processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended (a PostgreSQL helper, say): its time is left out
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU time of this process's finished children (the load tool)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def database_pids(pg: ThrowawayPostgres | None) -> list[int]:
    if pg is None:
        return []  # SQLite runs inside the web workers
    postmaster = int((pg.datadir / "postmaster.pid").read_text().split()[0])
    return [postmaster, *all_children(postmaster)]


def prepare(env: dict[str, str], patients: int, folder: Path) -> Path:
    """Migrate, make the patients and their tokens (a separate process, so
    this one stays free of Django)."""
    subprocess.run(
        [sys.executable, "-m", "oncopro", "migrate", "-v0"], env=env, check=True, cwd=ROOT
    )
    tokens = folder / "tokens.txt"
    script = f"""
import django, datetime as dt
django.setup()
from django.conf import settings
# Made-up patients who never sign in with a password: a fast hasher keeps
# the set-up of thousands of them to seconds (the server uses Argon2).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from oncopro.accounts.actions import create_api_token
from oncopro.accounts.audit import Actor
from tests.personas import make_clinic, make_team, make_patient, make_clinician
from oncopro.care import actions
by = Actor.system("bench")
clinic = make_clinic("Bench Clinic")
team = make_team(clinic, "Bench Oncology")
nurse = make_clinician("Bench Nurse", team)
actions.set_on_call_list(team, [nurse], by=by)
lines = []
for n in range({patients}):
    patient = make_patient(f"Bench Patient{{n}}", team, therapies=("capecitabine",))
    token, _ = create_api_token(patient.user, "bench", by=by)
    lines.append(f"/api/v1/patients/{{patient.public_id}}/checkins {{token}}")
open({str(tokens)!r}, "w").write("\\n".join(lines) + "\\n")
"""
    subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "oncopro.settings"},
        check=True,
        cwd=ROOT,
    )
    return tokens


def run(
    db: str, seconds: int, patients: int, workers: int, concurrency: list[int]
) -> dict[str, Any]:
    pg = None
    with tempfile.TemporaryDirectory(prefix="oncopro-bench-") as name:
        folder = Path(name)
        env = {**os.environ, "ONCOPRO_DATA_DIR": str(folder), "LOG_LEVEL": "WARNING"}
        env.pop("DATABASE_URL", None)
        if db == "postgres":
            # Durable, as a clinic's server must be (fsync and synchronous
            # commit on): the test suite's fast settings would flatter it.
            pg = ThrowawayPostgres(durable=True).start()
            settings = pg.django_settings("postgres")
            env["DATABASE_URL"] = (
                f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/postgres"
            )
        server = worker = None
        try:
            tokens = prepare(env, patients, folder)
            port = free_port()
            server = subprocess.Popen(
                [sys.executable, "-m", "oncopro", "serve", "--workers", str(workers)],
                env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_for_port(port)
            script = folder / "submit.lua"
            script.write_text(LUA)
            rows = []
            for clients in concurrency:
                out = folder / f"wrk-{clients}.json"
                # CPU used per request, by the server, the database and the
                # load tool: steadier than latency on a shared machine, and it
                # shows which of them the time goes to.
                workers_before = cpu_seconds(children(server.pid))
                database_before = cpu_seconds(database_pids(pg))
                load_before = children_cpu_seconds()
                subprocess.run(
                    [WRK, "-t", str(min(clients, 4)), "-c", str(clients), "-d", f"{seconds}s",
                     "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}"],
                    env={**env, "BENCH_TOKENS": str(tokens), "BENCH_OUT": str(out)},
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                result = json.loads(out.read_text())
                result["clients"] = clients
                result["per_second"] = round(result["requests"] / result["seconds"], 1)
                spent = {
                    "server": cpu_seconds(children(server.pid)) - workers_before,
                    "database": cpu_seconds(database_pids(pg)) - database_before,
                    "load_tool": children_cpu_seconds() - load_before,
                }
                for part, seconds_ in spent.items():
                    result[f"cpu_ms_{part}"] = round(1000 * seconds_ / result["requests"], 2)
                rows.append(result)
            web_peaks = [round(peak_rss_mb(pid), 1) for pid in children(server.pid)]
            # The task worker opens the alerts the run raised and "sends" their
            # emails (console), then stops: its peak memory after real work.
            started = time.monotonic()
            worker = subprocess.Popen(
                [sys.executable, "-c",
                 "import sys; sys.argv=['oncopro','worker','--batch']; "
                 "from oncopro.cli import main; main()"],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            worker_peak = 0.0
            while worker.poll() is None:
                worker_peak = max(worker_peak, peak_rss_mb(worker.pid))
                time.sleep(0.05)
            worker_seconds = time.monotonic() - started
            return {
                "db": db,
                "workers": workers,
                "patients": patients,
                "seconds_each": seconds,
                "rows": rows,
                "web_worker_peak_mb": web_peaks,
                "task_worker_peak_mb": round(worker_peak, 1),
                "task_worker_seconds": round(worker_seconds, 1),
            }
        finally:
            for process in (server, worker):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(timeout=30)
            if pg is not None:
                pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=15)
    # With 2,000 patients each has about ten check-ins in her history window by
    # the end of a run, as after 12 weeks of weekly reports; with 200, each
    # had ~70 (one every half second), which no patient has and every
    # submission read and parsed.
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--clients", type=int, nargs="+", default=list(CONCURRENCY),
        help="concurrent clients, one run each (default: 1 10 50)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    speed_before = python_speed_ms()
    result = run(args.db, args.seconds, args.patients, args.workers, args.clients)
    result["machine"] = describe()
    result["python_speed_ms"] = [speed_before, python_speed_ms()]
    print(
        f"Check-in submission over HTTP ({args.db}, gunicorn x{args.workers}, {result['machine']})"
    )
    print(
        f"{'clients':>8} {'requests':>9} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>7}   CPU ms per request: server / database / load tool"
    )
    for row in result["rows"]:
        errors = sum(v for k, v in row.items() if k.startswith("errors_"))
        print(
            f"{row['clients']:>8} {row['requests']:>9} {row['per_second']:>8} {row['p50_ms']:>8} "
            f"{row['p95_ms']:>8} {row['p99_ms']:>8} {errors:>7}   "
            f"{row['cpu_ms_server']:.2f} / {row['cpu_ms_database']:.2f} / "
            f"{row['cpu_ms_load_tool']:.2f}"
        )
    print(f"machine speed: a fixed piece of Python took {result['python_speed_ms'][0]} ms "
          f"before and {result['python_speed_ms'][1]} ms after (lower is faster)")  # fmt: skip
    print(f"peak memory: web workers {result['web_worker_peak_mb']} MB; task worker "
          f"{result['task_worker_peak_mb']} MB (processed the run's alerts in "
          f"{result['task_worker_seconds']} s)")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
