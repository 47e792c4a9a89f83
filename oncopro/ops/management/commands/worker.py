"""`oncopro worker`: run background tasks (reminders, notifications, escalation)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run OncoPRO's background tasks until stopped (Django Tasks, database backend)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks for new tasks."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run the tasks waiting now, then stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from oncopro.ops.periodic import ensure_periodic_tasks

        ensure_periodic_tasks()
        extra = ["--batch"] if options["batch"] else []
        call_command(
            "db_worker",
            "--interval",
            str(options["interval"]),
            "--no-startup-delay",
            *extra,
        )
