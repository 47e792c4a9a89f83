"""Every finding of REFERENCE.md, at its boundaries, through the public call.

Each scenario names what must fire, what must not, and (where it matters) the
resulting urgency. `test_every_reference_id_is_exercised` proves the table
reaches every id of REFERENCE sections 5 and 6.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from oncopro.clinical import load_pack
from tests.clinical.helpers import case, fired_both_ways, ids, reference_ids, run
from tests.clinical.pending import PENDING_IDS

WCL = ("capecitabine",)  # white-cell-lowering chemotherapy


@dataclass
class Scenario:
    name: str
    answers: dict[str, Any]
    fires: set[str] = field(default_factory=set)
    absent: set[str] = field(default_factory=set)
    urgency: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


def s(name: str, answers: dict[str, Any], fires: str = "", absent: str = "",
      urgency: str | None = None, **kwargs: Any) -> Scenario:  # fmt: skip
    return Scenario(name, answers, set(fires.split()), set(absent.split()), urgency, kwargs)


Y = {"present": True}

SCENARIOS = [
    # Emergencies
    s("seizure", {"seizure": Y}, "E1 P-brain", urgency="emergency"),
    s("leg weakness", {"leg_weakness": Y}, "E2 P-bone", urgency="emergency"),
    s("saddle numbness", {"numbness_legs_or_saddle": Y}, "E2"),
    s("bladder control", {"bladder_bowel_control_loss": Y}, "E2"),
    s("chest pain 3", {"chest_pain": {"severity": 3}}, "E3", "U3", urgency="emergency"),
    s("chest pain 2", {"chest_pain": {"severity": 2}}, "U3", "E3", urgency="urgent"),
    s("breath 4", {"shortness_of_breath": {"severity": 4}}, "E3", "U3 S2"),
    s("breath 3", {"shortness_of_breath": {"severity": 3}}, "U3", "E3 S2", urgency="urgent"),
    s("breath 2", {"shortness_of_breath": {"severity": 2}}, "S2", "U3", urgency="soon"),
    s("large blood", {"coughing_blood": {"present": True, "amount": "large"}}, "E4 U3 P-lung"),
    s("streaks", {"coughing_blood": {"present": True, "amount": "streaks"}}, "U3", "E4"),
    s("bleeding won't stop", {"bleeding": {"present": True, "stops": False}}, "E4"),
    s("svco airway", {"face_neck_swelling": Y, "noisy_breathing": Y}, "E5", "U9"),
    s("svco at rest", {"face_neck_swelling": Y, "shortness_of_breath": {"severity": 3}}, "E5"),
    s("svco no airway", {"face_neck_swelling": Y}, "U9", "E5", urgency="urgent"),
    s("hard to wake", {"hard_to_wake": Y}, "E6", urgency="emergency"),
    s("collapsed", {"collapsed": Y}, "E6"),
    s("one-sided weakness", {"one_sided_weakness": Y}, "E7 P-brain"),
    s("speech", {"speech_difficulty": Y}, "E7"),
    # Urgent
    s("fever 37.5 on chemo", {"temperature_c": 37.5}, "U1", "S1 U2", "urgent", therapies=WCL),
    s("fever 37.4 on chemo", {"temperature_c": 37.4}, "", "U1 S1", "routine", therapies=WCL),
    s("shivering on chemo", {"shivering": Y}, "U1", therapies=WCL),
    s("unwell on CDK4/6", {"feels_unwell": Y}, "U1", therapies=("palbociclib",)),
    s("35.9 shivery on chemo", {"temperature_c": 35.9, "shivering": Y}, "U1", "S21", therapies=WCL),
    s("unknown drug counts as WCL", {"temperature_c": 37.5}, "U1", therapies=("zolbetuximab-x",)),
    s("39.0 off chemo", {"temperature_c": 39.0}, "U2", "S1 U1", urgency="urgent"),
    s("38.9 off chemo", {"temperature_c": 38.9}, "S1", "U2", urgency="soon"),
    s("38.0 off chemo", {"temperature_c": 38.0}, "S1"),
    s("37.9 off chemo", {"temperature_c": 37.9}, "", "S1 U2", "routine"),
    s("noisy breathing", {"noisy_breathing": Y}, "U3"),
    s("vomit 6", {"vomiting": {"times_24h": 6}}, "U4", "S3", urgency="urgent"),
    s("vomit 5", {"vomiting": {"times_24h": 5}}, "S3", "U4", urgency="soon"),
    s("vomit 3", {"vomiting": {"times_24h": 3}}, "S3"),
    s("vomit 2", {"vomiting": {"times_24h": 2}}, "", "S3 U4"),
    s("stools 7", {"diarrhea": {"stools_above_usual_24h": 7}}, "U4", "S3"),
    s("stools 6", {"diarrhea": {"stools_above_usual_24h": 6}}, "S3", "U4"),
    s("stools 4", {"diarrhea": {"stools_above_usual_24h": 4}}, "S3"),
    s("stools 3", {"diarrhea": {"stools_above_usual_24h": 3}}, "", "S3"),
    s("fluids down", {"cannot_keep_fluids_down": Y}, "U4"),
    s("confusion", {"confusion": Y}, "U5", urgency="urgent"),
    s("behaviour", {"behaviour_change": Y}, "U5"),
    s("raised ICP", {"headache": {"severity": 3}, "nausea": {"frequency": 2}}, "U6 P-brain"),
    s(
        "morning headache",
        {"headache": {"severity": 1, "worse_in_morning": True}, "vision_changes": Y},
        "U6",
    ),
    s("headache alone", {"headache": {"severity": 3}}, "S5", "U6"),
    s(
        "calcium",
        {"thirst": {"severity": 2}, "frequent_urination": Y},
        "U7 P-bone",
        urgency="urgent",
    ),
    s(
        "calcium needs a key sign",
        {"constipation": {"severity": 2}, "nausea": {"severity": 1}},
        "",
        "U7",
    ),
    s(
        "drowsy on opioid is not a sign",
        {"drowsiness": {"severity": 2}, "constipation": {"severity": 2}},
        "",
        "U7",
        therapies=("morphine", "senna"),
    ),
    s(
        "drowsy off opioid is",
        {"drowsiness": {"severity": 2}, "constipation": {"severity": 2}},
        "U7",
    ),
    s("fracture", {"fracture_suspected": Y}, "U8 P-bone", urgency="urgent"),
    s("weight bearing", {"cannot_bear_weight": Y}, "U8 P-bone"),
    s("new severe back pain", {"back_pain": {"severity": 3, "new": True}}, "U8 S20 P-bone"),
    s("back pain balance", {"back_pain": {"severity": 1}, "balance_problems": Y}, "U8"),
    s(
        "night back pain",
        {"back_pain": {"severity": 1, "new": False, "worse_at_night": True}},
        "U8",
        "S20",
    ),
    s("cannot pass urine", {"cannot_pass_urine": Y}, "U8"),
    s("leg swelling", {"leg_swelling": Y}, "U9"),
    s("painful arm", {"arm_swelling": {"present": True, "painful": True}}, "U9", "S10"),
    s("very severe pain", {"pain": {"severity": 4}}, "U10", "S5", urgency="urgent"),
    s("very severe headache", {"headache": {"severity": 4}}, "U10"),
    s("jaundice", {"jaundice": Y}, "U11 P-liver"),
    s("mouth sores 3", {"mouth_sores": {"severity": 3}}, "U12", "S9"),
    s("cannot swallow fluids", {"cannot_swallow_fluids": Y}, "U12"),
    s("self-harm", {"self_harm_thoughts": Y}, "U13", urgency="urgent"),
    s(
        "new cough on T-DXd",
        {"cough": {"severity": 1}},
        "U14",
        therapies=("trastuzumab deruxtecan",),
    ),
    s(
        "same cough on T-DXd",
        {"cough": {"severity": 1}},
        "",
        "U14",
        therapies=("trastuzumab deruxtecan",),
        history=((7, {"cough": {"severity": 1}}),),
    ),
    s("fever on T-DXd", {"temperature_c": 37.5}, "U14 U1", therapies=("trastuzumab deruxtecan",)),
    s(
        "bleeding on chemo",
        {"bleeding": {"present": True, "stops": True}},
        "U15",
        "S8",
        therapies=WCL,
    ),
    s("bruising on chemo", {"unusual_bruising": Y}, "U15", therapies=WCL),
    s("bleeding, stops unknown", {"bleeding": Y}, "U15"),
    # Soon
    s(
        "M1 severe and worse",
        {"pain": {"severity": 3, "interference": 3}},
        "M1 S5",
        history=((7, {"pain": {"severity": 1}}),),
    ),
    s(
        "M1 rise by 2",
        {"fatigue": {"severity": 2}},
        "M1",
        history=((7, {"fatigue": {"severity": 0}}),),
    ),
    s(
        "M1 rise by 1",
        {"fatigue": {"severity": 2}},
        "",
        "M1",
        history=((7, {"fatigue": {"severity": 1}}),),
    ),
    s(
        "diarrhoea on abemaciclib",
        {"diarrhea": {"frequency": 1}},
        "S3",
        urgency="soon",
        therapies=("abemaciclib",),
    ),
    s("constipation 3 days", {"constipation": {"days_since_bowel_movement": 3}}, "S4"),
    s("constipation 2 days", {"constipation": {"days_since_bowel_movement": 2}}, "", "S4"),
    s("severe pain", {"pain": {"severity": 3}}, "S5", "U10", urgency="soon"),
    s("severe by grade", {"joint_pain": {"frequency": 4, "severity": 2, "interference": 4}}, "S5"),
    s("new bone pain", {"bone_pain": {"severity": 1, "new": True}}, "S6 P-bone"),
    s(
        "new bone pain, bone known",
        {"bone_pain": {"severity": 1, "new": True}},
        "S6",
        "P-bone",
        sites=("bone",),
    ),
    s("bone pain not new", {"bone_pain": {"severity": 2, "new": False}}, "", "S6 P-bone"),
    s("abdominal pain", {"abdominal_pain": {"severity": 2}}, "S7"),
    s("abdominal swelling", {"abdominal_swelling": Y}, "S7"),
    s("bleeding stopped", {"bleeding": {"present": True, "stops": True}}, "S8", "U15"),
    s("mouth sores 2", {"mouth_sores": {"severity": 2}}, "S9", "U12"),
    s("swallowing", {"difficulty_swallowing": {"severity": 2}}, "S9"),
    s("breast lump", {"breast_lump": Y}, "S10 P-local"),
    s("arm not painful", {"arm_swelling": {"present": True, "painful": False}}, "S10", "U9"),
    s("cough 21 days", {"cough": {"severity": 1, "days": 21}}, "S11 P-lung"),
    s("cough 20 days", {"cough": {"severity": 1, "days": 20}}, "", "S11 P-lung"),
    s("itch", {"itchy_skin": {"severity": 2}}, "S12"),
    s("jaw on denosumab", {"jaw_pain": Y}, "S13", therapies=("denosumab",)),
    s("jaw off denosumab", {"jaw_pain": Y}, "", "S13"),
    s(
        "hand-foot on capecitabine",
        {"hand_foot_skin_reaction": {"severity": 2}},
        "S14",
        therapies=WCL,
    ),
    s(
        "sugar on alpelisib",
        {"thirst": {"severity": 2}, "frequent_urination": Y},
        "S15 U7",
        therapies=("alpelisib",),
    ),
    s("severe anxiety", {"anxiety": {"severity": 3}}, "S16"),
    s("weight 5%", {"weight_loss": {"percent_last_month": 5}}, "S17"),
    s("weight 4.9%", {"weight_loss": {"percent_last_month": 4.9}}, "", "S17"),
    s("opioid without laxative", {}, "S18", urgency="routine", therapies=("morphine",)),
    s("opioid with laxative", {}, "", "S18", therapies=("morphine", "senna")),
    s("one brain sign", {"vision_changes": Y}, "S19", "P-brain", urgency="soon"),
    s("new headache", {"headache": {"severity": 2, "new": True}}, "S19"),
    s(
        "two brain signs",
        {"vision_changes": Y, "balance_problems": Y},
        "P-brain",
        "S19",
        urgency="urgent",
    ),
    s(
        "two brain signs, brain known",
        {"vision_changes": Y, "headache": {"severity": 2}},
        "P-brain",
        "S19",
        urgency="urgent",
        sites=("brain",),
    ),
    s("new back pain", {"back_pain": {"severity": 1, "new": True}}, "S20 P-bone"),
    s("low reading", {"temperature_c": 35.9}, "S21", "U1", urgency="routine"),
    s("36.0", {"temperature_c": 36.0}, "", "S21"),
    # Spread patterns on their own
    s(
        "lung pattern",
        {"shortness_of_breath": {"severity": 2}, "cough": {"severity": 1}},
        "P-lung S2",
    ),
    s(
        "liver pattern",
        {"abdominal_pain": {"severity": 1}, "itchy_skin": {"severity": 1}},
        "P-liver",
        "S7 S12",
        urgency="soon",
    ),
    s(
        "liver known",
        {"abdominal_pain": {"severity": 1}, "itchy_skin": {"severity": 1}},
        "",
        "P-liver",
        urgency="routine",
        sites=("liver",),
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda sc: sc.name)
def test_scenario(scenario: Scenario) -> None:
    result = run(scenario.answers, **scenario.kwargs)
    fired = set(ids(result))
    assert scenario.fires <= fired, (scenario.fires - fired, result["findings"])
    assert not scenario.absent & fired, (scenario.absent & fired, result["findings"])
    if scenario.urgency:
        assert result["urgency"] == scenario.urgency, result["findings"]
    for finding in result["findings"]:
        assert finding["source"]
        assert finding["because"]
        assert "{" not in finding["because"], finding


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda sc: sc.name)
def test_the_all_rules_function_fires_what_each_rule_fires_alone(scenario: Scenario) -> None:
    together, alone = fired_both_ways(case(scenario.answers, **scenario.kwargs))
    assert together == alone


def test_every_reference_id_is_exercised() -> None:
    exercised = set().union(*(scenario.fires for scenario in SCENARIOS))
    missing = reference_ids() - exercised
    assert missing == PENDING_IDS, f"no scenario makes these fire: {sorted(missing)}"


def test_every_reference_id_is_implemented_by_a_rule() -> None:
    pack = load_pack()
    implemented = {i for rule in (*pack.rules, *pack.patterns) for i in rule.implements}
    wanted = reference_ids()
    assert len(wanted) == 51  # E1-7, U1-15, M1, S1-23 and five patterns: parsed right
    assert wanted - implemented == PENDING_IDS, sorted(wanted - implemented)
    assert implemented <= wanted, sorted(implemented - wanted)


def test_unknown_drug_is_reported() -> None:
    result = run({"temperature_c": 37.5}, therapies=("zolbetuximab-x", "letrozole"))
    assert "U1" in ids(result)
    assert len(result["warnings"]) == 1
    assert "zolbetuximab-x" in result["warnings"][0]
    assert run({}, therapies=("letrozole",))["warnings"] == []


def test_the_cli_answers_every_scenario_as_the_library_does() -> None:
    import json
    import subprocess
    import sys

    from oncopro.clinical import triage_json
    from tests.clinical.helpers import ROOT

    cases = [case(scenario.answers, **scenario.kwargs) for scenario in SCENARIOS]
    done = subprocess.run(
        [sys.executable, "-m", "oncopro", "triage", "--jsonl"],
        input="\n".join(json.dumps(c) for c in cases) + "\n",
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(SCENARIOS)
    for scenario, given, result in zip(SCENARIOS, cases, results, strict=True):
        assert result == triage_json(load_pack(), given), scenario.name
        assert scenario.fires <= set(ids(result)), scenario.name
