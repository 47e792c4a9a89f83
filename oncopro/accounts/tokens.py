"""Who a personal API token belongs to: a read, asked by every API and FHIR
request. (Making and revoking tokens are writes: `accounts/actions.py`.)"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from oncopro.accounts.models import ApiToken, User

# How exactly a token's last use is kept: to the minute, so that a busy
# client does not cost a database write per request.
TOKEN_USE_PRECISION = dt.timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_owner(token: str) -> User | None:
    """The active user a live (unrevoked) token belongs to, or None."""
    found = ApiToken.objects.filter(
        token_hash=hash_token(token), revoked_at=None, user__is_active=True
    ).select_related("user")[:1]
    record = next(iter(found), None)
    if record is None:
        return None
    now = timezone.now()
    # Not audited: a sign of use, not a write of patient data.
    if record.last_used_at is None or record.last_used_at < now - TOKEN_USE_PRECISION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user
