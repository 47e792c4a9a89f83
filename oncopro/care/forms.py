from __future__ import annotations

from django import forms


class GrantCaregiverForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="The email they use to sign in to OncoPRO.",
        error_messages={
            "required": "Type the email address your caregiver uses to sign in.",
            "invalid": "That does not look like an email address. Check it and try again.",
        },
    )
    relationship = forms.CharField(
        label="Who they are to you (optional)",
        help_text="For example: daughter, husband, friend.",
        max_length=60,
        required=False,
    )
