"""One way to write money on the contract and sourcing pages (a review found four: GBP
11,705,900.00 beside £11,705,900, and bare 600,000 on the sourcing pages)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement_hub.formatting import money, whole_money
from tests.factories import ContractFactory, VendorFactory
from tests.sourcing.factories import make_project

MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "currency", "written"),
    [
        (Decimal("11705900.00"), "GBP", "£11,705,900"),
        (Decimal("1234.5"), "GBP", "£1,234.50"),
        (Decimal("-300"), "GBP", f"{MINUS}£300"),
        (Decimal("5000"), "EUR", "€5,000"),
        (Decimal("5000"), "CHF", "CHF 5,000"),
        (None, "GBP", ""),
        ("", "GBP", ""),
    ],
)
def test_money(value, currency, written):
    assert money(value, currency) == written


def test_whole_money_rounds_to_pounds_halves_up():
    assert whole_money(Decimal("1233.50")) == "£1,234"
    assert whole_money(Decimal("1000.50")) == "£1,001"
    assert whole_money(None) == ""


def test_without_a_currency_the_hubs_own_is_written(settings):
    """Found by review: the default was GBP whatever HUB_CURRENCY said."""
    settings.HUB_CURRENCY = "EUR"
    assert money(Decimal("2500000")) == "€2,500,000"
    assert money(Decimal("5"), "GBP") == "£5"


@pytest.mark.django_db
def test_the_contract_page_writes_its_values_as_the_index_does(client, hub):
    vendor = VendorFactory(legal_name="Acme Ltd")
    contract = ContractFactory(
        reference="ITS9", category=hub.category, vendors=[vendor],
        awarded_value=Decimal("11705900.00"), estimated_value=Decimal("12000000"),
    )  # fmt: skip
    contract.awards.update(value=Decimal("2500.75"))
    client.force_login(hub.buyer)
    html = client.get(contract.get_absolute_url()).content.decode()
    assert "£11,705,900" in html and "£12,000,000" in html and "£2,500.75" in html
    assert "GBP " not in html
    index = client.get(reverse("contracts:index")).content.decode()
    assert "£11,705,900" in index


@pytest.mark.django_db
def test_the_sourcing_project_page_writes_pounds(client, hub):
    project = make_project(hub, estimated_value=Decimal("600000"))
    client.force_login(hub.sourcing)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "£600,000" in html
