"""The pack validates at load: each kind of mistake stops it, naming file and entry."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from oncopro.clinical.errors import PackError
from oncopro.clinical.loading import load_pack
from oncopro.clinical.pack import BUILTIN_PACK
from tests.clinical.helpers import ROOT


def broken_pack(tmp_path: Path, filename: str, change: Callable[[Any], None]) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(BUILTIN_PACK, folder)
    path = folder / filename
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return folder


def rule(data: Any, key: str) -> dict[str, Any]:
    return next(r for r in data["rules"] + data["patterns"] if r["key"] == key)


BROKEN = [
    ("unknown symptom in a rule", "rules.yaml",
     lambda d: rule(d, "U11").update(when={"present": "yellowness"}),
     "rules.yaml", "rules[", "unknown symptom 'yellowness'"),
    ("unknown field", "rules.yaml",
     lambda d: rule(d, "S4").update(when={"field": "constipation.colour", "at_least": 3}),
     "rules.yaml", "(key S4)", "has no field 'colour'"),
    ("field the symptom lacks", "rules.yaml",
     lambda d: rule(d, "S2").update(when={"field": "shortness_of_breath.days", "at_least": 3}),
     "rules.yaml", "(key S2)", "symptom 'shortness_of_breath' has no field 'days'"),
    ("threshold outside the scale", "rules.yaml",
     lambda d: rule(d, "U10").update(when={"severity": "$symptom", "at_least": 5}),
     "rules.yaml", "(key U10)", "outside the severity of pain scale (0-4)"),
    ("temperature outside its range", "rules.yaml",
     lambda d: rule(d, "U2").update(when={"field": "temperature_c", "at_least": 390}),
     "rules.yaml", "(key U2)", "390 is outside the scale of 'temperature_c' (30-45)"),
    ("duplicate rule key", "rules.yaml",
     lambda d: d["rules"].append(dict(rule(d, "U13"))),
     "rules.yaml", "(key U13)", "used twice"),
    ("level that does not exist", "rules.yaml",
     lambda d: rule(d, "U5").update(level="red"),
     "rules.yaml", "(key U5), level", "'red' is not allowed"),
    ("missing source", "rules.yaml",
     lambda d: rule(d, "U5").pop("source"),
     "rules.yaml", "(key U5), source", "is missing"),
    ("empty source", "rules.yaml",
     lambda d: rule(d, "U5").update(source=" "),
     "rules.yaml", "(key U5), source", "non-empty"),
    ("missing explanation", "rules.yaml",
     lambda d: rule(d, "U5").pop("because"),
     "rules.yaml", "(key U5)", "needs an explanation"),
    ("id not in REFERENCE", "rules.yaml",
     lambda d: rule(d, "U5").update(key="U99"),
     "rules.yaml", "(key U99)", "not a REFERENCE.md finding id"),
    ("unknown therapy", "rules.yaml",
     lambda d: rule(d, "S13").update(when={"taking": "bone_glue"}),
     "rules.yaml", "(key S13)", "'bone_glue' is not a therapy class"),
    ("finding named before it exists", "rules.yaml",
     lambda d: rule(d, "E1").update(when={"finding": "U1"}),
     "rules.yaml", "(key E1)", "names no rule above"),
    ("misspelt setting", "rules.yaml",
     lambda d: rule(d, "E1").update(levle="emergency"),
     "rules.yaml", "(key E1), levle", "is not a known setting"),
    ("unknown symptom field", "symptoms.yaml",
     lambda d: d["symptoms"]["cough"]["fields"].append("colour"),
     "symptoms.yaml", "symptoms, cough, fields", "unknown field 'colour'"),
    ("missing question", "symptoms.yaml",
     lambda d: d["symptoms"]["seizure"].pop("questions"),
     "symptoms.yaml", "symptoms, seizure", "no question for 'present'"),
    ("unknown group member", "symptoms.yaml",
     lambda d: d["groups"]["mood"].append("grumpiness"),
     "symptoms.yaml", "groups, mood", "unknown symptom 'grumpiness'"),
    ("drug in two classes", "therapies.yaml",
     lambda d: d["classes"]["opioid"]["drugs"].append("senna"),
     "therapies.yaml", "classes, laxative", "'senna' is already in 'opioid'"),
    ("advice on an unknown symptom", "advice.yaml",
     lambda d: d["cards"][0].update(when={"grade": "wheeze", "at_least": 1}),
     "advice.yaml", "cards[0]", "unknown symptom 'wheeze'"),
    ("missing advice text", "advice.yaml",
     lambda d: d["cards"][0].update(text=""),
     "advice.yaml", "cards[0]", "'text' is empty"),
    ("weekly core names an unknown symptom", "pack.yaml",
     lambda d: d["weekly_core"].append("sneezing"),
     "pack.yaml", "weekly_core", "unknown symptom 'sneezing'"),
    ("translation missing", "pack.yaml",
     lambda d: d["languages"].append("es"),
     "strings/es.yaml", "(file)", "missing"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "filename", "change", "file", "entry", "problem"), BROKEN, ids=[b[0] for b in BROKEN]
)
def test_broken_pack_is_refused(
    tmp_path: Path, what: str, filename: str, change: Callable[[Any], None],
    file: str, entry: str, problem: str,
) -> None:  # fmt: skip
    folder = broken_pack(tmp_path, filename, change)
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    error = caught.value
    assert error.file == file, str(error)
    assert entry in error.entry, str(error)
    assert problem in error.problem, str(error)


def test_a_translation_missing_one_string_is_named(tmp_path: Path) -> None:
    folder = broken_pack(tmp_path, "pack.yaml", lambda d: d["languages"].append("es"))
    english = load_pack().strings
    translations = {key: f"[es] {text}" for key, text in english.items()}
    del translations["symptom.seizure.question.present"]
    (folder / "strings").mkdir(exist_ok=True)
    (folder / "strings" / "es.yaml").write_text(yaml.safe_dump(translations, allow_unicode=True))
    with pytest.raises(PackError, match=re.escape("symptom.seizure.question.present: is missing")):
        load_pack(folder)
    translations["symptom.seizure.question.present"] = "¿Ha tenido una convulsión?"
    (folder / "strings" / "es.yaml").write_text(yaml.safe_dump(translations, allow_unicode=True))
    assert load_pack(folder).languages == ("en", "es")


def test_check_pack_command(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "oncopro", "check-pack"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "mbc@1.0.0" in ok.stdout
    assert "is valid" in ok.stdout
    folder = broken_pack(tmp_path, "rules.yaml", lambda d: rule(d, "U5").update(level="red"))
    bad = subprocess.run(
        [sys.executable, "-m", "oncopro", "check-pack", str(folder)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "rules.yaml: rules[" in bad.stderr
    assert "(key U5), level: 'red' is not allowed" in bad.stderr


def test_every_string_is_there_and_every_rule_cites_a_source() -> None:
    pack = load_pack()
    assert all(text.strip() for text in pack.strings.values())
    for rule_ in (*pack.rules, *pack.patterns):
        assert rule_.source.strip()
        assert rule_.implements
    for symptom in pack.symptoms.values():
        assert symptom.synonyms, symptom.id
        assert symptom.questions, symptom.id


def test_pack_text_that_looks_like_code_stays_text(tmp_path: Path) -> None:
    """Conditions are compiled into Python functions, and every value from
    the pack goes in as a literal: a choice written to break out of its
    quotes is still only a choice to compare with."""
    folder = tmp_path / "pack"
    shutil.copytree(BUILTIN_PACK, folder)
    marker = tmp_path / "ran"
    sneaky = f"large'); open({str(marker)!r}, 'w'); ('\"\\\\"
    for name in ("symptoms.yaml", "rules.yaml"):  # the choice "large", renamed
        path = folder / name
        data = _renamed(yaml.safe_load(path.read_text(encoding="utf-8")), "large", sneaky)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    pack = load_pack(folder)
    e4 = next(rule for rule in pack.rules if rule.key == "E4")
    assert repr(sneaky) in e4.condition.source
    from oncopro.clinical import triage_json

    case = {
        "checkin": {
            "at": "2026-11-17T09:00:00Z",
            "answers": {"coughing_blood": {"present": True, "amount": sneaky}},
        }
    }
    result = triage_json(pack, case)
    assert result["urgency"] == "emergency"
    assert "E4" in [finding["id"] for finding in result["findings"]]
    assert not marker.exists()


def _renamed(node: Any, old: str, new: str) -> Any:
    """The same YAML data with one string replaced, in keys and values."""
    if isinstance(node, str):
        return new if node == old else node
    if isinstance(node, list):
        return [_renamed(item, old, new) for item in node]
    if isinstance(node, dict):
        return {_renamed(k, old, new): _renamed(v, old, new) for k, v in node.items()}
    return node


def test_a_caregivers_questions_name_her_and_never_say_your() -> None:
    for spec in load_pack().symptoms.values():
        assert "your" not in spec.caregiver_label.lower(), spec.id
        for field_name, text in spec.questions.items():
            to_carol = spec.question_for(field_name, "Alice")
            assert not re.search(r"\byour(self)?\b", to_carol, re.I), (spec.id, to_carol)
            if re.search(r"\byou\b", text, re.I):
                assert re.search(r"Alice|\bshe\b|\bher\b", to_carol), (spec.id, to_carol)


def test_a_question_that_says_you_needs_a_caregiver_version(tmp_path: Path) -> None:
    def drop(data: Any) -> None:
        del data["symptoms"]["jaundice"]["caregiver_questions"]

    with pytest.raises(PackError) as caught:
        load_pack(broken_pack(tmp_path, "symptoms.yaml", drop))
    assert caught.value.entry == "symptoms, jaundice"
    assert "says 'you': give one in caregiver_questions" in caught.value.problem
