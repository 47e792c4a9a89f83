"""The deliberate way past the audit log's triggers, for emptying a test
database between tests only (see migration 0002). Nothing in the
application turns it on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import receiver

_FLAG = "_oncopro_audit_purge"


@receiver(connection_created)
def register_sqlite_purge_check(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: Any
) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "oncopro_audit_purge_allowed",
            0,
            lambda: 1 if getattr(connection, _FLAG, False) else 0,
        )


@contextmanager
def audit_purge_allowed(alias: str = "default") -> Iterator[None]:
    connection = connections[alias]
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET oncopro.audit_purge = 'on'")
    setattr(connection, _FLAG, True)
    try:
        yield
    finally:
        setattr(connection, _FLAG, False)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("RESET oncopro.audit_purge")
