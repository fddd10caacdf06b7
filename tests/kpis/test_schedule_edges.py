"""KPI schedule edges: the publication flag reads the newest review, a vendor removed from the
contract stops holding the schedule, and two alike actions carry over one by one."""

import datetime
from decimal import Decimal

import pytest

from contracts import services as contract_services
from contracts.models import ContractAward
from kpis import selectors, services
from kpis.models import ActionStatus, Frequency, Rating, ReviewAction
from tests.factories import TODAY, ContractFactory, VendorFactory

pytestmark = pytest.mark.django_db


def _review(hub, contract, vendor, start, end, actions=None):
    review = services.review_create(
        contract=contract,
        vendor=vendor,
        fields={
            "period_start": start,
            "period_end": end,
            "meeting_date": end + datetime.timedelta(days=5),
            "overall_rating": Rating.GOOD,
        },
        actions=actions or [],
        by=hub.cm,
    )
    return services.review_submit(review=review, by=hub.cm)


# --- _carry_over_done_actions -------------------------------------------------------------


def test_two_alike_actions_one_done_the_amendment_keeps_the_other_open(hub):
    """Two identical actions (same description, owner, due date) on a review; one is closed
    while the amendment is drafted. On submit the carry-over dict is keyed by
    (description, owner, due) so BOTH copies in the amendment are marked done: an open action
    is silently closed. (_write_actions handles 'two alike' in order; this does not.)"""
    vendor = VendorFactory()
    contract = ContractFactory(
        category=hub.category, start_date=datetime.date(2025, 12, 1), vendors=[vendor]
    )
    same = {"description": "Send the monthly report", "owner": hub.cm, "due_date": TODAY}
    review = _review(
        hub,
        contract,
        vendor,
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
        actions=[dict(same), dict(same)],
    )
    amendment = services.review_amend(review=review, by=hub.cm)
    services.action_complete(action=review.actions.order_by("pk").first(), by=hub.cm)
    services.review_submit(review=amendment, by=hub.cm)
    live = ReviewAction.objects.filter(review=amendment).order_by("pk")
    assert sorted(a.status for a in live) == [ActionStatus.DONE, ActionStatus.OPEN]


# --- _reviewed_up_to ------------------------------------------------------------------------

Q = [
    (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)),
    (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
]


def _framework(hub, value=Decimal("6000000")):
    a, b = VendorFactory(), VendorFactory()
    contract = ContractFactory(
        category=hub.category,
        start_date=datetime.date(2025, 1, 1),
        end_date=TODAY + datetime.timedelta(days=700),
        awarded_value=value,
        vendors=[a, b],
    )
    services.schedule_set(
        contract=contract, frequency=Frequency.QUARTERLY, anchor=datetime.date(2025, 1, 1)
    )
    return contract, a, b


def test_a_contract_reviewed_last_quarter_is_not_flagged_as_unreviewed_for_12_months(hub):
    """Issue 3: 'flagged when NO review falls in the last 12 months'. last_period_end now holds
    the oldest vendor's period (min over vendors), and it also drives the publication flag:
    a £6m framework whose vendor A was reviewed for Jul-Sep 2026 is flagged as having no
    review in 12 months because vendor B's only review is from early 2025."""
    contract, a, b = _framework(hub)
    _review(hub, contract, b, *Q[0])
    _review(hub, contract, a, *Q[1])
    contract.refresh_from_db()
    schedule = contract.review_schedule
    schedule.refresh_from_db()
    assert selectors._publication_due(contract, schedule) is False


def test_removing_a_vendor_in_the_contract_edit_releases_the_schedule(hub):
    """'A vendor is under review ... while it is awarded there': removing vendor B's award
    through the contract edit (contract_update) leaves the schedule computed with B, so the
    contract stays overdue until someone submits another review. The commit's own test calls
    schedule_refresh by hand after deleting the award."""
    contract, a, b = _framework(hub)
    _review(hub, contract, b, *Q[0])
    _review(hub, contract, a, *Q[1])
    award = ContractAward.objects.get(contract=contract, vendor=a)
    contract_services.contract_update(
        contract=contract,
        fields={},
        authorities=list(contract.authorities.all()),
        awards=[{"vendor": award.vendor, "value": award.value, "lot": award.lot}],
        by=hub.admin,
    )
    assert list(contract.awards.values_list("vendor_id", flat=True)) == [a.pk]
    schedule = contract.review_schedule
    schedule.refresh_from_db()
    assert schedule.next_due == datetime.date(2026, 12, 31), schedule.next_due
