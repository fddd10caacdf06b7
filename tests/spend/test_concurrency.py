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


def _in_thread(target) -> tuple[threading.Thread, list]:
    errors: list = []

    def run():
        try:
            target()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_a_payee_confirmed_while_its_import_is_withdrawn_keeps_its_totals_true(hub):
    """The confirm re-matches the payee's payments; the withdrawal waits for it (both hold the
    import locks), then takes the re-matched payments out: totals agree with the payments."""
    import datetime

    from spend import withdrawal
    from spend.models import Payee
    from tests.factories import ContractFactory, VendorFactory

    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    acme = VendorFactory(legal_name="Acme Ltd")
    ContractFactory(vendors=[acme], authorities=[authority], category=hub.category)
    day = (datetime.date.today() - datetime.timedelta(days=60)).strftime("%d/%m/%Y")
    first = run_import(authority, csv_bytes(f"{day},R1,Acme Trading,100,,"))
    run_import(authority, csv_bytes(f"{day},R2,Acme Trading,5,,"), name="b.csv")
    payee = Payee.objects.get(name="Acme Trading")
    confirmed, release = threading.Event(), threading.Event()

    def confirm():
        with transaction.atomic():
            services.payee_confirm(payee=Payee.objects.get(pk=payee.pk), vendor=acme)
            confirmed.set()
            release.wait(10)  # Holds its locks while the withdrawal starts.

    thread, errors = _in_thread(confirm)
    assert confirmed.wait(10)
    threading.Timer(1, release.set).start()
    withdrawal.request(spend_import=first, by=None, reason="Draft")  # Runs at once, waiting.
    thread.join()
    assert errors == []
    payee.refresh_from_db()
    assert (payee.transaction_count, payee.total_spend, payee.on_contract_spend) == (1, 5, 5)


def test_mapping_a_code_a_withdrawal_deletes_meanwhile_says_so(hub, monkeypatch):
    from spend import withdrawal
    from spend.models import ExpenseCode

    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    first = run_import(authority, csv_bytes("01/02/2024,R1,Only Here,100,X1,"))
    code = ExpenseCode.objects.get(key="X1")
    deleting = threading.Event()
    delete = withdrawal._delete_unused_payees_and_codes

    def slow_delete(cursor, authority_id):
        delete(cursor, authority_id)
        deleting.set()
        threading.Event().wait(1)  # The withdrawal commits a second later.

    monkeypatch.setattr(withdrawal, "_delete_unused_payees_and_codes", slow_delete)
    thread, errors = _in_thread(
        lambda: withdrawal.request(spend_import=first, by=None, reason="Draft")
    )
    assert deleting.wait(10)
    with pytest.raises(services.Gone, match="withdrawn meanwhile"):
        services.expense_code_map(code=code, category=hub.category)
    thread.join()
    assert errors == [] and not ExpenseCode.objects.exists()
