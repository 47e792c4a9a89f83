"""Tasks that run again and again: each run enqueues the next. The worker
starts any chain that is not waiting (the first start, or after a worker
died in the middle of a run)."""

from __future__ import annotations

from django.tasks import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult


def periodic_tasks() -> list[Task]:
    from oncopro.alerts.tasks import sweep_alerts
    from oncopro.checkins.tasks import send_weekly_reminders

    return [sweep_alerts, send_weekly_reminders]


def task_path(task: Task) -> str:
    return f"{task.func.__module__}.{task.func.__qualname__}"


def ensure_periodic_tasks() -> None:
    for task in periodic_tasks():
        waiting = DBTaskResult.objects.filter(
            task_path=task_path(task), status=TaskResultStatus.READY
        )
        if not waiting.exists():
            task.enqueue()
