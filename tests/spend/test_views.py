"""Spend pages through the client: content, drill-down, exports, odd query strings, the
upload → preview → confirm → progress flow, and constant query counts."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement_hub.tables import CappedCount
from spend import selectors, services
from spend.forms import SpendFilters
from spend.models import (
    ExpenseCode,
    ImportStatus,
    MappingProfile,
    Payee,
    SpendImport,
    Transaction,
)
from spend.views import REPORTS
from tests.factories import AuthorityFactory, ContractFactory, VendorFactory
from tests.spend.helpers import DATA, csv_bytes, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(hub):
    """Two authorities, a matched vendor on a contract, unmatched payees, a mapped code."""
    oxf = AuthorityFactory(code="oxf", name="Oxford City Council")
    abc = AuthorityFactory(code="abc", name="Abingdon Council")
    vendor = VendorFactory(legal_name="Acme Printing Ltd")
    contract = ContractFactory(
        reference="ITS9", vendors=[vendor], authorities=[oxf, abc], category=hub.category,
        start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2027, 1, 1),
        awarded_value=Decimal("10000"),
    )  # fmt: skip
    lines = [
        f"{d:02d}/0{m}/2026,R{m}{d},{name},{amount},P1,Printing"
        for m in (2, 3, 4)
        for d, name, amount in ((1, "Acme Printing", 3000), (2, "Lone Trader", 6000),
                                (3, "Other Payee", 10))
    ]  # fmt: skip
    run_import(oxf, csv_bytes(*lines))
    run_import(abc, csv_bytes("05/02/2026,A1,Acme Printing Ltd,500,X9,Misc"))
    return {"oxf": oxf, "abc": abc, "vendor": vendor, "contract": contract, "hub": hub}


@pytest.fixture
def admin_client(client, hub):
    client.force_login(hub.admin)
    return client


def test_dashboard_shows_breakdowns_and_links(admin_client, data):
    response = admin_client.get(reverse("spend:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "£27,530" in html  # 9 Oxford payments + 1 Abingdon.
    assert "Lone Trader" in html and "Oxford City Council" in html
    assert 'id="spend-trend-data"' in html
    assert f"?payee={Payee.objects.get(name='Lone Trader').pk}" in html


def test_dashboard_filters_by_authority_and_month(admin_client, data):
    url = reverse("spend:dashboard") + f"?authority={data['abc'].pk}&date_from=2026-02-01"
    html = admin_client.get(url).content.decode()
    assert "£500" in html and "Lone Trader" not in html


@pytest.mark.parametrize(
    "query",
    ["?authority=abc", "?date_from=yesterday&date_to=2026-13-45", "?pillar=-1&category=x",
     "?page=zz&sort=nope", "?payee=abc&contract=1e3&month=2026-99-01&on_contract=maybe",
     "?page=999999&per_page=7", "?payee=%C2%B2&vendor=%D9%A3",
     # Dates whose months would leave Python's years, and ids beyond any column's.
     "?date_to=0001-01-15", "?date_from=9999-12-15", "?date_from=0001-01-01&date_to=9999-12-31",
     "?payee=99999999999999999999999&month=0001-01-01", "?contract=9223372036854775808"],
)  # fmt: skip
@pytest.mark.parametrize(
    "name", ["spend:dashboard", "spend:transactions", "spend:off_contract", "spend:contract_burn",
             "spend:payees", "spend:expense_codes", "spend:imports"],
)  # fmt: skip
def test_odd_query_strings_never_fail(admin_client, data, name, query):
    assert admin_client.get(reverse(name) + query).status_code == 200


@pytest.mark.parametrize("report", sorted(REPORTS))
@pytest.mark.parametrize(
    "query", ["?date_to=0001-01-15", "?date_from=9999-12-15", "?authority=x&pillar=-1"]
)
def test_odd_query_strings_never_fail_exports(admin_client, data, report, query):
    response = admin_client.get(reverse("spend:export", args=[report]) + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_a_date_outside_the_years_is_named_and_dropped(admin_client, data):
    html = admin_client.get(reverse("spend:dashboard") + "?date_to=0001-01-15").content.decode()
    assert "Enter a date between 1900 and 2999." in html
    assert "£27,530" in html  # The filter is dropped: everything.


def test_an_id_beyond_any_column_matches_nothing(admin_client, data):
    url = reverse("spend:transactions") + "?payee=99999999999999999999999"
    assert "0 payments" in admin_client.get(url).content.decode()


def test_drill_down_to_payments(admin_client, data):
    lone = Payee.objects.get(name="Lone Trader")
    html = admin_client.get(reverse("spend:transactions") + f"?payee={lone.pk}").content.decode()
    assert "3 payments" in html and "Acme Printing" not in html
    on = admin_client.get(reverse("spend:transactions") + "?on_contract=yes").content.decode()
    assert "4 payments" in on and "ITS9" in on


def test_payments_list_counts_no_further_than_its_cap(admin_client, data, monkeypatch):
    """Over millions of payments the list never counts them all: it stops at the cap, says
    so, and its pages end there (export still gives every payment)."""
    monkeypatch.setattr(CappedCount, "cap", 4)
    url = reverse("spend:transactions")
    html = admin_client.get(url + "?sort=-amount").content.decode()
    # The summaries give the count and total in full (see the totals tests below).
    assert "10 payments</strong>" in html and ": the first 4 in this order are listed" in html
    last = admin_client.get(url + "?page=99").content.decode()  # Past the cap: the last page.
    assert len(re.findall(r'href="/spend/payments/\d+/"', last)) == 4
    lone = Payee.objects.get(name="Lone Trader")
    exact = admin_client.get(url + f"?payee={lone.pk}").content.decode()
    assert "3 payments" in exact and "More than" not in exact  # Under the cap: exact.


def test_payments_export_csv(admin_client, data):
    response = admin_client.get(reverse("spend:transaction_export") + "?on_contract=no")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Payment date,Authority,Reference")
    assert len(lines) == 1 + 6


@pytest.mark.parametrize(
    "report", ["pillar", "category", "authority", "month", "supplier", "off-contract", "contracts"]
)
def test_report_exports(admin_client, data, report):
    response = admin_client.get(reverse("spend:export", args=[report]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(text.strip().splitlines()) >= 2


def test_unknown_report_is_404(admin_client):
    assert admin_client.get(reverse("spend:export", args=["nope"])).status_code == 404


def test_off_contract_page_lists_supplier_above_threshold(admin_client, data):
    html = admin_client.get(reverse("spend:off_contract")).content.decode()
    assert "Lone Trader" in html and "Other Payee" not in html


@pytest.fixture
def thirty_off_contract(data, settings):
    """Thirty payees over the threshold in March 2026, the richest first: Payee 29 … Payee 0."""
    settings.SPEND_OFF_CONTRACT_THRESHOLD = Decimal("100")
    lines = [f"1{i % 9}/03/2026,W{i},Payee {i},{1000 + i},P1,Printing" for i in range(30)]
    run_import(data["abc"], csv_bytes(*lines))
    return [f"Payee {i}" for i in reversed(range(30))]


def _names(html: str) -> list[str]:
    return re.findall(r">(Payee \d+)</a>", html)


def test_off_contract_pages_under_a_date_filter(admin_client, data, thirty_off_contract,
                                                django_assert_max_num_queries):  # fmt: skip
    url = reverse("spend:off_contract") + f"?authority={data['abc'].pk}&date_from=2026-03-01"
    with django_assert_max_num_queries(10):
        first = admin_client.get(url).content.decode()
    assert _names(first) == thirty_off_contract[:25]
    assert "Page 1 of 2" in first and "Abingdon Council" in first
    second = admin_client.get(url + "&page=2").content.decode()
    assert _names(second) == thirty_off_contract[25:] and "Page 2 of 2" in second
    assert _names(admin_client.get(url + "&page=99").content.decode()) == _names(second)
    assert _names(admin_client.get(url + "&page=x").content.decode()) == _names(first)
    nothing = admin_client.get(url.replace("2026-03-01", "2030-01-01")).content.decode()
    assert "No supplier above the threshold" in nothing


def test_off_contract_export_under_a_date_filter_names_every_row(admin_client, data,
                                                                 thirty_off_contract):  # fmt: skip
    url = reverse("spend:export", args=["off-contract"])
    response = admin_client.get(url + f"?authority={data['abc'].pk}&date_from=2026-03-01")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = [line.split(",") for line in text.strip().splitlines()[1:]]
    assert [r[0] for r in rows] == thirty_off_contract
    assert {(r[1], r[3]) for r in rows} == {("no", "Abingdon Council")} and rows[0][4] == "1029.00"


def test_contract_burn_page_flags_contract(admin_client, data):
    html = admin_client.get(reverse("spend:contract_burn")).content.decode()
    assert "ITS9" in html and "95.0%" in html


def test_payment_page_shows_the_rule_and_candidates(admin_client, data):
    tx = Transaction.objects.exclude(contract=None).first()
    html = admin_client.get(reverse("spend:transaction_detail", args=[tx.pk])).content.decode()
    assert "ITS9" in html and "single-supplier contract beats a framework" in html


def test_contract_page_shows_burn_down_to_staff_only(client, data, settings):
    url = data["contract"].get_absolute_url()
    client.force_login(data["hub"].buyer)
    html = client.get(url).content.decode()
    assert 'id="contract-spend"' in html and "Nearly used up" in html
    client.logout()
    settings.HUB_PUBLIC_INDEX = True
    assert 'id="contract-spend"' not in client.get(url).content.decode()


def test_vendor_page_shows_spend_by_authority(client, data):
    client.force_login(data["hub"].buyer)
    html = client.get(data["vendor"].get_absolute_url()).content.decode()
    assert 'id="vendor-spend-section"' in html and "Abingdon Council" in html
    vendor, abc = data["vendor"].pk, data["abc"].pk
    assert f"?vendor={vendor}&amp;authority={abc}" in html
    # The names it was paid under, as matched, biggest first, each linking to its payments.
    paid_as = html.split('id="vendor-paid-as"')[1].split("</table>")[0]
    assert re.findall(r"<td>(?:<a [^>]*>)?([^<]+)(?:</a>)?</td>", paid_as) == [
        "Acme Printing", "Oxford City Council", "Exact name or alias",
        "Acme Printing Ltd", "Abingdon Council", "Exact name or alias",
    ]  # fmt: skip
    payee = Payee.objects.get(name="Acme Printing Ltd")
    assert f"?payee={payee.pk}" in paid_as
    # More names add one query, the count: the list stops at VENDOR_PAYEES.
    with CaptureQueriesContext(connection) as two_names:
        client.get(data["vendor"].get_absolute_url())
    for n in range(12):
        run_import(data["oxf"], csv_bytes(f"01/05/2026,M{n},Acme Printing Ltd {n},5,P1,Printing"))
        Payee.objects.filter(name=f"Acme Printing Ltd {n}").update(vendor=vendor)
    with CaptureQueriesContext(connection) as fourteen:
        html = client.get(data["vendor"].get_absolute_url()).content.decode()
    assert "The 10 biggest of 14 names." in html
    assert len(fourteen.captured_queries) == len(two_names.captured_queries) + 1


def test_upload_preview_correct_and_import(admin_client, data, django_capture_on_commit_callbacks):
    content = (DATA / "spend-cp1252-blank-rows.csv").read_bytes()
    response = admin_client.post(
        reverse("spend:import_new"),
        {"authority": data["oxf"].pk, "file": SimpleUploadedFile("any.csv", content)},
    )
    imp = SpendImport.objects.get(file_name="any.csv")
    assert response["Location"] == imp.get_absolute_url()
    html = admin_client.get(imp.get_absolute_url()).content.decode()
    assert "cp1252" in html and "header on row 5" in html and "Café Société Ltd" in html
    assert '<option value="Date Paid" selected>' in html
    form = {
        "map_date": "Date Paid", "map_amount": "Amount", "map_supplier_name": "Supplier Name",
        "map_reference": "Transaction Number", "map_department": "Service Area",
        "mode": "valid", "save_profile_as": "Anytown",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(imp.get_absolute_url(), form)
    assert response.status_code == 302
    imp.refresh_from_db()
    assert (imp.status, imp.imported_rows, imp.rejected_rows) == (ImportStatus.DONE, 4, 2)
    assert imp.profile.name == "Anytown"
    assert not ExpenseCode.objects.filter(authority=data["oxf"], key="R100").exists()
    progress = admin_client.get(
        reverse("spend:import_progress", args=[imp.pk]), HTTP_HX_REQUEST="true"
    )
    assert "hx-trigger" not in progress.content.decode()  # Finished: polling stops.
    assert "download the rows not imported" in progress.content.decode()


def test_mapping_form_shows_errors(admin_client, data):
    imp = SpendImport.objects.create(
        authority=data["oxf"], file_name="x.csv", content_hash="x", upload="x.csv",
        detected={"headers": ["A", "B"], "preview": []},
    )  # fmt: skip
    response = admin_client.post(imp.get_absolute_url(), {"map_date": "A", "map_amount": "A"})
    html = response.content.decode()
    assert response.status_code == 200 and "A column can fill one field only" in html
    assert "This field is required" in html


def test_upload_rejects_unreadable_file(admin_client, data):
    response = admin_client.post(
        reverse("spend:import_new"),
        {"authority": data["oxf"].pk, "file": SimpleUploadedFile("x.csv", b"foo,bar\n1,2\n")},
    )
    assert response.status_code == 200 and "No header row found" in response.content.decode()


def test_progress_polls_while_running(admin_client, data):
    imp = SpendImport.objects.create(
        authority=data["oxf"], file_name="x.csv", content_hash="y", upload="x.csv",
        status=ImportStatus.RUNNING, total_rows=100, processed_rows=50,
    )  # fmt: skip
    html = admin_client.get(reverse("spend:import_progress", args=[imp.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and "25%" in html and "50 of 100 rows read" in html
    SpendImport.objects.filter(pk=imp.pk).update(status=ImportStatus.DONE, imported_rows=100)
    html = admin_client.get(reverse("spend:import_progress", args=[imp.pk])).content.decode()
    assert "100%" in html and "hx-trigger" not in html


def test_confirming_a_suggested_payee(admin_client, data):
    payee = Payee.objects.create(
        authority=data["oxf"], name="ACME PRINTNG", normalized_name="acme printng"
    )
    html = admin_client.get(reverse("spend:payees")).content.decode()
    assert "ACME PRINTNG" in html and "Acme Printing Ltd" in html
    response = admin_client.post(
        reverse("spend:payee_confirm", args=[payee.pk]), {"vendor": data["vendor"].pk}
    )
    assert response.status_code == 302
    assert data["vendor"].aliases.filter(name="ACME PRINTNG").exists()
    bad = admin_client.post(reverse("spend:payee_confirm", args=[payee.pk]), {"vendor": "x"})
    assert bad.status_code == 302


def test_matching_a_payee_to_any_vendor_by_name(admin_client, data):
    """No close suggestion: a person types the vendor's name (legal, alias or code)."""
    payee = Payee.objects.create(authority=data["oxf"], name="AP LTD", normalized_name="ap")
    html = admin_client.get(reverse("spend:payees")).content.decode()
    assert 'name="vendor_name"' in html and "No close vendor name." in html
    url = reverse("spend:payee_confirm", args=[payee.pk])
    wrong = admin_client.post(url, {"vendor_name": "Nobody Ltd"}, follow=True).content.decode()
    assert "No vendor is called “Nobody Ltd”." in wrong
    payee.refresh_from_db()
    assert payee.vendor is None
    admin_client.post(url, {"vendor_name": data["vendor"].legal_name.upper()})
    payee.refresh_from_db()
    assert (payee.vendor, payee.match_method) == (data["vendor"], "confirmed")
    assert data["vendor"].aliases.filter(name="AP LTD", from_payee=True).exists()


def test_setting_a_payee_aside_and_back(admin_client, data):
    lone = Payee.objects.get(name="Lone Trader")
    queue = reverse("spend:payees")

    def listed(url):
        html = admin_client.get(url).content.decode()
        table = html[html.index('id="payees"') :]
        return "Lone Trader" in table[: table.index("</table>")]

    assert listed(queue)
    admin_client.post(reverse("spend:payee_set_aside", args=[lone.pk]))
    assert not listed(queue) and listed(queue + "?set_aside=1")
    back = admin_client.post(reverse("spend:payee_set_aside", args=[lone.pk]), {"aside": "0"})
    assert back["Location"] == queue + "?set_aside=1"
    assert listed(queue) and not listed(queue + "?set_aside=1")


def test_mapping_an_expense_code_in_the_ui(admin_client, data):
    code = ExpenseCode.objects.get(authority=data["abc"], key="X9")
    html = admin_client.get(reverse("spend:expense_codes") + "?unmapped=1").content.decode()
    assert "Misc" in html
    response = admin_client.post(
        reverse("spend:expense_code_update", args=[code.pk]),
        {"category": data["hub"].category.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("spend:expense_codes")
    code.refresh_from_db()
    assert code.category == data["hub"].category
    assert Transaction.objects.get(reference="A1").category == data["hub"].category


PAGES = [
    ("spend:dashboard", "", 17),
    ("spend:dashboard", "?date_from=2026-01-01&date_to=2026-06-30", 17),  # The summary path.
    ("spend:transactions", "", 10),
    ("spend:transactions", "?on_contract=yes&sort=-amount", 10),
    ("spend:off_contract", "", 10),
    ("spend:off_contract", "?date_from=2026-01-01", 10),  # The summary path.
    ("spend:contract_burn", "", 10),
    ("spend:imports", "", 8),
    ("spend:payees", "", 10),
    ("spend:payees", "?set_aside=1", 10),
    ("spend:expense_codes", "", 10),
]


@pytest.mark.parametrize(("name", "query", "limit"), PAGES)
def test_query_counts_stay_constant(admin_client, data, django_assert_max_num_queries, name,
                                    query, limit):  # fmt: skip
    url = reverse(name) + query
    with django_assert_max_num_queries(limit):
        assert admin_client.get(url).status_code == 200
    # More data does not mean more queries: past a full page of suppliers (20 on the
    # dashboard), of payments and of codes.
    more = "\n".join(f"0{m}/05/2026,N{m}{i},New Payee {i},{i}00,Z{i},Zed {i}" for m in range(1, 9)
                     for i in range(30))  # fmt: skip
    run_import(data["oxf"], csv_bytes(more))
    with django_assert_max_num_queries(limit):
        admin_client.get(url)


def test_detail_pages_query_counts(admin_client, data, django_assert_max_num_queries):
    tx = Transaction.objects.exclude(contract=None).first()
    imp = SpendImport.objects.first()
    for url in (
        reverse("spend:transaction_detail", args=[tx.pk]),
        imp.get_absolute_url(),
        reverse("spend:import_progress", args=[imp.pk]),
    ):
        with django_assert_max_num_queries(10):
            admin_client.get(url)


def test_nearly_used_up_page_states_the_configured_threshold(admin_client, data, settings):
    settings.SPEND_BURN_WARN_PERCENT = 65
    html = admin_client.get(reverse("spend:contract_burn")).content.decode()
    assert "reached 65% or more" in html


@pytest.mark.parametrize("name", ["spend:dashboard", "spend:off_contract", "spend:contract_burn"])
def test_analysis_pages_widen_dates_inside_a_month_to_the_whole_month(admin_client, data, name):
    """The figures are monthly: the page says so in its own query string, which its form, its
    drill-down links and its exports then carry."""
    response = admin_client.get(reverse(name) + "?date_from=2026-02-15&date_to=2026-03-02&pillar=")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse(name) + "?date_from=2026-02-01&date_to=2026-03-31&pillar="
    )
    assert admin_client.get(response["Location"]).status_code == 200


def test_drill_down_links_carry_the_dates_the_figures_are_for(admin_client, data):
    html = admin_client.get(
        reverse("spend:dashboard") + "?date_from=2026-02-10", follow=True
    ).content.decode()
    links = re.findall(r'href="(/spend/payments/\?[^"]*)"', html)
    assert links and all("date_from=2026-02-01" in link for link in links)


def test_the_payments_list_keeps_exact_dates(admin_client, data):
    response = admin_client.get(reverse("spend:transactions") + "?date_from=2026-02-10")
    assert response.status_code == 200


def test_off_contract_threshold_is_chosen_on_the_page_and_in_its_export(admin_client, data):
    url = reverse("spend:off_contract")
    assert "Lone Trader" in admin_client.get(url).content.decode()  # The hub's £5,000.
    html = admin_client.get(url + "?threshold=1000000").content.decode()
    assert "Lone Trader" not in html and "£1,000,000" in html
    low = admin_client.get(url + "?threshold=0").content.decode()
    assert "Other Payee" in low and "Lone Trader" in low
    bad = admin_client.get(url + "?threshold=-5").content.decode()
    assert "Lone Trader" in bad and "greater than or equal to 0" in bad
    export = admin_client.get(reverse("spend:export", args=["off-contract"]) + "?threshold=0")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Other Payee" in text


def test_applying_filters_keeps_sort_and_page_size_not_the_page(admin_client, data):
    html = admin_client.get(
        reverse("spend:transactions") + "?sort=-amount&per_page=50&page=2&pillar="
    ).content.decode()
    form = html[html.index('id="spend-filters"') :]
    form = form[: form.index("</form>")]
    assert 'name="sort" value="-amount"' in form and 'name="per_page" value="50"' in form
    assert 'name="page"' not in form


def test_a_rejected_import_is_imported_again_in_another_mode(client, hub):
    """All or nothing refused the file for one bad row: "import again" opens a new preview of
    the same stored file, with its mapping, and the valid rows then import."""
    authority = AuthorityFactory(code="any", name="Anytown")
    content = (DATA / "spend-cp1252-blank-rows.csv").read_bytes()
    rejected = run_import(authority, content, "any.csv", mode="all")
    assert rejected.status == ImportStatus.REJECTED
    client.force_login(hub.admin)
    assert 'id="import-again"' in client.get(rejected.get_absolute_url()).content.decode()
    response = client.post(reverse("spend:import_again", args=[rejected.pk]))
    again = SpendImport.objects.exclude(pk=rejected.pk).get()
    assert response["Location"] == again.get_absolute_url()
    assert (again.status, again.mapping, again.upload.name) == (
        ImportStatus.PREVIEW,
        rejected.mapping,
        rejected.upload.name,
    )
    data = {f"map_{k}": v for k, v in again.mapping.items()} | {"mode": "valid"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(again.get_absolute_url(), data)
    again.refresh_from_db()
    assert (again.status, again.imported_rows, again.rejected_rows) == (ImportStatus.DONE, 4, 2)
    rejected.refresh_from_db()
    assert rejected.status == ImportStatus.REJECTED  # The record of what happened stays.
    # Imported since: "import again" is offered no more, and refused if posted.
    assert 'id="import-again"' not in client.get(rejected.get_absolute_url()).content.decode()
    response = client.post(reverse("spend:import_again", args=[rejected.pk]), follow=True)
    assert "imported since" in response.content.decode()
    # A finished import is not imported again.
    response = client.post(reverse("spend:import_again", args=[again.pk]), follow=True)
    assert "Only a rejected or failed import" in response.content.decode()
    assert SpendImport.objects.count() == 2


def test_a_profile_keeps_the_mode_for_the_next_file(client, hub):
    authority = AuthorityFactory(code="any", name="Anytown")
    content = (DATA / "spend-cp1252-blank-rows.csv").read_bytes()
    first = services.import_create(authority=authority, fileobj=io.BytesIO(content),
                                   file_name="q1.csv")  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.import_confirm(spend_import=first, mapping=first.mapping, mode="valid",
                                save_profile_as="Anytown quarterly")  # fmt: skip
    nxt = services.import_create(authority=authority, fileobj=io.BytesIO(content + b"\r\n"),
                                 file_name="q2.csv")  # fmt: skip
    assert (nxt.profile.name, nxt.mode) == ("Anytown quarterly", "valid")
    client.force_login(hub.admin)
    html = client.get(nxt.get_absolute_url()).content.decode()
    assert re.search(r'<option value="valid" selected>', html)


def test_saving_a_profile_under_another_authoritys_name_is_refused(client, hub):
    mine, theirs = AuthorityFactory(code="a", name="A"), AuthorityFactory(code="b", name="B")
    services.profile_save(name="Quarterly", authority=theirs, mapping={"date": "Date"},
                          headers=["Date"])  # fmt: skip
    imp = services.import_create(authority=mine, fileobj=io.BytesIO(csv_bytes(
        "01/02/2024,R1,Acme,100,E1,Stationery")), file_name="x.csv")  # fmt: skip
    client.force_login(hub.admin)
    data = {f"map_{k}": v for k, v in imp.mapping.items()}
    data |= {"mode": "valid", "save_profile_as": "Quarterly"}
    html = client.post(imp.get_absolute_url(), data).content.decode()
    assert "belongs to B: choose another name" in html
    imp.refresh_from_db()
    assert imp.status == ImportStatus.PREVIEW
    assert MappingProfile.objects.get(name="Quarterly").authority == theirs


def test_the_filter_forms_comment_stays_out_of_the_page(admin_client, data):
    html = admin_client.get(reverse("spend:dashboard")).content.decode()
    assert "Filters shared by every analysis page" not in html


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [(Decimal("-1234.5"), 2, "\u2212£1,234.50"), (Decimal("1234.5"), 0, "£1,234"),
     (5000, 0, "£5,000"), (None, 0, "")],
)  # fmt: skip
def test_pounds_put_the_minus_before_the_pound_sign(value, places, shown):
    from spend.templatetags.spend_tags import pounds

    assert pounds(value, places) == shown


def test_a_credit_note_shows_as_minus_pounds_on_its_page(admin_client, data):
    run_import(data["oxf"], csv_bytes("03/03/2026,CR1,Lone Trader,(250.00),P1,Printing"))
    tx = Transaction.objects.get(reference="CR1")
    html = admin_client.get(reverse("spend:transaction_detail", args=[tx.pk])).content.decode()
    assert "\u2212£250.00" in html and "£-250" not in html


def test_setting_aside_a_payee_an_import_matched_meanwhile_leaves_it_matched(data):
    payee = Payee.objects.create(authority=data["oxf"], name="Late Co", normalized_name="late co")
    stale = Payee.objects.get(pk=payee.pk)  # As the page read it: unmatched.
    Payee.objects.filter(pk=payee.pk).update(vendor=data["vendor"], match_method="name")
    services.payee_set_aside(payee=stale)
    payee.refresh_from_db()
    assert (payee.vendor, payee.match_method) == (data["vendor"], "name")


def test_a_shared_profile_of_no_authority_can_be_updated_by_name(data):
    MappingProfile.objects.create(name="Shared", authority=None, mapping={"date": "D"})
    profile = services.profile_save(name="Shared", authority=data["oxf"],
                                    mapping={"date": "Date"}, headers=["Date"])  # fmt: skip
    assert profile.mapping == {"date": "Date"} and MappingProfile.objects.count() == 1


def test_a_vendor_name_two_vendors_share_is_refused_not_guessed(admin_client, data):
    twin_a = VendorFactory(legal_name="Twin Ltd", vendor_code="V-A")
    twin_b = VendorFactory(legal_name="Twin Ltd", vendor_code="V-B")
    payee = Payee.objects.create(authority=data["oxf"], name="TWIN", normalized_name="twin")
    url = reverse("spend:payee_confirm", args=[payee.pk])
    html = admin_client.post(url, {"vendor_name": "Twin Ltd"}, follow=True).content.decode()
    assert "Several vendors are called “Twin Ltd”" in html and "V-A" in html and "V-B" in html
    payee.refresh_from_db()
    assert payee.vendor is None
    admin_client.post(url, {"vendor_name": "v-b"})
    payee.refresh_from_db()
    assert payee.vendor == twin_b and twin_a.aliases.count() == 0


def _drill_cases(data):
    acme = data["vendor"].pk
    lone = Payee.objects.get(name="Lone Trader").pk
    oxf, abc, contract = data["oxf"].pk, data["abc"].pk, data["contract"].pk
    pillar, category = data["hub"].pillar.pk, data["hub"].category.pk
    return [
        "",
        f"?authority={abc}",
        "?date_from=2026-03-01&date_to=2026-03-31",
        "?date_from=2026-03-01",
        "?date_to=2026-02-28",
        f"?pillar={pillar}",
        f"?category={category}&authority={oxf}",
        f"?vendor={acme}",
        f"?vendor={acme}&authority={abc}&on_contract=yes",
        f"?payee={lone}&date_from=2026-02-01&date_to=2026-03-31",
        f"?payee={lone}&on_contract=yes",
        f"?payee={lone}",  # All time: the payee's own totals.
        f"?payee={lone}&authority={oxf}",
        f"?payee={lone}&authority={abc}",  # Not its authority: nothing.
        f"?contract={contract}",
        f"?contract={contract}&authority={oxf}&month=2026-04-01",
        f"?contract={contract}&on_contract=no",
        f"?contract={contract}&vendor={acme}",  # No summary has both: summed from payments.
        f"?category={category}&contract={contract}",  # Likewise.
        "?on_contract=no&month=2026-02-01",
        "?date_from=2026-02-02&date_to=2026-03-15",  # Inside months: summed from payments.
        "?payee=99999999999999999999999",  # An id past any column: nothing.
        "?vendor=" + "1" * 4400,  # Past what Python turns into an int.
    ]


@pytest.mark.parametrize("cap", [10_000, 0], ids=["all listed", "summaries"])
def test_payment_totals_agree_with_the_payments_listed(admin_client, data, monkeypatch, cap):
    """Under the cap the list sums its payments; over it (every list, with cap 0) the totals
    come from the summaries, and must agree with the payments all the same."""
    monkeypatch.setattr(CappedCount, "cap", cap)
    services.expense_code_map(code=ExpenseCode.objects.get(key="P1"), category=data["hub"].category)
    lone, contract = Payee.objects.get(name="Lone Trader").pk, data["contract"].pk
    # Payments no summary holds exactly: over the cap, these go without a total.
    no_summary = {
        f"?payee={lone}&date_from=2026-02-01&date_to=2026-03-31",  # SpendSummary: no payee index.
        f"?contract={contract}&vendor={data['vendor'].pk}",
        f"?category={data['hub'].category.pk}&contract={contract}",
        "?date_from=2026-02-02&date_to=2026-03-15",
    }
    for query in _drill_cases(data):
        response = admin_client.get(reverse("spend:transactions") + query)
        listed = list(response.context["table"].data.data)
        totals = response.context["totals"]
        if cap == 0 and query in no_summary:
            assert totals is None and listed, query
            continue
        assert totals == {"count": len(listed), "total": sum(t.amount for t in listed)}, query
    html = admin_client.get(reverse("spend:transactions") + f"?payee={lone}").content.decode()
    assert "3 payments</strong>, totalling <strong" in html and "£18,000.00" in html
    assert "Drilled down to Lone Trader (Oxford City Council)." in html
    contract = f"?contract={data['contract'].pk}&vendor={data['vendor'].pk}&on_contract=yes"
    html = admin_client.get(reverse("spend:transactions") + contract).content.decode()
    assert "Drilled down to the vendor Acme Printing Ltd, the contract ITS9 (on contract)." in html
    html = admin_client.get(reverse("spend:transactions") + "?vendor=0&month=2026-03-09")
    assert "Drilled down to no such vendor in March 2026." in html.content.decode()
    junk = admin_client.get(reverse("spend:transactions") + "?month=junk").content.decode()
    assert "Drilled down" not in junk


def test_payment_totals_over_the_cap_come_from_the_summaries(admin_client, data, monkeypatch):
    monkeypatch.setattr(CappedCount, "cap", 4)
    whole = admin_client.get(reverse("spend:transactions") + "?date_from=2026-02-01")
    assert whole.context["totals"] == {"count": 10, "total": Decimal("27530.00")}
    inside = admin_client.get(reverse("spend:transactions") + "?date_from=2026-02-02")
    assert inside.context["totals"] is None  # 9 payments, past the cap, from inside a month.
    html = inside.content.decode()
    assert "More than 4 payments" in html and "dates of whole months give the total" in html


@pytest.mark.parametrize("sort", ["-amount", "reference", "payment_date,amount"])
def test_an_unindexed_sort_is_offered_only_within_the_cap(admin_client, data, monkeypatch, sort):
    """Sorting millions of payments by amount inside a request would read them all: past the
    list's cap the newest come first instead, and the page says why."""
    url = reverse("spend:transactions") + f"?sort={sort}"
    within = admin_client.get(url)
    rows = list(within.context["table"].page.object_list)
    keys = {"-amount": lambda r: -r.record.amount, "reference": lambda r: r.record.reference}
    if sort in keys:  # (A column list is django-tables2's to apply: only the guard is tested.)
        assert [keys[sort](r) for r in rows] == sorted(keys[sort](r) for r in rows)
    assert within.context["sort_refused"] is None
    monkeypatch.setattr(CappedCount, "cap", 4)
    past = admin_client.get(url)
    dates = [r.record.payment_date for r in past.context["table"].page.object_list]
    assert dates == sorted(dates, reverse=True) and len(dates) == 4
    html = past.content.decode()
    column = sort.lstrip("-").split(",")[-1]
    assert f"Sorting by {column} is offered for up to 4 payments" in html


def test_filters_that_cannot_both_hold_say_so_and_drop_the_second(admin_client, data):
    """To before From, or a category of another pillar: a message on the field, and the
    figures of the filters that hold (never a silent £0)."""
    from categories.models import Category, Pillar

    url = reverse("spend:dashboard")
    page = admin_client.get(url, {"date_from": "2026-04-01", "date_to": "2026-02-28"})
    html = page.content.decode()
    assert page.status_code == 200 and "To is before From: this date is left out." in html
    assert page.context["totals"]["spend"] == Decimal("9010.00")  # April on.
    other = Pillar.objects.create(name="Another pillar")
    elsewhere = Category.objects.create(code="ELS", name="Elsewhere", pillar=other)
    query = {"pillar": data["hub"].pillar.pk, "category": elsewhere.pk}
    page = admin_client.get(url, query)
    assert "ELS is in another pillar: this category is left out." in page.content.decode()
    everything = admin_client.get(url, {"pillar": data["hub"].pillar.pk}).context
    assert page.context["totals"] == everything["totals"]


def test_unmapped_spend_drills_down_to_its_payments(admin_client, data):
    """The dashboard's Unmapped pillar and category rows (often the biggest slice) link to
    their payments; the list's count and total agree with the row, however it sums them."""
    dashboard = admin_client.get(reverse("spend:dashboard"))
    unmapped = next(r for r in dashboard.context["by_pillar"] if r["pillar_id"] is None)
    assert "?unmapped=1" in dashboard.content.decode()
    page = admin_client.get(reverse("spend:transactions"), {"unmapped": "1"})
    html = page.content.decode()
    assert "payments whose expense code is not mapped to a hub category" in html
    listed = page.context["table"].data
    assert {t.category_id for t in listed} == {None} and len(listed) == unmapped["payments"]
    assert page.context["totals"]["total"] == unmapped["spend"]
    extra = {"unmapped": True}
    by_summary = selectors.payment_totals(SpendFilters(), extra, all_listed=False)
    by_payments = selectors.payment_totals(SpendFilters(), extra, all_listed=True)
    assert by_summary == by_payments == {"count": unmapped["payments"], "total": unmapped["spend"]}
