"""The `oncopro` command: OncoPRO's own commands first, every Django
management command after (so `manage.py` and `oncopro` are one thing)."""

from __future__ import annotations

import os
import sys

# Pure clinical commands: no Django, no database.
CLINICAL_COMMANDS = {"triage", "check-pack"}

OWN_COMMANDS = {
    "triage": "triage check-ins given as JSON (one, or --jsonl for many)",
    "check-pack": "validate a content pack (symptoms, rules, advice, strings)",
    "demo": "set up the demo clinic on SQLite and serve it with a task worker",
    "serve": "serve OncoPRO with gunicorn (production)",
    "worker": "run background tasks: reminders, notifications, escalation",
    "create-token": "make a personal API token for a patient or caregiver",
    "export-fhir": "export one patient's data as a FHIR R4 Bundle",
    "seed-cohort": "add a synthetic cohort of patients and check-ins (benchmarks)",
    "backup": "back up the whole database while it runs",
    "restore": "restore a backup into a new, empty database",
    "migrate": "create or update the database tables",
    "check": "check the set-up (add --deploy for production settings)",
}


def _help() -> str:
    lines = [
        "usage: oncopro COMMAND [options]",
        "",
        "OncoPRO: symptom reports, triage and alerts for metastatic breast cancer care.",
        "",
        "commands:",
        *(f"  {name:<10} {text}" for name, text in OWN_COMMANDS.items()),
        "",
        "`oncopro COMMAND --help` tells more about each. Every Django management",
        "command works too (`oncopro help` lists them all).",
        "Settings come from environment variables: see docs/configuration.md.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        print(_help())
        return
    if argv[1] in CLINICAL_COMMANDS:
        from oncopro.clinical.cli import check_pack_main, triage_main

        run = triage_main if argv[1] == "triage" else check_pack_main
        sys.exit(run(argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncopro.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reads the environment now
    except ImproperlyConfigured as error:
        # A setting an admin got wrong: say which, in one line, not a traceback.
        sys.exit(f"oncopro: {error}")

    execute_from_command_line(["oncopro", *argv[1:]])


if __name__ == "__main__":
    main()
