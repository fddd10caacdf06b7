from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from procurement_hub.db import RunSQLOnPostgres


class Migration(migrations.Migration):
    """Trigram index behind the contract index search and the lookup. PostgreSQL only."""

    dependencies = [("contracts", "0001_initial")]

    operations = [
        TrigramExtension(),
        RunSQLOnPostgres(
            "CREATE INDEX contract_search_text_trgm ON contracts_contract "
            "USING gin (search_text gin_trgm_ops)",
            "DROP INDEX IF EXISTS contract_search_text_trgm",
        ),
    ]
