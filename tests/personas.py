"""Test personas, as in healthchecks' hc/test.py.

Alice is a patient on the Breast Oncology team. Carol is her caregiver;
Nadia is a nurse on her team. Everyone else must see nothing of Alice's:
Oscar, a nurse at another clinic; Eve, who was Alice's caregiver until Alice
revoked her; Bob, another patient of the same team; Adam, the clinic
admin, who runs the clinic but is on no care team; and Olive, who runs the
other clinic (she must see nothing of Adam's clinic either).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from oncopro.accounts.actions import create_user
from oncopro.accounts.audit import Actor
from oncopro.accounts.models import Role, User
from oncopro.care import actions
from oncopro.care.models import CaregiverLink, CarePhase, CareTeam, Clinic, Patient

PASSWORD = "correct horse battery staple"
BY = Actor.system("test")


def make_clinic(name: str = "Riverside", emergency_number: str = "999") -> Clinic:
    return actions.create_clinic(name, emergency_number, by=BY)


def make_team(
    clinic: Clinic, name: str = "Breast Oncology", kind: str = CareTeam.Kind.ONCOLOGY
) -> CareTeam:
    return actions.create_team(clinic, name, kind, "+44 20 7946 0000", by=BY)


def make_user(name: str, role: str) -> User:
    email = f"{name.lower().replace(' ', '.')}@example.org"
    return create_user(email, PASSWORD, full_name=name, role=role, by=BY)


def email_of(user: User) -> str:
    """Her email address (every persona has one; a patient enrolled by
    phone alone would not)."""
    assert user.email, f"{user} has no email address"
    return user.email


def make_clinician(name: str, team: CareTeam, role: str = Role.NURSE) -> User:
    user = make_user(name, role)
    actions.add_team_member(team, user, by=BY)
    return user


def make_patient(
    name: str,
    team: CareTeam,
    *,
    phase: str = CarePhase.ACTIVE_TREATMENT,
    sites: tuple[str, ...] = (),
    therapies: tuple[str, ...] = (),
    phone: str = "",
) -> Patient:
    return actions.create_patient(
        email=f"{name.lower().replace(' ', '.')}@example.org",
        password=PASSWORD,
        full_name=name,
        care_team=team,
        date_of_birth=dt.date(1966, 3, 14),
        care_phase=phase,
        known_metastatic_sites=sites,
        therapies=therapies,
        phone=phone,
        by=BY,
    )


def make_caregiver(name: str, patient: Patient | None = None, phone: str = "") -> User:
    user = make_user(name, Role.CAREGIVER)
    if patient is not None:
        actions.grant_caregiver(patient, user, relationship="family", phone=phone, by=BY)
    return user


@dataclass
class World:
    clinic: Clinic
    team: CareTeam
    hospice_team: CareTeam
    alice: Patient
    carol: User
    nadia: User
    oscar: User
    eve: User
    bob: Patient
    adam: User
    olive: User
    carol_link: CaregiverLink
    eve_link: CaregiverLink

    @property
    def outsiders(self) -> dict[str, User]:
        """Everyone who must see nothing of Alice's."""
        return {
            "oscar": self.oscar,
            "eve": self.eve,
            "bob": self.bob.user,
            "adam": self.adam,
            "olive": self.olive,
        }


def make_world() -> World:
    clinic = make_clinic()
    team = make_team(clinic)
    hospice_team = make_team(clinic, "Riverside Hospice", CareTeam.Kind.HOSPICE)
    alice = make_patient(
        "Alice Example",
        team,
        sites=("bone",),
        therapies=("capecitabine", "morphine"),
        phone="+44 20 7946 0123",  # a number kept for drama
    )
    carol = make_caregiver("Carol Carer", alice, phone="+44 20 7946 0456")
    nadia = make_clinician("Nadia Nurse", team)
    eve = make_caregiver("Eve Former", alice, phone="+44 20 7946 0789")
    eve_link = CaregiverLink.objects.get(patient=alice, caregiver=eve)
    actions.revoke_caregiver(eve_link, by=BY)

    other_clinic = make_clinic("Elsewhere General", "112")
    oscar = make_clinician("Oscar Other", make_team(other_clinic, "Elsewhere Oncology"))
    bob = make_patient("Bob Neighbour", team)
    adam = make_user("Adam Admin", Role.CLINIC_ADMIN)
    clinic.admins.add(adam)
    olive = make_user("Olive Otheradmin", Role.CLINIC_ADMIN)
    other_clinic.admins.add(olive)
    return World(
        clinic=clinic,
        team=team,
        hospice_team=hospice_team,
        alice=alice,
        carol=carol,
        nadia=nadia,
        oscar=oscar,
        eve=eve,
        bob=bob,
        adam=adam,
        olive=olive,
        carol_link=CaregiverLink.objects.get(patient=alice, caregiver=carol),
        eve_link=eve_link,
    )
