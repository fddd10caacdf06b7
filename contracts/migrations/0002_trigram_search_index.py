from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from procurement_hub.db import RunSQLOnPostgres

# Index sorts put contracts without a date or value last in both directions (contracts/tables.py).
# A plain B-tree serves ASC NULLS LAST; DESC NULLS LAST needs its own index. SQLite has no
# NULLS LAST in index definitions, hence PostgreSQL only.
DESC_NULLS_LAST = {
    "contract_end_desc_idx": "end_date DESC NULLS LAST, reference",
    "contract_start_desc_idx": "start_date DESC NULLS LAST, reference",
    "contract_value_desc_idx": "awarded_value DESC NULLS LAST, reference",
}


class Migration(migrations.Migration):
    """Trigram index behind the contract index search and the lookup, and descending sorts.

    PostgreSQL only."""

    dependencies = [("contracts", "0001_initial")]

    operations = [
        TrigramExtension(),
        RunSQLOnPostgres(
            "CREATE INDEX contract_search_text_trgm ON contracts_contract "
            "USING gin (search_text gin_trgm_ops)",
            "DROP INDEX IF EXISTS contract_search_text_trgm",
        ),
        *(
            RunSQLOnPostgres(
                f"CREATE INDEX {name} ON contracts_contract ({columns})",
                f"DROP INDEX IF EXISTS {name}",
            )
            for name, columns in DESC_NULLS_LAST.items()
        ),
    ]
