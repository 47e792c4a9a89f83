"""Each kind of answer lives in one table (clinical.kinds.KINDS). A kind made
up here, a calendar date, is one entry there: a pack may then declare a field
of it, and the contract's check (fast and field by field), the API's JSON
Schema, the check-in form and the FHIR mapping all follow, with no other
change."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Annotated, Any

import msgspec
import pytest
import yaml

from oncopro.checkins.forms import AnswerError, answers_from, blocks_for
from oncopro.clinical import CaseError, parse_case, triage_json
from oncopro.clinical.case import answers_json_schema
from oncopro.clinical.kinds import KINDS, AnswerKind, FormShape, FormValueError, describe
from oncopro.clinical.loading import load_pack
from oncopro.clinical.pack import BUILTIN_PACK, Pack
from oncopro.clinical.specs import FieldSpec
from oncopro.fhir import mapping
from tests.clinical.helpers import case

DATE = r"^\d{4}-\d{2}-\d{2}$"


def _check_date(field: FieldSpec, value: Any, where: str) -> Any:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CaseError(
            where, f"must be a date such as 2026-11-30, not {describe(value)}"
        ) from None
    return value


def _read_date(field: FieldSpec, raw: str) -> str:
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise FormValueError("Please type a date, for example 2026-11-30.") from None


THROWAWAY = AnswerKind(
    name="date",
    check=_check_date,
    msgspec_type=lambda field: Annotated[str, msgspec.Meta(pattern=DATE)],
    json_schema=lambda field: {"type": "string", "format": "date"},
    fhir_item_type="date",
    fhir_answer=lambda value, coding: {"valueDate": value},
    form=FormShape("text", _read_date),
)


@pytest.fixture
def pack_with_a_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pack:
    """The built-in pack, with bone pain also asking when it started."""
    monkeypatch.setitem(KINDS, "date", THROWAWAY)
    folder = tmp_path / "pack"
    shutil.copytree(BUILTIN_PACK, folder)
    path = folder / "symptoms.yaml"
    data = yaml.safe_load(path.read_text())
    data["fields"]["started"] = {"kind": "date"}
    data["questions"]["started"] = "When did it start?"
    data["caregiver_questions"]["started"] = "When did it start for {name}?"
    data["symptoms"]["bone_pain"]["fields"].append("started")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return load_pack(folder)


def test_a_new_kind_is_one_entry_in_the_table(pack_with_a_date: Pack) -> None:
    pack = pack_with_a_date
    answer = {"severity": 2, "started": "2026-11-30"}
    # The contract: accepted by the fast check and triaged...
    assert triage_json(pack, case({"bone_pain": answer}))["urgency"]
    # ...and refused in plain words, naming the field.
    with pytest.raises(CaseError, match=r"bone_pain\.started: must be a date such as"):
        parse_case(pack, case({"bone_pain": {"severity": 2, "started": "last week"}}))
    # The API's JSON Schema.
    schema = answers_json_schema(pack)["properties"]["bone_pain"]["properties"]["started"]
    assert schema == {"type": "string", "format": "date"}
    # The check-in form: asked as text, read back, refused kindly.
    [block] = blocks_for(pack, ["bone_pain"])
    question = next(q for q in block.questions if q.name.endswith("started"))
    assert (question.kind, question.text) == ("text", "When did it start?")
    typed = {q.name: "" for q in block.questions} | {question.name: "2026-11-30"}
    assert answers_from(pack, [block], typed) == {"bone_pain": {"started": "2026-11-30"}}
    with pytest.raises(AnswerError, match="Please type a date"):
        answers_from(pack, [block], typed | {question.name: "yesterday"})
    # FHIR: the Questionnaire's item type and the response's answer element.
    items = mapping.as_json(mapping.questionnaire(pack))["item"]
    bone = next(item for item in items if item["linkId"] == "bone_pain")
    started = next(item for item in bone["item"] if item["linkId"] == "bone_pain.started")
    assert started["type"] == "date"
    spec = pack.symptoms["bone_pain"]
    field = spec.fields["started"]
    assert mapping._answer(field, spec, "started", "2026-11-30") == {"valueDate": "2026-11-30"}


def test_a_kind_the_table_does_not_have_stops_the_pack(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(BUILTIN_PACK, folder)
    path = folder / "symptoms.yaml"
    data = yaml.safe_load(path.read_text())
    data["fields"]["started"] = {"kind": "date"}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(Exception, match=r"fields, started.*unknown kind 'date' \(one of score"):
        load_pack(folder)
