"""Every write to alerts goes through here, audited, in one transaction.

The life of an alert:
1. A check-in that needs the team writes an outbox row in its own
   transaction (`outbox_row`); after commit the worker is asked to run.
2. The worker turns each outbox row into an alert exactly once
   (`process_outbox`): it opens the patient's alert, or adds the check-in to
   the one already open and raises its level if it is worse. The messages
   to send are written in that same transaction.
3. The team acknowledges it (`acknowledge`) and resolves it with what they
   did (`resolve`). Unacknowledged past its deadline, the next person on the
   on-call list is told (`escalate_overdue`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from oncopro.accounts.audit import Actor, record
from oncopro.accounts.models import User
from oncopro.alerts.models import LEVEL_RANK, Alert, AlertOutbox, Level, Notification, Outcome
from oncopro.care.models import Clinic, OnCallSlot, Patient
from oncopro.checkins.models import CheckIn
from oncopro.db.faults import crash_point

WORKER = Actor.system("alerts")


class AlertError(ValueError):
    """A request that cannot be carried out; the message is fit to show."""


def needs_alert(urgency: str) -> bool:
    return urgency in LEVEL_RANK


def outbox_row(checkin: CheckIn) -> AlertOutbox | None:
    """The outbox row of a check-in that needs the team (None if it does
    not), not yet saved: it must be inserted in the check-in's own
    transaction, so that a stored check-in always gets its alert, and never
    twice. Then `wake_worker_after_commit`."""
    if not needs_alert(checkin.urgency):
        return None
    return AlertOutbox(checkin=checkin, created_at=checkin.received_at)


def wake_worker_after_commit() -> None:
    """Ask the worker to run once the outbox row is committed (at once if
    it already is). If this process dies before that, the worker's regular
    sweep still finds the row."""

    def after_commit() -> None:
        from oncopro.alerts.tasks import wake_the_worker  # tasks import this module

        wake_the_worker()

    transaction.on_commit(after_commit)


def deadline_for(level: str, clinic: Clinic, start: dt.datetime) -> dt.datetime:
    minutes = clinic.ack_minutes_soon if level == Level.SOON else clinic.ack_minutes_urgent
    return start + dt.timedelta(minutes=minutes)


def process_outbox(now: dt.datetime | None = None) -> int:
    """Turn every waiting outbox row into its alert. Returns how many."""
    done = 0
    for row_id in AlertOutbox.objects.filter(processed_at__isnull=True).values_list(
        "pk", flat=True
    ):
        if process_outbox_row(row_id, now or timezone.now()):
            done += 1
            crash_point("alert-committed")  # the crash test dies here: committed, not sent
    return done


@transaction.atomic
def process_outbox_row(row_id: int, now: dt.datetime) -> bool:
    row = (
        AlertOutbox.objects.select_for_update()
        .select_related("checkin__patient__care_team__clinic")
        .filter(pk=row_id, processed_at__isnull=True)
        .first()
    )
    if row is None:
        return False  # another worker took it
    checkin = row.checkin
    patient = checkin.patient
    alert = Alert.objects.select_for_update().filter(patient=patient, resolved_at=None).first()
    if alert is None:
        alert = _open(patient, checkin, now)
    elif LEVEL_RANK[Level(checkin.urgency)] > alert.rank:
        _raise(alert, checkin, now)
    else:
        record(WORKER, "alert.gather", patient_ref=patient.public_id, obj=alert)
    row.alert = alert
    row.processed_at = now
    row.save(update_fields=["alert", "processed_at"])
    return True


def _open(patient: Patient, checkin: CheckIn, now: dt.datetime) -> Alert:
    alert = Alert.objects.create(
        patient=patient,
        level=checkin.urgency,
        opened_at=now,
        deadline=deadline_for(checkin.urgency, patient.clinic, now),
    )
    _tell_next_on_call(alert, Notification.Reason.OPENED, step=1)
    record(
        WORKER,
        "alert.open",
        patient_ref=patient.public_id,
        obj=alert,
        detail={"level": alert.level},
    )
    return alert


def _raise(alert: Alert, checkin: CheckIn, now: dt.datetime) -> None:
    """A worse check-in: the level rises, the deadline comes closer, and
    whoever had seen it must look again."""
    before = alert.level
    alert.level = checkin.urgency
    alert.raised_at = now
    alert.deadline = min(alert.deadline, deadline_for(alert.level, alert.patient.clinic, now))
    alert.acknowledged_at = None
    alert.acknowledged_by = None
    alert.save()
    _tell_next_on_call(alert, Notification.Reason.RAISED, step=1)
    record(
        WORKER,
        "alert.raise",
        patient_ref=alert.patient.public_id,
        obj=alert,
        detail={"from": before, "to": alert.level},
    )


def _tell_next_on_call(alert: Alert, reason: str, *, step: int) -> bool:
    """Write the messages for on-call position `step`. With no on-call list
    at all, everyone on the team is told: nobody must miss it."""
    team = alert.patient.care_team
    slot = OnCallSlot.objects.filter(team=team, position=step).select_related("user").first()
    if slot is not None:
        recipients = [slot.user]
    elif step == 1 and not OnCallSlot.objects.filter(team=team).exists():
        recipients = list(
            User.objects.filter(memberships__team=team, is_active=True).order_by("pk")
        )
    else:
        return False
    sequence = (alert.notifications.aggregate(last=Max("sequence"))["last"] or 0) + 1
    messages = [
        Notification(alert=alert, sequence=sequence + i, reason=reason, recipient=user)
        for i, user in enumerate(recipients)
    ]
    if settings.ALERT_WEBHOOK_URL:
        messages.append(
            Notification(
                alert=alert,
                sequence=sequence,
                reason=reason,
                channel=Notification.Channel.WEBHOOK,
            )
        )
    Notification.objects.bulk_create(messages)
    alert.escalation_step = step
    alert.save(update_fields=["escalation_step"])
    return True


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Tell the next person on call about each alert nobody acknowledged in
    time. Returns how many were escalated."""
    now = now or timezone.now()
    overdue = Alert.objects.filter(
        resolved_at=None, acknowledged_at=None, deadline__lt=now
    ).values_list("pk", flat=True)
    return sum(_escalate_one(pk, now) for pk in overdue)


@transaction.atomic
def _escalate_one(alert_id: int, now: dt.datetime) -> bool:
    alert = (
        Alert.objects.select_for_update()
        .select_related("patient__care_team__clinic")
        .filter(pk=alert_id, resolved_at=None, acknowledged_at=None, deadline__lt=now)
        .first()
    )
    if alert is None:
        return False
    if alert.first_missed_at is None:
        alert.first_missed_at = now
        alert.save(update_fields=["first_missed_at"])
    if not _tell_next_on_call(alert, Notification.Reason.ESCALATED, step=alert.escalation_step + 1):
        return False  # the list is used up; the queue shows it overdue
    # The next person gets the short window, whatever the level: it is late.
    alert.deadline = now + dt.timedelta(minutes=alert.patient.clinic.ack_minutes_urgent)
    alert.save(update_fields=["deadline"])
    record(
        WORKER,
        "alert.escalate",
        patient_ref=alert.patient.public_id,
        obj=alert,
        detail={"step": alert.escalation_step},
    )
    return True


@transaction.atomic
def acknowledge(alert: Alert, *, by: Actor, now: dt.datetime | None = None) -> Alert:
    """Someone on her team has seen it. Acknowledging twice keeps the first."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is None and alert.resolved_at is None:
        alert.acknowledged_at = now or timezone.now()
        alert.acknowledged_by = by.user
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record(by, "alert.acknowledge", patient_ref=alert.patient.public_id, obj=alert)
    return alert


@transaction.atomic
def resolve(
    alert: Alert,
    *,
    outcome: str,
    note: str = "",
    share_outcome: bool = False,
    message_to_patient: str = "",
    by: Actor,
    now: dt.datetime | None = None,
) -> Alert:
    """Close the alert with what was done. Resolving acknowledges it too."""
    if outcome not in Outcome.values:
        raise AlertError("Please choose what was done.")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at is not None:
        raise AlertError("This alert was already resolved.")
    now = now or timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = by.user
    alert.resolved_at = now
    alert.resolved_by = by.user
    alert.outcome = outcome
    alert.note = note.strip()
    alert.share_outcome = share_outcome
    alert.message_to_patient = message_to_patient.strip() if share_outcome else ""
    alert.save()
    record(
        by,
        "alert.resolve",
        patient_ref=alert.patient.public_id,
        obj=alert,
        detail={"outcome": outcome, "shared": share_outcome},
    )
    return alert
