import datetime
from decimal import Decimal

import pytest

from kpis import services
from kpis.models import Rating
from tests.factories import ContractFactory, VendorFactory


@pytest.fixture
def vendor(db):
    return VendorFactory(legal_name="Acme Printing Ltd")


@pytest.fixture
def contract(hub, vendor, today):
    """A live ITS contract (managed by hub.cm) with three KPIs and a quarterly schedule."""
    contract = ContractFactory(
        reference="ITS75",
        title="Printing services",
        category=hub.category,
        vendors=[vendor],
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2027, 12, 31),
    )
    services.schedule_set(contract=contract, frequency="quarterly")
    return contract


@pytest.fixture
def kpis(contract):
    return [
        services.contract_kpi_add(
            contract=contract,
            name="On-time delivery",
            unit="%",
            target=95,
            approaching=90,
            weight=3,
            is_key=True,
        ),
        services.contract_kpi_add(
            contract=contract,
            name="Invoice accuracy",
            unit="%",
            target=98,
            approaching=95,
            is_key=True,
        ),
        services.contract_kpi_add(
            contract=contract,
            name="Complaints per quarter",
            target=2,
            approaching=4,
            higher_is_better=False,
            is_key=True,
        ),
    ]


def log_review(
    contract, vendor, user, start, end, values, *, rating=Rating.GOOD, submit=True, published=False
):
    """A review with these KPI values (kpi → value), optionally submitted."""
    review = services.review_create(
        contract=contract,
        vendor=vendor,
        fields={
            "period_start": start,
            "period_end": end,
            "overall_rating": rating,
            "is_published": published,
        },
        results=[{"kpi": k, "value": Decimal(str(v))} for k, v in values.items()],
        by=user,
    )
    if submit:
        review = services.review_submit(review=review, by=user)
    return review
