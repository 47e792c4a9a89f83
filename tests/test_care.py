"""The care model: teams, on-call lists, care phases, caregivers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import AuditEvent, Role
from oncopro.care import actions
from oncopro.care.models import CarePhase, CareTeam
from tests.helpers import sign_in
from tests.personas import World, make_clinician, make_team, make_user

BY = Actor.system("test")


def test_moving_to_hospice_moves_her_to_the_hospice_team(world: World) -> None:
    actions.set_care_phase(world.alice, CarePhase.HOSPICE, by=BY)
    world.alice.refresh_from_db()
    assert world.alice.care_phase == CarePhase.HOSPICE
    assert world.alice.care_team == world.hospice_team
    event = AuditEvent.objects.filter(action="patient.care_phase").latest("id")
    assert event.detail["before"]["care_phase"] == "active_treatment"
    assert event.detail["after"]["care_team"] == world.hospice_team.pk


def test_with_two_hospice_teams_someone_must_choose(world: World) -> None:
    second = make_team(world.clinic, "Northside Hospice", CareTeam.Kind.HOSPICE)
    with pytest.raises(actions.CareError, match="Choose which hospice team"):
        actions.set_care_phase(world.alice, CarePhase.HOSPICE, by=BY)
    world.alice.refresh_from_db()
    actions.set_care_phase(world.alice, CarePhase.HOSPICE, team=second, by=BY)
    assert world.alice.care_team == second


def test_palliative_care_stays_with_the_oncology_team(world: World) -> None:
    actions.set_care_phase(world.alice, CarePhase.PALLIATIVE, by=BY)
    assert world.alice.care_team == world.team


def test_leaving_hospice_moves_her_back_to_an_oncology_team(world: World) -> None:
    actions.set_care_phase(world.alice, CarePhase.HOSPICE, by=BY)
    actions.set_care_phase(world.alice, CarePhase.ACTIVE_TREATMENT, by=BY)
    assert world.alice.care_team == world.team


def test_a_team_of_the_wrong_kind_is_refused(world: World) -> None:
    with pytest.raises(actions.CareError, match="hospice team, and only then"):
        actions.set_care_phase(world.alice, CarePhase.PALLIATIVE, team=world.hospice_team, by=BY)
    world.alice.refresh_from_db()
    assert world.alice.care_team == world.team
    assert world.alice.care_phase == CarePhase.ACTIVE_TREATMENT


def test_hospice_team_holds_every_kind_of_member(world: World) -> None:
    for role in (Role.NURSE, Role.DOCTOR, Role.SOCIAL_WORKER, Role.CHAPLAIN):
        make_clinician(f"Hospice {role}", world.hospice_team, role)
    assert world.hospice_team.memberships.count() == 4
    with pytest.raises(actions.CareError):
        actions.add_team_member(world.hospice_team, world.carol, by=BY)


def test_on_call_list_is_ordered_and_only_members(world: World) -> None:
    second = make_clinician("Second Nurse", world.team)
    actions.set_on_call_list(world.team, [second, world.nadia], by=BY)
    assert [slot.user for slot in world.team.on_call.all()] == [second, world.nadia]
    with pytest.raises(actions.CareError, match="must be a member"):
        actions.set_on_call_list(world.team, [world.oscar], by=BY)
    assert world.team.on_call.count() == 2


def test_sites_and_therapies_are_cleaned(world: World) -> None:
    actions.set_clinical_context(
        world.alice,
        known_metastatic_sites=[" Liver", "bone", "bone"],
        therapies=["Palbociclib ", "letrozole", ""],
        by=BY,
    )
    assert world.alice.known_metastatic_sites == ["bone", "liver"]
    assert world.alice.therapies == ["letrozole", "palbociclib"]


def test_granting_twice_or_to_a_non_caregiver_is_refused(world: World) -> None:
    with pytest.raises(actions.CareError, match="already"):
        actions.grant_caregiver(world.alice, world.carol, by=BY)
    with pytest.raises(actions.CareError, match="not a caregiver"):
        actions.grant_caregiver(world.alice, make_user("Pat Two", Role.PATIENT), by=BY)


def test_a_revoked_caregiver_can_be_let_in_again(world: World) -> None:
    link = actions.grant_caregiver(world.alice, world.eve, by=BY)
    assert link.is_active
    assert world.alice.caregiver_links.filter(caregiver=world.eve).count() == 2


def test_phone_links_dial_the_digits() -> None:
    from oncopro.care.templatetags.care_tags import tel_href

    assert tel_href("+1 555 0100") == "tel:+15550100"
    assert tel_href("(020) 7946-0000") == "tel:02079460000"
    assert tel_href("999") == "tel:999"


def test_she_picks_her_check_in_day(world: World) -> None:
    url = reverse("care:checkin_day", kwargs={"patient_id": world.alice.public_id})
    alice = sign_in(Client(), world.alice.user)
    assert "Which day suits you best?" in alice.get(url).content.decode()
    response = alice.post(url, {"weekday": "3"})
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.checkin_weekday == 3
    page = alice.get(response["Location"]).content.decode()
    assert "Your weekly check-in is now on Thursdays." in page
    assert "Your weekly check-in day is Thursday." in page
    assert "Please pick a day" in alice.post(url, {"weekday": "9"}).content.decode()
    assert sign_in(Client(), world.carol).get(url).status_code == 404  # hers alone


def test_the_clinic_admin_sets_alert_deadlines(world: World) -> None:
    url = reverse("clinic:deadlines", kwargs={"clinic_id": world.clinic.pk})
    adam = sign_in(Client(), world.adam)
    response = adam.post(url, {"urgent_minutes": "10", "soon_hours": "12"})
    assert response.status_code == 302
    world.clinic.refresh_from_db()
    assert (world.clinic.ack_minutes_urgent, world.clinic.ack_minutes_soon) == (10, 720)
    assert AuditEvent.objects.filter(action="clinic.alert_deadlines", actor=world.adam).exists()
    # A bad value is explained and kept.
    response = adam.post(url, {"urgent_minutes": "0", "soon_hours": "12"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "greater than or equal to 1" in body
    assert 'value="0"' in body
    # Nobody else may change them.
    for person in (world.nadia, world.oscar):
        assert sign_in(Client(), person).post(url, {"urgent_minutes": "60"}).status_code == 404
    world.clinic.refresh_from_db()
    assert world.clinic.ack_minutes_urgent == 10


def test_the_clinic_admin_orders_the_on_call_list(world: World) -> None:
    nina = make_clinician("Nina Second", world.team)
    url = reverse("clinic:on_call", kwargs={"clinic_id": world.clinic.pk, "team_id": world.team.pk})
    adam = sign_in(Client(), world.adam)
    assert adam.post(url, {"position_1": nina.pk, "position_2": world.nadia.pk}).status_code == 302
    assert [slot.user for slot in world.team.on_call.all()] == [nina, world.nadia]
    response = adam.post(url, {"position_1": nina.pk, "position_2": nina.pk})
    assert response.status_code == 400
    assert "Each person can be on the list once." in response.content.decode()
    assert sign_in(Client(), world.oscar).post(url, {"position_1": nina.pk}).status_code == 404
    page = adam.get(
        reverse("clinic:team", kwargs={"clinic_id": world.clinic.pk, "team_id": world.team.pk})
    ).content.decode()
    assert "On call 1" in page
