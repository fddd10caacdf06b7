import datetime

import pytest
from django.db import IntegrityError, transaction

from categories.models import Role
from contracts.models import Contract, ContractAward, ContractStatus, ExtensionOption
from tests.factories import (
    TODAY,
    CategoryFactory,
    ContractFactory,
    ExtensionOptionFactory,
    VendorFactory,
    staff,
)

pytestmark = pytest.mark.django_db


def _violates(**changes):
    contract = ContractFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(**changes)


def test_end_date_before_start_is_refused_by_the_database():
    _violates(start_date=TODAY, end_date=TODAY - datetime.timedelta(days=1))


def test_maximum_end_before_current_end_is_refused():
    _violates(max_end_date=TODAY)


def test_negative_values_are_refused():
    _violates(awarded_value=-1)


def test_active_contract_needs_dates():
    _violates(status=ContractStatus.ACTIVE, end_date=None)


def test_reference_is_unique():
    ContractFactory(reference="ITS75")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(reference="ITS75")


def test_vendor_awarded_once_per_lot_but_may_hold_two_lots():
    vendor = VendorFactory()
    contract = ContractFactory(vendors=[vendor])
    ContractAward.objects.create(contract=contract, vendor=vendor, lot="Lot 2")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractAward.objects.create(contract=contract, vendor=vendor, lot="Lot 2")


def test_extension_option_sequence_unique_and_exercise_needs_a_time():
    option = ExtensionOptionFactory(sequence=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionOptionFactory(contract=option.contract, sequence=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionOption.objects.filter(pk=option.pk).update(exercised=True)


def test_category_primary_and_secondary_managers_differ():
    person = staff(Role.CONTRACT_MANAGER)
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryFactory(primary_contract_manager=person, secondary_contract_manager=person)


@pytest.mark.parametrize(
    ("days", "status", "ended", "soon"),
    [
        (-1, ContractStatus.ACTIVE, True, False),
        (0, ContractStatus.ACTIVE, False, True),
        (90, ContractStatus.ACTIVE, False, True),
        (91, ContractStatus.ACTIVE, False, False),
        (400, ContractStatus.TERMINATED, True, False),
    ],
)
def test_expiring_soon_is_derived_from_dates(days, status, ended, soon):
    contract = ContractFactory(end_date=TODAY + datetime.timedelta(days=days), status=status)
    assert contract.has_ended(TODAY) is ended
    assert contract.is_expiring_soon(TODAY) is soon


def test_effective_manager_is_inherited_from_the_category_unless_overridden(hub):
    inherited = ContractFactory(category=hub.category)
    own = ContractFactory(category=hub.category, contract_manager=hub.other_cm)
    assert inherited.effective_contract_manager == hub.cm
    assert own.effective_contract_manager == hub.other_cm
    assert set(Contract.objects.managed_by(hub.cm)) == {inherited}
    assert set(Contract.objects.managed_by(hub.other_cm)) == {own}


def test_cover_manages_only_while_the_primary_is_absent(hub):
    contract = ContractFactory(category=hub.category)
    assert not Contract.objects.managed_by(hub.cover).exists()
    hub.cm.profile.absent_from = TODAY - datetime.timedelta(days=2)
    hub.cm.profile.absent_until = TODAY + datetime.timedelta(days=5)
    hub.cm.profile.save()
    assert list(Contract.objects.managed_by(hub.cover, today=TODAY)) == [contract]
    later = TODAY + datetime.timedelta(days=6)
    assert not Contract.objects.managed_by(hub.cover, today=later).exists()
