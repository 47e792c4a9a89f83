"""The care team's alert queue, notifications and escalation."""

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "oncopro.alerts"
    verbose_name = "Alerts"
