"""An interleaved A/B of two revisions: did a change make anything slower?

    .venv/bin/python benchmarks/ab.py OLD NEW [--runs 5] [--seconds 10]
        [--patients 300] [--cases 20000] [--old-env K=V ...] [--new-env K=V ...]
        [--json out.json]

Checks out each revision into a temporary git worktree, then runs, for each
measure, OLD and NEW alternately (ABBA order, so a drift in the machine's
speed falls on both alike), each run a fresh process with that revision's
own code and benchmark script:
  - CPU ms per check-in submission over real HTTP, on SQLite and on
    PostgreSQL (`submit_http.py` at 10 clients: the web workers' CPU plus
    the database's, per request);
  - CPU ms per submission in one process, on both (`submit_cpu.py`, this
    checkout's script run on each tree's code: steadier, web process only);
  - triage cases per second through the library (`triage_throughput.py`).
Prints every run, then the median of each side and the change. Both sides use
this virtualenv's packages; `--new-env KEEP_INSERT_TEXT=off` (say) runs one
side with a setting changed, to weigh an off switch on the same revision.
Loopback only; every worktree it makes, it removes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def worktree(revision: str, folder: Path, side: str) -> Path:
    path = folder / side
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), revision],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    # The clinical tests' shared documents sit beside the checkout.
    shared = ROOT.parent / "shared"
    if shared.exists() and not (folder / "shared").exists():
        (folder / "shared").symlink_to(shared)
    return path


# Settings for one side's runs (--old-env, --new-env), by worktree.
SIDE_ENV: dict[Path, dict[str, str]] = {}


def in_tree(tree: Path, script: str, *args: str) -> dict[str, Any]:
    """Run one of the tree's own benchmark scripts, with the tree's code."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [sys.executable, f"benchmarks/{script}", *args, "--json", out.name],
            cwd=tree, env={**os.environ, **SIDE_ENV.get(tree, {}), "PYTHONPATH": str(tree)},
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        result: dict[str, Any] = json.loads(Path(out.name).read_text())
        return result


def submission_cpu(db: str, seconds: int, patients: int) -> Callable[[Path], float]:
    def measure(tree: Path) -> float:
        result = in_tree(
            tree, "submit_http.py", "--db", db, "--clients", "10",
            "--seconds", str(seconds), "--patients", str(patients),
        )  # fmt: skip
        [row] = result["rows"]
        errors = sum(v for k, v in row.items() if k.startswith("errors_"))
        if errors:
            raise SystemExit(f"{tree.name}: {errors} errors in the submission run")
        return float(row["cpu_ms_server"] + row["cpu_ms_database"])

    return measure


def in_process_cpu(db: str) -> Callable[[Path], float]:
    def measure(tree: Path) -> float:
        done = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "submit_cpu.py"), "--db", db,
             "--submissions", "1000", "--tree", str(tree)],
            env={**os.environ, **SIDE_ENV.get(tree, {})},
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return float(done.stdout.split()[0])

    return measure


def triage_rate(cases: int) -> Callable[[Path], float]:
    def measure(tree: Path) -> float:
        result = in_tree(tree, "triage_throughput.py", "--cases", str(cases))
        return float(result["library_cases_per_second"])

    return measure


def interleave(
    name: str, measure: Callable[[Path], float], old: Path, new: Path, runs: int
) -> dict[str, Any]:
    figures: dict[str, list[float]] = {"old": [], "new": []}
    for number in range(runs):
        order = (("old", old), ("new", new)) if number % 2 == 0 else (("new", new), ("old", old))
        for side, tree in order:
            value = measure(tree)
            figures[side].append(value)
            print(f"  {name:<34} run {number + 1} {side:<3} {value:>10.2f}", flush=True)
    old_median, new_median = (statistics.median(figures[side]) for side in ("old", "new"))
    return {
        "measure": name,
        "old": figures["old"],
        "new": figures["new"],
        "old_median": round(old_median, 3),
        "new_median": round(new_median, 3),
        "change_percent": round(100 * (new_median - old_median) / old_median, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--old-env", nargs="*", default=[], metavar="K=V")
    parser.add_argument("--new-env", nargs="*", default=[], metavar="K=V")
    parser.add_argument("--only", nargs="*", help="measures whose name has one of these words")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oncopro-ab-") as temporary:
        folder = Path(temporary)
        old, new = worktree(args.old, folder, "old"), worktree(args.new, folder, "new")
        for tree, pairs in ((old, args.old_env), (new, args.new_env)):
            SIDE_ENV[tree] = dict(pair.split("=", 1) for pair in pairs)
        try:
            sqlite = submission_cpu("sqlite", args.seconds, args.patients)
            postgres = submission_cpu("postgres", args.seconds, args.patients)
            measures = [
                ("CPU ms per submission, SQLite", sqlite),
                ("CPU ms per submission, PostgreSQL", postgres),
                ("in one process, SQLite", in_process_cpu("sqlite")),
                ("in one process, PostgreSQL", in_process_cpu("postgres")),
                ("triage cases per second", triage_rate(args.cases)),
            ]
            if args.only:
                measures = [m for m in measures if any(word in m[0] for word in args.only)]
            results = [
                interleave(label, measure, old, new, args.runs) for label, measure in measures
            ]
        finally:
            for tree in (old, new):
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False
                )
    sides = [
        " ".join([revision, *env])
        for revision, env in ((args.old, args.old_env), (args.new, args.new_env))
    ]
    print(f"\n{sides[0]} -> {sides[1]}, {args.runs} runs each, interleaved; medians:")
    for result in results:
        print(
            f"  {result['measure']:<34} {result['old_median']:>10.2f} -> "
            f"{result['new_median']:>10.2f}  ({result['change_percent']:+.1f}%)"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
