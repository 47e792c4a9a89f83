"""Hypothesis strategies for valid triage cases, built from the pack itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from oncopro.clinical import load_pack
from oncopro.clinical.specs import FieldSpec, SymptomSpec

NOW = dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC)
PACK = load_pack()
SYMPTOMS = [spec for spec in PACK.symptoms.values() if not spec.is_reading]
THERAPIES = [
    "capecitabine", "palbociclib", "abemaciclib", "trastuzumab deruxtecan", "alpelisib",
    "denosumab", "morphine", "senna", "letrozole", "tucatinib", "mystery-mab",
]  # fmt: skip


def field_value(spec: FieldSpec) -> st.SearchStrategy[Any]:
    if spec.kind == "score":
        return st.integers(0, 4)
    if spec.kind == "yesno":
        return st.booleans()
    if spec.kind == "integer":
        assert spec.low is not None
        assert spec.high is not None
        return st.integers(int(spec.low), min(int(spec.high), 40))
    if spec.kind == "number":
        return st.sampled_from([0, 1, 2.5, 4.9, 5, 12])
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    # Any text that can be stored (no null character, no half of a character:
    # those are refused, tested in test_contract).
    return st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20)


@st.composite
def symptom_answer(draw: st.DrawFn, spec: SymptomSpec) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(list(spec.fields)), min_size=1, unique=True))
    answer = {name: draw(field_value(spec.fields[name])) for name in names}
    if answer.get("frequency") == 0:  # the contract's branching: never skips the rest
        answer.pop("severity", None)
        answer.pop("interference", None)
    return answer


@st.composite
def answers(draw: st.DrawFn, max_symptoms: int = 10) -> dict[str, Any]:
    chosen = draw(
        st.lists(st.sampled_from(SYMPTOMS), max_size=max_symptoms, unique_by=lambda s: s.id)
    )
    result: dict[str, Any] = {spec.id: draw(symptom_answer(spec)) for spec in chosen}
    if draw(st.booleans()):
        result["temperature_c"] = draw(st.sampled_from([35.5, 35.9, 36.0, 37.4, 37.5, 38.0, 39.0]))
    return result


@st.composite
def cases(draw: st.DrawFn, phase: str | None = None) -> dict[str, Any]:
    history = draw(st.lists(st.tuples(st.integers(1, 30), answers(6)), max_size=4))
    return {
        "patient": {
            "care_phase": phase
            or draw(st.sampled_from(["active_treatment", "palliative", "hospice"])),
            "therapies": draw(st.lists(st.sampled_from(THERAPIES), max_size=4, unique=True)),
            "known_metastatic_sites": draw(
                st.lists(st.sampled_from(["bone", "lung", "liver", "brain", "local"]), unique=True)
            ),
        },
        "history": [
            {"at": (NOW - dt.timedelta(days=days)).isoformat(), "answers": earlier}
            for days, earlier in history
        ],
        "checkin": {"at": NOW.isoformat(), "reporter": "patient", "answers": draw(answers())},
    }
