from __future__ import annotations

from django import forms

from oncopro.alerts.models import Outcome


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What was done",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what was done, so the record is complete."},
    )
    note = forms.CharField(
        label="Note for the team (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    share_outcome = forms.BooleanField(
        label="Show the patient and her caregivers what was done",
        required=False,
    )
    message_to_patient = forms.CharField(
        label="A few words for her (optional, shown only if you share)",
        help_text="For example: We spoke on the phone. Keep taking the new tablets.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        required=False,
    )
