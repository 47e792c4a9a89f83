"""`oncopro demo`: a demo clinic on SQLite, the web server and a task worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from oncopro.ops.demo_data import (
    DEMO_PASSWORD,
    build_demo_clinic,
    demo_clinic_exists,
    demo_logins,
)


class Command(BaseCommand):
    help = "Create the demo clinic (made-up people), then serve it with a task worker beside."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.getenv("PORT", "8000")))
        parser.add_argument(
            "--no-serve", action="store_true", help="Only set up the database and demo data."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if demo_clinic_exists():
            self.stdout.write("The demo clinic is already set up.")
        else:
            self.stdout.write("Setting up the demo clinic (made-up people only)...")
            build_demo_clinic()

        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"OncoPRO demo: {url}"))
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}")
        for login in demo_logins():
            self.stdout.write(f"  {login.email:<34} {login.role:<13} {login.note}")
        self.stdout.write(
            "Staff set up two-step sign-in on first login: scan the code with an "
            "authenticator app (or type the key shown)."
        )
        if options["no_serve"]:
            return
        self.stdout.write("Press Ctrl-C to stop.\n")
        self.stdout.flush()
        self._serve_with_worker(options["host"], options["port"])

    def _serve_with_worker(self, host: str, port: int) -> None:
        python = [sys.executable, "-m", "oncopro"]
        env = {**os.environ, "SITE_ROOT": os.getenv("SITE_ROOT", f"http://{host}:{port}")}
        worker = subprocess.Popen([*python, "worker"], env=env)  # noqa: S603
        web = subprocess.Popen(  # noqa: S603
            [*python, "serve", "--host", host, "--port", str(port)], env=env
        )
        try:
            while web.poll() is None and worker.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in (web, worker):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in (web, worker):
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if web.returncode not in (0, None, -signal.SIGTERM):
            sys.exit(web.returncode)
