"""Reading one triage case (patient, history, check-in) as the contract gives it.

Every problem is a `CaseError` whose message names the field and says what is
wrong in plain words: "checkin.answers.pain.severity: must be a whole number
from 0 to 4, not 7". Nothing is guessed: an unknown symptom or field, a wrong
type, a value out of range, or a contradiction is refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import msgspec

from oncopro.clinical.conditions import CARE_PHASES
from oncopro.clinical.errors import CaseError
from oncopro.clinical.kinds import describe as _describe
from oncopro.clinical.kinds import kind_of
from oncopro.clinical.pack import SITES, Pack
from oncopro.clinical.specs import FieldSpec

REPORTERS = ("patient", "caregiver")


@dataclass(frozen=True, slots=True)
class PatientContext:
    care_phase: str = "active_treatment"
    therapies: tuple[str, ...] = ()
    known_metastatic_sites: tuple[str, ...] = ()


class Report(NamedTuple):
    """One check-in: the one being triaged, or one from the history. (A named
    tuple: immutable, and cheap to build for every check-in of a history.)"""

    at: dt.datetime
    answers: Mapping[str, Any]
    id: str | None = None
    reporter: str = "patient"


@dataclass(frozen=True, slots=True)
class TriageCase:
    patient: PatientContext
    history: tuple[Report, ...]
    checkin: Report


def parse_case(pack: Pack, data: Any) -> TriageCase:
    """Validate one case. Types and ranges are checked first by a schema the
    pack compiles for msgspec (fast, in C); only when that refuses does the
    field-by-field check below run, to say in plain words what is wrong."""
    if _schema_accepts(pack, data):
        return _checked_case(data)
    _mapping(data, "case")
    _only_keys(data, {"patient", "history", "checkin"}, "case")
    patient = _patient(data.get("patient", {}))
    checkin_data = data.get("checkin")
    if checkin_data is None:
        raise CaseError("checkin", "is missing")
    checkin = _report(pack, checkin_data, "checkin")
    history_data = data.get("history", [])
    if not isinstance(history_data, list):
        raise CaseError("history", "must be a list of earlier check-ins")
    history = []
    for index, item in enumerate(history_data):
        where = f"history[{index}]"
        report = _report(pack, item, where)
        if report.at > checkin.at:
            raise CaseError(f"{where}.at", "is after the check-in being triaged")
        history.append(report)
    return TriageCase(patient=patient, history=tuple(history), checkin=checkin)


def _checked_case(data: dict[str, Any]) -> TriageCase:
    """A case the schema accepted: objects, known keys, answers of the right
    types and ranges. What is left to check is what the schema cannot say
    (dates, ids, the reporter, the patient, and no severity after "never"),
    the same checks as `_report` makes, with the same messages."""
    patient = _patient(data.get("patient", {}))
    checkin = _checked_report(data["checkin"], "checkin")
    history = []
    for index, item in enumerate(data.get("history", ())):
        report = _checked_report(item, f"history[{index}]")
        if report.at > checkin.at:
            raise CaseError(f"history[{index}].at", "is after the check-in being triaged")
        history.append(report)
    return TriageCase(patient=patient, history=tuple(history), checkin=checkin)


def _checked_report(data: dict[str, Any], where: str) -> Report:
    at = _timestamp(data["at"], where, ".at")
    answers = data["answers"]
    for answer in answers.values():
        # Only an empty answer, or one saying "never" and something else, can
        # break the branching rule: the rest need no closer look.
        if type(answer) is dict and (
            not answer or (len(answer) > 1 and answer.get("frequency") == 0)
        ):
            _check_branching_of(answers, f"{where}.answers")
    return Report(at, answers, *_id_and_reporter(data, where))


def _check_branching_of(answers: Mapping[str, Any], where: str) -> None:
    for symptom_id, answer in answers.items():
        if type(answer) is dict:
            _check_branching(answer, f"{where}.{symptom_id}")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CaseError(where, f"must be an object, not {_describe(value)}")
    return value


def _only_keys(value: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in value:
        if key not in allowed:
            raise CaseError(
                f"{where}.{key}", f"is not a known field (known: {', '.join(sorted(allowed))})"
            )


def _patient(data: Any) -> PatientContext:
    _mapping(data, "patient")
    _only_keys(data, {"care_phase", "therapies", "known_metastatic_sites"}, "patient")
    phase = data.get("care_phase", "active_treatment")
    if phase not in CARE_PHASES:
        raise CaseError(
            "patient.care_phase", f"must be one of {', '.join(CARE_PHASES)}, not {_describe(phase)}"
        )
    therapies = data.get("therapies", [])
    if not isinstance(therapies, list):
        raise CaseError("patient.therapies", "must be a list of drug names")
    names = []
    for index, name in enumerate(therapies):
        if not isinstance(name, str) or not name.strip():
            raise CaseError(f"patient.therapies[{index}]", "must be a drug name")
        names.append(" ".join(name.lower().split()))
    sites = data.get("known_metastatic_sites", [])
    if not isinstance(sites, list):
        raise CaseError("patient.known_metastatic_sites", "must be a list of places")
    for index, site in enumerate(sites):
        if site not in SITES:
            raise CaseError(
                f"patient.known_metastatic_sites[{index}]",
                f"must be one of {', '.join(SITES)}, not {_describe(site)}",
            )
    return PatientContext(
        care_phase=phase,
        therapies=tuple(dict.fromkeys(names)),
        known_metastatic_sites=tuple(sorted(set(sites))),
    )


def _report(pack: Pack, data: Any, where: str) -> Report:
    _mapping(data, where)
    _only_keys(data, {"id", "at", "reporter", "answers"}, where)
    at = _timestamp(data.get("at"), where, ".at")
    answers = _answers(pack, data.get("answers"), f"{where}.answers")
    return Report(at, answers, *_id_and_reporter(data, where))


def _id_and_reporter(data: Mapping[str, Any], where: str) -> tuple[str | None, str]:
    report_id = data.get("id")
    if report_id is not None:
        report_id = _uuid(report_id, where)
    reporter = data.get("reporter", "patient")
    if reporter not in REPORTERS:
        raise CaseError(
            f"{where}.reporter", f"must be patient or caregiver, not {_describe(reporter)}"
        )
    return report_id, reporter


def _uuid(value: Any, where: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise CaseError(f"{where}.id", f"must be a UUID, not {_describe(value)}") from None


def _timestamp(value: Any, report: str, suffix: str) -> dt.datetime:
    if type(value) is str:  # the usual case first, naming nothing until needed
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                return parsed
    where = report + suffix
    if value is None:
        raise CaseError(where, "is missing")
    if not isinstance(value, str):
        raise CaseError(
            where, f"must be a date and time such as 2026-11-17T09:00:00Z, not {_describe(value)}"
        )
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CaseError(
            where, f"must be a date and time such as 2026-11-17T09:00:00Z, not {value!r}"
        ) from None
    if parsed.tzinfo is None:
        raise CaseError(where, "needs a time zone, for example 2026-11-17T09:00:00Z")
    return parsed


def _answers(pack: Pack, data: Any, where: str) -> dict[str, Any]:
    if data is None:
        raise CaseError(where, "is missing")
    _mapping(data, where)
    answers: dict[str, Any] = {}
    for symptom_id, answer in data.items():
        spec = pack.symptoms.get(symptom_id)
        here = f"{where}.{symptom_id}"
        if spec is None:
            raise CaseError(here, "is not a symptom this pack knows")
        if spec.is_reading:
            answers[symptom_id] = _value(spec.fields["value"], answer, here)
            continue
        _mapping(answer, here)
        clean: dict[str, Any] = {}
        for field_name, value in answer.items():
            field = spec.fields.get(field_name)
            if field is None:
                raise CaseError(
                    f"{here}.{field_name}",
                    f"is not a field of {symptom_id} (its fields: {', '.join(spec.fields)})",
                )
            clean[field_name] = _value(field, value, f"{here}.{field_name}")
        _check_branching(clean, here)
        answers[symptom_id] = clean
    return answers


def _check_branching(answer: Mapping[str, Any], here: str) -> None:
    if not answer:
        raise CaseError(here, "has no answers; leave the symptom out if it was not asked")
    if answer.get("frequency") == 0:
        for skipped in ("severity", "interference"):
            if skipped in answer:
                raise CaseError(
                    f"{here}.{skipped}",
                    f"was given although frequency is 0 (never): a symptom that never "
                    f"happened has no {skipped}",
                )


def _value(field: FieldSpec, value: Any, where: str) -> Any:
    return kind_of(field).check(field, value, where)


# --- the fast check: the pack's fields as a msgspec schema -------------------------


def _schema_accepts(pack: Pack, data: Any) -> bool:
    """True when every answer has a known symptom, known fields, and values of
    the right type and range. False means: look closer, field by field."""
    try:
        msgspec.convert(data, _case_type(pack))
    except msgspec.ValidationError:
        return False
    return True


def _field_type(field: FieldSpec) -> Any:
    return kind_of(field).msgspec_type(field)


# The schema's structs: no field it does not know. They only check, and are
# dropped at once, never in a cycle: so the garbage collector need not track
# them (msgspec's gc=False), which makes the check ~15% faster.
_STRICT: dict[str, Any] = {"forbid_unknown_fields": True, "gc": False}


@functools.cache
def _case_type(pack: Pack) -> Any:
    unset = msgspec.UNSET
    answer_fields: list[tuple[str, Any, Any]] = []
    for symptom_id, spec in pack.symptoms.items():
        if spec.is_reading:
            kind = _field_type(spec.fields["value"])
        else:
            kind = msgspec.defstruct(
                f"Answer_{symptom_id}",
                [
                    (name, _field_type(f) | msgspec.UnsetType, unset)
                    for name, f in spec.fields.items()
                ],
                **_STRICT,
            )
        answer_fields.append((symptom_id, kind | msgspec.UnsetType, unset))
    answers = msgspec.defstruct("Answers", answer_fields, **_STRICT)
    report = msgspec.defstruct(
        "Report",
        [("at", str), ("answers", answers), ("id", Any, None), ("reporter", Any, None)],
        **_STRICT,
    )
    history = list[report]  # type: ignore[valid-type]
    return msgspec.defstruct(
        "Case",
        [("checkin", report), ("patient", Any, None), ("history", history, [])],
        **_STRICT,
    )


# --- the same rules as a JSON Schema, for documents (the API's OpenAPI) -------


def answers_json_schema(pack: Pack) -> dict[str, Any]:
    """The answers a check-in may carry, as JSON Schema: every symptom of the
    pack with its fields, types and ranges, nothing else, and the branching
    rule (no severity or interference after frequency 0). Validation itself
    is `parse_case`; this says the same thing to other programs."""
    properties: dict[str, Any] = {}
    for spec in pack.symptoms.values():
        if spec.is_reading:
            properties[spec.id] = _field_json_schema(spec.fields["value"])
            continue
        fields = {name: _field_json_schema(field) for name, field in spec.fields.items()}
        symptom: dict[str, Any] = {
            "type": "object",
            "description": spec.label,
            "properties": fields,
            "additionalProperties": False,
            "minProperties": 1,
        }
        after_never = [name for name in ("severity", "interference") if name in fields]
        if "frequency" in fields and after_never:
            symptom["if"] = {"properties": {"frequency": {"const": 0}}, "required": ["frequency"]}
            symptom["then"] = {"not": {"anyOf": [{"required": [name]} for name in after_never]}}
        properties[spec.id] = symptom
    return {
        "type": "object",
        "description": "Only what was asked; a symptom left out was not asked.",
        "properties": properties,
        "additionalProperties": False,
    }


def _field_json_schema(field: FieldSpec) -> dict[str, Any]:
    return kind_of(field).json_schema(field)
