"""Edits made in the Django admin keep spend right: a contract edited or deleted there
re-matches its vendors' payments; the rows the spend services keep (payees, expense codes,
imports) are view-only there, changed on the spend pages."""

import datetime

import pytest
from django.urls import reverse

from contracts.models import ContractStatus
from spend import selectors
from spend.models import ExpenseCode, SpendSummary, Transaction
from tests.factories import ContractFactory, UserFactory, VendorFactory
from tests.spend.helpers import id_rows as rows
from tests.spend.helpers import run_import

pytestmark = pytest.mark.django_db


def test_editing_a_contract_in_the_admin_rematches_its_payments(
    authority, hub, client, django_capture_on_commit_callbacks, its1
):
    """Contracts can be edited in the Django admin; ending a contract there leaves the payments
    after the new end date on contract (and the burn-down, summaries and totals with them)."""
    contract = its1
    run_import(authority, rows("15/06/2024,R1,Acme,900,,,"))
    assert Transaction.objects.get().contract == contract
    award = contract.awards.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:contracts_contract_change", args=[contract.pk])
    form = {
        "reference": "ITS1", "title": contract.title, "description": "",
        "category": hub.category.pk, "authorities": [authority.pk], "kind": contract.kind,
        "status": ContractStatus.ACTIVE, "start_date": "2024-01-01",
        "end_date": "2024-03-31",  # Ended before the payment.
        "awarded_value": "1000", "currency": contract.currency, "is_public": "on",
        "awards-TOTAL_FORMS": "1", "awards-INITIAL_FORMS": "1",
        "awards-0-id": award.pk, "awards-0-contract": contract.pk,
        "awards-0-vendor": award.vendor_id,
        "extension_options-TOTAL_FORMS": "0", "extension_options-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    contract.refresh_from_db()
    assert contract.end_date == datetime.date(2024, 3, 31)
    assert Transaction.objects.get().contract is None
    assert selectors.contract_spend(contract) is None
    assert SpendSummary.objects.get().on_contract is False


def test_deleting_a_contract_in_the_admin_takes_its_payments_off_contract(
    authority, hub, client, django_capture_on_commit_callbacks
):
    acme = VendorFactory(legal_name="Acme Ltd")
    contract = ContractFactory(
        reference="ITS2", vendors=[acme], authorities=[authority], category=hub.category,
        start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2024, 12, 31),
    )  # fmt: skip
    run_import(authority, rows("15/06/2024,R1,Acme,900,,,"))
    assert Transaction.objects.get().contract == contract
    assert SpendSummary.objects.get().on_contract is True
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:contracts_contract_delete", args=[contract.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert Transaction.objects.get().contract is None
    assert SpendSummary.objects.get().on_contract is False


@pytest.mark.parametrize("model", ["payee", "expensecode", "spendimport", "importreject"])
def test_rows_the_spend_services_keep_are_view_only_in_the_admin(authority, hub, client, model):
    """Mapping a code (or matching a payee) in the admin would leave its payments, totals and
    summaries as they were: the admin shows these rows, and refuses changes."""
    run_import(authority, rows("15/03/2024,R1,Acme,100,F1,Cleaning,", "bad,R2,Acme,5,F1,X,"))
    obj = {
        "payee": lambda: Transaction.objects.get().payee,
        "expensecode": lambda: ExpenseCode.objects.get(key="F1"),
        "spendimport": lambda: Transaction.objects.get().spend_import,
        "importreject": lambda: Transaction.objects.get().spend_import.rejects.get(),
    }[model]()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse(f"admin:spend_{model}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"category": hub.category.pk}).status_code == 403
    assert client.get(reverse(f"admin:spend_{model}_add")).status_code == 403
    assert ExpenseCode.objects.get(key="F1").category is None
    assert Transaction.objects.get().category is None
