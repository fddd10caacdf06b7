"""Creating and editing contracts through the forms."""

import pytest
from django.urls import reverse

from contracts.models import Contract
from tests.factories import AuthorityFactory, CategoryFactory, ContractFactory, VendorFactory


def _payload(hub, **overrides):
    authority = AuthorityFactory(code="oxf")
    data = {
        "reference": "its900",
        "title": "Network switches",
        "category": hub.category.pk,
        "authorities": [authority.pk],
        "kind": "framework",
        "status": "active",
        "start_date": "2026-01-01",
        "end_date": "2028-01-01",
        "max_end_date": "2029-01-01",
        "awarded_value": "250000",
        "currency": "GBP",
        "is_public": "on",
        "awards-TOTAL_FORMS": "2",
        "awards-INITIAL_FORMS": "0",
        "awards-0-vendor": "Acme Networks Ltd",
        "awards-0-lot": "Lot 1",
        "awards-1-vendor": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def acme(db):
    return VendorFactory(legal_name="Acme Networks Ltd")


def test_sourcing_manager_creates_a_contract_with_awards(client, hub, acme):
    client.force_login(hub.sourcing)
    response = client.post(reverse("contracts:create"), _payload(hub))
    contract = Contract.objects.get(reference="ITS900")
    assert response.status_code == 302
    assert response["Location"] == contract.get_absolute_url()
    assert [a.vendor for a in contract.awards.all()] == [acme]
    assert "acme networks" in contract.search_text


def test_bad_input_shows_field_errors_and_saves_nothing(client, hub, acme):
    client.force_login(hub.sourcing)
    response = client.post(
        reverse("contracts:create"),
        _payload(hub, end_date="2025-01-01", **{"awards-0-vendor": "Nobody Ltd", "cpv_code": "x"}),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "nothing has been saved" in html
    assert "No vendor is called “Nobody Ltd”" in html
    assert "A CPV code looks like" in html
    assert not Contract.objects.filter(reference="ITS900").exists()
    # What the user typed is kept.
    assert 'value="Network switches"' in html


def test_end_before_start_is_a_form_error(client, hub, acme):
    client.force_login(hub.sourcing)
    response = client.post(reverse("contracts:create"), _payload(hub, end_date="2025-01-01"))
    assert "The end date must be on or after the start date." in response.content.decode()
    assert not Contract.objects.exists()


def test_active_contract_without_dates_is_a_form_error(client, hub, acme):
    client.force_login(hub.sourcing)
    response = client.post(reverse("contracts:create"), _payload(hub, end_date=""))
    assert "needs start and end dates" in response.content.decode()


def test_contract_manager_edits_own_contract_and_search_text_follows(client, hub, acme):
    contract = ContractFactory(reference="ITS1", category=hub.category)
    client.force_login(hub.cm)
    data = _payload(hub, reference="ITS1", title="Renamed contract")
    response = client.post(reverse("contracts:edit", args=["ITS1"]), data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.title == "Renamed contract"
    assert "renamed contract" in contract.search_text


def test_duplicate_vendor_in_one_lot_is_refused(client, hub, acme):
    client.force_login(hub.sourcing)
    data = _payload(hub, **{"awards-1-vendor": "Acme Networks Ltd", "awards-1-lot": "Lot 1"})
    response = client.post(reverse("contracts:create"), data)
    assert "listed twice" in response.content.decode()
    assert not Contract.objects.exists()


def test_override_of_contract_manager_is_saved(client, hub, acme):
    client.force_login(hub.sourcing)
    response = client.post(
        reverse("contracts:create"),
        _payload(hub, contract_manager=hub.other_cm.pk, sourcing_manager=hub.sourcing.pk),
    )
    assert response.status_code == 302
    contract = Contract.objects.get(reference="ITS900")
    assert contract.contract_manager == hub.other_cm
    assert contract.sourcing_manager == hub.sourcing


def test_invalid_field_is_marked_for_assistive_styling(client, hub, acme):
    client.force_login(hub.sourcing)
    response = client.post(reverse("contracts:create"), _payload(hub, title=""))
    assert response.status_code == 200
    assert 'class="form-control is-invalid"' in response.content.decode()


def test_an_edit_through_the_form_tells_followers_what_changed(
    client, hub, acme, django_capture_on_commit_callbacks
):
    """The form sets the new values on the contract before the service runs: the notice must
    compare with what was saved, not with the form's contract."""
    import datetime

    from notifications.models import Follow, Kind, Notification

    contract = ContractFactory(
        reference="ITS1", category=hub.category, status="active",
        start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2028, 1, 1),
    )  # fmt: skip
    Follow.objects.create(user=hub.buyer, contract=contract)
    client.force_login(hub.cm)
    data = _payload(hub, reference="ITS1", end_date="2028-06-30")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("contracts:edit", args=["ITS1"]), data).status_code == 302
    notice = Notification.objects.get(kind=Kind.CHANGE, recipient=hub.buyer)
    assert "1 Jan 2028 → 30 Jun 2028" in notice.body


def test_an_award_to_a_name_two_vendors_share_asks_for_the_code(client, hub):
    VendorFactory(legal_name="Twin Networks Ltd", vendor_code="V-1")
    twin = VendorFactory(legal_name="Twin Networks Ltd", vendor_code="V-2")
    client.force_login(hub.sourcing)
    data = _payload(hub, **{"awards-0-vendor": "Twin Networks Ltd"})
    html = client.post(reverse("contracts:create"), data).content.decode()
    assert "Several vendors are called “Twin Networks Ltd”" in html and "V-2" in html
    assert not Contract.objects.exists()
    response = client.post(reverse("contracts:create"), _payload(hub, **{"awards-0-vendor": "v-2"}))
    assert response.status_code == 302
    assert [a.vendor for a in Contract.objects.get().awards.all()] == [twin]


def contract_post(hub, reference: str, vendors=(), **extra) -> dict:
    """What the contract form posts for a new framework of `hub.category`, with award rows."""
    from tests.factories import AuthorityFactory

    data = {
        "reference": reference, "title": "Framework", "category": hub.category.pk,
        "authorities": [AuthorityFactory().pk], "kind": "framework", "status": "active",
        "start_date": "2026-01-01", "end_date": "2028-01-01", "max_end_date": "2029-01-01",
        "awarded_value": "250000", "currency": "GBP",
        "awards-TOTAL_FORMS": str(len(vendors)), "awards-INITIAL_FORMS": "0",
    }  # fmt: skip
    for n, name in enumerate(vendors):
        data[f"awards-{n}-vendor"] = name
        data[f"awards-{n}-lot"] = "Lot 1"
    return {**data, **extra}


def test_a_reference_taken_between_the_check_and_the_save_is_a_field_error(
    client, hub, monkeypatch
):
    """Two tabs creating the same reference: both pass the form's unique check; the second
    save hits the database's unique constraint and gets a field error, not a 500."""
    from django.urls import reverse

    from contracts.models import Contract
    from contracts.views import REFERENCE_TAKEN
    from tests.factories import ContractFactory

    ContractFactory(reference="ITS900", category=hub.category)
    monkeypatch.setattr(Contract, "validate_unique", lambda self, exclude=None: None)
    client.force_login(hub.sourcing)
    response = client.post(reverse("contracts:create"), contract_post(hub, "its900"))
    assert response.status_code == 200
    assert REFERENCE_TAKEN in response.content.decode()
    assert Contract.objects.filter(reference="ITS900").count() == 1


def test_saving_a_framework_costs_no_queries_per_award_row(client, hub):
    """The award rows' vendors are looked up together and the rows checked in Python: a
    framework of 15 suppliers saves in as many queries as one of 3 (about six queries a row
    before)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from contracts.models import Contract
    from tests.factories import VendorAliasFactory, VendorFactory

    vendors = [VendorFactory(legal_name=f"Supplier {n} Ltd") for n in range(15)]
    VendorAliasFactory(vendor=vendors[0], name="Trading As Zero")
    client.force_login(hub.sourcing)

    def save(reference: str, names: list[str]) -> int:
        data = contract_post(hub, reference, names)
        with CaptureQueriesContext(connection) as captured:
            response = client.post(reverse("contracts:create"), data)
        assert response.status_code == 302, response.context["awards"].errors
        return len(captured)

    names = ["trading as zero", *(v.legal_name.upper() for v in vendors[1:])]
    few = save("FW3", names[:3])
    assert save("FW15", names) == few
    awarded = Contract.objects.get(reference="FW15").awards.order_by("vendor_id")
    assert [a.vendor for a in awarded] == vendors  # Found by alias and by name, any case.


def test_a_nul_byte_in_an_award_vendor_is_a_field_error(client, hub):
    from django.urls import reverse

    client.force_login(hub.sourcing)
    data = contract_post(hub, "NUL1", ["Acme\x00 Ltd"])
    response = client.post(reverse("contracts:create"), data)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_an_editor_cannot_file_a_contract_under_another_teams_category(client, hub, acme):
    """The contract manager of ITS may edit its contracts, not Facilities' (another pillar):
    moving one there would hand it to a team he is not in. The choice is refused, and the
    form offers only his team's categories."""
    contract = ContractFactory(reference="ITS1", category=hub.category)
    client.force_login(hub.cm)
    url = reverse("contracts:edit", args=["ITS1"])
    response = client.post(url, _payload(hub, reference="ITS1", category=hub.other_category.pk))
    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    contract.refresh_from_db()
    assert contract.category == hub.category
    offered = set(response.context["form"].fields["category"].queryset)
    assert hub.category in offered and hub.other_category not in offered


def test_a_contract_manager_may_move_a_contract_between_the_categories_he_manages(
    client, hub, acme
):
    """Found by review: only team membership counted, so the primary manager of two categories
    could not move a contract between them."""
    second = CategoryFactory(
        code="ITS2", pillar=hub.category.pillar, primary_contract_manager=hub.cm
    )
    ContractFactory(reference="ITS1", category=hub.category)
    client.force_login(hub.cm)
    payload = _payload(hub, reference="ITS1", category=second.pk)
    assert client.post(reverse("contracts:edit", args=["ITS1"]), payload).status_code == 302
    assert Contract.objects.get(reference="ITS1").category == second


def test_a_contract_assigned_outside_the_team_keeps_its_own_category(client, hub, acme):
    """Assigned by name to a Facilities contract, the ITS manager may save it where it is."""
    ContractFactory(reference="FAC1", category=hub.other_category, contract_manager=hub.cm)
    client.force_login(hub.cm)
    payload = _payload(hub, reference="FAC1", category=hub.other_category.pk)
    response = client.post(reverse("contracts:edit", args=["FAC1"]), payload)
    assert response.status_code == 302
    assert Contract.objects.get(reference="FAC1").category == hub.other_category


def test_an_administrator_may_file_a_contract_in_any_category(client, hub, acme):
    """(A head of category files only in their pillars: test_filing_access.)"""
    contract = ContractFactory(reference="ITS1", category=hub.category)
    client.force_login(hub.admin)
    payload = _payload(hub, reference="ITS1", category=hub.other_category.pk)
    assert client.post(reverse("contracts:edit", args=["ITS1"]), payload).status_code == 302
    contract.refresh_from_db()
    assert contract.category == hub.other_category
