"""The bridge from stored check-ins to the clinical engine."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

import msgspec
from django.db import connection

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
    """Her check-ins of the history window up to `before`, newest first.
    Every submission asks this, so the SQL is written once here: the ORM
    took longer to build the query than the database to run it."""
    window = [
        connection.ops.adapt_datetimefield_value(moment)
        for moment in (before - HISTORY_WINDOW, before)
    ]
    with connection.cursor() as cursor:
        cursor.execute(_history_sql(connection.vendor), [patient.pk, *window])
        rows = cursor.fetchall()
    # Converted here rather than through model instances (~40 us a row):
    # SQLite gives text for both columns, PostgreSQL a datetime and text.
    return [Report(at=_aware(at), answers=_json(answers)) for at, answers in rows]


def _aware(value: dt.datetime | str) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


# Her history's answers come back from both databases as JSON text, ten or so
# check-ins of ~1 KB per submission: msgspec (already what checks every
# case's answers) reads them in a quarter of the time the json module takes,
# into the same Python values.
_decode_json = msgspec.json.Decoder().decode


def _json(value: Any) -> Any:
    return _decode_json(value) if isinstance(value, str | bytes) else value


@functools.cache
def _history_sql(vendor: str) -> str:
    """Uses the (patient, -at) index; in `vendor`'s SQL."""
    q = connection.ops.quote_name
    at = q("at")
    where = f"{q('patient_id')} = %s AND {at} >= %s AND {at} <= %s"
    columns = f"{at}, {q('answers')}"
    table = q(CheckIn._meta.db_table)
    order = f"{at} DESC, {q('id')} DESC"
    return f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {order}"  # noqa: S608 - names from the model


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
