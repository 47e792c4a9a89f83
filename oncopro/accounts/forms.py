from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": (
            "That email and password do not match an account. Check them and try again."
        ),
        "inactive": "This account is switched off. Please contact your care team.",
    }


class TokenForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your authenticator app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
        error_messages={
            "required": "Type the 6-digit code from your authenticator app.",
            "min_length": "The code has 6 digits.",
            "max_length": "The code has 6 digits.",
        },
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError("The code is 6 digits, with no letters.")
        return code
