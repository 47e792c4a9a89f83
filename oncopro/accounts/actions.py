"""Every write to accounts goes through here, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from oncopro.accounts.audit import Actor, record
from oncopro.accounts.models import ApiToken, Role, User

TOKEN_PREFIX = "opro_"  # noqa: S105 - a prefix, not a secret


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


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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


TOKEN_USE_PRECISION = dt.timedelta(minutes=1)


def user_for_token(token: str) -> User | None:
    """The active user a live token belongs to, or None."""
    found = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    # Not audited: a sign of use, not a write of patient data. Kept to the
    # minute, so a busy client does not cost a database write per request.
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > TOKEN_USE_PRECISION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user
