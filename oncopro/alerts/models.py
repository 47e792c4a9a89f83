"""Alerts: a report the care team must look at, with a deadline.

One open alert per patient gathers every check-in that needs the team until
someone resolves it; its level only rises (DESIGN invariant 2: it exists only
for committed check-ins, through the outbox below).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from oncopro.accounts.models import User
from oncopro.care.models import Patient
from oncopro.checkins.models import CheckIn


class Level(models.TextChoices):
    EMERGENCY = "emergency", "Emergency"
    URGENT = "urgent", "Urgent"
    SOON = "soon", "Within 24 hours"


# Higher is worse; a check-in whose urgency is not here raises no alert.
LEVEL_RANK = {Level.EMERGENCY: 3, Level.URGENT: 2, Level.SOON: 1}


class Outcome(models.TextChoices):
    CALLED_PATIENT = "called_patient", "Called the patient"
    ADVISED_EMERGENCY = "advised_emergency", "Advised the emergency department"
    CHANGED_MEDICATION = "changed_medication", "Changed medication"
    BOOKED_VISIT = "booked_visit", "Booked a visit"
    ADVICE_GIVEN = "advice_given", "Advice given"
    NO_ACTION = "no_action", "No action needed"


class Alert(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    level = models.CharField(max_length=10, choices=Level.choices)
    opened_at = models.DateTimeField(default=timezone.now)
    # When a worse check-in last raised the level (it never falls).
    raised_at = models.DateTimeField(null=True, blank=True)
    # Acknowledge by: the next person on call is told when it passes unseen.
    deadline = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    # For the team only.
    note = models.TextField(blank=True)
    # Whether the patient and her caregivers see the outcome, and any words for them.
    share_outcome = models.BooleanField(default=False)
    message_to_patient = models.TextField(blank=True)
    # How many people on the on-call list have been told so far.
    escalation_step = models.PositiveSmallIntegerField(default=0)
    # When the worker first found it past its deadline unacknowledged (for
    # the program's "deadlines missed").
    first_missed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-opened_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_alert_per_patient",
            ),
        ]
        indexes = [
            models.Index(fields=["resolved_at", "deadline"], name="alert_open_deadline"),
            models.Index(fields=["patient", "-opened_at"], name="alert_patient_opened"),
        ]

    def __str__(self) -> str:
        return f"alert {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def rank(self) -> int:
        return LEVEL_RANK[Level(self.level)]

    def missed_deadline(self, now: dt.datetime) -> bool:
        seen_at = self.acknowledged_at or now
        return self.first_missed_at is not None or seen_at > self.deadline

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.acknowledged_at is None and self.resolved_at is None and self.deadline < moment


class AlertOutbox(models.Model):
    """Written in the same transaction as a check-in that needs the team; the
    worker turns each row into an alert exactly once. The row stays, linking
    the check-in to the alert it went into."""

    checkin = models.OneToOneField(CheckIn, on_delete=models.PROTECT, related_name="alert_outbox")
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="outbox"
    )

    class Meta:
        indexes = [models.Index(fields=["processed_at", "id"], name="outbox_pending")]

    def __str__(self) -> str:
        return f"alert outbox {self.pk}"


class Notification(models.Model):
    """One message to one person about one alert: written in the transaction
    that opens, raises or escalates the alert, sent afterwards by the worker.
    It carries a link only, never health details."""

    class Reason(models.TextChoices):
        OPENED = "opened", "A new alert"
        RAISED = "raised", "An alert became more urgent"
        ESCALATED = "escalated", "Not acknowledged in time"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    sequence = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    recipient = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # A sender claims a message before sending it, so two workers never both do.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("alert", "sequence")
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "sequence", "channel"], name="one_message_per_step"
            ),
        ]
        indexes = [models.Index(fields=["sent_at", "id"], name="notification_unsent")]

    def __str__(self) -> str:
        return f"notification {self.pk}"
