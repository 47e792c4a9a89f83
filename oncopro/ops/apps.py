"""Running OncoPRO: the demo, the web server and the task worker."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "oncopro.ops"
    verbose_name = "Operations"
