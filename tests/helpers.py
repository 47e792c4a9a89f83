from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from oncopro.accounts.models import User


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, user: User) -> Client:
    """Sign in the way the person would: password, then (staff) a real TOTP code."""
    client.force_login(user)
    if user.needs_two_factor:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "test"}
        )
        # A test may sign one person in twice within a 30-second step, and
        # django-otp rightly refuses a code used before: forget the last use.
        device.last_t = -1
        device.save()
        response = client.post(reverse("accounts:two_factor"), {"code": totp_now(device)})
        assert response.status_code == 302, response.content
    return client


def run_worker() -> None:
    """Run every task waiting in the queue, as `oncopro worker` would."""
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
