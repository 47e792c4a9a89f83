"""Program health: is the program drowning its nurses, and are alerts seen
in time? Alerts per 100 check-ins, time to acknowledge (median and 90th
percentile) and deadlines missed, per clinic and per week. Counts only: no
patient appears here."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models.functions import TruncDate
from django.utils import timezone

from oncopro.alerts.models import Alert
from oncopro.care.models import Clinic
from oncopro.checkins.history import week_start
from oncopro.checkins.models import CheckIn


@dataclass(frozen=True)
class WeekHealth:
    week: dt.date  # its Monday
    checkins: int
    alerts: int
    acknowledged: int
    median_minutes: float | None
    p90_minutes: float | None
    missed: int

    @property
    def alerts_per_100(self) -> float | None:
        return round(100 * self.alerts / self.checkins, 1) if self.checkins else None


@dataclass(frozen=True)
class ClinicHealth:
    clinic: Clinic
    weeks: list[WeekHealth]  # newest first


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `share` of
    the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def clinic_health(clinics: Iterable[Clinic], weeks: int = 8) -> list[ClinicHealth]:
    now = timezone.now()
    this_week = week_start(timezone.localdate(now))
    mondays = [this_week - dt.timedelta(weeks=n) for n in range(weeks)]
    start = timezone.make_aware(dt.datetime.combine(mondays[-1], dt.time.min))
    return [_one_clinic(clinic, mondays, start, now) for clinic in clinics]


def _one_clinic(
    clinic: Clinic, mondays: list[dt.date], start: dt.datetime, now: dt.datetime
) -> ClinicHealth:
    checkins: dict[dt.date, int] = defaultdict(int)
    days = (
        CheckIn.objects.filter(patient__care_team__clinic=clinic, at__gte=start)
        .annotate(day=TruncDate("at"))
        .values_list("day", flat=True)
    )
    for day in days:
        checkins[week_start(day)] += 1
    alerts: dict[dt.date, list[Alert]] = defaultdict(list)
    for alert in Alert.objects.filter(patient__care_team__clinic=clinic, opened_at__gte=start):
        alerts[week_start(timezone.localdate(alert.opened_at))].append(alert)
    weeks = []
    for week in mondays:
        opened = alerts[week]
        minutes = [
            (alert.acknowledged_at - alert.opened_at).total_seconds() / 60
            for alert in opened
            if alert.acknowledged_at is not None
        ]
        median = percentile(minutes, 0.5)
        p90 = percentile(minutes, 0.9)
        weeks.append(
            WeekHealth(
                week=week,
                checkins=checkins[week],
                alerts=len(opened),
                acknowledged=len(minutes),
                median_minutes=None if median is None else round(median, 1),
                p90_minutes=None if p90 is None else round(p90, 1),
                missed=sum(alert.missed_deadline(now) for alert in opened),
            )
        )
    return ClinicHealth(clinic, weeks)
