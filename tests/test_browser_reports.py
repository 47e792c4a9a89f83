"""What she reports is what gets asked (issue #15), in real Chromium at
phone size, checked by axe: several symptoms in one report, the follow-ups
that find emergencies, "None of these", Fahrenheit, a caregiver's wording,
a report that cannot be sent, and the alert page a nurse acts on."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from oncopro.accounts.audit import Actor
from oncopro.alerts.actions import process_outbox
from oncopro.care import actions
from oncopro.checkins.models import CheckIn
from tests.browser import ARTIFACTS, assert_accessible
from tests.journeys import weekly_with_moderate_pain
from tests.personas import email_of, make_patient, make_team, make_world
from tests.test_browser_signin import log_in, log_in_with_two_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def report_from_the_list(page: Page, base: str, email: str | None, *labels: str) -> None:
    """Sign in, open "Something has changed", tick these in the full list."""
    assert email, "an account with an email address"
    log_in(page, base, email)
    page.get_by_role("link", name="Something has changed").click()
    page.get_by_text("Pick from the full list").click()
    for label in labels:
        page.get_by_role("checkbox", name=label, exact=True).check()
    page.get_by_role("button", name="Ask me about these").click()


def test_back_pain_and_weak_legs_is_an_emergency(page: Page, live_server) -> None:
    world = make_world()
    log_in(page, live_server.url, world.alice.user.email)
    page.get_by_role("link", name="Something has changed").click()
    page.get_by_label("Say it in your own words").fill("my back hurts and my legs feel weak")
    page.get_by_role("button", name="Find it").click()
    assert_accessible(page)
    page.get_by_role("checkbox", name="Back pain").check()
    page.get_by_role("checkbox", name="Leg weakness").check()
    page.get_by_role("button", name="Ask me about these").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Back pain, leg weakness")
    # Both, and the cord compression questions on the same screen.
    expect(page.get_by_role("heading", level=2, name="Numbness in the legs")).to_be_visible()
    expect(
        page.get_by_role("heading", level=2, name="Losing control of your bladder or bowels")
    ).to_be_visible()
    assert_accessible(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "anytime-two-symptoms-phone.png"), full_page=True)
    page.get_by_role(
        "group", name="In the last 7 days, how bad was your back pain at its worst?"
    ).get_by_label("Moderate").check()
    page.get_by_role(
        "group", name="Do your legs feel newly weak, or are they giving way?"
    ).get_by_label("Yes").check()
    page.get_by_role("button", name="Send to my care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Call 999 now")
    expect(page.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")
    expect(page.get_by_text("can mean pressure on the spinal cord")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "anytime-two-symptoms-answer-phone.png"), full_page=True)
    checkin = CheckIn.objects.get()
    assert checkin.urgency == "emergency"
    assert checkin.notes["own_words"] == "my back hurts and my legs feel weak"


def test_three_symptoms_in_one_report_from_the_list(page: Page, live_server) -> None:
    world = make_world()
    report_from_the_list(
        page, live_server.url, world.alice.user.email,
        "Yellow skin or eyes", "Itchy skin", "A swollen belly",
    )  # fmt: skip
    page.get_by_role("group", name=re.compile("turned yellow")).get_by_label("Yes").check()
    page.get_by_role("group", name=re.compile("how bad was your itchy skin")).get_by_label(
        "Moderate"
    ).check()
    page.get_by_role("group", name=re.compile("belly become swollen")).get_by_label("Yes").check()
    page.get_by_role("button", name="Send to my care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Call your care team's 24-hour line now"
    )
    assert set(CheckIn.objects.get().answers) == {"jaundice", "itchy_skin", "abdominal_swelling"}


def test_an_empty_weekly_list_asks_her_to_choose_and_none_of_these_is_sent(
    page: Page, live_server
) -> None:
    world = make_world()
    log_in(page, live_server.url, world.alice.user.email)
    page.get_by_role("link", name="Start your weekly check-in").click()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Please tick what you had, or tick “None of these this week”."
    )
    expect(page.get_by_role("alert")).to_be_focused()  # read out, and in view
    assert_accessible(page)
    page.get_by_role("checkbox", name="None of these this week").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Send to my care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you. Your answers are with your team"
    )
    answers = CheckIn.objects.get().answers
    assert answers["pain"] == {"frequency": 0}
    assert "temperature_c" not in answers
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text(re.compile("You sent this week's check-in on"))).to_be_visible()
    assert_accessible(page)


def test_a_fahrenheit_fever_on_capecitabine_says_call_now(page: Page, live_server) -> None:
    clinic = actions.create_clinic("Lakeside", "911", temperature_unit="F", by=Actor.system("t"))
    una = make_patient("Una Lakeside", make_team(clinic, "Lakeside Oncology"),
                       therapies=("capecitabine",))  # fmt: skip
    log_in(page, live_server.url, una.user.email)
    page.get_by_role("link", name="Start your weekly check-in").click()
    page.get_by_role("checkbox", name="None of these this week").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("In °F, for example 99.5.")).to_be_visible()
    page.get_by_label("What is your temperature now, in degrees Fahrenheit?").fill("101.5")
    assert_accessible(page)
    page.get_by_role("button", name="Send to my care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Call your care team's 24-hour line now"
    )
    assert CheckIn.objects.get().answers["temperature_c"] == 38.61


def test_carols_questions_name_alice(page: Page, live_server) -> None:
    world = make_world()
    log_in(page, live_server.url, world.carol.email)
    page.get_by_role("link", name="Something has changed").click()
    page.get_by_label("Say it in your own words").fill("she has a headache")
    page.get_by_role("button", name="Find it").click()
    page.get_by_role("checkbox", name="Headache").check()
    page.get_by_role("button", name="Ask me about these").click()
    expect(
        page.get_by_role("group", name="Has Alice had a seizure (a fit) since her last check-in?")
    ).to_be_visible()
    expect(
        page.get_by_label("What is Alice's temperature now, in degrees Celsius?")
    ).to_be_visible()
    questions = page.locator(
        "section[data-symptom] legend, section[data-symptom] .field label"
    ).all_inner_texts()
    assert len(questions) > 10
    assert not [q for q in questions if re.search(r"\byour\b", q, re.I)], questions
    assert_accessible(page)


def test_a_report_that_cannot_be_sent_says_so_and_keeps_every_answer(
    page: Page, live_server
) -> None:
    world = make_world()
    report_from_the_list(page, live_server.url, world.alice.user.email, "Cough")
    page.get_by_role("group", name=re.compile("how bad was your cough")).get_by_label(
        "Mild"
    ).check()
    page.context.set_offline(True)
    page.get_by_role("button", name="Send to my care team").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Nothing was sent: this device is not connected to the internet"
    )
    expect(page.get_by_role("alert")).to_contain_text("Your answers are kept on this device.")
    expect(page.get_by_role("alert")).to_contain_text("press the send button again")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cough")  # no browser error page
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "offline-not-sent-phone.png"), full_page=True)
    assert not CheckIn.objects.exists()
    page.context.set_offline(False)
    page.get_by_role("button", name="Send to my care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you. Your answers are with your team"
    )
    assert CheckIn.objects.get().answers["cough"] == {"severity": 1}


def test_signed_out_while_writing_keeps_the_answers_to_send_after_signing_in(
    page: Page, live_server
) -> None:
    world = make_world()
    report_from_the_list(page, live_server.url, world.alice.user.email, "Yellow skin or eyes")
    page.get_by_role("group", name=re.compile("turned yellow")).get_by_label("Yes").check()
    page.context.clear_cookies()  # her session ends while she writes
    page.get_by_role("button", name="Send to my care team").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was sent: you were signed out.")
    page.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Email").fill(email_of(world.alice.user))
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Answers not sent yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send it now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Call your care team's 24-hour line now"
    )
    assert CheckIn.objects.get().answers == {"jaundice": {"present": True}}
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Answers not sent yet")).to_have_count(0)


def test_a_caregiver_whose_access_ended_is_told_and_her_draft_is_gone(
    page: Page, live_server
) -> None:
    world = make_world()
    report_from_the_list(page, live_server.url, world.carol.email, "Cough")
    actions.revoke_caregiver(world.carol_link, by=Actor(world.alice.user))
    page.get_by_role("button", name="Send to her care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your access has ended")
    assert_accessible(page)
    drafts = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('oncopro.draft.'))")
    assert drafts == []
    assert not CheckIn.objects.exists()


def test_removing_a_caregiver_asks_first(page: Page, live_server) -> None:
    world = make_world()
    log_in(page, live_server.url, world.alice.user.email)
    page.get_by_role("link", name="Choose who can see your reports").click()
    page.get_by_role("button", name="Remove Carol Carer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove Carol Carer?")
    assert_accessible(page)
    page.get_by_role("link", name="No, keep Carol Carer").click()
    expect(page.get_by_text("Carol Carer (family)")).to_be_visible()
    page.get_by_role("button", name="Remove Carol Carer").click()
    page.get_by_role("button", name="Yes, remove Carol Carer").click()
    expect(page.get_by_text("Carol Carer can no longer see your reports.")).to_be_visible()


def test_the_alert_page_shows_who_to_call_why_her_words_and_sources(
    browser: Browser, live_server
) -> None:
    import uuid

    from oncopro.checkins.actions import submit_checkin

    world = make_world()
    submit_checkin(
        world.alice, author=world.alice.user, client_id=uuid.uuid4(),
        answers={"jaundice": {"present": True}}, kind="anytime",
        notes={"own_words": "my eyes look yellow"}, by=Actor(world.alice.user),
    )  # fmt: skip
    process_outbox()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    nadia = context.new_page()
    nadia.set_default_timeout(10_000)
    log_in_with_two_factor(nadia, live_server.url, world.nadia.email)
    expect(nadia.get_by_text("New yellowing of the skin or eyes.")).to_be_visible()  # on the card
    assert_accessible(nadia)
    nadia.get_by_role("link", name="Alice Example").click()
    expect(nadia.get_by_role("link", name="+44 20 7946 0123")).to_have_attribute(
        "href", "tel:+442079460123"
    )
    expect(nadia.get_by_role("link", name="+44 20 7946 0456")).to_be_visible()  # Carol
    expect(nadia.get_by_text("In her words: “my eyes look yellow”")).to_be_visible()
    expect(nadia.get_by_text("Source: UKONS 24-hour triage tool v3").first).to_be_visible()
    expect(nadia.get_by_role("link", name=re.compile("Her timeline"))).to_be_visible()
    assert_accessible(nadia)
    ARTIFACTS.mkdir(exist_ok=True)
    nadia.screenshot(path=str(ARTIFACTS / "alert-page.png"), full_page=True)
    nadia.get_by_role("button", name="Acknowledge: I am looking at this").click()
    expect(nadia.get_by_text(re.compile("acknowledged the alert"))).to_be_visible()
    context.close()


def test_an_answer_to_fix_opens_on_its_own_screen_not_one_long_page(
    page: Page, live_server
) -> None:
    world = make_world()
    weekly_with_moderate_pain(page, live_server.url, world.alice.user.email, "3")
    expect(
        page.get_by_text("Please check the reading: it must be from 30.0 to 45.0 °C")
    ).to_be_visible()
    expect(page.get_by_text("Step 3 of 3")).to_be_visible()  # the wizard, at the answer to fix
    expect(page.get_by_role("heading", level=2, name="Feeling sick (nausea)")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollHeight") < 4000
    expect(page.get_by_label("What is your temperature now, in degrees Celsius?")).to_have_value(
        "3"
    )
    assert_accessible(page)
    page.get_by_label("What is your temperature now, in degrees Celsius?").fill("37.1")
    page.get_by_role("button", name="Send to my care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Thank you"))
    assert CheckIn.objects.get().answers["pain"] == {"severity": 2}


def test_units_pages_for_her_and_for_the_clinic_admin_pass_axe(
    page: Page, browser: Browser, live_server
) -> None:
    world = make_world()
    log_in(page, live_server.url, world.alice.user.email)
    page.get_by_role("link", name="Temperatures in °C or °F").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How do you read temperatures?")
    assert_accessible(page)
    page.get_by_label("Fahrenheit (°F), for example 99.5").check()
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Saved. Temperatures are now asked in Fahrenheit (°F).")
    ).to_be_visible()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    adam = context.new_page()
    adam.set_default_timeout(10_000)
    log_in_with_two_factor(adam, live_server.url, world.adam.email)
    expect(adam.get_by_role("heading", level=1)).to_have_text("Riverside: settings")
    adam.get_by_label(
        "Patients read temperatures in (each person may choose her own)"
    ).select_option("F")
    adam.get_by_role("button", name="Save").first.click()
    expect(adam.get_by_text("Settings for Riverside saved.")).to_be_visible()
    assert_accessible(adam)
    world.clinic.refresh_from_db()
    assert world.clinic.temperature_unit == "F"
    context.close()
