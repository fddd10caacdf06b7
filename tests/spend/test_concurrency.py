"""Across connections, on PostgreSQL: one file imported twice at once lands once, and readers
of the summaries never wait for a refresh."""

import io
import threading

import pytest
from django.db import connections, transaction

from spend import selectors, services, summaries
from spend.forms import SpendFilters
from spend.models import ImportMode, ImportStatus, SpendSummary, Transaction
from tests.factories import AuthorityFactory
from tests.spend.helpers import csv_bytes, run_import

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_the_same_file_imported_twice_at_once_lands_once():
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    content = csv_bytes(*(f"01/02/2024,R{i},Payee {i % 7},{i}.50,E{i % 3}," for i in range(400)))
    imports = [
        services.import_create(authority=authority, fileobj=io.BytesIO(content), file_name=n)
        for n in ("a.csv", "b.csv")
    ]
    barrier = threading.Barrier(2)
    errors = []

    def run(spend_import):
        try:
            barrier.wait()
            services.import_confirm(
                spend_import=spend_import, mapping=spend_import.mapping,
                mode=ImportMode.KEEP_VALID, run_now=True,
            )  # fmt: skip
        except Exception as exc:  # collected and re-raised in the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(imp,)) for imp in imports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = sorted(type(imp).objects.get(pk=imp.pk).status for imp in imports)
    assert statuses == sorted([ImportStatus.DONE, ImportStatus.DUPLICATE])
    assert Transaction.objects.count() == 400


def test_readers_are_not_blocked_while_summaries_refresh():
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    run_import(authority, csv_bytes("01/02/2024,R1,Acme,100,,"))
    started, release = threading.Event(), threading.Event()

    month = SpendSummary.objects.get().month

    def refresh():
        try:
            with transaction.atomic():
                summaries.refresh(authority_id=authority.pk, months=[month])
                started.set()
                release.wait(10)
        finally:
            connections.close_all()

    writer = threading.Thread(target=refresh)
    writer.start()
    assert started.wait(10)
    try:
        # The refresh holds its DELETE + INSERT uncommitted; this reader neither waits nor
        # sees a half-built slice.
        with connections["default"].cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")  # A wait would fail, not hang.
        data = selectors.dashboard(SpendFilters())
        assert str(data["totals"]["spend"]) == "100.00"
    finally:
        release.set()
        writer.join()
        with connections["default"].cursor() as cursor:
            cursor.execute("RESET lock_timeout")
