"""`oncopro serve`: the production web server (gunicorn, several processes)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve OncoPRO over HTTP with gunicorn. Put a TLS proxy in front of it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.getenv("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.getenv("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.getenv("WEB_CONCURRENCY", "2")))

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "oncopro.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            # Load the app (and the clinical pack) once, before forking: the
            # first request of each worker is as fast as the rest, and the
            # workers share that memory.
            "--preload",
            "--access-logfile",
            "-",
            # Only the method, path (opaque ids, never names) and status.
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process by design
