"""The care team's alert queue and the alert page where they close the loop."""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import User
from oncopro.alerts import actions
from oncopro.alerts.forms import ResolveForm
from oncopro.alerts.health import clinic_health
from oncopro.alerts.models import LEVEL_RANK, Alert
from oncopro.alerts.queries import (
    checkins_of,
    open_queue,
    recently_resolved,
    top_reasons,
)
from oncopro.care.access import POST, READ, Rule, access, record_staff_list_read
from oncopro.care.models import Clinic, Patient
from oncopro.checkins.forms import plain_answers
from oncopro.clinical import load_pack

# The queue shows the most urgent alerts a page at a time: a large program
# can have hundreds open at once, and every page view and every changed poll
# would otherwise load, render and audit all of them.
QUEUE_PAGE_SIZE = 50


@access(Rule.STAFF, methods=READ)
def queue(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    context = _queue_context(user, request.GET.get("page"))
    record_staff_list_read(request, [a.patient for a in context["alerts"]], "alert_queue")
    context["resolved"] = list(recently_resolved(user)[:20])
    return render(request, "alerts/queue.html", context)


@access(Rule.STAFF, methods=READ)
def queue_live(request: HttpRequest) -> HttpResponse:
    """The open queue again, polled by the page every few seconds. Answers
    204 (the page keeps what it shows) while nothing has changed; each new
    version is audited as a read once."""
    context = _queue_context(cast(User, request.user), request.GET.get("page"))
    if request.GET.get("version") == context["version"]:
        return HttpResponse(status=204)
    record_staff_list_read(request, [a.patient for a in context["alerts"]], "alert_queue")
    return render(request, "alerts/_open_alerts.html", context)


def _queue_context(user: User, page_number: str | None) -> dict[str, Any]:
    now = timezone.now()
    page = Paginator(open_queue(user), QUEUE_PAGE_SIZE).get_page(page_number)
    alerts = list(page.object_list)
    reasons = top_reasons(alerts)
    for alert in alerts:
        alert.reasons = reasons[alert.pk]  # type: ignore[attr-defined]
        alert.overdue = alert.is_overdue(now)  # type: ignore[attr-defined]
        seconds = (alert.deadline - now).total_seconds()
        alert.time_left = plain_duration(int(max(seconds, 0) // 60))  # type: ignore[attr-defined]
        alert.time_over = plain_duration(int(max(-seconds, 0) // 60))  # type: ignore[attr-defined]
    # Changes when anything shown changes, including the minute countdowns.
    state = repr(
        [
            (a.pk, a.level, a.deadline, a.acknowledged_at, a.escalation_step, reasons[a.pk])
            for a in alerts
        ]
        + [now.replace(second=0, microsecond=0), page.number, page.paginator.count]
    )
    version = hashlib.sha256(state.encode()).hexdigest()[:16]
    return {"alerts": alerts, "page": page, "version": version, "now": now}


def plain_duration(minutes: int) -> str:
    """'7 min', '2 h 5 min', '3 days 4 h': a 24-hour deadline or an alert
    overdue for days is not read in thousands of minutes."""
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    day_text = "1 day" if days == 1 else f"{days} days"
    return f"{day_text} {hours} h" if hours else day_text


def _alert_of(patient: Patient, alert_id: int) -> Alert:
    alert = (
        Alert.objects.select_related("acknowledged_by", "resolved_by")
        .filter(patient=patient, pk=alert_id)
        .first()
    )
    if alert is None:
        raise Http404
    return alert


@access(Rule.CARE_TEAM, methods=READ)
def alert_page(request: HttpRequest, patient: Patient, alert_id: int) -> HttpResponse:
    return _alert_response(request, patient, alert_id)


def _alert_response(
    request: HttpRequest, patient: Patient, alert_id: int, form: ResolveForm | None = None
) -> HttpResponse:
    """The alert page; with `form`, the resolve form sent back to fix."""
    alert = _alert_of(patient, alert_id)
    pack = load_pack()
    checkins = [
        {
            "checkin": checkin,
            "temperature": checkin.answers.get(pack.temperature_id),
            "answers": plain_answers(pack, checkin.answers),
            "findings": checkin.result["findings"],
            "ongoing": checkin.result["ongoing"],
            "grades": [
                (pack.symptoms[symptom].label, grade)
                for symptom, grade in checkin.result["grades"].items()
                if symptom in pack.symptoms and grade
            ],
        }
        for checkin in checkins_of(alert).order_by("-at")
    ]
    # The worst report first (the reason she is in the queue), then newest first.
    checkins.sort(key=lambda item: -LEVEL_RANK.get(item["checkin"].urgency, 0))
    return render(
        request,
        "alerts/alert.html",
        {
            "patient": patient,
            "alert": alert,
            "overdue": alert.is_overdue(),
            "unit": patient.clinic.temperature_unit,
            "checkins": checkins,
            "caregivers": patient.caregiver_links.filter(revoked_at__isnull=True)
            .select_related("caregiver")
            .order_by("granted_at"),
            "form": form or ResolveForm(),
        },
        status=400 if form is not None else 200,
    )


@access(Rule.CARE_TEAM, methods=POST)
def acknowledge(request: HttpRequest, patient: Patient, alert_id: int) -> HttpResponse:
    alert = actions.acknowledge(_alert_of(patient, alert_id), by=Actor.from_request(request))
    messages.success(request, f"You acknowledged the alert for {patient.full_name}.")
    if request.POST.get("back") == "queue":
        return redirect("alerts:queue")
    return redirect("alerts:alert", patient_id=patient.public_id, alert_id=alert.pk)


@access(Rule.CARE_TEAM, methods=POST)
def resolve(request: HttpRequest, patient: Patient, alert_id: int) -> HttpResponse:
    alert = _alert_of(patient, alert_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            actions.resolve(alert, **form.cleaned_data, by=Actor.from_request(request))
        except actions.AlertError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The alert for {patient.full_name} is resolved.")
            return redirect("alerts:queue")
    return _alert_response(request, patient, alert_id, form=form)


@access(Rule.STAFF, methods=READ)
def program_health(request: HttpRequest) -> HttpResponse:
    """Counts per clinic and week, for the clinics this person works in or runs."""
    user = cast(User, request.user)
    clinics = (
        Clinic.objects.filter(Q(teams__memberships__user=user) | Q(admins=user))
        .distinct()
        .order_by("name")
    )
    return render(request, "alerts/health.html", {"clinics": clinic_health(clinics)})
