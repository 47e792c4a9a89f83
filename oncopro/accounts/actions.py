"""Every write to accounts goes through here, audited."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from oncopro.accounts.audit import Actor, record
from oncopro.accounts.models import ApiToken, AuditEvent, Role, TemperatureUnit, User
from oncopro.accounts.tokens import hash_token

TOKEN_PREFIX = "opro_"  # noqa: S105 - a prefix, not a secret


@transaction.atomic
def create_user(
    email: str | None,
    password: str | None,
    *,
    full_name: str,
    role: str,
    sign_in_phone: str = "",
    by: Actor,
) -> User:
    """A new account. With no password, nobody can sign in to it until she
    accepts an invitation (`invite_by_email`, or a printed code)."""
    if role not in Role.values:
        raise ValueError(f"Unknown role: {role}")
    extra = {"sign_in_phone": sign_in_phone} if sign_in_phone else {}
    user = User.objects.create_user(email, password, full_name=full_name, role=role, **extra)
    record(by, "user.create", obj=user, detail={"role": role})
    return user


def invite_by_email(user: User, *, intro: str, new_one_from: str, by: Actor) -> None:
    """Email her a one-time link to choose her password, once this
    transaction commits. The worker makes the link: its secret is never
    stored anywhere but in her inbox (as a hash here)."""
    from oncopro.accounts.tasks import send_invitation  # tasks import the invitations module

    record(by, "user.invite", obj=user)
    transaction.on_commit(lambda: send_invitation.enqueue(user.pk, intro, new_one_from))


@transaction.atomic
def set_active(user: User, active: bool, *, by: Actor) -> User:
    """Switch an account off (she can no longer sign in or see anything,
    at once: the gate checks on every request) or back on."""
    from oncopro.accounts.invitations import cancel_waiting

    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(by, "user.activate" if active else "user.deactivate", obj=user)
    if not active:
        cancel_waiting(user, by=by)
    return user


@transaction.atomic
def confirm_two_factor_device(user: User, device: object, *, by: Actor) -> None:
    """Staff finished setting up their authenticator app."""
    device.confirmed = True  # type: ignore[attr-defined]
    device.save()  # type: ignore[attr-defined]
    record(by, "user.two_factor_confirmed", obj=user)


@transaction.atomic
def create_api_token(user: User, name: str, *, by: Actor) -> tuple[str, ApiToken]:
    """A new personal API token: (the token, shown once; its record)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record_ = ApiToken.objects.create(
        user=user, name=name.strip()[:100], token_hash=hash_token(token)
    )
    record(by, "api_token.create", obj=record_)
    return token, record_


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: Actor) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(by, "api_token.revoke", obj=token)


def set_temperature_unit(user: User, unit: str, *, by: Actor) -> User:
    """Her own unit for temperatures ("" for her clinic's)."""
    if unit not in ("", *TemperatureUnit.values):
        raise ValueError(f"unknown temperature unit {unit!r}")
    before = user.temperature_unit
    user.temperature_unit = unit
    user.save(update_fields=["temperature_unit"])
    record(by, "user.temperature_unit", obj=user, detail={"before": before, "after": unit})
    return user


# At most this many reset emails an hour to one account, and from one
# address: more would only fill inboxes (someone typing addresses again and
# again). The page answers the same either way.
RESETS_PER_HOUR = 3
RESETS_PER_ADDRESS_PER_HOUR = 10


def may_send_password_reset(user: User, ip: str | None) -> bool:
    """Whether another reset email may go to this account this hour."""
    sent = AuditEvent.objects.filter(
        action="user.password_reset_sent", at__gte=timezone.now() - dt.timedelta(hours=1)
    )
    if sent.filter(object_type="User", object_ref=str(user.pk)).count() >= RESETS_PER_HOUR:
        return False
    return ip is None or sent.filter(ip=ip).count() < RESETS_PER_ADDRESS_PER_HOUR


def password_reset_sent(user: User, *, by: Actor) -> None:
    """A reset link went to her address (counted for the hourly limit)."""
    record(by, "user.password_reset_sent", obj=user)


@transaction.atomic
def set_password(user: User, password: str, *, how: str, by: Actor) -> User:
    """Her new password (`how`: "reset" by an emailed link, "change" signed
    in). Every session of hers signed in with the old one ends; the caller
    keeps the one she is using, if any."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record(by, f"user.password_{how}", obj=user)
    return user
