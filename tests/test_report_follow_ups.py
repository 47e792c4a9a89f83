"""What she reports is what gets asked: several symptoms in one anytime
report, the follow-up questions that find emergencies, and no empty weekly
check-in taken for "no symptoms" (issue #15), through Django's test client."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oncopro.accounts.audit import Actor
from oncopro.checkins.actions import submit_checkin
from oncopro.checkins.models import CheckIn
from tests.helpers import sign_in
from tests.personas import World


def anytime_url(world: World) -> str:
    return reverse("checkins:anytime", kwargs={"patient_id": world.alice.public_id})


def weekly_url(world: World) -> str:
    return reverse("checkins:weekly", kwargs={"patient_id": world.alice.public_id})


def client_id_of(page: str) -> str:
    match = re.search(r'name="client_id" value="([0-9a-f-]+)"', page)
    assert match
    return match.group(1)


def hidden_inputs(page: str) -> list[tuple[str, str]]:
    """What the page's form carries, as a browser would send it."""
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)


def test_back_pain_and_weak_legs_asks_both_and_leg_weakness_is_an_emergency(
    world: World,
) -> None:
    client = sign_in(Client(), world.alice.user)
    words = "my back hurts and my legs feel weak"
    found = client.post(anytime_url(world), {"step": "find", "words": words}).content.decode()
    assert 'name="symptom" value="back_pain"' in found
    assert 'name="symptom" value="leg_weakness"' in found
    page = client.post(
        anytime_url(world),
        {"step": "answer", "symptom": ["back_pain", "leg_weakness"], "note.own_words": words},
    ).content.decode()
    # Both symptoms, and F1's red flags on the same screen.
    assert "Do your legs feel newly weak, or are they giving way?" in page
    assert 'name="back_pain.severity"' in page
    assert 'name="numbness_legs_or_saddle.present"' in page
    assert 'name="bladder_bowel_control_loss.present"' in page
    assert page.count('name="leg_weakness.present"') == 2  # yes and no, asked once
    sent = client.post(
        anytime_url(world),
        {"step": "send", "symptom": ["back_pain", "leg_weakness"], "note.own_words": words,
         "client_id": client_id_of(page), "back_pain.severity": "2", "leg_weakness.present": "yes"},
    )  # fmt: skip
    assert sent.status_code == 302
    checkin = CheckIn.objects.get()
    assert checkin.urgency == "emergency"  # E2
    assert checkin.notes["own_words"] == words
    answer = client.get(sent["Location"]).content.decode()
    assert 'href="tel:999"' in answer


def test_three_symptoms_in_one_anytime_report(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    symptoms = ["jaundice", "itchy_skin", "abdominal_swelling"]
    page = client.post(anytime_url(world), {"step": "answer", "symptom": symptoms}).content.decode()
    for symptom in symptoms:
        assert f'data-symptom="{symptom}"' in page
    sent = client.post(
        anytime_url(world),
        {"step": "send", "symptom": symptoms, "client_id": client_id_of(page),
         "jaundice.present": "yes", "itchy_skin.severity": "2",
         "abdominal_swelling.present": "yes"},
    )  # fmt: skip
    assert sent.status_code == 302
    assert set(CheckIn.objects.get().answers) == set(symptoms)


def test_adding_another_symptom_keeps_what_she_answered(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    page = client.post(anytime_url(world), {"step": "answer", "symptom": "cough"}).content.decode()
    data = dict(hidden_inputs(page))
    data |= {"cough.severity": "2", "step": "find", "words": "throwing up"}
    found = client.post(anytime_url(world), data).content.decode()
    assert 'name="symptom" value="vomiting"' in found  # a new match to tick
    assert ("cough.severity", "2") in hidden_inputs(found)  # her answer carried
    again = client.post(
        anytime_url(world),
        {**dict(hidden_inputs(found)), "step": "answer", "symptom": ["cough", "vomiting"]},
    ).content.decode()
    assert re.search(r'name="cough.severity" value="2" checked', again)
    assert 'data-symptom="vomiting"' in again
    assert "throwing up" in again  # her words, kept with the report


def test_an_answer_that_needs_more_asks_it_on_a_screen_of_its_own(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    first = client.post(weekly_url(world), {"anxiety.severity": "3", "fatigue.severity": "1"})
    page = first.content.decode()
    assert first.status_code == 200
    assert "A few more questions" in page
    assert 'name="self_harm_thoughts.present"' in page  # F10
    assert not CheckIn.objects.exists()  # nothing sent yet
    data = dict(hidden_inputs(page))
    assert data["anxiety.severity"] == "3"
    sent = client.post(weekly_url(world), {**data, "self_harm_thoughts.present": "no"})
    assert sent.status_code == 302
    assert CheckIn.objects.get().answers["self_harm_thoughts"] == {"present": False}


def test_a_follow_up_she_skips_is_not_asked_again(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    page = client.post(weekly_url(world), {"anxiety.severity": "3"}).content.decode()
    sent = client.post(weekly_url(world), dict(hidden_inputs(page)))
    assert sent.status_code == 302
    assert CheckIn.objects.get().answers == {"anxiety": {"severity": 3}}


def test_an_empty_weekly_check_in_is_refused_and_none_of_these_is_none(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    empty = client.post(weekly_url(world), {"client_id": str(uuid.uuid4())}).content.decode()
    assert "Please answer at least one question" in empty
    assert not CheckIn.objects.exists()
    sent = client.post(weekly_url(world), {"none_of_these": "yes"})
    assert sent.status_code == 302
    answers = CheckIn.objects.get().answers
    assert answers["pain"] == {"frequency": 0}
    assert answers["shortness_of_breath"] == {"severity": 0}
    assert answers["constipation"] == {"severity": 0}
    assert "temperature_c" not in answers
    assert CheckIn.objects.get().urgency == "routine"


def test_none_of_these_with_answers_asks_her_to_choose_and_keeps_them(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    page = client.post(
        weekly_url(world), {"none_of_these": "yes", "pain.severity": "2"}
    ).content.decode()
    assert "None of these this week" in page
    assert "Please untick one of them" in page
    assert re.search(r'name="pain.severity" value="2" checked', page)
    assert re.search(r'name="none_of_these" value="yes"[^>]* checked', page)
    assert not CheckIn.objects.exists()


def test_her_page_says_when_this_weeks_check_in_was_sent(world: World) -> None:
    url = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    client = sign_in(Client(), world.alice.user)
    assert "Start your weekly check-in" in client.get(url).content.decode()
    submit_checkin(
        world.alice, author=world.alice.user, client_id=uuid.uuid4(),
        answers={"fatigue": {"severity": 1}}, at=timezone.now() - dt.timedelta(minutes=5),
        by=Actor.system("test"),
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert "You sent this week's check-in on" in page
    assert page.index("Something has changed") < page.index("Send another weekly check-in")
    carol_page = sign_in(Client(), world.carol).get(url).content.decode()
    assert "This week's check-in was sent by Alice Example on" in carol_page


def test_the_sign_in_page_shows_the_products_name_not_the_host(client: Client) -> None:
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<a class="brand" href="/">OncoPRO</a>' in page
    assert "testserver" not in page


def _result_page(world: World, answers: dict[str, object]) -> str:
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
    submit_checkin(
        world.alice, author=world.alice.user, client_id=uuid.uuid4(),
        answers={"shortness_of_breath": {"severity": 2}}, at=earlier, by=Actor.system("test"),
    )  # fmt: skip
    done = submit_checkin(
        world.alice, author=world.alice.user, client_id=uuid.uuid4(),
        answers={"shortness_of_breath": {"severity": 2}, **answers}, by=Actor.system("test"),
    )  # fmt: skip
    assert done.checkin.result["ongoing"]  # S2, unchanged since last week
    url = reverse(
        "checkins:result",
        kwargs={"patient_id": world.alice.public_id, "checkin_id": done.checkin.client_id},
    )
    return sign_in(Client(), world.alice.user).get(url).content.decode()


def test_call_now_never_shares_a_screen_with_no_new_call(world: World) -> None:
    page = _result_page(world, {"jaundice": {"present": True}})  # U11: call now
    assert "24-hour line now" in page
    assert "Already known to your team" not in page
    assert "do not need a new call" not in page


def test_a_routine_answer_still_says_what_is_already_known(world: World) -> None:
    page = _result_page(world, {})
    assert "Nothing here needs a call today" in page
    assert "Already known to your team" in page
