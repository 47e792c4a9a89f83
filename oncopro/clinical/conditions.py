"""Rule conditions: compiled once from the pack's YAML into small closures.

A compiled condition takes the `View` of one check-in and returns the inputs
it used (a dict, possibly empty) when it holds, or None when it does not.
`any` reports the inputs of its first branch that holds, `all` those of every
branch, `not` none. The syntax is documented at the top of rules.yaml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from oncopro.clinical.grading import composite_grade

if TYPE_CHECKING:
    from oncopro.clinical.pack import SymptomSpec, TherapyCatalog

Inputs = dict[str, Any]
Condition = Callable[["View"], Inputs | None]

NO_INPUTS: Inputs = {}


class ConditionError(ValueError):
    """A condition the pack cannot use; the message says why, in plain words."""


class LazyGrades:
    """The grades of an earlier check-in, each worked out the first time a
    rule asks (most history answers are never looked at)."""

    __slots__ = ("_answers", "_cache")

    def __init__(self, answers: Mapping[str, Any]) -> None:
        self._answers = answers
        self._cache: dict[str, int | None] = {}

    def get(self, symptom: str) -> int | None:
        try:
            return self._cache[symptom]
        except KeyError:
            answer = self._answers.get(symptom)
            grade = composite_grade(answer) if type(answer) is dict else None
            self._cache[symptom] = grade
            return grade


@dataclass(frozen=True, slots=True)
class Record:
    """An earlier check-in: when, what was answered, the grades."""

    at: dt.datetime
    answers: Mapping[str, Any]
    grades: LazyGrades


@dataclass(frozen=True, slots=True)
class Therapy:
    """What the patient takes, resolved against the pack's classes."""

    phase: str
    drugs: tuple[str, ...]
    # name (class, group, drug list or drug) -> the patient's drugs in it
    matches: Mapping[str, tuple[str, ...]]
    unknown: tuple[str, ...]

    def drugs_in(self, name: str) -> tuple[str, ...]:
        return self.matches.get(name, ())


class Grades(Protocol):
    def get(self, symptom: str, /) -> int | None: ...


@dataclass(slots=True)
class View:
    """One check-in as the rules see it."""

    at: dt.datetime
    answers: Mapping[str, Any]
    grades: Grades
    earlier: list[Record]  # newest first; only those before `at`
    therapy: Therapy
    lookback: dt.timedelta
    # rule id or key -> the inputs of the first finding of it that fired
    fired: dict[str, Inputs] = field(default_factory=dict)

    def highest_recent_grade(self, symptom: str) -> int | None:
        """Highest grade in the look-back window (a check-in exactly that old counts)."""
        cutoff = self.at - self.lookback
        best: int | None = None
        for record in self.earlier:
            if record.at < cutoff:
                break
            grade = record.grades.get(symptom)
            if grade is not None and (best is None or grade > best):
                best = grade
        return best

    def latest_grade(self, symptom: str) -> int | None:
        for record in self.earlier:
            grade = record.grades.get(symptom)
            if grade is not None:
                return grade
        return None


CARE_PHASES = ("active_treatment", "palliative", "hospice")

# Conditions about one symptom's answers (the rest: field, taking, care_phase, finding).
SYMPTOM_CONDITIONS = (
    "present",
    "grade",
    "severity",
    "severe",
    "moderate_or_worse",
    "new_or_worse",
    "grade_rise",
)


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "at_least": lambda value, limit: value >= limit,
    "at_most": lambda value, limit: value <= limit,
    "above": lambda value, limit: value > limit,
    "below": lambda value, limit: value < limit,
    "between": lambda value, limits: limits[0] <= value <= limits[1],
    "is": lambda value, expected: value == expected,
}


@dataclass
class Compiler:
    """Turns condition mappings into closures, checking every name and
    threshold against the pack's symptoms, scales and therapies."""

    symptoms: Mapping[str, SymptomSpec]
    therapies: TherapyCatalog
    temperature_id: str
    earlier_rules: set[str]

    def compile(self, node: Any) -> Condition:
        if not isinstance(node, Mapping) or not node:
            raise ConditionError(f"a condition must be a mapping, not {node!r}")
        keys = set(node)
        if "of" in keys:
            return self._at_least_of(node)
        for combinator in ("all", "any", "not"):
            if combinator in keys:
                if keys != {combinator}:
                    raise ConditionError(f"'{combinator}' stands alone, found {sorted(keys)}")
                return getattr(self, f"_{combinator}")(node[combinator])
        for kind in ("field", *SYMPTOM_CONDITIONS, "taking", "care_phase", "finding"):
            if kind in keys:
                return getattr(self, f"_{kind}")(node)
        raise ConditionError(f"unknown condition {sorted(keys)}")

    # --- combinators --------------------------------------------------------
    def _list(self, items: Any, what: str) -> list[Condition]:
        if not isinstance(items, list) or not items:
            raise ConditionError(f"'{what}' needs a non-empty list of conditions")
        return [self.compile(item) for item in items]

    def _all(self, items: Any) -> Condition:
        parts = self._list(items, "all")

        def all_(view: View) -> Inputs | None:
            merged: Inputs = {}
            for part in parts:
                got = part(view)
                if got is None:
                    return None
                if got:
                    merged.update(got)
            return merged

        return all_

    def _any(self, items: Any) -> Condition:
        parts = self._list(items, "any")

        def any_(view: View) -> Inputs | None:
            for part in parts:
                got = part(view)
                if got is not None:
                    return got
            return None

        return any_

    def _not(self, item: Any) -> Condition:
        part = self.compile(item)

        def not_(view: View) -> Inputs | None:
            return NO_INPUTS if part(view) is None else None

        return not_

    def _at_least_of(self, node: Mapping[str, Any]) -> Condition:
        if set(node) != {"at_least", "of"}:
            raise ConditionError("'of' goes with 'at_least' only")
        needed = node["at_least"]
        parts = self._list(node["of"], "of")
        if not isinstance(needed, int) or not 1 <= needed <= len(parts):
            raise ConditionError(f"'at_least' must be a whole number from 1 to {len(parts)}")

        def at_least_of(view: View) -> Inputs | None:
            merged: Inputs = {}
            count = 0
            for part in parts:
                got = part(view)
                if got is not None:
                    count += 1
                    merged.update(got)
            return merged if count >= needed else None

        return at_least_of

    # --- answers ----------------------------------------------------------------
    def _symptom(self, name: Any) -> SymptomSpec:
        if not isinstance(name, str) or name not in self.symptoms:
            raise ConditionError(f"unknown symptom '{name}'")
        return self.symptoms[name]

    def _graded_symptom(self, name: Any) -> SymptomSpec:
        spec = self._symptom(name)
        if not spec.graded:
            raise ConditionError(f"'{name}' has no frequency, severity or interference to grade")
        return spec

    def _comparison(
        self, node: Mapping[str, Any], subject: str, allowed: set[str]
    ) -> tuple[str, Any]:
        ops = [key for key in node if key != subject]
        if len(ops) != 1 or ops[0] not in allowed:
            raise ConditionError(
                f"'{subject}: {node[subject]}' needs exactly one of {sorted(allowed)}"
            )
        return ops[0], node[ops[0]]

    def _field(self, node: Mapping[str, Any]) -> Condition:
        path = node["field"]
        op, limit = self._comparison(node, "field", {*COMPARISONS, "answered"})
        if path == self.temperature_id:
            spec = self.symptoms[self.temperature_id].fields["value"]
            symptom, name = self.temperature_id, None
        else:
            if not isinstance(path, str) or "." not in path:
                raise ConditionError(f"'{path}' is not a field (write symptom.field)")
            symptom, name = path.split(".", 1)
            symptom_spec = self._symptom(symptom)
            if name not in symptom_spec.fields:
                raise ConditionError(f"symptom '{symptom}' has no field '{name}'")
            spec = symptom_spec.fields[name]
        if op == "answered":
            if not isinstance(limit, bool):
                raise ConditionError(f"'answered' takes true or false, not {limit!r}")
        else:
            spec.check_threshold(op, limit, path)
        compare = COMPARISONS.get(op)
        key = path

        def value_of(view: View) -> Any:
            answer = view.answers.get(symptom)
            if name is None or answer is None:  # the temperature is the answer itself
                return answer
            return answer.get(name)

        def field_(view: View) -> Inputs | None:
            value = value_of(view)
            if op == "answered":
                return NO_INPUTS if (value is not None) == limit else None
            if value is None or not compare(value, limit):  # type: ignore[misc]
                return None
            return {key: value}

        return field_

    def _present(self, node: Mapping[str, Any]) -> Condition:
        if len(node) != 1:
            raise ConditionError("'present' stands alone")
        return self._field({"field": f"{node['present']}.present", "is": True})

    def _grade(self, node: Mapping[str, Any]) -> Condition:
        symptom = self._graded_symptom(node["grade"]).id
        op, limit = self._comparison(node, "grade", set(COMPARISONS) - {"is"})
        _check_range(op, limit, 0, 3, f"grade of {symptom}")
        compare = COMPARISONS[op]
        key = f"{symptom}.grade"

        def grade(view: View) -> Inputs | None:
            value = view.grades.get(symptom)
            if value is None or not compare(value, limit):
                return None
            return {key: value}

        return grade

    def _severity(self, node: Mapping[str, Any]) -> Condition:
        """REFERENCE "severity N": the severity answer, or the composite grade
        where severity was not asked."""
        spec = self._graded_symptom(node["severity"])
        symptom = spec.id
        op, limit = self._comparison(node, "severity", set(COMPARISONS) - {"is"})
        _check_range(op, limit, 0, 4, f"severity of {symptom}")
        compare = COMPARISONS[op]
        severity_key, grade_key = f"{symptom}.severity", f"{symptom}.grade"
        has_severity = "severity" in spec.fields

        def severity(view: View) -> Inputs | None:
            answer = view.answers.get(symptom)
            if answer is None:
                return None
            value = answer.get("severity") if has_severity else None
            if value is not None:
                return {severity_key: value} if compare(value, limit) else None
            grade = view.grades.get(symptom)
            if grade is None or not compare(grade, limit):
                return None
            return {grade_key: grade}

        return severity

    def _graded_threshold(self, node: Mapping[str, Any], kind: str, grade_at: int) -> Condition:
        if len(node) != 1:
            raise ConditionError(f"'{kind}' stands alone")
        symptom = self._graded_symptom(node[kind]).id
        severity_at = grade_at if kind == "moderate_or_worse" else 3
        severity_key, grade_key = f"{symptom}.severity", f"{symptom}.grade"

        def threshold(view: View) -> Inputs | None:
            grade = view.grades.get(symptom)
            if grade is not None and grade >= grade_at:
                return {grade_key: grade}
            answer = view.answers.get(symptom)
            severity = None if answer is None else answer.get("severity")
            if severity is not None and severity >= severity_at:
                return {severity_key: severity}
            return None

        return threshold

    def _severe(self, node: Mapping[str, Any]) -> Condition:
        """Composite grade 3, or a severity answer of 3-4 (REFERENCE section 2)."""
        return self._graded_threshold(node, "severe", 3)

    def _moderate_or_worse(self, node: Mapping[str, Any]) -> Condition:
        """Composite grade 2 or more, or a severity answer of 2 or more."""
        return self._graded_threshold(node, "moderate_or_worse", 2)

    def _new_or_worse(self, node: Mapping[str, Any]) -> Condition:
        """REFERENCE section 2: the `new` answer wins where there is one;
        otherwise a grade above the highest of the look-back window, or any
        grade at all when the window has none."""
        if len(node) != 1:
            raise ConditionError("'new_or_worse' stands alone")
        spec = self._graded_symptom(node["new_or_worse"])
        symptom = spec.id
        has_new = "new" in spec.fields
        new_key, grade_key, previous_key = (
            f"{symptom}.new",
            f"{symptom}.grade",
            f"{symptom}.previous_grade",
        )

        def new_or_worse(view: View) -> Inputs | None:
            answer = view.answers.get(symptom)
            if answer is None:
                return None
            if has_new and answer.get("new") is not None:
                return {new_key: True} if answer["new"] else None
            grade = view.grades.get(symptom)
            if not grade:
                return None
            previous = view.highest_recent_grade(symptom)
            if previous is None:
                return {grade_key: grade}
            if grade > previous:
                return {grade_key: grade, previous_key: previous}
            return None

        return new_or_worse

    def _grade_rise(self, node: Mapping[str, Any]) -> Condition:
        symptom = self._graded_symptom(node["grade_rise"]).id
        op, rise = self._comparison(node, "grade_rise", {"at_least"})
        _check_range(op, rise, 1, 3, f"rise in the grade of {symptom}")
        grade_key, previous_key = f"{symptom}.grade", f"{symptom}.previous_grade"

        def grade_rise(view: View) -> Inputs | None:
            grade = view.grades.get(symptom)
            if grade is None:
                return None
            previous = view.latest_grade(symptom)
            if previous is None or grade - previous < rise:
                return None
            return {grade_key: grade, previous_key: previous}

        return grade_rise

    # --- context -----------------------------------------------------------------
    def _taking(self, node: Mapping[str, Any]) -> Condition:
        if len(node) != 1:
            raise ConditionError("'taking' stands alone")
        name = node["taking"]
        if not self.therapies.knows(name):
            raise ConditionError(f"'{name}' is not a therapy class, group, drug list or drug")

        def taking(view: View) -> Inputs | None:
            drugs = view.therapy.drugs_in(name)
            return {"therapies": list(drugs)} if drugs else None

        return taking

    def _care_phase(self, node: Mapping[str, Any]) -> Condition:
        phase = node["care_phase"]
        if len(node) != 1 or phase not in CARE_PHASES:
            raise ConditionError(f"'care_phase' is one of {sorted(CARE_PHASES)}")

        def care_phase(view: View) -> Inputs | None:
            return NO_INPUTS if view.therapy.phase == phase else None

        return care_phase

    def _finding(self, node: Mapping[str, Any]) -> Condition:
        rule_id = node["finding"]
        if len(node) != 1:
            raise ConditionError("'finding' stands alone")
        if rule_id not in self.earlier_rules:
            raise ConditionError(f"'finding: {rule_id}' names no rule above this one")

        def finding(view: View) -> Inputs | None:
            return view.fired.get(rule_id)

        return finding


def _check_range(op: str, limit: Any, low: int, high: int, what: str) -> None:
    values = limit if op == "between" else [limit]
    if op == "between" and (not isinstance(limit, list) or len(limit) != 2):
        raise ConditionError(f"'between' for the {what} takes two numbers")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConditionError(f"{value!r} is outside the {what} scale ({low}-{high})")


def required_symptoms(node: Any, temperature_id: str) -> frozenset[str] | None:
    """Symptoms of which at least one must have been answered for the
    condition to hold; None when it can hold with none answered. Sound, not
    exact: the engine skips a rule only when this says it cannot hold."""
    if not isinstance(node, Mapping):
        return None
    if "all" in node:
        for part in node["all"]:
            needed = required_symptoms(part, temperature_id)
            if needed is not None:
                return needed
        return None
    if "any" in node or "of" in node:
        parts = node.get("any") or node["of"]
        found: set[str] = set()
        for part in parts:
            needed = required_symptoms(part, temperature_id)
            if needed is None:
                return None
            found |= needed
        return frozenset(found)
    if "field" in node:
        if node.get("answered") is False:
            return None
        path = str(node["field"])
        return frozenset({temperature_id if path == temperature_id else path.split(".", 1)[0]})
    for kind in SYMPTOM_CONDITIONS:
        if kind in node:
            return frozenset({str(node[kind])})
    return None  # not, taking, care_phase, finding


def mentions_findings(node: Any) -> bool:
    if isinstance(node, Mapping):
        return "finding" in node or any(mentions_findings(v) for v in node.values())
    if isinstance(node, list):
        return any(mentions_findings(item) for item in node)
    return False
