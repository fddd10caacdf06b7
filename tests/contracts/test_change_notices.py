"""Editing a contract tells its followers what changed (issue 4: change notices)."""

import datetime

from contracts.models import ContractStatus
from contracts.services import contract_update
from notifications.models import Follow, Kind, Notification
from tests.factories import ContractFactory


def _update(contract, by, **fields):
    return contract_update(
        contract=contract,
        fields=fields,
        authorities=list(contract.authorities.all()),
        awards=[],
        by=by,
    )


def test_followers_are_told_what_changed_but_not_the_editor(
    hub, django_capture_on_commit_callbacks
):
    contract = ContractFactory(
        reference="ITS75",
        category=hub.category,
        end_date=datetime.date(2027, 3, 1),
        max_end_date=datetime.date(2029, 3, 1),
        status=ContractStatus.ACTIVE,
    )
    Follow.objects.create(user=hub.buyer, contract=contract)
    Follow.objects.create(user=hub.cm, contract=contract)
    with django_capture_on_commit_callbacks(execute=True):
        _update(
            contract,
            hub.cm,
            end_date=datetime.date(2028, 3, 1),
            status=ContractStatus.TERMINATED,
        )
    notice = Notification.objects.get(kind=Kind.CHANGE)
    assert notice.recipient == hub.buyer
    assert "1 Mar 2027 → 1 Mar 2028" in notice.body
    assert "Active → Terminated" in notice.body


def test_an_edit_that_changes_nothing_noticeable_tells_nobody(
    hub, django_capture_on_commit_callbacks
):
    contract = ContractFactory(reference="ITS76", category=hub.category)
    Follow.objects.create(user=hub.buyer, contract=contract)
    with django_capture_on_commit_callbacks(execute=True):
        _update(contract, hub.cm, description="Typo fixed")
    assert not Notification.objects.filter(kind=Kind.CHANGE).exists()
