"""Every staff read is audited, whatever the method (issue #16, item 1): a
read page answers only the methods it uses (405 with none of her data
otherwise), and any answer that carries her data to her nurse has written
its audit row. The break-in matrix with every method for every intruder."""

from __future__ import annotations

from django.test import Client

from oncopro.accounts.models import AuditEvent
from tests.helpers import sign_in
from tests.personas import World
from tests.test_access import ALICE_SECRETS, alice_urls

METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")


def carries_her_data(body: str) -> bool:
    return any(secret in body for secret in ALICE_SECRETS)


def reads_of_alice(world: World) -> int:
    return AuditEvent.objects.filter(
        action="patient.read", patient_ref=world.alice.public_id, actor=world.nadia
    ).count()


def test_every_answer_with_her_data_to_her_nurse_is_audited(world: World) -> None:
    nadia = sign_in(Client(), world.nadia)
    tried = with_data = refused = 0
    for route, url, _rule in alice_urls(world):
        for method in METHODS:
            before = reads_of_alice(world)
            response = getattr(nadia, method)(url)
            body = response.content.decode(errors="replace")
            tried += 1
            if response.status_code == 405:
                refused += 1
                assert not carries_her_data(body), (method, route)
            if carries_her_data(body) or (method == "head" and response.status_code == 200):
                with_data += 1
                assert reads_of_alice(world) > before, (method, route, response.status_code)
    print(f"{tried} URL x method answers to her nurse, {with_data} with her data, {refused} 405")
    assert tried > 150
    assert with_data > 10
    assert refused > 50


def test_intruders_get_nothing_of_hers_by_any_method(world: World) -> None:
    tried = 0
    for name, person in world.outsiders.items():
        client = sign_in(Client(), person)
        for route, url, _rule in alice_urls(world):
            for method in ("post", "put", "options", "trace"):
                response = getattr(client, method)(url)
                tried += 1
                assert response.status_code in (403, 404, 405), (name, method, route)
                assert not carries_her_data(response.content.decode(errors="replace")), (
                    name, method, route,
                )  # fmt: skip
    print(f"{tried} URL x method x intruder answers, none with her data")
    assert tried > 200


def test_intruders_get_nothing_of_hers_from_the_api_or_fhir_by_any_method(world: World) -> None:
    """Issue #16, item 7: the API and FHIR too, each intruder with a token of
    their own and with the browser session they have."""
    from oncopro.accounts.actions import create_api_token
    from oncopro.accounts.audit import Actor

    alice_id = world.alice.public_id
    urls = (
        f"/api/v1/patients/{alice_id}/checkins",
        f"/fhir/r4/Patient/{alice_id}",
        f"/fhir/r4/Patient/{alice_id}/$everything",
        f"/fhir/r4/Observation?patient=Patient/{alice_id}",
    )
    tried = 0
    for name, person in world.outsiders.items():
        token, _ = create_api_token(person, "intruder", by=Actor.system("test"))
        clients = {
            "token": Client(headers={"Authorization": f"Bearer {token}"}),
            "session": sign_in(Client(), person),
        }
        for how, client in clients.items():
            for url in urls:
                for method in ("get", "post", "put", "delete", "options", "trace"):
                    response = getattr(client, method)(url)
                    tried += 1
                    # Refused: by the gate, or for a body that is not JSON (which says
                    # nothing of her either).
                    assert response.status_code in (401, 403, 404, 405, 415), (
                        name,
                        how,
                        method,
                        url,
                    )
                    body = response.content.decode(errors="replace")
                    assert not carries_her_data(body), (name, how, method, url)
    print(f"{tried} API and FHIR URL x method x intruder answers, none with her data")
    assert tried >= 4 * 2 * 4 * 6
