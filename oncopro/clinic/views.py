"""The clinic admin's pages. Each goes through the gate as Rule.CLINIC_ADMIN:
only that clinic's admins, after two-factor; another clinic's get 404."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import User
from oncopro.care import actions
from oncopro.care.access import POST, READ, Rule, access
from oncopro.care.models import Clinic
from oncopro.clinic.forms import AlertDeadlinesForm, OnCallForm


@access(Rule.STAFF, methods=READ)
def index(request: HttpRequest) -> HttpResponse:
    """Straight to the clinic an admin runs; a list if she runs several."""
    clinics = list(Clinic.objects.filter(admins=cast(User, request.user)).order_by("name"))
    if len(clinics) == 1:
        return redirect("clinic:settings", clinic_id=clinics[0].pk)
    return render(request, "clinic/index.html", {"clinics": clinics})


@access(Rule.CLINIC_ADMIN, methods=READ)
def settings_page(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    """Alert deadlines, units, and each team's on-call order."""
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
    teams = []
    for team in clinic.teams.prefetch_related("memberships__user", "on_call__user").order_by(
        "name"
    ):
        members = [(m.user.pk, m.user.full_name) for m in team.memberships.all()]
        initial = {f"position_{s.position}": s.user.pk for s in team.on_call.all()}
        form = bound.get(f"team-{team.pk}") or OnCallForm(members=members, initial=initial)
        teams.append((team, form))
    return render(
        request,
        "clinic/settings.html",
        {"clinic": clinic, "deadlines": deadlines, "teams": teams},
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
    team = clinic.teams.filter(pk=team_id).first()
    if team is None:
        raise Http404
    members = [(m.user.pk, m.user.full_name) for m in team.memberships.select_related("user")]
    form = OnCallForm(request.POST, members=members)
    if form.is_valid():
        people = {user.pk: user for user in User.objects.filter(pk__in=form.cleaned_data["order"])}
        actions.set_on_call_list(
            team, [people[pk] for pk in form.cleaned_data["order"]], by=Actor.from_request(request)
        )
        messages.success(request, f"On-call order for {team.name} saved.")
        return redirect("clinic:settings", clinic_id=clinic.pk)
    return _settings_page(request, clinic, {f"team-{team.pk}": form})
