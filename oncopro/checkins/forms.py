"""The check-in form, built from the pack: questions in, contract answers out.

Each answer is a form field named `symptom.field` (the temperature is just
`temperature_c`). A question left blank is "not asked", never "none". If she
picks "Never" for how often, the other answers for that symptom are dropped,
as the form's branching would (REFERENCE section 2).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from oncopro.checkins import units
from oncopro.checkins.units import CELSIUS
from oncopro.clinical.followups import LOW_BELOW, due_follow_ups, follow_up_questions
from oncopro.clinical.kinds import FormValueError, kind_of
from oncopro.clinical.pack import Pack
from oncopro.clinical.specs import FieldSpec, SymptomSpec, plain_number


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
    hint: str = ""  # how to answer, under the question
    low_reading: str = ""  # a temperature below this: ask her to measure again

    @property
    def dom_id(self) -> str:
        return "q-" + self.name.replace(".", "-").replace("_", "-")


@dataclass
class SymptomBlock:
    id: str
    label: str
    questions: list[Question]
    red_flag: bool = False  # a follow-up that can mean an emergency: asked first

    @property
    def answered(self) -> bool:
        return any(question.value for question in self.questions)


@dataclass(frozen=True)
class Audience:
    """Who answers: the patient herself (name None) or her caregiver (her
    first name, so the questions name her), and the unit they read
    temperatures in."""

    name: str | None = None
    unit: str = CELSIUS


PATIENT = Audience()


def _question(
    pack: Pack, spec: SymptomSpec, name: str, field_spec: FieldSpec, to: Audience
) -> Question:
    input_name = form_name(pack, spec.id, name)
    text = spec.question_for(name, to.name, to.unit)
    if spec.is_reading:
        unit = units.UNITS[to.unit]
        low, high = units.bounds(field_spec.low or 0, field_spec.high or 0, to.unit)
        return Question(
            input_name, text, "number", unit=unit.symbol, step="0.1", low=low, high=high,
            hint=f"In {unit.symbol}, for example {unit.example}.",
            low_reading=f"{units.from_celsius(LOW_BELOW, to.unit):.1f}",
        )  # fmt: skip
    form = kind_of(field_spec).form
    if form.options is not None:
        options = form.options(pack.scales, spec, name, field_spec)
        return Question(input_name, text, form.widget, [Choice(v, label) for v, label in options])
    if form.widget == "number":
        return Question(
            input_name,
            text,
            "number",
            unit=field_spec.unit or "",
            step=form.step,
            low="" if field_spec.low is None else plain_number(field_spec.low),
            high="" if field_spec.high is None else plain_number(field_spec.high),
        )
    return Question(input_name, text, "text")


def blocks_for(
    pack: Pack,
    symptom_ids: Iterable[str],
    only: Mapping[str, Iterable[str]] | None = None,
    to: Audience = PATIENT,
) -> list[SymptomBlock]:
    """One block per symptom; `only` limits a symptom to some of its fields
    (a follow-up that needs just the vomiting count asks just that).
    `to`: who answers (a caregiver's questions name the patient)."""
    blocks = []
    for symptom_id in symptom_ids:
        spec = pack.symptoms[symptom_id]
        wanted = set(only[symptom_id]) if only and symptom_id in only else set(spec.fields)
        questions = [
            _question(pack, spec, name, f, to) for name, f in spec.fields.items() if name in wanted
        ]
        blocks.append(SymptomBlock(spec.id, spec.label_for(to.name), questions))
    return blocks


def form_name(pack: Pack, symptom_id: str, field_name: str) -> str:
    """The form field of one answer: "pain.severity"; the temperature is just
    "temperature_c"."""
    return symptom_id if pack.symptoms[symptom_id].is_reading else f"{symptom_id}.{field_name}"


# Asked alongside a temperature (REFERENCE U1: shivering or feeling unwell
# matter as much as the reading on white-cell-lowering therapy).
WITH_TEMPERATURE = ("shivering", "feels_unwell")


def other_blocks(pack: Pack, to: Audience = PATIENT) -> list[SymptomBlock]:
    """Every other symptom, for "anything else?" in the weekly check-in."""
    asked = {*pack.weekly_core, pack.temperature_id, *WITH_TEMPERATURE}
    return blocks_for(pack, [s for s in pack.symptoms if s not in asked], to=to)


def weekly_blocks(pack: Pack, to: Audience = PATIENT) -> list[SymptomBlock]:
    """The weekly core set, then the temperature (asked when she has one)
    with shivering and feeling unwell."""
    ids = [*pack.weekly_core, pack.temperature_id, *WITH_TEMPERATURE]
    return blocks_for(pack, ids, to=to)


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


def answers_from(
    pack: Pack, blocks: list[SymptomBlock], data: Mapping[str, Any], unit: str = CELSIUS
) -> dict[str, Any]:
    """Form data -> the contract's answers, the temperature in Celsius
    whatever `unit` she typed it in. Raises AnswerError for a value that is
    not even of the right kind (a word where a number goes)."""
    answers: dict[str, Any] = {}
    for block in blocks:
        spec = pack.symptoms[block.id]
        answer: dict[str, Any] = {}
        for name, field_spec in spec.fields.items():
            input_name = form_name(pack, block.id, name)
            raw = str(data.get(input_name, "")).strip()
            if raw == "":
                continue  # not answered: not asked
            if spec.is_reading:
                answer[name] = _reading(input_name, field_spec, raw, unit)
            else:
                answer[name] = _convert(input_name, field_spec, raw)
        if spec.is_reading:
            if "value" in answer:
                answers[block.id] = answer["value"]
            continue
        if answer.get("frequency") == 0:
            answer = {"frequency": 0}  # "never": the rest does not apply
        if answer:
            answers[block.id] = answer
    return answers


def _reading(input_name: str, spec: FieldSpec, raw: str, unit: str) -> float:
    try:
        return units.to_celsius(raw, unit, spec.low or 0, spec.high or 0)
    except units.ReadingError as error:
        raise AnswerError(input_name, str(error)) from None


def _convert(form_name: str, spec: FieldSpec, raw: str) -> Any:
    try:
        return kind_of(spec).form.read(spec, raw)
    except FormValueError as error:
        raise AnswerError(form_name, str(error)) from None


def none_answer(pack: Pack, symptom_id: str) -> dict[str, Any]:
    """Her explicit "None of these": how often "never" where the symptom has
    a frequency, else severity "none", else "no" (never for the temperature,
    which stays not asked)."""
    fields = pack.symptoms[symptom_id].fields
    if "frequency" in fields:
        return {"frequency": 0}
    if "severity" in fields:
        return {"severity": 0}
    return {"present": False}


# On every screen that shows questions, the names it showed: a follow-up she
# saw and skipped is not asked again (skipped is skipped).
SHOWN = "followed_up"


def shown_on_follow_up_screens(data: QueryDict) -> list[str]:
    return data.getlist(SHOWN)


def question_names(blocks: Iterable[SymptomBlock]) -> set[str]:
    return {question.name for block in blocks for question in block.questions}


def blocks_for_names(
    pack: Pack, names: Iterable[str], to: Audience = PATIENT
) -> list[SymptomBlock]:
    """Blocks holding exactly these questions ("vomiting.times_24h", ...)."""
    fields: dict[str, list[str]] = {}
    for name in names:
        symptom_id, _, field_name = name.partition(".")
        spec = pack.symptoms.get(symptom_id)
        if spec is None:
            continue
        field_name = field_name or next(iter(spec.fields))  # the temperature's one field
        if field_name in spec.fields:
            fields.setdefault(symptom_id, []).append(field_name)
    return blocks_for(pack, fields, fields, to)


def follow_up_blocks(
    pack: Pack,
    answers: Mapping[str, Any],
    data: Mapping[str, Any],
    shown: Collection[str],
    *,
    picked: Collection[str] = (),
    therapies: Sequence[str] = (),
    care_phase: str = "active_treatment",
    to: Audience = PATIENT,
) -> list[SymptomBlock]:
    """The follow-up questions her answers make due (HOME-CARE.md section 1)
    that this report has neither answered nor shown her yet (`shown`: the
    names of the questions she saw), red flags first."""
    due = due_follow_ups(pack, answers, picked=picked, therapies=therapies, care_phase=care_phase)
    blocks = []
    for item in follow_up_questions(pack, due):
        missing = [
            name
            for name in item.fields
            if not str(data.get(form_name(pack, item.symptom, name), "")).strip()
            and form_name(pack, item.symptom, name) not in shown
        ]
        if missing:
            block = blocks_for(pack, [item.symptom], {item.symptom: missing}, to)[0]
            block.red_flag = item.red_flag
            blocks.append(block)
    return blocks


def carried(data: QueryDict, leave_out: Collection[str]) -> list[tuple[str, str]]:
    """Everything a form sent, as (name, value) pairs for hidden inputs, so
    the next screen keeps what she answered on this one."""
    return [
        (name, value)
        for name, values in data.lists()
        if name not in leave_out and name != "csrfmiddlewaretoken"
        for value in values
        if value != ""
    ]


def plain_answers(pack: Pack, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What she answered, in words, for her team: ("Leg weakness", "yes"),
    ("Back pain", "severity: moderate, new: yes"). The temperature is left
    to the page, which shows it in the clinic's unit."""
    lines = []
    for symptom_id, answer in answers.items():
        spec = pack.symptoms.get(symptom_id)
        if spec is None or spec.is_reading or not isinstance(answer, Mapping):
            continue
        parts = []
        for name, value in answer.items():
            field_spec = spec.fields.get(name)
            if field_spec is None:
                continue
            form = kind_of(field_spec).form
            if form.options is not None:
                labels = dict(form.options(pack.scales, spec, name, field_spec))
                shown = form.in_a_sentence(labels.get(form.sent_as(value), str(value)))
            else:
                shown = f"{value} {field_spec.unit or ''}".strip()
            parts.append(shown if name == "present" else f"{name.replace('_', ' ')}: {shown}")
        lines.append((spec.caregiver_label[0].upper() + spec.caregiver_label[1:], ", ".join(parts)))
    return lines
