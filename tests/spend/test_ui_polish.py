"""What a UI walkthrough found on the spend pages: trend charts that skipped months without
spend, negative amounts written £-1,000.00, and pages wider than a phone."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from spend import selectors
from spend.forms import SpendFilters
from spend.models import Transaction
from spend.tables import TransactionTable, money
from tests.browser.support import sign_in
from tests.factories import AuthorityFactory, ContractFactory, VendorFactory
from tests.spend.helpers import csv_bytes, run_import

pytestmark = pytest.mark.django_db

MINUS = "\u2212"


@pytest.fixture
def acme(hub):
    """A vendor on a contract, paid in January, February and April 2025 (none in March), and
    a supplier with nothing but a refund."""
    oxf = AuthorityFactory(code="oxf", name="Oxford City Council")
    vendor = VendorFactory(legal_name="Acme Printing Ltd")
    contract = ContractFactory(
        reference="ITS9", vendors=[vendor], authorities=[oxf], category=hub.category,
        start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2027, 1, 1),
        awarded_value=Decimal("10000"),
    )  # fmt: skip
    run_import(oxf, csv_bytes(
        "15/01/2025,R1,Acme Printing Ltd,100,P1,Printing",
        "15/02/2025,R2,Acme Printing Ltd,200,P1,Printing",
        "15/04/2025,R3,Acme Printing Ltd,400,P1,Printing",
        "20/04/2025,R4,Refund Traders,-1000,P1,Printing",
    ))  # fmt: skip
    return {"vendor": vendor, "contract": contract}


@pytest.fixture
def admin_client(client, hub):
    client.force_login(hub.admin)
    return client


def _chart(html: str, element_id: str) -> dict:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert found, f"no {element_id} on the page"
    return json.loads(found.group(1))


# Trend charts run month by month -------------------------------------------------------------


def test_vendor_chart_shows_a_month_without_spend_as_zero(admin_client, acme):
    html = admin_client.get(reverse("vendors:detail", args=[acme["vendor"].pk])).content.decode()
    chart = _chart(html, "vendor-spend-data")
    assert chart["labels"] == ["Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025"]
    assert chart["spend"] == [100.0, 200.0, 0.0, 400.0]


def test_contract_burn_line_stays_flat_through_a_month_without_spend(acme):
    chart = selectors.contract_spend(acme["contract"])["chart"]
    assert chart["labels"] == ["Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025"]
    assert chart["cumulative"] == [100.0, 300.0, 300.0, 700.0]


def test_dashboard_trend_shows_a_month_without_spend_as_zero(admin_client, acme):
    chart = _chart(
        admin_client.get(reverse("spend:dashboard")).content.decode(), "spend-trend-data"
    )
    assert chart["months"] == ["Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025"]
    assert chart["spend"] == [100.0, 200.0, 0.0, -600.0]
    assert chart["on_contract"] == [100.0, 200.0, 0.0, 400.0]


def test_the_month_table_and_its_export_keep_only_months_with_spend(acme):
    months = [r["month"].month for r in selectors.spend_by_month(SpendFilters())]
    assert months == [1, 2, 4]


def _months(*days: datetime.date) -> list[dict]:
    return [{"month": day, "spend": Decimal(1), "on_contract_spend": Decimal(0)} for day in days]


def test_a_gap_of_years_is_filled_month_by_month():
    chart = selectors.month_chart(_months(datetime.date(2016, 12, 1), datetime.date(2025, 1, 1)))
    assert len(chart["months"]) == 8 * 12 + 2
    assert chart["months"][:2] == ["Dec 2016", "Jan 2017"] and chart["months"][-1] == "Jan 2025"
    assert chart["spend"][1:-1] == [0.0] * (8 * 12)


def test_a_span_beyond_the_cap_is_charted_as_it_is():
    rows = _months(datetime.date(1900, 1, 1), datetime.date(2025, 1, 1))
    assert selectors.month_chart(rows)["months"] == ["Jan 1900", "Jan 2025"]


# Negative amounts -------------------------------------------------------------------------------


def test_money_puts_the_minus_before_the_pound_sign():
    assert money(Decimal("-1000")) == f"{MINUS}£1,000.00"
    assert money(Decimal("1234.5")) == "£1,234.50"
    assert money(Decimal("-0.00")) == "£0.00"


def test_payments_table_writes_a_refund_with_the_minus_first(admin_client, acme):
    html = admin_client.get(reverse("spend:transactions")).content.decode()
    assert f"{MINUS}£1,000.00" in html and "£-" not in html
    refund = TransactionTable(Transaction.objects.filter(amount__lt=0)).rows[0]
    assert refund.get_cell("amount") == f"{MINUS}£1,000.00"


def test_dashboard_writes_negative_totals_with_the_minus_first(admin_client, acme):
    html = admin_client.get(reverse("spend:dashboard")).content.decode()
    assert f"{MINUS}£300" in html  # Everything: 700 paid, 1,000 refunded.
    assert f"{MINUS}£1,000" in html  # The refund's supplier in the top suppliers.
    assert "£-" not in html


# Phone widths -------------------------------------------------------------------------------


def test_wide_tables_scroll_inside_a_responsive_wrapper(admin_client, acme):
    # The payments table scrolls by hub.css (test_pages_fit_a_phone...).
    dashboard = admin_client.get(reverse("spend:dashboard")).content.decode()
    for table_id in ("by-pillar", "by-authority", "by-category", "top-suppliers"):
        assert re.search(rf'<div class="table-responsive"><table [^>]*id="{table_id}"', dashboard)


def test_the_headline_spend_does_not_break_mid_number(admin_client, acme):
    html = admin_client.get(reverse("spend:dashboard")).content.decode()
    assert f'<div class="fs-4 text-nowrap">{MINUS}£300</div>' in html


PHONE_PAGES = (
    ("spend-dashboard", "spend:dashboard", ()),
    ("spend-payments", "spend:transactions", ()),
    ("spend-off-contract", "spend:off_contract", ()),
    ("spend-contracts", "spend:contract_burn", ()),
    ("spend-imports", "spend:imports", ()),
    ("spend-payees", "spend:payees", ()),
    ("contract-index", "contracts:index", ()),
    ("contract", "contracts:detail", ("ITS9",)),
    ("vendors", "vendors:list", ()),
    ("renewals", "sourcing:renewals", ()),
    ("savings", "sourcing:savings", ()),
    ("kpi-dashboard", "kpis:dashboard", ()),
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_phone_their_tables_scroll_inside(page, live_server, hub, acme, screenshot):
    """A walkthrough at 390 px found most list pages 430-900 px wide: the page slid under the
    header. Wide tables now scroll inside their own box (hub.css, the tables2 template)."""
    sign_in(page, live_server, hub.admin.username)
    page.set_viewport_size({"width": 390, "height": 844})
    for name, url_name, args in PHONE_PAGES:
        page.goto(live_server.url + reverse(url_name, args=args))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        screenshot(page, f"{name}-390")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_long_pager_wraps_on_a_phone(page, live_server, hub, screenshot):
    """The payments pager (page 5 of 12: first, previous, numbers, next, last) pushed the page
    to 414 px at 390, clipping "next"."""
    oxf = AuthorityFactory(code="oxf", name="Oxford City Council")
    run_import(oxf, csv_bytes(*(f"15/01/2025,R{n},Payee {n},{n},P1,Printing" for n in range(300))))
    sign_in(page, live_server, hub.admin.username)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("spend:transactions") + "?page=5")
    assert page.locator(".pagination").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "spend-payments-pager-390")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_charts_keep_their_height_on_a_phone_and_say_when_empty(
    page, live_server, hub, acme, screenshot
):
    """At 390 px the charts kept their desktop aspect ratio: about 20 px of plot. An empty
    selection drew axes of "£1, £1 ... £0" instead of saying there was nothing."""
    sign_in(page, live_server, hub.admin.username)
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (
        reverse("spend:dashboard"),
        reverse("contracts:detail", args=["ITS9"]),
        reverse("vendors:detail", args=[acme["vendor"].pk]),
    ):
        page.goto(live_server.url + url)
        height = page.evaluate("document.querySelector('.chart-box canvas').clientHeight")
        assert height >= 180, (url, height)
    screenshot(page, "vendor-chart-390")
    page.goto(
        live_server.url + reverse("spend:dashboard") + "?date_from=2020-01-01&date_to=2020-02-29"
    )
    assert page.locator(".chart-empty").inner_text() == "No payments in this selection."
    assert page.locator("#spend-trend").count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_header_is_one_line_on_a_laptop(page, live_server, hub, screenshot):
    sign_in(page, live_server, hub.admin.username)  # An administrator has the most links.
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(live_server.url + reverse("spend:dashboard"))
    assert not page.locator(".navbar-toggler").is_visible()
    assert page.locator("#main-nav .nav-link", has_text="Sign out").is_visible()
    assert page.evaluate("document.querySelector('nav.navbar').offsetHeight") < 70
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot(page, "spend-dashboard-1366")
