"""A contract whose end date fell while no scan ran: the next scan marks it expired and tells
the people its expiry reminders go to, once, unless they were told on the day."""

import datetime

import pytest

from contracts.models import ContractStatus
from notifications.models import Kind, Notification
from tests.factories import TODAY, ContractFactory

pytestmark = pytest.mark.django_db


def _told(contract, kind=Kind.EXPIRY):
    return sorted(
        Notification.objects.filter(contract=contract, kind=kind).values_list(
            "recipient_id", "threshold"
        )
    )


def test_an_end_date_missed_in_an_outage_is_told_once_on_the_next_scan(hub, scan, decided):
    end = TODAY - datetime.timedelta(days=2)
    contract = ContractFactory(category=hub.category, end_date=end, sourcing_manager=hub.sourcing)
    scan(TODAY)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.EXPIRED
    key = f"{end.isoformat()}/0"
    # No decision recorded: the managers, the sourcing manager and the head, as the rule says.
    assert _told(contract) == sorted((user.pk, key) for user in (hub.cm, hub.sourcing, hub.head))
    notice = Notification.objects.filter(contract=contract, recipient=hub.cm).get()
    assert notice.title == f"{contract.reference} ended 2 days ago (20 Nov 2026)"
    assert "No re-procurement or extension was recorded." in notice.body
    scan(TODAY)
    scan(TODAY + datetime.timedelta(days=1))
    assert len(_told(contract)) == 3


def test_no_second_notice_when_the_day_itself_was_told(hub, scan, decided):
    end = TODAY - datetime.timedelta(days=1)
    contract = ContractFactory(category=hub.category, end_date=end)
    decided.add(contract.pk)
    scan(end)  # The scan ran on the end date: "expires today".
    assert _told(contract) == [(hub.cm.pk, f"{end.isoformat()}/0")]
    scan(TODAY)  # The next day it is marked expired; nobody is told again.
    contract.refresh_from_db()
    assert contract.status == ContractStatus.EXPIRED
    assert _told(contract) == [(hub.cm.pk, f"{end.isoformat()}/0")]


def test_a_follower_hears_it_once_as_expired(hub, scan, decided):
    from notifications.services import follow_set

    contract = ContractFactory(category=hub.category, end_date=TODAY - datetime.timedelta(days=3))
    decided.add(contract.pk)
    follow_set(user=hub.cm, contract=contract, following=True)
    scan(TODAY)
    assert _told(contract) == []
    assert [r for r, _t in _told(contract, Kind.EXPIRED)] == [hub.cm.pk]


def test_ends_older_than_the_catch_up_window_are_not_announced(hub, scan, decided):
    contract = ContractFactory(category=hub.category, end_date=TODAY - datetime.timedelta(days=31))
    recent = ContractFactory(category=hub.category, end_date=TODAY - datetime.timedelta(days=30))
    scan(TODAY)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.EXPIRED
    assert _told(contract) == []
    assert _told(recent) != []
