"""Pages about patients and who cares for them. Every one goes through the gate."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.debug import sensitive_post_parameters

from oncopro.accounts.actions import create_user
from oncopro.accounts.audit import Actor
from oncopro.accounts.forms import NewPasswordForm
from oncopro.accounts.models import Role, User
from oncopro.alerts.models import Alert
from oncopro.alerts.queries import latest_for_patient, patient_view
from oncopro.care import actions, invitations
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
from oncopro.care.forms import CaregiverNameForm, ClinicalContextForm, InviteCaregiverForm
from oncopro.care.models import CaregiverInvitation, CaregiverLink, Patient
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
    """The patient decides who else may see her reports and report for her:
    she invites them by email, and they see nothing until they accept."""
    form = InviteCaregiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = actions.invite_caregiver(
                patient,
                form.cleaned_data["email"],
                relationship=form.cleaned_data["relationship"],
                phone=form.cleaned_data["phone"],
                by=Actor.from_request(request),
            )
        except actions.CareError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                f"We have emailed an invitation to {invitation.email}. "
                "They will see your reports once they accept it.",
            )
            return redirect("care:caregivers", patient_id=patient.public_id)
    links = patient.caregiver_links.filter(revoked_at__isnull=True).select_related("caregiver")
    waiting = patient.caregiver_invitations.filter(
        accepted_at=None, cancelled_at=None, expires_at__gt=timezone.now()
    ).order_by("created_at")
    return render(
        request,
        "care/caregivers.html",
        {"patient": patient, "links": links, "waiting": waiting, "form": form},
        status=400 if form.errors else 200,
    )


@access(Rule.PATIENT_SELF, methods=POST)
def cancel_invitation(request: HttpRequest, patient: Patient, invitation_id: int) -> HttpResponse:
    invitation = patient.caregiver_invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    actions.cancel_caregiver_invitation(invitation, by=Actor.from_request(request))
    messages.success(request, f"The invitation to {invitation.email} is cancelled.")
    return redirect("care:caregivers", patient_id=patient.public_id)


# A caregiver's invitation link: its secret goes into the session and the
# browser is sent to the plain page at once (no secret in the address bar).
INVITATION_SESSION_KEY = "_caregiver_invitation"


@access(Rule.PUBLIC, methods=READ)
def invitation_link(request: HttpRequest, secret: str) -> HttpResponse:
    request.session[INVITATION_SESSION_KEY] = secret
    return redirect("care:invitation")


@access(Rule.PUBLIC, methods=READ_AND_POST)
@sensitive_post_parameters("new_password1", "new_password2")
def invitation(request: HttpRequest) -> HttpResponse:
    """Someone she invited accepts: with the account they have, or a new
    one made here. The page names her, and nothing else of hers."""
    secret = request.session.get(INVITATION_SESSION_KEY)
    found = invitations.invitation_by_secret(secret) if secret else None
    if found is None or found.state != "waiting":
        return render(
            request,
            "care/invitation_ended.html",
            {"invitation": found},
            status=404 if found is None else 200,
        )
    existing = User.objects.filter(email__iexact=found.email).first()
    if existing is not None:
        return _accept_with_account(request, found, existing)
    return _accept_with_new_account(request, found)


def _accept_with_account(
    request: HttpRequest, found: CaregiverInvitation, existing: User
) -> HttpResponse:
    context: dict[str, object] = {"invitation": found, "patient_name": found.patient.full_name}
    if existing.role != Role.CAREGIVER or not existing.is_active:
        return render(request, "care/invitation_other_account.html", context)
    if request.user != existing:
        context["sign_in_url"] = f"{reverse('accounts:login')}?{urlencode({'next': request.path})}"
        return render(request, "care/invitation_sign_in.html", context)
    if request.method == "POST":
        return _accepted(request, found, existing)
    return render(request, "care/invitation_accept.html", context)


def _accept_with_new_account(request: HttpRequest, found: CaregiverInvitation) -> HttpResponse:
    name = CaregiverNameForm(request.POST or None)
    newcomer = User(
        email=found.email, full_name=request.POST.get("full_name", ""), role=Role.CAREGIVER
    )
    password = NewPasswordForm(newcomer, request.POST or None)
    if request.method == "POST" and name.is_valid() and password.is_valid():
        by = Actor.from_request(request)
        with transaction.atomic():
            caregiver = create_user(
                found.email, password.cleaned_data["new_password1"],
                full_name=name.cleaned_data["full_name"], role=Role.CAREGIVER, by=by,
            )  # fmt: skip
            response = _accepted(request, found, caregiver)
        return response
    return render(
        request,
        "care/invitation_accept.html",
        {"invitation": found, "patient_name": found.patient.full_name, "name_form": name,
         "password_form": password},
        status=400 if name.errors or password.errors else 200,
    )  # fmt: skip


def _accepted(request: HttpRequest, found: CaregiverInvitation, caregiver: User) -> HttpResponse:
    actions.accept_caregiver_invitation(
        found, caregiver, by=Actor.from_request(request, person=caregiver)
    )
    if request.user != caregiver:
        auth_login(request, caregiver, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop(INVITATION_SESSION_KEY, None)
    messages.success(
        request,
        f"Thank you. You can now see {found.patient.first_name}'s reports and report for her.",
    )
    return redirect("care:patient", patient_id=found.patient.public_id)


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
