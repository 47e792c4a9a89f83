"""`oncopro export-fhir --patient ID [--output FILE]`: everything about one
patient as a FHIR R4 Bundle, for an admin answering a request for her data."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oncopro.accounts.audit import Actor, record
from oncopro.care.access import Relation
from oncopro.care.models import Patient
from oncopro.fhir import server


class Command(BaseCommand):
    help = "Export one patient's data as a FHIR R4 Bundle (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patient", required=True, help="The patient's id (a UUID).")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            public_id = uuid.UUID(options["patient"])
        except ValueError:
            raise CommandError(f"{options['patient']!r} is not a patient id (a UUID).") from None
        patient = Patient.objects.select_related("user").filter(public_id=public_id).first()
        if patient is None:
            raise CommandError("There is no patient with that id.")
        record(Actor.system("export-fhir"), "patient.export", patient_ref=patient.public_id)
        text = json.dumps(
            server.bundle(server.everything(patient, Relation.CARE_TEAM), kind="collection"),
            indent=1,
        )
        if options["output"]:
            Path(options["output"]).write_text(text + "\n")
            self.stderr.write(f"Wrote {options['output']}.")
        else:
            sys.stdout.write(text + "\n")
