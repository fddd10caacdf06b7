"""Contract files (the user guide, documents) are served by views that check access first."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

GUIDE = b"%PDF-1.4 How to buy from this framework"


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _document(contract, *, is_public, name="terms.pdf", body=b"Terms and conditions"):
    return contract.documents.create(
        title="Terms", file=ContentFile(body, name=name), is_public=is_public
    )


def _document_url(document):
    return reverse("contracts:document", args=[document.contract.reference, document.pk])


@pytest.fixture(autouse=True)
def _empty_media(settings):
    """A new, empty in-memory media store, so a file keeps the name it was uploaded under
    (a name already taken gets a random suffix, as on disk)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def contract(hub):
    return ContractFactory(
        reference="ITS75",
        category=hub.category,
        guide_file=SimpleUploadedFile("framework-guide.pdf", GUIDE),
    )


def test_buyer_downloads_the_user_guide_of_a_contract_they_can_see(client, hub, contract):
    client.force_login(hub.buyer)
    response = client.get(reverse("contracts:guide", args=[contract.reference]))
    assert response.status_code == 200
    assert _body(response) == GUIDE
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="framework-guide.pdf"'
    assert "private" in response["Cache-Control"]


def test_contract_without_a_guide_file_is_404(client, hub):
    contract = ContractFactory(category=hub.category, guide_url="https://example.com/guide")
    client.force_login(hub.buyer)
    assert client.get(reverse("contracts:guide", args=[contract.reference])).status_code == 404


def test_guide_whose_file_is_gone_from_storage_is_404(client, hub, contract):
    contract.guide_file.storage.delete(contract.guide_file.name)
    client.force_login(hub.buyer)
    assert client.get(reverse("contracts:guide", args=[contract.reference])).status_code == 404


def test_guide_of_an_internal_contract_is_refused_to_anonymous_visitors(
    client, hub, contract, settings
):
    settings.HUB_PUBLIC_INDEX = True
    url = reverse("contracts:guide", args=[contract.reference])
    assert _body(client.get(url)) == GUIDE
    contract.is_public = False
    contract.save(update_fields=["is_public"])
    assert client.get(url).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in_when_the_index_is_closed(client, contract):
    response = client.get(reverse("contracts:guide", args=[contract.reference]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_internal_document_is_refused_to_anonymous_visitors_even_with_the_public_index(
    client, contract, settings
):
    settings.HUB_PUBLIC_INDEX = True
    public = _document(contract, is_public=True, name="prices.csv", body=b"item,price\n")
    internal = _document(contract, is_public=False)
    response = client.get(_document_url(public))
    assert response.status_code == 200
    assert _body(response) == b"item,price\n"
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="prices.csv"'
    assert client.get(_document_url(internal)).status_code == 404


@pytest.mark.parametrize("role", ["buyer", "cm", "admin"])
def test_internal_document_is_served_to_signed_in_staff(client, hub, contract, role):
    # The contract page lists internal documents to every signed-in user
    # (contracts.access.can_see_internal); the download follows it.
    internal = _document(contract, is_public=False)
    client.force_login(getattr(hub, role))
    response = client.get(_document_url(internal))
    assert response.status_code == 200
    assert _body(response) == b"Terms and conditions"
    assert response["Content-Disposition"] == 'attachment; filename="terms.pdf"'


def test_document_is_404_under_another_contracts_reference(client, hub, contract):
    other = ContractFactory(reference="FAC115", category=hub.other_category)
    document = _document(contract, is_public=True)
    client.force_login(hub.cm)
    url = reverse("contracts:document", args=[other.reference, document.pk])
    assert client.get(url).status_code == 404


def test_link_only_document_has_no_download(client, hub, contract):
    document = contract.documents.create(title="Tender", url="https://example.com/tender")
    client.force_login(hub.cm)
    assert client.get(_document_url(document)).status_code == 404


def test_contract_page_links_files_through_the_download_views(client, hub, contract, settings):
    public = _document(contract, is_public=True)
    internal = _document(contract, is_public=False)
    client.force_login(hub.buyer)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert reverse("contracts:guide", args=[contract.reference]) in page
    assert _document_url(public) in page
    assert _document_url(internal) in page
    assert "/media/" not in page
    client.logout()
    settings.HUB_PUBLIC_INDEX = True
    page = client.get(contract.get_absolute_url()).content.decode()
    assert _document_url(public) in page
    assert _document_url(internal) not in page


def test_downloads_run_a_fixed_number_of_queries(client, hub, contract, django_assert_num_queries):
    document = _document(contract, is_public=False)
    client.force_login(hub.buyer)
    # Session and user, the contract, then the document.
    with django_assert_num_queries(3):
        client.get(reverse("contracts:guide", args=[contract.reference]))
    with django_assert_num_queries(4):
        client.get(_document_url(document))


def test_contract_page_query_count_does_not_grow_with_documents(
    client, hub, contract, django_assert_max_num_queries
):
    client.force_login(hub.buyer)
    _document(contract, is_public=True)
    with django_assert_max_num_queries(40) as captured:
        client.get(contract.get_absolute_url())
    few = len(captured)
    for _ in range(5):
        _document(contract, is_public=False)
    with django_assert_max_num_queries(few):
        client.get(contract.get_absolute_url())


def test_the_edit_form_links_the_current_guide_through_its_view(client, hub, contract):
    client.force_login(hub.admin)
    html = client.get(reverse("contracts:edit", args=[contract.reference])).content.decode()
    assert f'href="{reverse("contracts:guide", args=[contract.reference])}"' in html
    assert "/media/" not in html


def test_media_files_are_never_served_as_they_are(client, hub, contract, settings):
    """Even in DEBUG (the demo), MEDIA_ROOT has no route: files go through the views above."""
    from django.urls import Resolver404, resolve

    settings.DEBUG = True
    client.force_login(hub.admin)
    with pytest.raises(Resolver404):
        resolve(f"/{settings.MEDIA_URL}{contract.guide_file.name}")


def test_the_edit_forms_guide_input_keeps_its_bootstrap_class(client, hub, contract):
    from contracts.forms import ContractForm

    form = ContractForm(instance=contract)
    assert "form-control" in form.fields["guide_file"].widget.attrs["class"]


def test_the_admin_links_files_through_the_download_views(client, hub, contract):
    from spend.models import SpendImport
    from tests.factories import AuthorityFactory

    document = _document(contract, is_public=False)
    spend_import = SpendImport.objects.create(
        authority=AuthorityFactory(), file_name="q1.csv", content_hash="x",
        upload=ContentFile(b"Date,Amount\n", name="q1.csv"),
    )  # fmt: skip
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:contracts_contract_change", args=[contract.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{reverse("contracts:guide", args=[contract.reference])}"' in html
    assert f'href="{_document_url(document)}"' in html
    assert "/media/" not in html
    response = client.get(reverse("admin:spend_spendimport_change", args=[spend_import.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "q1.csv" in html  # Its stored name, with no link.
    assert "/media/" not in html
