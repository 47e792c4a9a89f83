"""Submitting a check-in: validated, triaged, stored once, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

from django.db import IntegrityError
from django.utils import timezone

from oncopro.accounts.audit import Actor, audit_event
from oncopro.accounts.models import AuditEvent, Role, User
from oncopro.alerts.actions import outbox_row, wake_worker_after_commit
from oncopro.care.access import Admission, Relation, relation_to
from oncopro.care.models import Patient
from oncopro.checkins.models import CheckIn
from oncopro.checkins.triage import triage_checkin, validate_answers
from oncopro.clinical import Report, TriageResult
from oncopro.db.together import Dependent, insert_together


class CheckInConflict(Exception):
    """The same check-in id was already used for a different report."""

    message = (
        "This check-in was already sent with different answers. Your first answers are "
        "kept. To change them, send a new check-in."
    )


@dataclass(frozen=True)
class Submitted:
    checkin: CheckIn
    created: bool  # False: a retry of one already stored, which is returned as it was


def content_hash(
    patient: Patient,
    kind: str,
    answers: dict[str, Any],
    notes: dict[str, str] | None = None,
    *,
    at: dt.datetime | None = None,
    reporter: str | None = None,
) -> str:
    """What was submitted, all of it (DESIGN invariant 1: the same id with
    any other content is refused). `at` and `reporter` count as the client
    sent them; without them the digest is the one stored before they
    counted, so earlier check-ins are still recognised when retried."""
    content: dict[str, Any] = {
        "patient": str(patient.public_id), "kind": kind, "answers": answers, "notes": notes or {},
    }  # fmt: skip
    if at is not None:
        content["at"] = at.astimezone(dt.UTC).isoformat()
    if reporter is not None:
        content["reporter"] = reporter
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Submission:
    """One check-in, checked and triaged, ready to store: built once by
    `submission`, then stored (`submit_checkin`) or, by the benchmark cohort's
    bulk writer, turned into its row (`build_checkin`)."""

    patient: Patient
    author: User
    client_id: uuid.UUID
    kind: str
    report: Report
    notes: dict[str, str]
    digest: str  # content_hash of what was sent
    replaces: CheckIn | None
    result: TriageResult
    by: Actor


class ReportDetails(TypedDict, total=False):
    """What a report may carry besides its answers, each optional: its kind
    (weekly unless said), when it happened (now unless said), the check-in it
    corrects, her own words, and the `at` and `reporter` an API client sent
    (`sent`), which count as content."""

    kind: str
    at: dt.datetime | None
    replaces: CheckIn | None
    notes: dict[str, str] | None
    sent: tuple[dt.datetime | None, str | None]


def submission(
    patient: Patient,
    *,
    author: User,
    client_id: uuid.UUID,
    answers: dict[str, Any],
    by: Actor,
    history: list[Report] | None = None,
    **details: Unpack[ReportDetails],
) -> Submission:
    """Check and triage one report (bad answers raise CaseError).
    `history`: her earlier reports, when the caller has them in hand (the
    cohort); else triage reads them."""
    kind = details.get("kind", CheckIn.Kind.WEEKLY)
    notes = {
        key: value.strip()[:500]
        for key, value in (details.get("notes") or {}).items()
        if value.strip()
    }
    at_sent, reporter_sent = details.get("sent", (None, None))  # they count as content
    digest = content_hash(patient, kind, answers, notes, at=at_sent, reporter=reporter_sent)
    report = validate_answers(answers, details.get("at") or timezone.now())
    # Triage reads her history before the write transaction, so that the
    # transaction (which SQLite lets one writer hold at a time) is only the
    # inserts. A check-in sent at the same moment for her is not in that
    # history either way (PostgreSQL's read committed sees the same).
    result = triage_checkin(patient, report, history)
    replaces = details.get("replaces")
    return Submission(patient, author, client_id, kind, report, notes, digest, replaces, result, by)


def submit_checkin(
    patient: Patient,
    *,
    author: User,
    client_id: uuid.UUID,
    answers: dict[str, Any],
    by: Actor,
    admitted: Admission | None = None,
    **details: Unpack[ReportDetails],
) -> Submitted:
    """Store one check-in and its triage. The same id with the same content
    returns the first result; with other content it raises CheckInConflict.
    Only she or a caregiver she chose may report for her: `admitted`, the
    access gate's decision for this very person and patient, says so
    without asking again. Bad answers raise CaseError (nothing is stored)."""
    if _relation(author, patient, admitted) not in (Relation.SELF, Relation.CAREGIVER):
        raise PermissionError("Only the patient or a caregiver she chose can report for her.")
    made = submission(
        patient, author=author, client_id=client_id, answers=answers, by=by, **details
    )
    try:
        checkin = _store(made)
    except IntegrityError:
        # This id was stored before: a retry (the client's id is unique).
        # Replays are rare, so the first try goes straight to the insert.
        existing = CheckIn.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return _same_or_conflict(existing, patient, made.digest)
    return Submitted(checkin, created=True)


def _relation(author: User, patient: Patient, admitted: Admission | None) -> Relation | None:
    if admitted is not None and admitted.user is author and admitted.patient is patient:
        return admitted.relation
    return relation_to(author, patient)


def _same_or_conflict(existing: CheckIn, patient: Patient, digest: str) -> Submitted:
    if existing.patient_id != patient.pk or existing.content_hash != digest:
        raise CheckInConflict
    return Submitted(existing, created=False)


def _store(made: Submission) -> CheckIn:
    checkin = build_checkin(made)
    # The check-in, its audit line and (when it needs the team) its outbox
    # row are stored together or not at all: a stored check-in always gets
    # its alert and its audit line.
    rows = [Dependent(submitted_event(checkin, made.by), text_fields=("object_ref",))]
    if (outbox := outbox_row(checkin)) is not None:
        rows.append(Dependent(outbox, key_fields=("checkin",)))
    insert_together(checkin, rows)
    if outbox is not None:
        wake_worker_after_commit()
    return checkin


def build_checkin(made: Submission) -> CheckIn:
    """The row for one check-in and its triage, not yet saved. The one place
    that shapes it: `submit_checkin` and the benchmark cohort's bulk writer
    both use it."""
    reporter = (
        CheckIn.Reporter.CAREGIVER
        if made.author.role == Role.CAREGIVER
        else CheckIn.Reporter.PATIENT
    )
    payload = made.result.to_json()
    payload["checkin_id"] = str(made.client_id)
    return CheckIn(
        client_id=made.client_id,
        patient=made.patient,
        author=made.author,
        reporter=reporter,
        kind=made.kind,
        at=made.report.at,
        answers=dict(made.report.answers),
        notes=made.notes,
        content_hash=made.digest,
        replaces=made.replaces,
        urgency=made.result.urgency,
        contact=made.result.contact,
        pack=made.result.pack,
        result=payload,
    )


def submitted_event(checkin: CheckIn, by: Actor) -> AuditEvent:
    return audit_event(
        by,
        "checkin.submit",
        patient_ref=checkin.patient.public_id,
        obj=checkin,
        detail={"urgency": checkin.urgency, "reporter": checkin.reporter, "kind": checkin.kind},
    )
