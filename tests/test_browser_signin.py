"""Signing in, in a real Chromium: Alice, Nadia through two-factor, Oscar refused."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tests.browser import assert_accessible
from tests.personas import PASSWORD, email_of, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base: str, email: str | None) -> None:
    assert email, "an account with an email address"
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def log_in_with_two_factor(page: Page, base: str, email: str | None) -> None:
    """A staff member's first sign-in: password, then her new authenticator."""
    assert email, "an account with an email address"
    log_in(page, base, email)
    key = page.get_by_test_id("totp-key").inner_text()
    page.get_by_label("6-digit code").fill(code_for(key))
    page.get_by_role("button", name="Finish setup").click()


def code_for(key_text: str) -> str:
    key = b32decode(key_text.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def test_alice_signs_in_and_sees_her_page(page: Page, live_server) -> None:
    world = make_world()
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    log_in(page, live_server.url, world.alice.user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice Example")
    expect(page.get_by_text("24-hour line")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Choose who can see your reports").click()
    expect(page.get_by_text("Carol Carer (family)")).to_be_visible()
    assert_accessible(page)


def test_nadia_signs_in_through_two_factor(page: Page, live_server) -> None:
    world = make_world()
    log_in(page, live_server.url, world.nadia.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    assert_accessible(page)
    key = page.get_by_test_id("totp-key").inner_text()
    page.get_by_label("6-digit code").fill("123 45")
    page.get_by_role("button", name="Finish setup").click()
    expect(page.get_by_text("The code has 6 digits")).to_be_visible()
    page.wait_for_timeout(1100)  # django-otp asks for a pause after a wrong code
    page.get_by_label("6-digit code").fill(code_for(key))
    page.get_by_role("button", name="Finish setup").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    page.get_by_role("navigation", name="Care team").get_by_role("link", name="Patients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your patients")
    expect(page.get_by_role("link", name="Alice Example")).to_be_visible()
    page.get_by_role("link", name="Alice Example").click()
    expect(page.get_by_role("heading", name="Care phase, spread and medicines")).to_be_visible()


def test_oscar_of_another_clinic_is_refused(page: Page, live_server) -> None:
    world = make_world()
    log_in(page, live_server.url, world.oscar.email)
    key = page.get_by_test_id("totp-key").inner_text()
    page.get_by_label("6-digit code").fill(code_for(key))
    page.get_by_role("button", name="Finish setup").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    expect(page.get_by_text("No open alerts")).to_be_visible()
    page.get_by_role("link", name="Patients").click()
    expect(page.get_by_text("No patients on your teams yet")).to_be_visible()
    response = page.goto(f"{live_server.url}/patients/{world.alice.public_id}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    assert "Alice" not in page.content()


def test_alice_resets_a_forgotten_password_from_the_emailed_link(
    page: Page, live_server, settings
) -> None:
    import re

    from tests.smtp import body_text, smtp_server

    world = make_world()
    new = "a brand new password 2026"
    with smtp_server(settings) as inbox:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_role("link", name="Forgotten your password?").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Forgotten your password?")
        assert_accessible(page)
        page.get_by_label("Your email address").fill(email_of(world.alice.user))
        page.get_by_role("button", name="Send me a link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
        assert_accessible(page)
        [message] = inbox.messages
    body = body_text(message)
    link = re.search(r"/accounts/password-reset/\S+/\S+/", body)
    assert link
    page.goto(f"{live_server.url}{link.group(0)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("The new password again").fill("short")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_text("This password is too short")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("The new password again").fill(new)
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new password is saved")
    page.screenshot(path="test-artifacts/password-saved-phone.png", full_page=True)
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(email_of(world.alice.user))
    page.get_by_label("Password").fill(new)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice Example")
    page.screenshot(path="test-artifacts/change-password-link-phone.png")
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_accessible(page)
