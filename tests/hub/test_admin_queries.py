"""The admin's change pages with inlines load each inline row's related objects with the rows:
their query counts do not grow with the rows (one per award remains: Django's autocomplete
widget looks its vendor up)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import ContractDocument, ExtensionOption
from sourcing.models import HistoryKind, ProjectHistory, Stage
from tests.factories import TODAY, ContractFactory, VendorFactory
from tests.sourcing.factories import make_project

pytestmark = pytest.mark.django_db
EXERCISED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def queries(client, url) -> int:
    client.get(url)  # Warms the caches the first request fills (content types, say).
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_contracts_change_page_does_not_query_a_row_of_its_options_or_documents(
    admin_client, hub
):
    contract = ContractFactory(reference="BIG", category=hub.category)
    url = reverse("admin:contracts_contract_change", args=[contract.pk])

    def add(n):
        start = contract.extension_options.count()
        for i in range(start, start + n):
            contract.awards.create(vendor=VendorFactory(), lot=f"L{i}")
            ExtensionOption.objects.create(
                contract=contract, sequence=i + 1, length_months=12, decide_by=TODAY,
                exercised=True, exercised_at=EXERCISED, exercised_by=hub.cm,
            )  # fmt: skip
            ContractDocument.objects.create(contract=contract, title=f"d{i}", url="https://x.org")

    add(3)
    few = queries(admin_client, url)
    add(6)
    assert queries(admin_client, url) - few <= 6  # One per award (the widget), none else.


def test_a_projects_change_page_does_not_query_a_row_of_its_history(admin_client, hub):
    project = make_project(hub, stage=Stage.MOBILISATION)
    url = reverse("admin:sourcing_sourcingproject_change", args=[project.pk])

    def add(n):
        for _ in range(n):
            ProjectHistory.objects.create(
                project=project, kind=HistoryKind.PLAN, by=hub.sourcing, at=EXERCISED
            )

    add(3)
    few = queries(admin_client, url)
    add(9)
    assert queries(admin_client, url) == few


def test_every_admin_list_renders_in_each_order_it_offers(admin_client, hub):
    """Their orders were cut to indexed columns without joins (tests/hub/test_indexes.py):
    each list still opens, sorted by each column it offers."""
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
        # ?o=N sorts by the Nth column (the action checkbox counts); unsortable ones are ignored.
        for number in range(len(model_admin.list_display) + 1):
            for order in (str(number), f"-{number}"):
                assert admin_client.get(url, {"o": order}).status_code == 200, (url, order)
