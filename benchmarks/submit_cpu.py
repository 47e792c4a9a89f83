"""CPU per check-in submission, in one process: the JSON API through Django's
test client (no HTTP, no load tool, no other process sharing the cores), so
the figure is steadier than a load test's and shows a few percent.

    .venv/bin/python benchmarks/submit_cpu.py [--db sqlite|postgres] [--submissions 400]
    .venv/bin/python benchmarks/submit_cpu.py --weigh KEEP_INSERT_TEXT [--runs 5]
    .venv/bin/python benchmarks/submit_cpu.py --tree DIR    (another checkout's code)

The first form prints the CPU ms per submission (after 100 not counted, so
every cache is warm). `--weigh SWITCH` runs the first form in fresh
processes, alternately with that off switch on and off, and prints the
medians and what the switch saves: the figure an off switch needs (at least
5% of a submission's CPU) to stay in the code.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

# The code measured: this checkout's, or another's (--tree, for an A/B).
ROOT = Path(__file__).resolve().parent.parent
if "--tree" in sys.argv:
    ROOT = Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()
sys.path.insert(0, str(ROOT))

from tests.pg_server import ThrowawayPostgres  # noqa: E402

WARM_UP = 100
ANSWERS = {"fatigue": {"severity": 2}, "nausea": {"frequency": 1, "severity": 1}}


def measure(submissions: int) -> float:
    """CPU ms per submission in this process (Django set up here)."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from oncopro.accounts.actions import create_api_token
    from oncopro.accounts.audit import Actor
    from tests.personas import make_clinic, make_patient, make_team

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    team = make_team(make_clinic("Bench Clinic"), "Bench Oncology")
    targets = []
    # 100 patients: by the end of a run each has about ten earlier check-ins
    # in her history window, as after ten weeks of weekly reports.
    for number in range(100):
        patient = make_patient(f"Bench Patient{number}", team, therapies=("capecitabine",))
        token, _ = create_api_token(patient.user, "bench", by=Actor.system("bench"))
        targets.append((f"/api/v1/patients/{patient.public_id}/checkins", token))
    client = Client()

    def submit(count: int) -> None:
        for number in range(count):
            path, token = targets[number % len(targets)]
            body = {"id": str(uuid.uuid4()), "reporter": "patient", "answers": ANSWERS}
            response = client.post(
                path, json.dumps(body), content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )  # fmt: skip
            if response.status_code != 201:
                raise SystemExit(f"submission refused: {response.status_code} {response.content!r}")

    submit(WARM_UP)
    start = time.process_time()
    submit(submissions)
    return 1000 * (time.process_time() - start) / submissions


def one_run(db: str, submissions: int, env: dict[str, str]) -> float:
    """`measure` in a fresh process with its own database."""
    with tempfile.TemporaryDirectory(prefix="oncopro-cpu-") as folder:
        run_env = {**os.environ, **env, "ONCOPRO_DATA_DIR": folder, "LOG_LEVEL": "WARNING"}
        run_env["PYTHONPATH"] = str(ROOT)
        run_env["DJANGO_SETTINGS_MODULE"] = "oncopro.settings"
        run_env.pop("DATABASE_URL", None)
        pg = None
        if db == "postgres":
            pg = ThrowawayPostgres().start()
            s = pg.django_settings("postgres")
            run_env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/postgres"
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--db", db, "--submissions", str(submissions),
                 "--tree", str(ROOT), "--in-this-process"],
                env=run_env, cwd=ROOT, check=True, capture_output=True, text=True,
            )  # fmt: skip
        finally:
            if pg is not None:
                pg.stop()
        return float(done.stdout.split()[0])


def weigh(switch: str, db: str, submissions: int, runs: int) -> None:
    figures: dict[str, list[float]] = {"on": [], "off": []}
    for number in range(runs):
        for side in ("on", "off") if number % 2 == 0 else ("off", "on"):
            figures[side].append(one_run(db, submissions, {switch: side}))
            print(f"  {switch}={side:<3} run {number + 1}: {figures[side][-1]:.3f} ms", flush=True)
    on, off = statistics.median(figures["on"]), statistics.median(figures["off"])
    print(
        f"{switch} on {db}, {runs} runs each, medians: on {on:.3f} ms, off {off:.3f} ms "
        f"per submission; on saves {100 * (off - on) / off:.1f}% of it"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--submissions", type=int, default=400)
    parser.add_argument("--weigh", metavar="SWITCH")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tree", type=Path, help="measure the code of this checkout")
    parser.add_argument("--in-this-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_this_process:
        print(f"{measure(args.submissions):.3f}")
    elif args.weigh:
        weigh(args.weigh, args.db, args.submissions, args.runs)
    else:
        ms = one_run(args.db, args.submissions, {})
        print(f"{ms:.3f} ms CPU per check-in submission ({args.db}, in one process)")


if __name__ == "__main__":
    main()
