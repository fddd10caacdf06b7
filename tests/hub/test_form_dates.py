"""Every date a form takes lies in the years 1900-2999: "9999-12-31", typed for a contract with
no end, used to be saved and then broke the review form, schedules, calendar feeds and the
renewal page with 500s (date sums past year 9999)."""

import datetime

import pytest
from django.urls import reverse

from contracts.forms import AwardForm as ContractAwardForm
from contracts.models import Contract
from kpis.models import Review
from procurement_hub.forms import FIRST_YEAR, LAST_YEAR
from sourcing.forms import AwardForm as SourcingAwardForm
from sourcing.models import SourcingProject
from tests.factories import AuthorityFactory, ContractFactory, VendorFactory

pytestmark = pytest.mark.django_db
MESSAGE = f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}."


def contract_data(hub, **dates):
    AuthorityFactory(code="oxf")
    VendorFactory(legal_name="Acme Networks Ltd")
    return {
        "reference": "its900", "title": "Network switches", "category": hub.category.pk,
        "authorities": [AuthorityFactory().pk], "kind": "framework", "status": "active",
        "start_date": "2026-01-01", "end_date": "2028-01-01", "max_end_date": "2029-01-01",
        "awarded_value": "250000", "currency": "GBP", "is_public": "on",
        "awards-TOTAL_FORMS": "1", "awards-INITIAL_FORMS": "0",
        "awards-0-vendor": "Acme Networks Ltd", **dates,
    }  # fmt: skip


@pytest.mark.parametrize(
    "dates",
    [
        {"end_date": "9999-12-31", "max_end_date": "9999-12-31"},
        {"start_date": "0001-01-01"},
        {"awards-0-awarded_on": "9999-01-01"},
    ],
)
def test_a_contract_with_a_date_beyond_the_years_is_refused_with_a_field_error(client, hub, dates):
    client.force_login(hub.sourcing)
    response = client.post(reverse("contracts:create"), contract_data(hub, **dates))
    assert response.status_code == 200 and MESSAGE in response.content.decode()
    assert not Contract.objects.exists()


def test_a_review_period_beyond_the_years_is_refused(client, hub):
    vendor = VendorFactory()
    contract = ContractFactory(reference="S2", category=hub.category, vendors=[vendor])
    client.force_login(hub.cm)
    response = client.post(
        reverse("kpis:review_create", args=[contract.reference]),
        {"vendor": vendor.pk, "period_start": "2026-01-01", "period_end": "9999-12-31",
         "actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 200 and MESSAGE in response.content.decode()
    assert not Review.objects.exists()


def test_a_schedule_anchored_beyond_the_years_is_refused(client, hub):
    contract = ContractFactory(reference="S1", category=hub.category)
    client.force_login(hub.cm)
    response = client.post(
        reverse("kpis:contract_kpis", args=[contract.reference]),
        {"action": "schedule", "frequency": "annual", "anchor": "9999-06-01"},
    )
    assert response.status_code == 200 and MESSAGE in response.content.decode()


@pytest.mark.parametrize(
    "make_form",
    [ContractAwardForm, lambda **kw: SourcingAwardForm(project=SourcingProject(), **kw)],
    ids=["contract award row", "sourcing award"],
)
def test_award_forms_bound_their_dates_and_the_picker_says_so(make_form):
    form = make_form(data={"awarded_on": "9999-01-01"})
    assert MESSAGE in form.errors["awarded_on"]
    assert form.fields["awarded_on"].widget.attrs["max"] == "2999-12-31"
    good = make_form(data={"awarded_on": datetime.date(2026, 1, 1).isoformat()})
    assert "awarded_on" not in good.errors
