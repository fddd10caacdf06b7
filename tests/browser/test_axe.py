"""axe-core (vendored in tests/browser/vendor, MPL-2.0) on the hub's main pages in Chromium:
no serious or critical WCAG 2.x A/AA violation. The first run found the header's contrast
(2.4:1 on every page), unlabelled controls and links too light on tinted rows."""

from pathlib import Path

import pytest

from notifications.models import Kind, Notification, SubjectType
from tests.browser.support import sign_in
from tests.factories import ContractFactory, VendorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", RULES
    )
    return [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])}× e.g. {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def world(hub):
    vendor = VendorFactory(legal_name="Acme Print Solutions Ltd")
    contract = ContractFactory(
        reference="ITS75", title="Managed print", category=hub.category, vendors=[vendor]
    )
    Notification.objects.create(  # An unread row in the inbox: a tinted background.
        recipient=hub.cm, contract=contract, subject_type=SubjectType.CONTRACT,
        subject_id=contract.pk, kind=Kind.EXPIRY, threshold="t", due_date=contract.end_date,
        title="ITS75 expires in 90 days", body="Body.",
    )  # fmt: skip
    return contract


PAGES = {
    "buyer": ["/", "/contracts/", "/contracts/?q=print&sort=-awarded_value", "/vendors/"],
    "cm": ["/contracts/ITS75/", "/kpis/", "/notifications/", "/notifications/preferences/"],
    "sourcing": ["/sourcing/", "/sourcing/projects/", "/sourcing/projects/new/"],
    "admin": ["/spend/", "/spend/imports/new/", "/kpis/dashboard/"],
    # Spend with a file imported (the spend_world fixture): the pages a spend analyst works in.
    "spend": [
        "/spend/",
        "/spend/payments/",
        "/spend/off-contract/",
        "/spend/contracts/",
        "/spend/imports/",
        "/spend/payees/",
        "/spend/expense-codes/",
    ],
}


@pytest.fixture
def spend_world(world):
    import io

    from spend import services
    from spend.models import Transaction
    from tests.factories import AuthorityFactory
    from tests.spend.helpers import csv_bytes, run_import

    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    done = run_import(authority, csv_bytes(
        "01/02/2026,R1,Acme Print Solutions Ltd,1200,E1,Printing",
        "03/03/2026,R2,Unknown Supplier Ltd,9800,E2,Consultancy",
        "bad,R3,Someone,1,E2,Consultancy",
    ))  # fmt: skip
    preview = services.import_create(  # Left at its preview: the mapping form.
        authority=authority,
        fileobj=io.BytesIO(csv_bytes("01/04/2026,R9,Acme Print Solutions Ltd,50,E1,Printing")),
        file_name="spend-apr-2026.csv",
    )
    payment = Transaction.objects.filter(spend_import=done).first()
    return [
        f"/spend/imports/{done.pk}/",
        f"/spend/imports/{preview.pk}/",
        f"/spend/payments/{payment.pk}/",
    ]


@pytest.mark.parametrize("role", sorted(PAGES))
def test_main_pages_have_no_serious_accessibility_violations(
    page, live_server, hub, world, role, request
):
    user = hub.admin if role == "spend" else getattr(hub, role)
    urls = PAGES[role]
    if role == "spend":
        urls = [*urls, *request.getfixturevalue("spend_world")]
    sign_in(page, live_server, user.username)
    found = {}
    for url in urls:
        assert page.goto(live_server.url + url).ok, url
        if problems := violations(page):
            found[url] = problems
    assert found == {}
