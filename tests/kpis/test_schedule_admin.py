"""Removing a vendor in the Django admin (the award inline) refreshes the KPI schedule, as the
contract form does: a vendor no longer awarded stops holding the next review back."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis import services
from kpis.models import Frequency, Rating
from tests.factories import TODAY, AuthorityFactory, ContractFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db


def _review(hub, contract, vendor, start, end):
    review = services.review_create(
        contract=contract, vendor=vendor,
        fields={"period_start": start, "period_end": end,
                "meeting_date": end + datetime.timedelta(days=5), "overall_rating": Rating.GOOD},
        actions=[], by=hub.cm,
    )  # fmt: skip
    return services.review_submit(review=review, by=hub.cm)


def test_removing_a_vendor_in_the_django_admin_releases_the_schedule(
    hub, client, django_capture_on_commit_callbacks
):
    a, b = VendorFactory(), VendorFactory()
    contract = ContractFactory(
        category=hub.category, start_date=datetime.date(2025, 1, 1),
        end_date=TODAY + datetime.timedelta(days=700), awarded_value=Decimal("6000000"),
        vendors=[a, b],
    )  # fmt: skip
    services.schedule_set(
        contract=contract, frequency=Frequency.QUARTERLY, anchor=datetime.date(2025, 1, 1)
    )
    _review(hub, contract, b, datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
    _review(hub, contract, a, datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    award_a = contract.awards.get(vendor=a)
    award_b = contract.awards.get(vendor=b)
    auth = AuthorityFactory()
    contract.authorities.set([auth])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:contracts_contract_change", args=[contract.pk])
    form = {
        "reference": contract.reference, "title": contract.title, "description": "",
        "category": hub.category.pk, "kind": contract.kind, "authorities": [auth.pk],
        "status": contract.status, "start_date": "2025-01-01",
        "end_date": contract.end_date.isoformat(),
        "awarded_value": "6000000", "currency": contract.currency, "is_public": "on",
        "awards-TOTAL_FORMS": "2", "awards-INITIAL_FORMS": "2",
        "awards-0-id": award_a.pk, "awards-0-contract": contract.pk, "awards-0-vendor": a.pk,
        "awards-1-id": award_b.pk, "awards-1-contract": contract.pk, "awards-1-vendor": b.pk,
        "awards-1-DELETE": "on",
        "extension_options-TOTAL_FORMS": "0", "extension_options-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "error" in line.lower()
    ][:20]
    assert list(contract.awards.values_list("vendor_id", flat=True)) == [a.pk]
    schedule = contract.review_schedule
    schedule.refresh_from_db()
    # As contract_update gives (tests/kpis/test_schedule_edges.py): A's next quarter.
    assert schedule.next_due == datetime.date(2026, 12, 31), schedule.next_due
