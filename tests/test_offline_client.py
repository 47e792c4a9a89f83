"""A phone that is often offline: it queues reports, sends them, loses
answers, resends, and edits drafts. Whatever the order, the server holds
exactly the reports the phone sent, each once, and an edit of a report
already sent is refused with 409, never a silent overwrite. (Hypothesis
drives the phone through the real JSON API.)"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from oncopro.accounts.actions import create_api_token
from oncopro.care.models import Patient
from oncopro.checkins.models import CheckIn
from tests.personas import BY, World

ANSWERS = st.fixed_dictionaries(
    {"fatigue": st.fixed_dictionaries({"severity": st.integers(0, 4)})},
    optional={
        "pain": st.fixed_dictionaries({"severity": st.integers(0, 4)}),
        "temperature_c": st.sampled_from([36.5, 37.2, 38.3]),
    },
)


def phone_for(patient: Patient, client: Client) -> type[RuleBasedStateMachine]:
    url = f"/api/v1/patients/{patient.public_id}/checkins"

    class Phone(RuleBasedStateMachine):
        drafts = Bundle("drafts")
        sent = Bundle("sent")

        def __init__(self) -> None:
            super().__init__()
            self.mine: set[str] = set()  # every id this phone made (the DB is shared)
            self.delivered: dict[str, dict[str, Any]] = {}  # what the server must hold

        def post(self, report_id: str, answers: dict[str, Any]) -> int:
            body = {"id": report_id, "reporter": "patient", "answers": answers}
            response = client.post(url, json.dumps(body), content_type="application/json")
            return response.status_code

        @rule(target=drafts, answers=ANSWERS)
        def write_a_draft(self, answers: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            report_id = str(uuid.uuid4())
            self.mine.add(report_id)
            return report_id, answers

        @rule(target=drafts, draft=consumes(drafts), answers=ANSWERS)
        def edit_the_draft(
            self, draft: tuple[str, dict[str, Any]], answers: dict[str, Any]
        ) -> tuple[str, dict[str, Any]]:
            return draft[0], answers  # not sent yet: editing is free

        @rule(target=sent, draft=consumes(drafts))
        def send(self, draft: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
            report_id, answers = draft
            assert self.post(report_id, answers) == 201
            self.delivered[report_id] = answers
            # The phone keeps what it sent: if the answer was lost on the way
            # back, it sends it again (`resend`), any number of times.
            return report_id, answers

        @rule(report=sent)
        def resend(self, report: tuple[str, dict[str, Any]]) -> None:
            assert self.post(*report) == 200  # the first result, not a second report

        @rule(report=sent, answers=ANSWERS)
        def edit_after_sending(self, report: tuple[str, dict[str, Any]], answers: dict) -> None:
            status = self.post(report[0], answers)
            if answers == report[1]:
                assert status == 200
            else:
                assert status == 409  # a stale edit is refused, the first report stays

        @invariant()
        def the_server_holds_exactly_what_was_delivered(self) -> None:
            stored = {
                str(c.client_id): c.answers
                for c in CheckIn.objects.filter(patient=patient, client_id__in=self.mine)
            }
            assert stored == self.delivered

    return Phone


def test_the_server_holds_exactly_the_phones_reports(world: World) -> None:
    token, _ = create_api_token(world.alice.user, "phone", by=BY)
    client = Client(headers={"Authorization": f"Bearer {token}"})
    run_state_machine_as_test(
        phone_for(world.alice, client),
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    assert CheckIn.objects.filter(patient=world.alice).count() > 10


pytestmark = pytest.mark.django_db
