"""Check-ins: what a patient (or her caregiver) reported, and what triage said.

A submitted check-in is an immutable fact (DESIGN invariant 1): a correction
is a new check-in that points at the one it replaces. Its triage is stored
with the pack version and every finding, so changing a rule never rewrites
history (invariant 3).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from oncopro.accounts.models import User
from oncopro.care.models import Patient


class CheckIn(models.Model):
    class Kind(models.TextChoices):
        WEEKLY = "weekly", "Weekly check-in"
        ANYTIME = "anytime", "Something has changed"

    class Reporter(models.TextChoices):
        PATIENT = "patient", "Patient"
        CAREGIVER = "caregiver", "Caregiver"

    # Made by the client, so a retry after a lost answer is recognised.
    client_id = models.UUIDField(unique=True)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="checkins")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reporter = models.CharField(max_length=10, choices=Reporter.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WEEKLY)
    at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now)
    answers = models.JSONField()
    # In her words, for the visit summary; not part of triage: "pain_feels_like",
    # "pain_what_helps".
    notes = models.JSONField(default=dict, blank=True)
    # sha256 of what was reported, to tell a retry from a different report.
    content_hash = models.CharField(max_length=64)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    # Triage, as decided at submission (never recomputed).
    urgency = models.CharField(max_length=10)
    contact = models.CharField(max_length=20)
    pack = models.CharField(max_length=40)
    result = models.JSONField()

    class Meta:
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=["patient", "-at"], name="checkin_patient_at")]

    def __str__(self) -> str:
        return f"check-in {self.client_id}"


class ReminderSent(models.Model):
    """One reminder email for one due day: never two."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "due_on"], name="one_reminder_per_due_day")
        ]

    def __str__(self) -> str:
        return f"reminder {self.pk}"
