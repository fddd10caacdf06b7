import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from contracts import access
from tests.factories import TODAY, ContractFactory

pytestmark = pytest.mark.django_db


def test_buyer_cannot_edit_any_contract(hub):
    contract = ContractFactory(category=hub.category)
    assert not access.can_edit_contract(hub.buyer, contract)


def test_contract_manager_edits_own_contracts_not_another_category(hub):
    own = ContractFactory(category=hub.category)
    other = ContractFactory(category=hub.other_category)
    assert access.can_edit_contract(hub.cm, own)
    assert not access.can_edit_contract(hub.cm, other)


def test_contract_level_manager_override_moves_the_right_to_edit(hub):
    contract = ContractFactory(category=hub.other_category, contract_manager=hub.cm)
    assert access.can_edit_contract(hub.cm, contract)
    assert not access.can_edit_contract(hub.other_cm, contract)


def test_head_of_category_edits_everything_in_the_pillar_only(hub):
    assert access.can_edit_contract(hub.head, ContractFactory(category=hub.category))
    assert not access.can_edit_contract(hub.head, ContractFactory(category=hub.other_category))


def test_cover_edits_while_the_primary_is_absent(hub):
    contract = ContractFactory(category=hub.category)
    assert not access.can_edit_contract(hub.cover, contract)
    hub.cm.profile.absent_from = TODAY - datetime.timedelta(days=1)
    hub.cm.profile.save()
    assert access.can_edit_contract(hub.cover, contract)


def test_anonymous_sees_only_public_contracts_when_the_index_is_public(hub, settings):
    public = ContractFactory(category=hub.category)
    ContractFactory(category=hub.category, is_public=False)
    settings.HUB_PUBLIC_INDEX = False
    assert not access.visible_contracts(AnonymousUser()).exists()
    settings.HUB_PUBLIC_INDEX = True
    assert list(access.visible_contracts(AnonymousUser())) == [public]
    assert access.visible_contracts(hub.buyer).count() == 2


def test_only_creator_roles_create(hub):
    creators = {hub.sourcing, hub.head, hub.admin}
    for user in (hub.buyer, hub.cm, hub.cat_manager, hub.cat_officer, *creators):
        assert access.can_create_contract(user) is (user in creators)
