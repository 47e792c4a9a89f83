"""Alice's weekly check-in in a real Chromium, phone-sized, checked by axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from oncopro.checkins.models import CheckIn
from tests.browser import ARTIFACTS, assert_accessible
from tests.personas import email_of, make_world
from tests.test_browser_signin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_reports_a_fever_and_is_told_to_call_now(page: Page, live_server) -> None:
    world = make_world()
    log_in(page, live_server.url, world.alice.user.email)
    page.get_by_role("link", name="Start your weekly check-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your weekly check-in")
    assert_accessible(page)

    page.get_by_role("checkbox", name="Pain").check()
    page.get_by_role("button", name="Next").click()
    pain = page.get_by_role("group", name="In the last 7 days, how bad was your pain at its worst?")
    pain.get_by_label("Moderate").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("What is your temperature now, in degrees Celsius?").fill("38,1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "checkin-phone.png"), full_page=False)
    # An impatient double tap sends the form twice: one check-in is stored.
    page.get_by_role("button", name="Send to my care team").dblclick()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Call your care team's 24-hour line now"
    )
    call = page.get_by_role("link", name="Call +44 20 7946 0000")
    expect(call).to_have_attribute("href", "tel:+442079460000")
    expect(page.get_by_text("Temperature 38.1 C while on capecitabine")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "checkin-result-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/patients/{world.alice.public_id}/check-ins/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your check-ins")
    assert_accessible(page)

    assert CheckIn.objects.count() == 1


def test_alice_reports_yellow_skin_in_her_own_words(page: Page, live_server) -> None:
    world = make_world()
    log_in(page, live_server.url, world.alice.user.email)
    page.get_by_role("link", name="Something has changed").click()
    assert_accessible(page)
    page.get_by_label("Say it in your own words").fill("yellow skin")
    page.get_by_role("button", name="Find it").click()
    page.get_by_role("checkbox", name="Yellow skin or eyes").check()
    page.get_by_role("button", name="Ask me about these").click()
    assert_accessible(page)
    question = page.get_by_role(
        "group", name="Has your skin or the white of your eyes turned yellow?"
    )
    question.get_by_label("Yes").check()
    page.get_by_role("button", name="Send to my care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Call your care team's 24-hour line now"
    )
    expect(page.get_by_text("New yellowing of the skin or eyes.")).to_be_visible()


def test_one_symptom_per_screen_and_the_draft_survives_reload_and_timeout(
    page: Page, live_server, settings
) -> None:
    import datetime as dt

    world = make_world()
    log_in(page, live_server.url, world.alice.user.email)
    page.get_by_role("link", name="Start your weekly check-in").click()
    expect(page.get_by_text("Step 1 of 2")).to_be_visible()
    for label in ("Pain", "Tiredness", "Cough"):
        page.get_by_role("checkbox", name=label).check()
    assert_accessible(page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Step 2 of 5")).to_be_visible()  # a typical report: 5 screens
    expect(page.get_by_role("heading", level=2, name="Pain")).to_be_focused()
    how_often = page.get_by_role("group", name="In the last 7 days, how often did you have pain?")
    how_often.get_by_label("Often").check()
    page.get_by_role(
        "group", name="In the last 7 days, how bad was your pain at its worst?"
    ).get_by_label("Severe", exact=True).check()
    assert_accessible(page)

    # A reload keeps every answer.
    page.reload()
    expect(page.get_by_role("checkbox", name="Pain")).to_be_checked()
    page.get_by_role("button", name="Next").click()
    expect(
        page.get_by_role(
            "group", name="In the last 7 days, how bad was your pain at its worst?"
        ).get_by_label("Severe", exact=True)
    ).to_be_checked()

    # The session ends while she is away; after signing in again, nothing is lost.
    settings.SESSION_IDLE_TIMEOUT = dt.timedelta(seconds=1)
    page.wait_for_timeout(1500)
    page.reload()
    expect(page.get_by_text("signed out after")).to_be_visible()
    page.get_by_label("Email").fill(email_of(world.alice.user))
    page.get_by_label("Password").fill("correct horse battery staple")
    settings.SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=30)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("checkbox", name="Pain")).to_be_checked()
    page.get_by_role("button", name="Next").click()  # pain, answered before
    page.get_by_role("button", name="Next").click()  # tiredness: left blank
    page.get_by_role("button", name="Next").click()  # cough: left blank
    cough = page.get_by_role(
        "group", name="In the last 7 days, how bad was your cough at its worst?"
    )
    expect(cough.get_by_label("None")).not_to_be_checked()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Step 5 of 5")).to_be_visible()
    page.get_by_label("What is your temperature now, in degrees Celsius?").fill("35.6")
    expect(page.get_by_text("That is low. Wait a few minutes and measure again")).to_be_visible()
    page.get_by_label("What is your temperature now, in degrees Celsius?").fill("38.2")
    page.get_by_role("button", name="Send to my care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Call your care team's 24-hour line now"
    )

    checkin = CheckIn.objects.get()
    assert checkin.answers["pain"] == {"frequency": 3, "severity": 3}
    assert checkin.answers["temperature_c"] == 38.2
    assert checkin.answers["nausea"] == {"frequency": 0}  # asked, ticked "no"
    assert "fatigue" not in checkin.answers  # ticked, then skipped: not asked
    drafts = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('oncopro.draft.'))")
    assert drafts == []


def test_her_history_shows_a_chart_and_the_same_numbers_in_a_table(page: Page, live_server) -> None:
    import datetime as dt
    import uuid

    from django.utils import timezone

    from oncopro.accounts.audit import Actor
    from oncopro.checkins.actions import submit_checkin

    world = make_world()
    now = timezone.now()
    for weeks_ago, severity in ((2, 1), (1, 2), (0, 3)):
        submit_checkin(
            world.alice, author=world.alice.user, client_id=uuid.uuid4(),
            answers={"pain": {"severity": severity}, "fatigue": {"severity": 1}},
            at=now - dt.timedelta(weeks=weeks_ago), by=Actor.system("test"),
        )  # fmt: skip
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    log_in(page, live_server.url, world.alice.user.email)
    page.get_by_role("link", name="Your check-ins and how things have changed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your check-ins")
    page.wait_for_function("() => window.Chart && Chart.getChart('trend-chart-1')")
    # One chart per symptom, so each line can be read on a phone.
    drawn = page.evaluate(
        "() => [0, 1].map(i => Chart.getChart('trend-chart-' + i).data.datasets"
        ".map(d => [d.label, d.data]))"
    )
    assert sorted(drawn) == [[["Pain", [1, 2, 3]]], [["Tiredness", [1, 1, 1]]]]
    assert errors == []  # nothing refused by the Content-Security-Policy
    # At 390 px the newest week is in view without scrolling sideways.
    newest = page.locator("table.trends thead th").nth(1)
    box = newest.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390
    week = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    expect(newest).to_have_text(f"Week of {week.day} {week:%b}")
    expect(page.locator("table.trends tbody tr")).to_have_count(2)  # every symptom
    expect(page.locator("table.trends tbody tr").first.locator("td")).to_have_count(3)
    assert_accessible(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "history-phone.png"), full_page=True)


def test_anything_else_adds_a_symptom_in_her_own_words(page: Page, live_server) -> None:
    world = make_world()
    log_in(page, live_server.url, world.alice.user.email)
    page.get_by_role("link", name="Start your weekly check-in").click()
    page.get_by_role("checkbox", name="None of these this week").check()
    page.get_by_role("button", name="Next").click()  # none of these: straight to the end
    expect(page.get_by_text("Step 2 of 2")).to_be_visible()
    page.get_by_label('Tell us in your own words, for example "yellow skin"').fill(
        "my eyes look yellow"
    )
    page.get_by_role("button", name="Find it").click()
    page.get_by_role("button", name="Yellow skin or eyes").click()
    expect(page.get_by_text("Step 2 of 3")).to_be_visible()
    assert_accessible(page)
    page.reload()  # the added symptom is part of the draft
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Step 2 of 3")).to_be_visible()
    question = page.get_by_role(
        "group", name="Has your skin or the white of your eyes turned yellow?"
    )
    question.get_by_label("Yes").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Send to my care team").click()
    expect(page.get_by_text("New yellowing of the skin or eyes.")).to_be_visible()
    checkin = CheckIn.objects.get()
    assert checkin.answers["jaundice"] == {"present": True}


def test_carol_reports_for_alice_and_both_see_it(page: Page, live_server) -> None:
    world = make_world()
    log_in(page, live_server.url, world.carol.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Example")
    page.get_by_role("link", name="Send a check-in for Alice Example").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in for Alice Example")
    expect(
        page.get_by_role("heading", name="Which of these did Alice have in the last 7 days?")
    ).to_be_visible()
    page.get_by_role("checkbox", name="Shortness of breath").check()
    page.get_by_role("button", name="Next").click()
    breath = page.get_by_role("group", name=re.compile("How short of breath is Alice"))
    breath.get_by_label("Moderate").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Or pick from the full list").click()
    page.get_by_role("button", name="A swollen belly").click()
    page.get_by_role(
        "group", name="Has Alice's belly become swollen since her last check-in?"
    ).get_by_label("Yes").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Send to her care team").click()
    # Breathlessness needs its follow-ups (F3) before anything is sent.
    expect(page.get_by_role("heading", level=1)).to_have_text("A few more questions")
    assert_accessible(page)
    page.get_by_role("group", name=re.compile("noisy")).get_by_label("No").check()
    page.get_by_role("button", name="Send to her care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your team will look at this within 24 hours"
    )
    assert_accessible(page)
    checkin = CheckIn.objects.get()
    assert (checkin.author, checkin.reporter) == (world.carol, "caregiver")
    assert checkin.answers["abdominal_swelling"] == {"present": True}
    # Alice sees what Carol sent for her.
    page.get_by_role("button", name="Sign out").click()
    log_in(page, live_server.url, world.alice.user.email)
    page.get_by_role("link", name="Your check-ins and how things have changed").click()
    expect(page.get_by_text("sent by Carol Carer")).to_be_visible()


def test_every_patient_and_caregiver_page_passes_axe(page: Page, live_server) -> None:
    import uuid

    from oncopro.accounts.audit import Actor
    from oncopro.checkins.actions import submit_checkin

    world = make_world()
    checkin = submit_checkin(
        world.alice, author=world.alice.user, client_id=uuid.uuid4(),
        answers={"pain": {"severity": 3}, "shortness_of_breath": {"severity": 2}},
        by=Actor.system("test"),
    ).checkin  # fmt: skip
    base = f"{live_server.url}/patients/{world.alice.public_id}"
    pages = [
        f"{base}/", f"{base}/caregivers/", f"{base}/check-in-day/", f"{base}/check-in/",
        f"{base}/something-changed/", f"{base}/check-ins/",
        f"{base}/check-ins/{checkin.client_id}/", f"{live_server.url}/no-such-page/",
    ]  # fmt: skip
    log_in(page, live_server.url, world.alice.user.email)
    for url in pages:
        page.goto(url)
        assert_accessible(page)
