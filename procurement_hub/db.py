"""Database helpers shared by the apps' migrations and selectors."""

from django.db import NotSupportedError, connection, migrations


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


class ReplaceIndex(migrations.operations.base.Operation):
    """Give an index a new definition under the same name without blocking the table.

    On PostgreSQL the new index is built CONCURRENTLY under a temporary name, the old one is
    dropped CONCURRENTLY, and the new one takes its name: reads and writes of a table of
    millions of rows go on while it is built (its migration needs `atomic = False`). Elsewhere
    it is a plain drop and create."""

    reversible = True

    def __init__(self, model_name: str, old_index, new_index):
        self.model_name = model_name
        self.old_index = old_index
        self.new_index = new_index

    def state_forwards(self, app_label, state):
        state.remove_index(app_label, self.model_name.lower(), self.old_index.name)
        state.add_index(app_label, self.model_name.lower(), self.new_index)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        _swap_index(schema_editor, model, self.old_index, self.new_index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        _swap_index(schema_editor, model, self.new_index, self.old_index)

    def describe(self) -> str:
        return f"Replace index {self.old_index.name} on {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"replace_{self.old_index.name.lower()}"


def _swap_index(schema_editor, model, old, new) -> None:
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.remove_index(model, old)
        schema_editor.add_index(model, new)
        return
    if schema_editor.connection.in_atomic_block:
        raise NotSupportedError("ReplaceIndex builds CONCURRENTLY: set atomic = False.")
    building = new.clone()
    building.name = f"{new.name[:24]}_build"
    quote = schema_editor.quote_name
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote(building.name)}")
    schema_editor.add_index(model, building, concurrently=True)
    schema_editor.remove_index(model, old, concurrently=True)
    schema_editor.execute(f"ALTER INDEX {quote(building.name)} RENAME TO {quote(new.name)}")
