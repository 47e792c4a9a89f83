"""Her check-in weeks: each is the 7 days ending on her check-in weekday, in
the clinic's time zone (TIME_ZONE), so a Tuesday patient's week runs from
Wednesday to Tuesday."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from oncopro.care.models import Patient
from oncopro.checkins.models import CheckIn


def week_ending_on_or_after(day: dt.date, weekday: int) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the week that holds `day`."""
    last = day + dt.timedelta(days=(weekday - day.weekday()) % 7)
    return last - dt.timedelta(days=6), last


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, in the clinic's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def this_weeks_checkin(patient: Patient, now: dt.datetime | None = None) -> CheckIn | None:
    """Her latest weekly check-in of the week she is in now, if she sent one."""
    today = timezone.localtime(now or timezone.now()).date()
    first, _ = week_ending_on_or_after(today, patient.checkin_weekday)
    return (
        CheckIn.objects.filter(patient=patient, kind=CheckIn.Kind.WEEKLY, at__gte=start_of(first))
        .select_related("author")
        .order_by("-at")
        .first()
    )
