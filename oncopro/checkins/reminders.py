"""Weekly check-in reminders: on her chosen day, if the week's check-in is not
done, one email with a link and no health details."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from oncopro.accounts.audit import Actor, record
from oncopro.care.models import Patient
from oncopro.checkins.models import CheckIn, ReminderSent

SUBJECT = "Time for your weekly check-in"
BODY = """Hello,

It is time for your weekly check-in. It takes a few minutes, and your care team will see it.

Sign in here: {link}

If you feel very unwell, do not wait for the check-in: call your care team's 24-hour line.

This email was sent by {site}. It has no health information in it on purpose.
"""


def due_patients(now: dt.datetime) -> QuerySet[Patient]:
    """Patients whose check-in is due today (local time), not yet done this
    week, and not yet reminded today."""
    local = timezone.localtime(now)
    if local.hour < settings.REMINDER_HOUR:
        return Patient.objects.none()
    today = local.date()
    week_ago = local - dt.timedelta(days=6)
    start_of_window = week_ago.replace(hour=0, minute=0, second=0, microsecond=0)
    done = CheckIn.objects.filter(kind=CheckIn.Kind.WEEKLY, at__gte=start_of_window)
    reminded = ReminderSent.objects.filter(due_on=today)
    return (
        # A patient without email is reminded by text message, once it exists.
        Patient.objects.filter(
            checkin_weekday=today.weekday(), user__is_active=True, user__email__isnull=False
        )
        .exclude(pk__in=done.values("patient_id"))
        .exclude(pk__in=reminded.values("patient_id"))
        .select_related("user")
    )


def send_due_reminders(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    sent = 0
    for patient in due_patients(now):
        try:
            with transaction.atomic():
                reminder = ReminderSent.objects.create(patient=patient, due_on=today)
                record(
                    Actor.system("reminders"),
                    "reminder.sent",
                    patient_ref=patient.public_id,
                    obj=reminder,
                )
                send_mail(
                    SUBJECT,
                    BODY.format(link=f"{settings.SITE_ROOT}/", site=settings.SITE_NAME),
                    None,
                    [patient.user.email or ""],  # never blank: see due_patients
                )
        except IntegrityError:
            continue  # another worker reminded her first
        sent += 1
    return sent
