"""Fixtures shared by the spend tests."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import AuthorityFactory, ContractFactory, VendorFactory


@pytest.fixture
def authority():
    """The authority most spend tests import for (some test modules define their own)."""
    return AuthorityFactory(code="oxf", name="Oxford City Council")


@pytest.fixture
def its1(authority, hub):
    """Acme Ltd's contract ITS1 for the authority in hub.category, through 2024, worth £1,000."""
    return ContractFactory(
        reference="ITS1", vendors=[VendorFactory(legal_name="Acme Ltd")],
        authorities=[authority], category=hub.category, start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31), awarded_value=Decimal("1000"),
    )  # fmt: skip
