"""A project crosses the board to award in headless Chromium, and the handover is accepted."""

import pytest

from contracts.models import ContractStatus
from sourcing.models import HandoverItemKind, SourcingProject, Stage
from tests.browser.support import sign_in
from tests.factories import ContractFactory, VendorFactory
from tests.sourcing.factories import make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTENT = {
    HandoverItemKind.KPIS: "On-time delivery | 95 | %",
    HandoverItemKind.USER_GUIDE: "How to buy: Order through the portal",
    HandoverItemKind.RISKS: "Capacity at go-live: phased start",
    HandoverItemKind.MOBILISATION: "Kick-off in week one",
    HandoverItemKind.CONTACTS: "Jo Smith | Account manager",
    HandoverItemKind.DOCUMENTS: "Signed contract | https://docs.example.gov.uk/c.pdf",
}


def _board_next(tab, project):
    card = tab.locator(f"#project-{project.pk}")
    with tab.expect_response(lambda r: "/move/" in r.url):
        card.locator("button.move-next").click()


def test_project_moves_across_board_to_award_and_handover_is_accepted(
    page,
    live_server,
    hub,
    screenshot,
    monkeypatch,
):
    from sourcing import services

    monkeypatch.setattr(services, "_move_followers", lambda **kw: None)
    monkeypatch.setattr(services, "_contract_kpi_add", lambda **kw: None)
    VendorFactory(legal_name="Acme Fleet Ltd")
    predecessor = ContractFactory(reference="FLT1", title="Fleet hire", category=hub.category)
    project = make_project(hub, title="Fleet hire re-procurement", predecessor=predecessor)

    sign_in(page, live_server, hub.sourcing.username)
    make_project(hub, title="Unrelated new service")
    page.goto(f"{live_server.url}/sourcing/")
    with page.expect_response(lambda r: "kind=reprocurement" in r.url):
        page.select_option("#id_kind", "reprocurement")  # htmx swaps the board in place
    page.locator("#board", has_text="Unrelated new service").wait_for(state="detached")
    assert page.locator("#board").count() == 1
    assert "kind=reprocurement" in page.url
    for stage in range(2, Stage.AWARD_DECISION + 1):
        _board_next(page, project)
        column = page.locator(f"[data-drop-stage='{stage}']")
        column.locator(f"#project-{project.pk}").wait_for()
    screenshot(page, "sourcing-board-at-award")
    page.locator(f"#project-{project.pk} a", has_text="Award").click()
    page.fill("#id_reference", "FLT2")
    page.fill("#id_start_date", "2027-01-01")
    page.fill("#id_end_date", "2029-12-31")
    page.fill("#id_max_end_date", "2030-12-31")
    page.fill("#id_baseline_cost", "1000000")
    page.fill("#id_awarded_cost", "920000")
    page.fill("#id_cashable_percent", "75")
    page.fill("#id_awards-0-vendor", "Acme Fleet Ltd")
    page.fill("#id_awards-0-value", "920000")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{project.get_absolute_url()}")
    page.goto(f"{live_server.url}/sourcing/")
    _board_next(page, project)
    _board_next(page, project)
    page.locator(f"[data-drop-stage='8'] #project-{project.pk}").wait_for()
    page.locator(f"#project-{project.pk} a", has_text="Handover").click()
    for kind, text in CONTENT.items():
        section = page.locator(f"#item-{kind}")
        section.locator("textarea").fill(text)
        section.locator("button", has_text="Save draft").click()
        page.locator(f"#item-{kind} .badge", has_text="Awaiting acceptance").wait_for()
    handover_url = page.url

    page.context.clear_cookies()
    sign_in(page, live_server, hub.cm.username)
    page.goto(handover_url)
    for kind in CONTENT:
        page.locator(f"#item-{kind} button.accept-item").click()
        page.locator(f"#item-{kind} .badge", has_text="Accepted").wait_for()
    page.click("#accept-handover")
    page.wait_for_url("**/contracts/FLT2/")
    page.locator("#lineage-predecessor", has_text="FLT1").wait_for()
    screenshot(page, "sourcing-handover-accepted")

    project = SourcingProject.objects.get(pk=project.pk)
    predecessor.refresh_from_db()
    assert project.stage == Stage.COMPLETE
    assert project.contract.status == ContractStatus.ACTIVE
    assert predecessor.status == ContractStatus.SUPERSEDED


def test_the_board_fits_the_window_so_its_last_stages_can_be_reached(
    page, live_server, hub, screenshot
):
    """At 1366 x 900 stages 7-9 start past the window's edge, and the board's one sideways
    scrollbar lay at its foot, 4,000 px down (found by review). Columns scroll their cards."""
    for n in range(20):
        make_project(hub, title=f"Project {n}")
    sign_in(page, live_server, hub.sourcing.username)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/sourcing/")
    board = page.evaluate("document.getElementById('board').getBoundingClientRect().bottom")
    assert board <= 900
    assert page.evaluate("document.getElementById('board').scrollWidth") > 1366  # Sideways.
    screenshot(page, "sourcing-board-1366")


def test_moving_a_card_by_keyboard_keeps_focus_on_it_and_says_so(page, live_server, hub):
    """(From an accessibility audit: the board was replaced and focus fell to the page.)"""
    project = make_project(hub, title="Grounds maintenance")
    sign_in(page, live_server, hub.sourcing.username)
    page.goto(f"{live_server.url}/sourcing/")
    page.locator(f"#project-{project.pk} button.move-next").focus()
    with page.expect_response(lambda r: "/move/" in r.url):
        page.keyboard.press("Enter")
    page.locator(f"[data-drop-stage='2'] #project-{project.pk}").wait_for()
    page.wait_for_function("document.getElementById('board-status').textContent.length > 0")
    assert (
        page.inner_text("#board-status")
        == "Moved “Grounds maintenance” to stage 2: Market engagement."
    )
    focused = page.evaluate(
        "document.activeElement.closest('article') && document.activeElement.closest('article').id"
    )
    assert focused == f"project-{project.pk}"
    assert page.locator("#board").get_attribute("aria-live") is None
