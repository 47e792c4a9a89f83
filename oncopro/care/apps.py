"""Clinics, care teams, patients, caregivers and who may see whom."""

from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "oncopro.care"
    verbose_name = "Care"
