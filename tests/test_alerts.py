"""Alerts: one per patient, from committed check-ins only, with deadlines,
escalation through the on-call list, and a loop the patient sees closed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import AuditEvent, Role
from oncopro.alerts import actions
from oncopro.alerts.actions import escalate_overdue, process_outbox
from oncopro.alerts.models import Alert, AlertOutbox, Notification
from oncopro.alerts.notify import send_pending
from oncopro.alerts.tasks import process_alerts
from oncopro.care import actions as care_actions
from oncopro.checkins.actions import submit_checkin
from oncopro.checkins.models import CheckIn
from tests.helpers import sign_in
from tests.personas import BY, World, make_clinician
from tests.pg_server import free_port
from tests.smtp import smtp_server

URGENT = {"temperature_c": 38.2}  # fever on capecitabine (U1)
SOON = {"pain": {"severity": 3}}  # severe pain (S5)
EMERGENCY = {"seizure": {"present": True}}  # (E1)
ROUTINE = {"fatigue": {"severity": 1}}


def report(world: World, answers: dict[str, Any], *, author=None) -> CheckIn:
    author = author or world.alice.user
    return submit_checkin(
        world.alice,
        author=author,
        client_id=uuid.uuid4(),
        answers=answers,
        by=Actor(user=author, ip="127.0.0.1"),
    ).checkin


@pytest.fixture
def on_call(world: World) -> World:
    """Nadia is first on call, Nina second."""
    world.nina = make_clinician("Nina Second", world.team)  # type: ignore[attr-defined]
    care_actions.set_on_call_list(world.team, [world.nadia, world.nina], by=BY)  # type: ignore[attr-defined]
    return world


def recipients(alert: Alert) -> list[str]:
    return [n.recipient.full_name for n in alert.notifications.all() if n.recipient]


def test_an_urgent_check_in_opens_one_alert_for_the_first_on_call(on_call: World) -> None:
    checkin = report(on_call, URGENT)
    assert AlertOutbox.objects.get().checkin == checkin  # written with the check-in
    assert not Alert.objects.exists()  # the worker has not run yet
    assert process_outbox() == 1
    assert process_outbox() == 0  # each outbox row becomes an alert once
    alert = Alert.objects.get()
    assert alert.patient == on_call.alice
    assert alert.level == "urgent"
    assert alert.deadline - alert.opened_at == dt.timedelta(minutes=15)
    assert recipients(alert) == ["Nadia Nurse"]
    assert AuditEvent.objects.filter(action="alert.open", patient_ref=on_call.alice.public_id)


def test_a_routine_check_in_raises_no_alert(world: World) -> None:
    report(world, ROUTINE)
    assert not AlertOutbox.objects.exists()
    assert process_outbox() == 0
    assert not Alert.objects.exists()


def test_a_soon_alert_gets_a_day_and_the_clinic_can_change_it(world: World) -> None:
    world.clinic.ack_minutes_soon = 8 * 60
    world.clinic.save()
    report(world, SOON)
    process_outbox()
    alert = Alert.objects.get()
    assert alert.level == "soon"
    assert alert.deadline - alert.opened_at == dt.timedelta(hours=8)


def test_no_on_call_list_tells_the_whole_team(world: World) -> None:
    report(world, URGENT)
    process_outbox()
    assert recipients(Alert.objects.get()) == ["Nadia Nurse"]  # the only member


def test_a_rolled_back_check_in_leaves_no_alert(world: World) -> None:
    def store_then_fail() -> None:
        with transaction.atomic():
            report(world, URGENT)
            raise RuntimeError("the request failed after storing")

    with pytest.raises(RuntimeError):
        store_then_fail()
    assert not CheckIn.objects.exists()
    assert process_outbox() == 0
    assert not Alert.objects.exists()


def test_one_open_alert_gathers_check_ins_and_only_rises(on_call: World) -> None:
    report(on_call, SOON)
    process_outbox()
    alert = Alert.objects.get()
    actions.acknowledge(alert, by=Actor(user=on_call.nadia))
    soon_deadline = Alert.objects.get().deadline

    report(on_call, URGENT)  # worse: the level rises and needs a fresh look
    process_outbox()
    alert = Alert.objects.get()
    assert alert.level == "urgent"
    assert alert.raised_at is not None
    assert alert.acknowledged_at is None
    assert alert.deadline < soon_deadline
    assert alert.notifications.filter(reason="raised").count() == 1

    report(on_call, {"nausea": {"severity": 3}})  # milder (soon): gathered, the level stays
    process_outbox()
    alert = Alert.objects.get()
    assert alert.level == "urgent"
    assert alert.outbox.count() == 3
    assert alert.notifications.count() == 2  # opened, raised; nothing for the milder one


def test_resolving_closes_it_and_the_next_report_opens_a_new_one(on_call: World) -> None:
    report(on_call, URGENT)
    process_outbox()
    alert = Alert.objects.get()
    actions.resolve(
        alert,
        outcome="called_patient",
        note="Checked her temperature by phone.",
        share_outcome=True,
        message_to_patient="Go to the day unit at 2pm.",
        by=Actor(user=on_call.nadia),
    )
    alert.refresh_from_db()
    assert alert.resolved_by == alert.acknowledged_by == on_call.nadia
    with pytest.raises(actions.AlertError):
        actions.resolve(alert, outcome="no_action", by=Actor(user=on_call.nadia))
    with pytest.raises(actions.AlertError):
        actions.resolve(Alert(pk=alert.pk), outcome="shrugged", by=Actor(user=on_call.nadia))
    report(on_call, SOON)
    process_outbox()
    assert Alert.objects.filter(resolved_at=None).count() == 1
    assert Alert.objects.count() == 2


def test_notifications_reach_a_real_smtp_server_with_a_link_only(on_call: World, settings) -> None:
    settings.SITE_ROOT = "https://oncopro.example.org"
    with smtp_server(settings) as inbox:
        report(on_call, URGENT)
        process_outbox()
        assert send_pending() == 1
        assert send_pending() == 0  # sent once
    [message] = inbox.messages
    assert message["To"] == on_call.nadia.email
    assert message["Message-ID"].startswith("<alert-")
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "https://oncopro.example.org/team/alerts/" in body
    for private in ("Alice", "Example", "fever", "38", "temperature", "urgent", "capecitabine"):
        assert private not in body
        assert private not in message["Subject"]


def test_unacknowledged_alerts_escalate_down_the_on_call_list(on_call: World, settings) -> None:
    """A frozen clock: every step is given its 'now'."""
    t0 = timezone.now().replace(microsecond=0)
    with smtp_server(settings) as inbox:
        report(on_call, URGENT)
        process_outbox(now=t0)
        send_pending(now=t0)
        assert escalate_overdue(now=t0 + dt.timedelta(minutes=14)) == 0  # not yet
        assert escalate_overdue(now=t0 + dt.timedelta(minutes=16)) == 1
        send_pending(now=t0 + dt.timedelta(minutes=16))
        alert = Alert.objects.get()
        assert alert.escalation_step == 2
        assert alert.deadline == t0 + dt.timedelta(minutes=31)
        # Nobody is left after Nina: it stays overdue in the queue, no more mail.
        assert escalate_overdue(now=t0 + dt.timedelta(minutes=40)) == 0
        assert alert.is_overdue(now=t0 + dt.timedelta(minutes=40))
    assert [m["To"] for m in inbox.messages] == [on_call.nadia.email, on_call.nina.email]  # type: ignore[attr-defined]
    assert "waiting for you" in inbox.messages[1]["Subject"]
    assert AuditEvent.objects.filter(action="alert.escalate").count() == 1


def test_no_message_goes_out_about_an_alert_already_seen(on_call: World, settings) -> None:
    report(on_call, URGENT)
    process_outbox()
    actions.acknowledge(Alert.objects.get(), by=Actor(user=on_call.nadia))
    with smtp_server(settings) as inbox:
        assert send_pending() == 0
    assert inbox.messages == []


def test_an_acknowledged_alert_does_not_escalate(on_call: World) -> None:
    t0 = timezone.now()
    report(on_call, URGENT)
    process_outbox(now=t0)
    actions.acknowledge(Alert.objects.get(), by=Actor(user=on_call.nadia))
    assert escalate_overdue(now=t0 + dt.timedelta(hours=2)) == 0


def test_a_failed_send_is_kept_and_retried(on_call: World, settings) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    report(on_call, URGENT)
    process_outbox()
    assert send_pending() == 0  # nobody listening
    message = Notification.objects.get()
    assert message.sent_at is None
    assert message.attempts == 1
    assert "ConnectionRefused" in message.last_error
    with smtp_server(settings) as inbox:
        assert send_pending() == 1
    assert len(inbox.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_opens_and_notifies_after_commit(settings) -> None:
    from tests.personas import make_world

    world = make_world()
    with smtp_server(settings) as inbox:
        report(world, URGENT)  # on_commit enqueues the worker's task
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert Alert.objects.get().level == "urgent"
    assert [m["To"] for m in inbox.messages] == [world.nadia.email]
    assert process_alerts.name  # the task that ran


@pytest.mark.django_db(transaction=True)
def test_one_waiting_wake_up_call_serves_every_check_in_committed_before_it(settings) -> None:
    """Under load the worker gets one task row, not one per check-in: a
    process_alerts that has not started yet reads every outbox row committed
    before it starts. Once it has run, the next check-in calls again."""
    from django_tasks_db.models import DBTaskResult

    from tests.personas import make_world

    world = make_world()

    def waiting() -> int:
        return DBTaskResult.objects.filter(
            status="READY", task_path=process_alerts.module_path
        ).count()

    report(world, URGENT)
    assert waiting() == 1
    submit_checkin(
        world.bob, author=world.bob.user, client_id=uuid.uuid4(), answers=SOON,
        by=Actor(user=world.bob.user, ip="127.0.0.1"),
    )  # fmt: skip
    assert waiting() == 1  # the waiting call will read Bob's row too
    with smtp_server(settings):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert waiting() == 0
    assert sorted(a.patient.full_name for a in Alert.objects.all()) == [
        "Alice Example",
        "Bob Neighbour",
    ]
    report(world, EMERGENCY)
    assert waiting() == 1  # nothing was waiting: a new call


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[Any, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((self.headers, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook(settings) -> Iterator[list[tuple[Any, bytes]]]:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ALERT_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
    settings.ALERT_WEBHOOK_SECRET = "s3cret"
    _Hook.received = []
    yield _Hook.received
    server.shutdown()


def test_the_optional_webhook_gets_a_signed_link(on_call: World, settings, webhook) -> None:
    with smtp_server(settings):
        report(on_call, URGENT)
        process_outbox()
        assert send_pending() == 2  # the email and the webhook
    [(headers, body)] = webhook
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-OncoPRO-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["event"] == "alert.opened"
    assert set(payload) == {"event", "delivery", "link"}
    assert "Alice" not in body.decode()


# The pages.


def queue_html(client: Client) -> str:
    return client.get(reverse("alerts:queue")).content.decode()


def test_the_queue_orders_by_level_then_deadline(world: World) -> None:
    from tests.personas import make_patient

    cleo = make_patient("Cleo Third", world.team)
    for patient, answers in ((world.bob, SOON), (cleo, EMERGENCY), (world.alice, URGENT)):
        submit_checkin(patient, author=patient.user, client_id=uuid.uuid4(), answers=answers, by=BY)
    process_outbox()
    html = queue_html(sign_in(Client(), world.nadia))
    positions = [html.index(name) for name in ("Cleo Third", "Alice Example", "Bob Neighbour")]
    assert positions == sorted(positions)
    assert 'Open alerts <span class="count">(3)</span>' in html


def test_overdue_alerts_stand_out(world: World) -> None:
    report(world, URGENT)
    process_outbox()
    Alert.objects.update(deadline=timezone.now() - dt.timedelta(minutes=7))
    html = queue_html(sign_in(Client(), world.nadia))
    assert "overdue" in html
    assert "Overdue by 7 min" in html or "Overdue by 6 min" in html


def test_the_live_queue_answers_204_until_something_changes(world: World) -> None:
    nadia = sign_in(Client(), world.nadia)
    live = reverse("alerts:queue_live")
    first = nadia.get(live)
    version = first.content.decode().split("version=")[1].split('"')[0]
    assert nadia.get(live, {"version": version}).status_code == 204
    report(world, URGENT)
    process_outbox()
    changed = nadia.get(live, {"version": version}, headers={"X-OncoPRO-Background": "1"})
    assert changed.status_code == 200
    assert "Alice Example" in changed.content.decode()
    reads = AuditEvent.objects.filter(action="patient.list", detail__view="alert_queue")
    assert reads.count() == 1  # the unchanged poll was not a new read


def test_other_teams_never_see_the_alert(world: World) -> None:
    report(world, URGENT)
    process_outbox()
    assert "Alice" not in queue_html(sign_in(Client(), world.oscar))
    assert "Alice" not in queue_html(sign_in(Client(), world.adam))
    for person in (world.alice.user, world.carol):
        assert sign_in(Client(), person).get(reverse("alerts:queue")).status_code == 403


def test_nadia_acknowledges_and_resolves_and_alice_sees_it(world: World) -> None:
    checkin = report(world, URGENT)
    alice = sign_in(Client(), world.alice.user)
    result_url = reverse(
        "checkins:result",
        kwargs={"patient_id": world.alice.public_id, "checkin_id": checkin.client_id},
    )
    assert "on its way to your care team" in alice.get(result_url).content.decode()
    process_outbox()
    assert "It is with Nurse Nadia Nurse, who is on call" in alice.get(result_url).content.decode()

    alert = Alert.objects.get()
    kwargs = {"patient_id": world.alice.public_id, "alert_id": alert.pk}
    nadia = sign_in(Client(), world.nadia)
    page = nadia.get(reverse("alerts:alert", kwargs=kwargs)).content.decode()
    assert "Temperature 38.2" in page
    nadia.post(reverse("alerts:acknowledge", kwargs=kwargs))
    alert.refresh_from_db()
    seen = timezone.localtime(alert.acknowledged_at).strftime("%H:%M")
    assert f"Seen by Nurse Nadia Nurse at {seen}" in alice.get(result_url).content.decode()

    # A resolve without an outcome is explained, and her note is kept.
    response = nadia.post(
        reverse("alerts:resolve", kwargs=kwargs), {"note": "Rang twice, no answer yet."}
    )
    assert response.status_code == 400
    assert "Choose what was done" in response.content.decode()
    assert "Rang twice, no answer yet." in response.content.decode()
    response = nadia.post(
        reverse("alerts:resolve", kwargs=kwargs),
        {
            "outcome": "advised_emergency",
            "note": "Neutropenic sepsis risk.",
            "share_outcome": "on",
            "message_to_patient": "Please go to the emergency department now.",
        },
    )
    assert response.status_code == 302
    for url in (result_url, reverse("care:patient", kwargs={"patient_id": world.alice.public_id})):
        for person, who in ((alice, "you"), (sign_in(Client(), world.carol), "Alice Example")):
            body = person.get(url).content.decode()
            assert f"they advised {who} to go to the emergency department" in body
            assert "Please go to the emergency department now." in body
            assert "Neutropenic" not in body  # the team's note stays with the team
    assert AuditEvent.objects.filter(action="alert.resolve", actor=world.nadia).count() == 1


def test_an_outcome_not_shared_stays_with_the_team(world: World) -> None:
    report(world, URGENT)
    process_outbox()
    actions.resolve(Alert.objects.get(), outcome="changed_medication", by=Actor(user=world.nadia))
    body = (
        sign_in(Client(), world.alice.user)
        .get(reverse("care:patient", kwargs={"patient_id": world.alice.public_id}))
        .content.decode()
    )
    assert "Seen by Nurse Nadia Nurse" in body
    assert "medicine" not in body


def test_a_caregiver_report_names_the_caregiver_for_the_team(world: World) -> None:
    report(world, URGENT, author=world.carol)
    process_outbox()
    alert = Alert.objects.get()
    page = (
        sign_in(Client(), world.nadia)
        .get(
            reverse(
                "alerts:alert", kwargs={"patient_id": world.alice.public_id, "alert_id": alert.pk}
            )
        )
        .content.decode()
    )
    assert "sent by Carol Carer (caregiver)" in page
    assert world.carol.role == Role.CAREGIVER


def test_the_queue_comes_a_page_at_a_time_worst_first(world: World, monkeypatch) -> None:
    """A large program can have hundreds of alerts open: the queue shows the
    most urgent first, a page at a time, with the total, and the live poll
    refreshes the page being looked at. Only the patients shown are audited."""
    from oncopro.alerts import views
    from tests.personas import make_patient

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    cleo = make_patient("Cleo Third", world.team)
    for patient, answers in ((world.bob, SOON), (cleo, EMERGENCY), (world.alice, URGENT)):
        submit_checkin(patient, author=patient.user, client_id=uuid.uuid4(), answers=answers, by=BY)
    process_outbox()
    nadia = sign_in(Client(), world.nadia)

    first = queue_html(nadia)
    assert 'Open alerts <span class="count">(3)</span>' in first
    assert "Showing 1 to 2 of 3, worst first." in first
    assert "Cleo Third" in first
    assert "Alice Example" in first
    assert "Bob Neighbour" not in first.split("Resolved in the last 24 hours")[0]
    assert "Next 2 (less urgent)" in first
    assert "Page 1 of 2" in first

    second = nadia.get(reverse("alerts:queue"), {"page": 2}).content.decode()
    shown = second.split("Resolved in the last 24 hours")[0]
    assert "Bob Neighbour" in shown
    assert "Cleo Third" not in shown
    assert "Previous 2 (more urgent)" in second

    live = nadia.get(reverse("alerts:queue_live"), {"page": 2}).content.decode()
    assert "Bob Neighbour" in live
    assert "Cleo Third" not in live
    assert "page=2&amp;version=" in live  # the poll keeps to page 2

    reads = AuditEvent.objects.filter(action="patient.list", detail__view="alert_queue")
    listed = [event.detail["patients"] for event in reads.order_by("pk")]
    assert listed[0] == [str(cleo.public_id), str(world.alice.public_id)]
    assert listed[1] == listed[2] == [str(world.bob.public_id)]


def test_long_waits_are_written_in_hours_and_days(world: World) -> None:
    from oncopro.alerts.views import plain_duration

    assert [plain_duration(m) for m in (0, 7, 59, 60, 125, 1439, 1440, 1500, 3030)] == [
        "0 min", "7 min", "59 min", "1 h", "2 h 5 min", "23 h 59 min", "1 day", "1 day 1 h",
        "2 days 2 h",
    ]  # fmt: skip
    report(world, URGENT)
    process_outbox()
    Alert.objects.update(deadline=timezone.now() - dt.timedelta(days=2, hours=3, seconds=30))
    assert "Overdue by 2 days 3 h" in queue_html(sign_in(Client(), world.nadia))
