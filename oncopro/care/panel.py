"""The panel: a care team's patients at a glance, in a fixed number of
queries whatever the number of patients (subqueries, no per-row lookups)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from oncopro.accounts.models import User
from oncopro.alerts.models import Alert
from oncopro.care.access import on_her_team
from oncopro.care.models import Patient
from oncopro.checkins.models import CheckIn
from oncopro.checkins.weeks import start_of

ADHERENCE_WEEKS = 8


def team_patients_of(user: User) -> QuerySet[Patient]:
    """The patients of every care team this person is on, who take part in
    the program now (one who left is kept, and off the panel)."""
    return Patient.objects.filter(on_her_team(user), left_on__isnull=True)


def with_panel_facts(patients: QuerySet[Patient], now: dt.datetime) -> QuerySet[Patient]:
    latest = CheckIn.objects.filter(patient=OuterRef("pk")).order_by("-at", "-pk")
    open_alert = Alert.objects.filter(patient=OuterRef("pk"), resolved_at=None)
    return patients.annotate(
        last_at=Subquery(latest.values("at")[:1]),
        last_urgency=Subquery(latest.values("urgency")[:1]),
        open_alert_id=Subquery(open_alert.values("pk")[:1]),
        open_alert_level=Subquery(open_alert.values("level")[:1]),
    )


@dataclass(frozen=True)
class Adherence:
    overdue: bool  # she missed her last due week and has not sent one since
    done: int  # of those weeks, the ones with at least one weekly check-in
    due: int  # her check-in weeks in the last 8 since she enrolled


def last_due_day(weekday: int, today: dt.date) -> dt.date:
    """Her most recent check-in day before today."""
    back = (today.weekday() - weekday) % 7 or 7
    return today - dt.timedelta(days=back)


def due_weeks(patient: Patient, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Her last 8 complete check-in weeks (first day, last day), newest
    first: each is the 7 days ending on her check-in day (checkins.weeks),
    and counts once it ends on or after the day she enrolled."""
    last = last_due_day(patient.checkin_weekday, today)
    weeks = []
    for n in range(ADHERENCE_WEEKS):
        end = last - dt.timedelta(weeks=n)
        if end < patient.enrolled_on:
            break
        weeks.append((end - dt.timedelta(days=6), end))
    return weeks


def weekly_checkin_days(patients: list[Patient], today: dt.date) -> dict[int, set[dt.date]]:
    """The local days of each patient's weekly check-ins in the panel's
    window, in one query whatever the number of patients."""
    since = start_of(today - dt.timedelta(weeks=ADHERENCE_WEEKS + 1))
    rows = CheckIn.objects.filter(
        patient__in=[p.pk for p in patients], kind=CheckIn.Kind.WEEKLY, at__gte=since
    ).values_list("patient_id", "at")
    days: dict[int, set[dt.date]] = {p.pk: set() for p in patients}
    for patient_id, at in rows:
        days[patient_id].add(timezone.localdate(at))
    return days


def adherence(patient: Patient, today: dt.date, days: set[dt.date]) -> Adherence:
    """`days`: the days she sent a weekly check-in (weekly_checkin_days)."""
    weeks = due_weeks(patient, today)
    done = [any(first <= day <= last for day in days) for first, last in weeks]
    caught_up = bool(weeks) and any(day > weeks[0][1] for day in days)
    overdue = bool(weeks) and not done[0] and not caught_up and patient.user.is_active
    return Adherence(overdue=overdue, done=sum(done), due=len(weeks))


def behind_count(patients: QuerySet[Patient], today: dt.date) -> int:
    """How many of these patients missed their last due week and have not
    sent one since (those who never checked in too; not those who have left
    the program), in one query. Each check-in weekday has its own last due
    week, so her week's first moment is picked by her weekday (a CASE), and
    one index range look-up per patient answers whether she sent one since."""
    ends = {weekday: last_due_day(weekday, today) for weekday in range(7)}
    by_weekday = {
        "week_start": (DateTimeField(), lambda end: start_of(end - dt.timedelta(days=6))),
        "due_end": (DateField(), lambda end: end),
    }
    picked = {
        name: Case(
            *(When(checkin_weekday=w, then=Value(value(end))) for w, end in ends.items()),
            output_field=field,
        )
        for name, (field, value) in by_weekday.items()
    }
    sent_since = CheckIn.objects.filter(
        patient=OuterRef("pk"), kind=CheckIn.Kind.WEEKLY, at__gte=OuterRef("week_start")
    )
    return (
        patients.order_by()
        .annotate(**picked)
        .filter(user__is_active=True, enrolled_on__lte=F("due_end"))
        .exclude(Exists(sent_since))
        .count()
    )
