"""A project's predecessor is superseded at handover, so naming it is a decision on that
contract (issue 6: "Decisions on a contract need its contract manager or the head of
category"): the project form accepts only contracts the user may decide on, or whose sourcing
manager they are."""

from django.urls import reverse

from contracts.models import ContractStatus
from sourcing.access import can_decide
from sourcing.models import SourcingProject, Stage
from tests.factories import ContractFactory
from tests.sourcing.factories import move_to
from tests.sourcing.test_services import _fill_and_accept


def test_project_creator_cannot_link_a_contract_they_may_not_decide_on(client, hub):
    other = ContractFactory(reference="FAC115", category=hub.other_category)
    assert not can_decide(hub.sourcing, other)
    client.force_login(hub.sourcing)
    client.post(
        reverse("sourcing:create"),
        {
            "title": "Cleaning re-procurement",
            "category": hub.category.pk,
            "route": "open",
            "owner": hub.sourcing.pk,
            "estimated_value": "100000",
            "predecessor_reference": "FAC115",
        },
    )
    assert not SourcingProject.objects.filter(predecessor=other).exists()


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


def test_contract_in_another_pillar_cannot_be_superseded_by_a_foreign_handover(client, hub):
    """hub.sourcing creates a project in ITS naming FAC115 (other pillar) as predecessor; the ITS
    contract manager accepts the handover. FAC115 ends superseded, though neither of them may
    decide on it (sourcing:decide refuses them both)."""
    other = ContractFactory(reference="FAC115", category=hub.other_category)
    client.force_login(hub.sourcing)
    client.post(
        reverse("sourcing:create"),
        {
            "title": "Cleaning re-procurement",
            "category": hub.category.pk,
            "route": "open",
            "owner": hub.sourcing.pk,
            "estimated_value": "100000",
            "predecessor_reference": "FAC115",
        },
    )
    project = SourcingProject.objects.filter(title="Cleaning re-procurement").first()
    if project is None:
        return  # refused at creation: fine
    for user in (hub.sourcing, hub.cm):
        client.force_login(user)
        assert client.get(reverse("sourcing:decide", args=["FAC115"])).status_code in {403, 404}
    project = move_to(project, Stage.MOBILISATION, by=hub.sourcing)
    project.refresh_from_db()
    _fill_and_accept(project, hub)
    client.force_login(hub.cm)
    client.post(reverse("sourcing:handover_accept", args=[project.pk]))
    other.refresh_from_db()
    assert other.status != ContractStatus.SUPERSEDED
