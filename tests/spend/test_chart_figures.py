"""The spend charts' figures are on the page as tables (WCAG 1.1.1): the dashboard's months,
and a vendor's spend by month."""

import pytest
from django.urls import reverse

from tests.html_index import Index, table_rows
from tests.spend.helpers import csv_bytes, run_import

pytestmark = pytest.mark.django_db(transaction=True)


def _table(html: str, caption: str) -> list[list[str]]:
    return table_rows(next(t for t in Index(html).find("table") if caption in t["text"]))


def test_the_dashboards_months_are_in_a_table(client, hub, authority):
    run_import(authority, csv_bytes(
        "01/02/2024,R1,Acme,1200,E1,Stationery",
        "03/04/2024,R2,Acme,300.40,E1,Stationery",
    ))  # fmt: skip
    client.force_login(hub.admin)
    rows = _table(client.get(reverse("spend:dashboard")).content.decode(), "Spend by month")
    assert rows == [
        ["Month", "Spend", "On contract"],
        ["Feb 2024", "£1,200", "£0"],
        ["Mar 2024", "£0", "£0"],  # A month without spend is a row, as on the chart.
        ["Apr 2024", "£300", "£0"],
    ]
