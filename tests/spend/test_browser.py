"""The import journey in Chromium: a file whose dates were lost is uploaded, its preview warns
and offers the period end of its name, and the Import button says it is working (it cannot be
pressed twice) until the import is done."""

import pytest
from django.urls import reverse

from spend.models import ImportStatus, SpendImport, Transaction
from tests.browser.support import sign_in
from tests.factories import AuthorityFactory
from tests.spend.helpers import csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_undated_quarter_imports_in_one_click_and_the_button_waits(
    page, live_server, hub, screenshot, tmp_path
):
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    path = tmp_path / "expenditure-apr-jun-2014.csv"
    path.write_bytes(csv_bytes(*(f"00:00:00,R{n},Acme Ltd,{n}00,P1,Printing" for n in range(1, 6))))
    sign_in(page, live_server, hub.admin.username)
    page.goto(live_server.url + reverse("spend:import_new"))
    page.select_option("#id_authority", str(authority.pk))
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#undated")
    assert "5 of the rows above have no date" in page.inner_text("#undated")
    assert page.input_value("#id_undated_as") == "2014-06-30"
    screenshot(page, "spend-undated-preview")

    # The first press, kept from leaving (a listener after hub.js's cancels the navigation):
    # the button says it is working and cannot be pressed again.
    page.evaluate(
        "window.addEventListener('submit', event => event.preventDefault(), {once: true})"
    )
    page.click("#mapping-form button[type=submit]")
    page.wait_for_function(
        "(b => b.disabled && b.textContent.startsWith('Importing…'))"
        "(document.querySelector('#mapping-form button[type=submit]'))"
    )
    assert SpendImport.objects.get().status == ImportStatus.PREVIEW  # Nothing sent yet.
    page.reload()
    page.click("#mapping-form button[type=submit]")
    page.wait_for_selector("#undated-rows")
    assert "Dated 30 Jun 2014 (their file gave no date): 5" in page.inner_text("#undated-rows")
    screenshot(page, "spend-undated-imported")
    imp = SpendImport.objects.get()
    assert (imp.imported_rows, imp.undated_rows) == (5, 5)
    assert Transaction.objects.filter(date_assumed=True).count() == 5
