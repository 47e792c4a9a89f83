"""A synthetic demo clinic: made-up people only, written through the real actions.

Later features add their demo data here (check-ins, alerts...), so that
`oncopro demo` always shows everything OncoPRO does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from oncopro.accounts.actions import create_user
from oncopro.accounts.audit import Actor
from oncopro.accounts.models import Role, User
from oncopro.alerts.actions import acknowledge, process_outbox, resolve
from oncopro.alerts.models import Alert, Outcome
from oncopro.care import actions
from oncopro.care.models import CarePhase, CareTeam, Clinic, Patient
from oncopro.checkins.actions import submit_checkin

DEMO_CLINIC = "Riverside Cancer Centre (demo)"
DEMO_PASSWORD = "demo-only-not-secret"  # noqa: S105 - printed for the demo on purpose
DEMO_DOMAIN = "demo.oncopro.example"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    note: str


@dataclass(frozen=True)
class DemoPatient:
    name: str
    born: dt.date
    phase: str
    sites: tuple[str, ...]
    therapies: tuple[str, ...]
    language: str = "en"


PATIENTS = [
    DemoPatient(
        "Alice Moreau",
        dt.date(1968, 4, 12),
        CarePhase.ACTIVE_TREATMENT,
        ("bone",),
        ("capecitabine", "denosumab", "morphine"),
    ),
    DemoPatient(
        "Beatriz Santos",
        dt.date(1975, 9, 3),
        CarePhase.ACTIVE_TREATMENT,
        ("liver",),
        ("palbociclib", "letrozole"),
        "es",
    ),
    DemoPatient(
        "Chen Li",
        dt.date(1959, 1, 27),
        CarePhase.ACTIVE_TREATMENT,
        ("lung", "bone"),
        ("trastuzumab deruxtecan",),
        "zh-hans",
    ),
    DemoPatient(
        "Dana Whitfield",
        dt.date(1981, 6, 18),
        CarePhase.ACTIVE_TREATMENT,
        ("bone",),
        ("abemaciclib", "fulvestrant", "zoledronic acid"),
    ),
    DemoPatient(
        "Esther Okafor",
        dt.date(1964, 11, 2),
        CarePhase.ACTIVE_TREATMENT,
        (),
        ("paclitaxel", "trastuzumab", "pertuzumab"),
    ),
    DemoPatient(
        "Farah Haddad",
        dt.date(1972, 3, 30),
        CarePhase.ACTIVE_TREATMENT,
        ("brain",),
        ("tucatinib", "capecitabine", "trastuzumab"),
    ),
    DemoPatient(
        "Grace Lindqvist",
        dt.date(1955, 8, 9),
        CarePhase.PALLIATIVE,
        ("bone", "liver"),
        ("alpelisib", "fulvestrant", "oxycodone", "senna"),
    ),
    DemoPatient(
        "Hannah Brooks",
        dt.date(1979, 12, 14),
        CarePhase.PALLIATIVE,
        ("lung",),
        ("sacituzumab govitecan",),
    ),
    DemoPatient(
        "Irene Kowalska",
        dt.date(1950, 5, 21),
        CarePhase.HOSPICE,
        ("bone", "liver", "lung"),
        ("morphine", "macrogol"),
    ),
    DemoPatient(
        "June Park", dt.date(1962, 2, 8), CarePhase.HOSPICE, ("brain", "bone"), ("oxycodone",)
    ),
    DemoPatient(
        "Kateri Redcloud",
        dt.date(1958, 10, 5),
        CarePhase.HOSPICE,
        ("liver",),
        ("hydromorphone", "senna"),
    ),
    DemoPatient(
        "Lucia Ferrari",
        dt.date(1966, 7, 25),
        CarePhase.HOSPICE,
        ("lung", "local"),
        ("fentanyl", "docusate"),
    ),
]


def email_for(name: str) -> str:
    return f"{name.split()[0].lower()}@{DEMO_DOMAIN}"


def demo_clinic_exists() -> bool:
    return Clinic.objects.filter(name=DEMO_CLINIC).exists()


@transaction.atomic
def build_demo_clinic() -> None:
    by = Actor.system("demo")
    clinic = actions.create_clinic(DEMO_CLINIC, "911", by=by)
    oncology = actions.create_team(
        clinic, "Breast Oncology Team", CareTeam.Kind.ONCOLOGY, "+1 555 0100", by=by
    )
    hospice = actions.create_team(
        clinic, "Riverside Hospice Team", CareTeam.Kind.HOSPICE, "+1 555 0199", by=by
    )

    def staff(name: str, role: str, team: CareTeam) -> User:
        user = create_user(email_for(name), DEMO_PASSWORD, full_name=name, role=role, by=by)
        actions.add_team_member(team, user, by=by)
        return user

    nadia = staff("Nadia Rahman", Role.NURSE, oncology)
    omar = staff("Omar Bennett", Role.DOCTOR, oncology)
    priya = staff("Priya Shah", Role.NURSE, oncology)
    actions.set_on_call_list(oncology, [nadia, priya, omar], by=by)
    hana = staff("Hana Sato", Role.NURSE, hospice)
    victor = staff("Victor Adeyemi", Role.DOCTOR, hospice)
    staff("Sofia Marin", Role.SOCIAL_WORKER, hospice)
    staff("Thomas Keane", Role.CHAPLAIN, hospice)
    actions.set_on_call_list(hospice, [hana, victor], by=by)

    admin = create_user(
        email_for("Adam Clarke"),
        DEMO_PASSWORD,
        full_name="Adam Clarke",
        role=Role.CLINIC_ADMIN,
        by=by,
    )
    clinic.admins.add(admin)

    patients = {}
    for index, demo in enumerate(PATIENTS):
        team = hospice if demo.phase == CarePhase.HOSPICE else oncology
        patients[demo.name] = actions.create_patient(
            email=email_for(demo.name),
            password=DEMO_PASSWORD,
            full_name=demo.name,
            care_team=team,
            date_of_birth=demo.born,
            language=demo.language,
            care_phase=demo.phase,
            known_metastatic_sites=demo.sites,
            therapies=demo.therapies,
            phone=f"+1 555 01{20 + index}",  # made up: 555-01xx is kept for fiction
            # Enrolled before the demo's check-ins began.
            enrolled_on=timezone.localdate() - dt.timedelta(weeks=12),
            by=by,
        )

    # Made-up numbers (555-01xx is kept for fiction).
    caregivers = [
        ("Carol Moreau", "Alice Moreau", "daughter", "+1 555 0161"),
        ("Diego Santos", "Beatriz Santos", "husband", "+1 555 0162"),
        ("Mei Li", "Chen Li", "daughter", "+1 555 0163"),
        ("Ruth Kowalska", "Irene Kowalska", "sister", "+1 555 0164"),
        ("Ben Park", "June Park", "son", "+1 555 0165"),
    ]
    carers = {}
    for name, patient_name, relationship, phone in caregivers:
        carer = create_user(
            email_for(name), DEMO_PASSWORD, full_name=name, role=Role.CAREGIVER, by=by
        )
        actions.grant_caregiver(
            patients[patient_name], carer, relationship=relationship, phone=phone, by=by
        )
        carers[patient_name] = carer
    _demo_checkins(patients, carers, by)


# Weeks ago -> answers. Alice's pain creeps up and then she has a fever on
# capecitabine; Dana has diarrhoea on abemaciclib; Irene, in hospice, is
# breathless (her daughter Ruth reports for her).
DEMO_CHECKINS: dict[str, list[tuple[int, dict[str, Any]]]] = {
    "Alice Moreau": [
        (3, {"pain": {"severity": 1, "location": "lower back"}, "fatigue": {"severity": 1}}),
        (2, {"pain": {"severity": 1, "location": "lower back"}, "fatigue": {"severity": 2}}),
        (1, {"pain": {"severity": 2, "location": "lower back"}, "fatigue": {"severity": 2},
             "constipation": {"severity": 1, "days_since_bowel_movement": 2}}),
        (0, {"pain": {"severity": 3, "interference": 3, "location": "lower back"},
             "constipation": {"severity": 2, "days_since_bowel_movement": 4},
             "temperature_c": 37.6}),
    ],
    "Dana Whitfield": [
        (1, {"diarrhea": {"frequency": 1}, "fatigue": {"severity": 1}}),
        (0, {"diarrhea": {"frequency": 3, "stools_above_usual_24h": 4}}),
    ],
    "Irene Kowalska": [
        (1, {"shortness_of_breath": {"severity": 2}, "pain": {"severity": 2}}),
        (0, {"shortness_of_breath": {"severity": 2}, "pain": {"severity": 2}}),
    ],
}  # fmt: skip


def _demo_checkins(patients: dict[str, Patient], carers: dict[str, User], by: Actor) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    # Earlier weeks first, each alert closed before the next report; then
    # this week's reports, whose alerts stay for the worker to open.
    earlier = [
        (name, weeks_ago, answers)
        for name, weeks in DEMO_CHECKINS.items()
        for weeks_ago, answers in weeks
        if weeks_ago > 0
    ]
    this_week = [
        (name, weeks_ago, answers)
        for name, weeks in DEMO_CHECKINS.items()
        for weeks_ago, answers in weeks
        if weeks_ago == 0
    ]
    for name, weeks_ago, answers in earlier + this_week:
        patient = patients[name]
        author = carers.get(name) if patient.care_phase == CarePhase.HOSPICE else None
        at = now - dt.timedelta(weeks=weeks_ago, hours=2)
        submit_checkin(
            patient,
            author=author or patient.user,
            client_id=uuid.uuid4(),
            answers=answers,
            at=at,
            by=by,
        )
        if weeks_ago > 0:
            _close_the_loop(patient, at)


def _close_the_loop(patient: Patient, at: dt.datetime) -> None:
    """Earlier weeks' alerts were seen and resolved by the first on call."""
    process_outbox(now=at + dt.timedelta(minutes=1))
    alert = Alert.objects.filter(patient=patient, resolved_at=None).first()
    if alert is None:
        return
    slot = patient.care_team.on_call.select_related("user").first()
    nurse = Actor(user=slot.user if slot else None, label="demo")
    acknowledge(alert, by=nurse, now=at + dt.timedelta(minutes=9))
    resolve(
        alert,
        outcome=Outcome.CALLED_PATIENT,
        note="Spoke with her; plan agreed.",
        share_outcome=True,
        message_to_patient="Thanks for telling us. Call the 24-hour line if it gets worse.",
        by=nurse,
        now=at + dt.timedelta(minutes=35),
    )


def demo_logins() -> list[DemoLogin]:
    """The accounts worth trying first (every demo account has the same password)."""
    return [
        DemoLogin(email_for("Alice Moreau"), "patient", "on capecitabine, bone spread known"),
        DemoLogin(email_for("Carol Moreau"), "caregiver", "Alice's daughter"),
        DemoLogin(email_for("Nadia Rahman"), "nurse", "oncology team, first on call"),
        DemoLogin(email_for("Hana Sato"), "nurse", "hospice team, first on call"),
        DemoLogin(email_for("Adam Clarke"), "clinic admin", "sees teams, never patient data"),
    ]
