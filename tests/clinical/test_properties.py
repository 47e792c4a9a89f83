"""Properties that hold for every valid case (hypothesis)."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from oncopro.clinical import load_pack, parse_case, triage_case, triage_json
from oncopro.clinical.pack import LEVEL_RANK
from tests.clinical.helpers import fired_both_ways, reference_ids
from tests.clinical.strategies import PACK, cases

REFERENCE_IDS = reference_ids()
# Ordered answers (contract): 0-4 scores up, yes/no to true. Temperature,
# `stops` and `new` are not ordered that way.
UNORDERED = {"stops", "new"}


def triage(case: dict[str, Any]) -> dict[str, Any]:
    return triage_json(load_pack(), case)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_same_input_same_output(case: dict[str, Any]) -> None:
    first = triage(case)
    assert triage(copy.deepcopy(case)) == first
    shuffled = copy.deepcopy(case)
    shuffled["history"].reverse()  # history comes in any order
    assert triage(shuffled) == first


def raisable(case: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """Every (symptom, field, higher value) one step up from the check-in."""
    steps = []
    for symptom, answer in case["checkin"]["answers"].items():
        if symptom == PACK.temperature_id:
            continue
        for name, value in answer.items():
            kind = PACK.symptoms[symptom].fields[name].kind
            if kind == "score" and value < 4:
                if name == "frequency" and value == 0 and len(answer) > 1:
                    continue  # frequency 0 with other answers would be a contradiction
                steps.append((symptom, name, value + 1))
            elif kind == "yesno" and name not in UNORDERED and value is False:
                steps.append((symptom, name, True))
    return steps


@settings(max_examples=300, deadline=None)
@given(cases(), st.data())
def test_raising_an_answer_never_lowers_the_urgency(
    case: dict[str, Any], data: st.DataObject
) -> None:
    steps = raisable(case)
    if not steps:
        return
    symptom, name, value = data.draw(st.sampled_from(steps))
    before = triage(case)
    raised = copy.deepcopy(case)
    raised["checkin"]["answers"][symptom][name] = value
    after = triage(raised)
    assert LEVEL_RANK[after["urgency"]] >= LEVEL_RANK[before["urgency"]], (
        symptom, name, value, before["findings"], after["findings"], after["ongoing"],
    )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(cases(phase="hospice"))
def test_hospice_has_no_spread_labels_and_no_emergency_services(case: dict[str, Any]) -> None:
    result = triage(case)
    assert result["suspected_sites"] == []
    assert result["contact"] != "emergency_services"
    assert all(f["site"] is None for f in result["findings"] + result["ongoing"])


@settings(max_examples=300, deadline=None)
@given(cases())
def test_every_finding_has_a_reference_id_and_a_source(case: dict[str, Any]) -> None:
    result = triage(case)
    known = set(case["patient"]["known_metastatic_sites"])
    for finding in result["findings"] + result["ongoing"]:
        assert finding["id"] in REFERENCE_IDS
        assert finding["source"].strip()
        assert finding["because"].strip()
        assert finding["site"] not in known
    assert not set(result["suspected_sites"]) & known
    assert result["suspected_sites"] == sorted(set(result["suspected_sites"]))
    assert result["pack"] == "mbc@1.0.0"


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=True),
    st.text(max_size=5), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip


@st.composite
def mutated_cases(draw: st.DrawFn) -> dict[str, Any]:
    """A valid case with one value replaced by junk, or one unknown key added."""
    case = draw(cases())
    reports = [case["checkin"], *case["history"]]
    report = draw(st.sampled_from(reports))
    answers = report["answers"]
    if answers and draw(st.booleans()):
        symptom = draw(st.sampled_from(sorted(answers)))
        if isinstance(answers[symptom], dict) and draw(st.booleans()):
            name = draw(st.sampled_from([*sorted(answers[symptom]), "colour"]))
            answers[symptom][name] = draw(JUNK)
        else:
            answers[symptom] = draw(JUNK)
    else:
        target = draw(st.sampled_from(["answers", "report", "patient", "case"]))
        where = {"answers": answers, "report": report, "patient": case["patient"], "case": case}
        where[target][draw(st.sampled_from(["x", "sneezing", "at", "care_phase"]))] = draw(JUNK)
    return case


@settings(max_examples=400, deadline=None)
@given(mutated_cases())
def test_the_fast_and_the_plain_validation_always_agree(case: dict[str, Any]) -> None:
    """msgspec's check (fast) and the field-by-field one (plain words) accept
    and refuse the same cases, and accepted cases triage the same."""
    import oncopro.clinical.case as case_module

    def outcome() -> Any:
        try:
            return case_module.parse_case(PACK, copy.deepcopy(case))
        except case_module.CaseError as error:
            return ("refused", str(error))

    fast = outcome()
    original = case_module._schema_accepts
    case_module._schema_accepts = lambda pack, data: False  # force the plain path
    try:
        plain = outcome()
    finally:
        case_module._schema_accepts = original
    assert fast == plain


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_all_rules_function_fires_what_each_rule_fires_alone(case: dict[str, Any]) -> None:
    """Triage judges the pack with one generated function (symptoms read
    once, rules skipped when none of their symptoms was asked). Judging every
    rule's own condition in turn, skipping none, finds the same (the scenario
    table checks the same for every rule at its boundaries)."""
    together, alone = fired_both_ways(case)
    assert together == alone


@settings(max_examples=200, deadline=None)
@given(cases())
def test_the_result_as_json_is_a_deep_copy_of_the_result(case: dict[str, Any]) -> None:
    """TriageResult.to_json (written out for speed) gives what the generic
    dataclasses.asdict gives, sharing no list or dict with the result."""
    result = triage_case(PACK, parse_case(PACK, case))
    as_json = result.to_json()
    assert as_json == dataclasses.asdict(result)
    assert as_json["findings"] is not result.findings
    for finding, original in zip(as_json["findings"], result.findings, strict=True):
        assert finding["inputs"] is not original.inputs
