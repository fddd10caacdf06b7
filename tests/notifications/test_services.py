"""The interfaces other apps call: move_followers at handover, notify_contract_change."""

import pytest
from django.core import mail

from notifications.models import Delivery, EmailState, Follow, Kind, Notification, Preference
from notifications.services import move_followers, notify_contract_change
from tests.factories import ContractFactory


@pytest.fixture
def contract(hub):
    return ContractFactory(reference="ITS75", category=hub.category)


def test_move_followers_moves_every_follower_once(hub, contract):
    successor = ContractFactory(reference="ITS75B", category=hub.category)
    Follow.objects.create(user=hub.buyer, contract=contract)
    Follow.objects.create(user=hub.cm, contract=contract)
    Follow.objects.create(user=hub.cm, contract=successor)
    assert move_followers(from_contract=contract, to_contract=successor) == 2
    assert not Follow.objects.filter(contract=contract).exists()
    assert set(Follow.objects.filter(contract=successor).values_list("user_id", flat=True)) == {
        hub.buyer.pk,
        hub.cm.pk,
    }
    assert move_followers(from_contract=contract, to_contract=successor) == 0


def test_change_notice_tells_followers_but_not_the_author(
    hub, contract, django_capture_on_commit_callbacks
):
    for user in (hub.buyer, hub.cm, hub.sourcing):
        Follow.objects.create(user=user, contract=contract)
    Preference.objects.create(user=hub.sourcing, delivery=Delivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        told = notify_contract_change(contract, "end date moved to 31 March 2028", by=hub.cm)
    assert told == 2
    rows = Notification.objects.filter(kind=Kind.CHANGE)
    assert set(rows.values_list("recipient_id", flat=True)) == {hub.buyer.pk, hub.sourcing.pk}
    assert [m.to for m in mail.outbox] == [[hub.buyer.profile.work_email]]
    assert "end date moved" in mail.outbox[0].subject
    assert rows.get(recipient=hub.sourcing).email_state == EmailState.DIGEST


def test_change_notice_with_a_key_is_sent_once(hub, contract, django_capture_on_commit_callbacks):
    Follow.objects.create(user=hub.buyer, contract=contract)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_contract_change(contract, "handed over", key="handover-1") == 1
        assert notify_contract_change(contract, "handed over", key="handover-1") == 0
    assert len(mail.outbox) == 1


def test_change_notices_without_a_key_are_separate(hub, contract):
    Follow.objects.create(user=hub.buyer, contract=contract)
    notify_contract_change(contract, "first change")
    notify_contract_change(contract, "second change")
    assert Notification.objects.filter(recipient=hub.buyer).count() == 2


def test_no_emails_before_the_change_commits(hub, contract, django_capture_on_commit_callbacks):
    Follow.objects.create(user=hub.buyer, contract=contract)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_contract_change(contract, "changed")
    assert mail.outbox == [] and len(callbacks) == 1
