"""Triage throughput: cases per second through the library and through the CLI.

    .venv/bin/python benchmarks/triage_throughput.py [--cases 100000] [--json out.json]

Generates realistic cases (4-8 weeks of weekly history, 5-25 answered
symptoms, mixed therapies, care phases and known sites), then times:
  - the library: parse_case (full validation) + triage, one core;
  - the CLI: `oncopro triage --jsonl` on a file of the same cases, as a subprocess.
It checks that the CLI's results equal the library's, case by case, and
prints a table (and writes JSON with --json). Nothing here is timed inside a
test: these figures are for people, and the README quotes them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oncopro.clinical import load_pack, parse_case, triage_case  # noqa: E402
from oncopro.clinical.pack import Pack  # noqa: E402
from oncopro.clinical.specs import SymptomSpec  # noqa: E402

NOW = dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC)
REGIMENS = [
    ["capecitabine", "denosumab"],
    ["palbociclib", "letrozole"],
    ["abemaciclib", "fulvestrant", "zoledronic acid"],
    ["trastuzumab deruxtecan"],
    ["paclitaxel", "trastuzumab", "pertuzumab"],
    ["alpelisib", "fulvestrant"],
    ["sacituzumab govitecan", "morphine", "senna"],
    ["tucatinib", "capecitabine", "trastuzumab"],
    ["olaparib"],
    ["eribulin", "oxycodone"],
    ["letrozole"],
    ["morphine", "macrogol"],
    ["exemestane", "everolimus", "investigational-drug-x"],
]
PHASES = ["active_treatment"] * 6 + ["palliative"] * 3 + ["hospice"]
SITES = ["bone", "lung", "liver", "brain", "local"]


def answer_for(rng: random.Random, spec: SymptomSpec, level: int) -> dict[str, Any] | None:
    """A plausible answer for one symptom at a rough level 0-4."""
    answer: dict[str, Any] = {}
    fields = spec.fields
    if "frequency" in fields:
        answer["frequency"] = min(4, max(0, level + rng.choice((-1, 0, 0, 1))))
        if answer["frequency"] == 0:
            return answer
    if "severity" in fields:
        answer["severity"] = min(4, max(0, level + rng.choice((-1, 0, 0, 0, 1))))
    if "interference" in fields and answer.get("severity", 1) > 0:
        answer["interference"] = min(4, max(0, level + rng.choice((-1, 0, 1))))
    if "present" in fields:
        answer["present"] = rng.random() < 0.005  # yes/no symptoms are almost always "no"
    for name, field in fields.items():
        if name in answer or rng.random() < 0.5:
            continue
        if field.kind == "yesno":
            answer[name] = rng.random() < 0.1
        elif field.kind == "integer":  # counts and days follow how bad it is
            answer[name] = rng.randint(0, 2 * level) if name != "days" else rng.randint(0, 30)
        elif field.kind == "number":
            answer[name] = round(rng.uniform(0, 2 * level), 1)
        elif field.kind == "choice":
            answer[name] = rng.choice(field.choices)
        elif field.kind == "text":
            answer[name] = rng.choice(("lower back", "left hip", "ribs", "all over"))
    return answer or None


def make_case(rng: random.Random, pack: Pack, symptoms: list[SymptomSpec]) -> dict[str, Any]:
    # Most symptoms are absent or mild most weeks; a few are worse.
    baseline = {spec.id: rng.choices((0, 1, 2, 3), weights=(70, 22, 6, 2))[0] for spec in symptoms}
    # A weekly check-in: most of the core set, some other graded symptoms she
    # added, and a few yes/no questions (almost always "no").
    core = [pack.symptoms[name] for name in pack.weekly_core]
    graded = [spec for spec in symptoms if spec.graded and spec.id not in pack.weekly_core]
    yes_no = [spec for spec in symptoms if not spec.graded]
    chosen = (
        rng.sample(core, rng.randint(5, len(core)))
        + rng.sample(graded, rng.randint(0, 6))
        + rng.sample(yes_no, rng.randint(0, 6))
    )
    weeks = rng.randint(4, 8)

    def answers_at(week: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for spec in chosen:
            drift = (
                rng.choice((0, 0, 0, 0, 0, 0, 1, -1, 2))
                if week == 0
                else rng.choice((0, 0, 0, 1, -1))
            )
            answer = answer_for(rng, spec, max(0, baseline[spec.id] + drift))
            if answer:
                result[spec.id] = answer
        if rng.random() < 0.3:
            result[pack.temperature_id] = rng.choice(
                (36.4, 36.6, 36.8, 36.9, 37.0, 37.2, 37.6, 38.3, 35.8)
            )
        return result

    history = [
        {
            "at": (NOW - dt.timedelta(days=7 * week, hours=rng.randint(-12, 12))).isoformat(),
            "answers": answers_at(week),
        }
        for week in range(1, weeks + 1)
        if rng.random() > 0.15  # a realistic share of missed weeks
    ]
    return {
        "patient": {
            "care_phase": rng.choice(PHASES),
            "therapies": rng.choice(REGIMENS),
            "known_metastatic_sites": rng.sample(SITES, rng.randint(0, 2)),
        },
        "history": history,
        "checkin": {
            "id": f"00000000-0000-4000-8000-{len(history):02d}{rng.randrange(10**10):010d}",
            "at": NOW.isoformat(),
            "reporter": rng.choice(("patient", "patient", "caregiver")),
            "answers": answers_at(0),
        },
    }


def run(cases: int, seed: int) -> dict[str, Any]:
    pack = load_pack()
    symptoms = [spec for spec in pack.symptoms.values() if not spec.is_reading]
    rng = random.Random(seed)
    data = [make_case(rng, pack, symptoms) for _ in range(cases)]
    lines = [json.dumps(case) for case in data]
    # The generated cases stay alive all run; keep the garbage collector from
    # rescanning them, as a long-running server's steady state would.
    gc.collect()
    gc.freeze()

    # The library, with full validation of every case. The timed pass keeps
    # no result, as a server (or the CLI, which streams) keeps none: holding
    # 100,000 results makes the garbage collector rescan them again and
    # again, which is the benchmark's cost, not triage's. A second pass,
    # untimed, keeps them to compare with the CLI's.
    start = time.perf_counter()
    for case in data:
        triage_case(pack, parse_case(pack, case)).to_json()
    library_seconds = time.perf_counter() - start
    library = [triage_case(pack, parse_case(pack, case)).to_json() for case in data]

    # The CLI, on a file of the same cases.
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "cases.jsonl"
        source.write_text("\n".join(lines) + "\n")
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "oncopro", "triage", "--jsonl", str(source)],
            capture_output=True, text=True, cwd=ROOT, check=False,
        )  # fmt: skip
        cli_seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the CLI failed ({done.returncode}): {done.stderr[:2000]}")
    cli = [json.loads(line) for line in done.stdout.splitlines()]
    mismatches = sum(1 for a, b in zip(library, cli, strict=True) if a != b)
    if len(cli) != len(library) or mismatches:
        raise SystemExit(f"the CLI's results differ from the library's in {mismatches} cases")

    urgencies: dict[str, int] = {}
    for result in library:
        urgencies[result["urgency"]] = urgencies.get(result["urgency"], 0) + 1
    answered = [len(case["checkin"]["answers"]) for case in data]
    return {
        "cases": cases,
        "seed": seed,
        "library_seconds": round(library_seconds, 3),
        "library_cases_per_second": round(cases / library_seconds),
        "cli_seconds": round(cli_seconds, 3),
        "cli_cases_per_second": round(cases / cli_seconds),
        "cli_vs_library": round(cli_seconds / library_seconds, 2),
        "cli_equals_library": True,
        "mean_answered_symptoms": round(sum(answered) / len(answered), 1),
        "mean_history_checkins": round(sum(len(c["history"]) for c in data) / cases, 1),
        "urgency_share": {k: round(v / cases, 3) for k, v in sorted(urgencies.items())},
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = run(args.cases, args.seed)
    print(f"Triage throughput, {figures['cases']:,} cases (seed {figures['seed']}), "
          f"Python {figures['python']}, {figures['machine']}")  # fmt: skip
    print(f"  {'path':<34}{'seconds':>10}{'cases/s':>12}")
    print(f"  {'library (validate + triage)':<34}{figures['library_seconds']:>10.2f}"
          f"{figures['library_cases_per_second']:>12,}")  # fmt: skip
    print(f"  {'oncopro triage --jsonl':<34}{figures['cli_seconds']:>10.2f}"
          f"{figures['cli_cases_per_second']:>12,}")  # fmt: skip
    print(f"  CLI / library time: {figures['cli_vs_library']}x; CLI results equal the "
          f"library's for every case: {figures['cli_equals_library']}")  # fmt: skip
    print(f"  mean answered symptoms {figures['mean_answered_symptoms']}, mean history "
          f"check-ins {figures['mean_history_checkins']}, urgency share "
          f"{figures['urgency_share']}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
