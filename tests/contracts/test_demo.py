"""`manage.py seed_demo`: a realistic, deterministic hub, and the sign-ins the README promises."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.urls import reverse

from categories.models import Authority, Category, Pillar, Role, StaffProfile
from contracts import demo
from contracts.demo import SIGN_INS
from contracts.models import Contract, ContractAward, ContractKind, ContractStatus
from contracts.selectors import contract_team
from procurement_hub.demo import DEMO_PASSWORD
from tests.factories import TODAY
from vendors.models import Vendor, VendorAlias

User = get_user_model()
SMALL = 150


def seed(**options) -> str:
    out = io.StringIO()
    options.setdefault("contracts", SMALL)
    options.setdefault("today", TODAY.isoformat())
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    """What the demo made, in a form two runs can be compared by."""
    contracts = [
        (
            c.reference,
            c.title,
            c.status,
            c.kind,
            c.start_date,
            c.end_date,
            c.max_end_date,
            c.awarded_value,
            c.contract_manager.username if c.contract_manager else None,
            tuple(sorted(a.vendor.legal_name for a in c.awards.all())),
            tuple(
                (o.sequence, o.length_months, o.decide_by, o.exercised)
                for o in c.extension_options.all()
            ),
        )
        for c in Contract.objects.select_related("contract_manager")
        .prefetch_related("awards__vendor", "extension_options")
        .order_by("reference")
    ]
    vendors = list(Vendor.objects.order_by("legal_name").values_list("legal_name", "vendor_code"))
    staff = list(
        StaffProfile.objects.order_by("user__username").values_list(
            "user__username", "role", "job_title", "work_phone", "absent_from"
        )
    )
    return {"contracts": contracts, "vendors": vendors, "staff": staff}


@pytest.fixture
def seeded(db):
    seed()


def test_the_demo_hub_has_the_shape_the_issue_asks_for(seeded):
    assert Authority.objects.count() == 2
    assert Pillar.objects.count() == 3
    assert not Pillar.objects.filter(head__isnull=True).exists()
    assert Category.objects.count() == 15
    assert not Category.objects.filter(primary_contract_manager__isnull=True).exists()
    assert not Category.objects.filter(cover_contract_manager__isnull=True).exists()
    assert 35 <= StaffProfile.objects.count() <= 45
    assert set(StaffProfile.objects.values_list("role", flat=True)) == set(Role.values)
    assert Vendor.objects.count() == 300
    assert VendorAlias.objects.count() > 50
    assert Vendor.objects.filter(is_sme=True).exists()
    assert Vendor.objects.filter(is_vcse=True).exists()
    assert Contract.objects.count() == SMALL
    assert set(Contract.objects.values_list("status", flat=True)) == set(ContractStatus.values)
    assert set(Contract.objects.values_list("kind", flat=True)) == set(ContractKind.values)
    per_contract = ContractAward.objects.values("contract").annotate(n=Count("id"))
    assert {row["n"] for row in per_contract} <= {1, 2, 3, 4, 5}
    assert Contract.objects.expiring_within(90, TODAY).exists()
    assert Contract.objects.filter(end_date__lt=TODAY).exists()
    assert Contract.objects.filter(extension_options__exercised=True).exists()
    assert Contract.objects.filter(extension_options__exercised=False).exists()


def test_every_demo_contract_passes_model_validation(seeded):
    for contract in Contract.objects.all():
        contract.full_clean()  # References, CPV codes, URLs and the date constraints.


def test_an_absent_primary_contract_manager_is_covered_in_the_lookup(seeded):
    contract = Contract.objects.filter(category__code="FAC", contract_manager=None).first()
    team = contract_team(contract, TODAY)
    assert team.primary.profile.is_absent_on(TODAY)
    assert team.cover == contract.category.cover_contract_manager
    assert team.contacts[0] == team.cover


def test_search_finds_demo_contracts_by_vendor_alias(seeded, client):
    alias = VendorAlias.objects.filter(vendor__awards__isnull=False).first()
    client.force_login(User.objects.get(username="buyer"))
    response = client.get(reverse("contracts:index"), {"q": alias.name, "show_expired": "true"})
    held = set(alias.vendor.awards.values_list("contract__reference", flat=True))
    assert held & set(_refs(response))


@pytest.mark.parametrize("username", list(SIGN_INS))
def test_every_role_sign_in_exists_and_can_open_the_index(seeded, client, username):
    role, _what = SIGN_INS[username]
    user = User.objects.get(username=username)
    assert user.profile.role == role
    assert client.login(username=username, password=DEMO_PASSWORD)
    response = client.get(reverse("contracts:index"))
    assert response.status_code == 200
    assert len(_refs(response)) == 25


def test_only_the_hub_administrator_may_use_the_django_admin(seeded):
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.filter(is_staff=True).exclude(profile__role=Role.HUB_ADMIN).exists()


def test_the_seed_is_deterministic_and_reset_starts_again(seeded):
    first = snapshot()
    User.objects.create_user("someone-else")
    seed(reset=True)
    assert not User.objects.filter(username="someone-else").exists()
    assert snapshot() == first
    seed(reset=True, seed=99)
    assert snapshot() != first


@pytest.mark.postgres_only
def test_copy_gives_the_same_rows_as_bulk_create(seeded, monkeypatch):
    first = snapshot()
    monkeypatch.setattr(demo, "COPY_THRESHOLD", 10)  # COPY for every table bigger than 10 rows.
    seed(reset=True)
    assert snapshot() == first
    Contract.objects.create(reference="AFTER1", title="New", category=Category.objects.first())


def test_if_empty_leaves_a_seeded_hub_alone_and_lists_the_sign_ins(seeded):
    before = snapshot()
    output = seed(if_empty=True, contracts=5, seed=5)
    assert "left as it is" in output
    assert "buyer" in output and DEMO_PASSWORD in output
    assert snapshot() == before


def test_if_empty_seeds_an_empty_hub(db):
    assert "Demo data ready" in seed(if_empty=True, contracts=20)
    assert Contract.objects.count() == 20


def test_seeding_a_hub_that_has_data_needs_reset_or_if_empty(seeded):
    with pytest.raises(CommandError, match="--reset"):
        seed()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"today": "22/11/2026"}, "YYYY-MM-DD"),
        ({"today": "2026-02-30"}, "YYYY-MM-DD"),
        ({"contracts": 0}, "at least 1"),
        ({"if_empty": True, "reset": True}, "contradict"),
    ],
)
def test_bad_options_give_a_command_error(db, options, message):
    with pytest.raises(CommandError, match=message):
        seed(**options)
    assert not Contract.objects.exists()


def test_dates_follow_today(db):
    seed(today="2030-01-15", contracts=60)
    current = Contract.objects.current(datetime.date(2030, 1, 15))
    assert current.filter(status=ContractStatus.ACTIVE).exists()
    assert not Contract.objects.filter(
        status=ContractStatus.ACTIVE, end_date__lt=datetime.date(2030, 1, 15)
    ).exists()


def _refs(response) -> list[str]:
    import re

    return re.findall(r'data-ref="([^"]+)"', response.content.decode())


def test_demo_search_text_is_what_the_service_would_write(seeded):
    from contracts.services import contracts_refresh_search_text

    def parts():  # Vendor names in any order: the database's collation orders them.
        return {
            ref: sorted(text.split(" | "))
            for ref, text in Contract.objects.values_list("reference", "search_text")
        }

    before = parts()
    contracts_refresh_search_text(contract_ids=Contract.objects.values_list("pk", flat=True))
    assert parts() == before


def test_every_page_opens_on_the_demo_hub(seeded, client):
    """A demo walk-through as the buyer: nothing in the demo data breaks a page."""
    client.force_login(User.objects.get(username="buyer"))
    contract = Contract.objects.filter(awards__isnull=False, extension_options__isnull=False)[0]
    vendor = contract.awards.first().vendor
    urls = [
        reverse("home"),
        reverse("contracts:index") + "?show_expired=true&sort=-awarded_value",
        reverse("contracts:index") + "?expires_within=90",
        contract.get_absolute_url(),
        reverse("contracts:lookup") + f"?q={contract.reference}",
        reverse("contracts:lookup") + f"?q={vendor.legal_name.split()[0]}",
        reverse("contracts:export", args=["csv"]) + "?expires_within=30",
        reverse("vendors:list"),
        vendor.get_absolute_url(),
        reverse("categories:structure"),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_admin_sign_in_opens_the_django_admin(seeded, client):
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert client.get(reverse("admin:contracts_contract_changelist")).status_code == 200


def test_the_demo_sign_ins_can_do_what_the_list_says(seeded):
    from contracts import access

    its = Contract.objects.filter(category__code="ITS", contract_manager=None).first()
    asc = Contract.objects.filter(category__code="ASC").first()
    user = {name: User.objects.get(username=name) for name in SIGN_INS}
    for name in ("admin", "head", "catmanager", "officer", "cm"):
        assert access.can_edit_contract(user[name], its), name
    for name in ("head", "catmanager", "officer", "cm", "sourcing", "buyer"):
        assert not access.can_edit_contract(user[name], asc), name
    assert not access.can_edit_contract(user["buyer"], its)
    assert access.can_create_contract(user["sourcing"])
    assert not access.can_create_contract(user["buyer"])
