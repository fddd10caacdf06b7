"""The spend demo: fast, consistent with the importer's matching, and showing every page's story."""

import time

import pytest

from contracts import demo as contracts_demo
from procurement_hub.demo import DemoContext
from spend import demo, selectors
from spend.forms import SpendFilters
from spend.models import ContractSpend, Payee, SpendSummary, Transaction
from tests.factories import TODAY

pytestmark = pytest.mark.django_db


def test_demo_spend_seeds_payments_matched_and_summarised():
    ctx = DemoContext(today=TODAY, contracts=150, log=lambda message: None)
    contracts_demo.seed(ctx)
    started = time.monotonic()
    demo.seed(ctx)
    assert time.monotonic() - started < 20
    assert Transaction.objects.count() > 500
    assert Transaction.objects.exclude(contract=None).exists()  # On-contract spend.
    assert Payee.objects.filter(vendor=None).exists()  # The unmatched queue has work.
    assert SpendSummary.objects.exists() and ContractSpend.objects.exists()
    filters = SpendFilters()
    assert selectors.off_contract_suppliers(filters).exists()
    assert selectors.contract_burn(filters)  # Some contracts are nearly used up.
    total = sum(s.total for s in SpendSummary.objects.all())
    assert total == sum(t.amount for t in Transaction.objects.all())
