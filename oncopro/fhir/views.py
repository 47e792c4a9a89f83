"""FHIR R4 REST, read-only, JSON only: metadata, read, search by patient and
date, and Patient/$everything. A personal token (`Authorization: Bearer`)
says who is asking; the same gate as every page decides what they see, and
every staff read is audited. Errors are OperationOutcomes."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from oncopro.accounts.audit import Actor, record
from oncopro.accounts.models import User
from oncopro.accounts.throttle import wrong_token
from oncopro.accounts.tokens import token_owner
from oncopro.care.access import Admission, Rule, access
from oncopro.fhir import server
from oncopro.fhir.server import FhirError

FHIR_JSON = "application/fhir+json"


def fhir_json(data: dict[str, Any], status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type=FHIR_JSON)
    response["Cache-Control"] = "no-store"
    return response


def operation_outcome(error: FhirError) -> HttpResponse:
    """OperationOutcome: issue.severity, issue.code, issue.diagnostics."""
    response = fhir_json(
        {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": error.code, "diagnostics": error.message}],
        },
        status=error.status,
    )
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="oncopro-fhir"'
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def _bearer_user(request: HttpRequest) -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = token_owner(token.strip()) if scheme.lower() == "bearer" and token else None
    if user is None:
        if token and (wait := wrong_token(request)) is not None:
            raise FhirError(
                429, "throttled", "Too many wrong tokens from here. Wait a minute, then try again.",
                retry_after=wait,
            )  # fmt: skip
        raise FhirError(401, "login", "Send a personal token: Authorization: Bearer <token>.")
    return user


def fhir_view(rule: Rule) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Declare the access rule (the URL walk checks it), allow GET only,
    authenticate the token, and turn errors into OperationOutcomes."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in ("GET", "HEAD"):
                    raise FhirError(405, "not-supported", "This FHIR server is read-only.")
                if rule is Rule.BEARER:
                    request.user = _bearer_user(request)
                return view(request, *args, **kwargs)
            except FhirError as error:
                return operation_outcome(error)
            except Http404:  # the gate: the same answer as for no such record
                return operation_outcome(server.not_found())

        guarded.access_rule = rule  # type: ignore[attr-defined]
        return csrf_exempt(guarded)

    return decorate


@fhir_view(Rule.PUBLIC)
def metadata(request: HttpRequest) -> HttpResponse:
    """CapabilityStatement: what this server does (no patient data)."""
    search_params = [
        {"name": "patient", "type": "reference"},
        {"name": "subject", "type": "reference"},
    ]
    resources = []
    for resource_type in server.RESOURCE_TYPES:
        params = list(search_params) if resource_type not in ("Patient", "Questionnaire") else []
        if resource_type == "Patient":
            params = [{"name": "_id", "type": "token"}]
        if resource_type in server.DATED_TYPES:
            params.append({"name": "date", "type": "date"})
        entry: dict[str, Any] = {
            "type": resource_type,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": params,
        }
        if resource_type == "Patient":
            entry["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                }
            ]
        resources.append(entry)
    return fhir_json(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-11-25",
            "kind": "instance",
            "software": {"name": "OncoPRO"},
            "implementation": {
                "description": "OncoPRO FHIR R4 (read-only)",
                "url": server.base_url(),
            },
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "description": "A personal token made with `oncopro create-token`, "
                        "sent as Authorization: Bearer <token>."
                    },
                    "resource": resources,
                }
            ],
        }
    )


@fhir_view(Rule.BEARER)
def read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    return fhir_json(server.mapping.as_json(server.read(request, resource_type, resource_id)))


@fhir_view(Rule.BEARER)
def search(request: HttpRequest, resource_type: str) -> HttpResponse:
    references = request.GET.getlist("patient") + request.GET.getlist("subject")
    if resource_type == "Patient":
        references += request.GET.getlist("_id")
    patient_ids = [ref.removeprefix("Patient/") for ref in references]
    dates = server.parse_dates(request.GET.getlist("date"))
    return fhir_json(server.bundle(server.search(request, resource_type, patient_ids, dates)))


@fhir_view(Rule.BEARER)
def everything(request: HttpRequest, patient_id: str) -> HttpResponse:
    admission = server.gate(request, server.read_patient_id(patient_id), "Patient")
    everything = server.everything(admission.patient, admission.relation)
    return fhir_json(server.bundle(everything))


@access(Rule.REPORTER)
def my_data(request: HttpRequest, admission: Admission) -> HttpResponse:
    """Her right of access: everything OncoPRO holds about her, as one FHIR
    Bundle she (or a caregiver she chose) downloads."""
    patient = admission.patient
    record(Actor.from_request(request), "patient.export", patient_ref=patient.public_id)
    everything = server.everything(patient, admission.relation)
    response = fhir_json(server.bundle(everything, kind="collection"))
    response["Content-Disposition"] = 'attachment; filename="oncopro-my-data.json"'
    return response
