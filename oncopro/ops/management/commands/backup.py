"""`oncopro backup [--output FILE]`: a consistent copy of the whole database, while it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from oncopro.ops.backup import BackupError, backup, is_sqlite


class Command(BaseCommand):
    help = "Back up the whole database (SQLite online backup, or pg_dump for PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, help="The file to write (default: a dated file in backups/)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        if output is None:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            suffix = "sqlite3" if is_sqlite() else "pgdump"
            output = settings.DATA_DIR / "backups" / f"oncopro-{stamp}.{suffix}"
        try:
            written = backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up to {written} ({written.stat().st_size // 1024} KB).")
