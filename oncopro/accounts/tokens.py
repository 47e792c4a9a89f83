"""Who a personal API token belongs to: a read, asked by every API and FHIR
request. (Making and revoking tokens are writes: `accounts/actions.py`.)"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

from django.db import connection
from django.utils import timezone

from oncopro.accounts.models import ApiToken, User
from oncopro.db.rows import column_list, first_as, hand_written_reads

# How exactly a token's last use is kept: to the minute, so that a busy
# client does not cost a database write per request.
TOKEN_USE_PRECISION = dt.timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_owner(token: str) -> User | None:
    """The active user a live (unrevoked) token belongs to, or None. By one
    hand-written query unless HAND_WRITTEN_READS is off (oncopro/db/rows.py):
    every API request asks this, and the ORM took ~0.6 ms to build the same
    SQL that takes ~0.1 ms to run."""
    now = timezone.now()
    stale_before = now - TOKEN_USE_PRECISION
    found = (_by_hand if hand_written_reads() else _by_orm)(hash_token(token), stale_before)
    if found is None:
        return None
    user, token_id, stale = found
    # Not audited: a sign of use, not a write of patient data.
    if stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


# (her user, the token's id, whether its last use is older than we keep)
Found = tuple[User, int, bool]


def _by_orm(token_hash: str, stale_before: dt.datetime) -> Found | None:
    rows = ApiToken.objects.filter(
        token_hash=token_hash, revoked_at=None, user__is_active=True
    ).select_related("user")[:1]
    record = next(iter(rows), None)
    if record is None:
        return None
    last = record.last_used_at
    return record.user, record.pk, last is None or last < stale_before


def _by_hand(token_hash: str, stale_before: dt.datetime) -> Found | None:
    params = [connection.ops.adapt_datetimefield_value(stale_before), token_hash, True]
    found = first_as(User, _token_sql(connection.vendor), params)
    if found is None:
        return None
    user, (token_id, stale) = found
    return user, token_id, bool(stale)


@functools.cache
def _token_sql(vendor: str) -> str:
    """The user of a live token (unique hash), the token's id, and whether
    its last use is older than the precision we keep, in `vendor`'s SQL."""
    q = connection.ops.quote_name
    user, token = User._meta, ApiToken._meta
    t, u = q(token.db_table), q(user.db_table)
    last_used = f"t.{q('last_used_at')}"
    stale = f"CASE WHEN {last_used} IS NULL OR {last_used} < %s THEN 1 ELSE 0 END"
    join = f"{t} t JOIN {u} u ON u.{q('id')} = t.{q('user_id')}"
    where = f"t.{q('token_hash')} = %s AND t.{q('revoked_at')} IS NULL AND u.{q('is_active')} = %s"
    # Names come from the models; every value is a parameter.
    select = f"SELECT {column_list(User, prefix='u.')}, t.{q('id')} AS token_id, {stale}"
    return f"{select} FROM {join} WHERE {where}"


# Invitations (a link by email, a printed code): good once, for this long.
INVITATION_LIFETIME = dt.timedelta(hours=72)
# A printed code's letters: no 0/O, 1/I/L, so that it is read and typed
# without doubt. 12 of them: about 59 bits, and wrong codes are throttled.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def new_link_secret() -> str:
    return secrets.token_urlsafe(32)


def new_printed_code() -> str:
    """A code to print, in groups of four: "K7QM-4PXD-9WRT"."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def typed_code(typed: str) -> str:
    """A printed code as she may type it (lower case, spaces, no dashes),
    in the form it was hashed in."""
    letters = "".join(ch for ch in typed.upper() if ch.isalnum())
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))
