"""Running a clinic: its settings, staff, care teams and who is enrolled.
Its admins work here; they never see clinical data."""

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "oncopro.clinic"
    verbose_name = "Clinic"
