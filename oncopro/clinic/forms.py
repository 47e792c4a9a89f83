"""The clinic admin's forms: settings, staff, teams and enrolment."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from oncopro.accounts.models import TemperatureUnit, sign_in_phone
from oncopro.care.models import CareTeam, Clinic, Language
from oncopro.clinic.actions import STAFF_ROLE_CHOICES


class AlertDeadlinesForm(forms.Form):
    urgent_minutes = forms.IntegerField(
        label="Emergency and urgent alerts: minutes to acknowledge",
        min_value=1,
        max_value=120,
    )
    soon_hours = forms.IntegerField(
        label="Alerts for within 24 hours: hours to acknowledge",
        min_value=1,
        max_value=72,
    )
    # Left out, it stays as it is.
    temperature_unit = forms.ChoiceField(
        label="Patients read temperatures in (each person may choose her own)",
        choices=TemperatureUnit.choices,
        required=False,
    )


class OnCallForm(forms.Form):
    """One choice per place on the list; leave the later ones empty."""

    def __init__(self, *args: object, members: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", "Nobody"), *members]
        for position in range(1, len(members) + 1):
            self.fields[f"position_{position}"] = forms.TypedChoiceField(
                label=f"On call {position}",
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
            )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        chosen = [data[name] for name in self.fields if data.get(name) is not None]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError("Each person can be on the list once.")
        data["order"] = chosen
        return data


class PrivacyContactForm(forms.Form):
    name = forms.CharField(label="Privacy contact: name", max_length=200)
    email = forms.EmailField(
        label="Privacy contact: email",
        help_text="Told at once, by email, whenever someone opens a record in an emergency.",
        error_messages={"invalid": "That does not look like an email address. Please check it."},
    )


class TeamForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=200)
    kind = forms.ChoiceField(label="Kind of team", choices=CareTeam.Kind.choices)
    phone_24h = forms.CharField(
        label="24-hour phone line",
        help_text="Patients are told to call this number when they need help at any hour.",
        max_length=30,
    )


class TeamDetailsForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=200)
    phone_24h = forms.CharField(label="24-hour phone line", max_length=30)


class StaffTeamsForm(forms.Form):
    """The clinic's teams someone works on (its own teams only)."""

    teams = forms.ModelMultipleChoiceField(
        label="Teams they work on",
        queryset=CareTeam.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = cast(forms.ModelMultipleChoiceField, self.fields["teams"])
        teams.queryset = clinic.teams.order_by("name")


class StaffForm(StaffTeamsForm):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(
        label="Email",
        help_text="We email them a link to choose a password. It works once, for 3 days.",
        error_messages={"invalid": "That does not look like an email address. Please check it."},
    )
    role = forms.ChoiceField(label="Role", choices=[("", "Choose a role"), *STAFF_ROLE_CHOICES])
    field_order = ["full_name", "email", "role", "teams"]

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, clinic=clinic, **kwargs)
        self.fields["teams"].label = "Teams"
        self.fields["teams"].help_text = "The care teams they work on (a clinic admin needs none)."


class EnrolForm(forms.Form):
    """What the clinic's admin knows of a new patient; no clinical data."""

    full_name = forms.CharField(label="Full name", max_length=200)
    date_of_birth = forms.DateField(
        label="Date of birth",
        help_text="For example 1962-04-23 (year, month, day).",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": "Please give the date as year-month-day, for example 1962-04-23."
        },
    )
    phone = forms.CharField(
        label="Phone number",
        help_text="Her team calls her on it; without email, she signs in with it.",
        max_length=30,
        required=False,
    )
    email = forms.EmailField(
        label="Email (optional)",
        help_text=(
            "We email her a link to choose a password. Without one, her team prints her a code."
        ),
        required=False,
        error_messages={"invalid": "That does not look like an email address. Please check it."},
    )
    language = forms.ChoiceField(label="Language", choices=Language.choices)
    temperature_unit = forms.ChoiceField(
        label="Temperatures in",
        choices=[("", "The clinic's unit"), *TemperatureUnit.choices],
        required=False,
    )
    care_team = forms.ModelChoiceField(
        label="Care team",
        queryset=CareTeam.objects.none(),
        empty_label="Choose her team",
        error_messages={"required": "Please choose her care team."},
    )
    enrolled_on = forms.DateField(
        label="Enrolment date",
        help_text="Her weekly check-ins are due from this day.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": "Please give the date as year-month-day, for example 2026-12-04."
        },
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = cast(forms.ModelChoiceField, self.fields["care_team"])
        team.queryset = clinic.teams.filter(kind=CareTeam.Kind.ONCOLOGY).order_by("name")

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        if born >= timezone.localdate():
            raise forms.ValidationError("A date of birth is in the past. Please check it.")
        if born.year < 1900:
            raise forms.ValidationError("Please check the year.")
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not sign_in_phone(data.get("phone", "")):
            self.add_error("phone", "She needs an email address or a phone number to sign in with.")
        return data
