"""Symptom check-ins: forms, submissions and observations."""

from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "oncopro.checkins"
    verbose_name = "Check-ins"
