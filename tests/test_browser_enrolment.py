"""A clinic starts on its own, in real Chromium with the real worker and a
real SMTP server: the admin enrols Maria, the invitation arrives, she
chooses her password on her phone and checks in, and her nurse sees the
report; Maria invites her son by email, and he reports for her."""

from __future__ import annotations

import re
import time
from email.message import Message

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from oncopro.checkins.models import CheckIn
from tests.browser import ARTIFACTS, assert_accessible
from tests.personas import make_world
from tests.smtp import Inbox, body_text, smtp_server
from tests.test_browser_alerts import worker  # noqa: F401 - fixture
from tests.test_browser_signin import log_in_with_two_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
NEW_PASSWORD = "maria chooses a long password"
# The answer page after a report (moderate pain is seen within days, or sooner).
SENT = re.compile("Your team|Thank you|call", re.IGNORECASE)


def next_email(inbox: Inbox, count: int) -> Message:
    """The count-th email, once the worker has sent it (within 15 s)."""
    deadline = time.monotonic() + 15
    while len(inbox.messages) < count:
        assert time.monotonic() < deadline, f"only {len(inbox.messages)} emails arrived"
        time.sleep(0.1)
    return inbox.messages[count - 1]


def link_in(message: Message) -> str:
    match = re.search(r"http://\S+", body_text(message))
    assert match, body_text(message)
    return match.group(0)


def weekly_pain_report(page: Page) -> None:
    page.get_by_role("checkbox", name="Pain").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("group", name=re.compile("pain at its worst")).get_by_label("Moderate").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label(re.compile("temperature now")).fill("37.1")
    page.get_by_role("button", name=re.compile("Send to (my|her) care team")).click()


def test_an_enrolled_patient_sets_her_password_reports_and_brings_her_son(
    browser: Browser,
    page: Page,
    live_server,
    settings,
    worker: None,  # noqa: F811
) -> None:
    world = make_world()
    base = live_server.url
    settings.SITE_ROOT = base
    with smtp_server(settings) as inbox:
        admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        admin.set_default_timeout(10_000)
        log_in_with_two_factor(admin, base, world.adam.email)
        admin.get_by_role("link", name="Patients", exact=True).click()
        admin.get_by_role("link", name="Enrol a patient").click()
        assert_accessible(admin)
        admin.get_by_label("Full name").fill("Maria Newcomer")
        admin.get_by_label("Date of birth").fill("1961-07-02")
        admin.get_by_label("Phone number").fill("+44 20 7946 0999")
        admin.get_by_label("Email (optional)").fill("maria@example.org")
        admin.get_by_role("combobox", name="Care team").select_option(label="Breast Oncology")
        admin.get_by_role("button", name="Enrol her").click()
        expect(admin.get_by_text("Maria Newcomer is enrolled.")).to_be_visible()
        assert_accessible(admin)
        admin.get_by_role("link", name="Back to the patients").click()
        expect(admin.get_by_role("link", name="Maria Newcomer")).to_be_visible()
        assert_accessible(admin)
        admin.screenshot(path=str(ARTIFACTS / "clinic-admin-patients.png"), full_page=True)

        # Maria, on her phone, from the email.
        invitation = next_email(inbox, 1)
        assert invitation["To"] == "maria@example.org"
        maria = browser.new_context(viewport=PHONE).new_page()
        maria.set_default_timeout(10_000)
        maria.goto(link_in(invitation))
        expect(maria.get_by_role("heading", level=1)).to_have_text("Welcome, Maria")
        assert maria.url.removeprefix(base) == "/accounts/welcome/"  # no secret in the bar
        assert_accessible(maria)
        maria.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        maria.get_by_label("The new password again").fill(NEW_PASSWORD)
        maria.get_by_role("button", name="Save my password").click()
        expect(maria.get_by_role("heading", level=1)).to_have_text("Hello, Maria Newcomer")
        maria.get_by_role("link", name="Start your weekly check-in").click()
        weekly_pain_report(maria)
        expect(maria.get_by_role("heading", level=1)).to_have_text(SENT)
        assert_accessible(maria)
        assert CheckIn.objects.filter(patient__user__email="maria@example.org").count() == 1

        # Her nurse sees her, and her report, and that her details are pending.
        nurse = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        nurse.set_default_timeout(10_000)
        log_in_with_two_factor(nurse, base, world.nadia.email)
        nurse.get_by_role("link", name="Patients", exact=True).click()
        row = nurse.get_by_role("row", name=re.compile("Maria Newcomer"))
        expect(row.get_by_text("Clinical details pending")).to_be_visible()
        row.get_by_role("link", name="Maria Newcomer").click()
        expect(nurse.get_by_text("Clinical details pending.")).to_be_visible()
        expect(nurse.get_by_text(re.compile("Pain")).first).to_be_visible()

        # Maria invites her son; he accepts on his phone and reports for her.
        maria.goto(f"{base}/")
        maria.get_by_role("link", name="Choose who can see your reports").click()
        maria.get_by_label("Their email address").fill("dan@example.org")
        maria.get_by_label("Who they are to you (optional)").fill("son")
        maria.get_by_role("button", name="Send the invitation").click()
        expect(
            maria.get_by_text("We have emailed an invitation to dan@example.org")
        ).to_be_visible()
        expect(
            maria.get_by_role("button", name="Cancel this invitation to dan@example.org")
        ).to_be_visible()
        assert_accessible(maria)
        to_dan = next_email(inbox, 2)
        dan = browser.new_context(viewport=PHONE).new_page()
        dan.set_default_timeout(10_000)
        dan.goto(link_in(to_dan))
        expect(dan.get_by_role("heading", level=1)).to_have_text("Maria Newcomer has invited you")
        assert_accessible(dan)
        dan.get_by_label("Your name").fill("Dan Newcomer")
        dan.get_by_label("New password", exact=True).fill("dan picks a long password")
        dan.get_by_label("The new password again").fill("dan picks a long password")
        dan.get_by_role("button", name="Accept the invitation").click()
        expect(dan.get_by_text("You can now see Maria's reports")).to_be_visible()
        dan.get_by_role("link", name=re.compile("Send (a|another)")).click()  # she sent hers
        weekly_pain_report(dan)
        expect(dan.get_by_role("heading", level=1)).to_have_text(SENT)
        told = next_email(inbox, 3)
        assert told["To"] == "maria@example.org"
        assert "Dan Newcomer accepted your invitation" in body_text(told)
    reports = CheckIn.objects.filter(patient__user__email="maria@example.org")
    assert sorted(reports.values_list("reporter", flat=True)) == ["caregiver", "patient"]
