import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contracts.models import ContractStatus
from contracts.terms import extended_end
from notifications.models import Follow, Kind, Notification
from sourcing import selectors, services
from sourcing.models import (
    DecisionKind,
    HandoverItemKind,
    HistoryKind,
    ProjectStage,
    ProjectStatus,
    Rag,
    RenewalDecision,
    SourcingProject,
    Stage,
)
from tests.factories import TODAY, ContractFactory
from tests.sourcing.factories import award, extendable_contract, make_project

pytestmark = pytest.mark.django_db


def stage_row(project, stage):
    return ProjectStage.objects.get(project=project, stage=stage)


# --- Stage moves and history ----------------------------------------------------------------


def test_new_project_is_planned_stage_by_stage_from_today(hub):
    project = make_project(hub)
    rows = list(project.stages.order_by("stage"))
    assert [r.stage for r in rows] == list(range(1, 10))
    assert rows[0].target_entry == TODAY and rows[0].actual_entry == TODAY
    for earlier, later in itertools.pairwise(rows):
        assert later.target_entry == earlier.target_exit
    assert project.history.get().kind == HistoryKind.CREATED


def test_forward_move_closes_current_stage_and_records_history(hub):
    project = make_project(hub)
    project = services.project_move(
        project=project, to_stage=Stage.STRATEGY_APPROVED, by=hub.sourcing
    )
    assert project.stage == Stage.STRATEGY_APPROVED
    assert stage_row(project, 1).actual_exit == TODAY
    skipped = stage_row(project, 2)
    assert skipped.actual_entry is None and skipped.actual_exit is None
    assert stage_row(project, 3).actual_entry == TODAY
    move = project.history.filter(kind=HistoryKind.MOVED).get()
    assert (move.from_stage, move.to_stage, move.by) == (1, 3, hub.sourcing)


def test_backward_move_reopens_stage_and_clears_later_actuals(hub):
    project = make_project(hub, stage=Stage.EVALUATION)
    project = services.project_move(
        project=project, to_stage=Stage.TENDER_PUBLISHED, by=hub.sourcing
    )
    assert stage_row(project, 4).actual_exit is None
    assert stage_row(project, 5).actual_entry is None


def test_cannot_move_past_award_without_award(hub):
    project = make_project(hub, stage=Stage.AWARD_DECISION)
    with pytest.raises(ValidationError, match="award"):
        services.project_move(project=project, to_stage=Stage.CONTRACT_SIGNED, by=hub.sourcing)


def test_cannot_move_to_complete_by_hand(hub):
    project = make_project(hub)
    with pytest.raises(ValidationError):
        services.project_move(project=project, to_stage=Stage.COMPLETE, by=hub.sourcing)


def test_hold_needs_reason_and_blocks_moves_until_resumed(hub):
    project = make_project(hub)
    with pytest.raises(ValidationError):
        services.project_hold(project=project, reason="  ", by=hub.sourcing)
    project = services.project_hold(project=project, reason="Budget freeze", by=hub.sourcing)
    assert project.status == ProjectStatus.ON_HOLD and project.status_reason == "Budget freeze"
    with pytest.raises(ValidationError):
        services.project_move(project=project, to_stage=2, by=hub.sourcing)
    project = services.project_resume(project=project, by=hub.sourcing)
    assert project.status == ProjectStatus.ACTIVE and project.status_reason == ""
    kinds = list(project.history.values_list("kind", flat=True))
    assert HistoryKind.HELD in kinds and HistoryKind.RESUMED in kinds


def test_cancel_records_reason_and_is_final(hub):
    project = make_project(hub)
    project = services.project_cancel(project=project, reason="Need withdrawn", by=hub.head)
    assert project.status == ProjectStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.project_resume(project=project, by=hub.head)
    assert project.history.filter(kind=HistoryKind.CANCELLED, note="Need withdrawn").exists()


# --- RAG arithmetic -------------------------------------------------------------------------


def _plan_current_stage(project, *, entry, exit_, actual_entry):
    row = stage_row(project, project.stage)
    row.target_entry, row.target_exit, row.actual_entry = entry, exit_, actual_entry
    row.save()
    services._refresh_plan_state(project)
    project.refresh_from_db()
    return project


@pytest.mark.parametrize(
    ("exit_offset", "entry_slip", "expected"),
    [
        (0, 0, Rag.GREEN),  # due today: on plan
        (10, 0, Rag.GREEN),
        (-1, 0, Rag.AMBER),  # one day past target exit
        (-30, 0, Rag.AMBER),  # exactly SOURCING_RAG_RED_DAYS
        (-31, 0, Rag.RED),
        (10, 5, Rag.AMBER),  # entered 5 days late, exit still ahead
        (10, 31, Rag.RED),
    ],
)
def test_rag_against_plan(hub, exit_offset, entry_slip, expected):
    project = make_project(hub)
    target_entry = TODAY - datetime.timedelta(days=40)
    project = _plan_current_stage(
        project,
        entry=target_entry,
        exit_=TODAY + datetime.timedelta(days=exit_offset),
        actual_entry=target_entry + datetime.timedelta(days=entry_slip),
    )
    assert selectors.project_rag(project, TODAY) == expected
    # The database filter agrees with the Python arithmetic.
    for rag in Rag.values:
        matched = SourcingProject.objects.filter(
            selectors.rag_q(rag, TODAY), pk=project.pk
        ).exists()
        assert matched == (rag == expected), rag


def test_rag_respects_setting(hub, settings):
    settings.SOURCING_RAG_RED_DAYS = 5
    project = make_project(hub)
    project = _plan_current_stage(
        project,
        entry=TODAY - datetime.timedelta(days=10),
        exit_=TODAY - datetime.timedelta(days=6),
        actual_entry=TODAY - datetime.timedelta(days=10),
    )
    assert selectors.project_rag(project, TODAY) == Rag.RED


def test_held_project_has_no_rag(hub):
    project = services.project_hold(project=make_project(hub), reason="Paused", by=hub.sourcing)
    assert selectors.project_rag(project, TODAY) is None


# --- Lead times --------------------------------------------------------------------------------


def test_lead_times_are_medians_by_stage_and_route(hub, settings):
    settings.SOURCING_MIN_SAMPLES = 3
    for days in (10, 20, 90):
        project = make_project(hub)
        row = stage_row(project, 1)
        row.actual_entry, row.actual_exit = TODAY - datetime.timedelta(days=days), TODAY
        row.save()
    metrics = {(m.stage, m.route): m for m in selectors.stage_metrics()}
    assert metrics[(1, "open")].median_days == 20
    assert metrics[(1, "open")].samples == 3
    lead = selectors.LeadTimes()
    assert lead.stage_days(1, "open") == 20
    assert lead.stage_days(1, "direct_award") == 20  # falls back to every route
    assert lead.stage_days(2, "open") == settings.SOURCING_DEFAULT_STAGE_DAYS


# --- Renewal decisions and extension rules ----------------------------------------------------


def test_extension_moves_end_date_marks_option_and_writes_history(hub):
    contract = extendable_contract(hub)
    old_end = contract.end_date
    option = contract.extension_options.get(sequence=1)
    decision = services.contract_extend(
        contract=contract, option=option, rationale="Good value", approved_by=hub.head, by=hub.cm
    )
    contract.refresh_from_db()
    option.refresh_from_db()
    assert contract.end_date == extended_end(old_end, 12) == decision.new_end_date
    assert option.exercised and option.exercised_by == hub.cm and option.exercised_at
    assert (decision.kind, decision.term_end, decision.approved_by) == (
        DecisionKind.EXTEND,
        old_end,
        hub.head,
    )


def test_option_cannot_be_exercised_twice(hub):
    contract = extendable_contract(hub)
    option = contract.extension_options.get(sequence=1)
    services.contract_extend(
        contract=contract, option=option, rationale="x", approved_by=hub.head, by=hub.cm
    )
    with pytest.raises(ValidationError, match="already been exercised"):
        services.contract_extend(
            contract=contract, option=option, rationale="y", approved_by=hub.head, by=hub.cm
        )


def test_second_option_after_first_extends_again(hub):
    contract = extendable_contract(hub)
    first, second = contract.extension_options.order_by("sequence")
    services.contract_extend(
        contract=contract, option=first, rationale="x", approved_by=hub.head, by=hub.cm
    )
    services.contract_extend(
        contract=contract, option=second, rationale="y", approved_by=hub.head, by=hub.cm
    )
    contract.refresh_from_db()
    assert contract.end_date == contract.max_end_date


def test_extension_never_passes_maximum_end_date(hub):
    contract = extendable_contract(hub, options=(18,), max_months=12)
    option = contract.extension_options.get()
    with pytest.raises(ValidationError, match="maximum end date"):
        services.contract_extend(
            contract=contract, option=option, rationale="x", approved_by=hub.head, by=hub.cm
        )
    contract.refresh_from_db()
    option.refresh_from_db()
    assert not option.exercised and not RenewalDecision.objects.exists()


@pytest.mark.parametrize(
    ("end", "months", "new_end"),
    [
        (datetime.date(2027, 6, 30), 2, datetime.date(2027, 8, 31)),  # A month end stays one.
        (datetime.date(2027, 2, 28), 12, datetime.date(2028, 2, 29)),  # Into a leap year.
        (datetime.date(2028, 2, 29), 12, datetime.date(2029, 2, 28)),
        (datetime.date(2027, 3, 15), 12, datetime.date(2028, 3, 15)),
        # Not a month end: the day is kept, clamped to a shorter month (found by review:
        # counting from the day after lost a day here).
        (datetime.date(2027, 5, 30), 6, datetime.date(2027, 11, 30)),
        (datetime.date(2027, 5, 29), 6, datetime.date(2027, 11, 29)),
        (datetime.date(2026, 12, 30), 2, datetime.date(2027, 2, 28)),
        (datetime.date(2026, 8, 29), 6, datetime.date(2027, 2, 28)),
    ],
)
def test_an_extension_keeps_a_month_end_a_month_end_and_any_other_day_its_day(
    hub, end, months, new_end
):
    """A term to 30 June extended by two months ends on 31 August, not 30 August (found by
    review: add_months from the end date cut a day off month ends)."""
    contract = ContractFactory(
        category=hub.category,
        start_date=datetime.date(2025, 7, 1),
        end_date=end,
        max_end_date=datetime.date(2030, 12, 31),
    )
    option = contract.extension_options.create(
        sequence=1, length_months=months, decide_by=datetime.date(2027, 1, 31)
    )
    decision = services.contract_extend(
        contract=contract, option=option, rationale="x", approved_by=hub.head, by=hub.cm
    )
    contract.refresh_from_db()
    assert decision.new_end_date == contract.end_date == new_end


def take_first_option(hub, contract):
    return services.contract_extend(
        contract=contract,
        option=contract.extension_options.get(sequence=1),
        rationale="Agreed in time",
        approved_by=hub.head,
        by=hub.cm,
    )


def test_an_extension_recorded_after_the_term_lapsed_makes_the_contract_active_again(hub):
    """The decision was taken in time but recorded after the nightly scan marked the contract
    expired: it runs on, active, rather than "expired" with a future end date."""
    contract = extendable_contract(hub, end_in_days=-10)
    contract.status = ContractStatus.EXPIRED
    contract.save(update_fields=["status"])
    take_first_option(hub, contract)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and contract.end_date > TODAY


def test_an_extension_recorded_so_late_that_it_has_run_out_leaves_the_contract_expired(hub):
    """Found by review: it was made active with a past end date, and the next scan expired it
    again with a second notice."""
    contract = ContractFactory(
        category=hub.category,
        status=ContractStatus.EXPIRED,
        start_date=datetime.date(2024, 1, 1),
        end_date=TODAY - datetime.timedelta(days=400),
        max_end_date=datetime.date(2028, 1, 1),
    )
    contract.extension_options.create(
        sequence=1, length_months=6, decide_by=datetime.date(2025, 7, 1)
    )
    take_first_option(hub, contract)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.EXPIRED and contract.end_date < TODAY


@pytest.mark.parametrize("status", [ContractStatus.TERMINATED, ContractStatus.SUPERSEDED])
def test_a_terminated_or_superseded_contract_cannot_be_extended(hub, status):
    contract = extendable_contract(hub)
    contract.status = status
    contract.save(update_fields=["status"])
    old_end = contract.end_date
    with pytest.raises(ValidationError, match="cannot be extended"):
        take_first_option(hub, contract)
    contract.refresh_from_db()
    assert contract.end_date == old_end and not RenewalDecision.objects.exists()


def test_followers_are_told_when_an_extension_moves_the_end_date(
    hub, django_capture_on_commit_callbacks
):
    contract = extendable_contract(hub)
    old_end = contract.end_date
    Follow.objects.create(user=hub.buyer, contract=contract)
    with django_capture_on_commit_callbacks(execute=True):
        decision = take_first_option(hub, contract)
    notice = Notification.objects.get(kind=Kind.CHANGE, recipient=hub.buyer)
    assert f"{old_end.day} {old_end:%b %Y}" in notice.body
    assert notice.body.endswith("extension option 1 taken")
    assert notice.threshold == f"change/extension-{decision.pk}"


def test_extension_needs_a_maximum_end_date(hub):
    contract = extendable_contract(hub)
    contract.max_end_date = None
    contract.save(update_fields=["max_end_date"])
    with pytest.raises(ValidationError, match="maximum end date"):
        services.contract_extend(
            contract=contract,
            option=contract.extension_options.first(),
            rationale="x",
            approved_by=hub.head,
            by=hub.cm,
        )


def test_option_of_another_contract_is_refused(hub):
    contract = extendable_contract(hub)
    other = extendable_contract(hub, reference="EXT2")
    with pytest.raises(ValidationError, match="another contract"):
        services.contract_extend(
            contract=contract,
            option=other.extension_options.first(),
            rationale="x",
            approved_by=hub.head,
            by=hub.cm,
        )


def test_one_decision_per_term(hub):
    contract = extendable_contract(hub)
    services.contract_let_expire(
        contract=contract, rationale="No longer needed", approved_by=hub.head, by=hub.cm
    )
    with pytest.raises(ValidationError, match="already recorded"):
        services.contract_extend(
            contract=contract,
            option=contract.extension_options.first(),
            rationale="x",
            approved_by=hub.head,
            by=hub.cm,
        )


def test_reprocure_creates_linked_project_in_one_step(hub):
    contract = extendable_contract(hub, end_in_days=500)
    decision = services.contract_reprocure(
        contract=contract,
        rationale="Market moved",
        approved_by=hub.head,
        by=hub.cm,
        owner=hub.sourcing,
    )
    project = decision.project
    assert project.predecessor == contract and project.owner == hub.sourcing
    assert project.category == contract.category
    assert project.estimated_value == contract.awarded_value
    # Planned backwards from the end date: mobilisation ends by the contract's end.
    assert stage_row(project, Stage.MOBILISATION).target_exit <= contract.end_date
    assert selectors.contracts_with_renewal_decision([contract.pk]) == {contract.pk}


def test_contracts_with_renewal_decision(hub):
    reprocured = extendable_contract(hub, reference="A1")
    expiring = extendable_contract(hub, reference="A2")
    undecided = extendable_contract(hub, reference="A3")
    extended = extendable_contract(hub, reference="A4")
    services.contract_reprocure(
        contract=reprocured, rationale="x", approved_by=hub.head, by=hub.cm, owner=hub.sourcing
    )
    services.contract_let_expire(contract=expiring, rationale="x", approved_by=hub.head, by=hub.cm)
    ids = [reprocured.pk, expiring.pk, undecided.pk, extended.pk]
    assert selectors.contracts_with_renewal_decision(ids) == {reprocured.pk}
    # An extension settles the old term; the new end date needs a decision of its own.
    services.contract_extend(
        contract=extended,
        option=extended.extension_options.first(),
        rationale="x",
        approved_by=hub.head,
        by=hub.cm,
    )
    assert selectors.contracts_with_renewal_decision(ids) == {reprocured.pk}
    assert selectors.contracts_with_renewal_decision([]) == set()


def test_renewal_pipeline_lists_undecided_contracts_in_horizon_sorted(hub, settings):
    settings.SOURCING_RENEWAL_HORIZON_MONTHS = 18
    soon_small = ContractFactory(
        category=hub.category,
        end_date=TODAY + datetime.timedelta(days=60),
        awarded_value=Decimal(10),
    )
    soon_big = ContractFactory(
        category=hub.category,
        end_date=TODAY + datetime.timedelta(days=60),
        awarded_value=Decimal(99),
    )
    later = ContractFactory(category=hub.category, end_date=TODAY + datetime.timedelta(days=500))
    ContractFactory(category=hub.category, end_date=TODAY + datetime.timedelta(days=600))  # beyond
    decided = ContractFactory(category=hub.category, end_date=TODAY + datetime.timedelta(days=100))
    services.contract_let_expire(contract=decided, rationale="x", approved_by=hub.head, by=hub.cm)
    rows = list(selectors.renewal_pipeline(today=TODAY))
    assert rows == [soon_big, soon_small, later]
    # Default lead time: 8 stages × SOURCING_DEFAULT_STAGE_DAYS (30) = 240 days.
    assert [r.lead_time_passed for r in rows] == [True, True, False]


# --- Award, savings, handover, lineage -----------------------------------------------------------


def test_savings_split():
    assert services.savings_split(
        baseline=Decimal(1000), awarded=Decimal(900), cashable_percent=60
    ) == (
        Decimal("60.00"),
        Decimal("40.00"),
    )
    assert services.savings_split(
        baseline=Decimal(900), awarded=Decimal(1000), cashable_percent=60
    ) == (
        Decimal(-100),
        Decimal("0.00"),
    )


def test_award_creates_contract_records_savings_and_opens_handover(hub):
    project = make_project(hub, stage=Stage.AWARD_DECISION)
    contract = award(project, by=hub.sourcing)
    project.refresh_from_db()
    assert project.contract == contract
    assert contract.status == ContractStatus.IN_PROCUREMENT
    assert contract.sourcing_manager == hub.sourcing and contract.category == hub.category
    assert contract.awards.count() == 1
    assert project.cashable_savings == Decimal("60000.00")
    assert project.non_cashable_savings == Decimal("40000.00")
    assert sorted(project.handover.items.values_list("kind", flat=True)) == sorted(
        HandoverItemKind.values
    )


def test_award_again_renews_the_same_contract(hub):
    project = make_project(hub, stage=Stage.AWARD_DECISION)
    first = award(project, by=hub.sourcing)
    project.refresh_from_db()
    second = award(project, by=hub.sourcing, reference="NEW1", awarded="800000")
    assert first.pk == second.pk
    second.refresh_from_db()
    assert second.awarded_value == Decimal("800000")


def test_award_before_award_stage_is_refused(hub):
    project = make_project(hub, stage=Stage.EVALUATION)
    with pytest.raises(ValidationError):
        award(project, by=hub.sourcing)


def _fill_and_accept(project, hub, monkeypatch=None):
    handover = project.handover
    contents = {
        HandoverItemKind.KPIS: "On-time delivery | 95 | %\nInvoices right first time | 98",
        HandoverItemKind.USER_GUIDE: (
            "Who may use: All councils\nHow to buy: Call off via the portal"
        ),
        HandoverItemKind.RISKS: "Supplier insolvency: monthly credit checks",
        HandoverItemKind.MOBILISATION: "Go-live in phases",
        HandoverItemKind.CONTACTS: (
            "Jo Smith | Account manager | jo@vendor.example.com | 0161 000 0000\n"
            "Sam Lee | Escalation"
        ),
        HandoverItemKind.DOCUMENTS: "Signed contract | https://docs.example.gov.uk/signed.pdf",
    }
    for item in handover.items.all():
        services.handover_item_update(item=item, content=contents[item.kind], by=hub.sourcing)
    for item in handover.items.all():
        services.handover_item_accept(item=item, by=hub.cm)
    return handover


def test_handover_accepted_activates_contract_supersedes_predecessor_and_moves_followers(
    hub, monkeypatch
):
    predecessor = ContractFactory(reference="OLD1", category=hub.category)
    project = make_project(hub, predecessor=predecessor, stage=Stage.MOBILISATION)
    moved = []
    monkeypatch.setattr(services, "_move_followers", lambda **kw: moved.append(kw))
    kpis = []
    monkeypatch.setattr(services, "_contract_kpi_add", lambda **kw: kpis.append(kw))
    handover = _fill_and_accept(project, hub)
    with pytest.raises(ValidationError):  # not yet: items first, then the pack (done above)
        services.handover_item_accept(item=handover.items.first(), by=hub.cm)
    contract = services.handover_accept(handover=handover, by=hub.cm)
    contract.refresh_from_db()
    predecessor.refresh_from_db()
    project.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert predecessor.status == ContractStatus.SUPERSEDED
    assert moved == [{"from_contract": predecessor, "to_contract": contract}]
    assert [k["name"] for k in kpis] == ["On-time delivery", "Invoices right first time"]
    assert kpis[0]["target"] == Decimal(95) and kpis[0]["unit"] == "%"
    assert contract.guide_who_may_use == "All councils"
    assert contract.guide_how_to_buy == "Call off via the portal"
    assert contract.documents.get().url == "https://docs.example.gov.uk/signed.pdf"
    vendor = contract.awards.get().vendor
    assert sorted(vendor.contacts.values_list("name", "role", "email")) == [
        ("Jo Smith", "Account manager", "jo@vendor.example.com"),
        ("Sam Lee", "Escalation", ""),
    ]
    assert project.stage == Stage.COMPLETE and project.status == ProjectStatus.COMPLETE
    lineage = selectors.contract_lineage(contract)
    assert lineage["predecessor"] == predecessor
    assert selectors.contract_lineage(predecessor)["successor"] == contract


def test_followers_of_a_superseded_contract_are_told_at_handover(
    hub, django_capture_on_commit_callbacks
):
    """They follow the successor from then on, and hear why: the handover's one notice."""
    predecessor = ContractFactory(reference="OLD9", category=hub.category)
    Follow.objects.create(user=hub.buyer, contract=predecessor)
    project = make_project(hub, predecessor=predecessor, stage=Stage.MOBILISATION)
    handover = _fill_and_accept(project, hub)
    with django_capture_on_commit_callbacks(execute=True):
        contract = services.handover_accept(handover=handover, by=hub.cm)
    notice = Notification.objects.get(kind=Kind.CHANGE, recipient=hub.buyer)
    assert notice.contract == contract
    assert "In procurement → Active" in notice.body
    assert notice.body.endswith("replaces OLD9, now superseded")


def test_handover_needs_every_item_accepted(hub):
    project = make_project(hub, stage=Stage.MOBILISATION)
    item = project.handover.items.get(kind=HandoverItemKind.RISKS)
    services.handover_item_update(item=item, content="Risk", by=hub.sourcing)
    services.handover_item_accept(item=item, by=hub.cm)
    with pytest.raises(ValidationError, match="Still open"):
        services.handover_accept(handover=project.handover, by=hub.cm)


def test_empty_item_cannot_be_accepted_and_accepted_item_is_frozen(hub):
    project = make_project(hub, stage=Stage.MOBILISATION)
    item = project.handover.items.get(kind=HandoverItemKind.MOBILISATION)
    with pytest.raises(ValidationError):
        services.handover_item_accept(item=item, by=hub.cm)
    services.handover_item_update(item=item, content="Plan", by=hub.sourcing)
    services.handover_item_accept(item=item, by=hub.cm)
    with pytest.raises(ValidationError):
        services.handover_item_update(item=item, content="Changed", by=hub.sourcing)


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        (HandoverItemKind.KPIS, "Just a name"),
        (HandoverItemKind.KPIS, "Delivery | lots"),
        (HandoverItemKind.DOCUMENTS, "Contract | not a link"),
        (HandoverItemKind.CONTACTS, "Only a name"),
        (HandoverItemKind.CONTACTS, "Jo | Manager | not-an-email"),
    ],
)
def test_bad_kpi_and_document_lines_are_refused(hub, kind, content):
    project = make_project(hub, stage=Stage.MOBILISATION)
    item = project.handover.items.get(kind=kind)
    with pytest.raises(ValidationError):
        services.handover_item_update(item=item, content=content, by=hub.sourcing)


def test_extensions_show_in_lineage(hub):
    contract = extendable_contract(hub)
    services.contract_extend(
        contract=contract,
        option=contract.extension_options.first(),
        rationale="x",
        approved_by=hub.head,
        by=hub.cm,
    )
    lineage = selectors.contract_lineage(contract)
    assert [d.option.sequence for d in lineage["extensions"]] == [1]


def test_handover_copies_kpis_and_moves_followers_for_real(hub):
    from kpis.models import ContractKpi
    from notifications.models import Follow

    predecessor = ContractFactory(reference="OLD2", category=hub.category)
    Follow.objects.create(user=hub.buyer, contract=predecessor)
    Follow.objects.create(user=hub.cm, contract=predecessor)
    project = make_project(hub, predecessor=predecessor, stage=Stage.MOBILISATION)
    handover = _fill_and_accept(project, hub)
    contract = services.handover_accept(handover=handover, by=hub.cm)
    kpis = ContractKpi.objects.filter(contract=contract).order_by("name")
    assert [(k.name, k.target) for k in kpis] == [
        ("Invoices right first time", Decimal(98)),
        ("On-time delivery", Decimal(95)),
    ]
    assert set(Follow.objects.filter(contract=contract).values_list("user", flat=True)) == {
        hub.buyer.pk,
        hub.cm.pk,
    }
    assert not Follow.objects.filter(contract=predecessor).exists()


def test_lead_times_are_cached_when_asked(hub, settings):
    from django.core.cache import cache

    settings.SOURCING_LEAD_TIME_CACHE_SECONDS = 60
    settings.SOURCING_MIN_SAMPLES = 1
    cache.delete(selectors.LEAD_TIME_CACHE_KEY)
    assert selectors.LeadTimes().stage_days(1) == settings.SOURCING_DEFAULT_STAGE_DAYS
    project = make_project(hub)
    row = stage_row(project, 1)
    row.actual_entry, row.actual_exit = TODAY - datetime.timedelta(days=7), TODAY
    row.save()
    assert selectors.LeadTimes().stage_days(1) == settings.SOURCING_DEFAULT_STAGE_DAYS  # cached
    cache.delete(selectors.LEAD_TIME_CACHE_KEY)
    assert selectors.LeadTimes().stage_days(1) == 7
    cache.delete(selectors.LEAD_TIME_CACHE_KEY)


@pytest.mark.parametrize("seed", range(5))
def test_histogram_median_matches_statistics_median(seed):
    import random
    import statistics
    from collections import Counter

    rng = random.Random(seed)
    values = [rng.randint(0, 12) for _ in range(rng.randint(1, 40))]
    assert selectors._histogram_median(Counter(values)) == statistics.median(values)


def test_a_contract_is_superseded_once(hub, monkeypatch):
    monkeypatch.setattr(services, "_move_followers", lambda **kw: None)
    monkeypatch.setattr(services, "_contract_kpi_add", lambda **kw: None)
    predecessor = ContractFactory(reference="OLD3", category=hub.category)
    first = make_project(hub, predecessor=predecessor, stage=Stage.MOBILISATION)
    second = make_project(hub, predecessor=predecessor, stage=Stage.MOBILISATION)
    services.handover_accept(handover=_fill_and_accept(first, hub), by=hub.cm)
    with pytest.raises(ValidationError, match="already has a successor"):
        services.handover_accept(handover=_fill_and_accept(second, hub), by=hub.cm)
    second.refresh_from_db()
    assert second.status == ProjectStatus.ACTIVE


@pytest.mark.parametrize(
    ("kind", "content", "says"),
    [
        ("documents", f"{'T' * 201} | https://example.org/spec", "The document title 'TTT"),
        ("documents", f"Spec | https://example.org/{'a' * 300}", "The link 'https://example.org/"),
        ("contacts", f"{'N' * 250} | Account manager | a@b.org", "The contact name 'NNN"),
        ("contacts", "Ann | Manager | a@b.org | " + "1" * 41, "The contact phone '111"),
    ],
)
def test_handover_lines_longer_than_their_columns_are_refused_not_cut(hub, kind, content, says):
    """Before, such a line was cut short silently (a name, a phone), or gave a database error
    when the item was accepted (a title, a link, an email): a 500 on PostgreSQL."""
    project = make_project(hub, stage=Stage.MOBILISATION)
    item = project.handover.items.get(kind=kind)
    with pytest.raises(ValidationError) as refused:
        services.handover_item_update(item=item, content=content, by=hub.sourcing)
    assert says in refused.value.message_dict["content"][0]
    item.refresh_from_db()
    assert item.content == ""
