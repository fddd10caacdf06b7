# SupplierYear becomes SupplierPeriod (quarters and years), filled from SpendSummary; the
# SupplierSpend view shows SpendSummary's months and SupplierPeriod's rows as one set, so that a
# supplier breakdown over any range of months reads each month once, at the coarsest grain.
# A later migration that changes a column of either table must drop the view first and create
# it again after (PostgreSQL refuses to alter a column a view uses, SQLite to rebuild a table a
# view names).

import django.db.models.deletion
from django.db import migrations, models


def _start_of(vendor: str, grain: str) -> str:
    if vendor == "postgresql":
        unit = "quarter" if grain == "q" else "year"
        return f"CAST(date_trunc('{unit}', month) AS date)"
    if grain == "q":
        return "date(month, '-' || ((CAST(strftime('%m', month) AS integer) - 1) % 3) || ' months')"
    return "date(month, 'start of year')"


COLUMNS = "authority_id, pillar_id, category_id, payee_id, vendor_id, on_contract"


def fill_periods(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for grain, source in (("q", "spend_spendsummary"),
                          ("y", "spend_supplierperiod WHERE grain = 'q'")):  # fmt: skip
        start = _start_of(vendor, grain)
        schema_editor.execute(
            f"INSERT INTO spend_supplierperiod (grain, month, {COLUMNS}, total, tx_count) "
            f"SELECT '{grain}', {start}, {COLUMNS}, SUM(total), SUM(tx_count) FROM {source} "
            f"GROUP BY {start}, {COLUMNS} ORDER BY {start}, pillar_id, category_id, payee_id",
            None,  # No parameters: the % signs are SQL.
        )


def fill_years_back(apps, schema_editor):
    year = (
        "CAST(EXTRACT(YEAR FROM month) AS integer)"
        if schema_editor.connection.vendor == "postgresql"
        else "CAST(strftime('%Y', month) AS integer)"
    )
    schema_editor.execute(
        f"INSERT INTO spend_supplieryear (year, {COLUMNS}, total, tx_count) "
        f"SELECT {year}, {COLUMNS}, total, tx_count FROM spend_supplierperiod WHERE grain = 'y'",
        None,
    )


VIEW = f"""
CREATE VIEW spend_supplierspend AS
SELECT id, 'm' AS grain, month, {COLUMNS}, total, tx_count FROM spend_spendsummary
UNION ALL
SELECT id, grain, month, {COLUMNS}, total, tx_count FROM spend_supplierperiod
"""


class Migration(migrations.Migration):
    dependencies = [
        ("categories", "0001_initial"),
        ("spend", "0011_summary_indexes_skip_null"),
        ("vendors", "0002_trigram_search_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="SupplierPeriod",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "grain",
                    models.CharField(
                        choices=[("m", "month"), ("q", "quarter"), ("y", "year")], max_length=1
                    ),
                ),
                ("month", models.DateField()),
                ("on_contract", models.BooleanField()),
                ("total", models.DecimalField(decimal_places=2, max_digits=18)),
                ("tx_count", models.PositiveIntegerField()),
                (
                    "authority",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="categories.authority",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="categories.category",
                    ),
                ),
                (
                    "payee",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="spend.payee",
                    ),
                ),
                (
                    "pillar",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="categories.pillar",
                    ),
                ),
                (
                    "vendor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="vendors.vendor",
                    ),
                ),
            ],
        ),
        migrations.RunPython(fill_periods, fill_years_back),
        migrations.AddIndex(
            model_name="supplierperiod",
            index=models.Index(
                fields=["authority", "grain", "month"], name="spend_sp_auth_period_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="supplierperiod",
            index=models.Index(
                condition=models.Q(("pillar__isnull", False)),
                fields=["pillar", "grain", "month"],
                name="spend_sp_pillar_period_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supplierperiod",
            index=models.Index(
                condition=models.Q(("category__isnull", False)),
                fields=["category", "grain", "month"],
                name="spend_sp_cat_period_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supplierperiod",
            index=models.Index(
                condition=models.Q(("vendor__isnull", False)),
                fields=["vendor"],
                name="spend_sp_vendor_idx",
            ),
        ),
        migrations.DeleteModel(
            name="SupplierYear",
        ),
        migrations.CreateModel(
            name="SupplierSpend",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "grain", "id", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("id", models.BigIntegerField()),
                (
                    "grain",
                    models.CharField(
                        choices=[("m", "month"), ("q", "quarter"), ("y", "year")], max_length=1
                    ),
                ),
                ("month", models.DateField()),
                ("on_contract", models.BooleanField()),
                ("total", models.DecimalField(decimal_places=2, max_digits=18)),
                ("tx_count", models.PositiveIntegerField()),
            ],
            options={
                "db_table": "spend_supplierspend",
                "managed": False,
            },
        ),
        migrations.RunSQL(VIEW, "DROP VIEW spend_supplierspend"),
    ]
