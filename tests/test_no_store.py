"""Health pages are never cached (issue #16, item 3): every answer that can
carry her data says no-store, from one place, whatever page or method."""

from __future__ import annotations

from typing import Any

from django.test import Client

from oncopro.accounts.actions import create_api_token
from oncopro.accounts.audit import Actor
from oncopro.care.access import Rule
from tests.helpers import sign_in
from tests.personas import World
from tests.test_access import alice_urls


def assert_not_cached(response: Any, where: str) -> None:
    assert "no-store" in response.get("Cache-Control", ""), (where, response.get("Cache-Control"))
    assert "private" in response["Cache-Control"], where
    assert response.get("Pragma") == "no-cache", where


def test_every_patient_url_says_no_store_to_her_nurse_and_to_her(world: World) -> None:
    nadia, alice = sign_in(Client(), world.nadia), sign_in(Client(), world.alice.user)
    walked = 0
    for route, url, rule in alice_urls(world):
        client = nadia if rule in (Rule.CARE_TEAM, Rule.PATIENT) else alice
        for method in ("get", "post"):
            assert_not_cached(getattr(client, method)(url), f"{method} {route}")
            walked += 1
    assert walked > 30


def test_the_api_fhir_and_the_live_poll_say_no_store_too(world: World) -> None:
    token, _ = create_api_token(world.alice.user, "phone", by=Actor.system("test"))
    bearer = Client(headers={"Authorization": f"Bearer {token}"})
    alice_id = world.alice.public_id
    for url in (
        f"/api/v1/patients/{alice_id}/checkins",
        f"/fhir/r4/Patient/{alice_id}",
        f"/fhir/r4/Patient/{alice_id}/$everything",
        "/fhir/r4/Observation?patient=" + str(alice_id),
    ):
        assert_not_cached(bearer.get(url), url)
    nadia = sign_in(Client(), world.nadia)
    for url in ("/team/alerts/", "/team/alerts/live/"):
        assert_not_cached(nadia.get(url), url)
    # Signed out, a refusal and the sign-in page too: nothing is kept.
    assert_not_cached(Client().get(f"/patients/{alice_id}/"), "signed out")
    assert_not_cached(Client().get("/accounts/login/"), "login")


def test_static_files_keep_their_caching(client: Client) -> None:
    response = client.get("/static/oncopro/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
