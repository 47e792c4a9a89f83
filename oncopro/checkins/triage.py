"""The bridge from stored check-ins to the clinical engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from oncopro.care.models import Patient
from oncopro.checkins.models import CheckIn
from oncopro.clinical import PatientContext, Report, TriageResult, load_pack, triage
from oncopro.clinical.case import parse_case

# How far back earlier check-ins are handed to triage. "New or worse" and
# alert-on-change look back 14 days; a grade's rise is judged against the
# latest earlier check-in that asked, however old, so a longer window keeps
# that answer for patients who skip weeks.
HISTORY_WINDOW = dt.timedelta(weeks=12)


def patient_context(patient: Patient) -> PatientContext:
    return PatientContext(
        care_phase=patient.care_phase,
        therapies=tuple(patient.therapies),
        known_metastatic_sites=tuple(sorted(patient.known_metastatic_sites)),
    )


def earlier_reports(patient: Patient, before: dt.datetime) -> list[Report]:
    rows: Iterable[tuple[dt.datetime, dict[str, Any]]] = (
        CheckIn.objects.filter(patient=patient, at__lte=before, at__gte=before - HISTORY_WINDOW)
        .order_by("-at")
        .values_list("at", "answers")
    )
    return [Report(at=at, answers=answers) for at, answers in rows]


def validate_answers(answers: Mapping[str, Any], at: dt.datetime) -> Report:
    """The contract's validation of one check-in's answers (raises CaseError)."""
    case = parse_case(load_pack(), {"checkin": {"at": at.isoformat(), "answers": answers}})
    return case.checkin


def triage_checkin(
    patient: Patient, report: Report, earlier: list[Report] | None = None
) -> TriageResult:
    """Triage one report with her context and her earlier reports (read from
    the database unless a bulk writer already holds them, newest first)."""
    if earlier is None:
        earlier = earlier_reports(patient, report.at)
    return triage(load_pack(), patient_context(patient), earlier, report)
