"""The clinic admin's forms: settings, staff, teams and enrolment."""

from __future__ import annotations

from django import forms

from oncopro.accounts.models import TemperatureUnit


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
