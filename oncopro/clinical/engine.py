"""Triage: one check-in, its history and the patient's context in; the
decision, explained, out. Pure: same inputs, same answer, always.

The steps follow REFERENCE.md sections 4-7:
1. grade every graded answer (section 2);
2. fire the pack's rules, then its spread patterns;
3. "alert on change, not on state": a `soon` finding or a pattern that fired
   at the latest earlier check-in asking about its symptoms (at most 14 days
   before) with none of them worse now is `ongoing`, not an alert;
4. two or more counting `soon` findings about different symptoms make `urgent`;
5. spread labels only for places not already known, and never in hospice;
6. the contact follows the level and the care phase.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from oncopro.clinical.case import PatientContext, Report, TriageCase
from oncopro.clinical.conditions import Grades, Inputs, LazyGrades, Record, View
from oncopro.clinical.grading import composite_grade
from oncopro.clinical.pack import LEVEL_RANK, Pack, Rule
from oncopro.clinical.result import Finding, TriageResult
from oncopro.clinical.specs import SymptomSpec, Therapy

CONTACTS = {
    "emergency": "emergency_services",
    "urgent": "care_team_now",
    "soon": "care_team_24h",
    "routine": "next_visit",
}
HOSPICE_CONTACTS = {
    "emergency": "hospice_team_now",
    "urgent": "hospice_team_now",
    "soon": "hospice_team_24h",
    "routine": "next_visit",
}
NOT_SYMPTOMS = frozenset({"therapies"})


@dataclass(slots=True)
class Fired:
    rule: Rule
    position: int  # in the pack's order
    inputs: Inputs
    because: str
    ongoing_only: bool = False  # M1's "severe, as before"

    @property
    def symptoms(self) -> tuple[str, ...]:
        if self.rule.symptom is not None:
            return (self.rule.symptom,)
        return symptoms_of(self.inputs)


def symptoms_of(inputs: Mapping[str, Any]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for key in inputs:
        if key not in NOT_SYMPTOMS:
            found[key.split(".", 1)[0]] = None
    return tuple(found)


def grades_of(pack: Pack, answers: Mapping[str, Any]) -> dict[str, int]:
    grades: dict[str, int] = {}
    graded = pack.graded_ids
    for symptom_id, answer in answers.items():
        if symptom_id in graded:
            grade = composite_grade(answer)
            if grade is not None:
                grades[symptom_id] = grade
    return grades


def _at(report: Report) -> dt.datetime:
    return report.at


def newest_first(history: Sequence[Report]) -> list[Report]:
    """Newest first. Check-ins with the very same time are ordered by their
    content, so that the answer never depends on the order they came in."""
    ordered = sorted(history, key=_at, reverse=True)
    if len({report.at for report in ordered}) < len(ordered):
        ordered.sort(
            key=lambda report: (report.at, json.dumps(report.answers, sort_keys=True)),
            reverse=True,
        )
    return ordered


def triage_case(pack: Pack, case: TriageCase) -> TriageResult:
    return triage(pack, case.patient, case.history, case.checkin)


def triage(
    pack: Pack, patient: PatientContext, history: Sequence[Report], checkin: Report
) -> TriageResult:
    view = view_of(pack, patient, history, checkin)
    therapy, records, grades = view.therapy, view.earlier, view.grades
    fired = fire(pack, view)
    earlier = _EarlierFindings(pack, records, therapy, view.lookback)

    hospice = patient.care_phase == "hospice"
    known = set(patient.known_metastatic_sites)
    findings: list[Fired] = []
    ongoing: list[Fired] = []
    for item in fired:
        rule = item.rule
        if rule.site is not None and rule.site in known and not rule.even_if_known:
            continue  # a known place: the pattern adds neither label nor level
        if item.ongoing_only or (
            rule.alert_on_change
            and earlier.unchanged_since(item, checkin.at, checkin.answers, grades)
        ):
            ongoing.append(item)
        else:
            findings.append(item)

    urgency = _urgency(findings)
    order = {symptom: position for position, symptom in enumerate(checkin.answers)}

    def sort_key(item: Fired) -> tuple[int, int, int]:
        positions = [order.get(symptom, len(order)) for symptom in item.symptoms]
        return (
            -LEVEL_RANK[item.rule.level],
            min(positions, default=len(order)),
            item.position,  # the pack's order
        )

    def site_label(item: Fired) -> str | None:
        site = item.rule.site
        if site is None or hospice or site in known:
            return None
        return site

    findings.sort(key=sort_key)
    ongoing.sort(key=sort_key)
    suspected = sorted({label for item in (*findings, *ongoing) if (label := site_label(item))})
    contacts = HOSPICE_CONTACTS if hospice else CONTACTS
    return TriageResult(
        checkin_id=checkin.id,
        urgency=urgency,
        contact=contacts[urgency],
        suspected_sites=suspected,
        findings=[_finding(item, site_label(item)) for item in findings],
        ongoing=[_finding(item, site_label(item)) for item in ongoing],
        advice=[card.key for card in pack.advice if card.condition.holds(view) is not None],
        grades={s: grade for s in checkin.answers if (grade := grades.get(s)) is not None},
        pack=pack.label,
        warnings=[_unknown_drug_warning(pack, name) for name in therapy.unknown],
    )


def view_of(
    pack: Pack, patient: PatientContext, history: Sequence[Report], checkin: Report
) -> View:
    """The check-in as the rules see it: graded, with its history newest first."""
    records = [
        Record(report.at, report.answers, LazyGrades(report.answers))
        for report in newest_first(history)
    ]
    therapy = pack.therapies.resolve(patient.care_phase, patient.therapies)
    grades = grades_of(pack, checkin.answers)
    return View(checkin.at, checkin.answers, grades, records, therapy, pack.lookback)


def fire(pack: Pack, view: View) -> list[Fired]:
    """Every rule and pattern that holds for this check-in (before
    alert-on-change and known sites are applied), in the pack's order."""
    view.fired = {}
    rules = pack.all_rules
    fired: list[Fired] = []
    for position, inputs, ongoing_only, findings_then in pack.fire_all(view):
        rule = rules[position]
        if ongoing_only:
            text = _render(pack, rule.otherwise_because or "", rule, view.therapy, inputs)
        else:
            judged = view if findings_then is None else replace(view, fired=findings_then)
            text = _because(pack, rule, judged, inputs)
        fired.append(Fired(rule, position, inputs, text, ongoing_only))
    return fired


def _because(pack: Pack, rule: Rule, view: View, inputs: Inputs) -> str:
    for case in rule.cases:
        if case.condition.holds(view) is not None:
            return _render(pack, case.because, rule, view.therapy, inputs)
    return _render(pack, rule.because or "", rule, view.therapy, inputs)


PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


@functools.cache
def _template(template: str) -> tuple[tuple[str, str | None], ...]:
    """An explanation cut once into (text, placeholder name or None) pieces."""
    pieces = PLACEHOLDER.split(template)  # text, name, text, name, ..., text
    names: list[str | None] = [*pieces[1::2], None]
    pairs = zip(pieces[0::2], names, strict=True)
    return tuple((text, name) for text, name in pairs if text or name)


def _render(pack: Pack, template: str, rule: Rule, therapy: Therapy, inputs: Inputs) -> str:
    pieces = _template(template)
    if len(pieces) == 1 and pieces[0][1] is None:
        return template  # nothing to fill in (most explanations)
    out = []
    for text, name in pieces:
        out.append(text)
        if name is not None:
            out.append(_placeholder(pack, name, rule, therapy, inputs))
    return "".join(out)


def _placeholder(pack: Pack, name: str, rule: Rule, therapy: Therapy, inputs: Inputs) -> str:
    if name in ("symptom", "Symptom") and rule.symptom is not None:
        label = pack.symptoms[rule.symptom].label
        return label[0].upper() + label[1:] if name == "Symptom" else label
    if name in ("therapies", "Therapies"):
        text = _join(inputs.get("therapies") or therapy.drugs)
        return text[0].upper() + text[1:] if name == "Therapies" and text else text
    if name in inputs:
        return _show(inputs[name])
    return "{" + name + "}"


def _join(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _urgency(findings: list[Fired]) -> str:
    level = "routine"
    amber_symptoms: set[str] = set()
    for item in findings:
        rule = item.rule
        if LEVEL_RANK[rule.level] > LEVEL_RANK[level]:
            level = rule.level
        if rule.level == "soon" and rule.counts:
            amber_symptoms.update(item.symptoms)
    # Two ambers make red, counted per symptom (REFERENCE section 4).
    if len(amber_symptoms) >= 2 and LEVEL_RANK[level] < LEVEL_RANK["urgent"]:
        level = "urgent"
    return level


def _finding(item: Fired, site: str | None) -> Finding:
    rule = item.rule
    return Finding(
        id=rule.id,
        urgency=rule.level,
        counts=rule.counts,
        site=site,
        because=item.because,
        inputs=dict(item.inputs),
        source=rule.source,
    )


def _unknown_drug_warning(pack: Pack, name: str) -> str:
    counted = " and ".join(sorted(pack.therapies.unknown_counts_as)).replace("_", "-")
    return (
        f"Unknown drug name '{name}': counted as {counted} (the safer choice). "
        "Check the spelling, or use the generic name."
    )


class _EarlierFindings:
    """What fired at earlier check-ins, each judged with its own earlier
    history and today's therapies, phase and known sites (REFERENCE section 4)."""

    def __init__(
        self, pack: Pack, records: list[Record], therapy: Therapy, lookback: dt.timedelta
    ) -> None:
        self.pack, self.records, self.therapy, self.lookback = pack, records, therapy, lookback
        self._all_fired: dict[int, set[int]] = {}
        self._views: dict[int, View] = {}

    def _view(self, index: int) -> View:
        view = self._views.get(index)
        if view is None:
            record = self.records[index]
            view = self._views[index] = View(
                record.at,
                record.answers,
                record.grades,
                self.records[index + 1 :],
                self.therapy,
                self.lookback,
            )
        return view

    def fired_at(self, index: int, position: int, rule: Rule) -> bool:
        """Did this rule (at that position in the pack) fire, or stand as
        ongoing, at that check-in?"""
        view = self._view(index)
        if rule.uses_findings:  # it reads other findings: judge them all in turn
            if index not in self._all_fired:
                view.fired = {}
                firings = self.pack.fire_all(view)
                self._all_fired[index] = {firing[0] for firing in firings}
            return position in self._all_fired[index]
        if rule.condition.holds(view) is not None:
            return True
        return rule.otherwise_ongoing is not None and rule.otherwise_ongoing.holds(view) is not None

    def _latest_asking(self, symptoms: tuple[str, ...]) -> tuple[int, Record] | None:
        """The most recent earlier check-in that asked about any of them."""
        for index, record in enumerate(self.records):
            answers = record.answers
            for symptom in symptoms:
                if symptom in answers:
                    return index, record
        return None

    def unchanged_since(
        self,
        item: Fired,
        at: dt.datetime,
        answers: Mapping[str, Any],
        grades: Grades,
    ) -> bool:
        symptoms = item.symptoms
        found = self._latest_asking(symptoms)
        if found is None:
            return False
        index, record = found
        if at - record.at > self.lookback:
            return False
        if not self.fired_at(index, item.position, item.rule):
            return False
        return not any(
            _worse(self.pack.symptoms[symptom], answers.get(symptom), record.answers.get(symptom),
                   grades.get(symptom), record.grades.get(symptom))
            for symptom in symptoms
        )  # fmt: skip


def _worse(
    spec: SymptomSpec, now: Any, then: Any, grade_now: int | None, grade_then: int | None
) -> bool:
    """Is this symptom worse now than at the earlier check-in? (REFERENCE
    section 4: higher grades and answers are worse; durations and counts of
    days are not; `present` and `new` are always news.)"""
    if then is None:
        return True  # not asked then counts as worse
    if now is None:
        return False
    if spec.is_reading:
        return bool(now > then)  # a higher reading: the safer reading is "worse"
    if grade_now is not None and (grade_then is None or grade_now > grade_then):
        return True
    for name, value in now.items():
        field = spec.fields[name]
        before = then.get(name)
        if field.kind == "yesno":
            if name in ("present", "new"):
                if value:  # always news
                    return True
            elif value == field.worse_answer and before != field.worse_answer:
                return True
        elif field.kind == "score" or (
            field.kind in ("integer", "number") and field.worse_when_higher
        ):
            if field.kind == "score" and before is None:
                continue  # an attribute not asked then: the grade decides
            if before is None or value > before:
                return True
        elif field.kind == "choice" and (
            before is None or field.choices.index(value) > field.choices.index(before)
        ):
            return True
    return False
