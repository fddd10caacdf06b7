"""Migrations 0010-0011 swap indexes for partial ones (procurement_hub.db.ReplaceIndex): built
CONCURRENTLY on PostgreSQL, a plain drop and create on SQLite; 0012 turns SupplierYear into
SupplierPeriod with its data, behind the SupplierSpend view. Both ways work."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import NotSupportedError, connection, transaction

from procurement_hub.db import ReplaceIndex
from spend.models import Grain, Payee, SpendSummary, SupplierPeriod, SupplierSpend, Transaction
from tests.factories import AuthorityFactory
from tests.spend.helpers import csv_bytes, run_import

pytestmark = pytest.mark.django_db(transaction=True)

INDEXES = ["spend_tx_cat_date_idx", "spend_sum_pillar_month_idx", "spend_sy_cat_year_idx"]
NOW = [*INDEXES[:2], "spend_sp_cat_period_idx"]  # 0012 replaced SupplierYear.


def _definitions(names=NOW) -> dict[str, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [names]
            )
        else:
            marks = ", ".join(["%s"] * len(names))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
                names,
            )
        return dict(cursor.fetchall())


def test_partial_indexes_go_back_and_forth():
    assert all(" WHERE " in sql for sql in _definitions().values())
    assert len(_definitions()) == len(NOW)
    try:
        call_command("migrate", "spend", "0009", verbosity=0)
        before = _definitions(INDEXES)
        assert len(before) == len(INDEXES)
        assert not any(" WHERE " in sql for sql in before.values())
    finally:
        call_command("migrate", "spend", verbosity=0)
    after = _definitions()
    assert len(after) == len(NOW) and all(" WHERE " in sql for sql in after.values())


def _periods() -> list[tuple]:
    return sorted(
        SupplierPeriod.objects.values_list("grain", "month", "payee_id", "total", "tx_count")
    )


def test_supplier_periods_migrate_back_to_years_and_forward_again():
    lines = ("15/05/2023,R1,Acme,1000,,,", "15/07/2023,R2,Acme,200,,,",
             "15/03/2024,R3,Lone Co,300,,,", "20/12/2024,R4,Acme,-50,,,")  # fmt: skip
    header = "Date,Reference,Supplier Name,Amount,Expense Code,Expense Category,Supplier ID"
    run_import(AuthorityFactory(), csv_bytes(*lines, header=header))
    built_by_refresh = _periods()
    acme = Payee.objects.get(name="Acme").pk
    year = datetime.date(2023, 1, 1)
    assert (Grain.YEAR, year, acme, Decimal("1200.00"), 2) in built_by_refresh
    try:
        call_command("migrate", "spend", "0011", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT year, SUM(total) FROM spend_supplieryear GROUP BY year")
            years = sorted((y, Decimal(t)) for y, t in cursor.fetchall())
        assert years == [(2023, Decimal("1200.00")), (2024, Decimal("250.00"))]
    finally:
        call_command("migrate", "spend", verbosity=0)
    # Filled from SpendSummary by the migration: the same rows a refresh builds.
    assert _periods() == built_by_refresh
    months = SupplierSpend.objects.filter(grain=Grain.MONTH)
    assert sorted(months.values_list("month", "total")) == sorted(
        SpendSummary.objects.values_list("month", "total")
    )
    assert SupplierSpend.objects.filter(grain=Grain.QUARTER).count() == 4


@pytest.mark.postgres_only
def test_a_concurrent_swap_refuses_to_run_inside_a_transaction():
    state = SimpleNamespace(apps=SimpleNamespace(get_model=lambda app, model: Transaction))
    operation = ReplaceIndex("transaction", None, None)
    with (
        transaction.atomic(),
        connection.schema_editor(atomic=False) as editor,
        pytest.raises(NotSupportedError, match="atomic = False"),
    ):
        operation.database_forwards("spend", editor, None, state)


def test_aliases_confirmed_from_payees_before_0017_are_marked():
    from tests.factories import VendorFactory
    from vendors.models import VendorAlias

    vendor = VendorFactory(legal_name="Acme Printing Ltd")
    payee = Payee.objects.create(authority=AuthorityFactory(), name="ACME PRNT",
                                 normalized_name="acme prnt", vendor=vendor,
                                 match_method="confirmed")  # fmt: skip
    VendorAlias.objects.create(vendor=vendor, name=payee.name)  # As confirmed before 0017.
    VendorAlias.objects.create(vendor=vendor, name="Acme Trading")  # A trading name.
    try:
        call_command("migrate", "spend", "0016", verbosity=0)
    finally:
        call_command("migrate", "spend", verbosity=0)
    marked = dict(VendorAlias.objects.values_list("name", "from_payee"))
    assert marked == {"ACME PRNT": True, "Acme Trading": False}
