"""A patient's check-ins over time: the list, and grades by symptom and week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from oncopro.care.models import Patient
from oncopro.checkins.models import CheckIn
from oncopro.clinical import load_pack


@dataclass(frozen=True)
class TrendRow:
    symptom_id: str
    label: str
    grades: list[int | None]  # one per column; None: not asked that week


@dataclass(frozen=True)
class Trends:
    weeks: list[dt.date]  # Monday of each week, oldest first
    rows: list[TrendRow]


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week `day` is in: how weeks are told apart everywhere."""
    return day - dt.timedelta(days=day.weekday())


def recent_checkins(patient: Patient, limit: int = 52) -> list[CheckIn]:
    return list(CheckIn.objects.filter(patient=patient).select_related("author")[:limit])


def trends(checkins: list[CheckIn], weeks: int = 12, *, calendar_weeks: bool = False) -> Trends:
    """The highest grade of each symptom in each of the last `weeks` weeks
    that had a check-in (or, with `calendar_weeks`, every one of the last
    `weeks` weeks, so missed weeks show). A week with no answer stays empty,
    never zero."""
    pack = load_pack()
    by_week: dict[dt.date, dict[str, int]] = {}
    for checkin in checkins:
        week = by_week.setdefault(week_start(timezone.localdate(checkin.at)), {})
        for symptom_id, grade in checkin.result.get("grades", {}).items():
            week[symptom_id] = max(grade, week.get(symptom_id, 0))
    if calendar_weeks:
        this_monday = week_start(timezone.localdate())
        columns = [this_monday - dt.timedelta(weeks=n) for n in reversed(range(weeks))]
    else:
        columns = sorted(by_week)[-weeks:]
    seen = {symptom for monday in columns for symptom in by_week.get(monday, {})}
    order = {symptom_id: position for position, symptom_id in enumerate(pack.symptoms)}
    rows = [
        TrendRow(
            symptom_id,
            pack.symptoms[symptom_id].label,
            [by_week.get(monday, {}).get(symptom_id) for monday in columns],
        )
        for symptom_id in sorted(seen, key=order.__getitem__)
    ]
    return Trends(columns, rows)
