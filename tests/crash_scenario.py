"""Steps of the alert crash test, each run as its own process against the
database in DATABASE_URL (python -m tests.crash_scenario setup|report|counts)."""

from __future__ import annotations

import json
import os
import sys
import uuid


def main(step: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncopro.settings")
    import django

    django.setup()
    from oncopro.accounts.audit import Actor
    from oncopro.alerts.models import Alert, AlertOutbox, Notification
    from oncopro.care.models import Patient
    from oncopro.checkins.actions import submit_checkin
    from oncopro.checkins.models import CheckIn
    from tests.personas import make_world

    if step == "setup":
        make_world()
    elif step == "report":
        alice = Patient.objects.get(user__email="alice.example@example.org")
        submit_checkin(
            alice,
            author=alice.user,
            client_id=uuid.uuid4(),
            answers={"temperature_c": 38.3},
            by=Actor.system("crash-test"),
        )
    elif step == "counts":
        print(
            json.dumps(
                {
                    "checkins": CheckIn.objects.count(),
                    "outbox_waiting": AlertOutbox.objects.filter(processed_at=None).count(),
                    "alerts": Alert.objects.count(),
                    "messages": Notification.objects.count(),
                    "messages_sent": Notification.objects.exclude(sent_at=None).count(),
                }
            )
        )
    elif step == "alerts":
        from oncopro.alerts.actions import process_outbox

        process_outbox()
    elif step == "phones":  # patients and their tokens, for the many-phones crash test
        from oncopro.accounts.actions import create_api_token
        from tests.personas import BY, make_patient

        world = make_world()
        patients = [world.alice] + [
            make_patient(f"Crash Patient{n}", world.team, therapies=("capecitabine",))
            for n in range(3)
        ]
        tokens = [(str(p.public_id), create_api_token(p.user, "crash", by=BY)[0]) for p in patients]
        print(json.dumps(tokens))
    elif step == "stored":
        print(
            json.dumps(
                {
                    "ids": [str(i) for i in CheckIn.objects.values_list("client_id", flat=True)],
                    "needing": CheckIn.objects.exclude(urgency="routine").count(),
                    "outbox": AlertOutbox.objects.count(),
                    "waiting": AlertOutbox.objects.filter(processed_at=None).count(),
                    "alerts": Alert.objects.count(),
                    "messages": Notification.objects.count(),
                    "sent": Notification.objects.exclude(sent_at=None).count(),
                }
            )
        )
    elif step == "fingerprint":
        print(json.dumps(fingerprint()))
    else:
        raise SystemExit(f"unknown step {step!r}")


def fingerprint() -> dict[str, object]:
    """Every table's row count, and a digest of every row of OncoPRO's own
    tables: two databases with the same fingerprint hold the same records."""
    import hashlib

    from django.apps import apps
    from django.core import serializers

    found: dict[str, object] = {}
    for model in apps.get_models():
        rows = model._default_manager.order_by("pk")
        found[model._meta.label] = rows.count()
        if model._meta.label.split(".")[0] in {"accounts", "care", "checkins", "alerts", "reports"}:
            text = serializers.serialize("json", rows)
            found[f"{model._meta.label}#sha256"] = hashlib.sha256(text.encode()).hexdigest()
    return found


if __name__ == "__main__":
    main(sys.argv[1])
