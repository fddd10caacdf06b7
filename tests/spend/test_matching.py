"""Payee → vendor, expense code → category, payment → contract."""

import datetime
from decimal import Decimal

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from contracts.models import ContractKind, ContractStatus
from spend import matching, selectors, services
from spend import tasks as spend_tasks
from spend.forms import SpendFilters
from spend.matching import suggestions_for
from spend.models import (
    ContractSpend,
    ExpenseCode,
    MatchMethod,
    Payee,
    SpendSummary,
    SupplierPeriod,
    Transaction,
)
from tests.factories import (
    AuthorityFactory,
    ContractFactory,
    PillarFactory,
    UserFactory,
    VendorAliasFactory,
    VendorFactory,
)
from tests.spend.helpers import csv_bytes, run_import
from vendors.models import Vendor

pytestmark = pytest.mark.django_db

HEADER = "Date,Reference,Supplier Name,Amount,Expense Code,Expense Category,Supplier ID"


def rows(*lines, header=HEADER):
    return csv_bytes(*lines, header=header)


@pytest.fixture
def authority():
    return AuthorityFactory(code="oxf", name="Oxford City Council")


def test_payee_matches_vendor_by_normalised_name_alias_and_registration(authority):
    acme = VendorFactory(legal_name="Acme Printing Ltd")
    beta = VendorFactory(legal_name="Beta Holdings PLC", company_number="01234567")
    VendorAliasFactory(vendor=beta, name="Beta Cleaning &amp; Co")
    run_import(authority, rows(
        "01/02/2024,R1,ACME PRINTING LIMITED,100,,,",
        "01/02/2024,R2,Beta Cleaning & Co,100,,,",
        "01/02/2024,R3,B H Group,100,,,01234567",
        "01/02/2024,R4,Nobody Ltd,100,,,",
    ))  # fmt: skip
    payees = {p.name: (p.vendor_id, p.match_method) for p in Payee.objects.all()}
    assert payees == {
        "ACME PRINTING LIMITED": (acme.pk, MatchMethod.NAME),
        "Beta Cleaning & Co": (beta.pk, MatchMethod.NAME),
        "B H Group": (beta.pk, MatchMethod.REGISTRATION),
        "Nobody Ltd": (None, ""),
    }
    assert Transaction.objects.get(reference="R1").vendor == acme


def test_a_name_two_vendors_share_matches_neither(authority):
    VendorFactory(legal_name="Same Name Ltd")
    VendorFactory(legal_name="Same Name Limited")
    run_import(authority, rows("01/02/2024,R1,Same Name,100,,,"))
    assert Payee.objects.get().vendor is None


def test_fuzzy_suggestion_confirmed_adds_an_alias_and_rematches(authority, hub):
    vendor = VendorFactory(legal_name="Acme Printing Services Ltd")
    contract = ContractFactory(
        vendors=[vendor], authorities=[authority], category=hub.category, awarded_value=1000
    )
    day = (contract.start_date + datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    run_import(authority, rows(f"{day},R1,ACME PRINTNG SERVICES,900,,,"))
    payee = Payee.objects.get()
    assert payee.vendor is None and payee.total_spend == Decimal("900.00")
    assert list(selectors.unmatched_payees()) == [payee]
    suggestions = suggestions_for([payee])[payee.pk]
    assert suggestions[0][0] == vendor and suggestions[0][1] >= 80

    services.payee_confirm(payee=payee, vendor=vendor)

    assert vendor.aliases.filter(name="ACME PRINTNG SERVICES", from_payee=True).exists()
    tx = Transaction.objects.get()
    assert (tx.vendor, tx.contract) == (vendor, contract)
    assert ContractSpend.objects.get().total == Decimal("900.00")
    assert SpendSummary.objects.get().on_contract is True
    assert not selectors.unmatched_payees().exists()
    # The next authority's import matches by itself through the alias.
    other = AuthorityFactory(code="abc", name="Abc Council")
    run_import(other, rows(f"{day},R9,Acme Printng Services,5,,,"))
    assert Payee.objects.get(authority=other).match_method == MatchMethod.NAME


def test_unmatched_queue_is_sorted_by_spend(authority):
    run_import(authority, rows("01/02/2024,R1,Small,10,,,", "01/02/2024,R2,Big,1000,,,",
                               "01/02/2024,R3,Mid,100,,,"))  # fmt: skip
    assert [p.name for p in selectors.unmatched_payees()] == ["Big", "Mid", "Small"]


@pytest.fixture
def world(authority, hub):
    """A vendor holding a live contract in hub.category for the authority."""

    class W:
        pass

    w = W()
    w.authority = authority
    w.vendor = VendorFactory(legal_name="Acme Ltd")
    w.contract = ContractFactory(
        reference="ITS1",
        vendors=[w.vendor],
        authorities=[authority],
        category=hub.category,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        awarded_value=Decimal("1000"),
    )
    return w


def _contract_of(reference):
    return Transaction.objects.get(reference=reference).contract


def test_on_contract_needs_award_authority_live_date(world):
    other = AuthorityFactory(code="zzz", name="Not covered")
    run_import(world.authority, rows(
        "15/03/2024,IN,Acme,100,,,", "15/03/2025,LATE,Acme,100,,,",
        "15/03/2023,EARLY,Acme,100,,,", "15/03/2024,OTHER,Other,1,,,",
    ))  # fmt: skip
    run_import(other, rows("15/03/2024,ELSEWHERE,Acme,100,,,"))
    assert _contract_of("IN") == world.contract
    assert _contract_of("LATE") is None
    assert _contract_of("EARLY") is None
    assert _contract_of("OTHER") is None
    assert _contract_of("ELSEWHERE") is None  # The contract does not cover that authority.


def test_planned_contract_takes_no_spend(world):
    world.contract.status = ContractStatus.PLANNED
    world.contract.save()
    run_import(world.authority, rows("15/03/2024,IN,Acme,100,,,"))
    assert _contract_of("IN") is None


def test_mapped_category_must_match_and_mapping_rematches(world, hub):
    run_import(world.authority, rows("15/03/2024,R1,Acme,100,F1,Cleaning,"))
    assert _contract_of("R1") == world.contract  # Unmapped code: any category.
    code = ExpenseCode.objects.get(key="F1")
    services.expense_code_map(code=code, category=hub.other_category)
    tx = Transaction.objects.get(reference="R1")
    assert tx.category == hub.other_category and tx.contract is None
    summary = SpendSummary.objects.get()
    assert (summary.category, summary.pillar, summary.on_contract) == (
        hub.other_category,
        hub.other_pillar,
        False,
    )
    services.expense_code_map(code=code, category=hub.category)
    assert _contract_of("R1") == world.contract
    assert ContractSpend.objects.get().total == Decimal("100.00")


def test_ambiguity_is_resolved_by_the_rule_and_shown(world, hub):
    framework = ContractFactory(
        reference="ITS0", kind=ContractKind.FRAMEWORK, vendors=[world.vendor],
        authorities=[world.authority], category=hub.category,
        start_date=datetime.date(2024, 2, 1), end_date=datetime.date(2024, 12, 31),
    )  # fmt: skip
    newer = ContractFactory(
        reference="ITS2", vendors=[world.vendor], authorities=[world.authority],
        category=hub.category, start_date=datetime.date(2024, 3, 1),
        end_date=datetime.date(2024, 12, 31),
    )  # fmt: skip
    run_import(world.authority, rows("15/03/2024,R1,Acme,100,,,", "15/02/2024,R2,Acme,100,,,"))
    r1 = Transaction.objects.get(reference="R1")
    # Single-supplier beats framework; then the most recently started.
    assert (r1.contract, r1.contract_candidates) == (newer, 3)
    assert selectors.contract_candidates(r1) == [newer, world.contract, framework]
    r2 = Transaction.objects.get(reference="R2")
    assert (r2.contract, r2.contract_candidates) == (world.contract, 2)


def test_contract_burn_flags_80_and_100_percent(world):
    run_import(world.authority, rows("15/03/2024,R1,Acme,850,,,"))
    [row] = selectors.contract_burn(SpendFilters())
    assert (row["contract"], row["percent"], row["used_up"]) == (world.contract, 85.0, False)
    run_import(world.authority, rows("16/03/2024,R2,Acme,200,,,"))
    [row] = selectors.contract_burn(SpendFilters())
    assert row["used_up"] is True
    spend = selectors.contract_spend(world.contract)
    assert spend["total"] == Decimal("1050.00") and spend["used_up"]


def test_off_contract_suppliers_above_threshold(world, settings):
    settings.SPEND_OFF_CONTRACT_THRESHOLD = Decimal("500")
    run_import(world.authority, rows("15/03/2024,R1,Acme,900,,,", "15/03/2024,R2,Lone Co,600,,,",
                                     "15/03/2024,R3,Tiny Co,100,,,"))  # fmt: skip
    names = [r["supplier"] for r in selectors.off_contract_suppliers(SpendFilters())]
    assert names == ["Lone Co"]


def test_payees_set_aside_leave_the_off_contract_list_but_stay_in_top_suppliers(
    world, hub, settings
):
    """A payee set aside as no hub vendor (another council) is nothing to source: the list that
    drives sourcing work leaves it out, whichever totals answer the filters (all time, a
    pillar's, the summaries'); the top suppliers keep it, labelled."""
    settings.SPEND_OFF_CONTRACT_THRESHOLD = Decimal("500")
    run_import(world.authority, rows("15/03/2024,R1,County Council,9000,I1,IT,",
                                     "15/03/2024,R2,Lone Co,600,I1,IT,"))  # fmt: skip
    services.expense_code_map(code=ExpenseCode.objects.get(key="I1"), category=hub.category)
    services.payee_set_aside(payee=Payee.objects.get(name="County Council"))
    for filters in (SpendFilters(), SpendFilters(pillar=hub.pillar),
                    SpendFilters(date_from=datetime.date(2024, 3, 1))):  # fmt: skip
        listed = [r["supplier"] for r in selectors.off_contract_suppliers(filters)]
        assert listed == ["Lone Co"], filters
        top, _count = selectors.top_suppliers(filters)
        assert [(r["supplier"], r["set_aside"]) for r in top] == [
            ("County Council", True),
            ("Lone Co", False),
        ], filters


def test_dashboard_breakdowns(world, hub):
    run_import(
        world.authority,
        rows("15/03/2024,R1,Acme,900,I1,IT,", "15/04/2024,R2,Lone Co,100,F1,Fac,"),
    )
    services.expense_code_map(code=ExpenseCode.objects.get(key="I1"), category=hub.category)
    data = selectors.dashboard(SpendFilters())
    assert data["totals"]["spend"] == Decimal("1000.00")
    assert data["totals"]["share"] == 90.0
    assert data["totals"]["suppliers"] == 2
    assert [(r["pillar__name"], r["spend"]) for r in data["by_pillar"]] == [
        ("Corporate and Commercial", Decimal("900.00")),
        (None, Decimal("100.00")),
    ]
    assert [r["month"] for r in data["by_month"]] == [
        datetime.date(2024, 3, 1),
        datetime.date(2024, 4, 1),
    ]
    assert data["concentration"]["top5"] == 100.0
    filtered = selectors.dashboard(SpendFilters(date_from=datetime.date(2024, 4, 10)))
    assert filtered["totals"]["spend"] == Decimal("100.00")
    assert selectors.dashboard(SpendFilters(pillar=hub.pillar))["totals"]["spend"] == Decimal(
        "900.00"
    )


def test_all_time_supplier_totals_agree_with_the_summaries(world, settings):
    settings.SPEND_OFF_CONTRACT_THRESHOLD = Decimal("50")
    run_import(world.authority, rows("15/03/2024,R1,Acme,900,,,", "15/04/2024,R2,Lone Co,100,,,",
                                     "16/04/2024,R3,Lone Co,-20,,,"))  # fmt: skip
    everything = SpendFilters()
    by_summary = SpendFilters(date_from=datetime.date(2000, 1, 1))  # Forces the summary path.

    def simple(rows):
        keys = ("vendor_id", "unmatched_payee_id", "spend", "on_contract_spend", "payments")
        return [{k: r[k] for k in keys} for r in rows]

    fast, fast_count = selectors.top_suppliers(everything)
    slow, slow_count = selectors.top_suppliers(by_summary)
    assert simple(fast) == simple(slow) and fast_count == slow_count == 2
    assert simple(selectors.off_contract_suppliers(everything)) == simple(
        selectors.off_contract_suppliers(by_summary)
    )
    assert [r["supplier"] for r in selectors.off_contract_suppliers(everything)] == ["Lone Co"]


def test_a_pillars_all_time_suppliers_agree_with_the_summaries(world, hub):
    lines = ("15/03/2024,R1,Acme,900,I1,IT,", "15/04/2025,R2,Lone Co,100,I1,IT,",
             "16/04/2025,R3,Lone Co,-20,F1,Fac,", "17/04/2025,R4,Acme,50,I1,IT,")  # fmt: skip
    run_import(world.authority, rows(*lines))
    services.expense_code_map(code=ExpenseCode.objects.get(key="I1"), category=hub.category)
    pillar = SpendFilters(pillar=hub.pillar)
    by_summary = SpendFilters(pillar=hub.pillar, date_from=datetime.date(2000, 1, 1))

    def simple(rows):
        keys = (
            "unmatched_payee_id",
            "supplier",
            "vendor_id",
            "vendor__legal_name",
            "spend",
            "on_contract_spend",
            "payments",
        )
        return [{k: r[k] for k in keys} for r in rows]

    fast, fast_count = selectors.top_suppliers(pillar)
    slow, slow_count = selectors.top_suppliers(by_summary)
    assert simple(fast) == simple(slow) and fast_count == slow_count == 2
    assert [(r["supplier"], r["spend"]) for r in fast] == [
        ("Acme Ltd", Decimal("950.00")), ("Lone Co", Decimal("100.00"))]  # fmt: skip
    assert fast[0]["share"] == slow[0]["share"] > 0  # Some of Acme's spend is on contract.
    mine = SpendFilters(pillar=hub.pillar, authority=AuthorityFactory())
    assert selectors.top_suppliers(mine) == ([], 0)  # Another authority paid no one.


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        ("2023-06-01", "2025-02-28"),
        ("2023-06-15", "2024-12-31"),  # Dates count by whole months.
        (None, "2024-05-31"),
        ("2023-02-01", None),
        ("2023-01-01", "2024-12-31"),  # Whole years.
        ("2023-04-01", "2025-03-31"),  # Two financial years: quarters and a year.
        ("2023-05-01", "2025-04-30"),  # Months, quarters, a year, quarters and months.
    ],
)
def test_supplier_ranking_under_a_date_range_matches_the_payments(world, date_from, date_to):
    lines = ("15/05/2023,R1,Acme,1000,,,", "15/07/2023,R2,Acme,200,,,",
             "15/03/2024,R3,Lone Co,300,,,", "20/03/2024,R4,Lone Co,-50,,,",
             "15/02/2025,R5,Acme,40,,,", "15/04/2025,R6,Bryn,7000,,,",
             "15/07/2023,R7,Bryn,5.55,,,")  # fmt: skip
    run_import(world.authority, rows(*lines))
    day = lambda text: text and datetime.date.fromisoformat(text)  # noqa: E731
    ranked, count = selectors.top_suppliers(SpendFilters(date_from=day(date_from),
                                                         date_to=day(date_to)))  # fmt: skip
    start = day(date_from) and day(date_from).replace(day=1)
    end = day(date_to)
    expected = {}
    for tx in Transaction.objects.select_related("payee", "vendor"):
        if (start is None or tx.payment_date >= start) and (end is None or tx.month <= end):
            name = tx.vendor.legal_name if tx.vendor else tx.payee.name
            expected[name] = expected.get(name, 0) + tx.amount
    assert {r["supplier"]: r["spend"] for r in ranked} == expected
    assert count == len(expected)
    assert [r["spend"] for r in ranked] == sorted(expected.values(), reverse=True)
    payees = {r["supplier"]: r["payee__name"] for r in ranked}
    assert payees == {name: None if name == "Acme Ltd" else name for name in expected}


def test_quarters_and_years_stay_true_when_imports_touch_some_months(world):
    """Each import refreshes only its months' quarters and years; after three, every quarter
    and year still sums its months (whatever import brought them)."""
    run_import(world.authority, rows("15/01/2024,R1,Acme,100,,,", "20/01/2024,R2,Lone Co,7,,,"))
    run_import(world.authority, rows("15/02/2024,R3,Acme,20,,,"), "feb.csv")
    run_import(world.authority, rows("15/10/2024,R4,Acme,3,,,", "15/01/2025,R5,Lone Co,40,,,"),
               "oct.csv")  # fmt: skip
    keys = ("payee_id", "pillar_id", "category_id", "vendor_id", "on_contract")
    expected = {}
    for row in SpendSummary.objects.values("month", "total", "tx_count", *keys):
        month = row["month"]
        for grain, length in (("q", 3), ("y", 12)):
            start = month.replace(month=month.month - (month.month - 1) % length)
            key = (grain, start, *(row[k] for k in keys))
            total, count = expected.get(key, (0, 0))
            expected[key] = (total + row["total"], count + row["tx_count"])
    stored = {
        (p.grain, p.month, *(getattr(p, k) for k in keys)): (p.total, p.tx_count)
        for p in SupplierPeriod.objects.all()
    }
    assert stored == expected
    acme = Payee.objects.get(name="Acme").pk
    years = SupplierPeriod.objects.filter(grain="y", payee_id=acme)
    assert [(p.month.year, p.total) for p in years.order_by("month")] == [
        (2024, Decimal("123.00"))]  # fmt: skip
    ranked, _count = selectors.top_suppliers(
        SpendFilters(date_from=datetime.date(2024, 2, 1), date_to=datetime.date(2025, 1, 31))
    )
    assert [(r["supplier"], r["spend"]) for r in ranked] == [
        ("Lone Co", Decimal("40.00")), ("Acme Ltd", Decimal("23.00"))]  # fmt: skip


@pytest.fixture
def joint_hub(world, hub):
    """Acme paid by two authorities under three names (two of them Oxford's); Lone Co, no hub
    vendor, paid by each authority (so two payees). Oxford's Acme spend in 2024 is on contract
    (ITS1 covers Oxford only); Cherwell's is not."""
    cherwell = AuthorityFactory(code="chw", name="Cherwell District Council")
    VendorAliasFactory(vendor=world.vendor, name="Acme Services")
    run_import(world.authority, rows("15/03/2024,R1,Acme,900,I1,IT,",
                                     "16/03/2024,R2,Acme Services,300,I1,IT,",
                                     "17/03/2024,R3,Lone Co,1000,I1,IT,"))  # fmt: skip
    run_import(cherwell, rows("15/03/2024,C1,ACME LIMITED,700,I1,IT,",
                              "16/03/2024,C2,Lone Co,450,I1,IT,"), "chw.csv")  # fmt: skip
    for code in ExpenseCode.objects.all():
        services.expense_code_map(code=code, category=hub.category)
    return cherwell


def _supplier_filters(hub, **extra):
    """The three ways a supplier ranking is read: all-time payee totals, a pillar's all-time
    totals, the summaries."""
    return {
        "all time": SpendFilters(**extra),
        "pillar": SpendFilters(pillar=hub.pillar, **extra),
        "summaries": SpendFilters(date_from=datetime.date(2024, 1, 1), **extra),
    }


def test_top_suppliers_count_a_vendor_once_across_names_and_authorities(world, hub, joint_hub):
    for path, filters in _supplier_filters(hub).items():
        ranked, count = selectors.top_suppliers(filters)
        got = [(r["supplier"], r["vendor_id"], r["spend"], r["payments"]) for r in ranked]
        assert got == [
            ("Acme Ltd", world.vendor.pk, Decimal("1900.00"), 3),
            ("Lone Co", None, Decimal("1000.00"), 1),
            ("Lone Co", None, Decimal("450.00"), 1),
        ], path
        assert count == 3, path
        assert ranked[0]["on_contract_spend"] == Decimal("1200.00"), path
        assert ranked[0]["share"] == Decimal("63.2"), path
        assert [r["authority__name"] for r in ranked] == [
            "", "Oxford City Council", "Cherwell District Council"], path  # fmt: skip
        # A page shorter than the ranking still counts every supplier.
        ranked, count = selectors.top_suppliers(filters, limit=1)
        assert ([r["supplier"] for r in ranked], count) == (["Acme Ltd"], 3), path
    oxford = selectors.top_suppliers(SpendFilters(authority=world.authority))[0]
    assert [(r["supplier"], r["spend"]) for r in oxford] == [
        ("Acme Ltd", Decimal("1200.00")), ("Lone Co", Decimal("1000.00"))]  # fmt: skip
    concentration = selectors.dashboard(SpendFilters())["concentration"]
    assert concentration["top5"] == 100.0


def test_off_contract_lists_a_vendor_once_per_authority_it_pays_without_a_contract(
    world, hub, joint_hub, settings
):
    settings.SPEND_OFF_CONTRACT_THRESHOLD = Decimal("400")
    for path, filters in _supplier_filters(hub).items():
        rows = list(selectors.off_contract_suppliers(filters))
        got = [(r["supplier"], r["authority__name"], r["spend"]) for r in rows]
        assert got == [
            ("Lone Co", "Oxford City Council", Decimal("1000.00")),
            # Oxford's Acme spend is on contract; Cherwell pays Acme with none.
            ("Acme Ltd", "Cherwell District Council", Decimal("700.00")),
            ("Lone Co", "Cherwell District Council", Decimal("450.00")),
        ], path
        pages = Paginator(selectors.off_contract_suppliers(filters), 2)
        assert pages.count == 3, path
        assert [r["supplier"] for r in pages.page(2)] == ["Lone Co"], path
    mine = selectors.off_contract_suppliers(SpendFilters(authority=world.authority))
    assert [r["supplier"] for r in mine] == ["Lone Co"]


def test_supplier_rows_link_to_the_vendors_or_the_payees_payments(
    admin_client, world, hub, joint_hub, settings
):
    from django.urls import reverse

    settings.SPEND_OFF_CONTRACT_THRESHOLD = Decimal("400")
    page = admin_client.get(reverse("spend:off_contract") + "?threshold=400&page=1")
    html = page.content.decode()
    vendor_link = f"?vendor={world.vendor.pk}&amp;authority={joint_hub.pk}"
    assert f'href="/spend/payments/{vendor_link}"' in html.replace("threshold=400&amp;", "")
    lone = Payee.objects.get(name="Lone Co", authority=world.authority)
    assert f"?payee={lone.pk}" in html and "page=1" not in html
    payments = admin_client.get(reverse("spend:transactions") + vendor_link.replace("&amp;", "&"))
    assert [row.record.reference for row in payments.context["table"].paginated_rows] == ["C1"]
    # Only the analysis filters go along: keys the dashboard ignores would narrow the payments.
    dashboard = admin_client.get(reverse("spend:dashboard") + "?on_contract=yes&month=2024-03-01")
    assert f'href="/spend/payments/?vendor={world.vendor.pk}"' in dashboard.content.decode()
    assert "on_contract=yes&amp;" not in dashboard.content.decode().split('id="top-suppliers"')[1]


def test_a_category_moved_to_another_pillar_takes_its_spend_along(
    client, world, hub, django_capture_on_commit_callbacks
):
    """Summaries store each row's pillar; moving a category in the admin re-points them (and the
    pillar totals of its payees), so dashboards and payment totals follow the move."""
    run_import(world.authority, rows("15/03/2024,R1,Acme,900,I1,IT,",
                                     "16/04/2024,R2,Lone Co,100,I1,IT,",
                                     "17/04/2024,R3,Lone Co,50,F1,Fac,"))  # fmt: skip
    services.expense_code_map(code=ExpenseCode.objects.get(key="I1"), category=hub.category)
    environment = PillarFactory(name="Environment")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:categories_category_change", args=[hub.category.pk])
    form = {"code": hub.category.code, "name": hub.category.name, "pillar": environment.pk}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form).status_code == 302

    by_pillar = {r["pillar__name"]: r["spend"] for r in selectors.spend_by_pillar(SpendFilters())}
    assert by_pillar == {"Environment": Decimal("1000.00"), None: Decimal("50.00")}
    for filters in (
        SpendFilters(pillar=environment),  # PillarSupplier
        SpendFilters(pillar=environment, date_from=datetime.date(2024, 1, 1)),
    ):
        ranked, count = selectors.top_suppliers(filters)
        assert [(r["supplier"], r["spend"]) for r in ranked] == [
            ("Acme Ltd", Decimal("900.00")), ("Lone Co", Decimal("100.00"))]  # fmt: skip
        assert count == 2
    assert selectors.top_suppliers(SpendFilters(pillar=hub.pillar)) == ([], 0)
    assert not SupplierPeriod.objects.filter(pillar=hub.pillar).exists()


def test_confirming_a_payee_matches_the_same_name_in_other_authorities(authority, hub, client):
    """In a joint hub one confirmation serves every authority that pays the name, except one
    that set the name aside as no hub vendor."""
    vendor = VendorFactory(legal_name="Acme Printing Services Ltd")
    cherwell = AuthorityFactory(code="chw", name="Cherwell District Council")
    vale = AuthorityFactory(code="vwh", name="Vale of White Horse District Council")
    run_import(authority, rows("15/03/2024,R1,ACME PRINTNG SERVICES,900,,,"))
    run_import(cherwell, rows("16/03/2024,C1,Acme Printng Services,300,,,"), "chw.csv")
    run_import(vale, rows("17/03/2024,V1,ACME PRINTNG SERVICES,50,,,"), "vwh.csv")
    aside = Payee.objects.get(authority=vale)
    services.payee_set_aside(payee=aside)
    client.force_login(hub.admin)

    mine = Payee.objects.get(authority=authority)
    response = client.post(reverse("spend:payee_confirm", args=[mine.pk]), {"vendor": vendor.pk})

    text = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "Also matched: “Acme Printng Services” of Cherwell District Council." in text
    methods = {p.authority.code: (p.vendor_id, p.match_method) for p in Payee.objects.all()}
    assert methods == {
        "oxf": (vendor.pk, MatchMethod.CONFIRMED),
        "chw": (vendor.pk, MatchMethod.NAME),
        "vwh": (None, MatchMethod.DISMISSED),
    }
    assert Transaction.objects.get(reference="C1").vendor == vendor
    ranked, count = selectors.top_suppliers(SpendFilters(date_from=datetime.date(2024, 3, 1)))
    assert [(r["supplier"], r["spend"]) for r in ranked] == [
        ("Acme Printing Services Ltd", Decimal("1200.00")),
        ("ACME PRINTNG SERVICES", Decimal("50.00")),
    ]
    assert count == 2
    assert list(selectors.unmatched_payees()) == []


def test_a_vendor_added_in_the_admin_matches_payees_already_paid(
    authority, client, django_capture_on_commit_callbacks
):
    """Payees paid before their vendor (or its alias or registration id) was in the hub match it
    when it is saved, not only at their next import; one set aside stays so."""
    run_import(authority, rows("15/03/2024,R1,ACME PRINTNG SERVICES,900,,,",
                               "16/03/2024,R2,Acme Group Holdings,300,,,sc123456",
                               "17/03/2024,R3,Acme Printers,50,,,",
                               "18/03/2024,R4,Nobody Ltd,20,,,"))  # fmt: skip
    services.payee_set_aside(payee=Payee.objects.get(name="Acme Printers"))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {
        "legal_name": "Acme Printing Services Ltd", "company_number": "SC123456",
        "status": "active", "aliases-TOTAL_FORMS": "2", "aliases-INITIAL_FORMS": "0",
        "aliases-0-name": "Acme Printng Services", "aliases-1-name": "Acme Printers",
        "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:vendors_vendor_add"), form)
    assert response.status_code == 302
    vendor = Vendor.objects.get(legal_name="Acme Printing Services Ltd")
    matched = {p.name: (p.vendor_id, p.match_method) for p in Payee.objects.all()}
    assert matched == {
        "ACME PRINTNG SERVICES": (vendor.pk, MatchMethod.NAME),
        "Acme Group Holdings": (vendor.pk, MatchMethod.REGISTRATION),
        "Acme Printers": (None, MatchMethod.DISMISSED),
        "Nobody Ltd": (None, ""),
    }
    assert set(Transaction.objects.filter(vendor=vendor).values_list("reference", flat=True)) == {
        "R1", "R2"}  # fmt: skip
    assert Payee.objects.get(name="Acme Group Holdings").total_spend == Decimal("300.00")
    assert SpendSummary.objects.get(vendor=vendor, payee__name="Acme Group Holdings").total == 300
    assert spend_tasks.match_vendor_payees.delay(vendor_id=vendor.pk) is not None  # Twice: same.
    assert {p.name: p.vendor_id for p in Payee.objects.all()}["Acme Group Holdings"] == vendor.pk


def test_a_wrong_match_is_undone_from_the_vendor_page(authority, hub, client):
    """ "Not this vendor" removes the vendor's alias of that name, puts every payee of that name
    back in the queue and re-matches their payments; a match the vendor's own legal name or
    registration id makes is refused (and offered to no one)."""
    vendor = VendorFactory(legal_name="Acme Printing Services Ltd", company_number="SC1")
    VendorAliasFactory(vendor=vendor, name="Acme Printers")
    contract = ContractFactory(vendors=[vendor], authorities=[authority], category=hub.category,
                               awarded_value=10_000)  # fmt: skip
    day = (contract.start_date + datetime.timedelta(days=5)).strftime("%d/%m/%Y")
    cherwell = AuthorityFactory(code="chw", name="Cherwell District Council")
    run_import(authority, rows(f"{day},R1,ACME PRINTERS,900,,,",
                               f"{day},R2,Acme Printing Services Limited,100,,,",
                               f"{day},R3,A P S Group,50,,,SC1"))  # fmt: skip
    run_import(cherwell, rows(f"{day},C1,Acme Printers,300,,,"), "chw.csv")
    assert Transaction.objects.get(reference="R1").contract == contract
    client.force_login(hub.buyer)
    page = client.get(vendor.get_absolute_url()).content.decode()
    assert "Not this vendor" not in page  # Buyers see the names, not the action.
    client.force_login(hub.admin)
    page = client.get(vendor.get_absolute_url()).content.decode()
    assert page.count(">Not this vendor</button>") == 2  # The two Acme Printers payees.
    # Its legal name and its registration id make the other two: no button.
    assert page.count(">by its legal name</span>") == page.count(">by its registration id</") == 1

    printers = Payee.objects.get(authority=authority, name="ACME PRINTERS")
    response = client.post(reverse("spend:payee_unmatch", args=[printers.pk]))

    assert response["Location"] == vendor.get_absolute_url()
    assert not vendor.aliases.filter(name="Acme Printers").exists()
    unmatched = Payee.objects.filter(vendor__isnull=True).order_by("authority__code")
    assert [(p.authority.code, p.match_method) for p in unmatched] == [("chw", ""), ("oxf", "")]
    tx = Transaction.objects.get(reference="R1")
    assert (tx.vendor, tx.contract) == (None, None)
    assert selectors.contract_spend(contract)["total"] == Decimal("150.00")
    assert {p.name for p in selectors.unmatched_payees()} == {"ACME PRINTERS", "Acme Printers"}
    # The next import of that name no longer matches it.
    run_import(cherwell, rows(f"{day},C2,ACME PRINTERS,5,,,"), "chw2.csv")
    assert Transaction.objects.get(reference="C2").vendor is None

    legal = Payee.objects.get(name="Acme Printing Services Limited")
    response = client.post(reverse("spend:payee_unmatch", args=[legal.pk]), follow=True)
    assert (
        "is Acme Printing Services Ltd&#x27;s legal name. Change the vendor"
        in response.content.decode()
    )
    assert Payee.objects.get(pk=legal.pk).vendor == vendor
    registered = Payee.objects.get(name="A P S Group")
    with pytest.raises(services.MatchFixed, match="by its registration id"):
        services.payee_unmatch(payee=registered)


def test_a_payee_matched_by_a_later_import_takes_its_earlier_payments_along(authority):
    """A set-aside payee (or any unmatched payee with history) that a later import matches by
    name: its earlier payments keep vendor NULL, so the vendor page, the dashboards and the
    payee totals disagree."""
    run_import(authority, rows("15/03/2024,R1,Acme Printers,900,,,"), "q1.csv")
    services.payee_set_aside(payee=Payee.objects.get())
    vendor = VendorFactory(legal_name="Acme Printers Ltd")
    matching.match_payees_for_vendor(vendor_id=vendor.pk)  # What the vendor admin queues.
    assert Payee.objects.get().vendor is None  # Set aside: the admin hook leaves it.

    run_import(authority, rows("15/04/2024,R2,Acme Printers,100,,,"), "q2.csv")

    payee = Payee.objects.get()
    assert payee.vendor_id == vendor.pk  # The import matched the payee by name...
    # ...but only its new payment follows.
    assert dict(Transaction.objects.values_list("reference", "vendor_id")) == {
        "R1": vendor.pk, "R2": vendor.pk}  # fmt: skip
    assert selectors.vendor_spend(vendor)["total"] == Decimal("1000.00")


def test_a_payee_matched_by_a_later_import_after_a_shared_name_is_resolved(authority):
    """Same root cause without a set-aside: two vendors shared the payee's name, so it stayed
    unmatched; one vendor is renamed (the admin queues match_payees_for_vendor for it only). The
    next import matches the payee to the other vendor, but its earlier payments stay unmatched,
    so the dashboard's all-time top suppliers (payee totals) and the vendor page disagree."""
    acme = VendorFactory(legal_name="Acme Ltd")
    twin = VendorFactory(legal_name="Acme Limited")
    run_import(authority, rows("15/03/2024,R1,Acme,900,,,"), "q1.csv")
    assert Payee.objects.get().vendor is None
    twin.legal_name = "Zenith Ltd"
    twin.save()
    matching.match_payees_for_vendor(vendor_id=twin.pk)  # What the vendor admin queues.

    run_import(authority, rows("15/04/2024,R2,Acme,100,,,"), "q2.csv")

    assert Payee.objects.get().vendor_id == acme.pk
    top, _count = selectors.top_suppliers(SpendFilters())
    assert [(r["supplier"], r["spend"]) for r in top] == [("Acme Ltd", Decimal("1000.00"))]
    assert selectors.vendor_spend(acme)["total"] == Decimal("1000.00")


def test_registration_match_survives_rows_without_a_supplier_id(authority):
    """A supplier id on some of a payee's rows (not on its credit note, say) should still match
    the payee by registration id: MIN(supplier_id) picks the blank one."""
    beta = VendorFactory(legal_name="Beta Holdings PLC", company_number="01234567")
    run_import(authority, rows(
        "01/02/2024,R1,B H Group,100,,,01234567",
        "02/02/2024,R2,B H Group,-20,,,",
    ))  # fmt: skip
    payee = Payee.objects.get()
    assert (payee.vendor_id, payee.match_method) == (beta.pk, MatchMethod.REGISTRATION)


def test_registration_match_when_the_id_arrives_in_a_later_file(authority):
    """A payee first seen in a file without a supplier-id column never learns its id from a
    later file that has one, so it never matches by registration id."""
    beta = VendorFactory(legal_name="Beta Holdings PLC", company_number="01234567")
    run_import(
        authority,
        rows(
            "01/02/2024,R1,B H Group,100,,",
            header="Date,Reference,Supplier Name,Amount,Expense Code,Expense Category",
        ),
        "q1.csv",
    )
    run_import(authority, rows("01/05/2024,R2,B H Group,50,,,01234567"), "q2.csv")
    payee = Payee.objects.get()
    assert payee.vendor_id == beta.pk
    # And every payment of the payee follows its match.
    assert set(Transaction.objects.values_list("vendor_id", flat=True)) == {beta.pk}


def test_a_confirmed_name_two_vendors_share_matches_the_next_import_by_itself(authority):
    """The payee was left unmatched because two vendors share its name; a person confirmed it.
    The alias the confirmation adds should make the next authority's import match by itself,
    but the name still counts as shared, so every new authority's payee is queued again."""
    chosen = VendorFactory(legal_name="Same Name Ltd")
    VendorFactory(legal_name="Same Name Limited")
    run_import(authority, rows("01/02/2024,R1,Same Name,100,,,"))
    payee = Payee.objects.get()
    assert payee.vendor is None
    services.payee_confirm(payee=payee, vendor=chosen)
    other = AuthorityFactory(code="chw", name="Cherwell District Council")
    run_import(other, rows("01/03/2024,C1,Same Name,50,,,"), "chw.csv")
    assert Payee.objects.get(authority=other).vendor_id == chosen.pk


def test_a_confirmation_counts_even_when_the_vendor_had_the_alias_already():
    first = AuthorityFactory(code="oxf")
    legal = VendorFactory(legal_name="Acme Ltd")
    chosen = VendorFactory(legal_name="Acme Holdings PLC")
    VendorAliasFactory(vendor=chosen, name="Acme Ltd")  # A trading name, typed in the admin.
    run_import(first, csv_bytes("01/02/2024,R1,Acme Ltd,100,,"), "a.csv")
    payee = Payee.objects.get(authority=first)
    assert payee.vendor is None  # Shared by two vendors: a person decides.
    services.payee_confirm(payee=payee, vendor=chosen)
    other = AuthorityFactory(code="chw")
    run_import(other, csv_bytes("01/03/2024,C1,Acme Ltd,50,,"), "b.csv")
    assert legal.pk != chosen.pk
    assert Payee.objects.get(authority=other).vendor_id == chosen.pk


# 5. The date for undated rows escapes the payment-year rule (1990-2100) a file's dates obey.
