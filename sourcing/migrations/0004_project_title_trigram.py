from django.db import migrations

from procurement_hub.db import RunSQLOnPostgres


class Migration(migrations.Migration):
    """The project list's title search (icontains, which PostgreSQL runs as UPPER(title) LIKE
    '%…%'): a trigram index on that expression. PostgreSQL only; contracts 0002 adds pg_trgm."""

    dependencies = [
        ("contracts", "0002_trigram_search_index"),
        ("sourcing", "0003_indexes_for_filters_and_sorts"),
    ]

    operations = [
        RunSQLOnPostgres(
            "CREATE INDEX project_title_trgm ON sourcing_sourcingproject "
            "USING gin ((UPPER(title::text)) gin_trgm_ops)",
            "DROP INDEX IF EXISTS project_title_trgm",
        ),
    ]
