"""Signing in with email and password, then (for staff) a two-factor code."""

from __future__ import annotations

from base64 import b32encode
from datetime import datetime
from typing import cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from oncopro.accounts import invitations
from oncopro.accounts.actions import confirm_two_factor_device, set_password, set_temperature_unit
from oncopro.accounts.audit import Actor
from oncopro.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    EmailLoginForm,
    NewPasswordForm,
    ResetForm,
    TokenForm,
)
from oncopro.accounts.models import TemperatureUnit, User
from oncopro.accounts.throttle import wrong_token
from oncopro.care.access import READ, Rule, access

login = access(Rule.PUBLIC)(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=EmailLoginForm,
        redirect_authenticated_user=True,
    )
)
logout = access(Rule.PUBLIC)(auth_views.LogoutView.as_view())

DEVICE_NAME = "Authenticator app"


@access(Rule.TWO_FACTOR)
@sensitive_post_parameters("code")
def two_factor(request: HttpRequest) -> HttpResponse:
    """Staff prove they hold their authenticator: set it up the first time,
    type its code every time."""
    user = cast(User, request.user)
    next_url = _safe_next(request)
    if not user.needs_two_factor or request.user.is_verified():  # type: ignore[union-attr]
        return redirect(next_url)

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if device is None:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": DEVICE_NAME}
        )

    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, why = device.verify_is_allowed()
        if not allowed:
            # django-otp slows down guessing: each wrong code doubles the wait.
            form.add_error("code", _throttled_message(why))
        elif device.verify_token(form.cleaned_data["code"]):
            if setting_up:
                confirm_two_factor_device(user, device, by=Actor.from_request(request))
            otp_login(request, device)
            # A new session key for the new privilege: a key seen before the
            # second step (a shared computer, a leak) is worth nothing after it.
            request.session.cycle_key()
            return redirect(next_url)
        form.add_error(
            "code",
            "That code did not work. Codes change every 30 seconds: type the one showing now.",
        )

    context = {"form": form, "setting_up": setting_up, "next": next_url}
    if setting_up:
        context["qr_svg"] = mark_safe(  # noqa: S308 - segno's own SVG, no user input
            segno.make(device.config_url, error="m").svg_inline(scale=5, title="")
        )
        key = b32encode(device.bin_key).decode()
        context["manual_key"] = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    return render(request, "accounts/two_factor.html", context)


def _throttled_message(why: dict[str, object] | None) -> str:
    locked_until = (why or {}).get("locked_until")
    if isinstance(locked_until, datetime):
        seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
        return f"Too many wrong codes. Please wait {seconds} seconds, then type the code showing."
    return "Too many wrong codes. Please wait a little, then type the code showing."


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return "/"


UNIT_CHOICES = (
    ("", "The same as my clinic"),
    (TemperatureUnit.CELSIUS, "Celsius (°C), for example 37.5"),
    (TemperatureUnit.FAHRENHEIT, "Fahrenheit (°F), for example 99.5"),
)
UNIT_SAVED = {
    "": "Saved. Temperatures are asked in your clinic's unit.",
    TemperatureUnit.CELSIUS: "Saved. Temperatures are now asked in Celsius (°C).",
    TemperatureUnit.FAHRENHEIT: "Saved. Temperatures are now asked in Fahrenheit (°F).",
}


@access(Rule.SIGNED_IN)
def temperature_unit(request: HttpRequest) -> HttpResponse:
    """Each person reads temperatures in her own unit; the form converts."""
    user = cast(User, request.user)
    problem = ""
    if request.method == "POST":
        unit = request.POST.get("unit")
        if unit in dict(UNIT_CHOICES):
            set_temperature_unit(user, unit, by=Actor.from_request(request))
            messages.success(request, UNIT_SAVED[unit])
            return redirect("home")
        problem = "Please pick one of the choices."
    return render(
        request,
        "accounts/temperature_unit.html",
        {"choices": UNIT_CHOICES, "current": user.temperature_unit, "problem": problem},
    )


@access(Rule.PUBLIC)
def still_signed_in(request: HttpRequest) -> HttpResponse:
    """Asked by a page just before it sends a report: 204 while this
    person's session lasts, 401 once it has ended (so the page can keep her
    answers and say so, instead of losing them on the way to sign-in). It
    says nothing about anyone else, and does not keep the session alive."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)


# Passwords: Django's own reset and change views, with our forms, words and
# audit. A reset link is single use and lasts PASSWORD_RESET_TIMEOUT.


class _ResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = ResetForm
    success_url = reverse_lazy("accounts:password_reset_sent")

    def form_valid(self, form: ResetForm) -> HttpResponse:  # type: ignore[override]
        form.request = self.request
        self.extra_email_context = {
            "site_root": settings.SITE_ROOT,
            "product_name": settings.SITE_NAME,
        }
        return super().form_valid(form)


class _SetNewPasswordView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_set.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:  # type: ignore[override]
        user = form.user
        set_password(
            user, form.cleaned_data["new_password1"], how="reset",
            by=Actor.from_request(self.request, person=user),
        )  # fmt: skip
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.get_success_url())


class _ChangePasswordView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("home")

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:  # type: ignore[override]
        user = set_password(
            form.user, form.cleaned_data["new_password1"], how="change",
            by=Actor.from_request(self.request),
        )  # fmt: skip
        # This session stays signed in; every other one of hers ends.
        update_session_auth_hash(self.request, user)
        messages.success(
            self.request,
            "Your password is changed. Anywhere else you were signed in, you are now signed out.",
        )
        return redirect(self.get_success_url())


password_reset = access(Rule.PUBLIC)(_ResetView.as_view())
password_reset_sent = access(Rule.PUBLIC)(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html")
)
password_reset_confirm = access(Rule.PUBLIC)(_SetNewPasswordView.as_view())
password_reset_done = access(Rule.PUBLIC)(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_set_done.html")
)
password_change = access(Rule.SIGNED_IN)(_ChangePasswordView.as_view())


# Invitations: a link by email, or a code typed from paper. The secret in a
# link is put in the session and the link redirected to the plain welcome
# page at once, so it never sits in the address bar or a Referer header.
WELCOME_SESSION_KEY = "_invitation"


@access(Rule.PUBLIC, methods=READ)
def welcome_link(request: HttpRequest, secret: str) -> HttpResponse:
    request.session[WELCOME_SESSION_KEY] = secret
    return redirect("accounts:welcome")


@access(Rule.PUBLIC)
@sensitive_post_parameters("code", "new_password1", "new_password2")
def welcome(request: HttpRequest) -> HttpResponse:
    """Choose a password, from an emailed link or a printed code."""
    secret = request.session.get(WELCOME_SESSION_KEY)
    invitation = invitations.invitation_by_secret(secret) if secret else None
    if invitation is None:
        return _type_your_code(request, secret_was_wrong=secret is not None)
    if invitation.state != "waiting":
        request.session.pop(WELCOME_SESSION_KEY, None)
        return render(request, "accounts/welcome_ended.html", {"invitation": invitation})
    form = NewPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and "new_password1" in request.POST and form.is_valid():
        user = invitations.accept(
            invitation,
            form.cleaned_data["new_password1"],
            by=Actor.from_request(request, person=invitation.user),
        )
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.pop(WELCOME_SESSION_KEY, None)
        messages.success(request, "Your password is set. Welcome to OncoPRO.")
        return redirect("home")
    return render(request, "accounts/welcome.html", {"form": form, "invited": invitation.user})


def _type_your_code(request: HttpRequest, *, secret_was_wrong: bool) -> HttpResponse:
    request.session.pop(WELCOME_SESSION_KEY, None)
    form = CodeForm(request.POST if "code" in request.POST else None)
    status = 200
    if form.is_bound and form.is_valid():
        found = invitations.invitation_by_secret(form.cleaned_data["code"])
        if found is None:
            wait = wrong_token(request)  # guessing codes is throttled per address
            form.add_error(
                "code",
                f"Please wait {wait} seconds, then try again."
                if wait
                else "That code does not match. Check each letter and try again.",
            )
            status = 429 if wait else 400
        else:
            request.session[WELCOME_SESSION_KEY] = form.cleaned_data["code"]
            return redirect("accounts:welcome")
    return render(
        request,
        "accounts/welcome_code.html",
        {"form": form, "link_was_wrong": secret_was_wrong and not form.is_bound},
        status=status,
    )
