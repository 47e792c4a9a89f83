"""Her units (issue #15): the form takes a temperature in her unit and
stores Celsius, never rounding a reading across a rule's threshold."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.test import Client
from django.urls import reverse

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import AuditEvent
from oncopro.care import actions
from oncopro.care.models import Patient
from oncopro.checkins.models import CheckIn
from oncopro.checkins.units import ReadingError, to_celsius
from tests.helpers import sign_in
from tests.personas import World, make_patient, make_team

# Every temperature threshold of the pack's rules (S21, U1, S1, U2), in Celsius.
THRESHOLDS = (Fraction(36), Fraction(75, 2), Fraction(38), Fraction(39))


def test_no_one_decimal_fahrenheit_reading_is_rounded_across_a_threshold() -> None:
    for tenths in range(860, 1131):  # 86.0 to 113.0 F, every reading a thermometer shows
        typed = f"{tenths / 10:.1f}"
        exact = (Fraction(tenths, 10) - 32) * Fraction(5, 9)
        stored = Fraction(Decimal(str(to_celsius(typed, "F", 30.0, 45.0))))
        for threshold in THRESHOLDS:
            assert (exact >= threshold) == (stored >= threshold), (typed, float(exact), stored)


@pytest.mark.parametrize(
    ("typed", "celsius"),
    [("96.8", 36.0), ("99.5", 37.5), ("100.4", 38.0), ("102.2", 39.0), ("101.5", 38.61),
     ("86", 30.0), ("113.0", 45.0), ("98,6", 37.0)],
)  # fmt: skip
def test_fahrenheit_is_converted_exactly(typed: str, celsius: float) -> None:
    assert to_celsius(typed, "F", 30.0, 45.0) == celsius


@pytest.mark.parametrize(
    ("typed", "words"),
    [("85.9", "from 86.0 to 113.0 °F, not 85.9"),
     ("38.5", "not 38.5. That looks like degrees Celsius"),
     ("100.45", "one number after the point"), ("hot", "Please type a number, for example 99.5"),
     ("nan", "Please type a number")],
)  # fmt: skip
def test_a_wrong_fahrenheit_reading_is_explained_in_fahrenheit(typed: str, words: str) -> None:
    with pytest.raises(ReadingError, match=words):
        to_celsius(typed, "F", 30.0, 45.0)


def us_patient(name: str, therapies: tuple[str, ...] = ()) -> Patient:
    clinic = actions.create_clinic("Lakeside", "911", temperature_unit="F", by=Actor.system("t"))
    return make_patient(name, make_team(clinic, "Lakeside Oncology"), therapies=therapies)


def send_reading(patient: Patient, typed: str) -> CheckIn:
    url = reverse("checkins:weekly", kwargs={"patient_id": patient.public_id})
    client = sign_in(Client(), patient.user)
    page = client.get(url).content.decode()
    assert "What is your temperature now, in degrees Fahrenheit? (°F)" in page
    assert "In °F, for example 99.5." in page
    response = client.post(
        url,
        {
            "temperature_c": typed,
            "fatigue.severity": "1",
            "shivering.present": "no",
            "feels_unwell.present": "no",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return CheckIn.objects.filter(patient=patient).latest("id")


def ids(checkin: CheckIn) -> set[str]:
    return {f["id"] for f in checkin.result["findings"]}


def test_a_us_clinic_asks_in_fahrenheit_at_every_threshold(world: World) -> None:
    on_chemo = us_patient("Una Chemo", ("capecitabine",))
    off = us_patient("Vera Letrozole", ("letrozole",))
    fever = send_reading(on_chemo, "101.5")
    assert fever.answers["temperature_c"] == 38.61
    assert fever.urgency == "urgent"  # U1, never an error
    result = reverse(
        "checkins:result",
        kwargs={"patient_id": on_chemo.public_id, "checkin_id": fever.client_id},
    )
    page = sign_in(Client(), on_chemo.user).get(result).content.decode()
    assert "Your temperature: <strong>101.5 °F</strong>." in page  # as she typed it
    assert "U1" in ids(send_reading(on_chemo, "99.5"))
    assert "U1" not in ids(send_reading(on_chemo, "99.4"))
    assert "S21" not in ids(send_reading(off, "96.8"))
    assert "S21" in ids(send_reading(off, "96.7"))
    assert "S1" in ids(send_reading(off, "100.4"))
    assert "S1" not in ids(send_reading(off, "100.3"))
    assert "U2" in ids(send_reading(off, "102.2"))
    assert "U2" not in ids(send_reading(off, "102.1"))


def test_a_wrong_reading_keeps_what_she_typed(world: World) -> None:
    patient = us_patient("Wren Wrong")
    url = reverse("checkins:weekly", kwargs={"patient_id": patient.public_id})
    page = sign_in(Client(), patient.user).post(url, {"temperature_c": "38.5"}).content.decode()
    assert "it must be from 86.0 to 113.0 °F, not 38.5." in page
    assert 'value="38.5"' in page
    assert not CheckIn.objects.exists()


def test_each_person_may_choose_her_own_unit(world: World) -> None:
    alice = sign_in(Client(), world.alice.user)
    choose = reverse("accounts:temperature_unit")
    assert alice.post(choose, {"unit": "F"}).status_code == 302
    weekly = reverse("checkins:weekly", kwargs={"patient_id": world.alice.public_id})
    assert "in degrees Fahrenheit" in alice.get(weekly).content.decode()
    # Carol still reads Celsius, as the clinic does, and her question names Alice.
    carol_page = sign_in(Client(), world.carol).get(weekly).content.decode()
    assert "What is Alice&#x27;s temperature now, in degrees Celsius?" in carol_page
    assert AuditEvent.objects.filter(action="user.temperature_unit").count() == 1
    bad = alice.post(choose, {"unit": "K"}).content.decode()
    assert "Please pick one of the choices." in bad
