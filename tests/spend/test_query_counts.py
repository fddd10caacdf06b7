"""Query counts that grew with the data (found by a scaling audit of every page): the rows-to-fix
CSV read one query per row; the dashboard added two past 20 suppliers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spend.models import ImportMode
from tests.factories import AuthorityFactory
from tests.spend.helpers import csv_bytes, run_import


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)  # A streamed CSV runs its queries as it is read.
    return len(ctx.captured_queries)


def _import_with_bad_rows(authority, bad: int, name: str):
    rows = ["01/02/2026,G1,Acme Printing Ltd,100.00,P1,Printing"]
    rows += [f"bad,B{n},Unknown Supplier,1.00,P1,Printing" for n in range(bad)]
    return run_import(authority, csv_bytes(*rows), name, mode=ImportMode.KEEP_VALID)


@pytest.mark.django_db
def test_rows_to_fix_csv_query_count_does_not_grow_with_rejected_rows(client, hub):
    """spend/selectors.py rejected_rows_with_cells: .only("row_number", "cells") defers
    spend_import_id, which the related manager reads for every row (one query per row)."""
    client.force_login(hub.admin)
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    few = _import_with_bad_rows(authority, 2, "few.csv")
    many = _import_with_bad_rows(authority, 30, "many.csv")
    assert few.rejects.count() < many.rejects.count()
    small = _count(client, reverse("spend:import_rows_to_fix", args=[few.pk]))
    large = _count(client, reverse("spend:import_rows_to_fix", args=[many.pk]))
    assert large == small, f"{small} queries for 2 rejected rows, {large} for 30"


@pytest.mark.django_db
def test_spend_dashboard_query_count_stays_within_its_limit_past_the_top_suppliers(client, hub):
    """tests/spend/test_views.py asserts 16 queries for the dashboard, with under 20 suppliers.
    Past TOP_SUPPLIERS (20), RankedRows counts the union with two more queries
    (spend/selectors.py _supplier_ranking count=lambda: matched.count() + unmatched.count())."""
    client.force_login(hub.admin)
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    run_import(authority, csv_bytes(*[f"01/02/2026,A{n},Payee {n},{n}00,P1,Printing"
                                      for n in range(1, 6)]), "few.csv")  # fmt: skip
    small = _count(client, reverse("spend:dashboard"))
    run_import(authority, csv_bytes(*[f"01/03/2026,B{n},Payee {n},{n}00,P1,Printing"
                                      for n in range(6, 31)]), "more.csv")  # fmt: skip
    large = _count(client, reverse("spend:dashboard"))
    assert large == small, f"{small} queries with 5 suppliers, {large} with 30"
