"""Which follow-up questions a report must ask before it is sent
(HOME-CARE.md section 1): back pain asks about leg weakness, a headache about
seizures and eyesight, and so on, because the rules that find emergencies
need those answers in the same report.

Judged on this report alone: what she picked and what she answered so far,
with her therapies (some follow-ups are only for an opioid). History plays
no part, so the same report always asks the same questions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oncopro.clinical.conditions import View
from oncopro.clinical.engine import grades_of
from oncopro.clinical.pack import FollowUp, Pack

# A temperature worth asking about (REFERENCE U1 from 37.5 C; S21 below 36.0 C).
FEVERISH_FROM = 37.5
LOW_BELOW = 36.0
# Conditions here never look at dates; a View still needs one.
_NO_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Asked:
    """One symptom to ask about, and which of its fields."""

    symptom: str
    fields: tuple[str, ...]
    red_flag: bool
    because_of: tuple[str, ...]  # the follow-up ids (F1...) that ask it


def reported(pack: Pack, symptom_id: str, answers: Mapping[str, Any]) -> bool:
    """Did this report name the symptom: any answer above "none" or "no"?"""
    answer = answers.get(symptom_id)
    if answer is None:
        return False
    if symptom_id == pack.temperature_id:
        return bool(answer >= FEVERISH_FROM or answer < LOW_BELOW)
    if not isinstance(answer, Mapping):
        return False
    if answer.get("frequency") == 0:
        return False
    return any(value not in (0, False, None, "") for value in answer.values())


def due_follow_ups(
    pack: Pack,
    answers: Mapping[str, Any],
    *,
    picked: Collection[str] = (),
    therapies: Sequence[str] = (),
    care_phase: str = "active_treatment",
) -> list[FollowUp]:
    """The pack's follow-ups this report makes due, in the pack's order.
    `picked`: symptoms she said she has before answering their questions."""
    view = View(
        _NO_DATE,
        answers,
        grades_of(pack, answers),
        [],
        pack.therapies.resolve(care_phase, list(therapies)),
        pack.lookback,
    )
    due = []
    for follow_up in pack.follow_ups:
        named = any(s in picked or reported(pack, s, answers) for s in follow_up.reported)
        if not named and not (
            follow_up.when is not None and follow_up.when.holds(view) is not None
        ):
            continue
        if follow_up.only_if is not None and follow_up.only_if.holds(view) is None:
            continue
        due.append(follow_up)
    return due


def follow_up_questions(pack: Pack, follow_ups: Sequence[FollowUp]) -> list[Asked]:
    """What the due follow-ups ask, one entry per symptom (fields merged),
    red flags first, otherwise in the order the pack names them."""
    merged: dict[str, tuple[list[str], bool, list[str]]] = {}
    for follow_up in follow_ups:
        for symptom_id, names in follow_up.ask.items():
            fields, red, sources = merged.setdefault(symptom_id, ([], False, []))
            fields.extend(name for name in names if name not in fields)
            if follow_up.id not in sources:
                sources.append(follow_up.id)
            if symptom_id in follow_up.red_flags and not red:
                merged[symptom_id] = (fields, True, sources)
    asked = [
        Asked(symptom_id, tuple(_in_pack_order(pack, symptom_id, fields)), red, tuple(sources))
        for symptom_id, (fields, red, sources) in merged.items()
    ]
    return sorted(asked, key=lambda item: not item.red_flag)  # stable: pack order kept


def _in_pack_order(pack: Pack, symptom_id: str, names: list[str]) -> list[str]:
    return [name for name in pack.symptoms[symptom_id].fields if name in names]
