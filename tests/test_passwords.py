"""Passwords: a forgotten one is reset by a link emailed to her (read here
from a real SMTP server on loopback), with the same answer whether or not the
address has an account, and at most a few emails an hour; changing one ends
every other session of hers. Both are audited."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from oncopro.accounts.actions import RESETS_PER_HOUR
from oncopro.accounts.models import AuditEvent
from tests.helpers import sign_in
from tests.personas import PASSWORD, World
from tests.smtp import body_text, smtp_server

NEW = "a brand new password 2026"
SENT_PAGE = "If that address belongs to an account here"


def ask_for_a_link(client: Client, email: str | None) -> str:
    assert email, "an account with an email address"
    response = client.post(reverse("accounts:password_reset"), {"email": email}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def signs_in(email: str | None, password: str) -> bool:
    assert email, "an account with an email address"
    response = Client().post(reverse("accounts:login"), {"username": email, "password": password})
    return response.status_code == 302


def signed_in(client: Client) -> bool:
    """Her home page, or the sign-in page instead."""
    response = client.get(reverse("home"))
    return response.status_code == 302 and "/accounts/login/" not in response["Location"]


def the_link(message) -> str:
    body = body_text(message)
    match = re.search(r"http://\S+/accounts/password-reset/\S+/\S+/", body)
    assert match, body
    return match.group(0).removeprefix("http://127.0.0.1:8000")


def test_a_forgotten_password_is_reset_by_the_emailed_link(world: World, settings) -> None:
    alice = world.alice.user
    with smtp_server(settings) as inbox:
        page = ask_for_a_link(Client(), alice.email)
        assert SENT_PAGE in page
        [message] = inbox.messages
    assert message["To"] == alice.email
    body = body_text(message)
    assert "Alice" not in body  # no name, no clinic, no health detail
    assert "Riverside" not in body
    client = Client()
    form = client.get(the_link(message), follow=True)
    assert "Set a new password" in form.content.decode()
    set_page = form.redirect_chain[-1][0]  # Django swaps the token out of the address
    assert "set-password" in set_page
    refused = client.post(set_page, {"new_password1": "short", "new_password2": "short"})
    assert "too short" in refused.content.decode()
    done = client.post(set_page, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert "Your new password is saved" in done.content.decode()
    assert signs_in(alice.email, NEW)
    assert not signs_in(alice.email, PASSWORD)
    # The link works once.
    again = Client().get(the_link(message), follow=True).content.decode()
    assert "This link does not work any more" in again
    actions = AuditEvent.objects.filter(object_ref=str(alice.pk)).values_list("action", flat=True)
    assert {"user.password_reset_sent", "user.password_reset"} <= set(actions)


def test_an_unknown_address_gets_the_same_answer_and_no_email(world: World, settings) -> None:
    with smtp_server(settings) as inbox:
        page = ask_for_a_link(Client(), "nobody@example.org")
        assert SENT_PAGE in page
        assert inbox.messages == []


def test_at_most_a_few_emails_an_hour_go_to_one_account(world: World, settings) -> None:
    with smtp_server(settings) as inbox:
        for _ in range(RESETS_PER_HOUR + 2):
            assert SENT_PAGE in ask_for_a_link(Client(), world.carol.email)
        assert len(inbox.messages) == RESETS_PER_HOUR


def test_changing_her_password_ends_every_other_session(world: World) -> None:
    alice = world.alice.user
    here, elsewhere = sign_in(Client(), alice), sign_in(Client(), alice)
    assert signed_in(elsewhere)
    wrong = here.post(
        reverse("accounts:password_change"),
        {"old_password": "not it", "new_password1": NEW, "new_password2": NEW},
    )
    assert "That is not your password now" in wrong.content.decode()
    done = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert "Your password is changed" in done.content.decode()
    assert signed_in(here)
    assert not signed_in(elsewhere)  # signed out everywhere else
    assert AuditEvent.objects.filter(
        action="user.password_change", object_ref=str(alice.pk)
    ).exists()


def test_staff_who_change_their_password_keep_their_second_step(world: World) -> None:
    nadia = sign_in(Client(), world.nadia)
    nadia.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert nadia.get(reverse("alerts:queue")).status_code == 200
