"""Follow-up questions (HOME-CARE.md section 1): declared in the pack,
validated at load, and due exactly when their trigger is reported."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oncopro.clinical import load_pack
from oncopro.clinical.errors import PackError
from oncopro.clinical.followups import due_follow_ups, follow_up_questions
from tests.clinical.helpers import shared_file
from tests.clinical.test_pack import broken_pack

# F11 is the pain diary, whose fields come with the medicines issue (#20).
NOT_YET = {"F11"}


def home_care_follow_up_ids() -> set[str]:
    return set(re.findall(r"^\| (F\d+) \|", shared_file("clinical/HOME-CARE.md"), re.M))


def test_every_follow_up_id_is_in_the_pack() -> None:
    wanted = home_care_follow_up_ids()
    assert len(wanted) == 12  # F1-F12: parsed right
    declared = {follow_up.id for follow_up in load_pack().follow_ups}
    assert wanted - declared == NOT_YET
    assert declared <= wanted


def due(answers: dict[str, Any], **kwargs: Any) -> list[str]:
    return [f.id for f in due_follow_ups(load_pack(), answers, **kwargs)]


@pytest.mark.parametrize(
    ("answers", "kwargs", "expected"),
    [
        ({"back_pain": {"severity": 2}}, {}, ["F1"]),
        ({"back_pain": {"severity": 0}}, {}, []),
        ({}, {"picked": ["back_pain"]}, ["F1"]),  # picked, not answered yet
        ({"headache": {"new": True}}, {}, ["F2"]),
        ({"shortness_of_breath": {"severity": 1}}, {}, ["F3"]),
        ({"temperature_c": 38.1}, {}, ["F4"]),
        ({"temperature_c": 35.8}, {}, ["F4"]),
        ({"temperature_c": 37.0}, {}, []),
        ({"shivering": {"present": True}}, {}, ["F4"]),
        ({"vomiting": {"frequency": 0}}, {}, []),
        ({"vomiting": {"frequency": 1}}, {}, ["F5"]),
        ({"nausea": {"severity": 3}}, {}, ["F5"]),
        ({"nausea": {"severity": 2}}, {}, []),
        ({"diarrhea": {"severity": 1}}, {}, ["F6"]),
        ({"diarrhea": {"severity": 1}}, {"therapies": ["morphine"]}, ["F6", "F6"]),
        ({"drowsiness": {"severity": 1}}, {}, ["F7"]),
        ({"leg_swelling": {"present": True}}, {}, ["F8"]),
        ({"bleeding": {"present": True}}, {}, ["F9"]),
        ({"anxiety": {"severity": 2}}, {}, ["F10"]),
        ({"sadness": {"frequency": 3, "severity": 2}}, {}, ["F10"]),
        ({"anxiety": {"severity": 1}}, {}, []),
        ({"constipation": {"severity": 1}}, {}, []),
        ({"constipation": {"severity": 1}}, {"therapies": ["oxycodone"]}, ["F12"]),
    ],
)
def test_a_follow_up_is_due_exactly_when_its_trigger_is_reported(
    answers: dict[str, Any], kwargs: dict[str, Any], expected: list[str]
) -> None:
    assert due(answers, **kwargs) == expected


def test_back_pain_asks_the_cord_compression_questions_first() -> None:
    pack = load_pack()
    asked = follow_up_questions(pack, due_follow_ups(pack, {"back_pain": {"severity": 1}}))
    red = [item.symptom for item in asked if item.red_flag]
    assert red == [
        "leg_weakness", "numbness_legs_or_saddle", "bladder_bowel_control_loss", "cannot_pass_urine"
    ]  # fmt: skip
    assert [item.symptom for item in asked[:4]] == red
    back = next(item for item in asked if item.symptom == "back_pain")
    assert back.fields == ("severity", "new", "worse_at_night")
    assert back.because_of == ("F1",)


def test_two_follow_ups_asking_one_symptom_ask_it_once() -> None:
    pack = load_pack()
    follow_ups = due_follow_ups(pack, {"headache": {"severity": 2}, "back_pain": {"severity": 1}})
    asked = follow_up_questions(pack, follow_ups)
    balance = [item for item in asked if item.symptom == "balance_problems"]
    assert len(balance) == 1
    assert balance[0].because_of == ("F1", "F2")


def _follow_up(data: Any, index: int = 0) -> dict[str, Any]:
    return data["follow_ups"][index]


BROKEN: list[tuple[str, Callable[[Any], None], str, str]] = [
    ("unknown symptom asked",
     lambda d: _follow_up(d)["ask"].append("leg_weaknes"), "(id F1)",
     "unknown symptom 'leg_weaknes'"),
    ("unknown field asked",
     lambda d: _follow_up(d)["ask"].append("back_pain.colour"), "(id F1)",
     "symptom 'back_pain' has no field 'colour'"),
    ("unknown trigger",
     lambda d: _follow_up(d)["reported"].append("backache"), "(id F1)",
     "unknown symptom 'backache'"),
    ("red flag not asked",
     lambda d: _follow_up(d)["red_flags"].append("seizure"), "(id F1)",
     "red flag 'seizure' is not asked"),
    ("bad condition",
     lambda d: _follow_up(d, 10).update(when={"moderate_or_worse": "anxiousness"}), "(id F10)",
     "unknown symptom 'anxiousness'"),
    ("not an F id",
     lambda d: _follow_up(d).update(id="X1"), "(id X1)", "not a HOME-CARE.md follow-up id"),
    ("nothing makes it due",
     lambda d: _follow_up(d).update(reported=[]), "(id F1)", "needs 'reported' or 'when'"),
    ("unknown setting",
     lambda d: _follow_up(d).update(trigger=["x"]), "follow_ups", "trigger"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "change", "entry", "problem"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_follow_up_is_refused_naming_file_and_entry(
    tmp_path: Path, what: str, change: Callable[[Any], None], entry: str, problem: str
) -> None:
    folder = broken_pack(tmp_path, "followups.yaml", change)
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    assert caught.value.file == "followups.yaml", str(caught.value)
    assert entry in caught.value.entry, str(caught.value)
    assert problem in str(caught.value), str(caught.value)
