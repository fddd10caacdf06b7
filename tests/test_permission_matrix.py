"""Role × view × object: every view of the hub, for every role, on the server.

Cases live beside each app's tests (tests/<app>/matrix_cases.py); add yours to APPS' lists.
"""

from urllib.parse import urlencode

import pytest

from tests.contracts import matrix_cases as contracts_cases
from tests.factories import AuthorityFactory, ContractFactory, VendorFactory
from tests.hub import matrix_cases as hub_cases
from tests.kpis import matrix_cases as kpis_cases
from tests.matrix import ROLES
from tests.notifications import matrix_cases as notifications_cases
from tests.sourcing import matrix_cases as sourcing_cases
from tests.spend import matrix_cases as spend_cases

APPS = [hub_cases, contracts_cases, kpis_cases, notifications_cases, sourcing_cases, spend_cases]
CASES = [case for app in APPS for case in app.CASES]
PUBLIC_INDEX_OPEN = {name for app in APPS for name in app.PUBLIC_INDEX_OPEN}


class World:
    """The hub fixture plus the objects the cases point at."""

    def __init__(self, hub):
        self.hub = hub
        self.authority = AuthorityFactory(code="oxf", name="Oxford City Council")
        self.vendor = VendorFactory(legal_name="Acme Printing Ltd")
        self.public_contract = ContractFactory(
            reference="ITS75",
            title="Printing services",
            category=hub.category,
            vendors=[self.vendor],
            authorities=[self.authority],
        )
        self.internal_contract = ContractFactory(
            reference="ITS76", title="Internal audit", category=hub.category, is_public=False
        )
        self.other_contract = ContractFactory(
            reference="FAC115",
            title="Cleaning",
            category=hub.other_category,
            authorities=[self.authority],
        )

    def user(self, role):
        return None if role == "anon" else getattr(self.hub, role)


@pytest.fixture
def world(hub):
    return World(hub)


def _request(client, world, case, role):
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    url = case.url(world)
    if case.method == "post":
        return client.post(url, case.data(world) if case.data else {})
    return client.get(url)


def _assert_refused(response, role):
    if role == "anon":
        assert response.status_code in {302, 404}, response.status_code
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code in {403, 404}, response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_permission_matrix(client, world, case, role):
    response = _request(client, world, case, role)
    if role in case.allowed:
        assert response.status_code in case.ok, (
            f"{role} should reach {case.name}: got {response.status_code}"
        )
    else:
        _assert_refused(response, role)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_public_index_opens_only_public_pages_to_anonymous(client, world, case, settings):
    settings.HUB_PUBLIC_INDEX = True
    response = _request(client, world, case, "anon")
    if case.name in PUBLIC_INDEX_OPEN:
        assert response.status_code in case.ok
    else:
        _assert_refused(response, "anon")


# Odd values for every query key a view of the hub reads, and some it does not.
ODD_KEYS = (
    "page", "per_page", "sort", "order", "q", "search", "authority", "category", "pillar",
    "vendor", "contract", "payee", "status", "stage", "date_from", "date_to", "month", "year",
    "from", "to", "threshold", "min", "max", "fmt", "next", "kind", "method", "manager",
    "expense_code", "on_contract", "off_contract", "scope", "period", "view", "tab",
    "vendor_name", "target", "unread", "late", "mine", "set_aside", "unmapped", "owner", "rag",
    "route", "show_expired", "expires_within", "contract_manager", "date", "due_date",
)  # fmt: skip
ODD_VALUES = ("zzz", "-1", "9" * 40, "9" * 5000, "2026-13-45", "9999-12-31", "0001-01-01",
              "\x00", "' OR 1=1 --", "")  # fmt: skip


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda value: repr(value)[:16])
@pytest.mark.parametrize("case", [c for c in CASES if c.method == "get"], ids=lambda c: c.name)
def test_odd_query_strings_never_fail(client, world, case, value):
    """Every page the matrix knows, for a role it admits, with junk in every query key."""
    role = "admin" if "admin" in case.allowed or not case.allowed else sorted(case.allowed)[0]
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    url = case.url(world)
    query = urlencode([(key, value) for key in ODD_KEYS])
    response = client.get(url + ("&" if "?" in url else "?") + query)
    assert response.status_code < 500
