"""Levels beyond single findings: alert on change, two ambers, care phases, known sites."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.clinical.helpers import ids, ongoing_ids, run

BREATH_2 = {"shortness_of_breath": {"severity": 2}}
Y = {"present": True}


# --- Alert on change, not on state (REFERENCE section 4) ---------------------------


@pytest.mark.parametrize(("days", "ongoing"), [(7, True), (14, True), (15, False)])
def test_an_unchanged_soon_finding_is_ongoing_within_14_days(days: int, ongoing: bool) -> None:
    result = run(BREATH_2, history=((days, BREATH_2),))
    if ongoing:
        assert ongoing_ids(result) == ["S2"]
        assert ids(result) == []
        assert result["urgency"] == "routine"
    else:
        assert ids(result) == ["S2"]
        assert result["urgency"] == "soon"


def test_worse_is_news_again() -> None:
    result = run(
        {"shortness_of_breath": {"severity": 2, "interference": 3}},
        history=((7, {"shortness_of_breath": {"severity": 2, "interference": 1}}),),
    )
    assert ids(result) == ["S2"]


def test_only_the_latest_check_in_that_asked_counts() -> None:
    # Two weeks ago S2 fired; last week breathing was not asked; today: ongoing.
    result = run(BREATH_2, history=((3, {"fatigue": {"severity": 1}}), (10, BREATH_2)))
    assert ongoing_ids(result) == ["S2"]
    # Last week it was asked and was fine: S2 did not fire there, so today is news.
    result = run(BREATH_2, history=((3, {"shortness_of_breath": {"severity": 1}}), (10, BREATH_2)))
    assert ids(result) == ["S2"]


def test_a_duration_growing_is_not_worse() -> None:
    result = run(
        {"cough": {"severity": 1, "days": 28}},
        history=((7, {"cough": {"severity": 1, "days": 21}}),),
    )
    assert "S11" in ongoing_ids(result)
    assert "P-lung" in ongoing_ids(result)
    assert result["suspected_sites"] == ["lung"]  # an ongoing pattern keeps its place
    assert result["urgency"] == "routine"


def test_present_true_is_always_news() -> None:
    result = run({"breast_lump": Y}, history=((7, {"breast_lump": Y}),))
    assert "S10" in ids(result)
    assert "P-local" in ids(result)


def test_urgent_findings_always_stand() -> None:
    chest = {"chest_pain": {"severity": 2}}
    result = run(chest, history=((7, chest),))
    assert ids(result) == ["U3"]
    assert result["urgency"] == "urgent"


def test_night_back_pain_follows_the_rule_but_other_u8_arms_do_not() -> None:
    night = {"back_pain": {"severity": 1, "new": False, "worse_at_night": True}}
    result = run(night, history=((7, night),))
    assert ongoing_ids(result) == ["U8"]
    assert result["urgency"] == "routine"
    fracture = {"fracture_suspected": Y}
    assert "U8" in ids(run(fracture, history=((7, fracture),)))


def test_night_pain_that_is_new_at_night_alerts() -> None:
    before = {"back_pain": {"severity": 1, "new": False, "worse_at_night": False}}
    now = {"back_pain": {"severity": 1, "new": False, "worse_at_night": True}}
    assert "U8" in ids(run(now, history=((7, before),)))


def test_m1_severe_as_before_is_ongoing_and_never_alerts() -> None:
    pain = {"pain": {"severity": 3, "interference": 3}}
    result = run(pain, history=((7, pain),))
    assert "M1" in ongoing_ids(result)
    assert "M1" not in ids(result)
    m1 = next(f for f in result["ongoing"] if f["id"] == "M1")
    assert m1["because"] == "Pain is severe, as before."


def test_bone_pain_the_same_as_last_week_is_not_new() -> None:
    # S6 by "new by section 2": last week it was new (nothing before it);
    # this week the grade is the same, so it is not new and S6 does not fire.
    bone = {"bone_pain": {"severity": 2}}
    assert "S6" in ids(run(bone))
    assert "S6" not in ids(run(bone, history=((7, bone),)))


def test_a_symptom_the_earlier_check_in_did_not_ask_counts_as_worse() -> None:
    # P-lung from breath + cough; last week only breath was asked (with cough absent).
    now = {"shortness_of_breath": {"severity": 2}, "cough": {"severity": 1}}
    result = run(now, history=((7, {"shortness_of_breath": {"severity": 2}}),))
    assert "P-lung" in ids(result)


# --- Two ambers make red (REFERENCE section 4) ------------------------------------------


def test_two_counting_ambers_about_two_symptoms_make_urgent() -> None:
    result = run({**BREATH_2, "constipation": {"days_since_bowel_movement": 4}})
    assert set(ids(result)) >= {"S2", "S4"}
    assert result["urgency"] == "urgent"
    assert result["contact"] == "care_team_now"


def test_two_ambers_about_one_symptom_count_once() -> None:
    result = run({"headache": {"severity": 3, "new": True}})
    assert {"S5", "S19"} <= set(ids(result))
    assert result["urgency"] == "soon"


def test_mouth_sores_and_swallowing_are_two_ambers() -> None:
    # Two symptoms (REFERENCE section 4), so two findings and two ambers.
    alone = run({"mouth_sores": {"severity": 2}})
    assert ids(alone) == ["S9"]
    assert alone["urgency"] == "soon"
    both = run({"mouth_sores": {"severity": 2}, "difficulty_swallowing": {"severity": 2}})
    assert ids(both) == ["S9", "S9"]
    assert both["urgency"] == "urgent"


# One answer per counting amber finding, each about one symptom, off
# white-cell-lowering therapy and with no history (so each one is news).
AMBER_BY_SYMPTOM: dict[str, dict[str, Any]] = {
    "temperature_c": {"temperature_c": 38.4},
    "shortness_of_breath": BREATH_2,
    "vomiting": {"vomiting": {"times_24h": 4}},
    "diarrhea": {"diarrhea": {"stools_above_usual_24h": 5}},
    "constipation": {"constipation": {"days_since_bowel_movement": 4}},
    "pain": {"pain": {"severity": 3}},
    "bone_pain": {"bone_pain": {"severity": 1, "new": True}},
    "abdominal_pain": {"abdominal_pain": {"severity": 2}},
    "bleeding": {"bleeding": {"present": True, "stops": True}},
    "mouth_sores": {"mouth_sores": {"severity": 2}},
    "difficulty_swallowing": {"difficulty_swallowing": {"severity": 2}},
    "headache": {"headache": {"severity": 2, "new": True}},
    "back_pain": {"back_pain": {"severity": 1, "new": True}},
}


@pytest.mark.parametrize("symptom", sorted(AMBER_BY_SYMPTOM))
def test_each_amber_alone_is_soon(symptom: str) -> None:
    result = run(AMBER_BY_SYMPTOM[symptom])
    assert result["urgency"] == "soon", result["findings"]
    assert any(f["counts"] and f["urgency"] == "soon" for f in result["findings"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(sorted(AMBER_BY_SYMPTOM)), min_size=2, max_size=2, unique=True))
def test_any_two_distinct_counting_symptoms_at_amber_make_urgent(pair: list[str]) -> None:
    first, second = pair
    result = run({**AMBER_BY_SYMPTOM[first], **AMBER_BY_SYMPTOM[second]})
    assert result["urgency"] == "urgent", (pair, result["findings"])


def test_findings_that_do_not_count_never_make_red() -> None:
    result = run({"breast_lump": Y, "itchy_skin": {"severity": 2}}, sites=("local",))
    assert {"S10", "S12"} <= set(ids(result))
    assert result["urgency"] == "soon"


def test_m1_does_not_count() -> None:
    result = run(
        {"fatigue": {"severity": 2}, "constipation": {"days_since_bowel_movement": 4}},
        history=((7, {"fatigue": {"severity": 0}}),),
    )
    assert {"M1", "S4"} <= set(ids(result))
    assert result["urgency"] == "soon"


def test_an_ongoing_amber_does_not_count() -> None:
    result = run(
        {**BREATH_2, "constipation": {"days_since_bowel_movement": 4}},
        history=((7, BREATH_2),),
    )
    assert ongoing_ids(result) == ["S2"]
    assert result["urgency"] == "soon"


def test_abdominal_swelling_does_not_count_but_abdominal_pain_does() -> None:
    swelling = run({"abdominal_swelling": Y, **BREATH_2}, sites=("liver",))
    assert swelling["urgency"] == "soon"
    pain = run({"abdominal_pain": {"severity": 2}, **BREATH_2}, sites=("liver",))
    assert pain["urgency"] == "urgent"


# --- Care phases and known sites (REFERENCE sections 6 and 7) -----------------------------


@pytest.mark.parametrize(
    ("answers", "urgency", "contact"),
    [
        ({"seizure": Y}, "emergency", "hospice_team_now"),
        ({"confusion": Y}, "urgent", "hospice_team_now"),
        (BREATH_2, "soon", "hospice_team_24h"),
        ({"fatigue": {"severity": 1}}, "routine", "next_visit"),
    ],
)
def test_hospice_calls_the_hospice_team_first(
    answers: dict[str, object], urgency: str, contact: str
) -> None:
    result = run(answers, phase="hospice")
    assert result["urgency"] == urgency
    assert result["contact"] == contact


@pytest.mark.parametrize(
    ("answers", "contact"),
    [
        ({"seizure": Y}, "emergency_services"),
        ({"confusion": Y}, "care_team_now"),
        (BREATH_2, "care_team_24h"),
        ({}, "next_visit"),
    ],
)
def test_contacts_outside_hospice(answers: dict[str, object], contact: str) -> None:
    for phase in ("active_treatment", "palliative"):
        assert run(answers, phase=phase)["contact"] == contact


def test_no_spread_labels_in_hospice_but_the_level_still_rises() -> None:
    liver = {"abdominal_pain": {"severity": 1}, "itchy_skin": {"severity": 1}}
    result = run(liver, phase="hospice")
    assert result["suspected_sites"] == []
    assert result["urgency"] == "soon"
    pattern = next(f for f in result["findings"] if f["id"] == "P-liver")
    assert pattern["site"] is None


def test_a_new_place_is_labelled_and_a_known_one_is_not() -> None:
    answers = {"jaundice": Y, "fracture_suspected": Y}
    result = run(answers, sites=("bone",))
    assert result["suspected_sites"] == ["liver"]
    assert "P-bone" not in ids(result)
    assert next(f for f in result["findings"] if f["id"] == "P-liver")["site"] == "liver"
    assert "U8" in ids(result)  # the finding stands; only the label goes


def test_two_brain_signs_stand_even_when_brain_is_known_and_in_hospice() -> None:
    signs = {"vision_changes": Y, "confusion": Y}
    for kwargs in ({"sites": ("brain",)}, {"phase": "hospice"}):
        result = run(signs, **kwargs)
        assert "P-brain" in ids(result)
        assert result["urgency"] == "urgent"
        assert result["suspected_sites"] == []
