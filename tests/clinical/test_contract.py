"""The triage contract (shared/spec/triage-json.md), read from the spec itself."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest

from oncopro.clinical import CaseError, load_pack, parse_case, triage_json
from tests.clinical.helpers import ROOT, case, shared_file
from tests.clinical.pending import PENDING_EXPLANATIONS, PENDING_FIELDS


def spec_text() -> str:
    return shared_file("spec/triage-json.md")


def spec_example() -> tuple[dict[str, Any], dict[str, Any]]:
    blocks = re.findall(r"```json\n(.*?)```", spec_text(), re.S)
    return json.loads(blocks[0]), json.loads(blocks[1])


def spec_symptom_fields() -> dict[str, set[str]]:
    """The spec's table of symptom ids and their fields."""
    table = spec_text().split("### Symptom ids and their fields", 1)[1].split("## Output")[0]
    fields: dict[str, set[str]] = {}
    for row in table.splitlines():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        # "`amount`: `streaks` or `large`" names one field and its choices.
        field_cell = re.sub(r":\s*`\w+` or `\w+`", "", cells[1])
        # "(rev 3, S20)" and "(`neck`, `upper`, ...)" are notes and choices, not fields.
        field_cell = re.sub(r"\([^)]*\)", "", field_cell)
        names = set(re.findall(r"`([a-z_0-9]+)`", field_cell))
        for symptom in re.findall(r"`([a-z_0-9]+)`", cells[0]):
            fields[symptom] = names
    return fields


def as_implemented(result: dict[str, Any]) -> dict[str, Any]:
    """The example's output less the explanations revision 3 rewords
    (tests/clinical/pending.py), so every other word is still compared."""
    findings = [
        {**finding, "because": "(revision 3)"} if finding["id"] in PENDING_EXPLANATIONS else finding
        for finding in result["findings"]
    ]
    return {**result, "findings": findings}


def test_the_spec_example_gives_the_spec_output() -> None:
    given, expected = spec_example()
    got = triage_json(load_pack(), given)
    assert as_implemented(got) == as_implemented(expected)
    differing = {
        mine["id"] for mine, theirs in zip(got["findings"], expected["findings"], strict=True)
        if mine != theirs
    }  # fmt: skip
    assert differing == PENDING_EXPLANATIONS


def test_the_cli_gives_the_spec_output_too() -> None:
    given, expected = spec_example()
    for argv, text in (([], json.dumps(given)), (["--jsonl"], json.dumps(given) + "\n")):
        done = subprocess.run(
            [sys.executable, "-m", "oncopro", "triage", *argv, "-"],
            input=text, capture_output=True, text=True, cwd=ROOT, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert as_implemented(json.loads(done.stdout)) == as_implemented(expected)


def test_the_pack_knows_exactly_the_spec_symptoms_and_fields() -> None:
    wanted = spec_symptom_fields()
    assert len(wanted) > 60
    pack = load_pack()
    have = {
        symptom_id: set(spec.fields)
        for symptom_id, spec in pack.symptoms.items()
        if not spec.is_reading
    }
    assert wanted.pop("temperature_c", None) is not None
    for symptom_id, names in PENDING_FIELDS.items():
        assert names <= wanted[symptom_id], (symptom_id, names)
        wanted[symptom_id] -= names
        if not wanted[symptom_id]:
            del wanted[symptom_id]
        assert not names & have.get(symptom_id, set()), f"strike {symptom_id} off pending.py"
    assert have == wanted


@pytest.mark.parametrize(
    ("answers", "where", "words"),
    [
        ({"pain": {"severity": 7}}, "checkin.answers.pain.severity", "whole number from 0 to 4"),
        ({"pain": {"severity": "bad"}}, "checkin.answers.pain.severity", "not 'bad'"),
        ({"pain": {"severity": True}}, "checkin.answers.pain.severity", "not true"),
        ({"pain": {"colour": 1}}, "checkin.answers.pain.colour", "not a field of pain"),
        ({"yellow_skin": {"present": True}}, "checkin.answers.yellow_skin", "not a symptom"),
        ({"temperature_c": 3}, "checkin.answers.temperature_c", "from 30 to 45"),
        ({"temperature_c": "hot"}, "checkin.answers.temperature_c", "must be a number"),
        ({"constipation": {"days_since_bowel_movement": -1}},
         "checkin.answers.constipation.days_since_bowel_movement", "from 0 to 60"),
        ({"cough": {"days": 2.5}}, "checkin.answers.cough.days", "whole number"),
        ({"pain": {"frequency": 0, "severity": 2}}, "checkin.answers.pain.severity",
         "frequency is 0"),
        ({"coughing_blood": {"amount": "bucket"}}, "checkin.answers.coughing_blood.amount",
         "one of streaks, large"),
        ({"pain": {"location": "x" * 201}}, "checkin.answers.pain.location", "at most 200"),
        # Text PostgreSQL cannot store: a null character, half of a character.
        ({"pain": {"location": "lower\x00back"}}, "checkin.answers.pain.location",
         "cannot be kept"),
        ({"bone_pain": {"location": "hip \ud800"}}, "checkin.answers.bone_pain.location",
         "cannot be kept"),
        ({"pain": {}}, "checkin.answers.pain", "has no answers"),
        ({"seizure": True}, "checkin.answers.seizure", "must be an object"),
    ],
)  # fmt: skip
def test_bad_answers_are_named_in_plain_words(
    answers: dict[str, Any], where: str, words: str
) -> None:
    with pytest.raises(CaseError) as caught:
        triage_json(load_pack(), case(answers))
    message = str(caught.value)
    assert message.startswith(where + ":"), message
    assert words in message, message


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda c: c["patient"].update(care_phase="home"), "patient.care_phase"),
        (lambda c: c["patient"].update(known_metastatic_sites=["spleen"]),
         "patient.known_metastatic_sites[0]"),
        (lambda c: c["patient"].update(therapies="morphine"), "patient.therapies"),
        (lambda c: c["checkin"].update(at="yesterday"), "checkin.at"),
        (lambda c: c["checkin"].update(at="2026-11-17T09:00:00"), "checkin.at"),
        (lambda c: c["checkin"].update(id="not-a-uuid"), "checkin.id"),
        (lambda c: c["checkin"].update(reporter="nurse"), "checkin.reporter"),
        (lambda c: c["checkin"].pop("answers"), "checkin.answers"),
        (lambda c: c.pop("checkin"), "checkin"),
        (lambda c: c.update(extra=1), "case.extra"),
        (lambda c: c["history"].append({"at": "2026-12-01T00:00:00Z", "answers": {}}),
         "history[0].at"),
    ],
)  # fmt: skip
def test_bad_cases_are_named(change: Any, where: str) -> None:
    data = case({"fatigue": {"severity": 1}})
    change(data)
    with pytest.raises(CaseError) as caught:
        triage_json(load_pack(), data)
    assert str(caught.value).startswith(where + ":"), str(caught.value)


def test_jsonl_answers_every_line_in_order_with_errors_in_place() -> None:
    given, expected = spec_example()
    lines = [
        json.dumps(given),
        "{not json",
        json.dumps(case({"pain": {"severity": 9}})),
        json.dumps(case({"fatigue": {"severity": 1}})),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "oncopro", "triage", "--jsonl"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == 4
    assert as_implemented(results[0]) == as_implemented(expected)
    assert results[1]["error"].startswith("not valid JSON")
    assert results[2] == {
        "error": "checkin.answers.pain.severity: must be a whole number from 0 to 4, not 9"
    }
    assert results[3]["urgency"] == "routine"


def test_therapy_names_are_read_kindly() -> None:
    result = triage_json(load_pack(), case({"temperature_c": 37.5}, therapies=(" Capecitabine ",)))
    assert result["warnings"] == []
    assert result["findings"][0]["inputs"]["therapies"] == ["capecitabine"]


def test_a_whole_number_written_with_a_decimal_point_is_that_number() -> None:
    # JSON (and JSON Schema) have one kind of number: 2.0 is the whole number 2.
    case = parse_case(
        load_pack(),
        {"checkin": {"at": "2026-11-17T09:00:00Z", "answers": {"pain": {"severity": 2.0},
                                                               "cough": {"days": 3.0}}}},
    )  # fmt: skip
    assert case.checkin.answers["pain"]["severity"] == 2
    assert type(case.checkin.answers["pain"]["severity"]) is int
    assert type(case.checkin.answers["cough"]["days"]) is int
