"""FHIR search never answers 500 (issue #16, item 2): impossible dates and
offsets get a 400 OperationOutcome naming the parameter, and generated
search parameters to every search give no 5xx."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncopro.accounts.actions import create_api_token
from oncopro.accounts.audit import Actor
from oncopro.checkins.actions import submit_checkin
from oncopro.fhir.server import READERS
from tests.personas import World


def bearer(world: World) -> Client:
    token, _ = create_api_token(world.alice.user, "phone", by=Actor.system("test"))
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(
    "date",
    ["", "ge", "2026-02-30", "ge2026-13-01", "2026-01-01T25:00:00", "2026-01-01T10:00:00+99:00",
     "lt2026-01-01T10:00:00+15:00", "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00",
     "yesterday"],
)  # fmt: skip
def test_an_impossible_date_is_a_400_naming_the_parameter(world: World, date: str) -> None:
    query = urlencode({"patient": f"Patient/{world.alice.public_id}", "date": date})
    response = bearer(world).get(f"/fhir/r4/Observation?{query}")
    assert response.status_code == 400, (date, response.content[:300])
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert f"date={date}" in outcome["issue"][0]["diagnostics"]


def test_real_dates_with_offsets_still_work(world: World) -> None:
    submit_checkin(
        world.alice, author=world.alice.user, client_id=uuid.uuid4(),
        answers={"pain": {"severity": 2}}, by=Actor.system("test"),
    )  # fmt: skip
    client = bearer(world)
    for date in ("ge2020-01-01", "ge2020-01-01T00:00:00+14:00", "le2999-01-01T00:00:00-12:00"):
        query = urlencode({"patient": f"Patient/{world.alice.public_id}", "date": date})
        response = client.get(f"/fhir/r4/Observation?{query}")
        assert response.status_code == 200, (date, response.content[:300])
        assert response.json()["total"] >= 1, date


# Text that looks like FHIR search values, and text that does not.
DATES = st.one_of(
    st.text(max_size=30),
    st.builds(
        "{}{:04d}-{:02d}-{:02d}{}".format,
        st.sampled_from(["", "eq", "ge", "gt", "le", "lt", "ne", "sa"]),
        st.integers(0, 10000), st.integers(0, 14), st.integers(0, 40),
        st.sampled_from(["", "T00:00:00", "T23:59:59Z", "T25:61:00", "T10:00:00+14:00",
                         "T10:00:00-23:59", "T10:00:00+99:00", "T10:00"]),
    ),
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    resource_type=st.sampled_from([*sorted(READERS), "Nothing", ""]),
    patient=st.one_of(st.just("ALICE"), st.text(max_size=40)),
    dates=st.lists(DATES, max_size=3),
    other=st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=10), max_size=2),
)
def test_no_generated_search_gets_a_5xx(
    world: World, resource_type: str, patient: str, dates: list[str], other: dict[str, str]
) -> None:
    patient_value = f"Patient/{world.alice.public_id}" if patient == "ALICE" else patient
    query = urlencode([("patient", patient_value), *(("date", d) for d in dates), *other.items()])
    response = bearer(world).get(f"/fhir/r4/{resource_type}?{query}")
    assert response.status_code < 500, (resource_type, query, response.content[:300])
