"""Rule conditions: compiled once from the pack's YAML into Python functions.

A compiled condition takes the `View` of one check-in and returns the inputs
it used (a dict, possibly empty) when it holds, or None when it does not.
`any` reports the inputs of its first branch that holds, `all` those of every
branch, `not` none. The syntax is documented at the top of rules.yaml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, cast

from oncopro.clinical.errors import ConditionError
from oncopro.clinical.grading import composite_grade
from oncopro.clinical.specs import SymptomSpec, Therapy, TherapyCatalog

Inputs = dict[str, Any]

NO_INPUTS: Inputs = {}


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


class Record(NamedTuple):
    """An earlier check-in: when, what was answered, the grades. (A named
    tuple: immutable, and built several times per triage at a third of a
    frozen dataclass's cost.)"""

    at: dt.datetime
    answers: Mapping[str, Any]
    grades: LazyGrades


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


# How each comparison reads in Python, with the limit written as a literal.
COMPARISONS: dict[str, str] = {
    "at_least": "{x} >= {limit}",
    "at_most": "{x} <= {limit}",
    "above": "{x} > {limit}",
    "below": "{x} < {limit}",
    "between": "{low} <= {x} <= {high}",
    "is": "{x} == {limit}",
}


def _test(op: str, x: str, limit: Any) -> str:
    """A Python expression comparing variable `x` with a literal limit."""
    if op == "between":
        return COMPARISONS[op].format(x=x, low=repr(limit[0]), high=repr(limit[1]))
    return COMPARISONS[op].format(x=x, limit=repr(limit))


class _Code:
    """Python source being written for one condition. Every value from the
    pack goes in as a literal (repr), after the compiler has checked it
    against the pack's symptoms, fields, scales and therapies."""

    def __init__(self, hoisted: bool = False) -> None:
        self.lines: list[str] = []
        self._count = 0
        # In the all-rules function each symptom's answer and grade is read
        # once, at the top; a single condition reads them where it needs them.
        self.hoisted = hoisted
        self.answer_names: dict[str, str] = {}
        self.grade_names: dict[str, str] = {}

    def name(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def add(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def answer(self, depth: int, symptom: str) -> str:
        """A variable holding that symptom's answer (None: not asked)."""
        return self._read(depth, symptom, "answers", self.answer_names)

    def grade(self, depth: int, symptom: str) -> str:
        """A variable holding that symptom's grade (None: not graded)."""
        return self._read(depth, symptom, "grades", self.grade_names)

    def _read(self, depth: int, symptom: str, source: str, names: dict[str, str]) -> str:
        if self.hoisted:
            if symptom not in names:
                names[symptom] = f"{source[0]}_{len(names)}"
            return names[symptom]
        variable = self.name(source[:-1])
        self.add(depth, f"{variable} = {source}.get({symptom!r})")
        return variable

    def prologue(self) -> list[str]:
        """The hoisted reads: one pass in C over each list of symptoms."""
        lines = []
        for source, names in (("answers", self.answer_names), ("grades", self.grade_names)):
            if names:
                targets = "".join(f"{name}, " for name in names.values())
                lines.append(f"({targets}) = map({source}.get, {tuple(names)!r})")
        return lines


# Writes statements at a depth that leave Inputs | None in the target variable.
Emit = Callable[[_Code, int, str], None]


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition of the pack, compiled once. `holds(view)` judges it:
    the inputs it used when it holds, else None (a generated function of
    straight-line code, whose text is `source`). `emit` writes the same code
    into a larger function: `compile_firing` judges every rule in one."""

    holds: Callable[[View], Inputs | None]
    emit: Emit
    source: str


_PROLOGUE = ("answers = view.answers", "grades = view.grades")


@dataclass
class Compiler:
    """Turns condition mappings into Python functions, checking every name
    and threshold against the pack's symptoms, scales and therapies.

    Each condition becomes one generated function of straight-line code (a
    tree of small closures cost a call per node, and triage judges dozens of
    conditions per check-in). Each comes back as a `Condition`, with the
    generated text, for reading and for tests."""

    symptoms: Mapping[str, SymptomSpec]
    therapies: TherapyCatalog
    temperature_id: str
    earlier_rules: set[str]

    def compile(self, node: Any) -> Condition:
        emit = self._emit(node)
        code = _Code()
        for line in _PROLOGUE:
            code.add(1, line)
        emit(code, 1, "result")
        code.add(1, "return result")
        function, source = _define("condition", code.lines)
        return Condition(holds=function, emit=emit, source=source)

    def _emit(self, node: Any) -> Emit:
        if not isinstance(node, Mapping) or not node:
            raise ConditionError(f"a condition must be a mapping, not {node!r}")
        keys = set(node)
        if "of" in keys:
            return self._at_least_of(node)
        for combinator in ("all", "any", "not"):
            if combinator in keys:
                if keys != {combinator}:
                    raise ConditionError(f"'{combinator}' stands alone, found {sorted(keys)}")
                return cast(Emit, getattr(self, f"_{combinator}")(node[combinator]))
        for kind in ("field", *SYMPTOM_CONDITIONS, "taking", "care_phase", "finding"):
            if kind in keys:
                return cast(Emit, getattr(self, f"_{kind}")(node))
        raise ConditionError(f"unknown condition {sorted(keys)}")

    # --- combinators --------------------------------------------------------
    def _list(self, items: Any, what: str) -> list[Emit]:
        if not isinstance(items, list) or not items:
            raise ConditionError(f"'{what}' needs a non-empty list of conditions")
        return [self._emit(item) for item in items]

    def _all(self, items: Any) -> Emit:
        """Every part holds; the inputs of all of them, merged in order."""
        parts = self._list(items, "all")

        def emit(code: _Code, depth: int, target: str) -> None:
            got = [code.name("part") for _ in parts]
            for index, (part, name) in enumerate(zip(parts, got, strict=True)):
                part(code, depth + index, name)
                code.add(depth + index, f"if {name} is None:")
                code.add(depth + index + 1, f"{target} = None")
                code.add(depth + index, "else:")
            code.add(depth + len(parts), f"{target} = {{{', '.join('**' + n for n in got)}}}")

        return emit

    def _any(self, items: Any) -> Emit:
        """The first part that holds, with its inputs."""
        parts = self._list(items, "any")

        def emit(code: _Code, depth: int, target: str) -> None:
            for index, part in enumerate(parts):
                part(code, depth + index, target)
                if index < len(parts) - 1:
                    code.add(depth + index, f"if {target} is None:")

        return emit

    def _not(self, item: Any) -> Emit:
        part = self._emit(item)

        def emit(code: _Code, depth: int, target: str) -> None:
            got = code.name("part")
            part(code, depth, got)
            code.add(depth, f"{target} = NO_INPUTS if {got} is None else None")

        return emit

    def _at_least_of(self, node: Mapping[str, Any]) -> Emit:
        if set(node) != {"at_least", "of"}:
            raise ConditionError("'of' goes with 'at_least' only")
        needed = node["at_least"]
        parts = self._list(node["of"], "of")
        if not isinstance(needed, int) or not 1 <= needed <= len(parts):
            raise ConditionError(f"'at_least' must be a whole number from 1 to {len(parts)}")

        def emit(code: _Code, depth: int, target: str) -> None:
            merged, count = code.name("merged"), code.name("count")
            code.add(depth, f"{merged} = {{}}")
            code.add(depth, f"{count} = 0")
            for part in parts:  # every part is judged: all their inputs are reported
                got = code.name("part")
                part(code, depth, got)
                code.add(depth, f"if {got} is not None:")
                code.add(depth + 1, f"{count} += 1")
                code.add(depth + 1, f"{merged}.update({got})")
            code.add(depth, f"{target} = {merged} if {count} >= {needed!r} else None")

        return emit

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

    def _field(self, node: Mapping[str, Any]) -> Emit:
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

        def emit(code: _Code, depth: int, target: str) -> None:
            answer = code.answer(depth, symptom)
            if name is None:  # the temperature is the answer itself
                value = answer
            else:
                value = code.name("value")
                code.add(depth, f"{value} = None if {answer} is None else {answer}.get({name!r})")
            if op == "answered":
                test = f"{value} is {'not ' if limit else ''}None"
                code.add(depth, f"{target} = NO_INPUTS if {test} else None")
            else:
                test = f"{value} is not None and {_test(op, value, limit)}"
                code.add(depth, f"{target} = {{{path!r}: {value}}} if {test} else None")

        return emit

    def _present(self, node: Mapping[str, Any]) -> Emit:
        if len(node) != 1:
            raise ConditionError("'present' stands alone")
        return self._field({"field": f"{node['present']}.present", "is": True})

    def _grade(self, node: Mapping[str, Any]) -> Emit:
        symptom = self._graded_symptom(node["grade"]).id
        op, limit = self._comparison(node, "grade", set(COMPARISONS) - {"is"})
        _check_range(op, limit, 0, 3, f"grade of {symptom}")
        key = f"{symptom}.grade"

        def emit(code: _Code, depth: int, target: str) -> None:
            grade = code.grade(depth, symptom)
            test = f"{grade} is not None and {_test(op, grade, limit)}"
            code.add(depth, f"{target} = {{{key!r}: {grade}}} if {test} else None")

        return emit

    def _severity(self, node: Mapping[str, Any]) -> Emit:
        """REFERENCE "severity N": the severity answer, or the composite grade
        where severity was not asked."""
        spec = self._graded_symptom(node["severity"])
        symptom = spec.id
        op, limit = self._comparison(node, "severity", set(COMPARISONS) - {"is"})
        _check_range(op, limit, 0, 4, f"severity of {symptom}")
        severity_key, grade_key = f"{symptom}.severity", f"{symptom}.grade"
        has_severity = "severity" in spec.fields

        def emit(code: _Code, depth: int, target: str) -> None:
            answer, value = code.answer(depth, symptom), code.name("value")
            code.add(depth, f"if {answer} is None:")
            code.add(depth + 1, f"{target} = None")
            code.add(depth, "else:")
            got = f"{answer}.get('severity')" if has_severity else "None"
            code.add(depth + 1, f"{value} = {got}")
            code.add(depth + 1, f"if {value} is not None:")
            test = _test(op, value, limit)
            code.add(depth + 2, f"{target} = {{{severity_key!r}: {value}}} if {test} else None")
            code.add(depth + 1, "else:")
            grade = code.grade(depth + 2, symptom)
            test = f"{grade} is not None and {_test(op, grade, limit)}"
            code.add(depth + 2, f"{target} = {{{grade_key!r}: {grade}}} if {test} else None")

        return emit

    def _graded_threshold(self, node: Mapping[str, Any], kind: str, grade_at: int) -> Emit:
        if len(node) != 1:
            raise ConditionError(f"'{kind}' stands alone")
        symptom = self._graded_symptom(node[kind]).id
        severity_at = grade_at if kind == "moderate_or_worse" else 3
        severity_key, grade_key = f"{symptom}.severity", f"{symptom}.grade"

        def emit(code: _Code, depth: int, target: str) -> None:
            grade, value = code.grade(depth, symptom), code.name("value")
            code.add(depth, f"if {grade} is not None and {grade} >= {grade_at!r}:")
            code.add(depth + 1, f"{target} = {{{grade_key!r}: {grade}}}")
            code.add(depth, "else:")
            answer = code.answer(depth + 1, symptom)
            code.add(depth + 1, f"{value} = None if {answer} is None else {answer}.get('severity')")
            test = f"{value} is not None and {value} >= {severity_at!r}"
            code.add(depth + 1, f"{target} = {{{severity_key!r}: {value}}} if {test} else None")

        return emit

    def _severe(self, node: Mapping[str, Any]) -> Emit:
        """Composite grade 3, or a severity answer of 3-4 (REFERENCE section 2)."""
        return self._graded_threshold(node, "severe", 3)

    def _moderate_or_worse(self, node: Mapping[str, Any]) -> Emit:
        """Composite grade 2 or more, or a severity answer of 2 or more."""
        return self._graded_threshold(node, "moderate_or_worse", 2)

    def _new_or_worse(self, node: Mapping[str, Any]) -> Emit:
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

        def emit(code: _Code, depth: int, target: str) -> None:
            answer, previous = code.answer(depth, symptom), code.name("prev")
            code.add(depth, f"if {answer} is None:")
            code.add(depth + 1, f"{target} = None")
            if has_new:
                code.add(depth, f"elif {answer}.get('new') is not None:")
                code.add(
                    depth + 1, f"{target} = {{{new_key!r}: True}} if {answer}['new'] else None"
                )
            code.add(depth, "else:")
            grade = code.grade(depth + 1, symptom)
            code.add(depth + 1, f"if not {grade}:")
            code.add(depth + 2, f"{target} = None")
            code.add(depth + 1, "else:")
            code.add(depth + 2, f"{previous} = view.highest_recent_grade({symptom!r})")
            code.add(depth + 2, f"if {previous} is None:")
            code.add(depth + 3, f"{target} = {{{grade_key!r}: {grade}}}")
            code.add(depth + 2, f"elif {grade} > {previous}:")
            both = f"{{{grade_key!r}: {grade}, {previous_key!r}: {previous}}}"
            code.add(depth + 3, f"{target} = {both}")
            code.add(depth + 2, "else:")
            code.add(depth + 3, f"{target} = None")

        return emit

    def _grade_rise(self, node: Mapping[str, Any]) -> Emit:
        symptom = self._graded_symptom(node["grade_rise"]).id
        op, rise = self._comparison(node, "grade_rise", {"at_least"})
        _check_range(op, rise, 1, 3, f"rise in the grade of {symptom}")
        grade_key, previous_key = f"{symptom}.grade", f"{symptom}.previous_grade"

        def emit(code: _Code, depth: int, target: str) -> None:
            grade, previous = code.grade(depth, symptom), code.name("prev")
            # Grades are 0-3, so a grade below the rise cannot have risen by
            # it: the history is read only when it could matter.
            code.add(depth, f"if {grade} is None or {grade} < {rise!r}:")
            code.add(depth + 1, f"{target} = None")
            code.add(depth, "else:")
            code.add(depth + 1, f"{previous} = view.latest_grade({symptom!r})")
            test = f"{previous} is not None and {grade} - {previous} >= {rise!r}"
            result = f"{{{grade_key!r}: {grade}, {previous_key!r}: {previous}}}"
            code.add(depth + 1, f"{target} = {result} if {test} else None")

        return emit

    # --- context -----------------------------------------------------------------
    def _taking(self, node: Mapping[str, Any]) -> Emit:
        if len(node) != 1:
            raise ConditionError("'taking' stands alone")
        name = node["taking"]
        if not self.therapies.knows(name):
            raise ConditionError(f"'{name}' is not a therapy class, group, drug list or drug")

        def emit(code: _Code, depth: int, target: str) -> None:
            drugs = code.name("drugs")
            code.add(depth, f"{drugs} = view.therapy.matches.get({name!r})")
            code.add(depth, f"{target} = {{'therapies': list({drugs})}} if {drugs} else None")

        return emit

    def _care_phase(self, node: Mapping[str, Any]) -> Emit:
        phase = node["care_phase"]
        if len(node) != 1 or phase not in CARE_PHASES:
            raise ConditionError(f"'care_phase' is one of {sorted(CARE_PHASES)}")

        def emit(code: _Code, depth: int, target: str) -> None:
            code.add(depth, f"{target} = NO_INPUTS if view.therapy.phase == {phase!r} else None")

        return emit

    def _finding(self, node: Mapping[str, Any]) -> Emit:
        rule_id = node["finding"]
        if len(node) != 1:
            raise ConditionError("'finding' stands alone")
        if rule_id not in self.earlier_rules:
            raise ConditionError(f"'finding: {rule_id}' names no rule above this one")

        def emit(code: _Code, depth: int, target: str) -> None:
            code.add(depth, f"{target} = view.fired.get({rule_id!r})")

        return emit


@dataclass(frozen=True, slots=True)
class RuleCode:
    """What compile_firing needs of one rule."""

    names: tuple[str, ...]  # what `finding:` may call it (id, key)
    condition: Condition
    otherwise_ongoing: Condition | None
    needs: frozenset[str] | None
    snapshot: bool  # its explanation reads other findings: keep them as they were


# position in the pack's order, inputs, ongoing only, the findings so far (or None)
Firing = tuple[int, Inputs, bool, dict[str, Inputs] | None]


def compile_firing(rules: Sequence[RuleCode]) -> Callable[[View], list[Firing]]:
    """One function that judges every rule in the pack's order, each only
    when one of the symptoms it needs was answered, and records what fired in
    `view.fired` for the `finding:` conditions below it. The same code as each
    rule's own condition, without a call per rule."""
    code = _Code(hoisted=True)
    for position, rule in enumerate(rules):
        depth = 1
        code.add(depth, f"# {position}: {rule.names[-1]}")
        if rule.needs is not None:
            asked = [code.answer(depth, symptom) for symptom in sorted(rule.needs)]
            code.add(depth, f"if {' or '.join(f'{name} is not None' for name in asked)}:")
            depth += 1
        got = code.name("got")
        rule.condition.emit(code, depth, got)
        code.add(depth, f"if {got} is not None:")
        snapshot = "dict(fired)" if rule.snapshot else "None"
        code.add(depth + 1, f"append(({position!r}, {got}, False, {snapshot}))")
        for name in dict.fromkeys(rule.names):
            code.add(depth + 1, f"fired.setdefault({name!r}, {got})")
        if rule.otherwise_ongoing is not None:
            code.add(depth, "else:")
            ongoing = code.name("ongoing")
            rule.otherwise_ongoing.emit(code, depth + 1, ongoing)
            code.add(depth + 1, f"if {ongoing} is not None:")
            code.add(depth + 2, f"append(({position!r}, {ongoing}, True, None))")
    body = code.lines
    code.lines = []
    for line in (*_PROLOGUE, "fired = view.fired", "out = []", "append = out.append"):
        code.add(1, line)
    for line in code.prologue():
        code.add(1, line)
    code.lines += body
    code.add(1, "return out")
    fire_all, _ = _define("fire_all", code.lines)
    return cast(Callable[[View], list[Firing]], fire_all)


def _define(name: str, body: list[str]) -> tuple[Any, str]:
    """The function `name(view)` with that body, and its text. Only the
    compiler's own lines go in, with the pack's values as literals."""
    source = f"def {name}(view):\n" + "\n".join(body) + "\n"
    namespace: dict[str, Any] = {"NO_INPUTS": NO_INPUTS}
    exec(compile(source, f"<pack {name}>", "exec"), namespace)  # noqa: S102
    return namespace[name], source


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
