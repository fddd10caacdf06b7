"""An action closed on a review while its amendment is being drafted stays closed when the
amendment is submitted."""

import datetime

import pytest

from kpis import services
from kpis.models import ActionStatus, Rating, ReviewAction, ReviewState
from tests.factories import TODAY, ContractFactory, VendorFactory

pytestmark = pytest.mark.django_db

Q1 = {
    "period_start": datetime.date(2026, 1, 1),
    "period_end": datetime.date(2026, 3, 31),
    "meeting_date": datetime.date(2026, 4, 10),
    "overall_rating": Rating.GOOD,
}


def test_an_action_closed_while_the_amendment_is_drafted_stays_closed(hub):
    vendor = VendorFactory()
    contract = ContractFactory(
        category=hub.category, start_date=datetime.date(2025, 12, 1), vendors=[vendor]
    )
    actions = [
        {"description": "Fix invoices", "owner": hub.cm, "due_date": TODAY},
        {"description": "Send the mobilisation plan", "owner": hub.cm, "due_date": TODAY},
    ]
    review = services.review_create(
        contract=contract, vendor=vendor, fields=Q1, actions=actions, by=hub.cm
    )
    services.review_submit(review=review, by=hub.cm)
    amendment = services.review_amend(review=review, by=hub.cm)
    closed = review.actions.get(description="Fix invoices")
    services.action_complete(action=closed, by=hub.cm)
    services.review_submit(review=amendment, by=hub.cm)
    live = ReviewAction.objects.filter(
        review__contract=contract, review__state=ReviewState.SUBMITTED
    )
    assert {a.description: a.status for a in live} == {
        "Fix invoices": ActionStatus.DONE,
        "Send the mobilisation plan": ActionStatus.OPEN,
    }
    closed.refresh_from_db()
    assert live.get(description="Fix invoices").done_at == closed.done_at
