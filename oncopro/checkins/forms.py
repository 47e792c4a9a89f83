"""The check-in form, built from the pack: questions in, contract answers out.

Each answer is a form field named `symptom.field` (the temperature is just
`temperature_c`). A question left blank is "not asked", never "none". If she
picks "Never" for how often, the other answers for that symptom are dropped,
as the form's branching would (REFERENCE section 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from oncopro.clinical.pack import FieldSpec, Pack, SymptomSpec, plain_number


@dataclass
class Choice:
    value: str
    label: str
    checked: bool = False


@dataclass
class Question:
    name: str  # the form field: "pain.severity"
    text: str
    kind: str  # radio, number, text
    choices: list[Choice] = field(default_factory=list)
    value: str = ""
    error: str = ""
    unit: str = ""
    step: str = "1"
    low: str = ""
    high: str = ""

    @property
    def dom_id(self) -> str:
        return "q-" + self.name.replace(".", "-").replace("_", "-")


@dataclass
class SymptomBlock:
    id: str
    label: str
    questions: list[Question]

    @property
    def answered(self) -> bool:
        return any(question.value for question in self.questions)


YES_NO = (("yes", "Yes"), ("no", "No"))


def _question(pack: Pack, spec: SymptomSpec, name: str, field_spec: FieldSpec) -> Question:
    form_name = spec.id if spec.is_reading else f"{spec.id}.{name}"
    text = spec.questions[name]
    if field_spec.kind == "score":
        labels = pack.scales[field_spec.scale or name]
        choices = [Choice(str(value), label) for value, label in enumerate(labels)]
        return Question(form_name, text, "radio", choices)
    if field_spec.kind == "yesno":
        return Question(form_name, text, "radio", [Choice(v, label) for v, label in YES_NO])
    if field_spec.kind == "choice":
        named = spec.choice_labels.get(name, {})
        choices = [Choice(value, named.get(value, value)) for value in field_spec.choices]
        return Question(form_name, text, "radio", choices)
    if field_spec.kind in ("integer", "number"):
        return Question(
            form_name,
            text,
            "number",
            unit=field_spec.unit or "",
            step="1" if field_spec.kind == "integer" else "0.1",
            low="" if field_spec.low is None else plain_number(field_spec.low),
            high="" if field_spec.high is None else plain_number(field_spec.high),
        )
    return Question(form_name, text, "text")


def blocks_for(pack: Pack, symptom_ids: Iterable[str]) -> list[SymptomBlock]:
    blocks = []
    for symptom_id in symptom_ids:
        spec = pack.symptoms[symptom_id]
        questions = [_question(pack, spec, name, f) for name, f in spec.fields.items()]
        blocks.append(SymptomBlock(spec.id, spec.label, questions))
    return blocks


# Asked alongside a temperature (REFERENCE U1: shivering or feeling unwell
# matter as much as the reading on white-cell-lowering therapy).
WITH_TEMPERATURE = ("shivering", "feels_unwell")


def other_blocks(pack: Pack) -> list[SymptomBlock]:
    """Every other symptom, for "anything else?" in the weekly check-in."""
    asked = {*pack.weekly_core, pack.temperature_id, *WITH_TEMPERATURE}
    return blocks_for(pack, [s for s in pack.symptoms if s not in asked])


def weekly_blocks(pack: Pack) -> list[SymptomBlock]:
    """The weekly core set, then the temperature (asked when she has one)
    with shivering and feeling unwell."""
    return blocks_for(pack, [*pack.weekly_core, pack.temperature_id, *WITH_TEMPERATURE])


def fill(blocks: list[SymptomBlock], data: Mapping[str, Any]) -> None:
    """Show what she typed or picked."""
    for block in blocks:
        for question in block.questions:
            value = str(data.get(question.name, "")).strip()
            question.value = value
            for choice in question.choices:
                choice.checked = choice.value == value


class AnswerError(ValueError):
    def __init__(self, name: str, message: str) -> None:
        self.name, self.message = name, message
        super().__init__(f"{name}: {message}")


def answers_from(pack: Pack, blocks: list[SymptomBlock], data: Mapping[str, Any]) -> dict[str, Any]:
    """Form data -> the contract's answers. Raises AnswerError for a value that
    is not even of the right kind (a word where a number goes)."""
    answers: dict[str, Any] = {}
    for block in blocks:
        spec = pack.symptoms[block.id]
        answer: dict[str, Any] = {}
        for name, field_spec in spec.fields.items():
            form_name = block.id if spec.is_reading else f"{block.id}.{name}"
            raw = str(data.get(form_name, "")).strip()
            if raw == "":
                continue  # not answered: not asked
            answer[name] = _convert(form_name, field_spec, raw)
        if spec.is_reading:
            if "value" in answer:
                answers[block.id] = answer["value"]
            continue
        if answer.get("frequency") == 0:
            answer = {"frequency": 0}  # "never": the rest does not apply
        if answer:
            answers[block.id] = answer
    return answers


def _convert(form_name: str, spec: FieldSpec, raw: str) -> Any:
    if spec.kind == "score":
        if raw not in {"0", "1", "2", "3", "4"}:
            raise AnswerError(form_name, "Please pick one of the answers.")
        return int(raw)
    if spec.kind == "yesno":
        if raw not in ("yes", "no"):
            raise AnswerError(form_name, "Please pick Yes or No.")
        return raw == "yes"
    if spec.kind in ("integer", "number"):
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            raise AnswerError(form_name, "Please type a number, for example 37.5.") from None
        if spec.kind == "integer":
            if not number.is_integer():
                raise AnswerError(form_name, "Please type a whole number, for example 3.")
            return int(number)
        return number
    return raw
