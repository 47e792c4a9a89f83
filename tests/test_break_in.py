"""Break-in attempts that are not about guessing ids (the access matrices in
test_access.py, test_api.py and test_fhir.py cover those): forged forms,
stolen sessions, and script hidden in stored text."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from oncopro.accounts.audit import Actor
from oncopro.alerts.actions import process_outbox
from oncopro.alerts.models import Alert
from oncopro.care.access import Rule
from oncopro.checkins.actions import submit_checkin
from oncopro.reports.models import VisitQuestion
from tests.browser import assert_accessible
from tests.helpers import sign_in
from tests.personas import BY, World, make_world
from tests.test_access import alice_urls
from tests.test_browser_signin import code_for, log_in

SCRIPT = '<script>window.__pwned = "script"</script><img src=x onerror="window.__pwned=\'img\'">'


def _forged(client: Client) -> Client:
    """The same signed-in browser, now posting without the CSRF token (as
    a form on another site would)."""
    client.handler.enforce_csrf_checks = True
    return client


def test_every_form_refuses_a_post_without_its_csrf_token(world: World) -> None:
    alice = _forged(sign_in(Client(), world.alice.user))
    nadia = _forged(sign_in(Client(), world.nadia))
    adam = _forged(sign_in(Client(), world.adam))
    tried = 0
    for route, url, rule in alice_urls(world):
        client = nadia if rule is Rule.CARE_TEAM else alice
        response = client.post(url, {"text": "x", "outcome": "no_action"})
        assert response.status_code == 403, (route, response.status_code)
        tried += 1
    staff_forms = [
        (nadia, reverse("care:team_patients")),
        (adam, reverse("clinic:deadlines", kwargs={"clinic_id": world.clinic.pk})),
        (
            adam,
            reverse(
                "clinic:on_call", kwargs={"clinic_id": world.clinic.pk, "team_id": world.team.pk}
            ),
        ),
    ]
    for client, url in staff_forms:
        assert client.post(url, {"urgent_minutes": "1"}).status_code == 403, url
        tried += 1
    # The session-authenticated API refuses too (tokens need no CSRF: no cookie).
    api = f"/api/v1/patients/{world.alice.public_id}/checkins"
    body = {"id": str(uuid.uuid4()), "answers": {"fatigue": {"severity": 1}}}
    assert alice.post(api, body, content_type="application/json").status_code in (401, 403)
    for url in (reverse("accounts:login"), reverse("accounts:logout")):
        assert _forged(Client()).post(url, {"username": "x"}).status_code == 403
        tried += 1
    assert tried >= 15
    world.alice.refresh_from_db()
    assert world.alice.checkins.count() == 1  # the one alice_urls made; nothing forged


def test_a_stolen_session_dies_when_she_signs_out(world: World) -> None:
    alice = sign_in(Client(), world.alice.user)
    thief = Client()
    thief.cookies = alice.cookies  # copied from her browser
    page = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    assert thief.get(page).status_code == 200
    alice.post(reverse("accounts:logout"))
    response = thief.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_stolen_session_dies_when_her_password_changes(world: World) -> None:
    alice = sign_in(Client(), world.alice.user)
    thief = Client()
    thief.cookies = alice.cookies
    page = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    assert thief.get(page).status_code == 200
    world.alice.user.set_password("a new long passphrase for alice")
    world.alice.user.save()
    response = thief.get(page)
    assert response.status_code == 302
    assert "Alice" not in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_script_in_stored_text_never_runs(page: Page, browser: Browser, live_server) -> None:
    world = make_world()
    checkin = submit_checkin(
        world.alice,
        author=world.alice.user,
        client_id=uuid.uuid4(),
        answers={"temperature_c": 38.4, "pain": {"severity": 2, "location": SCRIPT}},
        notes={"pain_feels_like": SCRIPT, "pain_what_helps": SCRIPT},
        by=BY,
    ).checkin
    process_outbox()
    VisitQuestion.objects.create(patient=world.alice, text=SCRIPT, written_by=world.alice.user)
    from oncopro.alerts.actions import resolve

    resolve(
        Alert.objects.get(),
        outcome="called_patient",
        note=SCRIPT,
        share_outcome=True,
        message_to_patient=SCRIPT,
        by=Actor(world.nadia),
    )
    dialogs: list[str] = []

    def visit(p: Page, path: str) -> None:
        p.goto(f"{live_server.url}{path}")
        assert p.evaluate("window.__pwned") is None, path
        # Escaped, the text is shown as text.
        expect(p.get_by_text('<script>window.__pwned = "script"</script>').first).to_be_visible()
        # And were escaping ever to fail, the CSP would still refuse an inline
        # script: one added to the page now does not run.
        ran = p.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.__csp = 1'; document.body.appendChild(s);"
            " return window.__csp }"
        )
        assert ran is None, path

    page.on("dialog", lambda d: dialogs.append(d.message))
    log_in(page, live_server.url, world.alice.user.email)
    alice_id = world.alice.public_id
    for path in (
        f"/patients/{alice_id}/",
        f"/patients/{alice_id}/check-ins/{checkin.client_id}/",
        f"/patients/{alice_id}/visit-summary/",
    ):
        visit(page, path)
    assert_accessible(page)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    nadia = context.new_page()
    nadia.on("dialog", lambda d: dialogs.append(d.message))
    log_in(nadia, live_server.url, world.nadia.email)
    key = nadia.get_by_test_id("totp-key").inner_text()
    nadia.get_by_label("6-digit code").fill(code_for(key))
    nadia.get_by_role("button", name="Finish setup").click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Alerts")
    alert = Alert.objects.get()
    for path in (
        f"/patients/{alice_id}/alerts/{alert.pk}/",
        f"/patients/{alice_id}/timeline/",
        f"/patients/{alice_id}/visit-summary/",
    ):
        visit(nadia, path)
    context.close()
    assert dialogs == []
