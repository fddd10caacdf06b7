"""Flags and thresholds compare exact pence: a contract just short of its value is not "used
up", and a supplier paid exactly the off-contract threshold is listed (SQLite adds decimals as
binary floats)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import ContractStatus
from spend import selectors
from spend.forms import SpendFilters
from tests.factories import ContractFactory, VendorFactory
from tests.spend.helpers import id_rows as rows
from tests.spend.helpers import run_import

pytestmark = pytest.mark.django_db


def test_a_contract_just_short_of_its_value_is_not_flagged_used_up(authority, its1):
    """The burn-down rounds the percentage before comparing it with 100 (and 80): £999.96 of a
    £1,000 contract reads "Used up", while the reminder scan (exact) disagrees."""
    contract = its1
    run_import(authority, rows("15/06/2024,R1,Acme,999.96,,,"))
    assert selectors.contract_spend(contract)["used_up"] is False
    [row] = selectors.contract_burn(SpendFilters())
    assert row["used_up"] is False


def test_a_supplier_paid_exactly_the_threshold_is_listed_off_contract(authority):
    """ "Paid at least" the threshold: three payments totalling exactly £500.00. On SQLite the
    sums are binary floats (499.99999999999994), so the supplier drops off the list."""
    run_import(authority, rows("15/03/2024,R1,Lone Co,162.35,,,",
                               "16/03/2024,R2,Lone Co,294.58,,,",
                               "17/03/2024,R3,Lone Co,43.07,,,"))  # fmt: skip
    for filters in (SpendFilters(), SpendFilters(date_from=datetime.date(2024, 1, 1))):
        listed = list(selectors.off_contract_suppliers(filters, threshold=Decimal("500")))
        assert [(r["supplier"], r["spend"]) for r in listed] == [
            ("Lone Co", Decimal("500.00"))], filters  # fmt: skip


def test_the_burn_list_marks_a_contract_no_longer_live_and_exports_pence(authority, hub, client):
    acme = VendorFactory(legal_name="Acme Ltd")
    contract = ContractFactory(
        reference="OLD1", vendors=[acme], authorities=[authority], category=hub.category,
        start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2024, 12, 31),
        awarded_value=Decimal("1000"), status=ContractStatus.EXPIRED,
    )  # fmt: skip
    run_import(authority, rows("15/06/2024,R1,Acme,1200.5,,,"))
    client.force_login(hub.admin)
    page = client.get(reverse("spend:contract_burn")).content.decode()
    assert "OLD1</a> " + contract.title + ' <span class="badge text-bg-secondary">Expired' in page
    response = client.get(reverse("spend:export", args=["contracts"]))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Reference,Title,Status,Category,Value,Spend")
    assert lines[1].split(",")[2:6] == ["Expired", hub.category.code, "1000.00", "1200.50"]
