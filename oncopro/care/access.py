"""The one gate for patient data: who may see which patient.

A patient's data is visible to the patient, to caregivers she has let in
(until she revokes them), and to members of her care team. Nobody else, not
even a clinic admin or a clinician of another team.

Every view declares its rule with `@access(Rule....)`; a test walks every URL
of the project and fails on a view without one. Views of one patient's data
use `Rule.PATIENT` (or `Rule.PATIENT_SELF`): the gate turns the URL's
`patient_id` into the Patient, answers 404 to anybody who may not see her
(the same answer as for an id that does not exist), makes staff finish
two-factor sign-in first, and audits every staff read.
"""

from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from oncopro.accounts.audit import Actor, record
from oncopro.accounts.models import User
from oncopro.care.models import CaregiverLink, Clinic, Patient
from oncopro.db.rows import column_list, first_as, hand_written_reads

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class Rule(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not; shows no patient data
    TWO_FACTOR = "two_factor"  # signed in with a password; the two-factor step itself
    SIGNED_IN = "signed_in"  # any signed-in person; shows only what is theirs
    STAFF = "staff"  # care-team members and clinic admins, after two-factor
    PATIENT = "patient"  # one patient's data: she, her caregivers, her team
    PATIENT_SELF = "patient_self"  # only the patient herself (e.g. who her caregivers are)
    REPORTER = "reporter"  # the patient or a caregiver she chose: may report for her
    CARE_TEAM = "care_team"  # one patient's data, for her care team only (alerts, timeline)
    BEARER = "bearer"  # a personal token (FHIR); each record through `admit`, as here
    # One clinic's running (the URL's clinic_id), for its admins alone, after
    # two-factor: staff, teams and enrolment details, never clinical data.
    CLINIC_ADMIN = "clinic_admin"


class Relation(StrEnum):
    SELF = "self"
    CAREGIVER = "caregiver"
    CARE_TEAM = "care_team"


def on_her_team(user: User, via: str = "") -> Q:
    """The patients of every care team this person is on, as a filter: on
    Patient itself, or through `via` (e.g. "patient" for alerts). The one
    place that says who "her team" is: the queue, the panel, FHIR and
    `visible_patients` all use it."""
    prefix = f"{via}__" if via else ""
    return Q(**{f"{prefix}care_team__memberships__user": user})


def visible_patients(user: User | AnonymousUser) -> QuerySet[Patient]:
    """Every patient this person may see, and no other."""
    if not user.is_authenticated or not user.is_active:
        return Patient.objects.none()
    return Patient.objects.filter(
        Q(user=user)
        | Q(
            caregiver_links__caregiver=user,
            caregiver_links__revoked_at__isnull=True,
            left_on__isnull=True,
        )
        | on_her_team(user)
    ).distinct()


def relation_to(user: User, patient: Patient) -> Relation | None:
    if not user.is_active:
        return None
    if patient.user_id == user.pk:
        return Relation.SELF
    if (
        patient.left_on is None  # her leaving the program ends her caregivers' access too
        and patient.caregiver_links.filter(caregiver=user, revoked_at__isnull=True).exists()
    ):
        return Relation.CAREGIVER
    if patient.care_team.memberships.filter(user=user).exists():
        return Relation.CARE_TEAM
    return None


def rule_allows(rule: Rule, relation: Relation) -> bool:
    """Whether someone standing to her as `relation` may use her data under
    `rule` (a rule for one patient's data)."""
    if rule is Rule.PATIENT_SELF:
        return relation is Relation.SELF
    if rule is Rule.REPORTER:
        return relation in (Relation.SELF, Relation.CAREGIVER)
    if rule is Rule.CARE_TEAM:
        return relation is Relation.CARE_TEAM
    return rule is Rule.PATIENT


def two_factor_pending(request: HttpRequest) -> bool:
    """Staff who signed in with a password but not yet with their code."""
    user = request.user
    if not user.is_authenticated or not user.needs_two_factor:
        return False
    return not cast(Any, user).is_verified()


def _sign_in_first(request: HttpRequest) -> HttpResponseBase | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    if two_factor_pending(request):
        return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': request.path})}")
    return None


# The methods a view answers; any other gets 405, after the gate has refused
# an outsider as for any request, and before anything of hers is read.
READ = ("GET", "HEAD")
READ_AND_POST = ("GET", "HEAD", "POST")
POST = ("POST",)


def access(
    rule: Rule, methods: tuple[str, ...] | None = None
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Declare and enforce who may use a view, and (`methods`) how."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        # A view of one patient gets her; one that declares `admission` as
        # its second parameter gets the gate's whole decision (a page that
        # submits a check-in hands it on, so it is not asked again).
        wants_admission = list(inspect.signature(view).parameters)[1:2] == ["admission"]

        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if rule is Rule.PUBLIC:
                return view(request, *args, **kwargs)
            if rule is Rule.TWO_FACTOR:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.path)
                return view(request, *args, **kwargs)
            if (response := _sign_in_first(request)) is not None:
                return response
            user = cast(User, request.user)
            if rule is Rule.SIGNED_IN:
                return view(request, *args, **kwargs)
            if rule is Rule.STAFF:
                if not user.is_staff_member:
                    raise PermissionDenied
                if methods is not None and request.method not in methods:
                    return HttpResponseNotAllowed(methods)
                return view(request, *args, **kwargs)
            if rule is Rule.CLINIC_ADMIN:
                clinic = administered_clinic(user, kwargs.pop("clinic_id"))
                if methods is not None and request.method not in methods:
                    return HttpResponseNotAllowed(methods)
                return view(request, clinic, *args, **kwargs)
            try:
                admission = admission_for_request(
                    request, kwargs.pop("patient_id"), rule=rule, what=view.__name__,
                    methods=methods,
                )  # fmt: skip
            except MethodRefused:
                return HttpResponseNotAllowed(methods or ())
            given = admission if wants_admission else admission.patient
            return view(request, given, *args, **kwargs)

        guarded.access_rule = rule  # type: ignore[attr-defined]
        return guarded

    return decorate


def administered_clinic(user: User, clinic_id: int) -> Clinic:
    """The clinic of this id if this person is one of its admins; Http404
    otherwise (the same answer as for a clinic that does not exist)."""
    clinic = Clinic.objects.filter(pk=clinic_id, admins=user).first() if user.is_active else None
    if clinic is None:
        raise Http404
    return clinic


class MethodRefused(Exception):
    """A method the view does not answer (405): raised once she is known to
    be someone this person may see, and before any read of hers."""


def admission_for_request(
    request: HttpRequest,
    patient_id: uuid.UUID,
    *,
    rule: Rule,
    what: str,
    row_only: bool = False,
    methods: tuple[str, ...] | None = None,
) -> Admission:
    """Whether this person may use the data of the patient a request names,
    under `rule`, and how they stand to her; Http404 otherwise (the same
    answer as for an id that does not exist). Staff reads are audited. Views
    get this through @access; API operations call it themselves. Pages get
    her with her user, team and clinic; `row_only` (the API's check-in
    submission) takes her row alone."""
    return admit(
        request, read_patient(patient_id, row_only=row_only), rule=rule, what=what,
        methods=methods,
    )  # fmt: skip


def read_patient(patient_id: uuid.UUID, *, row_only: bool = False) -> Patient | None:
    """Her row by her public id (unique), in one query; None if there is none.
    Pages get her with her user, team and clinic; `row_only` (the API's
    check-in submission, the busiest request there is) her row alone, by
    hand-written SQL unless HAND_WRITTEN_READS is off (oncopro/db/rows.py)."""
    if row_only and hand_written_reads():
        public_id = Patient._meta.get_field("public_id").get_db_prep_value(patient_id, connection)
        found = first_as(Patient, _patient_sql(connection.vendor), [public_id])
        return found[0] if found is not None else None
    # No ORDER BY: first() would add one, and the ORM takes longer to build
    # it than the database to run it.
    rows = Patient.objects.filter(public_id=patient_id)
    if not row_only:
        rows = rows.select_related("user", "care_team__clinic")
    return next(iter(rows[:1]), None)


@functools.cache
def _patient_sql(vendor: str) -> str:
    """Her row by her public id, in `vendor`'s SQL: the ORM took ~0.5 ms to
    build this, running it takes ~0.1 ms."""
    q = connection.ops.quote_name
    where = f"{q('public_id')} = %s"
    table = q(Patient._meta.db_table)
    return f"SELECT {column_list(Patient)} FROM {table} WHERE {where}"  # noqa: S608 - names from the model


@dataclass(frozen=True)
class Admission:
    """What the gate decided for one request: this person may use her data,
    standing to her as `relation`. An action handed it (a check-in
    submission) need not ask `relation_to` again."""

    user: User
    patient: Patient
    relation: Relation


def admit(
    request: HttpRequest,
    patient: Patient | None,
    *,
    rule: Rule,
    what: str,
    methods: tuple[str, ...] | None = None,
    about: str | None = None,
) -> Admission:
    """The gate itself, for a patient already read (by her id, or through a
    row of hers such as a check-in): Http404 unless this person may use her
    data under `rule`; staff reads audited as `what` (and `about`, the kind
    of record read). Pages, the API and FHIR all decide here."""
    user = cast(User, request.user)
    relation = None if patient is None else relation_to(user, patient)
    if patient is None or relation is None:
        if patient is not None and _had_access(user, patient):
            raise AccessEnded
        raise Http404  # the same answer whether she exists or not
    if not rule_allows(rule, relation):
        raise Http404
    if methods is not None and request.method not in methods:
        raise MethodRefused
    # Whatever the method: an invalid form sent back, or any other answer,
    # may carry her data (views refuse the methods they do not use before
    # the gate is reached, so a refused method reads nothing).
    if relation is Relation.CARE_TEAM:
        detail = {"view": what} if about is None else {"view": what, "what": about}
        record(Actor.from_request(request), "patient.read", patient_ref=patient.public_id,
               detail=detail)  # fmt: skip
    return Admission(user, patient, relation)


class AccessEnded(Http404):
    """A caregiver whose access she removed (maybe while the caregiver was
    writing a report): told so in plain words instead of "not found", and
    still shown nothing of hers."""


def _had_access(user: User, patient: Patient) -> bool:
    return (
        user.is_authenticated
        and CaregiverLink.objects.filter(
            patient=patient, caregiver=user, revoked_at__isnull=False
        ).exists()
    )


def record_staff_list_read(request: HttpRequest, patients: list[Patient], what: str) -> None:
    """A staff page that lists several patients is a read of each of them."""
    if patients:
        record(
            Actor.from_request(request),
            "patient.list",
            detail={"view": what, "patients": [str(p.public_id) for p in patients]},
        )
