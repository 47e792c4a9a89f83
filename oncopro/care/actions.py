"""Every write to the care model goes through here, audited, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from oncopro.accounts.actions import create_user
from oncopro.accounts.audit import Actor, record
from oncopro.accounts.models import CARE_TEAM_ROLES, Role, TemperatureUnit, User
from oncopro.accounts.tokens import INVITATION_LIFETIME
from oncopro.care.models import (
    CaregiverInvitation,
    CaregiverLink,
    CarePhase,
    CareTeam,
    Clinic,
    MetastaticSite,
    OnCallSlot,
    Patient,
    TeamMembership,
)


class CareError(ValueError):
    """A request that cannot be carried out; the message is fit to show."""


@transaction.atomic
def create_clinic(
    name: str, emergency_number: str, *, temperature_unit: str = "C", by: Actor
) -> Clinic:
    clinic = Clinic.objects.create(
        name=name, emergency_number=emergency_number, temperature_unit=temperature_unit
    )
    record(by, "clinic.create", obj=clinic)
    return clinic


@transaction.atomic
def create_team(clinic: Clinic, name: str, kind: str, phone_24h: str, *, by: Actor) -> CareTeam:
    team = CareTeam.objects.create(clinic=clinic, name=name, kind=kind, phone_24h=phone_24h)
    record(by, "team.create", obj=team)
    return team


@transaction.atomic
def add_team_member(team: CareTeam, user: User, *, by: Actor) -> TeamMembership:
    if user.role not in CARE_TEAM_ROLES:
        raise CareError(
            "Only nurses, doctors, social workers, chaplains, aides and volunteers "
            "join a care team."
        )
    membership, _ = TeamMembership.objects.get_or_create(team=team, user=user)
    record(by, "team.add_member", obj=membership, detail={"team": team.pk, "user": user.pk})
    return membership


@transaction.atomic
def remove_team_member(team: CareTeam, user: User, *, by: Actor) -> None:
    if team.on_call.filter(user=user).exists():
        raise CareError(f"{user.full_name} is on this team's on-call list. Change that list first.")
    deleted, _ = TeamMembership.objects.filter(team=team, user=user).delete()
    if deleted:
        record(by, "team.remove_member", obj=team, detail={"team": team.pk, "user": user.pk})


@transaction.atomic
def set_team_details(team: CareTeam, *, name: str, phone_24h: str, by: Actor) -> CareTeam:
    """Its name and the 24-hour number her pages and emails give patients."""
    name, phone_24h = name.strip(), phone_24h.strip()
    if not name or not phone_24h:
        raise CareError("A team needs a name and a 24-hour phone number.")
    before = {"name": team.name, "phone_24h": team.phone_24h}
    team.name, team.phone_24h = name[:200], phone_24h[:30]
    team.save(update_fields=["name", "phone_24h"])
    after = {"name": team.name, "phone_24h": team.phone_24h}
    record(by, "team.details", obj=team, detail={"before": before, "after": after})
    return team


@transaction.atomic
def set_on_call_list(team: CareTeam, people: Iterable[User], *, by: Actor) -> None:
    """Replace the team's on-call order: first contact first."""
    people = list(people)
    member_ids = set(team.memberships.values_list("user_id", flat=True))
    if any(person.pk not in member_ids for person in people):
        raise CareError("Everyone on the on-call list must be a member of the team.")
    team.on_call.all().delete()
    OnCallSlot.objects.bulk_create(
        OnCallSlot(team=team, position=index, user=person)
        for index, person in enumerate(people, start=1)
    )
    record(by, "team.on_call", obj=team, detail={"order": [person.pk for person in people]})


@transaction.atomic
def set_alert_deadlines(
    clinic: Clinic, *, urgent_minutes: int, soon_minutes: int, by: Actor
) -> Clinic:
    """How long the team has to acknowledge an alert before the next person
    on call is told. New deadlines apply to alerts opened from now on."""
    if not 1 <= urgent_minutes <= 120:
        raise CareError("Emergency and urgent alerts need a deadline between 1 and 120 minutes.")
    if not urgent_minutes <= soon_minutes <= 72 * 60:
        raise CareError(
            "Alerts for within 24 hours need a deadline no shorter than the urgent one "
            "and no longer than 72 hours."
        )
    before = {"urgent": clinic.ack_minutes_urgent, "soon": clinic.ack_minutes_soon}
    clinic.ack_minutes_urgent = urgent_minutes
    clinic.ack_minutes_soon = soon_minutes
    clinic.save(update_fields=["ack_minutes_urgent", "ack_minutes_soon"])
    record(
        by,
        "clinic.alert_deadlines",
        obj=clinic,
        detail={"before": before, "after": {"urgent": urgent_minutes, "soon": soon_minutes}},
    )
    return clinic


@transaction.atomic
def create_patient(
    *,
    email: str | None,
    password: str | None,
    full_name: str,
    care_team: CareTeam,
    date_of_birth: dt.date,
    language: str = "en",
    care_phase: str = CarePhase.ACTIVE_TREATMENT,
    known_metastatic_sites: Iterable[str] = (),
    therapies: Iterable[str] = (),
    phone: str = "",
    enrolled_on: dt.date | None = None,
    sign_in_phone: str = "",
    clinical_details_pending: bool = False,
    by: Actor,
) -> Patient:
    user = create_user(
        email, password, full_name=full_name, role=Role.PATIENT, sign_in_phone=sign_in_phone,
        by=by,
    )  # fmt: skip
    patient = Patient.objects.create(
        clinical_details_pending=clinical_details_pending,
        user=user,
        care_team=care_team,
        date_of_birth=date_of_birth,
        language=language,
        care_phase=care_phase,
        known_metastatic_sites=_clean_sites(known_metastatic_sites),
        therapies=_clean_therapies(therapies),
        phone=phone.strip()[:30],
        enrolled_on=enrolled_on or timezone.localdate(),
    )
    _check_team_fits_phase(patient)
    record(by, "patient.create", patient_ref=patient.public_id, obj=patient)
    return patient


@transaction.atomic
def grant_caregiver(
    patient: Patient, caregiver: User, *, relationship: str = "", phone: str = "", by: Actor
) -> CaregiverLink:
    if caregiver.role != Role.CAREGIVER:
        raise CareError("That account is not a caregiver account.")
    if patient.caregiver_links.filter(caregiver=caregiver, revoked_at__isnull=True).exists():
        raise CareError("This person can already see your reports.")
    link = CaregiverLink.objects.create(
        patient=patient,
        caregiver=caregiver,
        relationship=relationship.strip()[:60],
        phone=phone.strip()[:30],
    )
    record(by, "caregiver.grant", patient_ref=patient.public_id, obj=link)
    return link


@transaction.atomic
def invite_caregiver(
    patient: Patient, email: str, *, relationship: str = "", phone: str = "", by: Actor
) -> CaregiverInvitation:
    """She asks someone to be her caregiver: an email with a one-time link
    goes to them once this commits. Nothing is shared until they accept. A
    second invitation to the same address replaces the first."""
    from oncopro.care.tasks import send_caregiver_invitation  # tasks import care modules

    email = email.strip().lower()
    if patient.user.email and email == patient.user.email.lower():
        raise CareError("That is your own email address. Type the address of the person to invite.")
    if patient.caregiver_links.filter(
        caregiver__email__iexact=email, revoked_at__isnull=True
    ).exists():
        raise CareError("This person can already see your reports.")
    now = timezone.now()
    waiting = patient.caregiver_invitations.filter(
        email__iexact=email, accepted_at=None, cancelled_at=None, expires_at__gt=now
    )
    for earlier in waiting:
        cancel_caregiver_invitation(earlier, by=by)
    invitation = CaregiverInvitation.objects.create(
        patient=patient,
        email=email,
        relationship=relationship.strip()[:60],
        phone=phone.strip()[:30],
        expires_at=now + INVITATION_LIFETIME,
    )
    record(by, "caregiver.invite", patient_ref=patient.public_id, obj=invitation)
    transaction.on_commit(lambda: send_caregiver_invitation.enqueue(invitation.pk))
    return invitation


@transaction.atomic
def cancel_caregiver_invitation(invitation: CaregiverInvitation, *, by: Actor) -> None:
    if invitation.state == "waiting":
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        record(by, "caregiver.invitation_cancel", patient_ref=invitation.patient.public_id,
               obj=invitation)  # fmt: skip


@transaction.atomic
def accept_caregiver_invitation(
    invitation: CaregiverInvitation, caregiver: User, *, by: Actor
) -> CaregiverLink:
    """They said yes: from now they see her data. She is told by email."""
    from oncopro.care.tasks import tell_patient_caregiver_accepted

    if invitation.state != "waiting":
        raise CareError("This invitation does not work any more.")
    link = grant_caregiver(
        invitation.patient, caregiver, relationship=invitation.relationship,
        phone=invitation.phone, by=by,
    )  # fmt: skip
    invitation.accepted_at = timezone.now()
    invitation.link = link
    invitation.save(update_fields=["accepted_at", "link"])
    record(by, "caregiver.invitation_accept", patient_ref=invitation.patient.public_id,
           obj=invitation)  # fmt: skip
    transaction.on_commit(lambda: tell_patient_caregiver_accepted.enqueue(invitation.pk))
    return link


@transaction.atomic
def revoke_caregiver(link: CaregiverLink, *, by: Actor) -> CaregiverLink:
    """Effective at once: the access gate checks revoked_at on every request."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record(by, "caregiver.revoke", patient_ref=link.patient.public_id, obj=link)
    return link


@transaction.atomic
def set_care_phase(
    patient: Patient, phase: str, *, team: CareTeam | None = None, by: Actor
) -> Patient:
    """Moving to hospice moves her to a hospice team of her clinic, and
    leaving hospice moves her back to an oncology team: the team named, or
    the clinic's only team of that kind."""
    if phase not in CarePhase.values:
        raise CareError(f"Unknown care phase: {phase}.")
    before = {"care_phase": patient.care_phase, "care_team": patient.care_team_id}
    wanted_kind = CareTeam.Kind.HOSPICE if phase == CarePhase.HOSPICE else CareTeam.Kind.ONCOLOGY
    if team is not None:
        patient.care_team = team
    elif patient.care_team.kind != wanted_kind:
        patient.care_team = _only_team(patient.clinic, wanted_kind)
    patient.care_phase = phase
    _check_team_fits_phase(patient)
    patient.save(update_fields=["care_phase", "care_team"])
    after = {"care_phase": patient.care_phase, "care_team": patient.care_team_id}
    _record_change(by, "patient.care_phase", patient, before, after)
    return patient


@transaction.atomic
def set_clinical_context(
    patient: Patient,
    *,
    known_metastatic_sites: Iterable[str],
    therapies: Iterable[str],
    by: Actor,
) -> Patient:
    before = {"sites": patient.known_metastatic_sites, "therapies": patient.therapies}
    patient.known_metastatic_sites = _clean_sites(known_metastatic_sites)
    patient.therapies = _clean_therapies(therapies)
    # Her team has now entered what the clinic's admin could not.
    patient.clinical_details_pending = False
    patient.save(update_fields=["known_metastatic_sites", "therapies", "clinical_details_pending"])
    after = {"sites": patient.known_metastatic_sites, "therapies": patient.therapies}
    _record_change(by, "patient.clinical_context", patient, before, after)
    return patient


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@transaction.atomic
def set_checkin_day(patient: Patient, weekday: int, *, by: Actor) -> Patient:
    """The day her weekly check-in is due, and her reminder comes."""
    if weekday not in range(7):
        raise CareError("Please pick a day of the week.")
    before = {"checkin_weekday": patient.checkin_weekday}
    patient.checkin_weekday = weekday
    patient.save(update_fields=["checkin_weekday"])
    _record_change(by, "patient.checkin_day", patient, before, {"checkin_weekday": weekday})
    return patient


def _record_change(
    by: Actor,
    action: str,
    patient: Patient,
    before: Mapping[str, object],
    after: Mapping[str, object],
) -> None:
    record(
        by,
        action,
        patient_ref=patient.public_id,
        obj=patient,
        detail={"before": before, "after": after},
    )


def _only_team(clinic: Clinic, kind: str) -> CareTeam:
    teams = list(clinic.teams.filter(kind=kind)[:2])
    if len(teams) != 1:
        raise CareError(f"Choose which {CareTeam.Kind(kind).label.lower()} will care for her.")
    return teams[0]


def _check_team_fits_phase(patient: Patient) -> None:
    in_hospice = patient.care_phase == CarePhase.HOSPICE
    if in_hospice != (patient.care_team.kind == CareTeam.Kind.HOSPICE):
        raise CareError("A patient in hospice is cared for by a hospice team, and only then.")


def _clean_sites(sites: Iterable[str]) -> list[str]:
    cleaned = sorted({site.strip().lower() for site in sites if site.strip()})
    unknown = [site for site in cleaned if site not in MetastaticSite.values]
    if unknown:
        raise CareError(f"Unknown metastatic site: {', '.join(unknown)}.")
    return cleaned


def _clean_therapies(therapies: Iterable[str]) -> list[str]:
    return sorted({name.strip().lower() for name in therapies if name.strip()})


@transaction.atomic
def set_clinic_temperature_unit(clinic: Clinic, unit: str, *, by: Actor) -> Clinic:
    """The unit its patients are asked temperatures in, unless they choose."""
    if unit not in TemperatureUnit.values:
        raise CareError("Please choose Celsius or Fahrenheit.")
    if clinic.temperature_unit != unit:
        before = clinic.temperature_unit
        clinic.temperature_unit = unit
        clinic.save(update_fields=["temperature_unit"])
        record(by, "clinic.temperature_unit", obj=clinic, detail={"before": before, "after": unit})
    return clinic


@transaction.atomic
def set_phone(patient: Patient, phone: str, *, by: Actor) -> Patient:
    """The number her team calls her on (tap-to-call on the alert page)."""
    patient.phone = phone.strip()[:30]
    patient.save(update_fields=["phone"])
    record(by, "patient.phone", patient_ref=patient.public_id, obj=patient)
    return patient
