"""Steps of a person's journey that several browser tests take."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.test_browser_signin import log_in


def weekly_with_moderate_pain(page: Page, base: str, email: str | None, temperature: str) -> None:
    """Sign in, tick pain, answer "Moderate", type a temperature and send."""
    assert email, "an account with an email address"
    log_in(page, base, email)
    page.get_by_role("link", name="Start your weekly check-in").click()
    page.get_by_role("checkbox", name="Pain").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role(
        "group", name="In the last 7 days, how bad was your pain at its worst?"
    ).get_by_label("Moderate").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("What is your temperature now, in degrees Celsius?").fill(temperature)
    page.get_by_role("button", name="Send to my care team").click()
