"""Signing in with email and password, then (for staff) a two-factor code."""

from __future__ import annotations

from base64 import b32encode
from datetime import datetime
from typing import cast

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from oncopro.accounts.actions import confirm_two_factor_device, set_temperature_unit
from oncopro.accounts.audit import Actor
from oncopro.accounts.forms import EmailLoginForm, TokenForm
from oncopro.accounts.models import TemperatureUnit, User
from oncopro.care.access import Rule, access

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
