"""On a contract with several vendors, the next review is due until every vendor under review
has been reviewed for the period: one vendor's review does not move the date past another's."""

import datetime

import pytest

from contracts.models import ContractAward
from kpis import services
from kpis.models import Frequency, Rating
from tests.factories import TODAY, ContractFactory, VendorFactory
from tests.kpis.conftest import log_review

pytestmark = pytest.mark.django_db

Q1 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
Q2 = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))


def _review(hub, contract, vendor, period):
    review = services.review_create(
        contract=contract,
        vendor=vendor,
        fields={
            "period_start": period[0],
            "period_end": period[1],
            "meeting_date": period[1] + datetime.timedelta(days=10),
            "overall_rating": Rating.GOOD,
        },
        by=hub.cm,
    )
    return services.review_submit(review=review, by=hub.cm)


@pytest.fixture
def framework(hub):
    a, b, never = VendorFactory(), VendorFactory(), VendorFactory()
    contract = ContractFactory(
        category=hub.category,
        start_date=datetime.date(2025, 12, 1),
        end_date=TODAY + datetime.timedelta(days=700),
        vendors=[a, b, never],
    )
    services.schedule_set(
        contract=contract, frequency=Frequency.QUARTERLY, anchor=datetime.date(2026, 1, 1)
    )
    return contract, a, b


def _next_due(contract):
    contract.review_schedule.refresh_from_db()
    return contract.review_schedule.next_due


def test_one_vendors_review_does_not_move_the_date_past_anothers(hub, framework):
    contract, a, b = framework
    _review(hub, contract, a, Q1)
    _review(hub, contract, b, Q1)
    assert _next_due(contract) == Q2[1]
    _review(hub, contract, a, Q2)
    assert _next_due(contract) == Q2[1]  # b's Q2 review is still due
    _review(hub, contract, b, Q2)
    assert _next_due(contract) == datetime.date(2026, 9, 30)


def test_a_vendor_no_longer_awarded_does_not_hold_the_schedule(hub, framework):
    contract, a, b = framework
    _review(hub, contract, a, Q1)
    _review(hub, contract, b, Q1)
    _review(hub, contract, a, Q2)
    ContractAward.objects.filter(contract=contract, vendor=b).delete()
    services.schedule_refresh(schedule=contract.review_schedule)
    assert _next_due(contract) == datetime.date(2026, 9, 30)


def test_review_of_one_framework_vendor_leaves_the_others_due(hub):
    acme, bolt = VendorFactory(), VendorFactory()
    framework = ContractFactory(
        category=hub.category, vendors=[acme, bolt],
        start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2028, 12, 31),
    )  # fmt: skip
    services.schedule_set(contract=framework, frequency="quarterly")
    # Both suppliers reviewed for Q1, then only Acme for Q2 and Q3.
    for vendor in (acme, bolt):
        log_review(
            framework, vendor, hub.cm, datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), {}
        )
    log_review(framework, acme, hub.cm, datetime.date(2026, 4, 1), datetime.date(2026, 6, 30), {})
    log_review(framework, acme, hub.cm, datetime.date(2026, 7, 1), datetime.date(2026, 9, 30), {})
    schedule = framework.review_schedule
    schedule.refresh_from_db()
    # Today is 2026-11-22: Bolt's Q2 review (due 30 Jun 2026) is months overdue, yet the
    # schedule says the next review is due 31 Dec 2026, so "My reviews", the dashboard and
    # the overdue reminders all treat the framework as up to date.
    assert schedule.next_due <= datetime.date(2026, 6, 30), schedule.next_due
