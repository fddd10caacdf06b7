from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from procurement_hub.db import RunSQLOnPostgres


class Migration(migrations.Migration):
    """Trigram index for vendor name search (directory, autocomplete, lookup). PostgreSQL only."""

    dependencies = [("vendors", "0001_initial")]

    operations = [
        TrigramExtension(),
        RunSQLOnPostgres(
            "CREATE INDEX vendor_search_names_trgm ON vendors_vendor "
            "USING gin (search_names gin_trgm_ops)",
            "DROP INDEX IF EXISTS vendor_search_names_trgm",
        ),
    ]
