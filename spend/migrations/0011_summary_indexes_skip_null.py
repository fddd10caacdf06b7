# The summary tables' category, pillar and vendor indexes hold only rows where that reference is
# set. Each is rebuilt CONCURRENTLY on PostgreSQL (procurement_hub.db.ReplaceIndex): the
# dashboards keep reading and imports keep writing meanwhile.

import django.db.models.deletion
from django.db import migrations, models

from procurement_hub.db import ReplaceIndex


def _partial(field: str, *fields: str, name: str) -> models.Index:
    return models.Index(
        condition=models.Q((f"{field}__isnull", False)), fields=[field, *fields], name=name
    )


def _replace(model: str, field: str, other: str, name: str) -> ReplaceIndex:
    return ReplaceIndex(
        model,
        models.Index(fields=[field, other], name=name),
        _partial(field, other, name=name),
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("categories", "0001_initial"),
        ("spend", "0010_transaction_category_index_partial"),
        ("vendors", "0002_trigram_search_index"),
    ]

    operations = [
        _replace("spendsummary", "category", "month", "spend_sum_cat_month_idx"),
        _replace("spendsummary", "pillar", "month", "spend_sum_pillar_month_idx"),
        _replace("spendsummary", "vendor", "month", "spend_sum_vendor_month_idx"),
        _replace("supplieryear", "pillar", "year", "spend_sy_pillar_year_idx"),
        _replace("supplieryear", "category", "year", "spend_sy_cat_year_idx"),
        # The vendor's plain FK index gives way to a partial one (vendor deletes only).
        migrations.AddIndex(
            model_name="supplieryear", index=_partial("vendor", name="spend_sy_vendor_idx")
        ),
        migrations.AlterField(
            model_name="supplieryear",
            name="vendor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="vendors.vendor",
            ),
        ),
    ]
