"""Finding a symptom from a person's own words."""

from __future__ import annotations

import pytest

from oncopro.clinical import load_pack
from oncopro.clinical.search import find_symptoms

PHRASES = [
    ("yellow skin", "jaundice"),
    ("my eyes have gone yellow", "jaundice"),
    ("can't walk straight", "balance_problems"),
    ("I cannot walk straight", "balance_problems"),
    ("throwing up", "vomiting"),
    ("I keep being sick", "vomiting"),
    ("short of breath", "shortness_of_breath"),
    ("out of breath on the stairs", "shortness_of_breath"),
    ("pins and needles", "numbness_tingling"),
    ("lump in my armpit", "swollen_lymph_nodes"),
    ("new lump in breast", "breast_lump"),
    ("coughing blood", "coughing_blood"),
    ("fever", "temperature_c"),
    ("tummy ache", "abdominal_pain"),
    ("can't sleep", "insomnia"),
    ("wobbly tooth", "loose_tooth"),
    ("face drooping", "one_sided_weakness"),
    ("slurred speech", "speech_difficulty"),
    ("fell and can't put weight on my leg", "cannot_bear_weight"),
    ("blurry vision", "vision_changes"),
    ("runny poo", "diarrhea"),
    ("haven't had a poo", "constipation"),
    ("backache", "back_pain"),
    ("hot flashes", "hot_flashes"),
    ("peeing a lot", "frequent_urination"),
    ("I want to end it all", "self_harm_thoughts"),
    ("shaking with cold", "shivering"),
    ("swollen arm", "arm_swelling"),
    ("exhausted", "fatigue"),
    ("worried", "anxiety"),
    # Weak legs are leg weakness (E2), never tiredness.
    ("my legs feel weak", "leg_weakness"),
    ("legs feel weak", "leg_weakness"),
    ("I can't lift my leg", "leg_weakness"),
    ("my legs keep giving way", "leg_weakness"),
    ("legs giving way", "leg_weakness"),
    ("I feel weak", "fatigue"),
]


@pytest.mark.parametrize(("typed", "symptom"), PHRASES)
def test_her_words_find_the_symptom(typed: str, symptom: str) -> None:
    found = [spec.id for spec in find_symptoms(load_pack(), typed, limit=3)]
    assert found, typed
    assert found[0] == symptom, (typed, found)


def test_nothing_typed_finds_nothing() -> None:
    assert find_symptoms(load_pack(), "") == []
    assert find_symptoms(load_pack(), "the and my") == []
    assert find_symptoms(load_pack(), "zzqx") == []


def test_two_symptoms_in_one_sentence_are_both_offered() -> None:
    found = [spec.id for spec in find_symptoms(load_pack(), "my back hurts and my legs feel weak")]
    assert {"back_pain", "leg_weakness"} <= set(found[:3]), found
