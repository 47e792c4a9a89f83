"""The alert worker's tasks (Django's Tasks framework; `oncopro worker` runs them)."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection
from django.tasks import TaskResultStatus, task, task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from oncopro.alerts.actions import escalate_overdue, process_outbox
from oncopro.alerts.notify import send_pending

# The sweep also catches what a crash left behind: an outbox row whose
# wake-up call was lost, a message claimed by a sender that died.
SWEEP_EVERY = dt.timedelta(seconds=30)
READY = TaskResultStatus.READY


@task
def process_alerts() -> int:
    """Enqueued after each check-in that needs the team commits."""
    opened = process_outbox()
    send_pending()
    return opened


def wake_the_worker() -> None:
    """Ask the worker to open alerts now (after a check-in that needs the
    team commits), unless a call is already waiting: a `process_alerts` that
    has not started yet reads every outbox row committed before it starts,
    this one included. Under load that is one task row, not one per check-in."""
    if not _already_waiting():
        process_alerts.enqueue()


def _already_waiting() -> bool:
    backend = task_backends[process_alerts.backend]
    if not isinstance(backend, DatabaseBackend):
        return False  # another backend (tests run tasks at once): always enqueue
    with connection.cursor() as cursor:
        cursor.execute(_waiting_sql(connection.vendor), [READY, process_alerts.module_path])
        return cursor.fetchone() is not None


@functools.cache
def _waiting_sql(vendor: str) -> str:
    """One indexed look (the READY rows), in `vendor`'s SQL; `process_alerts`
    is never enqueued for later, so READY means it runs as soon as it can."""
    q = connection.ops.quote_name
    table = q(DBTaskResult._meta.db_table)
    where = f"{q('status')} = %s AND {q('task_path')} = %s"
    return f"SELECT 1 FROM {table} WHERE {where} LIMIT 1"  # noqa: S608 - names from the model


@task
def sweep_alerts() -> int:
    """Open what is waiting, escalate what is overdue, send what is unsent;
    then look again in a while."""
    done = process_outbox() + escalate_overdue()
    send_pending()
    sweep_alerts.using(run_after=timezone.now() + SWEEP_EVERY).enqueue()
    return done
