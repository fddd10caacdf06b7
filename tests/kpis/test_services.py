import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kpis import selectors, services
from kpis.models import ActionStatus, KpiResult, Rating, Review, ReviewState
from tests.factories import ContractFactory, VendorFactory

from .conftest import log_review

d = datetime.date


def test_contract_kpi_add_validates_threshold_direction(contract):
    with pytest.raises(ValidationError, match="approaching"):
        services.contract_kpi_add(contract=contract, name="Bad", target=95, approaching=99)
    with pytest.raises(ValidationError):
        services.contract_kpi_add(
            contract=contract, name="Bad too", target=2, approaching=1, higher_is_better=False
        )


def test_threshold_direction_is_a_database_constraint(contract):
    kpi = services.contract_kpi_add(contract=contract, name="Fine", target=95, approaching=90)
    kpi.approaching = Decimal("99")
    with pytest.raises(IntegrityError), transaction.atomic():
        kpi.save()


def test_kpi_names_are_unique_per_contract(contract, kpis):
    with pytest.raises(ValidationError):
        services.contract_kpi_add(contract=contract, name="On-time delivery", target=1)


def test_copy_from_templates_skips_existing_names(hub, contract, kpis):
    services.kpi_template_add(category=hub.category, name="On-time delivery", target=90)
    services.kpi_template_add(
        category=hub.category,
        name="Social value commitments delivered",
        unit="%",
        target=100,
        approaching=80,
    )
    added = services.contract_kpis_from_templates(
        contract=contract, templates=hub.category.kpi_templates.all()
    )
    assert [k.name for k in added] == ["Social value commitments delivered"]
    assert added[0].template is not None


def test_results_get_suggested_ratings_unless_overridden(hub, contract, vendor, kpis):
    on_time, invoices, complaints = kpis
    review = services.review_create(
        contract=contract,
        vendor=vendor,
        fields={"period_start": d(2026, 7, 1), "period_end": d(2026, 9, 30)},
        results=[
            {"kpi": on_time, "value": Decimal("92")},
            {"kpi": invoices, "value": Decimal("99"), "rating": Rating.APPROACHING},
            {"kpi": complaints, "value": Decimal("7")},
        ],
        by=hub.cm,
    )
    results = {r.kpi.name: r for r in review.results.select_related("kpi")}
    assert results["On-time delivery"].rating == Rating.APPROACHING
    assert results["Invoice accuracy"].suggested_rating == Rating.GOOD
    assert results["Invoice accuracy"].rating == Rating.APPROACHING
    assert results["Complaints per quarter"].rating == Rating.INADEQUATE
    assert results["Complaints per quarter"].score == 1


def test_submit_refreshes_the_schedule(hub, contract, vendor, kpis):
    assert contract.review_schedule.next_due == d(2025, 3, 31)
    log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {kpis[0]: 96})
    contract.review_schedule.refresh_from_db()
    assert contract.review_schedule.next_due == d(2026, 12, 31)
    assert contract.review_schedule.latest_rating == Rating.GOOD
    assert selectors.next_review_due_dates() == {contract.pk: d(2026, 12, 31)}
    assert selectors.next_review_due_dates([contract.pk + 999]) == {}


def test_next_review_due_dates_skips_ended_contracts(hub, contract):
    ended = ContractFactory(
        category=hub.category, start_date=d(2024, 1, 1), end_date=d(2025, 1, 1), status="expired"
    )
    services.schedule_set(contract=ended, frequency="annual")
    assert set(selectors.next_review_due_dates()) == {contract.pk}


def test_drafts_do_not_move_the_schedule(hub, contract, vendor, kpis):
    log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {}, submit=False)
    contract.review_schedule.refresh_from_db()
    assert contract.review_schedule.next_due == d(2025, 3, 31)


def test_overlapping_period_is_refused(hub, contract, vendor, kpis):
    log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {})
    with pytest.raises(ValidationError, match="overlaps"):
        log_review(contract, vendor, hub.cm, d(2026, 9, 1), d(2026, 11, 30), {})
    # Another vendor on the same contract may have its own review of the period.
    other = VendorFactory()
    contract.awards.create(vendor=other)
    log_review(contract, other, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {})


def test_expired_contract_beyond_grace_is_refused(hub, vendor, settings):
    settings.HUB_KPI_REVIEW_GRACE_DAYS = 90
    old = ContractFactory(
        category=hub.category, vendors=[vendor], start_date=d(2024, 1, 1), end_date=d(2026, 6, 30)
    )
    with pytest.raises(ValidationError, match="90 days"):
        log_review(old, vendor, hub.cm, d(2026, 4, 1), d(2026, 6, 30), {})
    settings.HUB_KPI_REVIEW_GRACE_DAYS = 200
    log_review(old, vendor, hub.cm, d(2026, 4, 1), d(2026, 6, 30), {})


def test_vendor_without_award_is_refused(hub, contract):
    with pytest.raises(ValidationError, match="no award"):
        log_review(contract, VendorFactory(), hub.cm, d(2026, 7, 1), d(2026, 9, 30), {})


def test_submitted_review_is_immutable(hub, contract, vendor, kpis):
    review = log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {kpis[0]: 96})
    with pytest.raises(services.ReviewLocked):
        services.review_update(
            review=review, fields={"narrative": "x"}, results=[], actions=[], by=hub.cm
        )
    with pytest.raises(services.ReviewLocked):
        services.review_submit(review=review, by=hub.cm)
    with pytest.raises(services.ReviewLocked):
        services.review_delete_draft(review=review)


def test_submit_needs_an_overall_rating(hub, contract, vendor):
    review = log_review(
        contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {}, rating="", submit=False
    )
    with pytest.raises(ValidationError, match="overall rating"):
        services.review_submit(review=review, by=hub.cm)


def test_amendment_keeps_history(hub, contract, vendor, kpis):
    original = log_review(
        contract,
        vendor,
        hub.cm,
        d(2026, 7, 1),
        d(2026, 9, 30),
        {kpis[0]: 80},
        rating=Rating.INADEQUATE,
    )
    amendment = services.review_amend(review=original, by=hub.cm)
    assert amendment.is_draft and amendment.amends == original
    assert services.review_amend(review=original, by=hub.cm) == amendment  # one draft at a time
    services.review_update(
        review=amendment,
        fields={"overall_rating": Rating.APPROACHING},
        results=[{"kpi": kpis[0], "value": Decimal("92")}],
        actions=[],
        by=hub.cm,
    )
    services.review_submit(review=amendment, by=hub.cm)
    original.refresh_from_db()
    amendment.refresh_from_db()
    assert original.state == ReviewState.AMENDED
    assert original.results.get().value == Decimal("80")  # history untouched
    assert amendment.state == ReviewState.SUBMITTED
    assert KpiResult.objects.filter(is_current=True).get().review == amendment
    contract.review_schedule.refresh_from_db()
    assert contract.review_schedule.latest_rating == Rating.APPROACHING
    assert Review.objects.filter(contract=contract).count() == 2


def test_one_current_review_per_period_is_a_database_constraint(hub, contract, vendor):
    review = log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {})
    review.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        review.save()


def test_sign_off_only_after_submit(hub, contract, vendor):
    draft = log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {}, submit=False)
    with pytest.raises(services.ReviewLocked):
        services.review_sign_off(review=draft, by=hub.head)
    services.review_submit(review=draft, by=hub.cm)
    signed = services.review_sign_off(review=draft, by=hub.head)
    assert signed.state == ReviewState.SIGNED_OFF and signed.signed_off_by == hub.head


def test_actions_are_open_done_or_overdue(hub, contract, vendor, today):
    day = datetime.timedelta(days=1)
    review = services.review_create(
        contract=contract,
        vendor=vendor,
        fields={"period_start": d(2026, 7, 1), "period_end": d(2026, 9, 30)},
        actions=[
            {"description": "Send recovery plan", "owner": hub.cm, "due_date": today - day},
            {"description": "Audit invoices", "owner": hub.cm, "due_date": today + 5 * day},
        ],
        by=hub.cm,
    )
    late, later = review.actions.order_by("due_date")
    assert late.display_status(today) == "overdue"
    assert later.display_status(today) == "open"
    services.action_complete(action=late, by=hub.cm)
    late.refresh_from_db()
    assert late.status == ActionStatus.DONE and late.display_status(today) == "done"


def test_poor_twice_in_a_row_is_per_vendor_on_a_framework(hub):
    """Found by review: the flag read the contract's two latest reviews, whichever vendors they
    rated, so a framework supplier failing two quarters running went unflagged beside a good
    one, and two suppliers each poor once were flagged."""
    acme, bolt = VendorFactory(), VendorFactory()
    framework = ContractFactory(
        category=hub.category, vendors=[acme, bolt],
        start_date=d(2026, 1, 1), end_date=d(2028, 12, 31),
    )  # fmt: skip
    services.schedule_set(contract=framework, frequency="quarterly")

    def review(vendor, quarter, rating):
        start, end = [(d(2026, 4, 1), d(2026, 6, 30)), (d(2026, 7, 1), d(2026, 9, 30))][quarter]
        log_review(framework, vendor, hub.cm, start, end, {}, rating=rating)

    review(acme, 0, "inadequate")
    review(bolt, 0, "requires_improvement")
    assert selectors.dashboard().poor_twice == []  # Two vendors, each poor once.
    review(acme, 1, "inadequate")
    review(bolt, 1, "good")
    assert [s.contract_id for s in selectors.dashboard().poor_twice] == [framework.pk]


def test_poor_twice_in_a_row_and_publication_gap_on_dashboard(hub, contract, vendor, kpis):
    contract.awarded_value = Decimal("6000000")
    contract.save()
    log_review(contract, vendor, hub.cm, d(2025, 1, 1), d(2025, 3, 31), {}, rating="inadequate")
    board = selectors.dashboard()
    assert [c.pk for c in board.publication_gaps] == [contract.pk]
    assert board.poor_twice == []
    log_review(
        contract, vendor, hub.cm, d(2025, 4, 1), d(2025, 6, 30), {}, rating="requires_improvement"
    )
    board = selectors.dashboard()
    assert [s.contract_id for s in board.poor_twice] == [contract.pk]
    assert board.overdue_count == 1  # next due 30 Sep 2025, before today
    log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {}, rating="good")
    board = selectors.dashboard()
    assert board.publication_gaps == [] and board.poor_twice == []
    assert {v: n for _label, v, n in board.distribution}["good"] == 1
    q3 = selectors.dashboard(period=selectors.quarter_range("2025-Q2"))
    assert {v: n for _label, v, n in q3.distribution}["requires_improvement"] == 1
    assert selectors.dashboard(category=hub.other_category).overdue_count == 0


def test_vendor_scorecard_weights_scores_and_finds_worst_kpis(hub, contract, vendor, kpis):
    on_time, invoices, complaints = kpis  # weights 3, 1, 1
    log_review(
        contract,
        vendor,
        hub.cm,
        d(2026, 4, 1),
        d(2026, 6, 30),
        {on_time: 96, invoices: 99, complaints: 9},
    )
    card = selectors.vendor_scorecard(vendor)
    # Good (4) ×3, Good (4) ×1, Inadequate (1) ×1 → 17 / 5
    assert card.trend == [{"period": "2026 Q2", "weighted": 3.4, "results": 3}]
    assert card.worst_kpis[0]["kpi_name"] == "Complaints per quarter"
    assert card.contract_count == 1
    # A second contract rated Inadequate comes first in the worst-first list.
    other = ContractFactory(category=hub.category, vendors=[vendor], start_date=d(2025, 1, 1))
    log_review(other, vendor, hub.cm, d(2026, 4, 1), d(2026, 6, 30), {}, rating="inadequate")
    card = selectors.vendor_scorecard(vendor)
    assert [r.contract for r in card.latest_reviews] == [other, contract]
    assert card.rating_counts == {"Good": 1, "Inadequate": 1}


def test_schedules_follow_their_contracts_category_and_end(hub, contract, vendor, kpis):
    from django.core.management import call_command

    from kpis.models import ReviewSchedule

    schedule = ReviewSchedule.objects.get(contract=contract)
    assert (schedule.category, schedule.live_until) == (hub.category, d(2027, 12, 31))
    assert selectors.dashboard(category=hub.category).overdue_count == 1
    # The contract is terminated and moved outside the KPI services: the daily sync catches up.
    Contract = type(contract)
    Contract.objects.filter(pk=contract.pk).update(status="terminated", category=hub.other_category)
    call_command("kpi_sync_schedules", stdout=__import__("io").StringIO())
    schedule.refresh_from_db()
    assert schedule.category == hub.other_category and schedule.live_until == datetime.date.min
    assert selectors.dashboard().overdue_count == 0
    Contract.objects.filter(pk=contract.pk).update(status="planned", end_date=None)
    from kpis.tasks import sync_review_schedules

    assert sync_review_schedules() == 1
    schedule.refresh_from_db()
    assert schedule.live_until == datetime.date.max
    assert selectors.dashboard(category=hub.other_category).overdue_count == 1
