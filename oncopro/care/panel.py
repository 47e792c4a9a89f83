"""The panel: a care team's patients at a glance, in a fixed number of
queries whatever the number of patients (subqueries, no per-row lookups)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from oncopro.alerts.models import Alert
from oncopro.care.models import Patient
from oncopro.checkins.models import CheckIn

ADHERENCE_WEEKS = 8


def with_panel_facts(patients: QuerySet[Patient], now: dt.datetime) -> QuerySet[Patient]:
    latest = CheckIn.objects.filter(patient=OuterRef("pk")).order_by("-at", "-pk")
    weekly = latest.filter(kind=CheckIn.Kind.WEEKLY)
    open_alert = Alert.objects.filter(patient=OuterRef("pk"), resolved_at=None)
    recent_weekly = (
        CheckIn.objects.filter(
            patient=OuterRef("pk"),
            kind=CheckIn.Kind.WEEKLY,
            at__gte=now - dt.timedelta(weeks=ADHERENCE_WEEKS),
        )
        .order_by()
        .values("patient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return patients.annotate(
        last_at=Subquery(latest.values("at")[:1]),
        last_urgency=Subquery(latest.values("urgency")[:1]),
        last_weekly_at=Subquery(weekly.values("at")[:1]),
        weekly_recent=Coalesce(Subquery(recent_weekly, output_field=IntegerField()), 0),
        open_alert_id=Subquery(open_alert.values("pk")[:1]),
        open_alert_level=Subquery(open_alert.values("level")[:1]),
    )


@dataclass(frozen=True)
class Adherence:
    overdue: bool  # her last due check-in (before today) was not done
    done: int  # weekly check-ins in the last 8 weeks
    due: int  # weekly check-ins due in that time (since she joined)


def last_due_day(weekday: int, today: dt.date) -> dt.date:
    """Her most recent check-in day before today."""
    back = (today.weekday() - weekday) % 7 or 7
    return today - dt.timedelta(days=back)


def adherence(patient: Patient, now: dt.datetime) -> Adherence:
    today = timezone.localdate(now)
    last_due = last_due_day(patient.checkin_weekday, today)
    joined = timezone.localdate(patient.created_at)
    last_weekly = getattr(patient, "last_weekly_at", None)
    window_start = last_due - dt.timedelta(days=6)
    overdue = joined <= last_due and (
        last_weekly is None or timezone.localdate(last_weekly) < window_start
    )
    due_days = [last_due - dt.timedelta(weeks=n) for n in range(ADHERENCE_WEEKS)]
    due = sum(1 for day in due_days if day >= joined)
    return Adherence(overdue=overdue, done=getattr(patient, "weekly_recent", 0), due=due)
