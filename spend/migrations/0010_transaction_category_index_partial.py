# The category drill-down index on payments holds categorised rows only. Built CONCURRENTLY on
# PostgreSQL (procurement_hub.db.ReplaceIndex): payments stay readable and writable meanwhile.

from django.db import migrations, models

from procurement_hub.db import ReplaceIndex


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("categories", "0001_initial"),
        ("contracts", "0004_index_page_ids_by_sort_key"),
        ("spend", "0009_drop_redundant_summary_indexes"),
        ("vendors", "0002_trigram_search_index"),
    ]

    operations = [
        ReplaceIndex(
            "transaction",
            models.Index(fields=["category", "payment_date"], name="spend_tx_cat_date_idx"),
            models.Index(
                condition=models.Q(("category__isnull", False)),
                fields=["category", "payment_date"],
                name="spend_tx_cat_date_idx",
            ),
        ),
    ]
