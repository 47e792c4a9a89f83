"""What she wants to ask at her next visit, for the visit summary."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from oncopro.accounts.models import User
from oncopro.care.models import Patient


class VisitQuestion(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="visit_questions")
    text = models.CharField(max_length=300)
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"visit question {self.pk}"
