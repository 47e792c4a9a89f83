"""Writes of running a clinic: staff, enrolment and leaving the program.
Each is one transaction with its audit lines, built on the accounts and
care actions; invitation emails go out once it commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from oncopro.accounts.actions import create_user, invite_by_email, set_active
from oncopro.accounts.audit import Actor, record
from oncopro.accounts.invitations import cancel_waiting, print_code
from oncopro.accounts.models import CARE_TEAM_ROLES, Invitation, Role, User, sign_in_phone
from oncopro.care import actions as care
from oncopro.care.models import CareTeam, Clinic, OnCallSlot, Patient, TeamMembership

StaffError = care.CareError

STAFF_ROLE_CHOICES = [
    (role.value, role.label)
    for role in (
        Role.NURSE, Role.DOCTOR, Role.SOCIAL_WORKER, Role.CHAPLAIN, Role.AIDE, Role.VOLUNTEER,
        Role.CLINIC_ADMIN,
    )
]  # fmt: skip


def clinic_staff(clinic: Clinic) -> QuerySet[User]:
    """Everyone who works in this clinic: its teams' members and its admins."""
    return User.objects.filter(
        Q(memberships__team__clinic=clinic) | Q(administered_clinics=clinic)
    ).distinct()


def staff_intro(clinic: Clinic) -> str:
    return f"{clinic.name} has made an OncoPRO account for you, for your work with its patients."


def staff_new_one_from(clinic: Clinic, admin: User | None) -> str:
    who = f"{admin.full_name} ({admin.email})" if admin is not None else "your clinic admin"
    return f"{clinic.name}'s OncoPRO admin, {who}"


def patient_intro(patient: Patient) -> str:
    return (
        f"Your care team at {patient.clinic.name} has made an OncoPRO account for you. "
        "With it you tell them each week how you are, and they see it."
    )


def patient_new_one_from(patient: Patient) -> str:
    # Not the team's name: "Breast Oncology" in an email would say too much.
    return f"your care team at {patient.clinic.name}, on {patient.care_team.phone_24h}"


@transaction.atomic
def invite_staff(
    clinic: Clinic,
    *,
    email: str,
    full_name: str,
    role: str,
    teams: Iterable[CareTeam],
    by: Actor,
) -> User:
    """A new staff account, on the teams named (a clinic admin is on none),
    and an email with a one-time link to choose a password; two-factor set-up
    follows at first sign-in."""
    teams = list(teams)
    if role not in dict(STAFF_ROLE_CHOICES):
        raise StaffError("Please choose a role.")
    if role in CARE_TEAM_ROLES and not teams:
        raise StaffError("Choose at least one team for them to join.")
    if User.objects.filter(email__iexact=email.strip()).exists():
        raise StaffError("There is already an account with this email address.")
    user = create_user(email.strip(), None, full_name=full_name.strip(), role=role, by=by)
    if role == Role.CLINIC_ADMIN:
        clinic.admins.add(user)
        record(by, "clinic.add_admin", obj=clinic, detail={"user": user.pk})
    for team in teams:
        care.add_team_member(team, user, by=by)
    invite_by_email(
        user, intro=staff_intro(clinic), new_one_from=staff_new_one_from(clinic, by.user), by=by
    )
    return user


@transaction.atomic
def set_staff_teams(clinic: Clinic, user: User, teams: Iterable[CareTeam], *, by: Actor) -> None:
    """The clinic's teams they are on, exactly these (other clinics' untouched).
    Someone on a team's on-call list stays on that team until the list is
    changed: a list is never left with a gap silently."""
    wanted = {team.pk for team in teams}
    if user.role in CARE_TEAM_ROLES and not wanted:
        raise StaffError("Choose at least one team for them to be on.")
    current = TeamMembership.objects.filter(user=user, team__clinic=clinic).select_related("team")
    for membership in current:
        if membership.team_id in wanted:
            continue
        if OnCallSlot.objects.filter(team=membership.team, user=user).exists():
            raise StaffError(
                f"{user.full_name} is on the on-call list of {membership.team.name}. "
                "Change that list first."
            )
        care.remove_team_member(membership.team, user, by=by)
    have = {membership.team_id for membership in current}
    for team in clinic.teams.filter(pk__in=wanted - have):
        care.add_team_member(team, user, by=by)


def on_call_places(clinic: Clinic, user: User) -> list[OnCallSlot]:
    """The places this person holds on the clinic's on-call lists."""
    return list(
        OnCallSlot.objects.filter(team__clinic=clinic, user=user)
        .select_related("team")
        .order_by("team__name")
    )


@transaction.atomic
def deactivate_staff(
    clinic: Clinic, user: User, replacements: Mapping[int, User | None], *, by: Actor
) -> None:
    """Switch their account off, at once. Every on-call place they hold goes
    to the person the admin chose for it (`replacements`, by team id), or,
    if she chose so, the others move up. A list would never be left empty."""
    if by.user is not None and user.pk == by.user.pk:
        raise StaffError("You cannot switch off your own account.")
    for place in on_call_places(clinic, user):
        if place.team_id not in replacements:
            raise StaffError(f"Choose who takes their place on call for {place.team.name}.")
        order = list(place.team.on_call.select_related("user").order_by("position"))
        instead = replacements[place.team_id]
        people: list[User] = []
        for slot in order:
            if slot.user_id != user.pk:
                people.append(slot.user)
            elif instead is not None:
                people.append(instead)
        if not people:
            raise StaffError(
                f"{user.full_name} is the only one on call for {place.team.name}: "
                "choose who takes their place."
            )
        if len({person.pk for person in people}) != len(people):
            raise StaffError(f"That person is already on call for {place.team.name}.")
        care.set_on_call_list(place.team, people, by=by)
    set_active(user, False, by=by)


@transaction.atomic
def enrol_patient(
    clinic: Clinic,
    *,
    full_name: str,
    date_of_birth: dt.date,
    phone: str,
    email: str,
    language: str,
    temperature_unit: str,
    care_team: CareTeam,
    enrolled_on: dt.date,
    invite: bool = True,
    by: Actor,
) -> Patient:
    """Her enrolment details, as the clinic's admin knows them; her team
    enters the clinical ones ("clinical details pending" until then). With
    an email she gets a one-time link; without, she signs in with her phone
    and her team prints her a one-time code."""
    if care_team.clinic_id != clinic.pk:
        raise StaffError("Please choose one of this clinic's care teams.")
    if care_team.kind != CareTeam.Kind.ONCOLOGY:
        raise StaffError("New patients join an oncology team; a handover moves them to hospice.")
    email = email.strip().lower()
    phone_login = "" if email else sign_in_phone(phone)
    if not email and not phone_login:
        raise StaffError("She needs an email address or a phone number to sign in with.")
    patient = care.create_patient(
        email=email or None, password=None, full_name=full_name.strip(), care_team=care_team,
        date_of_birth=date_of_birth, language=language, phone=phone, enrolled_on=enrolled_on,
        sign_in_phone=phone_login, clinical_details_pending=True, by=by,
    )  # fmt: skip
    if temperature_unit:
        patient.user.temperature_unit = temperature_unit
        patient.user.save(update_fields=["temperature_unit"])
    if email and invite:
        invite_patient(patient, by=by)
    return patient


def invite_patient(patient: Patient, *, by: Actor) -> None:
    """Email her a one-time link (again, if the first expired)."""
    invite_by_email(
        patient.user, intro=patient_intro(patient), new_one_from=patient_new_one_from(patient),
        by=by,
    )  # fmt: skip


def print_patient_code(patient: Patient, *, by: Actor) -> tuple[str, Invitation]:
    return print_code(patient.user, patient_new_one_from(patient), by=by)


@transaction.atomic
def leave_program(patient: Patient, *, by: Actor) -> Patient:
    """She leaves the program: she and her caregivers can no longer sign in
    to it or see her data; everything is kept, and she may re-enrol."""
    if patient.left_on is not None:
        return patient
    patient.left_on = timezone.localdate()
    patient.save(update_fields=["left_on"])
    record(by, "patient.leave_program", patient_ref=patient.public_id, obj=patient)
    set_active(patient.user, False, by=by)
    cancel_waiting(patient.user, by=by)
    return patient


@transaction.atomic
def rejoin_program(patient: Patient, *, by: Actor) -> Patient:
    """She comes back: her account works again, weekly check-ins due from today."""
    if patient.left_on is None:
        return patient
    patient.left_on = None
    patient.enrolled_on = timezone.localdate()
    patient.save(update_fields=["left_on", "enrolled_on"])
    record(by, "patient.rejoin_program", patient_ref=patient.public_id, obj=patient)
    set_active(patient.user, True, by=by)
    return patient


@transaction.atomic
def set_privacy_contact(clinic: Clinic, name: str, email: str, *, by: Actor) -> Clinic:
    before = {"name": clinic.privacy_contact_name, "email": clinic.privacy_contact_email}
    clinic.privacy_contact_name = name.strip()[:200]
    clinic.privacy_contact_email = email.strip().lower()
    clinic.save(update_fields=["privacy_contact_name", "privacy_contact_email"])
    after = {"name": clinic.privacy_contact_name, "email": clinic.privacy_contact_email}
    record(by, "clinic.privacy_contact", obj=clinic, detail={"before": before, "after": after})
    return clinic
