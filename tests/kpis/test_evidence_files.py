"""KPI evidence is served, after an access check, to those its review page shows it to."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis import services
from tests.factories import ContractFactory

from .conftest import log_review

MINUTES = b"Minutes of the quarterly review meeting"


@pytest.fixture(autouse=True)
def _empty_media(settings):
    """A new, empty in-memory media store, so a file keeps the name it was uploaded under."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def _review_with_evidence(contract, vendor, hub, *, published=False, submit=True):
    review = log_review(
        contract,
        vendor,
        hub.cm,
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
        {},
        submit=False,
        published=published,
    )
    evidence = services.evidence_add(
        review=review,
        title="Minutes",
        file=SimpleUploadedFile("review-minutes.txt", MINUTES),
        by=hub.cm,
    )
    if submit:
        services.review_submit(review=review, by=hub.cm)
    return review, evidence


def _url(evidence):
    return reverse("kpis:evidence", args=[evidence.pk])


@pytest.mark.parametrize("role", ["cm", "other_cm", "sourcing", "head", "admin"])
def test_evidence_is_served_to_those_who_may_see_the_review(client, hub, contract, vendor, role):
    _review, evidence = _review_with_evidence(contract, vendor, hub)
    client.force_login(getattr(hub, role))
    response = client.get(_url(evidence))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINUTES
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"] == 'attachment; filename="review-minutes.txt"'


def test_evidence_of_an_internal_contracts_review_is_served_to_reviewers(client, hub, vendor):
    internal = ContractFactory(category=hub.category, vendors=[vendor], is_public=False)
    _review, evidence = _review_with_evidence(internal, vendor, hub)
    client.force_login(hub.cat_officer)
    assert client.get(_url(evidence)).status_code == 200


def test_buyer_is_refused_evidence_even_of_a_published_review(client, hub, contract, vendor):
    review, evidence = _review_with_evidence(contract, vendor, hub, published=True)
    client.force_login(hub.buyer)
    assert client.get(review.get_absolute_url()).status_code == 200  # the review: yes
    assert client.get(_url(evidence)).status_code == 404  # its evidence: no


@pytest.mark.parametrize("public_index", [False, True])
def test_anonymous_visitor_is_refused_evidence(
    client, hub, contract, vendor, settings, public_index
):
    settings.HUB_PUBLIC_INDEX = public_index
    _review, evidence = _review_with_evidence(contract, vendor, hub, published=True)
    response = client.get(_url(evidence))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_evidence_is_404(client, hub, db):
    client.force_login(hub.admin)
    assert client.get(reverse("kpis:evidence", args=[999999])).status_code == 404


def test_evidence_whose_file_is_gone_from_storage_is_404(client, hub, contract, vendor):
    _review, evidence = _review_with_evidence(contract, vendor, hub)
    evidence.file.storage.delete(evidence.file.name)
    client.force_login(hub.cm)
    assert client.get(_url(evidence)).status_code == 404


def test_review_page_links_evidence_through_the_download_view(client, hub, contract, vendor):
    review, evidence = _review_with_evidence(contract, vendor, hub, submit=False)
    client.force_login(hub.cm)
    page = client.get(review.get_absolute_url()).content.decode()
    assert _url(evidence) in page
    assert "/media/" not in page


def test_evidence_download_runs_a_fixed_number_of_queries(
    client, hub, contract, vendor, django_assert_num_queries
):
    _review, evidence = _review_with_evidence(contract, vendor, hub)
    client.force_login(hub.cm)
    with django_assert_num_queries(5):
        client.get(_url(evidence))
