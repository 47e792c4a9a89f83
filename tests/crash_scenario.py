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
    else:
        raise SystemExit(f"unknown step {step!r}")


if __name__ == "__main__":
    main(sys.argv[1])
