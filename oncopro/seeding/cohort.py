"""A synthetic cohort at the size of a real program, for benchmarks.

`oncopro seed-cohort --patients N --weeks W`: made-up patients whose weekly
reports follow plausible courses (stable weeks, treatment side effects, a
new metastatic site emerging over weeks, an infection, the move to hospice),
with caregivers, therapies and missed weeks. Everything is written through
the real code path (`submit_checkin`, the alert worker's `process_outbox`,
`acknowledge`, `resolve`, the care actions), so the rows are the rows
OncoPRO makes; one transaction per patient keeps it fast.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from oncopro.accounts.actions import create_user
from oncopro.accounts.audit import Actor
from oncopro.accounts.models import AuditEvent, Role, User
from oncopro.alerts.actions import (
    acknowledge,
    outbox_row,
    process_outbox,
    process_outbox_row,
    resolve,
)
from oncopro.alerts.models import Alert, AlertOutbox, Notification, Outcome
from oncopro.care import actions
from oncopro.care.models import CarePhase, CareTeam, Clinic, Patient
from oncopro.checkins.actions import build_checkin, submission, submit_checkin, submitted_event
from oncopro.checkins.models import CheckIn
from oncopro.checkins.triage import HISTORY_WINDOW
from oncopro.clinical import Report

COHORT_CLINIC = "Cohort Cancer Centre (synthetic)"
EMAIL_DOMAIN = "cohort.oncopro.example"
BY = Actor.system("seed-cohort")

REGIMENS = [
    ["capecitabine", "denosumab"],
    ["palbociclib", "letrozole"],
    ["abemaciclib", "fulvestrant", "zoledronic acid"],
    ["trastuzumab deruxtecan"],
    ["paclitaxel", "trastuzumab", "pertuzumab"],
    ["alpelisib", "fulvestrant"],
    ["sacituzumab govitecan", "morphine", "senna"],
    ["eribulin", "oxycodone"],
    ["letrozole"],
    ["exemestane", "everolimus"],
]
COURSES = (
    ["stable"] * 8
    + ["side_effects"] * 4
    + ["new_spread"] * 3
    + ["infection"] * 2
    + ["to_hospice"] * 3
)
SPREAD_SITES = ["bone", "liver", "lung", "brain"]
MISSED_WEEK = 0.12
OUTCOMES = [
    Outcome.CALLED_PATIENT,
    Outcome.ADVICE_GIVEN,
    Outcome.BOOKED_VISIT,
    Outcome.CHANGED_MEDICATION,
    Outcome.NO_ACTION,
    Outcome.ADVISED_EMERGENCY,
]


@dataclass
class CohortStats:
    patients: int = 0
    caregivers: int = 0
    checkins: int = 0
    alerts: int = 0
    open_alerts: int = 0
    courses: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """When this patient's course turns: where spread appears and when, the
    week of an infection, the weeks of decline."""

    site: str
    spread_from: int
    infection_week: int
    decline_from: int


def _score(rng: random.Random, low: int, high: int) -> int:
    return max(0, min(4, rng.randint(low, high)))


def _baseline(rng: random.Random) -> dict[str, Any]:
    """A quiet week: a few mild everyday symptoms."""
    answers: dict[str, Any] = {
        "fatigue": {"severity": _score(rng, 0, 2)},
        "pain": {"severity": _score(rng, 0, 1)},
        "insomnia": {"frequency": _score(rng, 0, 1)},
        "sadness": {"frequency": _score(rng, 0, 1)},
    }
    if rng.random() < 0.3:
        answers["temperature_c"] = round(rng.uniform(36.2, 37.3), 1)
    return answers


def _side_effects(rng: random.Random, week: int, answers: dict[str, Any]) -> None:
    cycle_day = week % 3  # three-weekly treatment: worst in the week after
    worst = 3 if cycle_day == 0 else 1
    answers["nausea"] = {"frequency": _score(rng, 0, worst), "severity": _score(rng, 0, worst)}
    if answers["nausea"]["frequency"] == 0:
        del answers["nausea"]["severity"]
    answers["diarrhea"] = {"frequency": _score(rng, 0, worst)}
    answers["mouth_sores"] = {"severity": _score(rng, 0, worst)}
    answers["fatigue"] = {"severity": _score(rng, 1, worst + 1)}


def _spread(rng: random.Random, site: str, weeks_in: int, answers: dict[str, Any]) -> None:
    """Symptoms of a new site, growing week by week."""
    level = min(3, 1 + weeks_in // 2)
    if site == "bone":
        answers["bone_pain"] = {
            "severity": level, "new": weeks_in == 0, "worse_at_night": level >= 2,
            "location": "lower back",
        }  # fmt: skip
    elif site == "liver":
        answers["abdominal_pain"] = {"severity": level}
        answers["decreased_appetite"] = {"severity": level}
        if level >= 3:
            answers["jaundice"] = {"present": True}
    elif site == "lung":
        answers["shortness_of_breath"] = {"severity": min(level, 2)}
        answers["cough"] = {"severity": level, "days": 7 * (weeks_in + 1)}
    else:
        answers["headache"] = {"severity": level, "new": weeks_in == 0, "worse_in_morning": True}
        if level >= 3:
            answers["balance_problems"] = {"present": True}


def _week_answers(rng: random.Random, course: str, week: int, plan: Plan) -> dict[str, Any]:
    answers = _baseline(rng)
    if course == "side_effects":
        _side_effects(rng, week, answers)
    elif course == "new_spread" and week >= plan.spread_from:
        _spread(rng, plan.site, week - plan.spread_from, answers)
    elif course == "infection" and week == plan.infection_week:
        answers["temperature_c"] = round(rng.uniform(38.1, 39.2), 1)
        answers["shivering"] = {"present": True}
        answers["feels_unwell"] = {"present": True}
    elif course == "to_hospice" and week >= plan.decline_from:
        worse = min(3, 1 + (week - plan.decline_from) // 3)
        answers["pain"] = {"severity": worse, "interference": worse}
        answers["fatigue"] = {"severity": min(4, worse + 1)}
        answers["decreased_appetite"] = {"severity": worse}
        answers["drowsiness"] = {"severity": _score(rng, 0, worse)}
    return answers


def _clinic() -> tuple[Clinic, CareTeam, CareTeam]:
    existing = Clinic.objects.filter(name=COHORT_CLINIC).first()
    if existing is not None:
        return (
            existing,
            existing.teams.get(kind=CareTeam.Kind.ONCOLOGY),
            existing.teams.get(kind=CareTeam.Kind.HOSPICE),
        )
    clinic = actions.create_clinic(COHORT_CLINIC, "911", by=BY)
    oncology = actions.create_team(clinic, "Cohort Oncology", "oncology", "+1 555 0300", by=BY)
    hospice = actions.create_team(clinic, "Cohort Hospice", "hospice", "+1 555 0399", by=BY)
    for team, names in ((oncology, ("Nora", "Nell", "Nia")), (hospice, ("Hope", "Hal"))):
        staff = [
            create_user(
                f"{name.lower()}.{team.kind}@{EMAIL_DOMAIN}", None,
                full_name=f"{name} Cohort", role=Role.NURSE, by=BY,
            )
            for name in names
        ]  # fmt: skip
        for person in staff:
            actions.add_team_member(team, person, by=BY)
        actions.set_on_call_list(team, staff, by=BY)
    return clinic, oncology, hospice


def seed_cohort(
    patients: int,
    weeks: int,
    *,
    seed: int = 1,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
    bulk: bool = False,
) -> CohortStats:
    now = (now or timezone.now()).replace(microsecond=0)
    start = now - dt.timedelta(weeks=weeks)
    _clinic_, oncology, _hospice = _clinic()
    first = Patient.objects.filter(care_team__clinic=_clinic_).count()
    stats = CohortStats()
    for number in range(first, first + patients):
        with transaction.atomic():
            _one_patient(seed, number, oncology, start, weeks, now, stats, bulk=bulk)
        if progress and (number - first + 1) % 100 == 0:
            progress(number - first + 1)
    # History is history: nobody needs an email about a week long gone.
    Notification.objects.filter(sent_at=None, alert__patient__care_team__clinic=_clinic_).update(
        sent_at=now
    )
    alerts = Alert.objects.filter(patient__care_team__clinic=_clinic_)
    stats.alerts = alerts.count()
    stats.open_alerts = alerts.filter(resolved_at=None).count()
    return stats


def _one_patient(
    seed: int,
    number: int,
    oncology: CareTeam,
    start: dt.datetime,
    weeks: int,
    now: dt.datetime,
    stats: CohortStats,
    *,
    bulk: bool,
) -> None:
    # Her own random streams: her reports, and her team's answers to them.
    rng = random.Random(f"{seed}-{number}")  # noqa: S311 - made-up data, not secrets
    team_rng = random.Random(f"{seed}-{number}-team")  # noqa: S311
    course = rng.choice(COURSES)
    stats.courses[course] = stats.courses.get(course, 0) + 1
    sites = rng.sample(SPREAD_SITES[:3], k=rng.choice([0, 1, 1, 2]))
    patient = actions.create_patient(
        email=f"patient{number}@{EMAIL_DOMAIN}",
        password=None,
        full_name=f"Cohort Patient {number}",
        care_team=oncology,
        date_of_birth=dt.date(1950 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28)),
        known_metastatic_sites=sites,
        therapies=rng.choice(REGIMENS),
        by=BY,
    )
    Patient.objects.filter(pk=patient.pk).update(
        created_at=start, enrolled_on=timezone.localdate(start)
    )
    patient.checkin_weekday = rng.randint(0, 6)
    patient.save(update_fields=["checkin_weekday"])
    stats.patients += 1
    caregiver: User | None = None
    if rng.random() < 0.5 or course == "to_hospice":
        caregiver = create_user(
            f"carer{number}@{EMAIL_DOMAIN}", None,
            full_name=f"Cohort Carer {number}", role=Role.CAREGIVER, by=BY,
        )  # fmt: skip
        actions.grant_caregiver(patient, caregiver, relationship="family", by=BY)
        stats.caregivers += 1
    plan = Plan(
        site=rng.choice([s for s in SPREAD_SITES if s not in sites]),
        spread_from=rng.randint(weeks // 4, max(weeks // 4, weeks - 6)),
        infection_week=rng.randint(0, weeks - 1),
        decline_from=max(0, weeks - rng.randint(10, 20)),
    )
    hospice_week = max(1, weeks - rng.randint(3, 8))
    store = _Store(bulk, patient, team_rng, now)
    for week in range(weeks):
        at = start + dt.timedelta(weeks=week, hours=rng.randint(8, 20), minutes=rng.randint(0, 59))
        if course == "to_hospice" and week == hospice_week:
            store.settle()  # her reports so far were handled by her old team
            actions.set_care_phase(patient, CarePhase.HOSPICE, by=BY)
        if course == "new_spread" and week == plan.spread_from + 4:
            store.settle()
            actions.set_clinical_context(
                patient,
                known_metastatic_sites=[*patient.known_metastatic_sites, plan.site],
                therapies=patient.therapies,
                by=BY,
            )
        if rng.random() < MISSED_WEEK:
            continue
        in_hospice = patient.care_phase == CarePhase.HOSPICE
        author = caregiver if caregiver and (in_hospice or rng.random() < 0.2) else patient.user
        store.submit(
            author,
            uuid.UUID(int=rng.getrandbits(128), version=4),
            _week_answers(rng, course, week, plan),
            at,
        )
        stats.checkins += 1
    store.settle()
    # Reports of the past arrived in the past (the real path stamps "now").
    CheckIn.objects.filter(patient=patient).update(received_at=F("at"))


class _Store:
    """How the cohort's check-ins are written. One at a time through
    `submit_checkin` and the alert worker (bulk=False); or, for clinic-size
    cohorts, triaged in memory with the same builders (`build_checkin`,
    `submitted_event`, her earlier reports), inserted in batches, and then
    each handed to the alert worker's own `process_outbox_row` in time order
    (bulk=True). A test proves both write the same rows."""

    def __init__(self, bulk: bool, patient: Patient, rng: random.Random, now: dt.datetime) -> None:
        self.bulk = bulk
        self.patient = patient
        self.rng = rng
        self.now = now
        self.history: list[Report] = []  # oldest first
        self.pending: list[tuple[CheckIn, User]] = []

    def submit(
        self, author: User, client_id: uuid.UUID, answers: dict[str, Any], at: dt.datetime
    ) -> None:
        if not self.bulk:
            submit_checkin(
                self.patient,
                author=author,
                client_id=client_id,
                answers=answers,
                at=at,
                by=Actor(user=author, label="seed-cohort"),
            )
            if process_outbox(now=at + dt.timedelta(minutes=1)):
                _team_responds(self.rng, self.patient, at, self.now)
            return
        earlier = [r for r in reversed(self.history) if at - HISTORY_WINDOW <= r.at <= at]
        made = submission(
            self.patient, author=author, client_id=client_id, answers=answers, at=at,
            history=earlier, by=Actor(user=author, label="seed-cohort"),
        )  # fmt: skip
        checkin = build_checkin(made)
        checkin.received_at = at
        self.pending.append((checkin, author))
        # As the database would hand it back to the next triage.
        self.history.append(
            Report(at=made.report.at, answers=json.loads(json.dumps(checkin.answers)))
        )

    def settle(self) -> None:
        """Insert what is pending, then let the alert worker's code handle
        each report that needs the team, in time order, the team answering
        between them as in the one-at-a-time path."""
        if not self.pending:
            return
        checkins = CheckIn.objects.bulk_create([checkin for checkin, _ in self.pending])
        rows = AlertOutbox.objects.bulk_create(
            row for checkin in checkins if (row := outbox_row(checkin)) is not None
        )
        AuditEvent.objects.bulk_create(
            submitted_event(checkin, Actor(user=author, label="seed-cohort"))
            for checkin, author in self.pending
        )
        self.pending = []
        for row in rows:
            at = row.checkin.at
            if process_outbox_row(row.pk, at + dt.timedelta(minutes=1)):
                _team_responds(self.rng, self.patient, at, self.now)


def _team_responds(rng: random.Random, patient: Patient, at: dt.datetime, now: dt.datetime) -> None:
    """Most alerts are seen within minutes and closed within hours; the
    last days' may still be open."""
    alert = Alert.objects.filter(patient=patient, resolved_at=None).first()
    if alert is None or alert.acknowledged_at is not None:
        return
    if at > now - dt.timedelta(days=7) and rng.random() < 0.6:
        return  # this week's alerts: many still wait in the queue
    seen = at + dt.timedelta(minutes=rng.choice([3, 6, 9, 12, 14, 20, 35, 90]))
    if seen > now:
        return
    nurse = patient.care_team.on_call.select_related("user").first()
    by = Actor(user=nurse.user if nurse else None, label="seed-cohort")
    acknowledge(alert, by=by, now=seen)
    done = seen + dt.timedelta(minutes=rng.randint(10, 240))
    if done < now - dt.timedelta(hours=6):
        resolve(
            alert,
            outcome=rng.choice(OUTCOMES),
            share_outcome=rng.random() < 0.7,
            by=by,
            now=done,
        )
