"""The reader: encodings, delimiters, header row, spacer columns, synonyms, values, XLSX."""

import codecs
import datetime
import io
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook

from spend.mapping import detect_mapping, header_field, missing_required
from spend.reader import SpendTable, UnreadableFile, detect_encoding
from spend.values import BadValue, DateParser, normalize_name, parse_amount
from tests.spend.helpers import DATA


def table(content: bytes, name="f.csv") -> SpendTable:
    return SpendTable(io.BytesIO(content), name)


def test_utf8_with_bom_is_detected_and_the_bom_is_not_in_the_header():
    t = table(codecs.BOM_UTF8 + "Date,Supplier,Amount\n01/02/2024,Café,10\n".encode())
    assert t.layout.encoding == "utf-8-sig"
    assert t.layout.headers == ["Date", "Supplier", "Amount"]
    assert list(t.rows()) == [(2, ["01/02/2024", "Café", "10"])]


def test_plain_utf8_is_detected():
    assert detect_encoding(io.BytesIO("Date,Supplier\n1,Café\n".encode())) == "utf-8"


def test_a_utf8_character_across_read_blocks_is_still_utf8():
    text = "x" * ((1 << 20) - 1) + "é" + "\n"  # "é" is two bytes: one in each 1 MB block.
    assert detect_encoding(io.BytesIO(text.encode())) == "utf-8"


def test_a_cp1252_byte_far_down_the_file_makes_it_cp1252():
    """The first 300 KB are plain ASCII; only the last row has a Windows-1252 "é"."""
    lines = ["Date,Reference,Supplier,Amount"]
    lines += [f"01/02/2024,R{i},Acme Ltd,10.00" for i in range(10_000)]
    lines.append("02/02/2024,LAST,Café Rouge,12.50")
    t = table(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    assert t.layout.encoding == "cp1252"
    *_, (number, last) = t.rows()
    assert (number, last) == (10_002, ["02/02/2024", "LAST", "Café Rouge", "12.50"])


def test_cp1252_file_with_title_rows_blank_rows_and_spacer_columns():
    t = table((DATA / "spend-cp1252-blank-rows.csv").read_bytes())
    layout = t.layout
    assert layout.encoding == "cp1252"
    assert layout.delimiter == ";"
    assert layout.header_row == 5
    assert layout.headers == [
        "Service Area", "Expense Type", "Expenditure Code", "Date Paid",
        "Transaction Number", "Amount", "Supplier Name",
    ]  # fmt: skip
    rows = list(t.rows())
    assert len(rows) == 6  # The blank row inside the data is skipped.
    assert rows[0] == (6, ["Housing", "Repairs & maintenance", "R100", "03/04/2024", "AT-1001",
                           "£1,234.56", "Café Société Ltd"])  # fmt: skip
    assert detect_mapping(layout.headers) == {
        "department": "Service Area",
        "expense_category": "Expense Type",
        "expense_code": "Expenditure Code",
        "date": "Date Paid",
        "reference": "Transaction Number",
        "amount": "Amount",
        "supplier_name": "Supplier Name",
    }


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    text = delimiter.join(["Paid Date", "Supplier Name", "Amount"]) + "\n"
    text += delimiter.join(["01/02/2024", "Acme", "12.50"]) + "\n"
    t = table(text.encode())
    assert t.layout.delimiter == delimiter
    assert next(iter(t.rows()))[1] == ["01/02/2024", "Acme", "12.50"]


def test_a_file_without_any_spend_header_is_unreadable():
    with pytest.raises(UnreadableFile):
        table(b"foo,bar\n1,2\n")


def test_empty_file_is_unreadable():
    with pytest.raises(UnreadableFile):
        table(b"   \n")


def test_xlsx_is_read_in_read_only_mode_with_title_rows_and_spacer_columns():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Spend"
    sheet.append(["Payments over £500"])
    sheet.append([])
    sheet.append(["Payment Date", None, "Supplier", "Net Amount", "VAT", "Amount", "Trans No"])
    sheet.append([datetime.datetime(2024, 5, 1), None, "Acme Ltd", 100.0, 20.0, 120.0, 7])
    sheet.append([None, None, None, None, None, None, None])
    sheet.append(["02/05/2024", None, "Beta", "(5.50)", 0, -5.5, "X-2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    t = table(buffer.getvalue(), "spend.xlsx")
    assert t.layout.kind == "xlsx"
    assert t.layout.sheet == "Spend"
    assert t.layout.header_row == 3
    assert t.layout.headers == [
        "Payment Date",
        "Supplier",
        "Net Amount",
        "VAT",
        "Amount",
        "Trans No",
    ]
    assert list(t.rows()) == [
        (4, ["2024-05-01", "Acme Ltd", "100", "20", "120", "7"]),
        (6, ["02/05/2024", "Beta", "(5.50)", "0", "-5.5", "X-2"]),
    ]
    mapping = detect_mapping(t.layout.headers)
    assert mapping["net_amount"] == "Net Amount" and mapping["vat_amount"] == "VAT"
    assert mapping["reference"] == "Trans No"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Body Name", "authority"), ("body_name", "authority"), ("Client", "authority"),
        ("Organisation", "authority"), ("Organisational Unit", "department"),
        ("Organisatonal Unit", "department"), ("Service Area", "department"),
        ("Expenditure Category", "expense_category"), ("Expenditure Catergory", "expense_category"),
        ("Expenditure Unit", "expense_category"), ("expenditure_code", "expense_code"),
        ("Paid Date", "date"), ("Trans No", "reference"), ("trans_no", "reference"),
        ("Amount", "amount"), ("Type", "capital_revenue"), ("caporrev", "capital_revenue"),
        ("Capital or Revenue", "capital_revenue"), ("Type of Expenditure", "capital_revenue"),
        ("Supplier ID", "supplier_id"), ("Supplier Name ", "supplier_name"),
        ("Net Amount", "net_amount"), ("VAT", "vat_amount"), ("Colour", None),
    ],
)  # fmt: skip
def test_header_synonyms(header, field):
    assert header_field(header) == field


def test_required_fields():
    assert missing_required({"date": "D", "amount": "A"}) == ["supplier_name"]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1,234.56", "1234.56"), ("£1,234", "1234"), ("(123.45)", "-123.45"),
        ("-123.45", "-123.45"), ("123.45-", "-123.45"), ("£ 12", "12"), ("12.500", "12.50"),
        ("500 CR", "-500"), ("+7", "7"), ("1,234,567", "1234567"),
        ("1234.5600000001", "1234.56"),  # A float from a spreadsheet, written out in full.
    ],
)  # fmt: skip
def test_amounts(raw, value):
    assert parse_amount(raw) == Decimal(value)


@pytest.mark.parametrize(("raw", "currency"), [("€1,234", "€"), ("$5", "$"), ("(€12)", "€")])
def test_amounts_in_another_currency_are_refused_not_counted_as_pounds(raw, currency):
    with pytest.raises(BadValue, match=f"another currency \\({re.escape(currency)}\\)"):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["€1,234", "£5"])
def test_a_hub_in_euro_reads_euro_and_refuses_pounds(raw, settings):
    settings.HUB_CURRENCY = "EUR"
    if raw.startswith("€"):
        assert parse_amount(raw) == Decimal("1234")
    else:
        with pytest.raises(BadValue, match="another currency"):
            parse_amount(raw)


@pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "(-5)", "1e5"])
def test_bad_amounts(raw):
    with pytest.raises(BadValue):
        parse_amount(raw)


@pytest.mark.parametrize(
    "raw", ["1.234,56", "1,2", "£1,5", "(1,23)", "1,23,456", "12,34.50", "0,500", "-0,500.00"]
)
def test_a_comma_outside_thousands_groups_is_refused_not_dropped(raw):
    """Dropping it would import 1.234,56 as 1.23 and 1,2 as 12."""
    with pytest.raises(BadValue, match="not a number"):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["12.345", "1,234,567.891", "0.0125", "12.345000", "1.23450"])
def test_fractions_of_a_penny_are_refused_not_rounded(raw):
    with pytest.raises(BadValue, match="more than two decimal places"):
        parse_amount(raw)


def test_dates_uk_iso_and_profile_formats():
    parse = DateParser("%m/%d/%Y")
    assert parse("12/31/2024") == datetime.date(2024, 12, 31)  # The profile's format first.
    assert DateParser()("03/04/2024") == datetime.date(2024, 4, 3)  # dd/mm/yyyy by default.
    assert DateParser()("2024-04-03") == datetime.date(2024, 4, 3)
    assert DateParser()("2024-04-03 00:00:00") == datetime.date(2024, 4, 3)
    for bad in ("31/04/2024", "00:00:00", "soon", ""):
        with pytest.raises(BadValue):
            DateParser()(bad)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("31/02/2025", "Date does not exist"), ("2024-02-30", "Date does not exist"),
        ("01/13/2024", "Date does not exist"), ("01/02/1850", "Date is outside the years"),
        ("00:00:00", "not a date in a known format"), ("next week", "not a date in a known"),
        ("", "Date is missing"),
    ],
)  # fmt: skip
def test_a_bad_date_says_what_is_wrong_with_it(raw, reason):
    with pytest.raises(BadValue, match=reason):
        DateParser()(raw)


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("ACME Ltd.", "acme"), ("Acme Limited", "acme"),
        ("Smith &amp; Jones PLC", "smith and jones"),
        ("Smith & Jones LLP", "smith and jones"), ("The Smith and Jones Inc", "smith and jones"),
        ("Café Société LLC", "cafe societe"), ("O'Brien (UK) Ltd", "obrien uk"),
        ("Limited", "limited"),
    ],
)  # fmt: skip
def test_name_normalisation(name, normal):
    assert normalize_name(name) == normal


def test_a_profile_maps_by_normalised_header_and_falls_back_to_detection():
    from spend.mapping import apply_profile

    profile = {"date": "Paid Date", "amount": "Amount", "supplier_name": "Payee",
               "capital_revenue": "Type"}  # fmt: skip
    # Same columns, other spelling: the profile's choices, in this file's spelling.
    assert apply_profile(profile, ["paid_date", "AMOUNT", "payee", "type"]) == {
        "date": "paid_date", "amount": "AMOUNT", "supplier_name": "payee",
        "capital_revenue": "type",
    }  # fmt: skip
    # A file without the profile's date and supplier columns: detection fills them.
    assert apply_profile(profile, ["Date Paid", "Amount", "Supplier Name", "Type"]) == {
        "date": "Date Paid", "amount": "Amount", "supplier_name": "Supplier Name",
        "capital_revenue": "Type",
    }  # fmt: skip
    # A column the profile gives one field is not taken again by detection for another.
    assert apply_profile({"reference": "Supplier"}, ["Date", "Amount", "Supplier"]) == {
        "reference": "Supplier", "date": "Date", "amount": "Amount",
    }  # fmt: skip
