"""Background tasks (Django's Tasks framework; `oncopro worker` runs them)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import timezone

from oncopro.checkins.reminders import send_due_reminders

REMINDER_EVERY = dt.timedelta(minutes=15)


@task
def send_weekly_reminders() -> int:
    """Send the reminders due now, then look again in a while."""
    sent = send_due_reminders()
    send_weekly_reminders.using(run_after=timezone.now() + REMINDER_EVERY).enqueue()
    return sent
