"""Two journeys of the foundation, in a real browser."""

import csv
import io
from pathlib import Path

import pytest

from tests.browser.support import sign_in
from tests.factories import ContractFactory, VendorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contracts(hub):
    acme = VendorFactory(legal_name="Acme Print Solutions Ltd")
    zenith = VendorFactory(legal_name="Zenith Cleaning Services")
    ContractFactory(
        reference="ITS75", title="Managed print service", category=hub.category, vendors=[acme]
    )
    ContractFactory(
        reference="ITS76", title="Print room consumables", category=hub.category, vendors=[acme]
    )
    ContractFactory(
        reference="FAC115", title="Office cleaning", category=hub.other_category, vendors=[zenith]
    )
    for n in range(12):
        ContractFactory(
            reference=f"ITS{100 + n}", title=f"Software licence {n}", category=hub.category
        )
    return acme


def test_buyer_types_a_vendor_name_and_reaches_the_managers_phone(
    page, live_server, hub, contracts, screenshot
):
    sign_in(page, live_server, hub.buyer.username)
    page.fill("#lookup-q", "zenith")  # htmx answers as the buyer types.
    card = page.locator(".answer-card[data-reference=FAC115]")
    card.wait_for()
    phone = card.locator(".contact-phone").first
    assert hub.other_cm.profile.work_phone in phone.inner_text()
    assert phone.get_attribute("href") == "tel:" + hub.other_cm.profile.work_phone.replace(" ", "")
    screenshot(page, "lookup-answer")


def test_filter_then_export_gives_exactly_the_filtered_rows(
    page, live_server, hub, contracts, screenshot
):
    sign_in(page, live_server, hub.buyer.username)
    page.goto(f"{live_server.url}/contracts/")
    page.select_option("#id_category", str(hub.category.pk))
    page.wait_for_url("**category=*")
    page.fill("#id_vendor_name", "acme")
    page.locator("[data-vendor-choice]").first.click()  # autocomplete suggestion
    page.wait_for_url(f"**vendor={contracts.pk}*")
    page.locator("#result-count", has_text="2 contracts").wait_for()
    screenshot(page, "index-filtered")
    with page.expect_download() as download_info:
        page.click("#export-csv")
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["Reference"] for r in rows) == ["ITS75", "ITS76"]


def test_the_vendor_autocomplete_works_from_the_keyboard(page, live_server, hub, contracts):
    """An ARIA combobox (found missing in an accessibility audit): the list is announced, arrow
    keys move through it, Enter takes a vendor and focus stays in the field; typing never
    pushes the suggestions' address into the browser history."""
    sign_in(page, live_server, hub.buyer.username)
    page.goto(f"{live_server.url}/contracts/")
    field = page.locator("#id_vendor_name")
    field.click()
    field.press_sequentially("acme", delay=30)
    page.locator("[data-vendor-choice]").first.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    assert "1 vendor found" in page.inner_text("[data-autocomplete-status]")
    assert "/vendors/autocomplete" not in page.url
    field.press("ArrowDown")
    active = page.locator("[data-vendor-choice].active")
    assert field.get_attribute("aria-activedescendant") == active.get_attribute("id")
    field.press("Enter")
    page.wait_for_url(f"**vendor={contracts.pk}*")
    page.locator("#result-count", has_text="2 contracts").wait_for()
    assert page.evaluate("document.activeElement.id") == "id_vendor_name"
    assert field.get_attribute("aria-expanded") == "false"
    field.fill("")
    field.press_sequentially("zen", delay=30)
    page.locator("[data-vendor-choice]").first.wait_for()
    field.press("Escape")
    assert page.locator("[data-vendor-choice]").count() == 0
