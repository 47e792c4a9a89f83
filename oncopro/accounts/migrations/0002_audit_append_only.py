"""The database itself refuses to change or remove audit events.

SQLite and PostgreSQL each get triggers that abort any UPDATE or DELETE on
the audit table (and, on PostgreSQL, TRUNCATE). The only way past them is a
deliberate purge switch that the test harness sets while it empties the
database between tests (`oncopro.accounts.audit_purge`): on PostgreSQL the
session setting `oncopro.audit_purge = 'on'`, on SQLite a flag on that one
connection, read by the SQL function `oncopro_audit_purge_allowed()` that
Django registers on its connections (any other SQLite client lacks the
function, so its writes to the table fail). Application code never sets
either.
"""

from collections.abc import Callable
from typing import Any

from django.apps.registry import Apps
from django.db import migrations

TABLE = "accounts_auditevent"

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER audit_no_{verb.lower()} BEFORE {verb} ON {TABLE}
    WHEN NOT oncopro_audit_purge_allowed()
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """
    for verb in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = ["DROP TRIGGER audit_no_update", "DROP TRIGGER audit_no_delete"]

POSTGRES_FORWARD = [
    """
    CREATE FUNCTION oncopro_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF coalesce(current_setting('oncopro.audit_purge', true), '') = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END IF;
      RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'restrict_violation';
    END $$
    """,
    f"""
    CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION oncopro_audit_append_only()
    """,
    f"""
    CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION oncopro_audit_append_only()
    """,
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER audit_no_truncate ON {TABLE}",
    f"DROP TRIGGER audit_no_update_delete ON {TABLE}",
    "DROP FUNCTION oncopro_audit_append_only()",
]


def _run(statements_by_vendor: dict[str, list[str]]) -> Callable[[Apps, Any], None]:
    def run(apps: Apps, schema_editor: Any) -> None:
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"No append-only audit triggers for {schema_editor.connection.vendor}."
            )
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
