"""An alert page a nurse can act on (issue #15): who to call, the reason in
plain words on each queue card, her own words, her timeline, each finding's
id and source; and her own words on the timeline and visit summary."""

from __future__ import annotations

import re
import uuid

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oncopro.accounts.audit import Actor
from oncopro.alerts.actions import process_outbox
from oncopro.alerts.models import Alert
from oncopro.care import actions
from oncopro.checkins.actions import submit_checkin
from tests.helpers import sign_in
from tests.personas import World, make_patient

WORDS = "my back hurts and my legs feel weak"


def report_back_and_legs(world: World) -> Alert:
    submit_checkin(
        world.alice, author=world.carol, client_id=uuid.uuid4(),
        answers={"back_pain": {"severity": 2}, "leg_weakness": {"present": True}},
        kind="anytime", notes={"own_words": WORDS}, by=Actor(world.carol),
    )  # fmt: skip
    process_outbox()
    return Alert.objects.get()


def test_the_alert_page_has_who_to_call_her_words_her_timeline_and_sources(
    world: World,
) -> None:
    alert = report_back_and_legs(world)
    url = reverse(
        "alerts:alert", kwargs={"patient_id": world.alice.public_id, "alert_id": alert.pk}
    )
    body = sign_in(Client(), world.nadia).get(url).content.decode()
    assert '<a class="phone" href="tel:+442079460123">+44 20 7946 0123</a>' in body  # Alice
    assert '<a class="phone" href="tel:+442079460456">+44 20 7946 0456</a>' in body  # Carol
    assert "7946 0789" not in body  # Eve: Alice removed her
    assert f"In Carol Carer's words: “{WORDS}”" in body
    timeline = reverse("care:timeline", kwargs={"patient_id": world.alice.public_id})
    assert f'href="{timeline}"' in body
    assert "<strong>E2</strong> (emergency)" in body
    assert "Source: NICE CG75; NICE NG234" in body
    # What she answered, in words; acknowledging stays one click, near the top.
    assert "<li>Leg weakness: yes</li>" in body
    assert "<li>Back pain: severity: moderate</li>" in body
    assert body.count("Acknowledge: I am looking at this") == 1
    assert body.index("Acknowledge: I am looking at this") < body.index("What she reported")


def test_each_queue_card_says_why_in_plain_words(world: World) -> None:
    report_back_and_legs(world)
    body = sign_in(Client(), world.nadia).get(reverse("alerts:queue")).content.decode()
    reasons = re.search(r'<ul class="alert-reasons">(.*?)</ul>', body, re.S)
    assert reasons is not None
    assert "New leg weakness, numbness, or loss of bladder or bowel control" in reasons.group(1)


def test_the_queue_reads_the_reasons_in_one_query_whatever_the_number(world: World) -> None:
    nadia = sign_in(Client(), world.nadia)
    report_back_and_legs(world)
    nadia.get(reverse("alerts:queue"))
    with CaptureQueriesContext(connection) as one:
        nadia.get(reverse("alerts:queue"))
    for n in range(6):
        patient = make_patient(f"Queue Patient{n}", world.team)
        submit_checkin(
            patient, author=patient.user, client_id=uuid.uuid4(),
            answers={"jaundice": {"present": True}}, by=Actor(patient.user),
        )  # fmt: skip
    process_outbox()
    with CaptureQueriesContext(connection) as seven:
        body = nadia.get(reverse("alerts:queue")).content.decode()
    assert body.count("New yellowing of the skin or eyes.") == 6
    assert len(seven) == len(one)


def test_her_words_are_on_her_timeline_and_in_her_visit_summary(world: World) -> None:
    report_back_and_legs(world)
    timeline = reverse("care:timeline", kwargs={"patient_id": world.alice.public_id})
    body = sign_in(Client(), world.nadia).get(timeline).content.decode()
    assert f"In Carol Carer's words: “{WORDS}”" in body
    summary = reverse("reports:summary", kwargs={"patient_id": world.alice.public_id})
    page = sign_in(Client(), world.alice.user).get(summary).content.decode()
    assert "What changed, in my words" in page
    assert f"“{WORDS}”" in page


def test_her_team_records_her_number_and_she_gives_her_caregivers(world: World) -> None:
    from oncopro.accounts.models import AuditEvent
    from oncopro.care.models import CaregiverLink
    from tests.personas import make_caregiver

    timeline = reverse("care:timeline", kwargs={"patient_id": world.alice.public_id})
    sign_in(Client(), world.nadia).post(
        timeline,
        {"care_phase": "active_treatment", "known_metastatic_sites": ["bone"],
         "therapies": "capecitabine, morphine", "phone": " +44 20 7946 0999 "},
    )  # fmt: skip
    world.alice.refresh_from_db()
    assert world.alice.phone == "+44 20 7946 0999"
    assert AuditEvent.objects.filter(action="patient.phone", actor=world.nadia).exists()
    dan = make_caregiver("Dan Helper")
    caregivers = reverse("care:caregivers", kwargs={"patient_id": world.alice.public_id})
    sign_in(Client(), world.alice.user).post(
        caregivers, {"email": dan.email, "relationship": "son", "phone": "+44 20 7946 0321"}
    )
    # The number she gave travels with her invitation, onto the link he accepts.
    invitation = world.alice.caregiver_invitations.get()
    actions.accept_caregiver_invitation(invitation, dan, by=Actor.system("test"))
    assert CaregiverLink.objects.get(caregiver=dan).phone == "+44 20 7946 0321"


def test_the_worst_report_comes_first_and_temperatures_show_in_the_clinics_unit(
    world: World,
) -> None:
    world.clinic.temperature_unit = "F"
    world.clinic.save()
    report_back_and_legs(world)  # emergency
    submit_checkin(
        world.alice, author=world.alice.user, client_id=uuid.uuid4(),
        answers={"shortness_of_breath": {"severity": 2}, "temperature_c": 37.2},
        by=Actor(world.alice.user),
    )  # fmt: skip
    process_outbox()
    alert = Alert.objects.get()
    url = reverse(
        "alerts:alert", kwargs={"patient_id": world.alice.public_id, "alert_id": alert.pk}
    )
    body = sign_in(Client(), world.nadia).get(url).content.decode()
    assert body.index("<strong>E2</strong>") < body.index("Temperature: 37.2 °C (99.0 °F)")
