"""Finding FHIR resources: read by id and search by patient and date, each
through the same gate as every other patient read (`relation_to`)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime
from fhir.resources.R4B.resource import Resource

from oncopro.accounts.models import User
from oncopro.alerts.models import Alert
from oncopro.care.access import relation_to, visible_patients
from oncopro.care.models import Patient
from oncopro.checkins.models import CheckIn
from oncopro.clinical import load_pack
from oncopro.fhir import mapping

RESOURCE_TYPES = (
    "Patient",
    "QuestionnaireResponse",
    "Observation",
    "Flag",
    "Task",
    "MedicationStatement",
    "Condition",
    "CarePlan",
    "Questionnaire",
)
# The element `date` searches on, per type (FHIR's common search parameter).
DATED_TYPES = {"QuestionnaireResponse", "Observation", "Flag", "Task"}


class FhirError(Exception):
    """Answered as an OperationOutcome with this HTTP status."""

    def __init__(
        self, status: int, code: str, message: str, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after  # seconds, for a 429


def not_found() -> FhirError:
    # The same answer whether it does not exist or this person may not see it.
    return FhirError(404, "not-found", "No such resource, or not one you may read.")


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise not_found() from None


def patient_for(user: User, patient_id: str) -> Patient:
    patient = (
        Patient.objects.select_related("user", "care_team__clinic")
        .filter(public_id=_uuid(patient_id))
        .first()
    )
    if patient is None or relation_to(user, patient) is None:
        raise not_found()
    return patient


# Reading one resource


def read(user: User, resource_type: str, resource_id: str) -> tuple[Resource, Patient | None]:
    if resource_type not in RESOURCE_TYPES:
        raise FhirError(404, "not-supported", f"OncoPRO does not serve {resource_type}.")
    if resource_type == "Questionnaire":
        found = mapping.questionnaire()
        if resource_id != found.id:
            raise not_found()
        return found, None
    patient, resource = READERS[resource_type](user, resource_id)
    return resource, patient


def _read_patient(user: User, resource_id: str) -> tuple[Patient, Resource]:
    patient = patient_for(user, resource_id)
    return patient, mapping.patient_resource(patient)


def _checkin(user: User, client_id: str) -> CheckIn:
    checkin = (
        CheckIn.objects.select_related("patient__user", "author")
        .filter(client_id=_uuid(client_id))
        .first()
    )
    if checkin is None or relation_to(user, checkin.patient) is None:
        raise not_found()
    return checkin


def _read_response(user: User, resource_id: str) -> tuple[Patient, Resource]:
    checkin = _checkin(user, resource_id)
    return checkin.patient, mapping.questionnaire_response(checkin)


def _read_observation(user: User, resource_id: str) -> tuple[Patient, Resource]:
    client_id = resource_id.partition(".")[0]
    checkin = _checkin(user, client_id)
    for observation in mapping.observations(checkin):
        if observation.id == resource_id:
            return checkin.patient, observation
    raise not_found()


def _alert(user: User, resource_id: str, pattern: str) -> Alert:
    match = re.fullmatch(pattern, resource_id)
    alert = (
        Alert.objects.select_related("patient__user", "acknowledged_by")
        .filter(pk=int(match.group(1)))
        .first()
        if match
        else None
    )
    if alert is None or relation_to(user, alert.patient) is None:
        raise not_found()
    return alert


def _read_flag(user: User, resource_id: str) -> tuple[Patient, Resource]:
    alert = _alert(user, resource_id, r"alert-(\d{1,18})")
    return alert.patient, mapping.flag(alert)


def _read_task(user: User, resource_id: str) -> tuple[Patient, Resource]:
    alert = _alert(user, resource_id, r"alert-(\d{1,18})-task")
    return alert.patient, mapping.task(alert)


def _from_patient(
    make: Callable[[Patient], list[Resource]],
) -> Callable[[User, str], tuple[Patient, Resource]]:
    """Resources made from her record: the id starts with her id."""

    def reader(user: User, resource_id: str) -> tuple[Patient, Resource]:
        patient = patient_for(user, resource_id.partition(".")[0])
        for resource in make(patient):
            if resource.id == resource_id:
                return patient, resource
        raise not_found()

    return reader


READERS: dict[str, Callable[[User, str], tuple[Patient, Resource]]] = {
    "Patient": _read_patient,
    "QuestionnaireResponse": _read_response,
    "Observation": _read_observation,
    "Flag": _read_flag,
    "Task": _read_task,
    "MedicationStatement": _from_patient(lambda p: list(mapping.medication_statements(p))),
    "Condition": _from_patient(lambda p: list(mapping.conditions(p))),
    "CarePlan": _from_patient(lambda p: [mapping.care_plan(p)]),
}


# Searching


@dataclass(frozen=True)
class DateBound:
    op: str  # ge, gt, le, lt, eq
    moment: dt.datetime


def parse_dates(values: list[str]) -> list[DateBound]:
    """`date` search values (FHIR prefixes eq, ge, gt, le, lt); anything that
    is not a real date and time, an empty value included, is a 400 naming
    the parameter, never an error inside."""
    return [_date_bound(value) for value in values]


# Real offsets run from -12:00 to +14:00; FHIR allows -14:00 to +14:00.
MAX_OFFSET = dt.timedelta(hours=14)


def _date_bound(value: str) -> DateBound:
    problem = FhirError(400, "value", f"date={value} is not a date (use for example ge2026-11-01).")
    match = re.fullmatch(r"(eq|ge|gt|le|lt)?(.+)", value)
    if match is None:
        raise problem
    op, text = match.group(1) or "eq", match.group(2)
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    except ValueError:  # well formed, but no such day, hour or offset
        raise problem from None
    if moment is None:
        raise problem
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    offset = moment.utcoffset()
    if offset is None or abs(offset) > MAX_OFFSET:
        raise problem
    try:
        moment = moment.astimezone(dt.UTC)  # the database compares in UTC
    except OverflowError:
        raise problem from None
    return DateBound(op, moment)


def _date_filter(field: str, bounds: list[DateBound]) -> dict[str, Any]:
    lookups: dict[str, Any] = {}
    for bound in bounds:
        if bound.op == "eq":
            lookups[f"{field}__date"] = bound.moment.date()
        else:
            lookups[
                f"{field}__{'gte' if bound.op == 'ge' else 'lte' if bound.op == 'le' else bound.op}"
            ] = bound.moment
    return lookups


def search(
    user: User, resource_type: str, patient_ids: list[str], dates: list[DateBound]
) -> tuple[list[Resource], list[Patient]]:
    if resource_type not in RESOURCE_TYPES:
        raise FhirError(404, "not-supported", f"OncoPRO does not serve {resource_type}.")
    if resource_type == "Questionnaire":
        return [mapping.questionnaire()], []
    if patient_ids:
        patients = [patient_for(user, pid) for pid in patient_ids]
    elif resource_type == "Patient":
        patients = list(visible_patients(user).select_related("user").order_by("pk"))
    else:
        raise FhirError(
            400, "required", f"Searching {resource_type} needs a patient (patient=Patient/ID)."
        )
    if dates and resource_type not in DATED_TYPES:
        raise FhirError(400, "not-supported", f"{resource_type} has no date to search on.")
    found: list[Resource] = []
    for patient in patients:
        found += _of_patient(patient, resource_type, dates)
    return found, patients


def _of_patient(patient: Patient, resource_type: str, dates: list[DateBound]) -> list[Resource]:
    if resource_type == "Patient":
        return [mapping.patient_resource(patient)]
    if resource_type == "MedicationStatement":
        return list(mapping.medication_statements(patient))
    if resource_type == "Condition":
        return list(mapping.conditions(patient))
    if resource_type == "CarePlan":
        return [mapping.care_plan(patient)]
    if resource_type in ("QuestionnaireResponse", "Observation"):
        checkins = CheckIn.objects.filter(
            patient=patient, **_date_filter("at", dates)
        ).select_related("author")
        pack = load_pack()
        made: list[Resource] = []
        for checkin in checkins.order_by("at"):
            checkin.patient = patient
            if resource_type == "QuestionnaireResponse":
                made.append(mapping.questionnaire_response(checkin, pack))
            else:
                made += mapping.observations(checkin, pack)
        return made
    alerts = Alert.objects.filter(
        patient=patient, **_date_filter("opened_at", dates)
    ).select_related("acknowledged_by")
    made = []
    for alert in alerts.order_by("opened_at"):
        alert.patient = patient
        made.append(mapping.flag(alert) if resource_type == "Flag" else mapping.task(alert))
    return made


def everything(patient: Patient) -> list[Resource]:
    checkins = list(CheckIn.objects.filter(patient=patient).select_related("author").order_by("at"))
    alerts = list(
        Alert.objects.filter(patient=patient)
        .select_related("acknowledged_by")
        .order_by("opened_at")
    )
    for checkin in checkins:
        checkin.patient = patient
    for alert in alerts:
        alert.patient = patient
    return [*mapping.everything(patient, checkins, alerts), mapping.questionnaire()]


# Bundles


def base_url() -> str:
    return f"{settings.SITE_ROOT}/fhir/r4"


def bundle(resources: list[Resource], kind: str = "searchset") -> dict[str, Any]:
    """Bundle: type, total (searchset), entry.fullUrl, entry.resource, entry.search."""
    entries = []
    for resource in resources:
        entry: dict[str, Any] = {
            "fullUrl": f"{base_url()}/{resource.get_resource_type()}/{resource.id}",
            "resource": mapping.as_json(resource),
        }
        if kind == "searchset":
            entry["search"] = {"mode": "match"}
        entries.append(entry)
    made: dict[str, Any] = {"resourceType": "Bundle", "type": kind}
    if kind == "searchset":
        made["total"] = len(entries)
    else:
        made["timestamp"] = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    made["entry"] = entries
    return made
