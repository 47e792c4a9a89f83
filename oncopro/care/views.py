"""Pages about patients and who cares for them. Every one goes through the gate."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import Role, User
from oncopro.alerts.models import Alert
from oncopro.alerts.queries import latest_for_patient, patient_view
from oncopro.care import actions
from oncopro.care.access import (
    POST,
    READ,
    READ_AND_POST,
    Relation,
    Rule,
    access,
    record_staff_list_read,
    relation_to,
    visible_patients,
)
from oncopro.care.forms import ClinicalContextForm, GrantCaregiverForm
from oncopro.care.models import CaregiverLink, Patient
from oncopro.care.panel import (
    adherence,
    behind_count,
    team_patients_of,
    weekly_checkin_days,
    with_panel_facts,
)
from oncopro.checkins.history import trends
from oncopro.checkins.models import CheckIn
from oncopro.checkins.weeks import this_weeks_checkin
from oncopro.clinical import load_pack


@access(Rule.SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work is."""
    user = cast(User, request.user)
    if user.role == Role.PATIENT and hasattr(user, "patient"):
        return redirect("care:patient", patient_id=user.patient.public_id)
    if user.role == Role.CAREGIVER:
        patients = list(visible_patients(user).select_related("user"))
        if len(patients) == 1:
            return redirect("care:patient", patient_id=patients[0].public_id)
        return render(request, "care/caregiver_home.html", {"patients": patients})
    if user.is_clinician:
        return redirect("alerts:queue")  # a nurse's day starts at the alerts
    if user.role == Role.CLINIC_ADMIN:
        return redirect("clinic:index")
    return render(request, "care/nothing_here.html")


@access(Rule.PATIENT, methods=READ)
def patient_page(request: HttpRequest, patient: Patient) -> HttpResponse:
    relation = relation_to(cast(User, request.user), patient)
    return render(
        request,
        "care/patient.html",
        {
            "patient": patient,
            "relation": relation,
            "team": patient.care_team,
            "checkin_day": actions.WEEKDAYS[patient.checkin_weekday],
            "sent_this_week": (
                this_weeks_checkin(patient)
                if relation in (Relation.SELF, Relation.CAREGIVER)
                else None
            ),
            "team_status": (
                patient_view(latest_for_patient(patient.pk), is_self=relation == Relation.SELF)
                if relation in (Relation.SELF, Relation.CAREGIVER)
                else None
            ),
        },
    )


@access(Rule.PATIENT_SELF, methods=READ_AND_POST)
def caregivers(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The patient decides who else may see her reports and report for her."""
    form = GrantCaregiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        caregiver = User.objects.filter(
            email__iexact=form.cleaned_data["email"], role=Role.CAREGIVER, is_active=True
        ).first()
        if caregiver is None:
            form.add_error(
                "email",
                "We could not find a caregiver account with that email. "
                "Check the spelling, or ask your care team to set one up for them.",
            )
        else:
            try:
                actions.grant_caregiver(
                    patient,
                    caregiver,
                    relationship=form.cleaned_data["relationship"],
                    phone=form.cleaned_data["phone"],
                    by=Actor.from_request(request),
                )
            except actions.CareError as error:
                form.add_error("email", str(error))
            else:
                messages.success(request, f"{caregiver.full_name} can now see your reports.")
                return redirect("care:caregivers", patient_id=patient.public_id)
    links = patient.caregiver_links.filter(revoked_at__isnull=True).select_related("caregiver")
    return render(
        request, "care/caregivers.html", {"patient": patient, "links": links, "form": form}
    )


@access(Rule.PATIENT_SELF, methods=POST)
def revoke_caregiver(request: HttpRequest, patient: Patient, link_id: int) -> HttpResponse:
    """Asks "Are you sure?" first; removes only when she says yes."""
    link = (
        CaregiverLink.objects.filter(patient=patient, pk=link_id)
        .select_related("caregiver")
        .first()
    )
    if link is None:
        raise Http404
    if request.POST.get("confirm") != "yes":
        return render(request, "care/confirm_remove.html", {"patient": patient, "link": link})
    actions.revoke_caregiver(link, by=Actor.from_request(request))
    messages.success(request, f"{link.caregiver.full_name} can no longer see your reports.")
    return redirect("care:caregivers", patient_id=patient.public_id)


@access(Rule.PATIENT_SELF, methods=READ_AND_POST)
def checkin_day(request: HttpRequest, patient: Patient) -> HttpResponse:
    """She picks the day her weekly check-in (and its reminder) comes."""
    problem = ""
    if request.method == "POST":
        try:
            day = int(request.POST.get("weekday", ""))
            actions.set_checkin_day(patient, day, by=Actor.from_request(request))
        except (ValueError, actions.CareError):
            problem = "Please pick a day of the week."
        else:
            messages.success(request, f"Your weekly check-in is now on {actions.WEEKDAYS[day]}s.")
            return redirect("care:patient", patient_id=patient.public_id)
    days = list(enumerate(actions.WEEKDAYS))
    return render(
        request,
        "care/checkin_day.html",
        {"patient": patient, "days": days, "problem": problem},
    )


@access(Rule.STAFF, methods=READ)
def team_patients(request: HttpRequest) -> HttpResponse:
    """The panel: her latest level, any open alert, and who is behind with
    the weekly check-in."""
    user = cast(User, request.user)
    now = timezone.now()
    everyone = with_panel_facts(
        team_patients_of(user)
        .select_related("user", "care_team")
        .order_by("user__full_name", "pk"),
        now,
    )
    # A large program has thousands: one page at a time (the facts are
    # subqueries, computed only for the rows of the page).
    page = Paginator(everyone, PANEL_PAGE_SIZE).get_page(request.GET.get("page"))
    patients = list(page.object_list)
    record_staff_list_read(request, patients, "team_patients")
    today = timezone.localdate(now)
    days = weekly_checkin_days(patients, today)
    rows = [(patient, adherence(patient, today, days[patient.pk])) for patient in patients]
    return render(
        request,
        "care/team_patients.html",
        {"rows": rows, "behind": behind_count(team_patients_of(user), today), "page": page},
    )


PANEL_PAGE_SIZE = 50


@access(Rule.CARE_TEAM, methods=READ_AND_POST)
def timeline(request: HttpRequest, patient: Patient) -> HttpResponse:
    """Everything her team needs on one page: context, a weeks-by-symptoms
    heat map, and her check-ins and alerts in time order."""
    form = ClinicalContextForm(
        request.POST or None, initial=ClinicalContextForm.initial_for(patient)
    )
    if request.method == "POST" and form.is_valid():
        response = _save_clinical_context(request, patient, form)
        if response is not None:
            return response
    weeks = _timeline_weeks(request.GET.get("weeks"))
    since = timezone.now() - dt.timedelta(weeks=weeks)
    checkins = list(CheckIn.objects.filter(patient=patient, at__gte=since).select_related("author"))
    alerts = list(
        Alert.objects.filter(patient=patient, opened_at__gte=since).select_related(
            "acknowledged_by", "resolved_by"
        )
    )
    events = sorted(
        [("checkin", c.at, c) for c in checkins] + [("alert", a.opened_at, a) for a in alerts],
        key=lambda event: event[1],
        reverse=True,
    )
    return render(
        request,
        "care/timeline.html",
        {
            "patient": patient,
            "form": form,
            "heat_map": trends(checkins, weeks=12, calendar_weeks=True),
            "events": events,
            "weeks": weeks,
            "week_choices": TIMELINE_WEEKS,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# How far back the timeline's list goes: recent first, older on request.
TIMELINE_WEEKS = (12, 26, 52, 104)


def _timeline_weeks(value: str | None) -> int:
    return int(value) if value in {str(w) for w in TIMELINE_WEEKS} else TIMELINE_WEEKS[0]


def _save_clinical_context(
    request: HttpRequest, patient: Patient, form: ClinicalContextForm
) -> HttpResponse | None:
    by = Actor.from_request(request)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            actions.set_clinical_context(
                patient,
                known_metastatic_sites=data["known_metastatic_sites"],
                therapies=data["therapies"],
                by=by,
            )
            if data["care_phase"] != patient.care_phase:
                actions.set_care_phase(patient, data["care_phase"], by=by)
            if data["phone"].strip() != patient.phone:
                actions.set_phone(patient, data["phone"], by=by)
    except actions.CareError as error:
        form.add_error("care_phase", str(error))
        return None
    unknown = [name for name in patient.therapies if not load_pack().therapies.knows(name)]
    if unknown:
        messages.info(
            request,
            "Saved. OncoPRO does not know "
            + ", ".join(unknown)
            + "; triage treats unknown medicines with the usual care.",
        )
    else:
        messages.success(request, "Saved.")
    if relation_to(cast(User, request.user), patient) is None:
        # Moved to a team she is not on (hospice): her page is theirs now.
        messages.info(request, f"{patient.full_name} is now cared for by {patient.care_team.name}.")
        return redirect("care:team_patients")
    return redirect("care:timeline", patient_id=patient.public_id)
