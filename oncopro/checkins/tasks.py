"""Background tasks (Django's Tasks framework; `oncopro worker` runs them)."""

from __future__ import annotations

import datetime as dt

from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from oncopro.checkins.reminders import send_due_reminders

REMINDER_EVERY = dt.timedelta(minutes=15)


@task
def send_weekly_reminders() -> int:
    """Send the reminders due now, then look again in a while."""
    sent = send_due_reminders()
    send_weekly_reminders.using(run_after=timezone.now() + REMINDER_EVERY).enqueue()
    return sent


def ensure_reminders_scheduled() -> None:
    """Start the reminder cycle unless it is already waiting to run."""
    path = f"{send_weekly_reminders.func.__module__}.{send_weekly_reminders.func.__qualname__}"
    if not DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY).exists():
        send_weekly_reminders.enqueue()
