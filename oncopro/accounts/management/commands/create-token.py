"""`oncopro create-token EMAIL NAME`: a personal API token, printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oncopro.accounts.actions import create_api_token
from oncopro.accounts.audit import Actor
from oncopro.accounts.models import User


class Command(BaseCommand):
    help = "Make a personal API token for a patient or caregiver (shown once; only a hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("name", help='what it is for, e.g. "Alice\'s phone app"')

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"], is_active=True).first()
        if user is None:
            raise CommandError("No active account has that email.")
        if user.needs_two_factor:
            raise CommandError("Staff accounts do not use personal tokens for this API.")
        token, _ = create_api_token(user, options["name"], by=Actor.system("cli"))
        self.stdout.write(token)
        self.stderr.write("Keep it safe: it is shown only now. It can be revoked at any time.")
