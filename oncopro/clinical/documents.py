"""A content pack's YAML files as pydantic models: their shapes, checked
field by field when a pack loads (`loading.py` turns them into the compiled
pack). Nothing here knows what a rule means."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text")
    return value


class ManifestDoc(_Strict):
    id: str
    version: str
    name: str
    languages: list[str]
    lookback_days: int = Field(ge=1, le=60)
    weekly_core: list[str]
    files: dict[Literal["symptoms", "therapies", "rules", "advice", "followups"], str]


class FieldDoc(_Strict):
    kind: str  # one of clinical.kinds.KINDS, checked at load
    scale: str | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    choices: list[str] | None = None
    max_length: int | None = None
    worse_when_higher: bool = True
    # yes/no details: which answer is the worse one (alert-on-change)
    worse_answer: bool = True


class SymptomDoc(_Strict):
    label: str
    fields: list[str]
    synonyms: list[str] = []
    questions: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    caregiver_label: str | None = None
    caregiver_questions: dict[str, str] = {}

    @field_validator("label")
    @classmethod
    def _label_is_text(cls, value: str) -> str:
        return _text(value)


class TemperatureDoc(_Strict):
    id: str
    label: str
    min: float
    max: float
    unit: str
    question: str
    caregiver_question: str
    question_fahrenheit: str
    caregiver_question_fahrenheit: str
    synonyms: list[str] = []


class SymptomsDoc(_Strict):
    scales: dict[str, list[str]]
    fields: dict[str, FieldDoc]
    questions: dict[str, str]
    caregiver_questions: dict[str, str]
    groups: dict[str, list[str]]
    symptoms: dict[str, SymptomDoc]
    temperature: TemperatureDoc


class TherapyClassDoc(_Strict):
    label: str
    drugs: list[str]


class TherapiesDoc(_Strict):
    classes: dict[str, TherapyClassDoc]
    groups: dict[str, list[str]] = {}
    unknown_drugs_count_as: list[str] = []
    drug_lists: dict[str, list[str]] = {}


class CaseDoc(_Strict):
    when: dict[str, Any]
    because: str


class RuleDoc(_Strict):
    key: str
    id: str | None = None
    implements: list[str] = []  # default: [id]
    level: Literal["routine", "soon", "urgent", "emergency"] = "soon"
    counts: bool = False
    for_each: str | None = None
    when: dict[str, Any]
    cases: list[CaseDoc] = []
    because: str | None = None
    otherwise_ongoing: dict[str, Any] | None = None
    otherwise_because: str | None = None
    alert_on_change: bool | None = None
    site: Literal["bone", "lung", "liver", "brain", "local"] | None = None
    even_if_known: bool = False
    note: str | None = None
    source: str

    @field_validator("source")
    @classmethod
    def _source_is_text(cls, value: str) -> str:
        return _text(value)


class RulesDoc(_Strict):
    rules: list[RuleDoc]
    patterns: list[RuleDoc]


class AdviceDoc(_Strict):
    key: str
    when: dict[str, Any]
    title: str
    text: str
    source: str


class FollowUpDoc(_Strict):
    id: str
    reported: list[str] = []
    when: dict[str, Any] | None = None
    only_if: dict[str, Any] | None = None
    ask: list[str]
    red_flags: list[str] = []
    needed_by: list[str]
    source: str


class FollowUpsDoc(_Strict):
    follow_ups: list[FollowUpDoc]


class AdviceFileDoc(_Strict):
    cards: list[AdviceDoc]
