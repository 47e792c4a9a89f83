"""The clinic admin's pages. Each goes through the gate as Rule.CLINIC_ADMIN:
only that clinic's admins, after two-factor; another clinic's get 404."""

from __future__ import annotations

import uuid
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from oncopro.accounts.actions import invite_by_email, set_active
from oncopro.accounts.audit import Actor, record
from oncopro.accounts.models import User
from oncopro.care import actions
from oncopro.care.access import POST, READ, READ_AND_POST, Rule, access, record_staff_list_read
from oncopro.care.models import CareTeam, Clinic, Patient
from oncopro.clinic import actions as staffing
from oncopro.clinic.forms import (
    AlertDeadlinesForm,
    EnrolForm,
    OnCallForm,
    PrivacyContactForm,
    StaffForm,
    StaffTeamsForm,
    TeamDetailsForm,
    TeamForm,
)


@access(Rule.STAFF, methods=READ)
def index(request: HttpRequest) -> HttpResponse:
    """Straight to the clinic an admin runs; a list if she runs several."""
    clinics = list(Clinic.objects.filter(admins=cast(User, request.user)).order_by("name"))
    if len(clinics) == 1:
        return redirect("clinic:settings", clinic_id=clinics[0].pk)
    return render(request, "clinic/index.html", {"clinics": clinics})


@access(Rule.CLINIC_ADMIN, methods=READ)
def settings_page(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    """Alert deadlines, units and the privacy contact."""
    return _settings_page(request, clinic)


def _settings_page(
    request: HttpRequest, clinic: Clinic, bound: dict[str, Form] | None = None
) -> HttpResponse:
    bound = bound or {}
    deadlines = bound.get("deadlines") or AlertDeadlinesForm(
        initial={
            "urgent_minutes": clinic.ack_minutes_urgent,
            "soon_hours": clinic.ack_minutes_soon // 60,
            "temperature_unit": clinic.temperature_unit,
        }
    )
    privacy = bound.get("privacy") or PrivacyContactForm(
        initial={"name": clinic.privacy_contact_name, "email": clinic.privacy_contact_email}
    )
    return render(
        request,
        "clinic/settings.html",
        {"clinic": clinic, "deadlines": deadlines, "privacy": privacy},
        status=400 if bound else 200,
    )


@access(Rule.CLINIC_ADMIN, methods=POST)
def deadlines(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    form = AlertDeadlinesForm(request.POST)
    if form.is_valid():
        by = Actor.from_request(request)
        try:
            with transaction.atomic():
                actions.set_alert_deadlines(
                    clinic,
                    urgent_minutes=form.cleaned_data["urgent_minutes"],
                    soon_minutes=form.cleaned_data["soon_hours"] * 60,
                    by=by,
                )
                if form.cleaned_data["temperature_unit"]:
                    actions.set_clinic_temperature_unit(
                        clinic, form.cleaned_data["temperature_unit"], by=by
                    )
        except actions.CareError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Settings for {clinic.name} saved.")
            return redirect("clinic:settings", clinic_id=clinic.pk)
    return _settings_page(request, clinic, {"deadlines": form})


@access(Rule.CLINIC_ADMIN, methods=POST)
def on_call(request: HttpRequest, clinic: Clinic, team_id: int) -> HttpResponse:
    the_team = _team_of(clinic, team_id)
    members = [
        (m.user.pk, m.user.full_name)
        for m in the_team.memberships.filter(user__is_active=True).select_related("user")
    ]
    form = OnCallForm(request.POST, members=members)
    if form.is_valid():
        people = {user.pk: user for user in User.objects.filter(pk__in=form.cleaned_data["order"])}
        if not people:
            form.add_error(None, "Someone must be on call: choose at least the first person.")
        else:
            actions.set_on_call_list(
                the_team, [people[pk] for pk in form.cleaned_data["order"]],
                by=Actor.from_request(request),
            )  # fmt: skip
            messages.success(request, f"On-call order for {the_team.name} saved.")
            return redirect("clinic:team", clinic_id=clinic.pk, team_id=the_team.pk)
    return _team_page(request, clinic, the_team, on_call_form=form)


# --- Privacy contact ---------------------------------------------------------


@access(Rule.CLINIC_ADMIN, methods=POST)
def privacy_contact(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    form = PrivacyContactForm(request.POST)
    if form.is_valid():
        staffing.set_privacy_contact(
            clinic, form.cleaned_data["name"], form.cleaned_data["email"],
            by=Actor.from_request(request),
        )  # fmt: skip
        messages.success(request, "Privacy contact saved.")
        return redirect("clinic:settings", clinic_id=clinic.pk)
    return _settings_page(request, clinic, {"privacy": form})


# --- Teams ---------------------------------------------------------------------


@access(Rule.CLINIC_ADMIN, methods=READ_AND_POST)
def teams(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    """Its care teams, and a new one."""
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = actions.create_team(
            clinic, form.cleaned_data["name"].strip(), form.cleaned_data["kind"],
            form.cleaned_data["phone_24h"].strip(), by=Actor.from_request(request),
        )  # fmt: skip
        messages.success(request, f"{team.name} is made. Now add its members.")
        return redirect("clinic:team", clinic_id=clinic.pk, team_id=team.pk)
    rows = clinic.teams.prefetch_related("memberships__user", "on_call__user").order_by("name")
    return render(
        request, "clinic/teams.html", {"clinic": clinic, "teams": rows, "form": form},
        status=400 if form.errors else 200,
    )  # fmt: skip


@access(Rule.CLINIC_ADMIN, methods=READ_AND_POST)
def team(request: HttpRequest, clinic: Clinic, team_id: int) -> HttpResponse:
    """One team: its name and 24-hour line, its members, its on-call order."""
    the_team = _team_of(clinic, team_id)
    by = Actor.from_request(request)
    details = TeamDetailsForm(
        request.POST if request.POST.get("form") == "details" else None,
        initial={"name": the_team.name, "phone_24h": the_team.phone_24h},
    )
    problem = ""
    if request.method == "POST":
        what = request.POST.get("form")
        try:
            if what == "details" and details.is_valid():
                actions.set_team_details(the_team, **details.cleaned_data, by=by)
                messages.success(request, "Team details saved.")
                return redirect("clinic:team", clinic_id=clinic.pk, team_id=the_team.pk)
            if what == "add":
                person = _staff_member(clinic, request.POST.get("user"))
                actions.add_team_member(the_team, person, by=by)
                messages.success(request, f"{person.full_name} joined {the_team.name}.")
                return redirect("clinic:team", clinic_id=clinic.pk, team_id=the_team.pk)
            if what == "remove":
                person = _staff_member(clinic, request.POST.get("user"))
                actions.remove_team_member(the_team, person, by=by)
                messages.success(request, f"{person.full_name} left {the_team.name}.")
                return redirect("clinic:team", clinic_id=clinic.pk, team_id=the_team.pk)
        except actions.CareError as error:
            problem = str(error)
    return _team_page(request, clinic, the_team, details=details, problem=problem)


def _team_page(
    request: HttpRequest,
    clinic: Clinic,
    the_team: CareTeam,
    *,
    details: TeamDetailsForm | None = None,
    on_call_form: OnCallForm | None = None,
    problem: str = "",
) -> HttpResponse:
    memberships = list(the_team.memberships.select_related("user").order_by("user__full_name"))
    members = [(m.user.pk, m.user.full_name) for m in memberships if m.user.is_active]
    initial = {f"position_{s.position}": s.user_id for s in the_team.on_call.all()}
    member_ids = {m.user_id for m in memberships}
    joinable = [
        person
        for person in staffing.clinic_staff(clinic).filter(is_active=True).order_by("full_name")
        if person.pk not in member_ids and person.is_clinician
    ]
    bound = bool(problem) or (details is not None and details.errors) or on_call_form is not None
    return render(
        request,
        "clinic/team.html",
        {
            "clinic": clinic,
            "team": the_team,
            "memberships": memberships,
            "details": details
            or TeamDetailsForm(initial={"name": the_team.name, "phone_24h": the_team.phone_24h}),
            "on_call_form": on_call_form or OnCallForm(members=members, initial=initial),
            "joinable": joinable,
            "problem": problem,
        },
        status=400 if bound else 200,
    )


def _team_of(clinic: Clinic, team_id: int) -> CareTeam:
    found = clinic.teams.filter(pk=team_id).first()
    if found is None:
        raise Http404
    return found


def _staff_member(clinic: Clinic, user_id: object) -> User:
    """One of this clinic's staff, by the id a form sent; Http404 otherwise."""
    try:
        pk = int(str(user_id))
    except ValueError:
        raise Http404 from None
    found = staffing.clinic_staff(clinic).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- Staff ---------------------------------------------------------------------


@access(Rule.CLINIC_ADMIN, methods=READ_AND_POST)
def staff(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    """Everyone who works here, and inviting someone new."""
    form = StaffForm(request.POST or None, clinic=clinic)
    if request.method == "POST" and form.is_valid():
        try:
            person = staffing.invite_staff(
                clinic, **form.cleaned_data, by=Actor.from_request(request)
            )
        except staffing.StaffError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"We have emailed {person.full_name} a link to choose a password."
            )
            return redirect("clinic:staff", clinic_id=clinic.pk)
    people = (
        staffing.clinic_staff(clinic)
        .prefetch_related("memberships__team")
        .order_by("-is_active", "full_name")
    )
    return render(
        request,
        "clinic/staff.html",
        {"clinic": clinic, "people": [(p, _teams_here(p, clinic)) for p in people], "form": form},
        status=400 if form.errors else 200,
    )


def _teams_here(person: User, clinic: Clinic) -> list[str]:
    return sorted(m.team.name for m in person.memberships.all() if m.team.clinic_id == clinic.pk)


@access(Rule.CLINIC_ADMIN, methods=READ_AND_POST)
def staff_member(request: HttpRequest, clinic: Clinic, user_id: int) -> HttpResponse:
    """One person's teams; sending the invitation again; switching off."""
    person = _staff_member(clinic, user_id)
    by = Actor.from_request(request)
    what = request.POST.get("form")
    current = [
        m.team for m in person.memberships.filter(team__clinic=clinic).select_related("team")
    ]
    teams_form = StaffTeamsForm(
        request.POST if what == "teams" else None, clinic=clinic, initial={"teams": current}
    )
    problem = ""
    if request.method == "POST":
        try:
            if what == "teams" and teams_form.is_valid():
                staffing.set_staff_teams(clinic, person, teams_form.cleaned_data["teams"], by=by)
                messages.success(request, f"Teams for {person.full_name} saved.")
                return redirect("clinic:staff_member", clinic_id=clinic.pk, user_id=person.pk)
            if what == "invite" and person.is_active and not person.is_set_up:
                invite_by_email(
                    person, intro=staffing.staff_intro(clinic),
                    new_one_from=staffing.staff_new_one_from(clinic, by.user), by=by,
                )  # fmt: skip
                messages.success(request, f"We have emailed {person.full_name} a new link.")
                return redirect("clinic:staff_member", clinic_id=clinic.pk, user_id=person.pk)
            if what == "reactivate":
                set_active(person, True, by=by)
                messages.success(request, f"{person.full_name}'s account works again.")
                return redirect("clinic:staff_member", clinic_id=clinic.pk, user_id=person.pk)
        except staffing.StaffError as error:
            problem = str(error)
    return render(
        request,
        "clinic/staff_member.html",
        {
            "clinic": clinic,
            "person": person,
            "teams_form": teams_form,
            "places": staffing.on_call_places(clinic, person),
            "problem": problem,
        },
        status=400 if problem or teams_form.errors else 200,
    )


@access(Rule.CLINIC_ADMIN, methods=READ_AND_POST)
def deactivate(request: HttpRequest, clinic: Clinic, user_id: int) -> HttpResponse:
    """Asks first; for each on-call place they hold, who takes it."""
    person = _staff_member(clinic, user_id)
    places = staffing.on_call_places(clinic, person)
    choices = []
    for place in places:
        on_list = set(place.team.on_call.values_list("user_id", flat=True))
        others = place.team.memberships.filter(user__is_active=True).exclude(
            user_id__in=on_list
        ).select_related("user").order_by("user__full_name")  # fmt: skip
        choices.append((place, [m.user for m in others], len(on_list) > 1))
    problem = ""
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            replacements = {
                place.team_id: _replacement(clinic, request.POST.get(f"team_{place.team_id}"))
                for place in places
            }
            staffing.deactivate_staff(clinic, person, replacements, by=Actor.from_request(request))
        except staffing.StaffError as error:
            problem = str(error)
        else:
            messages.success(request, f"{person.full_name}'s account is switched off.")
            return redirect("clinic:staff", clinic_id=clinic.pk)
    return render(
        request,
        "clinic/deactivate.html",
        {"clinic": clinic, "person": person, "choices": choices, "problem": problem,
         "chosen": request.POST},
        status=400 if problem else 200,
    )  # fmt: skip


def _replacement(clinic: Clinic, value: str | None) -> User | None:
    if value in (None, ""):
        raise staffing.StaffError("Choose who takes each place on call.")
    if value == "move_up":
        return None
    return _staff_member(clinic, value)


# --- Patients (enrolment details only: never clinical data) -------------------

PATIENTS_PAGE_SIZE = 50


def _enrolled(clinic: Clinic) -> QuerySet[Patient]:
    return Patient.objects.filter(care_team__clinic=clinic).select_related("user", "care_team")


@access(Rule.CLINIC_ADMIN, methods=READ)
def patients(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    """Who is enrolled, by name; what the admin sees of each is what she
    enrolled (a read of each listed, audited)."""
    query = request.GET.get("q", "").strip()
    rows = _enrolled(clinic).order_by("user__full_name", "pk")
    if query:
        rows = rows.filter(user__full_name__icontains=query)
    page = Paginator(rows, PATIENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    record_staff_list_read(request, listed, "clinic.patients")
    return render(
        request,
        "clinic/patients.html",
        {"clinic": clinic, "page": page, "patients": listed, "query": query},
    )


@access(Rule.CLINIC_ADMIN, methods=READ_AND_POST)
def enrol(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    form = EnrolForm(
        request.POST or None, clinic=clinic, initial={"enrolled_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            patient = staffing.enrol_patient(
                clinic, **form.cleaned_data, by=Actor.from_request(request)
            )
        except staffing.StaffError as error:
            form.add_error(None, str(error))
        else:
            told = (
                "We have emailed her a link to choose her password."
                if patient.user.email
                else "Print her a one-time code below, so she can sign in."
            )
            messages.success(request, f"{patient.full_name} is enrolled. {told}")
            return redirect("clinic:patient", clinic_id=clinic.pk, patient_id=patient.public_id)
    return render(
        request, "clinic/enrol.html", {"clinic": clinic, "form": form},
        status=400 if form.errors else 200,
    )  # fmt: skip


@access(Rule.CLINIC_ADMIN, methods=READ_AND_POST)
def patient(request: HttpRequest, clinic: Clinic, patient_id: uuid.UUID) -> HttpResponse:
    """Her enrolment details; her invitation; leaving and re-joining."""
    found = _enrolled(clinic).filter(public_id=patient_id).first()
    if found is None:
        raise Http404
    by = Actor.from_request(request)
    record(by, "patient.read", patient_ref=found.public_id,
           detail={"view": "clinic.patient", "what": "enrolment"})  # fmt: skip
    what = request.POST.get("form")
    if request.method == "POST":
        if what == "invite" and found.user.email and not found.user.is_set_up:
            staffing.invite_patient(found, by=by)
            messages.success(request, f"We have emailed {found.full_name} a new link.")
        elif what == "code" and found.left_on is None and not found.user.is_set_up:
            code, printed = staffing.print_patient_code(found, by=by)
            return render(
                request, "clinic/printed_code.html",
                {"clinic": clinic, "patient": found, "code": code, "site_root": settings.SITE_ROOT,
                 "expires": printed.expires_at},
            )  # fmt: skip
        elif what == "leave" and request.POST.get("confirm") == "yes":
            staffing.leave_program(found, by=by)
            messages.success(request, f"{found.full_name} has left the program. Her data is kept.")
        elif what == "leave":
            return render(
                request, "clinic/confirm_leave.html", {"clinic": clinic, "patient": found}
            )
        elif what == "rejoin":
            staffing.rejoin_program(found, by=by)
            messages.success(request, f"{found.full_name} is enrolled again, from today.")
        return redirect("clinic:patient", clinic_id=clinic.pk, patient_id=found.public_id)
    invitation = found.user.invitations.order_by("-created_at").first()
    return render(
        request,
        "clinic/patient.html",
        {"clinic": clinic, "patient": found, "invitation": invitation},
    )
