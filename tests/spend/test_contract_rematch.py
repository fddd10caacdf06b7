"""Saving a contract re-matches its vendors' payments: a payment moves on or off the contract,
and the totals and summaries the spend pages read follow (they used to stay as imported)."""

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from contracts.models import ContractStatus
from contracts.services import contract_create, contract_update
from sourcing import services as sourcing_services
from spend import matching, selectors, services, tasks
from spend.forms import SpendFilters
from spend.models import (
    ContractSpend,
    ImportMode,
    Payee,
    PillarSupplier,
    SpendCube,
    SpendSummary,
    SupplierPeriod,
    Transaction,
)
from tests.factories import AuthorityFactory, ContractFactory, VendorFactory
from tests.spend.helpers import csv_bytes, run_import

pytestmark = pytest.mark.django_db

HEADER = "Date,Reference,Supplier Name,Amount,Expense Code,Expense Category,Supplier ID"
PAID_ON = datetime.date(2024, 3, 15)


def rows(*lines):
    return csv_bytes(*lines, header=HEADER)


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.SPEND_OFF_CONTRACT_THRESHOLD = Decimal("500")


@pytest.fixture
def authority():
    return AuthorityFactory(code="oxf", name="Oxford City Council")


@pytest.fixture
def acme():
    return VendorFactory(legal_name="Acme Ltd")


@pytest.fixture
def paid(authority, acme):
    """Acme paid 900 on 15 March 2024, imported while no contract covered it."""
    run_import(authority, rows(f"{PAID_ON:%d/%m/%Y},R1,Acme,900,,,"))
    return Transaction.objects.get(reference="R1")


@pytest.fixture
def save(hub, authority, django_capture_on_commit_callbacks):
    """contract_create, or contract_update of `contract`, as the contract form calls them, with
    the on-commit work run. Awarded to `vendors`, covering `authorities` (the authority)."""

    def save(contract=None, *, vendors, authorities=None, **fields):
        kwargs = {
            "fields": {
                "reference": "ITS1",
                "title": "IT support",
                "category": hub.category,
                "status": ContractStatus.ACTIVE,
                "start_date": datetime.date(2024, 1, 1),
                "end_date": datetime.date(2024, 12, 31),
                "awarded_value": Decimal("1000"),
            }
            | fields,
            "authorities": [authority] if authorities is None else authorities,
            "awards": [{"vendor": vendor} for vendor in vendors],
            "by": hub.sourcing,
        }
        with django_capture_on_commit_callbacks(execute=True):
            if contract is None:
                return contract_create(**kwargs)
            return contract_update(contract=contract, **kwargs)

    return save


def off_contract_suppliers() -> tuple[list[tuple], list[tuple]]:
    """The off-contract list read from the payee totals (all time) and from the summaries, as
    (vendor, unmatched payee) keys."""
    by_summary = SpendFilters(date_from=datetime.date(2000, 1, 1))
    keys = ("vendor_id", "unmatched_payee_id")
    return tuple(
        [tuple(row[k] for k in keys) for row in selectors.off_contract_suppliers(f)]
        for f in (SpendFilters(), by_summary)
    )


def supplier_of(tx: Transaction) -> tuple:
    return (tx.vendor_id, None) if tx.vendor_id else (None, tx.payee_id)


def assert_on_contract(tx: Transaction, contract, amount: Decimal) -> None:
    tx.refresh_from_db()
    assert (tx.contract, tx.contract_candidates) == (contract, 1)
    assert selectors.contract_candidates(tx) == [contract]
    assert selectors.contract_spend(contract)["total"] == amount
    assert contract in [row["contract"] for row in selectors.contract_burn(SpendFilters())]
    assert Payee.objects.get(pk=tx.payee_id).on_contract_spend == amount
    fast, slow = off_contract_suppliers()
    assert supplier_of(tx) not in fast and supplier_of(tx) not in slow
    assert list(SpendSummary.objects.filter(payee=tx.payee_id).values_list("on_contract")) == [
        (True,)
    ]


def assert_off_contract(tx: Transaction, contract) -> None:
    tx.refresh_from_db()
    assert (tx.contract, tx.contract_candidates) == (None, 0)
    assert selectors.contract_spend(contract) is None
    assert not ContractSpend.objects.filter(contract=contract).exists()
    assert Payee.objects.get(pk=tx.payee_id).on_contract_spend == 0
    fast, slow = off_contract_suppliers()
    assert supplier_of(tx) in fast and supplier_of(tx) in slow
    assert list(SpendSummary.objects.filter(payee=tx.payee_id).values_list("on_contract")) == [
        (False,)
    ]


def test_a_contract_awarded_later_takes_the_payments_it_covers(paid, acme, save):
    assert paid.contract is None
    assert paid.vendor_id  # The payee is matched: the vendor is the supplier.
    assert off_contract_suppliers() == ([supplier_of(paid)], [supplier_of(paid)])

    contract = save(vendors=[acme])

    assert_on_contract(paid, contract, Decimal("900.00"))
    assert ContractSpend.objects.get().month == datetime.date(2024, 3, 1)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"end_date": datetime.date(2024, 3, 14)}, id="ends-before-the-payment"),
        pytest.param({"start_date": datetime.date(2024, 3, 16)}, id="starts-after-it"),
        pytest.param({"vendors": []}, id="award-removed"),
        pytest.param({"authorities": []}, id="authority-no-longer-covered"),
        pytest.param({"status": ContractStatus.PLANNED}, id="back-to-planned"),
    ],
)
def test_an_edit_that_no_longer_covers_a_payment_moves_it_off_contract(paid, acme, save, change):
    contract = save(vendors=[acme])
    assert_on_contract(paid, contract, Decimal("900.00"))

    save(contract, **{"vendors": [acme]} | change)

    assert_off_contract(paid, contract)


def test_an_extension_taken_brings_the_payments_of_its_new_term_on_contract(
    paid, acme, save, hub, django_capture_on_commit_callbacks
):
    """Found by review: an extension moved the end date without the re-match an edit queues,
    so the payments of the added months stayed off contract."""
    contract = save(vendors=[acme], end_date=datetime.date(2024, 2, 29))
    contract.max_end_date = datetime.date(2025, 2, 28)
    contract.save(update_fields=["max_end_date"])
    assert_off_contract(paid, contract)
    option = contract.extension_options.create(
        sequence=1, length_months=12, decide_by=datetime.date(2024, 1, 31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        sourcing_services.contract_extend(
            contract=contract, option=option, rationale="x", approved_by=hub.head, by=hub.cm
        )
    assert_on_contract(paid, contract, Decimal("900.00"))


def test_an_award_moved_to_another_vendor_rematches_both(authority, acme, save):
    beta = VendorFactory(legal_name="Beta Services Ltd")
    run_import(authority, rows("15/03/2024,R1,Acme,900,,,", "16/03/2024,R2,Beta Services,850,,,"))
    acme_tx, beta_tx = Transaction.objects.order_by("reference")
    contract = save(vendors=[acme])
    assert_on_contract(acme_tx, contract, Decimal("900.00"))

    save(contract, vendors=[beta])

    acme_tx.refresh_from_db()
    assert acme_tx.contract is None
    assert Payee.objects.get(pk=acme_tx.payee_id).on_contract_spend == 0
    assert_on_contract(beta_tx, contract, Decimal("850.00"))


def _spend_state() -> dict:
    """Everything a re-match writes: payments, payee totals and every summary table."""
    return {
        "transactions": list(
            Transaction.objects.order_by("pk").values_list(
                "pk", "vendor_id", "category_id", "contract_id", "contract_candidates"
            )
        ),
        "payees": list(
            Payee.objects.order_by("pk").values_list(
                "pk", "total_spend", "on_contract_spend", "transaction_count"
            )
        ),
        **{
            model.__name__: _rows(model)
            for model in (SpendSummary, SpendCube, SupplierPeriod, PillarSupplier, ContractSpend)
        },
    }


def _rows(model) -> list[tuple]:
    """A summary table's rows without their ids (a refresh re-inserts them)."""
    values = (tuple(v for k, v in row.items() if k != "id") for row in model.objects.values())
    return sorted(values, key=str)


def test_the_task_run_twice_changes_nothing_the_second_time(paid, acme, authority, hub):
    # Made by the factory, which skips the services: only the task moves the payment.
    contract = ContractFactory(
        vendors=[acme], authorities=[authority], category=hub.category,
        start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2024, 12, 31),
        awarded_value=Decimal("1000"),
    )  # fmt: skip
    before = _spend_state()

    tasks.rematch_vendor_spend(vendor_ids=[acme.pk])
    once = _spend_state()
    tasks.rematch_vendor_spend(vendor_ids=[acme.pk])

    assert once != before
    assert_on_contract(paid, contract, Decimal("900.00"))
    assert _spend_state() == once
    tasks.rematch_vendor_spend(vendor_ids=[acme.pk + 1000])  # A vendor since deleted: no error.
    tasks.rematch_vendor_spend(vendor_ids=[])
    assert _spend_state() == once


@pytest.fixture
def queued(monkeypatch) -> list[list[int]]:
    """The vendor ids of each re-match queued (the task itself is not run)."""
    calls: list[list[int]] = []
    monkeypatch.setattr(
        tasks.rematch_vendor_spend, "delay", lambda *, vendor_ids: calls.append(vendor_ids)
    )
    return calls


def test_no_rematch_is_queued_without_vendors_or_when_nothing_the_rule_reads_changed(
    acme, save, queued
):
    contract = save(vendors=[])  # No vendor before or after.
    assert queued == []
    contract = save(contract, vendors=[acme])
    assert queued == [[acme.pk]]
    # Title, description and value are not read by the rule; the award is saved again as it was.
    save(contract, vendors=[acme], title="IT support desk", description="Tier 1",
         awarded_value=Decimal("2000"))  # fmt: skip
    assert queued == [[acme.pk]]
    save(contract, vendors=[acme], title="IT support desk", end_date=datetime.date(2024, 6, 30))
    assert queued == [[acme.pk], [acme.pk]]


def test_an_award_change_queues_the_vendors_before_and_after(acme, save, queued):
    beta, gamma = VendorFactory(), VendorFactory()
    contract = save(vendors=[acme, beta])
    save(contract, vendors=[beta, gamma])
    assert queued == [sorted([acme.pk, beta.pk]), sorted([acme.pk, beta.pk, gamma.pk])]


def test_the_rematch_is_set_based_its_queries_do_not_grow_with_the_payments(authority, acme, hub):
    ContractFactory(
        vendors=[acme], authorities=[authority], category=hub.category,
        start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2024, 12, 31),
    )  # fmt: skip
    run_import(authority, rows("15/03/2024,R0,Acme,1,,,"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            matching.rematch_vendors(vendor_ids=[acme.pk])
        return len(captured)

    one = queries()
    run_import(authority, rows(*(f"{10 + i}/03/2024,R{i + 1},Acme,{i + 1},,," for i in range(15))),
               "more.csv")  # fmt: skip
    assert Transaction.objects.filter(contract__isnull=False).count() == 16
    assert queries() == one


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_rematch_waits_for_an_import_in_flight(monkeypatch, hub):
    """An import matched its payments before the contract was committed; the re-match the
    contract queued waits for the import to commit, then takes those payments too."""
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    acme = VendorFactory(legal_name="Acme Ltd")
    spend_import = services.import_create(
        authority=authority,
        fileobj=io.BytesIO(rows("15/03/2024,R1,Acme,900,,,")),
        file_name="spend.csv",
    )
    matched, go = threading.Event(), threading.Event()
    add_import_totals = matching.add_import_totals

    def held_after_matching(**kwargs):  # The import has matched its payments: it pauses.
        matched.set()
        go.wait(timeout=30)
        add_import_totals(**kwargs)

    monkeypatch.setattr(matching, "add_import_totals", held_after_matching)
    errors = []

    def in_thread(work):
        def run():
            try:
                work()
            except Exception as exc:  # collected and re-raised in the test thread
                errors.append(exc)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def run_the_import():
        services.import_confirm(
            spend_import=spend_import, mapping=spend_import.mapping,
            mode=ImportMode.KEEP_VALID, run_now=True,
        )  # fmt: skip

    importing = in_thread(run_the_import)
    assert matched.wait(timeout=30)
    contract = ContractFactory(
        vendors=[acme], authorities=[authority], category=hub.category,
        start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2024, 12, 31),
    )  # fmt: skip
    rematching = in_thread(lambda: matching.rematch_vendors(vendor_ids=[acme.pk]))
    rematching.join(timeout=1)
    waited = rematching.is_alive()  # For the import's lock.
    go.set()
    importing.join(timeout=30)
    rematching.join(timeout=30)

    assert errors == []
    assert waited
    tx = Transaction.objects.get()
    assert tx.contract == contract
    assert Payee.objects.get().on_contract_spend == Decimal("900.00")
    assert ContractSpend.objects.get().total == Decimal("900.00")
