"""The JSON API: the contract's check-in in, the triage out, behind the same gate."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oncopro.accounts.actions import create_api_token, revoke_api_token
from oncopro.accounts.audit import Actor
from oncopro.accounts.models import ApiToken, AuditEvent, User
from oncopro.care.models import CaregiverLink, Patient
from oncopro.checkins.models import CheckIn
from tests.helpers import sign_in
from tests.personas import World, email_of

FEVER = {"temperature_c": 37.6, "pain": {"severity": 3, "interference": 3}}


def token_client(user: User) -> Client:
    token, _ = create_api_token(user, "test phone", by=Actor.system("test"))
    return Client(headers={"Authorization": f"Bearer {token}"})


def url(world: World) -> str:
    return f"/api/v1/patients/{world.alice.public_id}/checkins"


def post(client: Client, path: str, body: dict[str, Any]):
    return client.post(path, json.dumps(body), content_type="application/json")


def checkin(answers: dict[str, Any], client_id: uuid.UUID | None = None) -> dict[str, Any]:
    return {"id": str(client_id or uuid.uuid4()), "reporter": "patient", "answers": answers}


def test_a_contract_check_in_gets_the_same_urgency_as_the_cli(world: World) -> None:
    body = checkin(FEVER)
    response = post(token_client(world.alice.user), url(world), body)
    assert response.status_code == 201, response.content
    result = response.json()
    stored = CheckIn.objects.get(client_id=body["id"])
    case = {
        "patient": {
            "care_phase": world.alice.care_phase,
            "therapies": world.alice.therapies,
            "known_metastatic_sites": world.alice.known_metastatic_sites,
        },
        "checkin": {"id": body["id"], "at": stored.at.isoformat(), "answers": FEVER},
    }
    done = subprocess.run(
        [sys.executable, "-m", "oncopro", "triage", "-"],
        input=json.dumps(case), capture_output=True, text=True, check=False,
    )  # fmt: skip
    cli = json.loads(done.stdout)
    assert result["urgency"] == cli["urgency"] == "urgent"
    assert result["result"] == cli


def test_sending_again_is_safe_and_different_answers_are_refused(world: World) -> None:
    client = token_client(world.alice.user)
    body = checkin(FEVER)
    first = post(client, url(world), body)
    again = post(client, url(world), body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    other = post(client, url(world), {**body, "answers": {"fatigue": {"severity": 1}}})
    assert other.status_code == 409
    assert "already sent with different answers" in other.json()["error"]
    assert CheckIn.objects.filter(client_id=body["id"]).count() == 1


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"pain": {"severity": 9}}, "answers.pain.severity: must be a whole number from 0 to 4"),
        ({"yellow": {"present": True}}, "answers.yellow: is not a symptom this pack knows"),
        ({"temperature_c": 3}, "answers.temperature_c: must be from 30 to 45"),
        # Found by schemathesis on PostgreSQL (a 500): text it cannot store.
        ({"pain": {"location": "lower\u0000back"}}, "answers.pain.location: has a character"),
        ({"bone_pain": {"location": "hip \ud800"}}, "answers.bone_pain.location: has a character"),
    ],
)
def test_bad_answers_get_422_naming_the_field(
    world: World, answers: dict[str, Any], message: str
) -> None:
    response = post(token_client(world.alice.user), url(world), checkin(answers))
    assert response.status_code == 422
    assert response.json()["error"].startswith(message)
    assert not CheckIn.objects.exists()


def test_a_caregiver_reports_with_her_own_token(world: World) -> None:
    response = post(token_client(world.carol), url(world), checkin({"fatigue": {"severity": 2}}))
    assert response.status_code == 201
    assert response.json()["reporter"] == "caregiver"


def test_alice_lists_her_check_ins_and_her_nurse_reads_them_audited(world: World) -> None:
    post(token_client(world.alice.user), url(world), checkin(FEVER))
    mine = token_client(world.alice.user).get(url(world))
    assert mine.status_code == 200
    assert [c["urgency"] for c in mine.json()] == ["urgent"]
    nadia = sign_in(Client(), world.nadia).get(url(world))
    assert nadia.status_code == 200
    event = AuditEvent.objects.filter(action="patient.read").latest("id")
    assert (event.actor, event.detail["view"]) == (world.nadia, "api.list_checkins")


def test_the_nurse_reads_but_does_not_report(world: World) -> None:
    response = post(sign_in(Client(), world.nadia), url(world), checkin(FEVER))
    assert response.status_code == 404


@pytest.mark.parametrize("outsider", ["oscar", "eve", "bob", "adam", "olive"])
def test_outsiders_get_nothing_from_the_api(world: World, outsider: str) -> None:
    post(token_client(world.alice.user), url(world), checkin(FEVER))
    person = world.outsiders[outsider]
    clients = [sign_in(Client(), person)]
    if not person.needs_two_factor:
        clients.append(token_client(person))
    for client in clients:
        for response in (client.get(url(world)), post(client, url(world), checkin(FEVER))):
            assert response.status_code == 404, (outsider, response.content)
            body = response.content.decode()
            assert "37.6" not in body
            assert "urgent" not in body
            assert "Alice" not in body
    assert CheckIn.objects.count() == 1


def test_no_or_revoked_credentials_get_401(world: World) -> None:
    assert Client().get(url(world)).status_code == 401
    token, record = create_api_token(world.alice.user, "old phone", by=Actor.system("t"))
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get(url(world)).status_code == 200
    revoke_api_token(record, by=Actor.system("t"))
    assert client.get(url(world)).status_code == 401
    assert ApiToken.objects.get(pk=record.pk).last_used_at is not None
    stolen = Client(headers={"Authorization": "Bearer opro_guessed"})
    assert stolen.get(url(world)).status_code == 401


def test_a_submission_reads_token_patient_and_history_once_each(world: World) -> None:
    """The busiest request: the token's user, the patient the URL names (her
    row, once, and whether she may report for herself is not asked twice),
    her history, then the write (on PostgreSQL one statement)."""
    client = token_client(world.alice.user)
    assert post(client, url(world), checkin(FEVER)).status_code == 201  # the token's first use
    with CaptureQueriesContext(connection) as queries:
        response = post(client, url(world), checkin({"fatigue": {"severity": 1}}))
    assert response.status_code == 201
    statements = [query["sql"] for query in queries.captured_queries]
    patient_table = connection.ops.quote_name(Patient._meta.db_table)
    reads_of_her = [sql for sql in statements if patient_table in sql]
    assert len(reads_of_her) == 1
    token_table = connection.ops.quote_name(ApiToken._meta.db_table)
    assert token_table in statements[0]
    if connection.vendor == "postgresql":  # (the savepoints are the test's own transaction's)
        kinds = [sql.split()[0] for sql in statements]
        assert [kind for kind in kinds if kind not in ("SAVEPOINT", "RELEASE")] == [
            "SELECT",
            "SELECT",
            "SELECT",
            "WITH",
        ]


def test_a_caregivers_submission_asks_whether_she_may_report_once(world: World) -> None:
    """The gate decides who Carol is to Alice; the submission trusts that
    decision instead of reading her caregiver link again."""
    client = token_client(world.carol)
    body = checkin({"fatigue": {"severity": 1}}) | {"reporter": "caregiver"}
    with CaptureQueriesContext(connection) as queries:
        response = post(client, url(world), body)
    assert response.status_code == 201
    links = connection.ops.quote_name(CaregiverLink._meta.db_table)
    assert len([q for q in queries.captured_queries if links in q["sql"]]) == 1


@pytest.mark.parametrize("patient_id", ["0b5e8a4e-27a1-4d6e-9f55-4a1c2b3d4e5f", "not-an-id"])
def test_a_token_naming_no_patient_gets_an_error_and_no_row(world: World, patient_id: str) -> None:
    client = token_client(world.alice.user)
    response = post(client, f"/api/v1/patients/{patient_id}/checkins", checkin(FEVER))
    assert response.status_code in (404, 422)
    assert "error" in response.json()
    assert CheckIn.objects.count() == 0


def test_staff_before_two_factor_get_401(world: World) -> None:
    client = Client()
    client.force_login(world.nadia)
    assert client.get(url(world)).status_code == 401


def test_session_posts_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    response = post(client, url(world), checkin(FEVER))
    assert response.status_code == 403
    client.get(f"/patients/{world.alice.public_id}/")  # sets the CSRF cookie
    response = client.post(
        url(world),
        json.dumps(checkin(FEVER)),
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 201


def test_the_openapi_schema_is_served(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/patients/{patient_id}/checkins" in paths


def test_create_token_command_makes_a_working_token(world: World) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("create-token", email_of(world.alice.user).upper(), "Alice's phone", stdout=out,
                 stderr=StringIO())  # fmt: skip
    token = out.getvalue().strip()
    assert token.startswith("opro_")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get(url(world)).status_code == 200
    with pytest.raises(CommandError, match="Staff accounts"):
        call_command("create-token", world.nadia.email, "x", stdout=StringIO())
    with pytest.raises(CommandError, match="No active account"):
        call_command("create-token", "nobody@example.org", "x", stdout=StringIO())


@pytest.mark.parametrize(
    "at",
    [0, "0111-11-09T23:41:16-23:33", "2026-11-17 09:00", "2026-11-17T09:00:00+15:00", "yesterday"],
)
def test_a_time_that_is_not_a_real_moment_gets_422(world: World, at: object) -> None:
    body = {**checkin({"fatigue": {"severity": 1}}), "at": at}
    response = post(token_client(world.alice.user), url(world), body)
    assert response.status_code == 422, response.content
    assert response.json()["error"].startswith("at: ")
    assert not CheckIn.objects.exists()


def test_errors_have_one_shape(world: World) -> None:
    client = token_client(world.alice.user)
    unreadable = client.post(url(world), "{not json", content_type="application/json")
    assert unreadable.status_code == 400
    assert unreadable.json() == {"error": "The request body is not JSON we can read."}
    assert Client().get(url(world)).status_code == 401
    assert set(Client().get(url(world)).json()) == {"error"}
    missing = client.post(url(world), "{}", content_type="application/json")
    assert missing.status_code == 422
    assert set(missing.json()) == {"error"}


def test_the_list_limit_is_a_whole_number_from_1_to_500(world: World) -> None:
    alice = token_client(world.alice.user)
    for _ in range(3):
        post(alice, url(world), checkin({"fatigue": {"severity": 1}}))
    assert len(alice.get(url(world), {"limit": "2"}).json()) == 2
    assert len(alice.get(url(world)).json()) == 3
    # schemathesis sent "+0.0", which pydantic alone reads as the number 0.
    for wrong in ("+0.0", "1.0", "1e2", "", "0", "501", "two", "٣"):
        response = alice.get(url(world), {"limit": wrong})
        assert response.status_code == 422, (wrong, response.content)
        assert "limit" in response.json()["error"], wrong


# --- Issue #16, item 4: the API refuses what it should ------------------------------


def test_a_check_in_dated_in_the_future_or_before_she_joined_is_refused(world: World) -> None:
    import datetime as dt

    from django.utils import timezone

    alice = token_client(world.alice.user)
    soon = timezone.now() + dt.timedelta(minutes=4)
    ok = post(alice, url(world), {**checkin(FEVER), "at": soon.isoformat()})
    assert ok.status_code == 201  # a clock a little fast is fine
    late = timezone.now() + dt.timedelta(minutes=6)
    response = post(alice, url(world), {**checkin(FEVER), "at": late.isoformat()})
    assert response.status_code == 422
    assert response.json()["error"].startswith("at: is in the future. Check the date and time")
    world.alice.enrolled_on = dt.date(2026, 6, 1)
    world.alice.save()
    response = post(alice, url(world), {**checkin(FEVER), "at": "2026-05-31T12:00:00Z"})
    assert response.status_code == 422
    assert "before she joined the program (1 June 2026)" in response.json()["error"]
    assert (
        post(alice, url(world), {**checkin(FEVER), "at": "2026-06-01T12:00:00Z"}).status_code == 201
    )
    assert CheckIn.objects.count() == 2


def test_an_empty_check_in_is_refused_like_the_web_form_refuses_it(world: World) -> None:
    response = post(token_client(world.alice.user), url(world), checkin({}))
    assert response.status_code == 422
    assert response.json()["error"].startswith("answers: is empty.")
    assert not CheckIn.objects.exists()


def test_a_key_sent_twice_is_refused_naming_it(world: World) -> None:
    body = '{"id": "ID", "answers": {"pain": {"severity": 1, "severity": 4}}}'.replace(
        "ID", str(uuid.uuid4())
    )
    response = token_client(world.alice.user).post(
        url(world), body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == {"error": "The key 'severity' is there twice: send each key once."}
    assert not CheckIn.objects.exists()


def test_a_body_that_is_not_json_gets_415_and_one_too_large_413(world: World, settings) -> None:
    alice = token_client(world.alice.user)
    form = alice.post(url(world), {"answers": "pain"})  # a form post, not JSON
    assert form.status_code == 415
    assert "Content-Type: application/json" in form.json()["error"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    big = checkin({"pain": {"severity": 1, "location": "x" * 150}})
    big["padding"] = "y" * 4000
    response = post(alice, url(world), big)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"].startswith("The request is too large")


def test_the_same_id_with_any_other_field_is_a_conflict(world: World) -> None:
    import datetime as dt

    from django.utils import timezone

    alice = token_client(world.alice.user)
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0).astimezone(dt.UTC)
    same_moment = at.astimezone(dt.timezone(dt.timedelta(hours=1))).isoformat()
    first = {**checkin(FEVER), "at": at.isoformat(), "kind": "weekly"}
    assert post(alice, url(world), first).status_code == 201
    assert post(alice, url(world), first).status_code == 200  # the same: a safe retry
    for changed in (
        {"at": (at + dt.timedelta(minutes=5)).isoformat()},
        {"at": same_moment},  # the same moment written another way: the same check-in
        {"kind": "anytime"},
        {"reporter": "caregiver"},
        {"answers": {**FEVER, "temperature_c": 37.7}},
    ):
        response = post(alice, url(world), {**first, **changed})
        expected = 200 if changed.get("at") == same_moment else 409
        assert response.status_code == expected, changed
    assert CheckIn.objects.count() == 1
