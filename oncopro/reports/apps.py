"""Trends and the visit summary."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "oncopro.reports"
    verbose_name = "Reports"
