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
        # People type "123 456" as often as "123456": spaces are allowed here
        # and removed in clean_code.
        max_length=9,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
        error_messages={
            "required": "Type the 6-digit code from your authenticator app.",
            "max_length": "The code has 6 digits.",
        },
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError("The code is 6 digits, with no letters.")
        if len(code) != 6:
            raise forms.ValidationError("The code has 6 digits.")
        return code
