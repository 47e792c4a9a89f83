"""Finding FHIR resources: read by id and search by patient and date. Each
resource type declares who may read it (`RULES`, the rules pages and the API
declare), and every record is decided and audited by the same gate as every
other patient read (`care.access.admit`)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.dateparse import parse_date, parse_datetime
from fhir.resources.R4B.resource import Resource

from oncopro.accounts.models import User
from oncopro.alerts.models import Alert
from oncopro.care.access import (
    Admission,
    Relation,
    Rule,
    admit,
    read_patient,
    record_staff_list_read,
    rule_allows,
    visible_patients,
)
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
# Who may read each type: the rules pages declare with @access. Her alerts
# (Flag, Task) are hers to read as well as her team's: her right of access,
# and her own pages already show her each alert, who saw it and what was
# done when the team shared it (mapping.task leaves out what they did not).
RULES: dict[str, Rule] = {
    "Patient": Rule.PATIENT,
    "QuestionnaireResponse": Rule.PATIENT,
    "Observation": Rule.PATIENT,
    "Flag": Rule.PATIENT,
    "Task": Rule.PATIENT,
    "MedicationStatement": Rule.PATIENT,
    "Condition": Rule.PATIENT,
    "CarePlan": Rule.PATIENT,
    "Questionnaire": Rule.SIGNED_IN,  # the questions only, no patient data
}
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


def gate(request: HttpRequest, patient: Patient | None, resource_type: str) -> Admission:
    """`admit` for one FHIR read: not found (404) unless this person may
    read this type of her records; audited as every staff read is."""
    return admit(request, patient, rule=RULES[resource_type], what="fhir", about=resource_type)


def read_patient_id(patient_id: str) -> Patient | None:
    """Her row by the id a FHIR client sent (not found if it is no id)."""
    return read_patient(_uuid(patient_id))


def patient_for(request: HttpRequest, patient_id: str, resource_type: str = "Patient") -> Patient:
    return gate(request, read_patient_id(patient_id), resource_type).patient


# Reading one resource


def read(request: HttpRequest, resource_type: str, resource_id: str) -> Resource:
    if resource_type not in RESOURCE_TYPES:
        raise FhirError(404, "not-supported", f"OncoPRO does not serve {resource_type}.")
    if resource_type == "Questionnaire":
        found = mapping.questionnaire()
        if resource_id != found.id:
            raise not_found()
        return found
    return READERS[resource_type](request, resource_id)


def _read_patient(request: HttpRequest, resource_id: str) -> Resource:
    return mapping.patient_resource(patient_for(request, resource_id))


def _checkin(request: HttpRequest, client_id: str, resource_type: str) -> CheckIn:
    checkin = (
        CheckIn.objects.select_related("patient__user", "author")
        .filter(client_id=_uuid(client_id))
        .first()
    )
    gate(request, checkin.patient if checkin is not None else None, resource_type)
    assert checkin is not None  # the gate let her record through
    return checkin


def _read_response(request: HttpRequest, resource_id: str) -> Resource:
    return mapping.questionnaire_response(_checkin(request, resource_id, "QuestionnaireResponse"))


def _read_observation(request: HttpRequest, resource_id: str) -> Resource:
    checkin = _checkin(request, resource_id.partition(".")[0], "Observation")
    for observation in mapping.observations(checkin):
        if observation.id == resource_id:
            return observation
    raise not_found()


def _alert(
    request: HttpRequest, resource_id: str, pattern: str, resource_type: str
) -> tuple[Admission, Alert]:
    match = re.fullmatch(pattern, resource_id)
    alert = (
        Alert.objects.select_related("patient__user", "acknowledged_by")
        .filter(pk=int(match.group(1)))
        .first()
        if match
        else None
    )
    admission = gate(request, alert.patient if alert is not None else None, resource_type)
    assert alert is not None  # the gate let her record through
    return admission, alert


def _read_flag(request: HttpRequest, resource_id: str) -> Resource:
    _, alert = _alert(request, resource_id, r"alert-(\d{1,18})", "Flag")
    return mapping.flag(alert)


def _read_task(request: HttpRequest, resource_id: str) -> Resource:
    admission, alert = _alert(request, resource_id, r"alert-(\d{1,18})-task", "Task")
    return mapping.task(alert, for_team=admission.relation is Relation.CARE_TEAM)


def _from_patient(
    resource_type: str, make: Callable[[Patient], list[Resource]]
) -> Callable[[HttpRequest, str], Resource]:
    """Resources made from her record: the id starts with her id."""

    def reader(request: HttpRequest, resource_id: str) -> Resource:
        patient = patient_for(request, resource_id.partition(".")[0], resource_type)
        for resource in make(patient):
            if resource.id == resource_id:
                return resource
        raise not_found()

    return reader


READERS: dict[str, Callable[[HttpRequest, str], Resource]] = {
    "Patient": _read_patient,
    "QuestionnaireResponse": _read_response,
    "Observation": _read_observation,
    "Flag": _read_flag,
    "Task": _read_task,
    "MedicationStatement": _from_patient(
        "MedicationStatement", lambda p: list(mapping.medication_statements(p))
    ),
    "Condition": _from_patient("Condition", lambda p: list(mapping.conditions(p))),
    "CarePlan": _from_patient("CarePlan", lambda p: [mapping.care_plan(p)]),
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
    request: HttpRequest, resource_type: str, patient_ids: list[str], dates: list[DateBound]
) -> list[Resource]:
    if resource_type not in RESOURCE_TYPES:
        raise FhirError(404, "not-supported", f"OncoPRO does not serve {resource_type}.")
    if resource_type == "Questionnaire":
        return [mapping.questionnaire()]
    if patient_ids:
        admissions = [gate(request, read_patient_id(pid), resource_type) for pid in patient_ids]
    elif resource_type != "Patient":
        raise FhirError(
            400, "required", f"Searching {resource_type} needs a patient (patient=Patient/ID)."
        )
    if dates and resource_type not in DATED_TYPES:
        raise FhirError(400, "not-supported", f"{resource_type} has no date to search on.")
    if not patient_ids:
        return _everyone_visible(request)
    found: list[Resource] = []
    for admission in admissions:
        found += _of_patient(admission, resource_type, dates)
    return found


def _everyone_visible(request: HttpRequest) -> list[Resource]:
    """A Patient search naming nobody: everyone this person may see (she
    herself, the patients she cares for, her team's), by the same rule as
    the pages' lists; staff listing several is one audit line."""
    user = request.user
    assert isinstance(user, User)
    patients = list(visible_patients(user).select_related("user").order_by("pk"))
    if user.is_staff_member:
        record_staff_list_read(request, patients, "fhir")
    return [mapping.patient_resource(patient) for patient in patients]


def _of_patient(admission: Admission, resource_type: str, dates: list[DateBound]) -> list[Resource]:
    patient = admission.patient
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
        for_team = admission.relation is Relation.CARE_TEAM
        made.append(
            mapping.flag(alert)
            if resource_type == "Flag"
            else mapping.task(alert, for_team=for_team)
        )
    return made


def everything(patient: Patient, relation: Relation) -> list[Resource]:
    """Every resource of hers that someone standing to her as `relation` may
    read (every type's rule is asked, so a type kept for her team would be
    left out for her)."""
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
    for_team = relation is Relation.CARE_TEAM
    hers = mapping.everything(patient, checkins, alerts, for_team=for_team)
    return [
        *(r for r in hers if rule_allows(RULES[r.get_resource_type()], relation)),
        mapping.questionnaire(),
    ]


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
