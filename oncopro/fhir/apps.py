"""FHIR R4 mapping and endpoints."""

from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "oncopro.fhir"
    verbose_name = "FHIR"
