"""The contract index: search, every filter, sorting, pagination and odd query strings."""

import datetime
import html
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from contracts.models import ContractStatus
from tests.factories import (
    TODAY,
    AuthorityFactory,
    ContractFactory,
    VendorAliasFactory,
    VendorFactory,
)
from vendors.services import vendor_refresh_search_names

INDEX = reverse("contracts:index")


def refs(response) -> set[str]:
    """The references shown in the index table."""
    return set(re.findall(r'data-ref="([^"]+)"', response.content.decode()))


@pytest.fixture
def contracts(hub):
    oxford = AuthorityFactory(code="oxf", name="Oxford City Council")
    cherwell = AuthorityFactory(code="che", name="Cherwell District Council")
    acme = VendorFactory(legal_name="Acme Print Solutions Ltd")
    VendorAliasFactory(vendor=acme, name="PrintCo")
    vendor_refresh_search_names(vendor=acme)
    acme.refresh_from_db()
    zen = VendorFactory(legal_name="Zenith Cleaning Services")

    def make(ref, **kw):
        kw.setdefault("category", hub.category)
        return ContractFactory(reference=ref, **kw)

    return {
        "vendors": {"acme": acme, "zen": zen},
        "authorities": {"oxford": oxford, "cherwell": cherwell},
        "ITS1": make(
            "ITS1",
            title="Managed print service",
            vendors=[acme],
            authorities=[oxford],
            end_date=TODAY + datetime.timedelta(days=20),
            awarded_value=500,
        ),
        "ITS2": make(
            "ITS2",
            title="Laptops",
            description="Includes Café equipment",
            authorities=[cherwell],
            end_date=TODAY + datetime.timedelta(days=150),
            awarded_value=9000,
        ),
        "FAC1": make(
            "FAC1",
            title="Office cleaning",
            category=hub.other_category,
            vendors=[zen],
            authorities=[oxford, cherwell],
            contract_manager=hub.other_cm,
            end_date=TODAY + datetime.timedelta(days=400),
            awarded_value=100,
        ),
        "OLD1": make(
            "OLD1",
            title="Old print deal",
            vendors=[acme],
            status=ContractStatus.EXPIRED,
            start_date=TODAY - datetime.timedelta(days=800),
            end_date=TODAY - datetime.timedelta(days=10),
        ),
        "PLN1": make(
            "PLN1",
            title="Future fleet",
            status=ContractStatus.PLANNED,
            start_date=None,
            awarded_value=None,
            end_date=None,
        ),
    }


@pytest.fixture
def signed_in(client, hub):
    client.force_login(hub.buyer)
    return client


def test_index_lists_current_contracts_and_hides_expired(signed_in, contracts):
    assert refs(signed_in.get(INDEX)) == {"ITS1", "ITS2", "FAC1", "PLN1"}


def test_expired_contracts_show_behind_the_toggle_and_are_flagged(signed_in, contracts):
    response = signed_in.get(INDEX, {"show_expired": "true", "q": "old print"})
    assert refs(response) == {"OLD1"}
    assert "Expired" in response.content.decode()


@pytest.mark.parametrize(
    ("status", "expected"),
    [("expired", {"OLD1"}), ("active", {"ITS1", "ITS2", "FAC1"}), ("planned", {"PLN1"})],
)
def test_choosing_a_status_lists_its_contracts_ended_ones_included(
    signed_in, contracts, status, expected
):
    """Found by review: "Status: Expired" listed nothing unless the expired box was ticked too."""
    response = signed_in.get(INDEX, {"status": status})
    assert refs(response) == expected
    hidden = "(expired hidden)" in response.content.decode()
    assert hidden is (status != "expired")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("its1", {"ITS1"}),  # reference
        ("managed print", {"ITS1"}),  # words of the title
        ("cafe", {"ITS2"}),  # description, accents folded
        ("acme", {"ITS1"}),  # vendor legal name
        ("printco", {"ITS1"}),  # vendor alias
        ("facilities", {"FAC1"}),  # category name
        ("zenith cleaning", {"FAC1"}),
        ("print nothing-like-this", set()),
    ],
)
def test_search_matches_reference_title_description_vendor_alias_and_category(
    signed_in, contracts, query, expected
):
    assert refs(signed_in.get(INDEX, {"q": query})) == expected


def test_each_filter_narrows_the_index(signed_in, contracts, hub):
    oxford = contracts["authorities"]["oxford"]
    acme = contracts["vendors"]["acme"]
    cases = [
        ({"pillar": hub.pillar.pk}, {"ITS1", "ITS2", "PLN1"}),
        ({"category": hub.other_category.pk}, {"FAC1"}),
        ({"authority": oxford.pk}, {"ITS1", "FAC1"}),
        ({"vendor": acme.pk}, {"ITS1"}),
        ({"vendor_name": "zenith"}, {"FAC1"}),
        ({"status": "planned"}, {"PLN1"}),
        ({"contract_manager": hub.cm.pk}, {"ITS1", "ITS2", "PLN1"}),
        ({"contract_manager": hub.other_cm.pk}, {"FAC1"}),
        ({"expires_within": "30"}, {"ITS1"}),
        ({"expires_within": "180"}, {"ITS1", "ITS2"}),
        ({"vendor": acme.pk, "show_expired": "true"}, {"ITS1", "OLD1"}),
        ({"authority": oxford.pk, "pillar": hub.pillar.pk, "expires_within": "90"}, {"ITS1"}),
    ]
    for params, expected in cases:
        assert refs(signed_in.get(INDEX, params)) == expected, params


def test_a_contract_with_two_matching_awards_is_listed_once(signed_in, contracts):
    from contracts.models import ContractAward

    acme = contracts["vendors"]["acme"]
    ContractAward.objects.create(contract=contracts["ITS1"], vendor=acme, lot="Lot 2")
    response = signed_in.get(INDEX, {"vendor": acme.pk})
    assert response.content.decode().count('data-ref="ITS1"') == 1


def test_sorting_by_value_both_ways(signed_in, contracts):
    def order(sort):
        html = signed_in.get(INDEX, {"sort": sort}).content.decode()
        return re.findall(r'data-ref="([^"]+)"', html)

    assert order("awarded_value")[:3] == ["FAC1", "ITS1", "ITS2"]
    assert order("-awarded_value")[:3] == ["ITS2", "ITS1", "FAC1"]


def _order(client, params) -> list[str]:
    html = client.get(INDEX, params).content.decode()
    return re.findall(r'data-ref="([^"]+)"', html)


@pytest.mark.parametrize("narrowing", [{}, {"pillar": "PILLAR"}, {"expires_within": "180"}])
def test_every_sort_gives_the_same_order_filtered_or_not(signed_in, hub, narrowing):
    """Narrowing filters sort through expressions (so PostgreSQL filters first) and every page
    is fetched by its ids first: neither may change the order a user sees."""
    values = [700, None, 50, 700, 9000, 120, None, 3]
    made = [
        ContractFactory(
            reference=f"{code}{n}", category=hub.category, awarded_value=value,
            end_date=TODAY + datetime.timedelta(days=10 + 17 * n),
        )
        for n, (code, value) in enumerate(zip("ABCABCAB", values, strict=True))
    ]  # fmt: skip
    params = {k: (hub.pillar.pk if v == "PILLAR" else v) for k, v in narrowing.items()}
    by_ref = sorted(made, key=lambda c: c.reference)
    with_value = sorted((c for c in made if c.awarded_value is not None),
                        key=lambda c: (c.awarded_value, c.reference))  # fmt: skip
    no_value = sorted((c for c in made if c.awarded_value is None), key=lambda c: c.reference)
    high_first = sorted(with_value, key=lambda c: (-c.awarded_value, c.reference))
    expected = {
        "reference": by_ref,
        "-reference": by_ref[::-1],
        "awarded_value": with_value + no_value,  # Missing values last, both ways.
        "-awarded_value": high_first + no_value,
        "": sorted(made, key=lambda c: (c.end_date, c.reference)),  # The default: end date.
    }
    for sort, contracts_in_order in expected.items():
        got = _order(signed_in, {**params, "sort": sort} if sort else params)
        assert got == [c.reference for c in contracts_in_order], (sort, params)


def test_paging_by_ids_keeps_order_across_pages(signed_in, hub):
    for n in range(60):
        ContractFactory(reference=f"P{n:03d}", category=hub.category, awarded_value=n % 7)
    params = {"pillar": hub.pillar.pk, "sort": "-awarded_value", "per_page": 25}
    seen = [ref for page in (1, 2, 3) for ref in _order(signed_in, {**params, "page": page})]
    assert len(seen) == len(set(seen)) == 60
    values = dict(ContractFactory._meta.model.objects.values_list("reference", "awarded_value"))
    assert [values[r] for r in seen] == sorted((values[r] for r in seen), reverse=True)


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "no_such_column"},
        {"sort": "-;drop table"},
        {"page": "99999"},
        {"page": "-4"},
        {"page": "abc"},
        {"per_page": "1000000"},
        {"per_page": "nan"},
        {"pillar": "not-a-number"},
        {"category": "999999"},
        {"vendor": "'; select"},
        {"status": "sideways"},
        {"expires_within": "7"},
        {"contract_manager": "x"},
        {"authority": "1e9"},
        {"show_expired": "maybe"},
        {"q": "%_\\'\""},
        {"q": "x" * 5000},
    ],
)
def test_odd_query_strings_give_a_normal_page(signed_in, contracts, params):
    response = signed_in.get(INDEX, params)
    assert response.status_code == 200
    assert "contract-table" in response.content.decode()


def test_page_past_the_end_shows_the_last_page(signed_in, hub):
    for n in range(30):
        ContractFactory(reference=f"BULK{n:02d}", category=hub.category)
    response = signed_in.get(INDEX, {"page": "99999", "sort": "reference"})
    assert refs(response) == {f"BULK{n:02d}" for n in range(25, 30)}


def test_per_page_is_bounded(signed_in, hub):
    for n in range(30):
        ContractFactory(reference=f"BULK{n:02d}", category=hub.category)
    assert len(refs(signed_in.get(INDEX, {"per_page": "100000"}))) == 25
    assert len(refs(signed_in.get(INDEX, {"per_page": "50"}))) == 30


def test_the_url_holds_the_whole_state(signed_in, contracts, hub):
    """An htmx update returns only the results, and the same URL renders the full page."""
    params = {"category": hub.category.pk, "sort": "-end_date", "q": "print"}
    partial = signed_in.get(INDEX, params, headers={"HX-Request": "true"})
    full = signed_in.get(INDEX, params)
    assert "<html" not in partial.content.decode()
    assert refs(partial) == refs(full) == {"ITS1"}


def test_index_query_count_is_constant_whatever_page_size_or_vendor_count(
    signed_in, hub, django_assert_max_num_queries
):
    vendors = [VendorFactory() for _ in range(5)]
    for n in range(120):
        ContractFactory(reference=f"Q{n:03d}", category=hub.category, vendors=vendors[: 1 + n % 5])
    counts = []
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for per_page in (25, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = signed_in.get(INDEX, {"per_page": per_page})
        assert len(refs(response)) == per_page
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(14):  # The page's ids, then its contracts.
        signed_in.get(INDEX, {"per_page": 100, "q": "contract", "authority": "1"})


def test_no_filter_renders_more_than_500_options(signed_in, contracts):
    html = signed_in.get(INDEX).content.decode()
    for select in re.findall(r"<select.*?</select>", html, flags=re.S):
        assert select.count("<option") <= 500
    # The vendor filter is an autocomplete, not a list of every vendor.
    assert 'name="vendor"' in html
    assert "Zenith Cleaning Services</option>" not in html


def test_contract_manager_filter_costs_a_fixed_number_of_queries(signed_in, hub):
    """The filter resolves categories and absences to ids first: a few queries, never per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for batch in (range(0, 3), range(3, 60)):
        for n in batch:
            ContractFactory(reference=f"M{n:03d}", category=hub.category)
        with CaptureQueriesContext(connection) as ctx:
            response = signed_in.get(INDEX, {"contract_manager": hub.cm.pk, "per_page": 100})
        assert len(refs(response)) == len(batch) + batch.start
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 19  # Includes the page's ids, then its contracts.


def test_a_new_sort_starts_on_page_one(client, hub):
    """The column links keep the filters but drop the page: page 3 of another order means
    nothing (found in a walkthrough)."""
    for number in range(60):
        ContractFactory(category=hub.category, reference=f"ITS{number + 100}")
    client.force_login(hub.buyer)
    page = client.get("/contracts/?page=3&q=ITS").content.decode()
    links = re.findall(r'<th[^>]*>\s*<a href="([^"]+)"', page)
    assert links, "no sortable column headers"
    for link in links:
        query = parse_qs(urlparse(html.unescape(link)).query)
        assert "page" not in query, link
        assert query["q"] == ["ITS"] and "sort" in query, link


def test_a_signed_contract_not_yet_started_says_when_it_starts(client, hub):
    """(From a walkthrough: a contract handed over in November, starting in January, read
    plain 'Active'.)"""
    later = ContractFactory(
        category=hub.category,
        status=ContractStatus.ACTIVE,
        start_date=TODAY + datetime.timedelta(days=40),
        end_date=TODAY + datetime.timedelta(days=800),
    )
    running = ContractFactory(category=hub.category, status=ContractStatus.ACTIVE)
    client.force_login(hub.buyer)
    starts = f"Active · starts {later.start_date.day} {later.start_date:%b %Y}"
    index = client.get(f"/contracts/?q={later.reference}").content.decode()
    assert starts in index
    assert starts in client.get(later.get_absolute_url()).content.decode()
    detail = client.get(running.get_absolute_url()).content.decode()
    assert "Active · starts" not in detail
    assert '<span class="badge text-bg-success">Active' in detail
