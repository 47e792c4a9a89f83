"""People, roles, two-factor sign-in and the audit log."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "oncopro.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Signal receivers: the session clock and the SQLite audit function.
        from oncopro.accounts import audit_purge, middleware  # noqa: F401
