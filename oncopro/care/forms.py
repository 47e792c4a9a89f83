from __future__ import annotations

import re

from django import forms

from oncopro.care.models import CarePhase, MetastaticSite, Patient


class InviteCaregiverForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="We will email them a link. They see nothing until they accept.",
        error_messages={
            "required": "Type the email address of the person you want to invite.",
            "invalid": "That does not look like an email address. Check it and try again.",
        },
    )
    relationship = forms.CharField(
        label="Who they are to you (optional)",
        help_text="For example: daughter, husband, friend.",
        max_length=60,
        required=False,
    )
    phone = forms.CharField(
        label="Their phone number (optional)",
        help_text="So your care team can call them about you.",
        max_length=30,
        required=False,
    )


class ClinicalContextForm(forms.Form):
    """What triage needs to know about her, kept up to date by her team."""

    care_phase = forms.ChoiceField(label="Care phase", choices=CarePhase.choices)
    known_metastatic_sites = forms.MultipleChoiceField(
        label="Where the cancer is known to have spread",
        choices=MetastaticSite.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    phone = forms.CharField(
        label="Her phone number, for the team to call her",
        max_length=30,
        required=False,
    )
    therapies = forms.CharField(
        label="Medicines she takes now or took in the last 6 weeks",
        help_text="Generic names, one per line or separated by commas (for example: capecitabine).",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )

    @staticmethod
    def initial_for(patient: Patient) -> dict[str, object]:
        return {
            "care_phase": patient.care_phase,
            "phone": patient.phone,
            "known_metastatic_sites": patient.known_metastatic_sites,
            "therapies": "\n".join(patient.therapies),
        }

    def clean_therapies(self) -> list[str]:
        text = self.cleaned_data["therapies"]
        names = [name.strip().lower() for name in re.split(r"[,\n]", text)]
        return list(dict.fromkeys(name for name in names if name))


class CaregiverNameForm(forms.Form):
    full_name = forms.CharField(
        label="Your name",
        help_text="As she and her care team know you.",
        max_length=200,
        error_messages={"required": "Please type your name."},
    )
