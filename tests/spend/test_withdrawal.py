"""Withdrawing an import: its payments leave the hub as if its file had never been imported,
except those a later import's file holds too, which stay with that import."""

import datetime
import io

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from procurement_hub import formatting
from spend import matching, services, summaries, withdrawal
from spend.models import (
    ContractSpend,
    ExpenseCode,
    ImportReject,
    ImportStatus,
    MatchMethod,
    Payee,
    PillarSupplier,
    SkipKind,
    SpendCube,
    SpendImport,
    SpendSummary,
    SupplierPeriod,
    Transaction,
)
from tests.factories import AuthorityFactory, ContractFactory, VendorFactory
from tests.spend.helpers import csv_bytes, run_import

pytestmark = pytest.mark.django_db
HEADER = "Date,Reference,Supplier Name,Amount,Expense Code,Expense Category"
DAY = datetime.date.today() - datetime.timedelta(days=60)  # Inside the contract's dates.


def day(offset: int) -> str:
    return (DAY + datetime.timedelta(days=offset)).strftime("%d/%m/%Y")


def rows(*lines: str) -> bytes:
    return csv_bytes(*lines, header=HEADER)


@pytest.fixture
def world(hub):
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    acme = VendorFactory(legal_name="Acme Ltd")
    ContractFactory(vendors=[acme], authorities=[authority], category=hub.category)
    first = run_import(authority, rows(
        f"{day(0)},R1,Acme Ltd,100,IT1,IT,", f"{day(1)},R2,Lone Co,50,FAC,Facilities,",
    ))  # fmt: skip
    services.expense_code_map(code=ExpenseCode.objects.get(key="IT1"), category=hub.category)
    return authority, first


# Everything the pages read, without the ids of rows that are rebuilt.
STATE = {
    Transaction: ("spend_import_id", "row_number", "reference", "amount", "payee_id",
                  "vendor_id", "category_id", "contract_id"),
    Payee: ("pk", "name", "vendor_id", "match_method", "total_spend", "on_contract_spend",
            "transaction_count"),
    ExpenseCode: ("pk", "key", "category_id", "total_spend", "transaction_count"),
    SpendSummary: ("authority_id", "month", "pillar_id", "category_id", "payee_id",
                   "vendor_id", "on_contract", "total", "tx_count"),
    SpendCube: ("authority_id", "month", "pillar_id", "category_id", "on_contract", "total",
                "tx_count"),
    SupplierPeriod: ("grain", "month", "payee_id", "category_id", "on_contract", "total",
                     "tx_count"),
    PillarSupplier: ("pillar_id", "payee_id", "vendor_id", "total", "on_contract_total",
                     "tx_count"),
    ContractSpend: ("contract_id", "month", "total", "tx_count"),
}  # fmt: skip


def state() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list(*fields), key=repr)
        for model, fields in STATE.items()
    }


def withdraw(client, user, spend_import, reason="Imported under the wrong council"):
    client.force_login(user)
    url = reverse("spend:import_withdraw", args=[spend_import.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):  # The task runs eagerly after commit.
        response = client.post(url, {"reason": reason})
    spend_import.refresh_from_db()
    return response


def test_a_withdrawn_import_leaves_the_hub_as_if_it_had_never_been_imported(client, hub, world):
    authority, _first = world
    before = state()
    second = run_import(authority, rows(
        f"{day(1)},R3,Acme Ltd,70,IT1,IT,",  # A payee and a month the first import has.
        f"{day(40)},R4,Acme Ltd,30,IT1,IT,",  # A month of its own.
        f"{day(2)},R5,Only Here plc,20,NEW,New code,",  # A payee and a code of its own.
    ))  # fmt: skip
    assert second.status == ImportStatus.DONE and state() != before

    response = withdraw(client, hub.head, second)

    assert response.status_code == 302 and response["Location"] == second.get_absolute_url()
    assert state() == before
    assert second.status == ImportStatus.WITHDRAWN and second.withdrawn_by == hub.head
    assert second.withdraw_reason == "Imported under the wrong council"
    assert "3 payments removed. Reason: Imported under the wrong council" in second.message
    assert not Payee.objects.filter(name="Only Here plc").exists()  # Not left in the queue.
    page = client.get(second.get_absolute_url()).content.decode()
    assert "Withdrawn (its payments removed)" in page and 'id="withdraw"' not in page
    assert "Imported: <strong>3</strong> (since withdrawn)" in page
    assert f"on {formatting.day(timezone.localdate())}: 3 payments removed" in page
    listing = client.get(reverse("spend:imports")).content.decode()
    assert '<s title="Withdrawn: its payments were removed">3</s>' in listing


def test_the_totals_left_agree_with_a_rebuild_from_the_payments(client, hub, world):
    authority, first = world
    run_import(authority, rows(f"{day(3)},R6,Lone Co,5,FAC,Facilities,"))
    withdraw(client, hub.admin, first)
    after = state()
    months = list(Transaction.objects.values_list("month", flat=True))
    summaries.refresh(authority_id=authority.pk, months=months)
    matching.refresh_payee_totals(where="authority_id = %s", params=[authority.pk])
    assert state() == after
    payees = Payee.objects.order_by("name")
    assert [(p.name, p.transaction_count) for p in payees] == [("Lone Co", 1)]


def test_payments_a_later_import_skipped_as_present_stay_with_it(client, hub, world):
    authority, first = world
    later = run_import(authority, rows(
        f"{day(1)},R2,Lone Co,50,FAC,Facilities,",  # Row 2 of this file: present in the first.
        f"{day(5)},R7,Lone Co,8,FAC,Facilities,",
    ))  # fmt: skip
    assert (later.imported_rows, later.duplicate_rows) == (1, 1)
    client.force_login(hub.head)
    page = client.get(first.get_absolute_url()).content.decode()
    assert f"Import #{later.pk}</a> skipped 1 of its rows as already present in this one" in page
    withdraw(client, hub.head, first)
    kept = Transaction.objects.order_by("reference")
    assert [(t.reference, t.spend_import_id, t.row_number) for t in kept] == [
        ("R2", later.pk, 2), ("R7", later.pk, 3)]  # fmt: skip
    later.refresh_from_db()
    assert (later.imported_rows, later.duplicate_rows) == (2, 0)
    assert not ImportReject.objects.filter(spend_import=later, kind=SkipKind.PRESENT).exists()
    assert "1 payment removed, 1 kept for later imports" in first.message
    assert Payee.objects.get(name="Lone Co").transaction_count == 2


def test_the_file_can_be_imported_again_once_withdrawn(client, hub, world):
    authority, first = world
    withdraw(client, hub.head, first)
    assert not Transaction.objects.exists()
    again = run_import(authority, rows(
        f"{day(0)},R1,Acme Ltd,100,IT1,IT,", f"{day(1)},R2,Lone Co,50,FAC,Facilities,",
    ))  # fmt: skip
    assert again.status == ImportStatus.DONE and again.imported_rows == 2
    assert Transaction.objects.get(reference="R1").contract is not None  # Matched again.


def test_a_reason_is_required_and_nothing_changes_without_one(client, hub, world):
    _authority, first = world
    before = state()
    response = withdraw(client, hub.head, first, reason="   ")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert first.status == ImportStatus.DONE and state() == before


def test_only_an_imported_file_can_be_withdrawn(client, hub, world):
    authority, _first = world
    preview = services.import_create(
        authority=authority, fileobj=io.BytesIO(rows()), file_name="p.csv"
    )
    response = withdraw(client, hub.head, preview)
    assert response.status_code == 302 and preview.status == ImportStatus.PREVIEW
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "Only an imported file can be withdrawn; this one is “Awaiting confirmation”."
    ]


def test_the_task_run_twice_changes_nothing_the_second_time(hub, world):
    _authority, first = world
    with TestCase.captureOnCommitCallbacks(execute=False):  # Queued, not run.
        withdrawal.request(spend_import=first, by=hub.head, reason="Draft file")
    assert SpendImport.objects.get(pk=first.pk).status == ImportStatus.WITHDRAWING
    assert withdrawal.withdraw(import_id=first.pk).status == ImportStatus.WITHDRAWN
    after = state()
    assert withdrawal.withdraw(import_id=first.pk) is None and state() == after


def test_decisions_about_payees_and_codes_are_kept(client, hub, world):
    """A payee set aside or confirmed by a person, and a mapped code, outlive their payments;
    a match the file made by itself does not (a draft's wrong supplier id, say)."""
    _authority, first = world
    services.payee_set_aside(payee=Payee.objects.get(name="Lone Co"))
    withdraw(client, hub.head, first)
    lone = Payee.objects.get(name="Lone Co")
    assert (lone.match_method, lone.transaction_count, lone.total_spend) == (
        MatchMethod.DISMISSED, 0, 0)  # fmt: skip
    assert not Payee.objects.filter(name="Acme Ltd").exists()  # Matched by name, by itself.
    assert list(ExpenseCode.objects.values_list("key", flat=True)) == ["IT1"]  # Mapped: kept.


def test_a_payee_a_person_confirmed_is_kept(client, hub, world):
    _authority, first = world
    vendor = VendorFactory(legal_name="Lone Company Holdings")
    services.payee_confirm(payee=Payee.objects.get(name="Lone Co"), vendor=vendor)
    withdraw(client, hub.head, first)
    lone = Payee.objects.get(name="Lone Co")
    assert (lone.vendor, lone.match_method, lone.transaction_count) == (
        vendor, MatchMethod.CONFIRMED, 0)  # fmt: skip


def test_acting_on_a_payee_or_code_a_withdrawal_removed_says_so(client, hub, world):
    """The queue page was open while the import was withdrawn: the click gets a message, not
    a 404 or a 500."""
    _authority, first = world
    lone = Payee.objects.get(name="Lone Co")
    code = ExpenseCode.objects.get(key="FAC")
    withdraw(client, hub.head, first)
    for call in (
        lambda: services.payee_confirm(payee=lone, vendor=VendorFactory()),
        lambda: services.payee_set_aside(payee=lone),
        lambda: services.expense_code_map(code=code, category=hub.category),
    ):
        with pytest.raises(services.Gone, match="withdrawn meanwhile"):
            call()


@pytest.mark.django_db(transaction=True)
def test_with_no_worker_the_withdrawal_is_done_at_once_and_says_so(client, hub):
    """On the embedded default (tasks eager, no outer transaction) the page's message is the
    outcome, not "being removed"."""
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    first = run_import(authority, rows(f"{day(0)},R1,Acme Ltd,100,IT1,IT,"))
    client.force_login(hub.head)
    response = client.post(
        reverse("spend:import_withdraw", args=[first.pk]), {"reason": "Draft file"}, follow=True
    )
    first.refresh_from_db()
    assert first.status == ImportStatus.WITHDRAWN
    assert [str(m) for m in response.context["messages"]] == [first.message]
    assert "1 payment removed. Reason: Draft file" in first.message


REG_HEADER = "Date,Reference,Supplier Name,Amount,Expense Code,Expense Category,Supplier ID"


def test_withdrawing_the_file_that_gave_a_supplier_id_undoes_the_match_it_made(hub):
    authority = AuthorityFactory(code="oxf")
    beta = VendorFactory(legal_name="Beta Holdings PLC", company_number="01234567")
    run_import(authority, csv_bytes("01/02/2024,R1,B H Group,100,,,", header=REG_HEADER), "q1.csv")
    assert Payee.objects.get().vendor is None
    # A file with a wrong supplier id for the payee (imported under the wrong council, say).
    wrong = run_import(authority, csv_bytes("01/05/2024,R2,B H Group,50,,,01234567",
                                            header=REG_HEADER), "q2.csv")  # fmt: skip
    assert Payee.objects.get().vendor_id == beta.pk
    with TestCase.captureOnCommitCallbacks(execute=True):
        withdrawal.request(spend_import=wrong, by=hub.head, reason="Wrong file")
    wrong.refresh_from_db()
    assert wrong.status == ImportStatus.WITHDRAWN
    # "Its payments leave the hub as if its file had never been imported."
    payee = Payee.objects.get()
    assert (payee.vendor_id, payee.supplier_id, payee.match_method) == (None, "", MatchMethod.NONE)
    assert list(Transaction.objects.values_list("reference", "vendor_id")) == [("R1", None)]


# 2. An assumed date takes part in the natural key (payee, reference, date, amount).
