"""`oncopro seed-cohort --patients N --weeks W`: a synthetic cohort for benchmarks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oncopro.seeding.cohort import seed_cohort


class Command(BaseCommand):
    help = "Add N made-up patients with W weeks of check-ins each (for benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, required=True)
        parser.add_argument("--weeks", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--one-by-one",
            action="store_true",
            help="Submit every check-in through submit_checkin (slow) instead of in batches "
            "with the same row builders (the default; a test proves both write the same rows).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        patients, weeks = options["patients"], options["weeks"]
        if not 1 <= patients <= 200_000:
            raise CommandError("--patients must be between 1 and 200000.")
        if not 2 <= weeks <= 520:
            raise CommandError("--weeks must be between 2 and 520.")
        started = time.monotonic()

        def progress(done: int) -> None:
            rate = done / (time.monotonic() - started)
            self.stderr.write(f"  {done} patients ({rate:.1f}/s)")

        stats = seed_cohort(
            patients,
            weeks,
            seed=options["seed"],
            progress=progress,
            bulk=not options["one_by_one"],
        )
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Seeded {stats.patients} patients, {stats.caregivers} caregivers, "
            f"{stats.checkins} check-ins, {stats.alerts} alerts ({stats.open_alerts} open) "
            f"in {seconds:.0f} s. Courses: "
            + ", ".join(f"{name} {count}" for name, count in sorted(stats.courses.items()))
        )
