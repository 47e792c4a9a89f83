"""The API's hand-written reads (oncopro/db/rows.py, HAND_WRITTEN_READS) give
exactly what the ORM gives, field by field, on both databases; with the
switch off the ORM is used. They lean on Django's inner API, so a Django
version they were not checked with fails here first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from oncopro.accounts.actions import create_api_token
from oncopro.accounts.audit import Actor
from oncopro.accounts.models import ApiToken
from oncopro.accounts.tokens import token_owner
from oncopro.care.access import read_patient
from oncopro.care.models import Patient
from tests.personas import World

BY = Actor.system("test")


def fields(row: Model | None) -> dict[str, Any]:
    assert row is not None
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


def both_ways(settings, read) -> tuple[Any, Any]:
    settings.HAND_WRITTEN_READS = True
    by_hand = read()
    settings.HAND_WRITTEN_READS = False
    by_orm = read()
    return by_hand, by_orm


def test_her_row_by_hand_is_the_orms(world: World, settings) -> None:
    alice = world.alice
    alice.phone = "+44 20 7946 0000"
    alice.therapies = ["capecitabine", "denosumab"]  # JSON, and a date, converted alike
    alice.save()
    by_hand, by_orm = both_ways(settings, lambda: read_patient(alice.public_id, row_only=True))
    assert fields(by_hand) == fields(by_orm) == fields(Patient.objects.get(pk=alice.pk))
    assert isinstance(by_hand.enrolled_on, dt.date)
    assert both_ways(settings, lambda: read_patient(Patient().public_id, row_only=True)) == (
        None,
        None,
    )


def test_the_token_owner_by_hand_is_the_orms(world: World, settings) -> None:
    token, record = create_api_token(world.carol, "phone", by=BY)
    by_hand, by_orm = both_ways(settings, lambda: token_owner(token))
    assert fields(by_hand) == fields(by_orm)
    assert by_hand.pk == world.carol.pk
    assert ApiToken.objects.get(pk=record.pk).last_used_at is not None
    # A revoked token, an unknown one, a deactivated user: nobody, both ways.
    assert both_ways(settings, lambda: token_owner("opro_guessed")) == (None, None)
    world.carol.is_active = False
    world.carol.save()
    assert both_ways(settings, lambda: token_owner(token)) == (None, None)


def test_with_the_switch_off_the_reads_are_the_orms(world: World, settings) -> None:
    token, _ = create_api_token(world.alice.user, "phone", by=BY)
    settings.HAND_WRITTEN_READS = False
    with CaptureQueriesContext(connection) as queries:
        token_owner(token)
        read_patient(world.alice.public_id, row_only=True)
    # The ORM names every column by its table; the hand-written SQL does not.
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 2
    assert all("LIMIT 1" in sql for sql in selects)


def test_the_hand_written_reads_were_checked_with_this_django() -> None:
    """rows.py builds model instances with Model.from_db and the backend's
    and fields' converters. On another Django, check the tests above still
    pass and the converters are still applied so; then add the version."""
    assert django.VERSION[:2] in {(6, 1)}, f"db/rows.py is unchecked on Django {django.VERSION}"
