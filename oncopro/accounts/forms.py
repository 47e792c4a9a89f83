from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from oncopro.accounts.actions import may_send_password_reset, password_reset_sent
from oncopro.accounts.audit import Actor
from oncopro.accounts.throttle import client_address


class EmailLoginForm(AuthenticationForm):
    # Most sign in with their email; a patient enrolled without one, with
    # her phone number.
    username = forms.CharField(
        label="Email (or phone number, if you have no email)",
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}
        ),
    )
    error_messages = {
        "invalid_login": (
            "That email (or phone number) and password do not match an account. "
            "Check them and try again."
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


class ResetForm(auth_forms.PasswordResetForm):
    """Django's reset form: a link by email, the same answer whether or not
    the address has an account. Ours sends at most a few an hour to one
    account (`may_send_password_reset`) and counts each it sends."""

    request: HttpRequest | None = None

    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Please type the email address you sign in with.",
            "invalid": "That does not look like an email address. Please check it.",
        },
    )

    def _address(self) -> str | None:
        """Where the request came from (the proxy's client address behind
        one, as for wrong tokens): the per-address limit counts by it."""
        if self.request is None:
            return None
        address = client_address(self.request)
        return None if address == "unknown" else address

    def get_users(self, email: str) -> Iterator[Any]:
        for user in super().get_users(email):
            if may_send_password_reset(user, self._address()):
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        super().send_mail(
            subject_template_name, email_template_name, context, from_email, to_email,
            html_email_template_name,
        )  # fmt: skip
        by = Actor(user=None, ip=self._address(), label="password reset")
        password_reset_sent(context["user"], by=by)


# Django's own messages, said our way (S105: these are messages, not passwords).
MISMATCH = "The two new passwords are not the same. Please type them again."


class NewPasswordForm(auth_forms.SetPasswordForm):
    """Django's form and validators, in our words."""

    error_messages = {**auth_forms.SetPasswordForm.error_messages, "password_mismatch": MISMATCH}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "The new password again"


class ChangePasswordForm(auth_forms.PasswordChangeForm):
    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_mismatch": MISMATCH,
        "password_incorrect": "That is not your password now. Please type it again.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Your password now"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "The new password again"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Your code",
        help_text="12 letters and numbers, on the paper your care team gave you.",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={"required": "Please type the code from your paper."},
    )
