"""Database helpers shared by the apps' migrations and selectors."""

from django.db import connection, migrations


class RunSQLOnPostgres(migrations.RunSQL):
    """RunSQL that only runs on PostgreSQL: trigram indexes have no SQLite counterpart."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"
