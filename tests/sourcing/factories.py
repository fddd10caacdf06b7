"""Factories and helpers for sourcing tests."""

import datetime
import itertools
from decimal import Decimal

from categories.models import Role
from contracts.models import ExtensionOption
from sourcing import services
from sourcing.models import Route, SourcingProject, Stage
from tests.factories import TODAY, ContractFactory, VendorFactory, staff

_refs = itertools.count(1)


def make_project(
    hub, *, owner=None, by=None, stage=Stage.NEED_IDENTIFIED, **fields
) -> SourcingProject:
    """A project through the service, moved to `stage` (awarding on the way when needed)."""
    owner = owner or hub.sourcing
    values = {
        "title": "Managed print services",
        "category": hub.category,
        "estimated_value": Decimal("2500000"),
        "route": Route.OPEN,
        "owner": owner,
    }
    values.update(fields)
    project = services.project_create(fields=values, by=by or owner)
    return move_to(project, stage, by=by or owner)


def move_to(project, stage, *, by):
    for next_stage in range(project.stage + 1, min(stage, Stage.MOBILISATION) + 1):
        if next_stage == Stage.CONTRACT_SIGNED and project.contract_id is None:
            award(project, by=by)
        project = services.project_move(project=project, to_stage=next_stage, by=by)
    return project


def award(project, *, by, reference=None, vendor=None, baseline="1000000", awarded="900000"):
    vendor = vendor or VendorFactory()
    reference = reference or (
        project.contract.reference if project.contract else f"NEW{next(_refs)}"
    )
    return services.project_award(
        project=project,
        lines=[services.AwardRow(vendor=vendor, lot="1", value=Decimal(awarded), awarded_on=TODAY)],
        baseline_cost=Decimal(baseline),
        awarded_cost=Decimal(awarded),
        cashable_percent=60,
        awarded_on=TODAY,
        contract_fields={
            "reference": reference,
            "start_date": TODAY + datetime.timedelta(days=30),
            "end_date": TODAY + datetime.timedelta(days=30 + 3 * 365),
            "max_end_date": TODAY + datetime.timedelta(days=30 + 5 * 365),
        },
        by=by,
    )


def extendable_contract(hub, *, reference="EXT1", options=(12, 12), end_in_days=200, max_months=24):
    contract = ContractFactory(
        reference=reference,
        category=hub.category,
        end_date=TODAY + datetime.timedelta(days=end_in_days),
    )
    from sourcing.selectors import add_months

    contract.max_end_date = add_months(contract.end_date, max_months)
    contract.save(update_fields=["max_end_date"])
    for sequence, months in enumerate(options, start=1):
        ExtensionOption.objects.create(
            contract=contract,
            sequence=sequence,
            length_months=months,
            decide_by=contract.end_date - datetime.timedelta(days=90),
        )
    return contract


def another_sourcing_manager():
    return staff(Role.SOURCING_MANAGER)
