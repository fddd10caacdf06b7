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
    assert selectors.off_contract_suppliers(filters).count()
    assert selectors.contract_burn(filters)  # Some contracts are nearly used up.
    assert not Transaction.objects.filter(payment_date__gt=TODAY).exists()
    total = sum(s.total for s in SpendSummary.objects.all())
    assert total == sum(t.amount for t in Transaction.objects.all())


def test_demo_spend_runs_evenly_over_contract_terms():
    """Spend is spread over each contract's whole term: no month carries a contract's value."""
    ctx = DemoContext(today=TODAY, contracts=150, log=lambda message: None)
    contracts_demo.seed(ctx)
    demo.seed(ctx)
    by_month: dict = {}
    for summary in SpendSummary.objects.all():
        by_month[summary.month] = by_month.get(summary.month, 0) + summary.total
    totals = [by_month[month] for month in sorted(by_month)]
    # The current (partial) month and the month before stay within twice the typical month.
    typical = sorted(totals)[len(totals) // 2]
    assert max(totals[-2:]) < 2 * typical
