"""Every write to accounts goes through here, audited."""

from __future__ import annotations

from django.db import transaction

from oncopro.accounts.audit import Actor, record
from oncopro.accounts.models import Role, User


@transaction.atomic
def create_user(email: str, password: str | None, *, full_name: str, role: str, by: Actor) -> User:
    if role not in Role.values:
        raise ValueError(f"Unknown role: {role}")
    user = User.objects.create_user(email, password, full_name=full_name, role=role)
    record(by, "user.create", obj=user, detail={"role": role})
    return user


@transaction.atomic
def confirm_two_factor_device(user: User, device: object, *, by: Actor) -> None:
    """Staff finished setting up their authenticator app."""
    device.confirmed = True  # type: ignore[attr-defined]
    device.save()  # type: ignore[attr-defined]
    record(by, "user.two_factor_confirmed", obj=user)
