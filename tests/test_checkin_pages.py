"""The weekly check-in page and the answer page, through Django's test client."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oncopro.care.models import CaregiverLink
from oncopro.checkins.models import CheckIn
from tests.helpers import sign_in
from tests.personas import World


def form_url(world: World) -> str:
    return reverse("checkins:weekly", kwargs={"patient_id": world.alice.public_id})


def client_id_of(page: str) -> str:
    match = re.search(r'name="client_id" value="([0-9a-f-]+)"', page)
    assert match
    return match.group(1)


def test_the_weekly_form_asks_the_core_set(world: World) -> None:
    page = sign_in(Client(), world.alice.user).get(form_url(world)).content.decode()
    assert "Your weekly check-in" in page
    assert "In the last 7 days, how bad was your pain at its worst?" in page
    assert "What is your temperature now, in degrees Celsius?" in page
    assert page.count("<fieldset") >= 20


def test_a_fever_on_chemotherapy_says_call_now_with_the_number(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    page = client.get(form_url(world)).content.decode()
    data = {"client_id": client_id_of(page), "temperature_c": "37.8", "fatigue.severity": "2"}
    response = client.post(form_url(world), data)
    assert response.status_code == 302
    answer = client.get(response["Location"]).content.decode()
    assert "Call your care team's 24-hour line now" in answer
    assert 'href="tel:+442079460000"' in answer
    assert "Temperature 37.8 C while on capecitabine" in answer
    checkin = CheckIn.objects.get()
    assert checkin.answers == {"fatigue": {"severity": 2}, "temperature_c": 37.8}


def test_sending_twice_stores_one_check_in(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    data = {"client_id": client_id_of(client.get(form_url(world)).content.decode()),
            "pain.severity": "1"}  # fmt: skip
    first = client.post(form_url(world), data)
    second = client.post(form_url(world), data)
    assert first["Location"] == second["Location"]
    assert CheckIn.objects.count() == 1


def test_a_wrong_temperature_is_explained_and_every_answer_kept(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    data = {
        "client_id": client_id_of(client.get(form_url(world)).content.decode()),
        "temperature_c": "3",
        "pain.severity": "2",
        "pain.location": "left hip",
    }
    page = client.post(form_url(world), data).content.decode()
    assert "One answer needs another look: temperature." in page
    assert "Please check the reading: it must be from 30.0 to 45.0 °C, not 3." in page
    assert 'value="3"' in page
    assert 'value="left hip"' in page
    assert re.search(r'name="pain.severity" value="2" checked', page)
    assert not CheckIn.objects.exists()


def test_words_where_a_number_goes_are_explained(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    page = client.post(form_url(world), {"temperature_c": "hot"}).content.decode()
    assert "Please type a number, for example 37.5." in page
    assert 'value="hot"' in page


def test_never_drops_the_other_answers_for_that_symptom(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    client.post(form_url(world), {"nausea.frequency": "0", "nausea.severity": "3"})
    assert CheckIn.objects.get().answers == {"nausea": {"frequency": 0}}


def test_an_empty_form_asks_for_one_answer(world: World) -> None:
    page = sign_in(Client(), world.alice.user).post(form_url(world), {}).content.decode()
    assert "Please answer at least one question" in page


def test_carol_sends_one_for_alice(world: World) -> None:
    client = sign_in(Client(), world.carol)
    page = client.get(form_url(world)).content.decode()
    assert "Check-in for Alice Example" in page
    client.post(form_url(world), {"fatigue.severity": "1"})
    checkin = CheckIn.objects.get()
    assert (checkin.author, checkin.reporter) == (world.carol, "caregiver")


def test_a_page_submission_asks_whether_carol_may_report_once(world: World) -> None:
    """The gate decides who Carol is to Alice and hands that decision to the
    submission, which does not read her caregiver link again."""
    client = sign_in(Client(), world.carol)
    client.get(form_url(world))
    links = connection.ops.quote_name(CaregiverLink._meta.db_table)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(form_url(world), {"fatigue.severity": "1"})
    assert response.status_code == 302
    assert CheckIn.objects.filter(author=world.carol).count() == 1
    assert len([q for q in queries.captured_queries if links in q["sql"]]) == 1


def test_her_nurse_reads_the_answer_but_cannot_send_one(world: World) -> None:
    sign_in(Client(), world.alice.user).post(form_url(world), {"fatigue.severity": "1"})
    checkin = CheckIn.objects.get()
    nadia = sign_in(Client(), world.nadia)
    result = reverse(
        "checkins:result",
        kwargs={"patient_id": world.alice.public_id, "checkin_id": checkin.client_id},
    )
    assert nadia.get(result).status_code == 200
    assert nadia.get(form_url(world)).status_code == 404


def anytime_url(world: World) -> str:
    return reverse("checkins:anytime", kwargs={"patient_id": world.alice.public_id})


def test_something_changed_in_her_own_words(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    found = client.post(anytime_url(world), {"step": "find", "words": "my eyes went yellow"})
    page = found.content.decode()
    assert 'name="symptom" value="jaundice"' in page
    assert 'value="my eyes went yellow"' in page  # what she typed stays
    form = client.post(anytime_url(world), {"step": "answer", "symptom": "jaundice"})
    page = form.content.decode()
    assert "Has your skin or the white of your eyes turned yellow?" in page
    assert "What is your temperature now" in page
    sent = client.post(
        anytime_url(world),
        {"step": "send", "symptom": "jaundice", "client_id": client_id_of(page),
         "jaundice.present": "yes"},
    )  # fmt: skip
    assert sent.status_code == 302
    checkin = CheckIn.objects.get()
    assert checkin.kind == "anytime"
    assert checkin.answers == {"jaundice": {"present": True}}
    assert checkin.urgency == "urgent"  # U11


def test_words_that_match_nothing_point_to_the_full_list(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    page = client.post(anytime_url(world), {"step": "find", "words": "zzqx"}).content.decode()
    assert "We did not find that" in page
    assert "Pick from the full list" in page
    assert page.count('name="symptom"') >= 60


def test_a_wrong_answer_keeps_her_on_the_same_symptom(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    page = client.post(
        anytime_url(world),
        {"step": "send", "symptom": "cough", "cough.days": "lots", "cough.severity": "2"},
    ).content.decode()
    assert "Please type a whole number" in page or "Please type a number" in page
    assert 'value="lots"' in page
    assert re.search(r'name="cough.severity" value="2" checked', page)
    assert not CheckIn.objects.exists()


def test_history_shows_grades_by_week_and_each_check_in(world: World) -> None:
    import datetime as dt
    import uuid

    from oncopro.accounts.audit import Actor
    from oncopro.checkins.actions import submit_checkin

    now = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
    for weeks_ago, severity in ((2, 1), (1, 2), (0, 3)):
        submit_checkin(
            world.alice, author=world.alice.user, client_id=uuid.uuid4(),
            answers={"pain": {"severity": severity}}, at=now - dt.timedelta(weeks=weeks_ago),
            by=Actor.system("test"),
        )  # fmt: skip
    url = reverse("checkins:history", kwargs={"patient_id": world.alice.public_id})
    page = sign_in(Client(), world.carol).get(url).content.decode()
    assert "Alice Example's check-ins" in page
    row = re.search(r'<th scope="row">Pain</th>(.*?)</tr>', page, re.S)
    assert row
    assert re.findall(r">(\d)<", row.group(1)) == ["3", "2", "1"]  # newest week first
    assert len(re.findall(r'href="/patients/[0-9a-f-]{36}/check-ins/[0-9a-f-]{36}/"', page)) == 3


def test_pain_in_her_words_is_kept_for_the_visit(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    data = {
        "pain.severity": "2",
        "pain.location": "left hip",
        "note.pain_feels_like": "a deep ache, worse when I stand",
        "note.pain_what_helps": "a hot water bottle",
    }
    client.post(form_url(world), data)
    checkin = CheckIn.objects.get()
    assert checkin.answers["pain"] == {"severity": 2, "location": "left hip"}
    assert checkin.notes == {
        "pain_feels_like": "a deep ache, worse when I stand",
        "pain_what_helps": "a hot water bottle",
    }
    # Shown again, with every word, when an answer needs fixing.
    page = client.post(form_url(world), {**data, "temperature_c": "99"}).content.decode()
    assert 'value="a deep ache, worse when I stand"' in page


def test_find_symptom_answers_her_words_with_matches(world: World) -> None:
    url = reverse("checkins:find_symptom", kwargs={"patient_id": world.alice.public_id})
    client = sign_in(Client(), world.alice.user)
    matches = client.post(url, {"words": "can't walk straight"}).json()["matches"]
    assert matches[0] == {"id": "balance_problems", "label": "Trouble with balance or walking"}
    assert client.get(url).status_code == 405  # her words never go in a URL


def test_other_symptoms_are_answered_in_the_same_check_in(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    page = client.get(form_url(world)).content.decode()
    assert 'data-symptom="jaundice"' in page
    assert re.search(r'data-symptom="jaundice"[^>]*hidden', page)  # shown when she adds it
    client.post(form_url(world), {"fatigue.severity": "1", "jaundice.present": "yes"})
    assert CheckIn.objects.get().answers == {
        "fatigue": {"severity": 1},
        "jaundice": {"present": True},
    }
