"""The JSON API (django-ninja): submit a check-in in the contract's shape, list
a patient's check-ins and their results. OpenAPI at /api/v1/openapi.json,
browsable docs at /api/v1/docs.

Every operation that touches patient data goes through the same access gate
as the pages (`care.access.admission_for_request`) and declares its rule with
`@rule(...)`; tests check that every operation has one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema, field_validator

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import User
from oncopro.accounts.throttle import wrong_token
from oncopro.accounts.tokens import token_owner
from oncopro.care.access import (
    Rule,
    admission_for_request,
    two_factor_pending,
)
from oncopro.care.models import Patient
from oncopro.checkins.actions import CheckInConflict, submit_checkin
from oncopro.checkins.models import CheckIn
from oncopro.clinical import CaseError, load_pack
from oncopro.clinical.case import answers_json_schema

F = TypeVar("F", bound=Callable[..., Any])


class SignedInSession(SessionAuth):
    """The browser's session, CSRF-checked; staff must have finished two-factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not request.user.is_authenticated or two_factor_pending(request):
            return None
        return request.user


class PersonalToken(HttpBearer):
    """`Authorization: Bearer opro_...`, a token made for this person."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_owner(token)
        if user is None:
            if (wait := wrong_token(request)) is not None:
                raise Throttled(wait)
            return None
        if user.needs_two_factor:
            return None  # staff use the FHIR endpoints, with their own tokens
        request.user = user
        return user


class Throttled(HttpError):
    """Too many wrong tokens from this address this minute."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(429, "Too many wrong tokens from here. Wait a minute, then try again.")


class BodyRefused(Exception):
    """A body we will not read, with the status and words to answer."""

    def __init__(self, status: int, message: str) -> None:
        self.status, self.message = status, message
        super().__init__(message)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON allows a key twice and keeps the last: which answer did she mean?"""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


class StrictJson(Parser):
    """Bodies are JSON, said so by their Content-Type, with each key once."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise BodyRefused(
                415, "Send the check-in as JSON, with the header Content-Type: application/json."
            )
        try:
            return cast(
                dict[str, Any], json.loads(request.body, object_pairs_hook=_refuse_duplicate_keys)
            )
        except _DuplicateKey as duplicate:
            raise BodyRefused(
                422, f"The key '{duplicate.key}' is there twice: send each key once."
            ) from None


api = NinjaAPI(
    title="OncoPRO",
    version="1",
    description="Check-ins and their triage. Contract: shared/spec/triage-json.md.",
    urls_namespace="api",
    auth=[PersonalToken(), SignedInSession()],
    parser=StrictJson(),
    # The schema is the documentation; Swagger UI would need scripts our
    # Content-Security-Policy does not allow.
    docs_url=None,
)


class Problem(Schema):
    error: str


# Every error, whoever raises it (our code or django-ninja's own checks),
# is a Problem: {"error": "plain words"}, with the statuses documented below.
ERRORS: dict[int, type[Problem]] = {
    400: Problem,
    401: Problem,
    404: Problem,
    413: Problem,
    415: Problem,
    422: Problem,
}


def _problem(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return api.create_response(request, {"error": message}, status=status)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    parts = []
    for item in error.errors[:5]:
        where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body", "payload"))
        parts.append(f"{where or 'the request'}: {item.get('msg', 'is not valid')}")
    return _problem(request, 422, "; ".join(parts) or "The request is not valid.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    """django-ninja's own refusals: an unreadable body (400), no sign-in
    (401); and ours about a body (415, 422), which it passes on as a 400."""
    if isinstance(error.__cause__, BodyRefused):
        return _problem(request, error.__cause__.status, error.__cause__.message)
    if isinstance(error, Throttled):
        response = _problem(request, 429, str(error))
        response["Retry-After"] = str(error.retry_after)
        return response
    if isinstance(error, AuthenticationError):
        message = "Sign in, or send a personal token: Authorization: Bearer <token>."
    elif error.status_code == 400:
        message = "The request body is not JSON we can read."
    else:
        message = str(error)
    return _problem(request, error.status_code, message)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return _problem(
        request, 413, f"The request is too large: a check-in must be under {limit // 1024} KB."
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _problem(request, 404, "No such patient, or not one you may see.")


def rule(access_rule: Rule) -> Callable[[F], F]:
    """Declare who may use an operation (checked by the tests)."""

    def mark(view: F) -> F:
        view.access_rule = access_rule  # type: ignore[attr-defined]
        return view

    return mark


# A real moment: a year a report can have, a time zone offset that exists
# (PostgreSQL refuses others, and so does the schema).
AT_PATTERN = (
    r"^(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d"
    r"(:[0-5]\d(\.\d{1,6})?)?(Z|[+-](0\d|1[0-4]):[0-5]\d)$"
)
AT = re.compile(AT_PATTERN)


class CheckInIn(Schema):
    id: uuid.UUID = Field(description="Made by the client; sending it again is safe.")
    at: dt.datetime | None = Field(
        None,
        description="When it was reported (default: now), ISO 8601 with its time zone.",
        json_schema_extra={"pattern": AT_PATTERN},
    )
    reporter: Literal["patient", "caregiver"] | None = Field(
        None, description="Ignored: the signed-in person decides it."
    )
    kind: Literal["weekly", "anytime"] = "weekly"
    answers: Annotated[
        dict[str, Any],
        # At least one answer: an empty check-in is refused, as on the web form.
        WithJsonSchema({**answers_json_schema(load_pack()), "minProperties": 1}),
    ] = Field(description="Only what was asked (see the contract).")

    model_config = ConfigDict(extra="forbid")

    @field_validator("at", mode="before")
    @classmethod
    def _at_is_a_date_time_text(cls, value: object) -> object:
        # Pydantic would read a number as seconds since 1970; the schema
        # (and a person) mean an ISO 8601 text.
        if value is not None and (not isinstance(value, str) or not AT.fullmatch(value)):
            raise ValueError(
                "must be a date and time like 2026-11-17T09:00:00Z (a year from 1900 to "
                "2099, a time zone offset within 14 hours)"
            )
        return value


class CheckInOut(Schema):
    id: uuid.UUID
    at: dt.datetime
    kind: str
    reporter: str
    urgency: str
    result: dict[str, Any] = Field(description="The triage result, as the contract gives it.")


def _out(checkin: CheckIn) -> CheckInOut:
    return CheckInOut(
        id=checkin.client_id,
        at=checkin.at,
        kind=checkin.kind,
        reporter=checkin.reporter,
        urgency=checkin.urgency,
        result=checkin.result,
    )


@api.post(
    "/patients/{patient_id}/checkins",
    response={200: CheckInOut, 201: CheckInOut, 409: Problem, **ERRORS},
    summary="Submit a check-in",
)
@rule(Rule.REPORTER)
def submit(
    request: HttpRequest, patient_id: uuid.UUID, payload: CheckInIn
) -> Status[CheckInOut | Problem]:
    """201 with its triage; 200 with the first result if this id was already
    sent with the same answers; 409 if it was sent with other answers; 422,
    naming the field, if an answer is wrong."""
    admitted = admission_for_request(
        request, patient_id, rule=Rule.REPORTER, what="api.submit", row_only=True
    )
    patient = admitted.patient
    if (refused := _refused(payload, patient)) is not None:
        return Status(422, Problem(error=refused))
    try:
        done = submit_checkin(
            patient,
            author=admitted.user,
            admitted=admitted,
            client_id=payload.id,
            answers=payload.answers,
            kind=payload.kind,
            at=payload.at,
            sent=(payload.at, payload.reporter),
            by=Actor.from_request(request),
        )
    except CaseError as error:
        where = error.where.replace("checkin.", "", 1)
        return Status(422, Problem(error=f"{where}: {error.problem}"))
    except CheckInConflict as error:
        return Status(409, Problem(error=error.message))
    return Status(201 if done.created else 200, _out(done.checkin))


def _whole_number(value: Any) -> Any:
    """A count in a query string is digits only: "+0.0" or "1e2" is not one
    (pydantic would read them as numbers)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a whole number")
    return value


# How many check-ins to list, newest first.
Limit = Annotated[int, BeforeValidator(_whole_number)]
LIMIT = Query(50, ge=1, le=500)


# A phone's clock may run a little fast; more than this is a wrong date.
CLOCK_SLACK = dt.timedelta(minutes=5)


def _refused(payload: CheckInIn, patient: Patient) -> str | None:
    """What is wrong with a check-in as a whole, in plain words (the client
    keeps the report and shows this), or None."""
    if not payload.answers:
        return (
            "answers: is empty. Answer at least one question, as the web form asks "
            "(none of the symptoms is an answer too: frequency 0 or present false)."
        )
    if payload.at is None:
        return None
    if payload.at > timezone.now() + CLOCK_SLACK:
        return (
            "at: is in the future. Check the date and time on the device, then send "
            "the check-in again."
        )
    if timezone.localdate(payload.at) < patient.enrolled_on:
        return (
            f"at: is before she joined the program ({patient.enrolled_on:%-d %B %Y}). "
            "Check the date on the device, then send the check-in again."
        )
    return None


@api.get(
    "/patients/{patient_id}/checkins",
    response={200: list[CheckInOut], **ERRORS},
    summary="List her check-ins, newest first",
)
@rule(Rule.PATIENT)
def list_checkins(
    request: HttpRequest, patient_id: uuid.UUID, limit: Limit = LIMIT
) -> list[CheckInOut]:
    patient = admission_for_request(
        request, patient_id, rule=Rule.PATIENT, what="api.list_checkins"
    ).patient
    return [_out(checkin) for checkin in CheckIn.objects.filter(patient=patient)[:limit]]
