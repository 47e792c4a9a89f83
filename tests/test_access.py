"""The one access gate: who sees which patient, proven URL by URL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import AuditEvent
from oncopro.alerts.actions import process_outbox
from oncopro.alerts.models import Alert
from oncopro.care import actions
from oncopro.care.access import Rule, visible_patients
from oncopro.checkins.actions import submit_checkin
from oncopro.reports.models import VisitQuestion
from tests.helpers import sign_in
from tests.personas import World

# URL patterns whose callbacks are not our views. Anything added here needs a
# reason a reviewer would accept.
API_PREFIX = "api/v1/"
ALLOWED_WITHOUT_RULE: dict[str, str] = {
    "api/v1/openapi.json": "the API's schema: no patient data",
}


PATIENT_RULES = (Rule.PATIENT, Rule.PATIENT_SELF, Rule.REPORTER, Rule.CARE_TEAM)


def is_api_operation(route: str) -> bool:
    # django-ninja routes: every operation declares its rule with @rule,
    # checked by test_every_api_operation_declares_an_access_rule.
    return route.startswith(API_PREFIX) and route not in ALLOWED_WITHOUT_RULE


def walk(
    patterns: list, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, URLPattern, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            yield prefix + str(entry.pattern), entry, namespace


def rule_of(pattern: URLPattern) -> Rule | None:
    return getattr(pattern.callback, "access_rule", None)


def all_patterns() -> list[tuple[str, URLPattern]]:
    return [(route, pattern) for route, pattern, _ in walk(get_resolver().url_patterns)]


def test_every_url_declares_an_access_rule() -> None:
    missing = [
        route
        for route, pattern in all_patterns()
        if getattr(pattern.callback, "access_rule", None) not in set(Rule)
        and route not in ALLOWED_WITHOUT_RULE
        and not is_api_operation(route)
    ]
    assert not missing, f"URL patterns without an access rule: {missing}"


def test_every_api_operation_declares_an_access_rule() -> None:
    from oncopro.checkins.api import api

    operations = [
        operation
        for router in (router for _prefix, router in api._routers)
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    ]
    assert operations
    for operation in operations:
        assert getattr(operation.view_func, "access_rule", None) in set(Rule), operation
    api_routes = [route for route, _ in all_patterns() if is_api_operation(route)]
    assert api_routes  # the API is mounted


def test_every_patient_url_takes_the_patient_id() -> None:
    for route, pattern in all_patterns():
        if rule_of(pattern) in PATIENT_RULES:
            assert "<uuid:patient_id>" in route, route


def alice_urls(world: World) -> list[tuple[str, str, Rule]]:
    """Every URL of the project that shows or changes something of Alice's,
    filled in with her objects. A new kind of URL argument must be added
    here, or this fails: no Alice URL escapes the matrix."""
    checkin = submit_checkin(
        world.alice,
        author=world.alice.user,
        client_id=uuid.uuid4(),
        answers={"temperature_c": 37.8, "pain": {"severity": 2}},
        by=Actor.system("test"),
    ).checkin
    process_outbox()  # the worker turns her urgent check-in into an alert
    values = {
        "patient_id": world.alice.public_id,
        "link_id": world.carol_link.pk,
        "checkin_id": checkin.client_id,
        "alert_id": Alert.objects.get(patient=world.alice).pk,
        "question_id": VisitQuestion.objects.create(
            patient=world.alice, text="Can I travel?", written_by=world.alice.user
        ).pk,
        "invitation_id": actions.invite_caregiver(
            world.alice, "friend@example.org", by=Actor.system("test")
        ).pk,
    }
    urls = []
    for route, pattern, namespace in walk(get_resolver().url_patterns):
        rule = rule_of(pattern)
        if rule is None or rule not in PATIENT_RULES:
            continue
        names = list(pattern.pattern.converters)
        unknown = [name for name in names if name not in values]
        assert not unknown, f"{route}: add a value for {unknown} to alice_urls()"
        assert pattern.name, f"{route} needs a name"
        assert namespace, f"{route} lives in no app namespace"
        url = reverse(f"{namespace}:{pattern.name}", kwargs={n: values[n] for n in names})
        urls.append((route, url, rule))
    assert urls, "no patient URLs found"
    return urls


ALICE_SECRETS = ("Alice Example", "alice.example@example.org", "1966", "capecitabine", "37.8")


@pytest.mark.parametrize("outsider", ["oscar", "eve", "bob", "adam", "olive"])
def test_outsiders_get_nothing_of_alice(world: World, outsider: str) -> None:
    client = sign_in(Client(), world.outsiders[outsider])
    tried = 0
    for route, url, _rule in alice_urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            tried += 1
            assert response.status_code in (403, 404), (outsider, method, route)
            body = response.content.decode()
            for secret in ALICE_SECRETS:
                assert secret not in body, (outsider, method, route, secret)
    assert tried >= 6
    # Nothing they did changed Alice's caregivers.
    assert world.alice.caregiver_links.filter(revoked_at__isnull=True).count() == 1


def test_logged_out_visitor_is_sent_to_sign_in(world: World) -> None:
    client = Client()
    for _route, url, _rule in alice_urls(world):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert "Alice" not in response.content.decode()


def test_alice_her_caregiver_and_her_nurse_see_her_page(world: World) -> None:
    url = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    for person in (world.alice.user, world.carol, world.nadia):
        response = sign_in(Client(), person).get(url)
        assert response.status_code == 200
        assert "Alice Example" in response.content.decode()


def test_only_alice_manages_her_caregivers(world: World) -> None:
    url = reverse("care:caregivers", kwargs={"patient_id": world.alice.public_id})
    assert sign_in(Client(), world.alice.user).get(url).status_code == 200
    assert sign_in(Client(), world.carol).get(url).status_code == 404
    assert sign_in(Client(), world.nadia).get(url).status_code == 404


def test_care_team_pages_are_for_her_team_only(world: World) -> None:
    urls = [(route, url) for route, url, rule in alice_urls(world) if rule is Rule.CARE_TEAM]
    assert urls
    for person in (world.alice.user, world.carol):
        client = sign_in(Client(), person)
        for route, url in urls:
            assert client.get(url).status_code == 404, (person, route)
            assert client.post(url).status_code == 404, (person, route)
    nadia = sign_in(Client(), world.nadia)
    pages = [url for route, url in urls if not route.endswith(("acknowledge/", "resolve/"))]
    assert all(nadia.get(url).status_code == 200 for url in pages)


def test_an_unknown_patient_id_looks_like_a_forbidden_one(world: World) -> None:
    client = sign_in(Client(), world.nadia)
    unknown = client.get(reverse("care:patient", kwargs={"patient_id": uuid.uuid4()}))
    other_clinic = sign_in(Client(), world.oscar).get(
        reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    )
    assert unknown.status_code == other_clinic.status_code == 404


def test_visible_patients_is_exactly_the_circle_of_care(world: World) -> None:
    assert list(visible_patients(world.alice.user)) == [world.alice]
    assert list(visible_patients(world.carol)) == [world.alice]
    assert set(visible_patients(world.nadia)) == {world.alice, world.bob}
    for person in world.outsiders.values():
        assert world.alice not in visible_patients(person)


def test_revoking_a_caregiver_takes_effect_on_her_next_request(world: World) -> None:
    url = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    carol = sign_in(Client(), world.carol)
    assert carol.get(url).status_code == 200
    alice = sign_in(Client(), world.alice.user)
    revoke = reverse(
        "care:revoke_caregiver",
        kwargs={"patient_id": world.alice.public_id, "link_id": world.carol_link.pk},
    )
    # "Are you sure?" first: nothing changes until she says yes.
    asked = alice.post(revoke).content.decode()
    assert "Are you sure? Carol Carer will no longer see your reports" in asked
    assert carol.get(url).status_code == 200
    response = alice.post(revoke, {"confirm": "yes"})
    assert response.status_code == 302
    gone = carol.get(url)  # same session, no sign-out needed
    assert gone.status_code == 404
    body = gone.content.decode()
    assert "Your access has ended" in body  # told plainly, not "not found"
    assert "data-forget-drafts" in body  # what she was writing is cleared
    assert "Alice" not in body
    # Someone who never had access still gets the plain "not found".
    oscar = sign_in(Client(), world.oscar).get(url).content.decode()
    assert "We could not find that page" in oscar


def test_alice_invites_a_caregiver_who_sees_nothing_until_accepting(world: World) -> None:
    from tests.personas import make_caregiver

    dan = make_caregiver("Dan Helper")
    url = reverse("care:caregivers", kwargs={"patient_id": world.alice.public_id})
    alice = sign_in(Client(), world.alice.user)
    response = alice.post(url, {"email": "DAN.HELPER@example.org", "relationship": "son"})
    assert response.status_code == 302
    assert world.alice not in visible_patients(dan)
    # A mistyped address is explained, and what she typed is kept.
    response = alice.post(url, {"email": "nobody@example", "relationship": "friend"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "does not look like an email address" in body
    assert 'value="nobody@example"' in body
    assert 'value="friend"' in body
    own = alice.post(url, {"email": world.alice.user.email}).content.decode()
    assert "That is your own email address" in own


def test_staff_reads_are_audited_and_patient_reads_are_not(world: World) -> None:
    url = reverse("care:patient", kwargs={"patient_id": world.alice.public_id})
    before = AuditEvent.objects.filter(action="patient.read").count()
    sign_in(Client(), world.alice.user).get(url)
    assert AuditEvent.objects.filter(action="patient.read").count() == before
    sign_in(Client(), world.nadia).get(url)
    event = AuditEvent.objects.filter(action="patient.read").latest("id")
    assert event.actor == world.nadia
    assert event.patient_ref == world.alice.public_id
    assert event.ip == "127.0.0.1"


def test_team_list_read_is_audited_per_patient(world: World) -> None:
    response = sign_in(Client(), world.nadia).get(reverse("care:team_patients"))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="patient.list").latest("id")
    assert set(event.detail["patients"]) == {str(world.alice.public_id), str(world.bob.public_id)}


def test_clinic_admin_sees_teams_but_no_patient(world: World) -> None:
    adam = sign_in(Client(), world.adam)
    response = adam.get(reverse("clinic:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "clinic:settings", kwargs={"clinic_id": world.clinic.pk}
    )
    body = adam.get(reverse("clinic:teams", kwargs={"clinic_id": world.clinic.pk})).content
    assert "Breast Oncology" in body.decode()
    assert "Alice" not in body.decode()
    # Her enrolment details are his to see (test_clinic_admin.py); her data never.
    assert sign_in(Client(), world.adam).get(reverse("care:team_patients")).status_code == 200
    assert list(visible_patients(world.adam)) == []


def test_patients_and_caregivers_cannot_open_staff_pages(world: World) -> None:
    for person in (world.alice.user, world.carol):
        response = sign_in(Client(), person).get(reverse("care:team_patients"))
        assert response.status_code == 403


def test_inactive_accounts_see_nothing(world: World) -> None:
    world.carol.is_active = False
    world.carol.save()
    assert list(visible_patients(world.carol)) == []
    actions.set_clinical_context(
        world.alice, known_metastatic_sites=["bone"], therapies=[], by=Actor.system("t")
    )
