"""The audit log: written for every staff read and write, and never changed."""

from __future__ import annotations

import logging

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from oncopro.accounts.audit import Actor, record
from oncopro.accounts.models import AuditEvent
from oncopro.care import actions
from tests.helpers import sign_in
from tests.personas import World, email_of

REFUSED = IntegrityError  # both databases, same error


def test_the_database_refuses_to_change_an_audit_event(world: World) -> None:
    event = record(Actor.system("test"), "test.event")
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    event.action = "tampered"
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        event.save()
    event.refresh_from_db()
    assert event.action == "test.event"


def test_the_database_refuses_to_delete_an_audit_event(world: World) -> None:
    event = record(Actor.system("test"), "test.event")
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with (
        pytest.raises(REFUSED, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM accounts_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_emptying_the_committed_table_is_refused() -> None:
    event = record(Actor.system("test"), "test.event")  # committed
    wipe = (
        "TRUNCATE accounts_auditevent"
        if connection.vendor == "postgresql"
        else ("DELETE FROM accounts_auditevent")
    )
    with pytest.raises(REFUSED, match="append-only"), connection.cursor() as cursor:
        cursor.execute(wipe)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_every_write_is_audited_with_its_actor(world: World) -> None:
    before = AuditEvent.objects.count()
    actor = Actor(user=world.nadia, ip="10.1.2.3")
    actions.set_clinical_context(
        world.alice, known_metastatic_sites=["bone", "liver"], therapies=["eribulin"], by=actor
    )
    event = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "patient.clinical_context"
    assert event.actor == world.nadia
    assert event.ip == "10.1.2.3"
    assert event.patient_ref == world.alice.public_id
    assert event.detail["after"] == {"sites": ["bone", "liver"], "therapies": ["eribulin"]}


def test_a_failed_write_leaves_no_audit_line(world: World) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(actions.CareError):
        actions.set_clinical_context(
            world.alice, known_metastatic_sites=["spleen"], therapies=[], by=Actor.system("t")
        )
    assert AuditEvent.objects.count() == before


def test_no_patient_data_in_application_logs(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alice_url = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    nadia = sign_in(Client(), world.nadia)
    nadia.get(alice_url)
    nadia.get(reverse("care:team_patients"))
    sign_in(Client(), world.oscar).get(alice_url)  # a refused read logs a 404
    Client().post(
        reverse("accounts:login"), {"username": world.alice.user.email, "password": "wrong"}
    )
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("Alice", "Example", email_of(world.alice.user), "1966-03-14", "capecitabine"):
        assert secret not in text
