"""Wrong API and FHIR tokens are throttled per address (issue #16, item 6):
past the limit a minute, 429 with Retry-After; only failures count, a valid
token is always accepted; the count is in the database, so every web
process shares it; behind the proxy, the address is the one it saw."""

from __future__ import annotations

from django.test import Client

from oncopro.accounts.actions import create_api_token
from oncopro.accounts.audit import Actor
from oncopro.accounts.models import TokenFailure
from tests.personas import World

WRONG = {"Authorization": "Bearer opro_not-a-real-token"}


def test_wrong_api_tokens_get_429_after_the_limit_and_a_valid_one_still_works(
    world: World, settings
) -> None:
    settings.TOKEN_FAILURES_PER_MINUTE = 3
    url = f"/api/v1/patients/{world.alice.public_id}/checkins"
    wrong = Client(headers=WRONG)
    statuses = [wrong.get(url).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    refused = wrong.get(url)
    assert refused.json() == {
        "error": "Too many wrong tokens from here. Wait a minute, then try again."
    }
    assert 1 <= int(refused["Retry-After"]) <= 60
    token, _ = create_api_token(world.alice.user, "phone", by=Actor.system("test"))
    right = Client(headers={"Authorization": f"Bearer {token}"})
    for _ in range(5):  # from the same address, after all those failures
        assert right.get(url).status_code == 200
    assert TokenFailure.objects.get().failures == 6  # only failures counted


def test_wrong_fhir_tokens_too(world: World, settings) -> None:
    settings.TOKEN_FAILURES_PER_MINUTE = 2
    wrong = Client(headers=WRONG)
    url = f"/fhir/r4/Patient/{world.alice.public_id}"
    assert [wrong.get(url).status_code for _ in range(3)] == [401, 401, 429]
    refused = wrong.get(url)
    assert refused.json()["resourceType"] == "OperationOutcome"
    assert "Retry-After" in refused


def test_behind_the_proxy_each_client_address_has_its_own_count(world: World, settings) -> None:
    settings.TOKEN_FAILURES_PER_MINUTE = 1
    settings.BEHIND_PROXY = True
    url = f"/api/v1/patients/{world.alice.public_id}/checkins"
    one = Client(headers={**WRONG, "X-Forwarded-For": "203.0.113.7"})
    other = Client(headers={**WRONG, "X-Forwarded-For": "203.0.113.99, 198.51.100.4"})
    assert [one.get(url).status_code for _ in range(2)] == [401, 429]
    assert other.get(url).status_code == 401  # another client, its own count
    assert set(TokenFailure.objects.values_list("address", flat=True)) == {
        "203.0.113.7", "198.51.100.4",
    }  # fmt: skip
