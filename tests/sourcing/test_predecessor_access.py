"""A project's predecessor is superseded at handover, so naming it is a decision on that
contract (issue 6: "Decisions on a contract need its contract manager or the head of
category"): the project form accepts only contracts the user may decide on, or whose sourcing
manager they are."""

from django.urls import reverse

from contracts.models import ContractStatus
from sourcing.access import can_decide
from sourcing.models import SourcingProject
from tests.factories import ContractFactory


def test_project_creator_cannot_link_a_contract_they_may_not_decide_on(client, hub):
    """Refused at the form, so no handover can later supersede FAC115 (a contract of another
    pillar), which neither the sourcing manager nor the ITS contract manager may decide on."""
    other = ContractFactory(reference="FAC115", category=hub.other_category)
    for user in (hub.sourcing, hub.cm):
        assert not can_decide(user, other)
    assert _create(client, hub, hub.sourcing, "FAC115").status_code == 200
    assert not SourcingProject.objects.filter(predecessor=other).exists()
    other.refresh_from_db()
    assert other.status == ContractStatus.ACTIVE


def _create(client, hub, user, reference):
    client.force_login(user)
    return client.post(
        reverse("sourcing:create"),
        {
            "title": f"Re-procurement of {reference}",
            "category": hub.category.pk,
            "route": "open",
            "owner": user.pk,
            "estimated_value": "100000",
            "predecessor_reference": reference.lower(),
        },
    )


def test_the_form_says_who_may_start_the_reprocurement(client, hub):
    ContractFactory(reference="FAC115", category=hub.other_category)
    response = _create(client, hub, hub.sourcing, "FAC115")
    assert response.status_code == 200
    assert "Only the contract manager of FAC115, its sourcing manager or the head" in (
        response.content.decode()
    )


def test_its_sourcing_manager_and_its_head_may_name_it(client, hub):
    mine = ContractFactory(reference="FAC116", category=hub.other_category,
                           sourcing_manager=hub.sourcing)  # fmt: skip
    ours = ContractFactory(reference="ITS117", category=hub.category)
    assert _create(client, hub, hub.sourcing, "FAC116").status_code == 302
    assert _create(client, hub, hub.head, "ITS117").status_code == 302
    assert set(SourcingProject.objects.values_list("predecessor__reference", flat=True)) == {
        mine.reference,
        ours.reference,
    }
