"""FHIR R4: every resource we make and serve is valid R4 by tools that are
not ours, the REST server reads and searches through the same gate, and
an independent client (fhirpy) reads a patient over real HTTP."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from oncopro.accounts.actions import create_api_token
from oncopro.accounts.audit import Actor
from oncopro.accounts.models import AuditEvent, User
from oncopro.alerts import actions as alert_actions
from oncopro.alerts.actions import process_outbox
from oncopro.alerts.models import Alert
from oncopro.alerts.queries import open_queue
from oncopro.care import actions as care_actions
from oncopro.care.access import Relation, Rule, on_her_team
from oncopro.care.models import Patient
from oncopro.care.panel import team_patients_of
from oncopro.checkins.actions import submit_checkin
from oncopro.checkins.models import CheckIn
from oncopro.fhir import mapping, server
from tests.fhir_validation import problems
from tests.helpers import sign_in
from tests.personas import BY, World

ANSWERS = {
    "temperature_c": 38.2,
    "pain": {"frequency": 2, "severity": 2, "location": "lower back"},
    "coughing_blood": {"present": True, "amount": "streaks"},
    "nausea": {"frequency": 0},
    "vomiting": {"times_24h": 2},
}


def fill(world: World) -> CheckIn:
    """A caregiver's report with every kind of answer, an alert seen and
    closed, a later one open, spread and medicines."""
    care_actions.set_clinical_context(
        world.alice,
        known_metastatic_sites=["bone", "liver"],
        therapies=["capecitabine", "zoledronic acid", "pegylated liposomal doxorubicin"],
        by=BY,
    )
    checkin = submit_checkin(
        world.alice, author=world.carol, client_id=uuid.uuid4(), answers=ANSWERS, by=BY
    ).checkin
    process_outbox()
    alert_actions.resolve(Alert.objects.get(), outcome="called_patient", by=Actor(world.nadia))
    submit_checkin(
        world.alice,
        author=world.alice.user,
        client_id=uuid.uuid4(),
        answers={"seizure": {"present": True}},
        by=BY,
    )
    process_outbox()
    return checkin


def token_client(user: User) -> Client:
    token, _ = create_api_token(user, "fhir test", by=BY)
    return Client(headers={"Authorization": f"Bearer {token}"})


def get(client: Client, path: str, **params: str) -> tuple[int, dict]:
    response = client.get(f"/fhir/r4/{path}", params)
    assert response["Content-Type"] == "application/fhir+json"
    return response.status_code, json.loads(response.content)


def test_every_resource_we_make_is_valid_r4(world: World) -> None:
    checkin = fill(world)
    resources = server.everything(world.alice, Relation.CARE_TEAM)
    kinds = {resource.get_resource_type() for resource in resources}
    assert kinds == set(server.RESOURCE_TYPES)
    for resource in resources:
        assert not problems(mapping.as_json(resource))
    response = mapping.as_json(mapping.questionnaire_response(checkin))
    assert response["author"] == {"type": "RelatedPerson", "display": "Carol Carer (caregiver)"}
    ids = [resource.id for resource in resources]
    assert len(ids) == len(set(ids))
    assert all(i is not None and len(i) <= 64 for i in ids)


def test_the_questionnaire_branches_like_the_check_in(world: World) -> None:
    data = mapping.as_json(mapping.questionnaire())
    pain = next(item for item in data["item"] if item["linkId"] == "pain")
    severity = next(item for item in pain["item"] if item["linkId"] == "pain.severity")
    assert severity["enableWhen"] == [
        {"question": "pain.frequency", "operator": "!=", "answerInteger": 0}
    ]


def test_spread_is_coded_with_snomed_where_we_could_check_the_code(world: World) -> None:
    fill(world)
    conditions = [mapping.as_json(c) for c in mapping.conditions(world.alice)]
    by_site = {c["bodySite"][0]["text"]: c for c in conditions}
    assert by_site["Bone"]["code"]["coding"][0]["code"] == "128462008"
    assert by_site["Bone"]["bodySite"][0]["coding"][0] == {
        "system": "http://snomed.info/sct", "code": "272673000", "display": "Bone structure"
    }  # fmt: skip
    assert [c["system"] for c in by_site["Liver"]["bodySite"][0]["coding"]] == [mapping.SITE_SYSTEM]


def test_metadata_is_a_valid_capability_statement(world: World) -> None:
    status, data = get(Client(), "metadata")
    assert status == 200
    assert data["fhirVersion"] == "4.0.1"
    assert not problems(data)


def test_reads_and_searches_through_the_gate(world: World) -> None:
    fill(world)
    alice_id = str(world.alice.public_id)
    for person in (world.alice.user, world.carol, world.nadia):
        client = token_client(person)
        status, bundle = get(client, f"Patient/{alice_id}/$everything")
        assert status == 200
        assert not problems(bundle)
        for entry in bundle["entry"]:
            resource = entry["resource"]
            status, again = get(client, f"{resource['resourceType']}/{resource['id']}")
            assert status == 200, resource["resourceType"]
            assert again == resource
        status, found = get(client, "Observation", patient=f"Patient/{alice_id}")
        assert status == 200
        assert found["total"] >= 3  # pain, nausea, temperature
        assert not problems(found)
    nadia = token_client(world.nadia)
    status, flags = get(nadia, "Flag", patient=alice_id, date="ge2020-01-01")
    assert [e["resource"]["status"] for e in flags["entry"]] == ["inactive", "active"]
    status, tasks = get(nadia, "Task", patient=alice_id)
    assert [e["resource"]["status"] for e in tasks["entry"]] == ["completed", "requested"]
    status, none = get(nadia, "QuestionnaireResponse", patient=alice_id, date="lt2020-01-01")
    assert none["total"] == 0
    reads = AuditEvent.objects.filter(actor=world.nadia, action="patient.read", detail__view="fhir")
    assert reads.count() >= 3


def test_errors_are_operation_outcomes(world: World) -> None:
    fill(world)
    alice_id = str(world.alice.public_id)
    status, outcome = get(Client(), f"Patient/{alice_id}")
    assert status == 401
    assert outcome["resourceType"] == "OperationOutcome"
    assert not problems(outcome)
    nadia = token_client(world.nadia)
    for path, params, expected in (
        ("Observation", {}, 400),  # no patient
        ("Observation", {"patient": alice_id, "date": "ge-yesterday"}, 400),
        ("Condition", {"patient": alice_id, "date": "ge2026-01-01"}, 400),
        ("Encounter", {"patient": alice_id}, 404),
        (f"Observation/{uuid.uuid4()}.pain", {}, 404),
        ("Flag/alert-999999", {}, 404),
        ("Patient/not-a-uuid", {}, 404),
    ):
        status, outcome = get(nadia, path, **params)
        assert status == expected, (path, params)
        assert outcome["resourceType"] == "OperationOutcome"
        assert not problems(outcome)
    response = nadia.post(f"/fhir/r4/Patient/{alice_id}", {})
    assert response.status_code == 405


@pytest.mark.parametrize("outsider", ["oscar", "eve", "bob", "adam", "olive"])
def test_outsiders_get_nothing_of_alice_over_fhir(world: World, outsider: str) -> None:
    fill(world)
    client = token_client(world.outsiders[outsider])
    alice_id = str(world.alice.public_id)
    ids = [
        (r.get_resource_type(), r.id) for r in server.everything(world.alice, Relation.CARE_TEAM)
    ]
    paths = [f"{kind}/{rid}" for kind, rid in ids if kind != "Questionnaire"]
    paths += [f"Patient/{alice_id}/$everything"]
    for path in paths:
        status, data = get(client, path)
        assert status == 404, (outsider, path)
        assert "Alice" not in json.dumps(data)
    for kind in server.RESOURCE_TYPES[:-1]:
        status, data = get(client, kind, patient=alice_id)
        assert status == 404, (outsider, kind)
    status, mine = get(client, "Patient")
    assert "Alice" not in json.dumps(mine)


def test_she_downloads_all_her_data(world: World) -> None:
    fill(world)
    url = reverse("fhir:my_data", kwargs={"patient_id": world.alice.public_id})
    for person in (world.alice.user, world.carol):
        response = sign_in(Client(), person).get(url)
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        bundle = json.loads(response.content)
        assert bundle["type"] == "collection"
        assert not problems(bundle)
    assert sign_in(Client(), world.nadia).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="patient.export").count() == 2


def test_an_admin_exports_her_bundle_from_the_command_line(world: World, tmp_path: Path) -> None:
    fill(world)
    out = tmp_path / "alice.json"
    call_command("export-fhir", "--patient", str(world.alice.public_id), "--output", str(out))
    bundle = json.loads(out.read_text())
    assert not problems(bundle)
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} >= {"Patient", "Observation"}
    with pytest.raises(CommandError, match="not a patient id"):
        call_command("export-fhir", "--patient", "alice")
    with pytest.raises(CommandError, match="no patient"):
        call_command("export-fhir", "--patient", str(uuid.uuid4()))


@pytest.mark.django_db(transaction=True)
def test_fhirpy_reads_her_resources_from_a_live_server(live_server) -> None:
    from fhirpy import SyncFHIRClient

    from tests.personas import make_world

    world = make_world()
    fill(world)
    token, _ = create_api_token(world.nadia, "fhirpy", by=BY)
    client = SyncFHIRClient(f"{live_server.url}/fhir/r4", authorization=f"Bearer {token}")
    patient = client.reference("Patient", str(world.alice.public_id)).to_resource()
    assert patient["name"][0]["text"] == "Alice Example"
    observations = (
        client.resources("Observation").search(patient=str(world.alice.public_id)).fetch_all()
    )
    assert len(observations) >= 3
    assert {o["category"][0]["coding"][0]["code"] for o in observations} == {"survey"}
    conditions = client.resources("Condition").search(patient=str(world.alice.public_id)).fetch()
    assert len(conditions) == 2


def test_every_resource_type_declares_who_may_read_it() -> None:
    """As every page and API operation declares its rule, so does every
    FHIR resource type; the gate (care.access.admit) decides by it."""
    assert set(server.RULES) == set(server.RESOURCE_TYPES)
    for resource_type, rule in server.RULES.items():
        assert isinstance(rule, Rule), resource_type
    assert server.RULES["Questionnaire"] is Rule.SIGNED_IN  # the questions, nobody's answers


def test_the_queue_the_panel_and_fhir_agree_on_her_teams_patients(world: World) -> None:
    """One team filter (care.access.on_her_team) behind the queue, the
    panel and a FHIR Patient search by a clinician."""
    fill(world)
    bob_checkin = submit_checkin(
        world.bob, author=world.bob.user, client_id=uuid.uuid4(),
        answers={"seizure": {"present": True}}, by=BY,
    )  # fmt: skip
    assert bob_checkin.created
    process_outbox()
    for clinician in (world.nadia, world.oscar):
        team = set(Patient.objects.filter(on_her_team(clinician)))
        assert set(team_patients_of(clinician)) == team
        assert {alert.patient for alert in open_queue(clinician)} <= team
        status, found = get(token_client(clinician), "Patient")
        assert status == 200
        assert {e["resource"]["id"] for e in found["entry"]} == {str(p.public_id) for p in team}
    assert {alert.patient for alert in open_queue(world.nadia)} == {world.alice, world.bob}
    listed = AuditEvent.objects.filter(actor=world.nadia, action="patient.list")
    assert listed.filter(detail__view="fhir").count() == 1


def test_pages_and_fhir_agree_on_who_reads_her_alerts_and_what_they_say(world: World) -> None:
    """Her alerts are hers to read (her right of access) as well as her
    team's: over FHIR as on her pages. What the team did reaches her and her
    caregivers only once the team shares it, on both; the team sees it."""
    fill(world)
    closed = Alert.objects.get(resolved_at__isnull=False)
    summary = reverse("reports:summary", kwargs={"patient_id": world.alice.public_id})
    did = closed.get_outcome_display()

    def seen(person: User) -> tuple[str | None, str]:
        status, task = get(token_client(person), f"Task/alert-{closed.pk}-task")
        assert status == 200
        assert get(token_client(person), f"Flag/alert-{closed.pk}")[0] == 200
        page = sign_in(Client(), person).get(summary)
        assert page.status_code == 200
        return task.get("businessStatus", {}).get("text"), page.content.decode()

    for person in (world.alice.user, world.carol):
        fhir_says, page = seen(person)
        assert fhir_says is None  # not shared yet
        assert "Closed by Nadia Nurse" in page
        assert did.lower() not in page
    assert seen(world.nadia)[0] == did  # her team sees what was done

    closed.share_outcome = True
    closed.save(update_fields=["share_outcome"])
    for person in (world.alice.user, world.carol):
        fhir_says, page = seen(person)
        assert fhir_says == did
        assert did.lower() in page
    for outsider in world.outsiders.values():
        assert get(token_client(outsider), f"Task/alert-{closed.pk}-task")[0] == 404
        assert sign_in(Client(), outsider).get(summary).status_code == 404
