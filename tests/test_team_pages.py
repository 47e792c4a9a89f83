"""The care team's panel, a patient's timeline, and program health."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import AuditEvent
from oncopro.alerts import actions as alert_actions
from oncopro.alerts.actions import process_outbox
from oncopro.alerts.health import clinic_health, percentile
from oncopro.alerts.models import Alert
from oncopro.care.models import Patient
from oncopro.care.panel import last_due_day
from oncopro.checkins.actions import submit_checkin
from oncopro.checkins.weeks import start_of
from tests.helpers import sign_in
from tests.personas import BY, World, make_patient

URGENT = {"temperature_c": 38.2}


def report(patient: Patient, answers: dict, at: dt.datetime | None = None) -> None:
    submit_checkin(
        patient, author=patient.user, client_id=uuid.uuid4(), answers=answers, at=at, by=BY
    )


def test_the_panel_shows_level_alert_and_who_is_behind(world: World) -> None:
    Patient.objects.update(enrolled_on=timezone.localdate() - dt.timedelta(days=60))
    due = last_due_day(world.alice.checkin_weekday, timezone.localdate())
    report(world.alice, URGENT, at=start_of(due) + dt.timedelta(hours=10))
    process_outbox()
    body = sign_in(Client(), world.nadia).get(reverse("care:team_patients")).content.decode()
    alice_row = body[body.index("Alice Example") : body.index("Bob Neighbour")]
    bob_row = body[body.index("Bob Neighbour") :].split("</tr>")[0]
    assert "Urgent" in alice_row
    assert "1 of 8" in alice_row
    assert "Overdue" not in alice_row
    assert "0 of 8" in bob_row
    assert "Overdue" in bob_row
    assert "1 of them behind with the weekly check-in" in body


def test_the_panel_costs_the_same_queries_for_2_or_20_patients(world: World) -> None:
    nadia = sign_in(Client(), world.nadia)
    url = reverse("care:team_patients")
    nadia.get(url)
    with CaptureQueriesContext(connection) as few:
        nadia.get(url)
    for n in range(18):
        patient = make_patient(f"Extra Patient{n}", world.team)
        report(patient, URGENT)
    process_outbox()
    with CaptureQueriesContext(connection) as many:
        assert "Extra Patient17" in nadia.get(url).content.decode()
    assert len(many) == len(few)


def test_a_large_panel_comes_a_page_at_a_time(world: World) -> None:
    from oncopro.care import views

    for n in range(7):
        make_patient(f"Zed Patient{n}", world.team)
    nadia = sign_in(Client(), world.nadia)
    original = views.PANEL_PAGE_SIZE
    views.PANEL_PAGE_SIZE = 4
    try:
        first = nadia.get(reverse("care:team_patients")).content.decode()
        last = nadia.get(reverse("care:team_patients"), {"page": "3"}).content.decode()
        beyond = nadia.get(reverse("care:team_patients"), {"page": "99"}).content.decode()
    finally:
        views.PANEL_PAGE_SIZE = original
    assert "9 patients, 1 to 4 shown" in first
    assert "Alice Example" in first
    assert "Zed Patient6" not in first
    assert "Page 3 of 3" in last
    assert "Zed Patient6" in last
    assert "Page 3 of 3" in beyond  # past the end: the last page


def test_a_new_patient_is_not_behind_before_her_first_due_day(world: World) -> None:
    body = sign_in(Client(), world.nadia).get(reverse("care:team_patients")).content.decode()
    assert "0 of them behind" in body


def test_last_due_day_is_before_today() -> None:
    wednesday = dt.date(2026, 11, 25)
    assert last_due_day(2, wednesday) == dt.date(2026, 11, 18)  # a week ago, not today
    assert last_due_day(0, wednesday) == dt.date(2026, 11, 23)


def timeline_url(world: World) -> str:
    return reverse("care:timeline", kwargs={"patient_id": world.alice.public_id})


def test_the_timeline_has_the_heat_map_and_the_closed_loop(world: World) -> None:
    report(world.alice, {"pain": {"severity": 3}}, at=timezone.now() - dt.timedelta(days=14))
    report(world.alice, URGENT)
    process_outbox()
    alert_actions.resolve(
        Alert.objects.get(), outcome="booked_visit", note="Seen Friday.", by=Actor(world.nadia)
    )
    response = sign_in(Client(), world.nadia).get(timeline_url(world))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<td class="grade grade-3">3</td>' in body  # severe pain, two weeks ago
    assert "resolved by Nadia Nurse" in body
    assert "Seen Friday." in body
    assert "U1: Temperature 38.2 C" in body
    assert AuditEvent.objects.filter(action="patient.read", detail__view="timeline").exists()


def test_the_team_updates_spread_and_medicines(world: World) -> None:
    nadia = sign_in(Client(), world.nadia)
    response = nadia.post(
        timeline_url(world),
        {
            "care_phase": "active_treatment",
            "known_metastatic_sites": ["bone", "liver"],
            "therapies": "Capecitabine, morphine\nmadeupmab",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "OncoPRO does not know madeupmab" in body
    world.alice.refresh_from_db()
    assert world.alice.known_metastatic_sites == ["bone", "liver"]
    assert world.alice.therapies == ["capecitabine", "madeupmab", "morphine"]
    event = AuditEvent.objects.filter(action="patient.clinical_context").latest("id")
    assert event.actor == world.nadia


def test_a_bad_care_phase_keeps_what_she_typed(world: World) -> None:
    response = sign_in(Client(), world.nadia).post(
        timeline_url(world), {"care_phase": "cured", "therapies": "letrozole"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert "letrozole" in body
    world.alice.refresh_from_db()
    assert world.alice.therapies == ["capecitabine", "morphine"]


def test_moving_her_to_hospice_hands_her_to_the_hospice_team(world: World) -> None:
    response = sign_in(Client(), world.nadia).post(
        timeline_url(world),
        {"care_phase": "hospice", "known_metastatic_sites": ["bone"], "therapies": "morphine"},
        follow=True,
    )
    assert "is now cared for by Riverside Hospice" in response.content.decode()
    world.alice.refresh_from_db()
    assert world.alice.care_team == world.hospice_team
    assert AuditEvent.objects.filter(action="patient.care_phase", actor=world.nadia).exists()


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 11)]
    assert percentile(values, 0.5) == 5
    assert percentile(values, 0.9) == 9
    assert percentile([7.0], 0.9) == 7
    assert percentile([], 0.5) is None


def test_program_health_counts_alerts_acknowledgement_and_misses(world: World) -> None:
    now = timezone.now()
    report(world.alice, URGENT)
    report(world.bob, URGENT)
    report(world.bob, {"fatigue": {"severity": 1}})  # routine: counts as a check-in only
    process_outbox(now=now)
    alice_alert, bob_alert = Alert.objects.order_by("patient__user__full_name")
    alert_actions.acknowledge(
        alice_alert, by=Actor(world.nadia), now=alice_alert.opened_at + dt.timedelta(minutes=6)
    )
    Alert.objects.filter(pk=bob_alert.pk).update(deadline=now - dt.timedelta(minutes=1))
    [riverside] = clinic_health([world.clinic])
    this_week = riverside.weeks[0]
    assert this_week.checkins == 3
    assert this_week.alerts == 2
    assert this_week.alerts_per_100 == 66.7
    assert this_week.median_minutes == 6.0
    assert this_week.p90_minutes == 6.0
    assert this_week.missed == 1
    assert riverside.weeks[1].checkins == 0

    for person in (world.nadia, world.adam):
        body = sign_in(Client(), person).get(reverse("alerts:health")).content.decode()
        assert "Riverside" in body
        assert "66.7" in body
        assert "Alice" not in body
    oscar = sign_in(Client(), world.oscar).get(reverse("alerts:health")).content.decode()
    assert "Riverside" not in oscar


def test_the_timeline_shows_recent_weeks_first_and_older_on_request(world: World) -> None:
    report(world.alice, {"nausea": {"severity": 3}}, at=timezone.now() - dt.timedelta(weeks=20))
    nadia = sign_in(Client(), world.nadia)
    recent = nadia.get(timeline_url(world)).content.decode()
    assert "last 12 weeks" in recent
    assert "M1:" not in recent
    older = nadia.get(timeline_url(world), {"weeks": "26"}).content.decode()
    assert "M1:" in older
    assert nadia.get(timeline_url(world), {"weeks": "9999"}).status_code == 200  # back to 12


def panel_row(body: str, name: str) -> str:
    return body[body.index(name) :].split("</tr>")[0]


def test_adherence_counts_weeks_since_she_enrolled_and_behind_counts_everyone(
    world: World,
) -> None:
    from oncopro.care import views

    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    # Enrolled two weeks ago, due yesterday, never checked in: 2 weeks due, 0 done.
    newcomer = make_patient("Zoe Newcomer", world.team)
    Patient.objects.filter(pk=newcomer.pk).update(
        enrolled_on=today - dt.timedelta(days=14), checkin_weekday=yesterday.weekday()
    )
    # Two weekly check-ins in one week count as one week.
    keen = make_patient("Kim Keen", world.team)
    Patient.objects.filter(pk=keen.pk).update(
        enrolled_on=today - dt.timedelta(days=60), checkin_weekday=yesterday.weekday()
    )
    for hours in (1, 5):
        report(
            keen, {"fatigue": {"severity": 1}}, at=start_of(yesterday) + dt.timedelta(hours=hours)
        )
    # Left the program: never counted as behind.
    gone = make_patient("Gina Gone", world.team)
    Patient.objects.filter(pk=gone.pk).update(enrolled_on=today - dt.timedelta(days=60))
    gone.user.is_active = False
    gone.user.save()

    nadia = sign_in(Client(), world.nadia)
    body = nadia.get(reverse("care:team_patients")).content.decode()
    assert "0 of 2" in panel_row(body, "Zoe Newcomer")
    assert "Overdue" in panel_row(body, "Zoe Newcomer")
    assert "1 of 8" in panel_row(body, "Kim Keen")
    assert "Overdue" not in panel_row(body, "Kim Keen")
    assert "Overdue" not in panel_row(body, "Gina Gone")
    assert "1 of them behind" in body  # Alice and Bob enrolled today: nothing due yet

    original = views.PANEL_PAGE_SIZE
    views.PANEL_PAGE_SIZE = 1  # the count is of every patient, not of the page
    try:
        first_page = nadia.get(reverse("care:team_patients")).content.decode()
    finally:
        views.PANEL_PAGE_SIZE = original
    assert "Zoe Newcomer" not in first_page
    assert "1 of them behind" in first_page
