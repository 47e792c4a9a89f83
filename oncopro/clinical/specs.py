"""The leaf parts of a compiled pack: a symptom and its fields, and the
therapy catalogue (with what a patient takes, resolved against it). They
import nothing of the pack's rules, so conditions, cases and forms can all
use them."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from oncopro.clinical.errors import ConditionError

GRADED_FIELD_NAMES = ("frequency", "severity", "interference")


@dataclass(frozen=True, slots=True)
class Therapy:
    """What the patient takes, resolved against the pack's classes."""

    phase: str
    drugs: tuple[str, ...]
    # name (class, group, drug list or drug) -> the patient's drugs in it
    matches: Mapping[str, tuple[str, ...]]
    unknown: tuple[str, ...]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    unit: str | None = None
    scale: str | None = None
    worse_when_higher: bool = True
    worse_answer: bool = True

    def check_threshold(self, op: str, limit: Any, path: str) -> None:
        """A rule's threshold must be a value this field can take."""
        values = limit if op == "between" else [limit]
        if op == "between" and (not isinstance(limit, list) or len(limit) != 2):
            raise ConditionError(f"'between' on '{path}' takes two values")
        for value in values:
            if self.kind == "yesno":
                if op != "is" or not isinstance(value, bool):
                    raise ConditionError(f"'{path}' is yes/no: use 'is: true' or 'is: false'")
            elif self.kind == "choice":
                if op != "is" or value not in self.choices:
                    raise ConditionError(f"'{path}' is one of {list(self.choices)}, not {value!r}")
            elif self.kind == "text":
                raise ConditionError(f"'{path}' is free text: rules cannot compare it")
            else:
                if op == "is" or isinstance(value, bool) or not isinstance(value, int | float):
                    raise ConditionError(f"'{path}' needs a number to compare with")
                assert self.low is not None
                assert self.high is not None
                if not self.low <= value <= self.high:
                    scale = f"{plain_number(self.low)}-{plain_number(self.high)}"
                    raise ConditionError(f"{value} is outside the scale of '{path}' ({scale})")


def plain_number(value: float) -> str:
    """37.0 -> "37", 37.5 -> "37.5": numbers as people write them."""
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class SymptomSpec:
    id: str
    label: str
    fields: Mapping[str, FieldSpec]
    synonyms: tuple[str, ...]
    questions: Mapping[str, str]
    choice_labels: Mapping[str, Mapping[str, str]]
    is_reading: bool = False  # the temperature: a plain number, not an object
    # Asked of a caregiver: {name} stands for the patient's first name.
    caregiver_label: str = ""
    caregiver_questions: Mapping[str, str] = field(default_factory=dict)
    # The reading's question for Fahrenheit: (to her, to her caregiver).
    fahrenheit_questions: tuple[str, str] | None = None

    def question_for(self, field_name: str, name: str | None, unit: str = "C") -> str:
        """The question to her, or to her caregiver naming her, in her unit."""
        if unit == "F" and self.fahrenheit_questions is not None:
            to_her, to_caregiver = self.fahrenheit_questions
            return to_her if name is None else to_caregiver.replace("{name}", name)
        if name is None:
            return self.questions[field_name]
        return self.caregiver_questions[field_name].replace("{name}", name)

    def label_for(self, name: str | None) -> str:
        return self.label if name is None else self.caregiver_label

    @functools.cached_property
    def graded(self) -> bool:
        return any(name in self.fields for name in GRADED_FIELD_NAMES)


@dataclass(frozen=True)
class TherapyCatalog:
    classes: Mapping[str, frozenset[str]]
    groups: Mapping[str, frozenset[str]]  # group -> class names
    drug_lists: Mapping[str, frozenset[str]]
    unknown_counts_as: frozenset[str]  # class or group names
    _resolved: dict[tuple[str, tuple[str, ...]], Therapy] = field(
        default_factory=dict, compare=False, repr=False
    )

    @functools.cached_property
    def known_drugs(self) -> frozenset[str]:
        return frozenset().union(*self.classes.values(), *self.drug_lists.values())

    def knows(self, name: str) -> bool:
        return (
            name in self.classes
            or name in self.groups
            or name in self.drug_lists
            or name in self.known_drugs
        )

    def resolve(self, phase: str, drugs: Sequence[str]) -> Therapy:
        """What the patient takes, by every name a rule may use (remembered:
        the same regimens come again and again)."""
        key = (phase, tuple(drugs))
        therapy = self._resolved.get(key)
        if therapy is None:
            if len(self._resolved) > 4096:
                self._resolved.clear()
            therapy = self._resolved[key] = self._resolve(phase, drugs)
        return therapy

    def _resolve(self, phase: str, drugs: Sequence[str]) -> Therapy:
        unknown = tuple(drug for drug in drugs if drug not in self.known_drugs)
        matches: dict[str, tuple[str, ...]] = {}
        for name, members in (*self.classes.items(), *self.drug_lists.items()):
            found = tuple(drug for drug in drugs if drug in members)
            if found:
                matches[name] = found
        for group, class_names in self.groups.items():
            found = tuple(
                drug for drug in drugs if any(drug in self.classes[c] for c in class_names)
            )
            if found:
                matches[group] = found
        # Unknown names count where the pack says (the safer reading).
        for name in self.unknown_counts_as:
            if unknown:
                matches[name] = tuple(sorted(set(matches.get(name, ())) | set(unknown)))
        for drug in drugs:
            matches.setdefault(drug, (drug,))
        return Therapy(phase=phase, drugs=tuple(drugs), matches=matches, unknown=unknown)
