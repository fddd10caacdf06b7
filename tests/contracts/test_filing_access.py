"""The category a contract or a sourcing project is filed in comes from the POST body: a head of
category may file only in the pillars they lead (issue 2: heads "may edit everything in their
pillar"), sourcing managers and administrators anywhere."""

from django.urls import reverse

from contracts.access import can_edit_contract
from tests.factories import AuthorityFactory, ContractFactory


def _form(contract, category, authority):
    return {
        "reference": contract.reference,
        "title": contract.title,
        "category": category.pk,
        "authorities": [authority.pk],
        "kind": contract.kind,
        "status": contract.status,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "currency": "GBP",
        "is_public": "on",
        "awards-TOTAL_FORMS": "0",
        "awards-INITIAL_FORMS": "0",
    }


def test_head_of_category_cannot_file_a_contract_in_another_pillar(client, hub):
    authority = AuthorityFactory(code="oxf")
    contract = ContractFactory(reference="ITS75", category=hub.category)
    other = ContractFactory(reference="FAC115", category=hub.other_category)
    assert not can_edit_contract(hub.head, other)  # hub.other_category is in another pillar
    client.force_login(hub.head)
    client.post(
        reverse("contracts:edit", args=["ITS75"]),
        _form(contract, hub.other_category, authority),
    )
    contract.refresh_from_db()
    assert contract.category_id == hub.category.pk, "moved into a pillar the head does not lead"


def test_head_of_category_cannot_move_a_sourcing_project_into_another_pillar(client, hub):
    """Same hole in sourcing: ProjectForm's category is any category, for any project editor."""
    from sourcing.access import can_edit_project
    from tests.sourcing.factories import make_project

    project = make_project(hub, title="Managed print")
    client.force_login(hub.head)
    client.post(
        reverse("sourcing:edit", args=[project.pk]),
        {
            "title": project.title,
            "category": hub.other_category.pk,
            "route": "open",
            "owner": hub.sourcing.pk,
            "estimated_value": "2500000",
        },
    )
    project.refresh_from_db()
    assert project.category_id == hub.category.pk, "moved into a pillar the head does not lead"
    assert can_edit_project(hub.head, project)


def test_sourcing_managers_file_anywhere_and_heads_in_their_pillars(hub):
    from contracts.access import filing_categories

    assert hub.other_category in filing_categories(hub.sourcing)
    assert hub.other_category not in filing_categories(hub.head)
    assert hub.category in filing_categories(hub.head)
    # A contract already filed elsewhere keeps its category on offer (an edit need not move it).
    assert hub.other_category in filing_categories(hub.head, hub.other_category.pk)
