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
}


@pytest.mark.parametrize("role", sorted(PAGES))
def test_main_pages_have_no_serious_accessibility_violations(page, live_server, hub, world, role):
    sign_in(page, live_server, getattr(hub, role).username)
    found = {}
    for url in PAGES[role]:
        page.goto(live_server.url + url)
        if problems := violations(page):
            found[url] = problems
    assert found == {}
