"""A KPI trend chart's figures are on the page as a table (WCAG 1.1.1; the hidden table beside
each chart held only the period dates)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.html_index import Index, table_rows

from .conftest import log_review

pytestmark = pytest.mark.django_db


def test_the_trend_charts_figures_are_in_a_table(client, hub, contract, vendor, kpis):
    on_time = kpis[0]
    log_review(contract, vendor, hub.cm, datetime.date(2025, 1, 1), datetime.date(2025, 3, 31),
               {on_time: Decimal("93.5")})  # fmt: skip
    log_review(contract, vendor, hub.cm, datetime.date(2025, 4, 1), datetime.date(2025, 6, 30),
               {on_time: Decimal("97.25")})  # fmt: skip
    client.force_login(hub.cm)
    url = reverse("kpis:contract_scorecard", args=[contract.reference])
    index = Index(client.get(url).content.decode())
    figure = next(f for f in index.find("figure") if on_time.name in f["text"])
    table = next(e for e in index.elements if e["tag"] == "table" and e in _walk(figure))
    assert table_rows(table) == [
        ["Period ending", vendor.legal_name, "Target"],
        ["31 Mar 2025", "93.5", "95"],
        ["30 Jun 2025", "97.25", "95"],
    ]


def _walk(el):
    for child in el["children"]:
        yield child
        yield from _walk(child)
