"""The alert worker's tasks (Django's Tasks framework; `oncopro worker` runs them)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import timezone

from oncopro.alerts.actions import escalate_overdue, process_outbox
from oncopro.alerts.notify import send_pending

# The sweep also catches what a crash left behind: an outbox row whose
# wake-up call was lost, a message claimed by a sender that died.
SWEEP_EVERY = dt.timedelta(seconds=30)


@task
def process_alerts() -> int:
    """Enqueued after each check-in that needs the team commits."""
    opened = process_outbox()
    send_pending()
    return opened


@task
def sweep_alerts() -> int:
    """Open what is waiting, escalate what is overdue, send what is unsent;
    then look again in a while."""
    done = process_outbox() + escalate_overdue()
    send_pending()
    sweep_alerts.using(run_after=timezone.now() + SWEEP_EVERY).enqueue()
    return done
