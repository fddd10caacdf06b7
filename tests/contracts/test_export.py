"""Exports carry exactly the filtered rows: every page of them, and nothing else."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import TODAY, ContractFactory, VendorFactory


@pytest.fixture
def rows(hub):
    acme = VendorFactory(legal_name="Acme Ltd")
    for n in range(30):
        ContractFactory(reference=f"ITS{n:02d}", category=hub.category, vendors=[acme])
    ContractFactory(reference="FAC01", category=hub.other_category, title="=HYPERLINK(evil)")
    ContractFactory(
        reference="OLD01",
        category=hub.category,
        end_date=TODAY - datetime.timedelta(days=1),
        start_date=TODAY - datetime.timedelta(days=100),
    )


def _csv(client, params):
    response = client.get(reverse("contracts:export", args=["csv"]), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_has_every_filtered_row_across_pages(client, hub, rows):
    client.force_login(hub.buyer)
    exported = _csv(client, {"category": hub.category.pk, "page": "2"})
    assert sorted(r["Reference"] for r in exported) == [f"ITS{n:02d}" for n in range(30)]
    assert {r["Vendors"] for r in exported} == {"Acme Ltd"}
    assert {r["Contract manager"] for r in exported} == {hub.cm.get_full_name()}


def test_csv_export_follows_the_sort_and_the_expired_toggle(client, hub, rows):
    client.force_login(hub.buyer)
    exported = _csv(client, {"sort": "-reference", "show_expired": "true", "q": "its0"})
    assert [r["Reference"] for r in exported][:2] == ["ITS09", "ITS08"]
    exported = _csv(client, {"show_expired": "true", "category": hub.category.pk})
    assert "OLD01" in {r["Reference"] for r in exported}


def test_csv_export_neutralises_spreadsheet_formulas(client, hub, rows):
    client.force_login(hub.buyer)
    (row,) = _csv(client, {"q": "fac01"})
    assert row["Title"] == "'=HYPERLINK(evil)"


def test_xlsx_export_matches_the_filter(client, hub, rows):
    client.force_login(hub.buyer)
    response = client.get(
        reverse("contracts:export", args=["xlsx"]), {"category": hub.other_category.pk}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Reference"
    assert [row[0] for row in values[1:]] == ["FAC01"]


def test_unknown_export_format_is_a_404(client, hub):
    client.force_login(hub.buyer)
    assert client.get(reverse("contracts:export", args=["pdf"])).status_code == 404


def test_xlsx_export_drops_control_characters_xml_refuses(client, hub):
    ContractFactory(reference="ESC01", category=hub.category, title="Switches\x1bfast\x07")
    client.force_login(hub.buyer)
    response = client.get(reverse("contracts:export", args=["xlsx"]), {"q": "esc01"})
    assert response.status_code == 200
    values = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert values[1][:2] == ("ESC01", "Switchesfast")


@pytest.mark.parametrize(
    ("value", "written"),
    [("-5", "-5"), ("+1.25", "+1.25"), ("-2+3", "'-2+3"), ("-cmd|x", "'-cmd|x"), ("@SUM", "'@SUM")],
)
def test_numbers_written_as_text_are_not_taken_for_formulas(value, written):
    from procurement_hub.exports import safe_cell

    assert safe_cell(value) == written
