"""A contract manager logs a quarterly review in a real browser; the trend chart gains a point."""

import datetime

import pytest

from tests.browser.support import sign_in

from .conftest import log_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_contract_manager_logs_a_quarterly_review_and_sees_it_on_the_trend_chart(
    page,
    live_server,
    hub,
    contract,
    vendor,
    kpis,
    screenshot,
):
    log_review(
        contract, vendor, hub.cm, datetime.date(2026, 4, 1), datetime.date(2026, 6, 30),
        {kpis[0]: 91, kpis[1]: 97, kpis[2]: 3}, rating="approaching",
    )  # fmt: skip
    sign_in(page, live_server, hub.cm.username)
    page.goto(f"{live_server.url}/kpis/contracts/{contract.reference}/")
    page.click("text=Log a review")
    page.fill("#id_period_start", "2026-07-01")
    page.fill("#id_period_end", "2026-09-30")
    page.fill("#id_meeting_date", "2026-10-08")
    page.fill("#id_attendees", "Contract manager; Acme account manager")
    values = {kpis[0]: "97.5", kpis[1]: "99", kpis[2]: "1"}
    for kpi, value in values.items():
        page.fill(f"#id_value_{kpi.pk}", value)
    page.select_option("#id_overall_rating", "good")
    page.fill("#id_narrative", "Recovered after the spring dip.")
    page.click("button[name=submit][value='1']")
    page.wait_for_selector("#state")
    assert page.inner_text("#state") == "Submitted"

    page.goto(f"{live_server.url}/kpis/contracts/{contract.reference}/")
    canvas = page.locator(f'[data-kpi-chart="{kpis[0].pk}"]')
    canvas.wait_for()
    page.wait_for_function(
        f'document.querySelector(\'[data-kpi-chart="{kpis[0].pk}"]\').dataset.points === "2"'
    )
    points = page.evaluate(
        f"document.querySelector('[data-kpi-chart=\"{kpis[0].pk}\"]').chart.data.datasets[0].data"
    )
    assert points == [91, 97.5]
    assert "Good" in page.inner_text("#latest")
    screenshot(page, "kpi-contract-scorecard")


def test_deleting_a_draft_asks_first_and_a_no_keeps_it(page, live_server, hub, contract, vendor):
    from kpis.models import Review

    draft = log_review(
        contract, vendor, hub.cm, datetime.date(2026, 7, 1), datetime.date(2026, 9, 30), {},
        submit=False,
    )  # fmt: skip
    sign_in(page, live_server, hub.cm.username)
    page.goto(f"{live_server.url}/kpis/reviews/{draft.pk}/")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.click("text=Delete draft")
    page.wait_for_timeout(300)
    assert questions == ["Delete this draft review? What it holds cannot be recovered."]
    assert Review.objects.filter(pk=draft.pk).exists()
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.click("text=Delete draft")
    page.wait_for_selector("text=Draft deleted.")
    assert not Review.objects.filter(pk=draft.pk).exists()
