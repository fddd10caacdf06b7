"""Who manages this contract? One box, one step to the answer."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.factories import TODAY, ContractFactory, VendorAliasFactory, VendorFactory
from vendors.services import vendor_refresh_search_names

LOOKUP = reverse("contracts:lookup")


@pytest.fixture
def printing(hub):
    vendor = VendorFactory(legal_name="Acme Print Solutions Ltd")
    VendorAliasFactory(vendor=vendor, name="PrintCo")
    vendor_refresh_search_names(vendor=vendor)
    vendor.refresh_from_db()
    return ContractFactory(
        reference="ITS75", title="Managed print service", category=hub.category, vendors=[vendor]
    )


def test_exact_reference_goes_straight_to_the_answer(client, hub, printing):
    client.force_login(hub.buyer)
    ContractFactory(reference="ITS750", title="Something else ITS75", category=hub.category)
    response = client.get(LOOKUP, {"q": " its75 "})
    html = response.content.decode()
    assert "Exact reference match" in html
    assert html.count("answer-card") == 1
    assert hub.cm.profile.work_phone in html
    assert hub.cm.profile.work_email in html
    assert hub.head.get_full_name() in html
    assert "IT Services" in html
    assert f"{printing.get_absolute_url()}#user-guide" in html


@pytest.mark.parametrize("query", ["acme", "printco", "managed print"])
def test_vendor_alias_or_title_words_find_the_manager(client, hub, printing, query):
    client.force_login(hub.buyer)
    html = client.get(LOOKUP, {"q": query}).content.decode()
    assert 'data-reference="ITS75"' in html
    assert hub.cm.profile.work_phone in html


def test_cover_person_is_shown_while_the_primary_is_absent(client, hub, printing):
    hub.cm.profile.absent_from = TODAY - datetime.timedelta(days=1)
    hub.cm.profile.absent_until = TODAY + datetime.timedelta(days=10)
    hub.cm.profile.save()
    client.force_login(hub.buyer)
    html = client.get(LOOKUP, {"q": "ITS75"}).content.decode()
    assert "contact the cover person" in html
    assert html.index(hub.cover.profile.work_phone) < html.index(hub.cm.profile.work_phone)


def test_a_full_page_of_answers_does_not_pass_for_the_number_of_matches(client, hub):
    """ "10 contracts match 'waste'" when the index held 58 (found by review): ten answers are
    the first ten, and the page links to every match."""
    for n in range(12):
        ContractFactory(reference=f"ENV{n}", title=f"Waste collection {n}", category=hub.category)
    client.force_login(hub.buyer)
    html = client.get(LOOKUP, {"q": "waste"}).content.decode()
    assert html.count("answer-card") == 10
    assert "The first 10 contracts matching “waste”" in html
    assert "10 contracts match “" not in html
    index = re.search(r'href="([^"]+)">see every match', html).group(1).replace("&amp;", "&")
    assert len(re.findall(r'data-ref="ENV', client.get(index).content.decode())) == 12
    ContractFactory(reference="ENV99", title="Banbury waste depot", category=hub.category)
    few = client.get(LOOKUP, {"q": "banbury"}).content.decode()
    assert "1 contract matches “banbury”." in few


def test_no_match_says_so_and_empty_query_shows_the_box(client, hub, printing):
    client.force_login(hub.buyer)
    assert "No contract matches" in client.get(LOOKUP, {"q": "zzzz"}).content.decode()
    assert client.get(LOOKUP).status_code == 200


def test_htmx_lookup_returns_the_fragment_in_constant_queries(
    client, hub, printing, django_assert_max_num_queries
):
    for n in range(15):
        ContractFactory(reference=f"PR{n}", title=f"Print job {n}", category=hub.category)
    client.force_login(hub.buyer)
    with django_assert_max_num_queries(6):
        response = client.get(LOOKUP, {"q": "print"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert html.count("answer-card") == 10


def test_anonymous_sees_only_public_contracts_and_work_contacts(client, hub, printing, settings):
    settings.HUB_PUBLIC_INDEX = True
    ContractFactory(reference="ITS99", title="Secret print", category=hub.category, is_public=False)
    html = client.get(LOOKUP, {"q": "print"}).content.decode()
    assert 'data-reference="ITS75"' in html
    assert "ITS99" not in html
    assert hub.cm.email not in html  # Personal account email never shown, only work email.
