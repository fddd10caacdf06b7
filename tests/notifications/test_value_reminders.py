"""The reminder scan tells a contract's managers when its spend to date reaches 80% of its
value, and them and the head of category when it reaches all of it: once per step, the latest
step only, afresh when the value changes."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import ContractStatus
from notifications.models import Kind, Notification
from notifications.services import reminders_scan
from spend.models import ContractSpend
from tests.factories import TODAY, AuthorityFactory, ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def authority():
    return AuthorityFactory()


def spend(contract, authority, amount, month=datetime.date(2026, 1, 1)):
    ContractSpend.objects.update_or_create(
        contract=contract, authority=authority, month=month,
        defaults={"total": Decimal(amount), "tx_count": 1},
    )  # fmt: skip


def value_notices():
    rows = Notification.objects.filter(kind=Kind.VALUE_USED)
    return sorted(rows.values_list("threshold", "recipient__username"))


def test_managers_at_80_percent_then_the_head_too_at_100(hub, authority, scan):
    contract = ContractFactory(reference="ITS75", category=hub.category, awarded_value=1000)
    spend(contract, authority, "500")
    scan(TODAY)
    assert value_notices() == []  # 50%: nothing yet.
    spend(contract, authority, "850")
    result = scan(TODAY)
    assert result.claimed == {Kind.VALUE_USED: 1}
    assert value_notices() == [("value 1000.00/80", hub.cm.username)]
    notice = Notification.objects.get()
    assert notice.title == "ITS75 has used 85% of its value"
    assert "£850.00 paid to date against a value of £1,000.00 (85%)" in notice.body
    assert scan(TODAY).claimed == {}  # Told once.
    spend(contract, authority, "1050")
    scan(TODAY)
    assert value_notices() == sorted([
        ("value 1000.00/100", hub.cm.username), ("value 1000.00/100", hub.head.username),
        ("value 1000.00/80", hub.cm.username),
    ])  # fmt: skip
    assert "used up" in Notification.objects.filter(threshold__endswith="/100").first().body


def test_only_the_latest_step_is_told_and_a_new_value_starts_afresh(hub, authority, scan):
    contract = ContractFactory(category=hub.category, awarded_value=1000)
    spend(contract, authority, "1200")
    scan(TODAY)
    assert {t for t, _ in value_notices()} == {"value 1000.00/100"}  # Not the 80% one too.
    contract.awarded_value = 1400  # A variation raised the value: 86% of it.
    contract.save(update_fields=["awarded_value"])
    scan(TODAY)
    assert {t for t, _ in value_notices()} == {"value 1000.00/100", "value 1400.00/80"}


def test_no_notice_for_contracts_not_active_or_without_a_value(hub, authority, scan):
    ended = ContractFactory(category=hub.category, awarded_value=100,
                            status=ContractStatus.EXPIRED)  # fmt: skip
    no_value = ContractFactory(category=hub.category, awarded_value=None, estimated_value=None)
    estimated = ContractFactory(category=hub.category, awarded_value=None, estimated_value=100)
    for contract in (ended, no_value, estimated):
        spend(contract, authority, "90")
    scan(TODAY)
    assert set(Notification.objects.values_list("subject_id", flat=True)) == {estimated.pk}


def test_the_rule_costs_the_same_queries_for_many_contracts(hub, authority):
    """The claims, not their emails (delivery runs apart, one task per chunk of notices)."""

    def queries(n: int) -> int:
        Notification.objects.all().delete()
        for _ in range(n):
            spend(ContractFactory(category=hub.category, awarded_value=100), authority, "95")
        with CaptureQueriesContext(connection) as captured:
            reminders_scan(today=TODAY, enqueue=False)
        return len(captured)

    assert queries(2) == queries(6)


def test_a_contract_just_short_of_its_value_reads_99_percent_not_100(hub, authority, scan):
    contract = ContractFactory(reference="ITS76", category=hub.category, awarded_value=1000)
    spend(contract, authority, "999.96")
    scan(TODAY)
    notice = Notification.objects.get()
    assert notice.title == "ITS76 has used 99% of its value"
    assert "(99%). Plan a variation or a re-procurement" in notice.body
