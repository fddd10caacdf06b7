"""A re-procurement project started from the project form (no renewal decision recorded) counts
as a recorded re-procurement; late projects stay in the pipeline notice; the forward plan values
contracts with only an estimate."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract
from sourcing import selectors, services
from sourcing.models import ProjectStage, Stage
from tests.factories import TODAY, ContractFactory
from tests.sourcing.factories import make_project

pytestmark = pytest.mark.django_db


def _ending_in(hub, days: int, **kwargs):
    return ContractFactory(
        category=hub.category, end_date=TODAY + datetime.timedelta(days=days), **kwargs
    )


def test_a_running_reprocurement_project_counts_as_a_recorded_reprocurement(hub):
    running, cancelled, none = (_ending_in(hub, 90) for _ in range(3))
    make_project(hub, predecessor=running, title="Re-procurement")
    stopped = make_project(hub, predecessor=cancelled, title="Re-procurement, cancelled")
    services.project_cancel(project=stopped, reason="Need gone", by=hub.sourcing)
    ids = [running.pk, cancelled.pk, none.pk]
    assert selectors.contracts_with_renewal_decision(ids) == {running.pk}
    # Asked only about extensions, a project is not an extension.
    assert selectors.contracts_with_renewal_decision(ids, kinds=["extend"]) == set()


def test_the_renewal_pipeline_leaves_out_contracts_being_reprocured(hub):
    running, cancelled = _ending_in(hub, 90), _ending_in(hub, 90)
    make_project(hub, predecessor=running, title="Re-procurement")
    stopped = make_project(hub, predecessor=cancelled, title="Re-procurement, cancelled")
    services.project_cancel(project=stopped, reason="Need gone", by=hub.sourcing)
    listed = set(selectors.renewal_pipeline(today=TODAY).values_list("pk", flat=True))
    assert running.pk not in listed
    assert cancelled.pk in listed


def test_the_expiry_reminder_does_not_say_no_reprocurement_while_one_runs(
    hub, django_capture_on_commit_callbacks
):
    from notifications.models import Kind, Notification
    from notifications.services import reminders_scan

    contract = _ending_in(hub, 90, sourcing_manager=hub.sourcing)
    make_project(hub, predecessor=contract, title="Re-procurement")
    with django_capture_on_commit_callbacks(execute=True):
        reminders_scan(today=TODAY)
    notices = Notification.objects.filter(kind=Kind.EXPIRY, contract=contract)
    recipients = set(notices.values_list("recipient_id", flat=True))
    assert hub.cm.pk in recipients
    assert hub.head.pk not in recipients and hub.sourcing.pk not in recipients
    assert not any("No re-procurement" in n.body for n in notices)


def _slip_tender(project, days_ago: int) -> None:
    for row in ProjectStage.objects.filter(project=project, stage__lte=Stage.TENDER_PUBLISHED):
        if row.stage == Stage.TENDER_PUBLISHED:
            row.target_entry = TODAY - datetime.timedelta(days=days_ago)
            row.target_exit = TODAY + datetime.timedelta(days=20)
        else:
            row.target_entry = TODAY - datetime.timedelta(days=100)
            row.target_exit = TODAY - datetime.timedelta(days=days_ago)
        row.save()


def test_the_pipeline_notice_keeps_a_project_whose_tender_date_passed(hub):
    late = make_project(hub, estimated_value=Decimal("3000000"), title="Late tender")
    _slip_tender(late, days_ago=10)
    on_time = make_project(hub, estimated_value=Decimal("3000000"), title="On time")
    assert list(selectors.pipeline_notice(TODAY)) == [late, on_time]
    rows = {r["title"]: r for r in selectors.pipeline_notice_rows(TODAY)}
    assert rows["Late tender"]["tender_late"] is True
    assert rows["On time"]["tender_late"] is False


def test_the_pipeline_notice_csv_says_which_tender_dates_passed(client, hub):
    late = make_project(hub, estimated_value=Decimal("3000000"), title="Late tender")
    _slip_tender(late, days_ago=10)
    client.force_login(hub.sourcing)
    response = client.get(reverse("sourcing:pipeline_notice"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["Project"], r["Tender date passed"]) for r in rows] == [("Late tender", "yes")]


def test_the_forward_plan_values_a_contract_by_its_estimate_when_not_awarded(hub):
    _ending_in(hub, 100, awarded_value=None, estimated_value=Decimal("1000000"))
    _ending_in(hub, 100, awarded_value=Decimal("250000"), estimated_value=Decimal("900000"))
    plan = selectors.forward_plan(Contract.objects.all(), TODAY)
    assert sum(t["count"] for t in plan["totals"]) == 2
    assert sum(t["value"] for t in plan["totals"]) == Decimal("1250000")
