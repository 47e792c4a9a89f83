"""Weekly reminders: on her day, once, only if not done, with no health details."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import AuditEvent
from oncopro.checkins.actions import submit_checkin
from oncopro.checkins.models import ReminderSent
from oncopro.checkins.reminders import send_due_reminders
from oncopro.checkins.tasks import send_weekly_reminders
from tests.personas import World
from tests.smtp import smtp_server


@pytest.fixture
def due_today(world: World, settings) -> World:
    settings.REMINDER_HOUR = 0
    today = timezone.localtime().weekday()
    world.alice.checkin_weekday = today
    world.alice.save()
    world.bob.checkin_weekday = (today + 1) % 7  # not his day
    world.bob.save()
    return world


def test_she_gets_one_reminder_with_no_health_details(due_today: World, settings) -> None:
    with smtp_server(settings) as inbox:
        assert send_due_reminders() == 1
        assert send_due_reminders() == 0  # never twice for one day
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == due_today.alice.user.email
    assert message["Subject"] == "Time for your weekly check-in"
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    assert settings.SITE_ROOT in body
    for private in ("Alice", "capecitabine", "bone", "Example"):
        assert private not in body
    assert ReminderSent.objects.get().patient == due_today.alice
    assert AuditEvent.objects.filter(action="reminder.sent").count() == 1


def test_no_reminder_once_she_has_checked_in(due_today: World, settings) -> None:
    submit_checkin(
        due_today.alice, author=due_today.alice.user, client_id=uuid.uuid4(),
        answers={"fatigue": {"severity": 1}}, at=timezone.now() - dt.timedelta(days=2),
        by=Actor.system("test"),
    )  # fmt: skip
    with smtp_server(settings) as inbox:
        assert send_due_reminders() == 0
    assert inbox.messages == []


def test_not_before_the_reminder_hour(due_today: World, settings) -> None:
    settings.REMINDER_HOUR = 24  # never reached
    with smtp_server(settings) as inbox:
        assert send_due_reminders() == 0
    assert inbox.messages == []


def test_no_reminder_for_a_closed_account(due_today: World, settings) -> None:
    due_today.alice.user.is_active = False
    due_today.alice.user.save()
    with smtp_server(settings) as inbox:
        assert send_due_reminders() == 0
    assert inbox.messages == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_it_and_schedules_the_next_look(settings) -> None:
    from django_tasks_db.models import DBTaskResult

    from tests.personas import make_world

    world = make_world()
    settings.REMINDER_HOUR = 0
    world.alice.checkin_weekday = timezone.localtime().weekday()
    world.alice.save()
    with smtp_server(settings) as inbox:
        send_weekly_reminders.enqueue()
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert [m["To"] for m in inbox.messages] == [world.alice.user.email]
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.count() == 1  # the next look, in 15 minutes
    assert waiting.get().run_after > timezone.now() + dt.timedelta(minutes=14)
