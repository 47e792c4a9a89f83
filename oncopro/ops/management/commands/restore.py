"""`oncopro restore FILE`: put a backup back into a new, empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oncopro.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `oncopro backup` into the (empty) database in DATABASE_URL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {options['file']}. Run `oncopro migrate` if this version is newer."
        )
