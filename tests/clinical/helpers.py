"""Building triage cases in a line, for the clinical tests."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest

from oncopro.clinical import load_pack, parse_case, triage_json
from oncopro.clinical.engine import view_of

ROOT = Path(__file__).resolve().parents[2]
# The project's shared/ folder sits beside the repository (as in CI);
# ONCOPRO_SHARED points elsewhere.
SHARED = Path(os.environ.get("ONCOPRO_SHARED", ROOT.parent / "shared"))
NOW = dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC)


def shared_file(relative: str) -> str:
    path = SHARED / relative
    if not path.exists():
        pytest.fail(
            f"{path} is missing: the project's shared/ folder must sit beside the "
            "repository (or set ONCOPRO_SHARED to it)"
        )
    return path.read_text(encoding="utf-8")


def case(
    answers: dict[str, Any],
    *,
    therapies: tuple[str, ...] = (),
    phase: str = "active_treatment",
    sites: tuple[str, ...] = (),
    history: tuple[tuple[float, dict[str, Any]], ...] = (),
) -> dict[str, Any]:
    """history: (days before now, answers) pairs."""
    return {
        "patient": {
            "care_phase": phase,
            "therapies": list(therapies),
            "known_metastatic_sites": list(sites),
        },
        "history": [
            {"at": (NOW - dt.timedelta(days=days)).isoformat(), "answers": earlier}
            for days, earlier in history
        ],
        "checkin": {"at": NOW.isoformat(), "reporter": "patient", "answers": answers},
    }


def run(answers: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return triage_json(load_pack(), case(answers, **kwargs))


def ids(result: dict[str, Any]) -> list[str]:
    return [finding["id"] for finding in result["findings"]]


def ongoing_ids(result: dict[str, Any]) -> list[str]:
    return [finding["id"] for finding in result["ongoing"]]


def reference_ids() -> set[str]:
    """Every finding id REFERENCE.md defines (sections 5 and 6)."""
    text = shared_file("clinical/REFERENCE.md")
    found = set(re.findall(r"^- ((?:E|U|S|M)\d+) ", text, re.M))
    found |= set(re.findall(r"^\| (P-[a-z]+) \|", text, re.M))
    return found


Firings = list[tuple[int, dict[str, Any], bool]]


def fired_both_ways(data: dict[str, Any]) -> tuple[Firings, Firings]:
    """What fires for a case, (1) through the pack's all-rules function, as
    triage does, and (2) by judging each rule's own condition in turn,
    skipping none: (rule position, inputs, ongoing only) in the pack's order."""
    pack = load_pack()
    parsed = parse_case(pack, data)
    view = view_of(pack, parsed.patient, parsed.history, parsed.checkin)
    view.fired = {}
    together = [(position, inputs, ongoing) for position, inputs, ongoing, _ in pack.fire_all(view)]
    view.fired = {}
    alone: Firings = []
    for position, rule in enumerate(pack.all_rules):
        inputs = rule.condition.holds(view)
        if inputs is not None:
            alone.append((position, inputs, False))
            view.fired.setdefault(rule.id, inputs)
            view.fired.setdefault(rule.key, inputs)
        elif rule.otherwise_ongoing is not None:
            inputs = rule.otherwise_ongoing.holds(view)
            if inputs is not None:
                alone.append((position, inputs, True))
    return together, alone
