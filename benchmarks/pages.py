"""The pages a nurse waits on, at clinic scale: the alert queue, a patient's
timeline, her trends page and the panel, over real HTTP from gunicorn, with
a synthetic cohort (`oncopro seed-cohort`) behind them.

    .venv/bin/python benchmarks/pages.py --db sqlite|postgres --patients 5000 --weeks 104
        [--requests 40] [--json out.json] [--keep DIR [--seed-only]]

Seeds the cohort into a fresh database (the real code path: this is the slow
part, about 45 minutes at 5,000 x 104), signs a nurse in with two-factor like
a person would, then times each page. With --keep DIR the seeded database
stays in DIR and a later run with the same DIR times the pages again without
seeding (so the timing can wait for a quiet machine). Loopback only; every
server it starts, it stops.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from base64 import b32decode
from pathlib import Path
from typing import Any

import requests
from django_otp.oath import TOTP

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402
from benchmarks.submit_http import wait_for_port  # noqa: E402
from tests.pg_server import ThrowawayPostgres, free_port  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]  # nearest rank


def sign_in_nurse(base: str, email: str) -> requests.Session:
    session = requests.Session()

    def csrf(html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, "no CSRF token on the page"
        return match.group(1)

    page = session.get(f"{base}/accounts/login/")
    page = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": csrf(page.text), "username": email, "password": "bench-pass"},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    key = re.search(r'data-testid="totp-key"[^>]*>([^<]+)<', page.text)
    assert key, "the two-factor set-up page did not show a key"
    code = f"{TOTP(b32decode(key.group(1).replace(' ', ''))).token():06d}"
    done = session.post(
        page.url,
        data={"csrfmiddlewaretoken": csrf(page.text), "code": code},
        headers={"Referer": page.url},
    )
    assert "Alerts" in done.text, "two-factor sign-in failed"
    return session


def time_page(session: requests.Session, url: str, count: int) -> dict[str, float]:
    session.get(url)  # warm
    took = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url)
        took.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {
        "p50_ms": round(statistics.median(took), 1),
        "p95_ms": round(percentile(took, 0.95), 1),
        "bytes": len(response.content),
    }


def run(
    db: str, patients: int, weeks: int, count: int, keep: Path | None, seed_only: bool
) -> dict[str, Any]:
    pg = None
    with tempfile.TemporaryDirectory(prefix="oncopro-pages-") as name:
        folder = keep or Path(name)
        folder.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "ONCOPRO_DATA_DIR": str(folder), "LOG_LEVEL": "WARNING"}
        env.pop("DATABASE_URL", None)
        if db == "postgres":
            pg = ThrowawayPostgres().start(keep_in=folder / "pg" if keep else None)
            s = pg.django_settings("postgres")
            env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/postgres"
        server = None
        try:
            oncopro = [sys.executable, "-m", "oncopro"]
            seeded_file = folder / f"seeded-{db}-{patients}x{weeks}.json"
            if seeded_file.exists():  # --keep: seeded by an earlier run
                earlier = json.loads(seeded_file.read_text())
                seeded_text, seed_seconds = earlier["seeded"], earlier["seed_seconds"]
            else:
                subprocess.run([*oncopro, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
                started = time.monotonic()
                seeded = subprocess.run(
                    [*oncopro, "seed-cohort", "--patients", str(patients), "--weeks", str(weeks)],
                    env=env, check=True, cwd=ROOT, capture_output=True, text=True,
                )  # fmt: skip
                seeded_text = seeded.stdout.strip()
                seed_seconds = round(time.monotonic() - started)
                seeded_file.write_text(
                    json.dumps({"seeded": seeded_text, "seed_seconds": seed_seconds})
                )
            if seed_only:
                return {"db": db, "seeded": seeded_text, "seed_seconds": seed_seconds}
            # The cohort's staff have no password: give the first nurse one,
            # and no second factor yet (an earlier --keep run set one up).
            subprocess.run(
                [sys.executable, "-c",
                 "import django; django.setup(); from oncopro.accounts.models import User; "
                 "from django_otp.plugins.otp_totp.models import TOTPDevice; "
                 "u = User.objects.get(email='nora.oncology@cohort.oncopro.example'); "
                 "u.set_password('bench-pass'); u.save(); "
                 "TOTPDevice.objects.filter(user=u).delete()"],
                env={**env, "DJANGO_SETTINGS_MODULE": "oncopro.settings"}, check=True, cwd=ROOT,
            )  # fmt: skip
            port = free_port()
            server = subprocess.Popen(
                [*oncopro, "serve", "--workers", "2"],
                env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            wait_for_port(port)
            base = f"http://127.0.0.1:{port}"
            nurse = sign_in_nurse(base, "nora.oncology@cohort.oncopro.example")
            panel = nurse.get(f"{base}/team/patients/").text
            patient_ids = re.findall(r"/patients/([0-9a-f-]{36})/timeline/", panel)
            assert patient_ids, "the panel lists no patients"
            someone = patient_ids[len(patient_ids) // 2]
            pages = {
                "alert queue": f"{base}/team/alerts/",
                "live queue (poll)": f"{base}/team/alerts/live/",
                "patient timeline": f"{base}/patients/{someone}/timeline/",
                "trends page": f"{base}/patients/{someone}/check-ins/",
                "panel (first page, 50 patients)": f"{base}/team/patients/",
            }
            timings = {label: time_page(nurse, url, count) for label, url in pages.items()}
            return {
                "db": db,
                "patients": patients,
                "weeks": weeks,
                "seeded": seeded_text,
                "seed_seconds": seed_seconds,
                "panel_patients": len(patient_ids),
                "requests_each": count,
                "pages": timings,
            }
        finally:
            if server is not None and server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
            if pg is not None:
                pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the seeded database here, for later runs")
    parser.add_argument("--seed-only", action="store_true", help="with --keep: seed, time later")
    args = parser.parse_args()
    if args.seed_only and not args.keep:
        parser.error("--seed-only needs --keep DIR (where the seeded database stays)")
    result = run(args.db, args.patients, args.weeks, args.requests, args.keep, args.seed_only)
    if args.seed_only:
        print(f"Seeded in {result['seed_seconds']} s: {result['seeded']}")
        return
    result["machine"] = describe()
    print(
        f"Pages at {args.patients} patients x {args.weeks} weeks ({args.db}, {result['machine']})"
    )
    print(result["seeded"])
    print(f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'KB':>7}")
    for label, row in result["pages"].items():
        print(f"{label:<34} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['bytes'] // 1024:>7}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
