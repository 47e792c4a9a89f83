"""A check-in, its audit line and its outbox row: stored together or not at
all, as the rows `save()` writes, in one statement on PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import django
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import AuditEvent
from oncopro.alerts.actions import outbox_row
from oncopro.alerts.models import AlertOutbox
from oncopro.checkins.actions import build_checkin, submission, submit_checkin, submitted_event
from oncopro.checkins.models import CheckIn
from oncopro.db import together
from oncopro.db.together import Dependent, insert_together
from tests.personas import World

FEVER = {"temperature_c": 38.2, "fatigue": {"severity": 2}}
CALM = {"fatigue": {"severity": 1}}


def unsaved_checkin(world: World, answers: dict[str, Any], client_id: uuid.UUID) -> CheckIn:
    patient = world.alice
    made = submission(
        patient, author=patient.user, client_id=client_id, answers=answers,
        by=Actor(user=patient.user, ip="127.0.0.1"),
    )  # fmt: skip
    return build_checkin(made)


def with_dependents(checkin: CheckIn) -> list[Dependent]:
    by = Actor(user=checkin.author, ip="127.0.0.1")
    rows = [Dependent(submitted_event(checkin, by), text_fields=("object_ref",))]
    outbox = outbox_row(checkin)
    assert outbox is not None
    rows.append(Dependent(outbox, key_fields=("checkin",)))
    return rows


def stored(model: type[Model], pk: int, leave_out: set[str]) -> dict[str, Any]:
    row = model._default_manager.filter(pk=pk).values().get()
    return {key: value for key, value in row.items() if key not in leave_out}


@pytest.mark.parametrize("keep_text", [True, False], ids=["kept-text", "compiled-each-time"])
def test_the_rows_are_the_ones_save_writes(world: World, settings, keep_text: bool) -> None:
    settings.KEEP_INSERT_TEXT = keep_text
    by_save = unsaved_checkin(world, FEVER, uuid.uuid4())
    by_save.save(force_insert=True)
    saved_rows = with_dependents(by_save)
    for dependent in saved_rows:
        dependent.row.save(force_insert=True)

    joint = unsaved_checkin(world, FEVER, uuid.uuid4())
    joint_rows = with_dependents(joint)
    insert_together(joint, joint_rows)

    # Ids and moments differ; the moments are checked to be the check-in's own.
    differ = {"id", "client_id", "received_at", "result", "checkin_id", "object_ref", "at"}
    differ.add("created_at")
    assert stored(CheckIn, joint.pk, differ) == stored(CheckIn, by_save.pk, differ)
    for ours, theirs in zip(joint_rows, saved_rows, strict=True):
        model = type(ours.row)
        assert stored(model, ours.row.pk, differ) == stored(model, theirs.row.pk, differ)
    outbox = AlertOutbox.objects.get(checkin=joint)
    assert outbox.created_at == CheckIn.objects.get(pk=joint.pk).received_at
    result = CheckIn.objects.get(pk=joint.pk).result
    assert result["checkin_id"] == str(joint.client_id)
    assert {**result, "checkin_id": ""} == {**by_save.result, "checkin_id": ""}


def plain(params: list[Any]) -> list[Any]:
    """Parameters compared by what they carry (a JSON adapter by its object)."""
    return [(type(value), getattr(value, "obj", value)) for value in params]


def test_the_kept_insert_is_the_compilers_own(world: World, settings) -> None:
    """The INSERT text kept per model, with values converted row by row, is
    exactly what Django's insert compiler writes for each row (the text with
    KEEP_INSERT_TEXT off), first time (when it is kept) and after (when it
    is used)."""
    for answers in (FEVER, CALM, FEVER):
        checkin = unsaved_checkin(world, answers, uuid.uuid4())
        rows = [
            Dependent(submitted_event(checkin, Actor.system("test")), text_fields=("object_ref",))
        ]
        if (outbox := outbox_row(checkin)) is not None:
            rows.append(Dependent(outbox, key_fields=("checkin",)))
        settings.KEEP_INSERT_TEXT = True
        kept_sql, kept_params = together._together_sql(checkin, rows, "default")
        settings.KEEP_INSERT_TEXT = False
        sql, params = together._together_sql(checkin, rows, "default")
        assert kept_sql == sql
        assert plain(kept_params) == plain(params)
    kept = {model for model, _, _ in together._KEPT}
    assert {CheckIn, AuditEvent, AlertOutbox} <= kept


def test_the_other_rows_point_at_the_new_one_and_all_count_as_saved(world: World) -> None:
    checkin = unsaved_checkin(world, FEVER, uuid.uuid4())
    event = submitted_event(checkin, Actor(user=checkin.author, ip="127.0.0.1"))
    outbox = outbox_row(checkin)
    assert outbox is not None
    insert_together(checkin, [Dependent(event, text_fields=("object_ref",)),
                              Dependent(outbox, key_fields=("checkin",))])  # fmt: skip
    assert AuditEvent.objects.get(pk=event.pk).object_ref == str(checkin.pk)
    assert AlertOutbox.objects.get(pk=outbox.pk).checkin_id == checkin.pk
    for row in (checkin, event, outbox):
        assert row.pk is not None
        assert not row._state.adding
    assert outbox.checkin == checkin
    assert event.object_ref == str(checkin.pk)


def _refused_twice(world: World) -> None:
    client_id = uuid.uuid4()
    first = unsaved_checkin(world, FEVER, client_id)
    insert_together(first, with_dependents(first))
    counts = (AuditEvent.objects.count(), AlertOutbox.objects.count())
    again = unsaved_checkin(world, CALM, client_id)
    again.urgency = first.urgency  # so that it has an outbox row too
    with pytest.raises(IntegrityError):
        insert_together(again, with_dependents(again))
    assert (AuditEvent.objects.count(), AlertOutbox.objects.count()) == counts
    assert CheckIn.objects.get(client_id=client_id).answers == FEVER


@pytest.mark.django_db(transaction=True)
def test_a_refused_check_in_stores_none_of_its_rows() -> None:
    from tests.personas import make_world

    _refused_twice(make_world())  # each insert its own transaction


def test_a_refused_check_in_leaves_the_callers_transaction_usable(world: World) -> None:
    with transaction.atomic():
        _refused_twice(world)
        assert CheckIn.objects.filter(patient=world.alice).exists()  # still usable


@pytest.mark.django_db(transaction=True)
def test_a_submission_writes_in_one_statement_on_postgresql() -> None:
    """On PostgreSQL: no BEGIN and COMMIT around the inserts, one statement.
    On SQLite: the inserts one by one, in one transaction."""
    from tests.personas import make_world

    world = make_world()
    author = world.alice.user
    with CaptureQueriesContext(connection) as queries:
        submit_checkin(
            world.alice, author=author, client_id=uuid.uuid4(), answers=CALM,
            by=Actor(user=author, ip="127.0.0.1"),
        )  # fmt: skip
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert statements == ["SELECT", "WITH"]  # her history, then the write
    else:
        assert statements.count("INSERT") == 2  # the check-in and its audit line
        assert "COMMIT" in statements


@pytest.mark.django_db(transaction=True)
def test_with_the_switch_off_postgresql_inserts_one_by_one_too(settings) -> None:
    """INSERT_TOGETHER_ONE_STATEMENT off: the same rows by one INSERT each."""
    from tests.personas import make_world

    settings.INSERT_TOGETHER_ONE_STATEMENT = False
    world = make_world()
    author = world.alice.user
    with CaptureQueriesContext(connection) as queries:
        done = submit_checkin(
            world.alice, author=author, client_id=uuid.uuid4(), answers=FEVER,
            by=Actor(user=author, ip="127.0.0.1"),
        )  # fmt: skip
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert "WITH" not in statements
    in_transaction = statements[statements.index("BEGIN") : statements.index("COMMIT")]
    assert in_transaction.count("INSERT") == 3  # the check-in, its audit line, its outbox row
    assert AlertOutbox.objects.get().checkin == done.checkin


def test_insert_together_was_checked_with_this_django() -> None:
    """insert_together builds its SQL with Django's insert compiler
    (InsertQuery, returning_fields), which is not a public API. On another
    Django, check the rows are still the ones save() writes (the tests above)
    and that the compiler still works so; then add the version here."""
    assert django.VERSION[:2] in {(6, 1)}, (
        f"insert_together is unchecked on Django {django.VERSION}"
    )
