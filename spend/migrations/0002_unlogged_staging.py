"""The staging table holds rows for minutes at most: unlogged on PostgreSQL (no WAL, faster
COPY). A crash empties it, which is fine: an import re-stages from the stored file."""

from django.db import migrations


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE spend_stagingrow SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE spend_stagingrow SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("spend", "0001_spend_tables")]
    operations = [migrations.RunPython(unlogged, logged)]
