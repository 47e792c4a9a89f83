"""Sending the messages that opening, raising and escalating alerts wrote.

Each message carries a link to the queue and nothing else: no name, no
symptom, no level. Delivery is at least once: a message is claimed, sent,
then marked sent; a sender that dies after claiming leaves a claim that goes
stale and is retried. Each email has a Message-ID made from the alert and
step (and each webhook call a delivery id), so a receiver can recognise the
rare repeat after a crash between sending and marking.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from oncopro.alerts.models import Notification

log = logging.getLogger(__name__)

# A claim older than this belongs to a sender that died: try again.
STALE_CLAIM = dt.timedelta(minutes=2)

SUBJECTS = {
    Notification.Reason.OPENED: "OncoPRO: a new alert for your team",
    Notification.Reason.RAISED: "OncoPRO: an alert became more urgent",
    Notification.Reason.ESCALATED: "OncoPRO: an alert is waiting for you",
}
BODY = """An alert in your team's OncoPRO queue needs someone to acknowledge it.

Open the queue: {link}

This message has no health information in it on purpose. Sign in to see the alert.
"""


def queue_link() -> str:
    return f"{settings.SITE_ROOT}{reverse('alerts:queue')}"


def send_pending(now: dt.datetime | None = None) -> int:
    """Send every message not sent yet. Returns how many went out."""
    now = now or timezone.now()
    # A message about an alert someone has already seen is not needed.
    waiting = Notification.objects.filter(
        sent_at=None, alert__acknowledged_at=None, alert__resolved_at=None
    ).filter(Q(claimed_at=None) | Q(claimed_at__lt=now - STALE_CLAIM))
    sent = 0
    for message in waiting.select_related("recipient").order_by("pk"):
        if _claim(message, now) and _deliver(message):
            sent += 1
    return sent


def _claim(message: Notification, now: dt.datetime) -> bool:
    claimed = Notification.objects.filter(
        pk=message.pk, sent_at=None, claimed_at=message.claimed_at
    ).update(claimed_at=now, attempts=message.attempts + 1)
    return claimed == 1


def _deliver(message: Notification) -> bool:
    try:
        if message.channel == Notification.Channel.WEBHOOK:
            _post_webhook(message)
        else:
            _send_email(message)
    except Exception as error:  # any failure: keep the message, retry later
        log.warning("notification %s not sent: %s", message.pk, type(error).__name__)
        Notification.objects.filter(pk=message.pk).update(
            claimed_at=None, last_error=f"{type(error).__name__}: {error}"[:300]
        )
        return False
    Notification.objects.filter(pk=message.pk).update(sent_at=timezone.now(), last_error="")
    return True


def message_id(message: Notification) -> str:
    domain = urlsplit(settings.SITE_ROOT).hostname or "oncopro.invalid"
    return f"<alert-{message.alert_id}-{message.sequence}-{message.channel}@{domain}>"


def _send_email(message: Notification) -> None:
    assert message.recipient is not None
    assert message.recipient.email, "staff always have an email address"
    email = EmailMessage(
        subject=SUBJECTS[Notification.Reason(message.reason)],
        body=BODY.format(link=queue_link()),
        to=[message.recipient.email],
        headers={"Message-ID": message_id(message)},
    )
    email.send()


def webhook_body(message: Notification) -> bytes:
    return json.dumps(
        {
            "event": f"alert.{message.reason}",
            "delivery": message_id(message).strip("<>"),
            "link": queue_link(),
        },
        separators=(",", ":"),
    ).encode()


def signature(body: bytes) -> str:
    digest = hmac.new(settings.ALERT_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _post_webhook(message: Notification) -> None:
    body = webhook_body(message)
    request = urllib.request.Request(  # noqa: S310 - the admin's own URL
        settings.ALERT_WEBHOOK_URL,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-OncoPRO-Signature": signature(body)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        if response.status >= 300:
            raise OSError(f"webhook answered {response.status}")
