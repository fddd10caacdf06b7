"""The sourcing demo: a believable pipeline on top of the foundation's demo contracts."""

import time

import pytest
from django.db.models import Count

from contracts import demo as contracts_demo
from procurement_hub.demo import DemoContext
from sourcing import demo, selectors
from sourcing.models import (
    DecisionKind,
    Handover,
    ProjectStatus,
    Rag,
    RenewalDecision,
    SourcingProject,
    Stage,
)
from tests.factories import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    ctx = DemoContext(today=TODAY, contracts=300, log=lambda _m: None)
    contracts_demo.seed(ctx)
    started = time.monotonic()
    demo.seed(ctx)
    return time.monotonic() - started


def test_demo_fills_every_stage_with_late_and_held_projects(seeded):
    assert seeded < 20
    stages = dict(SourcingProject.objects.values_list("stage").annotate(n=Count("pk")).order_by())
    assert set(stages) == set(Stage.values)
    late = SourcingProject.objects.filter(selectors.rag_q(Rag.RED, TODAY)).count()
    late += SourcingProject.objects.filter(selectors.rag_q(Rag.AMBER, TODAY)).count()
    assert late > 0 and SourcingProject.objects.filter(selectors.rag_q(Rag.GREEN, TODAY)).exists()
    assert SourcingProject.objects.filter(status=ProjectStatus.ON_HOLD).exclude(status_reason="")


def test_demo_reprocures_contracts_expiring_soon_with_decisions(seeded):
    reprocurements = SourcingProject.objects.filter(predecessor__isnull=False)
    assert reprocurements.exists()
    decision = RenewalDecision.objects.filter(kind=DecisionKind.REPROCURE).first()
    assert decision.project.predecessor == decision.contract
    assert decision.term_end == decision.contract.end_date
    ids = list(reprocurements.values_list("predecessor", flat=True))
    assert selectors.contracts_with_renewal_decision(ids) == set(ids)


def test_demo_past_projects_teach_lead_times(seeded, settings):
    metrics = [m for m in selectors.stage_metrics() if m.route is None]
    assert {m.stage for m in metrics} == set(selectors.WORK_STAGES)
    assert all(m.samples >= settings.SOURCING_MIN_SAMPLES for m in metrics)
    assert selectors.LeadTimes().total_days() != 8 * settings.SOURCING_DEFAULT_STAGE_DAYS
    assert Handover.objects.filter(accepted_at__isnull=True).exists()
    assert SourcingProject.objects.filter(cashable_savings__gt=0).exists()


def test_demo_is_deterministic(seeded):
    def run():
        RenewalDecision.objects.all().delete()
        SourcingProject.objects.all().delete()
        demo.seed(DemoContext(today=TODAY, contracts=300, log=lambda _m: None))
        return list(
            SourcingProject.objects.order_by(
                "title", "stage", "route", "estimated_value"
            ).values_list("title", "stage", "route", "estimated_value")
        )

    assert run() == run()


def test_no_demo_project_entered_a_stage_in_the_future(seeded):
    """A stage entered after today made the project's next move fail (its exit, today, before
    its entry): 25 demo projects did, and the board gave a 500 (found in a walkthrough). Every
    active project can now move on."""
    from django.db.models import Q

    from sourcing import services
    from sourcing.models import ProjectStage

    future = ProjectStage.objects.filter(Q(actual_entry__gt=TODAY) | Q(actual_exit__gt=TODAY))
    assert not future.exists()
    movable = SourcingProject.objects.filter(
        status=ProjectStatus.ACTIVE, stage__lt=Stage.AWARD_DECISION
    )
    for project in movable[:40]:
        services.project_move(project=project, to_stage=project.stage + 1, by=project.owner)
