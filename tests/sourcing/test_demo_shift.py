"""The demo shifts a project that would have entered a stage in the future back in time, plan
and actuals alike: no project starts before its own planned start, and late stages stay late."""

import pytest

from contracts import demo as contracts_demo
from procurement_hub.demo import DemoContext
from sourcing import demo
from sourcing.models import HistoryKind, ProjectHistory, ProjectStage, Stage
from tests.factories import TODAY

pytestmark = pytest.mark.django_db


def test_no_demo_project_starts_before_its_planned_start():
    ctx = DemoContext(today=TODAY, contracts=300, log=lambda _m: None)
    contracts_demo.seed(ctx)
    demo.seed(ctx)
    early = [
        (row.project_id, (row.target_entry - row.actual_entry).days)
        for row in ProjectStage.objects.filter(stage=Stage.NEED_IDENTIFIED)
        if row.actual_entry and row.target_entry and row.actual_entry < row.target_entry
    ]
    created = {
        h.project_id: h.at.date() for h in ProjectHistory.objects.filter(kind=HistoryKind.CREATED)
    }
    starts = dict(
        ProjectStage.objects.filter(stage=Stage.NEED_IDENTIFIED).values_list(
            "project_id", "target_entry"
        )
    )
    created_early = [pk for pk, at in created.items() if starts[pk] and at < starts[pk]]
    assert early == [] and created_early == []
