"""Signing in: email and Argon2 password, two-factor for staff, lockout, session limits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from oncopro.accounts.middleware import LAST_SEEN, LOGIN_AT
from tests.helpers import sign_in, totp_now
from tests.personas import PASSWORD, World, email_of, make_user

LOGIN = "/accounts/login/"


def log_in(client: Client, email: str | None, password: str = PASSWORD):
    assert email, "an account with an email address"
    return client.post(LOGIN, {"username": email, "password": password})


def test_passwords_are_hashed_with_argon2(db: None, settings) -> None:
    settings.PASSWORD_HASHERS = django_settings.PASSWORD_HASHERS.__class__(
        ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    )
    from oncopro.settings import PASSWORD_HASHERS

    assert PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = PASSWORD_HASHERS
    user = make_user("Hash Check", "patient")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(PASSWORD)


def test_patient_signs_in_with_email_in_any_case(world: World) -> None:
    client = Client()
    response = log_in(client, email_of(world.alice.user).upper())
    assert response.status_code == 302
    page = client.get(response["Location"], follow=True)
    assert "Hello, Alice Example" in page.content.decode()


def test_wrong_password_is_explained_and_keeps_the_email(world: World) -> None:
    response = log_in(Client(), world.alice.user.email, "not her password")
    body = response.content.decode()
    assert response.status_code == 200
    assert "do not match an account" in body
    assert f'value="{world.alice.user.email}"' in body


def test_staff_must_set_up_two_factor_before_seeing_anything(world: World) -> None:
    client = Client()
    assert log_in(client, world.nadia.email).status_code == 302
    alice_url = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    response = client.get(alice_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    setup = client.get(response["Location"])
    body = setup.content.decode()
    assert "Set up two-step sign-in" in body
    assert "<svg" in body  # the QR code, inline
    assert "Alice" not in body
    device = TOTPDevice.objects.get(user=world.nadia, confirmed=False)
    wrong = client.post(setup.wsgi_request.get_full_path(), {"code": "000000"})
    assert "That code did not work" in wrong.content.decode()
    too_soon = client.post(setup.wsgi_request.get_full_path(), {"code": totp_now(device)})
    assert "Too many wrong codes. Please wait" in too_soon.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # as if she waited the second it asks for
    done = client.post(
        setup.wsgi_request.get_full_path(), {"code": totp_now(device), "next": alice_url}
    )
    assert done.status_code == 302
    assert done["Location"] == alice_url
    assert "Alice Example" in client.get(alice_url).content.decode()
    device.refresh_from_db()
    assert device.confirmed


def test_staff_with_a_device_type_its_code_each_sign_in(world: World) -> None:
    device = TOTPDevice.objects.create(user=world.nadia, name="phone", confirmed=True)
    client = Client()
    log_in(client, world.nadia.email)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "Type the 6-digit code" in page
    assert "<svg" not in page  # the secret is never shown again
    response = client.post(reverse("accounts:two_factor"), {"code": totp_now(device)})
    assert response.status_code == 302
    assert client.get(reverse("care:team_patients")).status_code == 200


def test_two_factor_refuses_an_outside_next_url(world: World) -> None:
    device = TOTPDevice.objects.create(user=world.nadia, name="phone", confirmed=True)
    client = Client()
    log_in(client, world.nadia.email)
    response = client.post(
        reverse("accounts:two_factor"),
        {"code": totp_now(device), "next": "https://evil.example/steal"},
    )
    assert response["Location"] == "/"


def test_patients_need_no_second_factor(world: World) -> None:
    client = Client()
    log_in(client, world.alice.user.email)
    response = client.get(reverse("accounts:two_factor"))
    assert response.status_code == 302


def test_repeated_wrong_passwords_lock_the_account_out(world: World) -> None:
    client = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(client, world.alice.user.email, "guess")
    locked = log_in(client, world.alice.user.email, PASSWORD)  # even the right one
    assert locked.status_code == 429
    assert "Too many tries" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def _age_session(client: Client, key: str, minutes: int) -> None:
    session = client.session
    session[key] = (timezone.now() - dt.timedelta(minutes=minutes)).isoformat()
    session.save()


def test_session_ends_after_30_idle_minutes(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    url = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    _age_session(client, LAST_SEEN, 29)
    assert client.get(url).status_code == 200
    _age_session(client, LAST_SEEN, 31)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page
    assert client.get(url).status_code == 302  # still out


def test_session_ends_after_12_hours_however_active(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    url = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    _age_session(client, LOGIN_AT, 12 * 60 - 1)
    assert client.get(url).status_code == 200
    _age_session(client, LOGIN_AT, 12 * 60 + 1)
    assert client.get(url).status_code == 302


def test_background_requests_do_not_keep_a_session_alive(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    url = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    _age_session(client, LAST_SEEN, 20)
    client.get(url, headers={"X-OncoPRO-Background": "1"})
    last_seen = dt.datetime.fromisoformat(client.session[LAST_SEEN])
    assert timezone.now() - last_seen > dt.timedelta(minutes=19)


def test_logout_needs_post_and_ends_the_session(world: World) -> None:
    client = sign_in(Client(), world.alice.user)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    url = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz"])
def test_security_headers(db: None, path: str) -> None:
    response = Client().get(path)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_session_key_changes_when_two_factor_completes(world: World) -> None:
    """Issue #16 item 5: a key seen before the second step is worth nothing after it."""
    device = TOTPDevice.objects.create(user=world.nadia, name="phone", confirmed=True)
    client = Client()
    log_in(client, world.nadia.email)
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    client.post(reverse("accounts:two_factor"), {"code": totp_now(device)})
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after != before
    thief = Client()
    thief.cookies[django_settings.SESSION_COOKIE_NAME] = before
    assert thief.get(reverse("care:team_patients")).status_code == 302  # to sign in
    assert client.get(reverse("care:team_patients")).status_code == 200


def test_flash_messages_never_carry_names_in_a_cookie(world: World) -> None:
    alice = sign_in(Client(), world.alice.user)
    revoke = reverse(
        "care:revoke_caregiver",
        kwargs={"patient_id": world.alice.public_id, "link_id": world.carol_link.pk},
    )
    response = alice.post(revoke, {"confirm": "yes"})
    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert all("Carol" not in morsel.value for morsel in alice.cookies.values())
    page = alice.get(response["Location"]).content.decode()
    assert "Carol Carer can no longer see your reports." in page  # shown, from the session
