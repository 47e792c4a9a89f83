"""Wrong personal tokens (API and FHIR) are throttled per address: past the
limit in a minute the answer is 429 with Retry-After. Only failures count,
and a valid token is always accepted, however many wrong ones came before.
The address is the proxy's client address when BEHIND_PROXY is set."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from oncopro.accounts.models import TokenFailure

# Counts older than this are of no use to anyone.
KEEP = dt.timedelta(hours=1)


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR; behind our proxy, the address it saw (the last one it
    added to X-Forwarded-For: any earlier ones the client could have made up)."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:45]
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:45]


def wrong_token(request: HttpRequest, now: dt.datetime | None = None) -> int | None:
    """Count one wrong token from this address; the seconds to wait when it
    is over the limit this minute, else None."""
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    address = client_address(request)
    row = TokenFailure.objects.filter(address=address, minute=minute)
    if not row.update(failures=F("failures") + 1):
        try:
            with transaction.atomic():
                TokenFailure.objects.create(address=address, minute=minute, failures=1)
        except IntegrityError:  # another process made it a moment ago
            row.update(failures=F("failures") + 1)
        TokenFailure.objects.filter(minute__lt=minute - KEEP).delete()
    failures = row.values_list("failures", flat=True).first() or 0
    if failures > settings.TOKEN_FAILURES_PER_MINUTE:
        return 60 - now.second
    return None
