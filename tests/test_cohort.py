"""The synthetic cohort for benchmarks, and pages whose query count does not
grow with the rows they show."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from oncopro.accounts.models import AuditEvent, User
from oncopro.alerts.actions import process_outbox
from oncopro.alerts.models import Alert, AlertOutbox, Notification
from oncopro.care.models import CareTeam, Patient
from oncopro.checkins.actions import content_hash, submit_checkin
from oncopro.checkins.models import CheckIn
from oncopro.seeding.cohort import seed_cohort
from tests.helpers import sign_in
from tests.personas import BY, World, make_patient


def test_the_cohort_is_written_through_the_real_code_path(db: None) -> None:
    stats = seed_cohort(8, 12, seed=3)
    assert stats.patients == 8
    assert sum(stats.courses.values()) == 8
    assert CheckIn.objects.count() == stats.checkins
    assert 8 * 12 * 0.6 < stats.checkins <= 8 * 12  # some weeks are missed
    # Every check-in was submitted (audited) and triaged by the real engine.
    assert AuditEvent.objects.filter(action="checkin.submit").count() == stats.checkins
    assert set(CheckIn.objects.values_list("pack", flat=True)) == {"mbc@1.0.0"}
    assert Alert.objects.count() == stats.alerts > 0
    assert not Notification.objects.filter(sent_at=None).exists()
    assert not CheckIn.objects.exclude(received_at=F("at")).exists()
    again = seed_cohort(3, 4, seed=4)  # adds to the same clinic
    assert again.patients == 3
    assert Patient.objects.count() == 11


def snapshot() -> dict[str, list[str]]:
    """Every row the cohort wrote, keyed by what does not depend on the
    order of inserts (no primary keys; people by email, check-ins by id).
    Patients get new random public ids each run, so the content hash (which
    includes it) is checked by recomputing it instead."""
    for checkin in CheckIn.objects.select_related("patient"):
        assert checkin.content_hash == content_hash(
            checkin.patient, checkin.kind, checkin.answers, checkin.notes
        )
    email = dict(Patient.objects.values_list("public_id", "user__email"))
    # Audit details name teams and people by primary key, and PostgreSQL does
    # not reuse keys after a rollback: compare them by name.
    teams = dict(CareTeam.objects.values_list("pk", "name"))
    users = dict(User.objects.values_list("pk", "email"))
    checkin_fields = (
        "client_id", "patient__user__email", "author__email", "reporter", "kind", "at",
        "received_at", "answers", "notes", "urgency", "contact", "pack", "result",
    )  # fmt: skip
    alert_fields = (
        "patient__user__email", "level", "opened_at", "raised_at", "deadline",
        "acknowledged_at", "acknowledged_by__email", "resolved_at", "resolved_by__email",
        "outcome", "note", "share_outcome", "message_to_patient", "escalation_step",
        "first_missed_at",
    )  # fmt: skip
    return {
        "checkins": sorted(map(repr, CheckIn.objects.values_list(*checkin_fields))),
        "outbox": sorted(
            map(
                repr,
                AlertOutbox.objects.values_list(
                    "checkin__client_id",
                    "processed_at",
                    "alert__patient__user__email",
                    "alert__opened_at",
                ),
            )
        ),
        "alerts": sorted(map(repr, Alert.objects.values_list(*alert_fields))),
        "notifications": sorted(
            map(
                repr,
                Notification.objects.values_list(
                    "alert__patient__user__email",
                    "alert__opened_at",
                    "sequence",
                    "channel",
                    "reason",
                    "recipient__email",
                    "sent_at",
                    "attempts",
                ),
            )
        ),
        "audit": sorted(
            repr(
                (
                    e.actor.email if e.actor else None,
                    e.actor_label,
                    e.action,
                    email.get(e.patient_ref) if e.patient_ref else None,
                    e.object_type,
                    _named(e.detail, teams, users),
                )
            )
            for e in AuditEvent.objects.select_related("actor")
        ),
    }


def _named(detail: Any, teams: dict[int, str], users: dict[int, str | None]) -> Any:
    if isinstance(detail, dict):
        named: dict[str, Any] = {}
        for key, value in detail.items():
            if key in ("team", "care_team") and isinstance(value, int):
                named[key] = teams.get(value, value)
            elif key == "user" and isinstance(value, int):
                named[key] = users.get(value, value)
            elif key == "order" and isinstance(value, list):
                named[key] = [users.get(v, v) for v in value]
            else:
                named[key] = _named(value, teams, users)
        return named
    return detail


def test_the_bulk_path_writes_the_same_rows_as_one_by_one(db: None) -> None:
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        one_by_one = seed_cohort(10, 30, seed=7, now=now, bulk=False)
        expected = snapshot()
        transaction.set_rollback(True)
    assert not CheckIn.objects.exists()
    bulk = seed_cohort(10, 30, seed=7, now=now, bulk=True)
    assert bulk == one_by_one
    got = snapshot()
    assert set(got) == set(expected)
    for table in expected:
        for mine, theirs in zip(got[table], expected[table], strict=True):
            assert mine == theirs, table
    assert len(expected["checkins"]) == bulk.checkins > 200
    assert len(expected["alerts"]) > 10


def _queries(run: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def _report(patient: Patient, answers: dict) -> None:
    submit_checkin(patient, author=patient.user, client_id=uuid.uuid4(), answers=answers, by=BY)


def test_the_queue_timeline_and_trends_cost_the_same_queries_for_more_rows(
    world: World,
) -> None:
    nadia = sign_in(Client(), world.nadia)
    alice = sign_in(Client(), world.alice.user)
    timeline = reverse("care:timeline", kwargs={"patient_id": world.alice.public_id})
    history = reverse("checkins:history", kwargs={"patient_id": world.alice.public_id})
    queue = reverse("alerts:queue")
    _report(world.alice, {"temperature_c": 38.4})
    process_outbox()
    pages = {
        "timeline": lambda: nadia.get(timeline),
        "queue": lambda: nadia.get(queue),
        "history": lambda: alice.get(history),
    }
    for run in pages.values():
        run()  # warm caches
    few = {name: _queries(run) for name, run in pages.items()}
    for n in range(12):
        _report(world.alice, {"pain": {"severity": n % 4}, "fatigue": {"severity": 1}})
        _report(make_patient(f"Queue Patient{n}", world.team), {"temperature_c": 38.4})
    process_outbox()
    assert Alert.objects.filter(resolved_at=None).count() == 13
    many = {name: _queries(run) for name, run in pages.items()}
    assert many == few
