"""Every kind of answer a pack's field can be, in one table (`KINDS`).

For each kind: how an answer is checked (`check`, with the plain-words error
the contract promises), its msgspec type (the fast check that comes first),
its JSON Schema (the API's documents), its FHIR Questionnaire item type and
answer element, and how a form asks it and reads back what was typed.
`case.py`, the check-in forms and the FHIR mapping read this table instead
of switching on the kind's name; adding a kind is one entry here (and the
pack may then declare fields of it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec

from oncopro.clinical.errors import CaseError
from oncopro.clinical.specs import FieldSpec, SymptomSpec, plain_number

# Free text is kept as JSON, and PostgreSQL cannot store the null character
# or half of a character split in two (a lone UTF-16 surrogate, which JSON's
# \u escapes can carry): such text is refused, by name, like any bad value.
_UNSTORABLE = r"\x00\ud800-\udfff"  # one character class, used twice below
STORABLE_TEXT = rf"^[^{_UNSTORABLE}]*$"
UNSTORABLE_TEXT = re.compile(rf"[{_UNSTORABLE}]")
# What the published schema says of it: a lone surrogate is not a Unicode
# character, so JSON Schema's strings do not have it to forbid (and tools
# such as schemathesis cannot read a pattern naming one).
DOCUMENTED_TEXT = r"^[^\x00]*$"

YES_NO = (("yes", "Yes"), ("no", "No"))

Scales = Mapping[str, tuple[str, ...]]


class FormValueError(ValueError):
    """What she typed or picked is not an answer of this kind; the message
    says so in plain words, for the form."""


@dataclass(frozen=True)
class FormShape:
    """How a check-in form asks one field of a kind and reads it back."""

    widget: Literal["radio", "number", "text"]
    # The typed or picked text -> the answer (FormValueError if it is none).
    read: Callable[[FieldSpec, str], Any]
    # For radio buttons: (value sent, label shown) for each answer.
    options: Callable[[Scales, SymptomSpec, str, FieldSpec], list[tuple[str, str]]] | None = None
    step: str = ""  # for a number: "1" or "0.1"
    # How an option's label reads inside a sentence ("severity: moderate").
    in_a_sentence: Callable[[str], str] = lambda label: label
    # A kept answer as the form sends it back (True -> "yes").
    sent_as: Callable[[Any], str] = str


@dataclass(frozen=True)
class AnswerKind:
    name: str
    # (field, value, where) -> the value as kept; CaseError naming `where`.
    check: Callable[[FieldSpec, Any, str], Any]
    msgspec_type: Callable[[FieldSpec], Any]
    json_schema: Callable[[FieldSpec], dict[str, Any]]
    fhir_item_type: str
    # (value, its coding) -> the QuestionnaireResponse answer element.
    fhir_answer: Callable[[Any, dict[str, str]], dict[str, Any]]
    form: FormShape
    # The range every field of this kind has (a score: 0-4), else the pack's.
    fixed_range: tuple[float, float] | None = None
    # What a field of this kind must say in the pack (checked at load, with
    # the pack's scales): the problem in plain words, or None.
    needs: Callable[[FieldSpec, Scales], str | None] = lambda field, scales: None


def describe(value: Any) -> str:
    """A value as an error message shows it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if isinstance(value, int | float):
        return plain_number(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _whole(value: Any) -> Any:
    """JSON has one kind of number: 2.0 is the whole number 2 (as JSON
    Schema says too). Anything else is left for the checks."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


# --- score: a 0-4 answer on one of the pack's scales ---------------------------------


def _check_score(field: FieldSpec, value: Any, where: str) -> Any:
    value = _whole(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
        raise CaseError(where, f"must be a whole number from 0 to 4, not {describe(value)}")
    return value


def _read_score(field: FieldSpec, raw: str) -> int:
    if raw not in {"0", "1", "2", "3", "4"}:
        raise FormValueError("Please pick one of the answers.")
    return int(raw)


def _score_options(
    scales: Scales, spec: SymptomSpec, name: str, field: FieldSpec
) -> list[tuple[str, str]]:
    return [(str(value), label) for value, label in enumerate(scales[field.scale or name])]


# --- yesno ----------------------------------------------------------------------------


def _check_yesno(field: FieldSpec, value: Any, where: str) -> Any:
    if not isinstance(value, bool):
        raise CaseError(where, f"must be true or false, not {describe(value)}")
    return value


def _read_yesno(field: FieldSpec, raw: str) -> bool:
    if raw not in ("yes", "no"):
        raise FormValueError("Please pick Yes or No.")
    return raw == "yes"


# --- integer and number: a value between the field's min and max -----------------------


def _check_number(whole: bool) -> Callable[[FieldSpec, Any, str], Any]:
    def check(field: FieldSpec, value: Any, where: str) -> Any:
        if whole:
            value = _whole(value)
        ok_type = isinstance(value, int) if whole else isinstance(value, int | float)
        assert field.low is not None
        assert field.high is not None
        low, high = plain_number(field.low), plain_number(field.high)
        if isinstance(value, bool) or not ok_type or value != value:  # NaN is not a number here
            what = "a whole number" if whole else "a number"
            raise CaseError(where, f"must be {what} from {low} to {high}, not {describe(value)}")
        if not field.low <= value <= field.high:
            unit = f" {field.unit}" if field.unit else ""
            raise CaseError(where, f"must be from {low} to {high}{unit}, not {plain_number(value)}")
        return value

    return check


def _read_number(whole: bool) -> Callable[[FieldSpec, str], Any]:
    def read(field: FieldSpec, raw: str) -> Any:
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            raise FormValueError("Please type a number, for example 37.5.") from None
        if not whole:
            return number
        if not number.is_integer():
            raise FormValueError("Please type a whole number, for example 3.")
        return int(number)

    return read


def _integer_type(field: FieldSpec) -> Any:
    assert field.low is not None
    assert field.high is not None
    return Annotated[int, msgspec.Meta(ge=int(field.low), le=int(field.high))]


def _number_schema(whole: bool) -> Callable[[FieldSpec], dict[str, Any]]:
    def schema(field: FieldSpec) -> dict[str, Any]:
        assert field.low is not None
        assert field.high is not None
        return {
            "type": "integer" if whole else "number",
            "minimum": int(field.low) if whole else field.low,
            "maximum": int(field.high) if whole else field.high,
        }

    return schema


def _needs_range(field: FieldSpec, scales: Scales) -> str | None:
    if field.low is None or field.high is None or field.low > field.high:
        return "needs min and max, with min not above max"
    return None


# --- choice: one of the field's named answers --------------------------------------------


def _check_choice(field: FieldSpec, value: Any, where: str) -> Any:
    if value not in field.choices:
        raise CaseError(where, f"must be one of {', '.join(field.choices)}, not {describe(value)}")
    return value


def _choice_options(
    scales: Scales, spec: SymptomSpec, name: str, field: FieldSpec
) -> list[tuple[str, str]]:
    named = spec.choice_labels.get(name, {})
    return [(value, named.get(value, value)) for value in field.choices]


# --- text: her own words, up to the field's max_length -------------------------------------


def _check_text(field: FieldSpec, value: Any, where: str) -> Any:
    if not isinstance(value, str):
        raise CaseError(where, f"must be text, not {describe(value)}")
    if field.max_length is not None and len(value) > field.max_length:
        raise CaseError(
            where, f"is too long: at most {field.max_length} characters, not {len(value)}"
        )
    if UNSTORABLE_TEXT.search(value):
        raise CaseError(
            where,
            "has a character that cannot be kept (a null character or half of a "
            "broken one): please type it again",
        )
    return value


def _text_schema(field: FieldSpec) -> dict[str, Any]:
    text: dict[str, Any] = {"type": "string"}
    if field.max_length is not None:
        text["maxLength"] = field.max_length
    text["pattern"] = DOCUMENTED_TEXT
    return text


def _as_typed(field: FieldSpec, raw: str) -> str:
    return raw


# --- the table ----------------------------------------------------------------------------

KINDS: dict[str, AnswerKind] = {
    kind.name: kind
    for kind in (
        AnswerKind(
            name="score",
            check=_check_score,
            msgspec_type=lambda field: Annotated[int, msgspec.Meta(ge=0, le=4)],
            json_schema=lambda field: {"type": "integer", "minimum": 0, "maximum": 4},
            fhir_item_type="integer",
            fhir_answer=lambda value, coding: {"valueInteger": int(value)},
            form=FormShape("radio", _read_score, _score_options, in_a_sentence=str.lower),
            fixed_range=(0.0, 4.0),
            needs=lambda field, scales: (
                None if field.scale in scales else f"names an unknown scale '{field.scale}'"
            ),
        ),
        AnswerKind(
            name="yesno",
            check=_check_yesno,
            msgspec_type=lambda field: bool,
            json_schema=lambda field: {"type": "boolean"},
            fhir_item_type="boolean",
            fhir_answer=lambda value, coding: {"valueBoolean": bool(value)},
            form=FormShape(
                "radio",
                _read_yesno,
                lambda *_: list(YES_NO),
                in_a_sentence=str.lower,
                sent_as=lambda value: "yes" if value else "no",
            ),
        ),
        AnswerKind(
            name="integer",
            check=_check_number(whole=True),
            msgspec_type=_integer_type,
            json_schema=_number_schema(whole=True),
            fhir_item_type="integer",
            fhir_answer=lambda value, coding: {"valueInteger": int(value)},
            form=FormShape("number", _read_number(whole=True), step="1"),
            needs=_needs_range,
        ),
        AnswerKind(
            name="number",
            check=_check_number(whole=False),
            msgspec_type=lambda field: Annotated[float, msgspec.Meta(ge=field.low, le=field.high)],
            json_schema=_number_schema(whole=False),
            fhir_item_type="decimal",
            fhir_answer=lambda value, coding: {"valueDecimal": value},
            form=FormShape("number", _read_number(whole=False), step="0.1"),
            needs=_needs_range,
        ),
        AnswerKind(
            name="choice",
            check=_check_choice,
            msgspec_type=lambda field: Literal[field.choices],
            json_schema=lambda field: {"type": "string", "enum": list(field.choices)},
            fhir_item_type="choice",
            fhir_answer=lambda value, coding: {"valueCoding": coding},
            form=FormShape("radio", lambda field, raw: raw, _choice_options),
            needs=lambda field, scales: None if field.choices else "needs its choices",
        ),
        AnswerKind(
            name="text",
            check=_check_text,
            msgspec_type=lambda field: Annotated[
                str, msgspec.Meta(max_length=field.max_length, pattern=STORABLE_TEXT)
            ],
            json_schema=_text_schema,
            fhir_item_type="string",
            fhir_answer=lambda value, coding: {"valueString": str(value)},
            form=FormShape("text", _as_typed),
            needs=lambda field, scales: None if field.max_length else "needs a max_length",
        ),
    )
}


def kind_of(field: FieldSpec) -> AnswerKind:
    return KINDS[field.kind]
