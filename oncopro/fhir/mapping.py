"""OncoPRO's data as FHIR R4 (4.0.1) resources.

Built with fhir.resources' R4B models, used only for resources and elements
that are the same in R4 (the tests check every resource against the official
R4 JSON Schema and parse it with fhirclient's strict R4 models). Each
function names the FHIR element it fills.

Codes: OncoPRO's own symptom ids, alert levels and metastatic sites are in
documented local code systems (docs/fhir.md). REFERENCE.md section 2 lists
LOINC codes only for licensed instruments OncoPRO does not ask (PHQ-9,
GAD-7, a 0-10 pain score), so no OncoPRO answer carries a LOINC code: our
0-4 scales are not those instruments. For known spread, Condition.code is
SNOMED CT 128462008 "Secondary malignant neoplastic disease", as HL7 mCODE's
secondary cancer value set prescribes, with the site in bodySite; the bone
site carries SNOMED CT 272673000 "Bone structure". The other sites carry
our local code and text only: we did not have their SNOMED CT codes from a
source we could check, and a wrong code in an EHR is worse than none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.task import Task

from oncopro.alerts.models import Alert
from oncopro.care.models import CarePhase, MetastaticSite, Patient
from oncopro.checkins.models import CheckIn
from oncopro.clinical import Pack, load_pack
from oncopro.clinical.kinds import kind_of
from oncopro.clinical.specs import FieldSpec, SymptomSpec

# Local code systems (documented in docs/fhir.md).
SYMPTOM_SYSTEM = "urn:oncopro:fhir:CodeSystem:symptom"
ALERT_LEVEL_SYSTEM = "urn:oncopro:fhir:CodeSystem:alert-level"
SITE_SYSTEM = "urn:oncopro:fhir:CodeSystem:metastatic-site"
CARE_PHASE_SYSTEM = "urn:oncopro:fhir:CodeSystem:care-phase"
PATIENT_ID_SYSTEM = "urn:oncopro:fhir:NamingSystem:patient"
QUESTIONNAIRE_URL = "urn:oncopro:fhir:Questionnaire:weekly"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"

# SNOMED CT codes checked against a published source (see the module notes).
SECONDARY_MALIGNANT_NEOPLASTIC_DISEASE = ("128462008", "Secondary malignant neoplastic disease")
SITE_SNOMED = {MetastaticSite.BONE: ("272673000", "Bone structure")}

# Resource ids: stable, at most 64 characters of [A-Za-z0-9.-], and each
# leads back to the patient or check-in it was made from (see `ids.py`).


def observation_id(checkin: CheckIn, symptom_id: str) -> str:
    return f"{checkin.client_id}.{symptom_id.replace('_', '-')}"


def medication_id(patient: Patient, name: str) -> str:
    return f"{patient.public_id}.m{hashlib.sha256(name.encode()).hexdigest()[:10]}"


def condition_id(patient: Patient, site: str) -> str:
    return f"{patient.public_id}.site-{site}"


def care_plan_id(patient: Patient) -> str:
    return f"{patient.public_id}.careplan"


def flag_id(alert: Alert) -> str:
    return f"alert-{alert.pk}"


def task_id(alert: Alert) -> str:
    return f"alert-{alert.pk}-task"


def make[R: Resource](cls: type[R], **fields: Any) -> R:
    """Build and validate a resource (pydantic checks every element)."""
    return cls.model_validate(fields)


def as_json(resource: Resource) -> dict[str, Any]:
    return resource.model_dump(mode="json", exclude_none=True)


def _ref(resource_type: str, resource_id: object, display: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        ref["display"] = display
    return ref


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def patient_ref(patient: Patient) -> dict[str, Any]:
    return _ref("Patient", patient.public_id, patient.full_name)


# Patient


def patient_resource(patient: Patient) -> FhirPatient:
    """Patient: id, identifier, active, name.text, birthDate, communication."""
    return make(
        FhirPatient,
        id=str(patient.public_id),
        identifier=[{"system": PATIENT_ID_SYSTEM, "value": str(patient.public_id)}],
        active=patient.user.is_active,
        name=[{"text": patient.full_name}],
        birthDate=patient.date_of_birth,
        communication=[
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": patient.language}]}}
        ],
    )


# Questionnaire: the pack's questions


def _question_item(spec: SymptomSpec, name: str, field: FieldSpec) -> dict[str, Any]:
    """Questionnaire.item.item: one question, with enableWhen for the
    branching of REFERENCE.md section 2 (no severity after "never")."""
    item: dict[str, Any] = {
        "linkId": f"{spec.id}.{name}",
        "text": spec.questions.get(name, f"{spec.label}: {name}"),
        "type": kind_of(field).fhir_item_type,
    }
    if kind_of(field).fhir_item_type == "choice":
        item["answerOption"] = [
            {
                "valueCoding": {
                    "system": SYMPTOM_SYSTEM,
                    "code": f"{spec.id}.{name}.{choice}",
                    "display": spec.choice_labels.get(name, {}).get(choice, choice),
                }
            }
            for choice in field.choices
        ]
    if name in ("severity", "interference") and "frequency" in spec.fields:
        item["enableWhen"] = [
            {"question": f"{spec.id}.frequency", "operator": "!=", "answerInteger": 0}
        ]
    return item


def questionnaire(pack: Pack | None = None) -> Questionnaire:
    """Questionnaire: url, version (the pack's), status, item per symptom
    (group) with its questions."""
    pack = pack or load_pack()
    items = []
    for spec in pack.symptoms.values():
        if spec.is_reading:
            field = spec.fields["value"]
            items.append(
                {
                    "linkId": spec.id,
                    "text": spec.questions.get("value", spec.label),
                    "type": kind_of(field).fhir_item_type,
                    "code": [_symptom_coding(spec)],
                }
            )
            continue
        items.append(
            {
                "linkId": spec.id,
                "text": spec.label[0].upper() + spec.label[1:],
                "type": "group",
                "code": [_symptom_coding(spec)],
                "item": [_question_item(spec, name, f) for name, f in spec.fields.items()],
            }
        )
    return make(
        Questionnaire,
        id=f"{pack.id}-weekly",
        url=QUESTIONNAIRE_URL,
        version=pack.version,
        name="OncoPROWeeklyCheckIn",
        title="OncoPRO check-in",
        status="active",
        subjectType=["Patient"],
        item=items,
    )


def _symptom_coding(spec: SymptomSpec) -> dict[str, str]:
    return {"system": SYMPTOM_SYSTEM, "code": spec.id, "display": spec.label}


# QuestionnaireResponse: one check-in


def _answer(field: FieldSpec, spec: SymptomSpec, name: str, value: Any) -> dict[str, Any]:
    coding = {"system": SYMPTOM_SYSTEM, "code": f"{spec.id}.{name}.{value}"}
    return kind_of(field).fhir_answer(value, coding)


def questionnaire_response(checkin: CheckIn, pack: Pack | None = None) -> QuestionnaireResponse:
    """QuestionnaireResponse: questionnaire, status, subject, authored,
    author (the caregiver when she reported, else the patient), source, item."""
    pack = pack or load_pack()
    patient = checkin.patient
    items = []
    for symptom_id, answer in checkin.answers.items():
        spec = pack.symptoms[symptom_id]
        if spec.is_reading:
            items.append({"linkId": symptom_id, "answer": [{"valueDecimal": answer}]})
            continue
        items.append(
            {
                "linkId": symptom_id,
                "item": [
                    {
                        "linkId": f"{symptom_id}.{name}",
                        "answer": [_answer(spec.fields[name], spec, name, value)],
                    }
                    for name, value in answer.items()
                ],
            }
        )
    if checkin.reporter == CheckIn.Reporter.CAREGIVER:
        author = {"type": "RelatedPerson", "display": f"{checkin.author.full_name} (caregiver)"}
    else:
        author = patient_ref(patient)
    return make(
        QuestionnaireResponse,
        id=str(checkin.client_id),
        questionnaire=f"{QUESTIONNAIRE_URL}|{checkin.pack.partition('@')[2] or pack.version}",
        status="completed",
        subject=patient_ref(patient),
        authored=_instant(checkin.at),
        author=author,
        source=patient_ref(patient),
        item=items,
    )


# Observation: per-symptom grades of a check-in


def observations(checkin: CheckIn, pack: Pack | None = None) -> list[Observation]:
    """Observation per graded symptom: status, category (survey), code (local
    symptom system), subject, effectiveDateTime, valueInteger (composite grade
    0-3), derivedFrom (the QuestionnaireResponse); the temperature as
    valueQuantity in Cel."""
    pack = pack or load_pack()
    made = []
    category = [
        {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
    ]
    common = {
        "status": "final",
        "category": category,
        "subject": patient_ref(checkin.patient),
        "effectiveDateTime": _instant(checkin.at),
        "derivedFrom": [_ref("QuestionnaireResponse", checkin.client_id)],
    }
    for symptom_id, grade in checkin.result.get("grades", {}).items():
        spec = pack.symptoms[symptom_id]
        made.append(
            make(
                Observation,
                id=observation_id(checkin, symptom_id),
                code={"coding": [_symptom_coding(spec)], "text": f"{spec.label}: grade 0-3"},
                valueInteger=grade,
                **common,
            )
        )
    temperature = checkin.answers.get(pack.temperature_id)
    if temperature is not None:
        spec = pack.symptoms[pack.temperature_id]
        made.append(
            make(
                Observation,
                id=observation_id(checkin, pack.temperature_id),
                code={"coding": [_symptom_coding(spec)], "text": spec.label},
                valueQuantity={"value": temperature, "unit": "C", "system": UCUM, "code": "Cel"},
                **common,
            )
        )
    return made


# Flag and Task: an alert and the work of closing it


def _level_concept(alert: Alert) -> dict[str, Any]:
    return {
        "coding": [
            {
                "system": ALERT_LEVEL_SYSTEM,
                "code": alert.level,
                "display": alert.get_level_display(),
            }
        ],
        "text": f"OncoPRO alert: {alert.get_level_display().lower()}",
    }


def flag(alert: Alert) -> Flag:
    """Flag: status (active while open), code (alert level), subject, period."""
    period = {"start": _instant(alert.opened_at)}
    if alert.resolved_at:
        period["end"] = _instant(alert.resolved_at)
    return make(
        Flag,
        id=flag_id(alert),
        status="inactive" if alert.resolved_at else "active",
        code=_level_concept(alert),
        subject=patient_ref(alert.patient),
        period=period,
    )


def task(alert: Alert, *, for_team: bool) -> Task:
    """Task: status follows the alert (requested, then accepted when
    acknowledged, completed when resolved), intent, priority, code, focus
    (the Flag), for, authoredOn, lastModified, owner, businessStatus (what
    was done). The team's note stays with the team; what was done, for her
    and her caregivers (`for_team` False), only when the team shared it,
    as her pages show it."""
    if alert.resolved_at:
        status, changed = "completed", alert.resolved_at
    elif alert.acknowledged_at:
        status, changed = "accepted", alert.acknowledged_at
    else:
        status, changed = "requested", alert.raised_at or alert.opened_at
    extra: dict[str, Any] = {}
    if alert.acknowledged_by:
        extra["owner"] = {"type": "Practitioner", "display": alert.acknowledged_by.full_name}
    if alert.outcome and (for_team or alert.share_outcome):
        extra["businessStatus"] = {"text": alert.get_outcome_display()}
    return make(
        Task,
        id=task_id(alert),
        status=status,
        intent="order",
        priority="stat" if alert.level != "soon" else "urgent",
        code=_level_concept(alert),
        description="Acknowledge and act on the patient's report.",
        focus=_ref("Flag", flag_id(alert)),
        **{"for": patient_ref(alert.patient)},
        authoredOn=_instant(alert.opened_at),
        lastModified=_instant(changed),
        restriction={"period": {"end": _instant(alert.deadline)}},
        **extra,
    )


# MedicationStatement, Condition, CarePlan: her clinical context


def medication_statements(patient: Patient) -> list[MedicationStatement]:
    """MedicationStatement per medicine: status, medicationCodeableConcept
    (text: the generic name; no code system is given in REFERENCE.md),
    subject."""
    return [
        make(
            MedicationStatement,
            id=medication_id(patient, name),
            status="active",
            medicationCodeableConcept={"text": name},
            subject=patient_ref(patient),
        )
        for name in patient.therapies
    ]


def conditions(patient: Patient) -> list[Condition]:
    """Condition per known metastatic site: clinicalStatus, verificationStatus,
    category (problem list), code (SNOMED CT secondary malignant neoplastic
    disease), bodySite (the site), subject."""
    made = []
    for site in patient.known_metastatic_sites:
        label = MetastaticSite(site).label
        body_codings = [{"system": SITE_SYSTEM, "code": site, "display": label}]
        if site in SITE_SNOMED:
            code, display = SITE_SNOMED[MetastaticSite(site)]
            body_codings.insert(0, {"system": SNOMED, "code": code, "display": display})
        snomed_code, snomed_display = SECONDARY_MALIGNANT_NEOPLASTIC_DISEASE
        made.append(
            make(
                Condition,
                id=condition_id(patient, site),
                clinicalStatus=_concept(CONDITION_CLINICAL, "active"),
                verificationStatus=_concept(CONDITION_VERIFICATION, "confirmed"),
                category=[_concept(CONDITION_CATEGORY, "problem-list-item")],
                code={
                    **_concept(SNOMED, snomed_code, snomed_display),
                    "text": f"Metastatic breast cancer: {label.lower()}",
                },
                bodySite=[{"coding": body_codings, "text": label}],
                subject=patient_ref(patient),
            )
        )
    return made


WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def care_plan(patient: Patient) -> CarePlan:
    """CarePlan: status, intent, category (care phase), title, subject,
    activity.detail (the weekly check-in: scheduledTiming every week on her
    day, instantiatesCanonical the Questionnaire)."""
    phase = CarePhase(patient.care_phase)
    return make(
        CarePlan,
        id=care_plan_id(patient),
        status="active",
        intent="plan",
        category=[_concept(CARE_PHASE_SYSTEM, phase.value, phase.label)],
        title="Weekly symptom check-in",
        subject=patient_ref(patient),
        activity=[
            {
                "detail": {
                    "kind": "Task",
                    "instantiatesCanonical": [QUESTIONNAIRE_URL],
                    "status": "scheduled",
                    "scheduledTiming": {
                        "repeat": {
                            "frequency": 1,
                            "period": 1,
                            "periodUnit": "wk",
                            "dayOfWeek": [WEEKDAY_CODES[patient.checkin_weekday]],
                        }
                    },
                    "description": "Weekly check-in: how she feels, in a few taps.",
                }
            }
        ],
    )


# Everything about one patient


def everything(
    patient: Patient, checkins: Iterable[CheckIn], alerts: Iterable[Alert], *, for_team: bool
) -> list[Resource]:
    pack = load_pack()
    resources: list[Resource] = [patient_resource(patient), care_plan(patient)]
    resources += conditions(patient)
    resources += medication_statements(patient)
    for checkin in checkins:
        resources.append(questionnaire_response(checkin, pack))
        resources += observations(checkin, pack)
    for alert in alerts:
        resources += [flag(alert), task(alert, for_team=for_team)]
    return resources
