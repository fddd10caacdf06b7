"""Messy files a fuzzing review of the import found mishandled: each was imported wrong, or
refused with a misleading message. On SQLite and on PostgreSQL (its COPY path) alike, unless
marked postgres_only."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from spend import services
from spend.models import ImportMode, ImportStatus, Payee, SpendImport, Transaction
from spend.reader import UnreadableFile
from tests.factories import AuthorityFactory
from tests.spend.helpers import csv_bytes, run_import

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "Date,Reference,Supplier Name,Amount"


def _csv(*rows, header=HEADER, sep="\n", encoding="utf-8") -> bytes:
    return (sep.join([header, *rows]) + sep).encode(encoding)


@pytest.fixture
def authority():
    return AuthorityFactory(code="oxf", name="Oxford City Council")


# F1 (high) ---------------------------------------------------------------------------------
def test_unquoted_thousands_in_most_rows_are_not_read_as_pounds(authority):
    """Amounts written with an unquoted thousands comma ("1,234.56" without quotes) split into
    two cells. The spill check should reject those rows, but _usual_width takes the width of
    MOST rows as the file's width, so when most amounts are >= £1,000 no row counts as spilled
    and "1,234.56" is imported as £1.00 (the "234.56" part dropped). SQLite and PostgreSQL."""
    imp = run_import(authority, _csv(
        "01/04/2024,R1,Acme,1,234.56",
        "02/04/2024,R2,Acme,2,500.00",
        "03/04/2024,R3,Acme,600.00",
    ), mode=ImportMode.KEEP_VALID)  # fmt: skip
    amounts = dict(Transaction.objects.values_list("reference", "amount"))
    # Never a silently wrong amount: either the right one or the row rejected.
    assert str(amounts.get("R1", "1234.56")) == "1234.56", amounts
    assert str(amounts.get("R2", "2500.00")) == "2500.00", amounts
    assert imp.imported_rows + imp.rejected_rows == 3


# F2 (medium) -------------------------------------------------------------------------------
def _nul_file() -> bytes:
    rows = [f"01/04/2024,R{i},Acme {'x' * 60},10" for i in range(200)]  # > 4 KB before the NUL
    rows.append("01/04/2024,RZ,Ac\x00me,10")
    return _csv(*rows)


def test_a_nul_byte_below_the_first_4kb_gives_a_clear_outcome_on_both_databases(authority):
    """The NUL check looks at the first 4 KB only. Below it: on SQLite the payee is stored
    with a NUL in its name ("Ac\\x00me") and the import is DONE; on PostgreSQL the row-by-row
    COPY raises psycopg.DataError ("text fields cannot contain NUL") out of the import
    (generic "The import failed" message, exception re-raised). The two paths must agree,
    and neither may store a NUL nor raise."""
    imp = run_import(authority, _nul_file(), mode=ImportMode.KEEP_VALID)
    names = Transaction.objects.values_list("supplier_name", flat=True)
    assert not any("\x00" in name for name in names)
    assert (imp.status, imp.imported_rows, imp.rejected_rows) == (ImportStatus.DONE, 200, 1)
    reject = imp.rejects.get()
    assert (reject.row_number, reject.column, reject.value) == (202, "Supplier Name", "Ac\ufffdme")
    assert "NUL byte" in reject.reason


@pytest.mark.postgres_only
def test_a_nul_byte_below_the_first_4kb_is_no_server_error_in_the_upload_ui(authority, client,
                                                                            hub):  # fmt: skip
    """PostgreSQL: confirming the preview of that file answers 500 (the import runs inline on
    the embedded default / eager Celery and its DataError propagates to the request)."""
    client.force_login(hub.admin)
    client.raise_request_exception = False
    upload = SimpleUploadedFile("spend.csv", _nul_file())
    response = client.post(reverse("spend:import_new"), {"authority": authority.pk, "file": upload})
    assert response.status_code == 302
    imp = SpendImport.objects.latest("pk")
    data = {f"map_{k}": v for k, v in imp.mapping.items()} | {"mode": ImportMode.KEEP_VALID}
    assert client.post(response.url, data).status_code == 302


# F3 (low-medium) ---------------------------------------------------------------------------
def _workbook(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Reference", "Supplier Name", "Amount"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_date_cell_with_fractional_seconds_is_read_as_its_date(authority):
    """A cell typed as a date-time with milliseconds (a system export's timestamp) becomes
    "2024-04-06 10:15:00.500000" in clean_cell, which no date format takes: the row is
    rejected as "not a date in a known format" though the cell is a real date."""
    content = _workbook([[datetime.datetime(2024, 4, 6, 10, 15, 0, 500000), "R1", "Acme", 10]])
    imp = run_import(authority, content, "spend.xlsx", mode=ImportMode.KEEP_VALID)
    assert list(imp.rejects.values_list("reason", flat=True)) == []
    assert Transaction.objects.get().payment_date == datetime.date(2024, 4, 6)


# F4 (low) ----------------------------------------------------------------------------------
def test_a_csv_with_bare_cr_line_ends_is_read(authority):
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR alone. The layout sniffing parses
    the sample with io.StringIO(text) (newline translation on), so the whole file is one
    "line" and the upload fails with "new-line character seen in unquoted field ... (a quote
    left open?)"; the row reader (newline="") would read it."""
    content = _csv("01/04/2024,R1,Acme,10", "02/04/2024,R2,Acme,11", sep="\r")
    imp = run_import(authority, content, mode=ImportMode.KEEP_VALID)
    assert (imp.status, imp.imported_rows) == (ImportStatus.DONE, 2)


# F5 (low) ----------------------------------------------------------------------------------
def test_a_binary_file_renamed_csv_is_not_called_utf16(authority):
    """Any NUL byte in the first 4 KB makes the reader say "The file is UTF-16 text ... save
    it as CSV UTF-8": wrong for a PNG/PDF/.xls renamed .csv."""
    content = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(UnreadableFile) as caught:
        services.import_create(authority=authority, fileobj=io.BytesIO(content), file_name="x.csv")
    assert "UTF-16" not in str(caught.value)


# Found by a review of the fixes above ---------------------------------------------------
def test_a_notes_column_after_a_three_digit_expense_code_is_not_a_thousands_split(authority):
    """Whole-pound amounts under £1,000, a 3-digit expense code after the Amount column and a
    notes column with no heading: '100' then '410' is an amount and a code, not '100,410'
    split, so the rows with a note are not taken for shifted ones."""
    imp = run_import(authority, csv_bytes(
        "01/02/2024,R1,Acme,100,410,Stationery,paid early",
        "02/02/2024,R2,Acme,250,410,Stationery,second instalment",
        "03/02/2024,R3,Acme,75,520,Postage,",
    ))  # fmt: skip
    rejects = list(imp.rejects.values_list("row_number", "reason"))
    assert (imp.imported_rows, imp.rejected_rows) == (3, 0), rejects


def test_a_shifted_row_holding_a_nul_byte_stores_no_nul(authority):
    """A shifted row (an extra comma) holding a NUL byte: its cells are kept for the rows to
    fix with U+FFFD, on both databases (PostgreSQL cannot store a NUL at all)."""
    rows = [f"01/04/2024,R{i},Acme {'x' * 60},10,E1,Cat" for i in range(100)]  # > 4 KB first
    rows.append("01/04/2024,RZ,Ac\x00me, Ltd,10,E1,Cat")
    imp = run_import(authority, csv_bytes(*rows))
    assert imp.status == ImportStatus.DONE, (imp.status, imp.message)
    assert Transaction.objects.count() == 100
    stored = [repr(r) for r in imp.rejects.values()]
    assert not any("\\x00" in s for s in stored), stored


# What already held, kept so it keeps holding --------------------------------------------
def test_sanity_all_or_nothing_with_one_bad_row_writes_nothing(authority):
    imp = run_import(authority, _csv("01/04/2024,R1,Acme,10", "31/04/2024,R2,Acme,10"),
                     mode=ImportMode.ALL_OR_NOTHING)  # fmt: skip
    assert imp.status == ImportStatus.REJECTED
    assert not Transaction.objects.exists() and not Payee.objects.exists()


def test_sanity_reimport_adds_nothing(authority):
    content = _csv("01/04/2024,R1,Acme,10")
    run_import(authority, content)
    again = run_import(authority, content)
    assert again.status == ImportStatus.DUPLICATE and Transaction.objects.count() == 1


def test_a_date_in_the_future_is_a_fault(authority):
    """Payments are made, not planned: a two-digit year read as 2068, or a date over a quarter
    ahead, is rejected with its reason (the fuzzing review saw '01/04/68' imported as 2068)."""
    imp = run_import(authority, csv_bytes(
        "01/04/24,R1,Acme,10,E1,Cat",
        "01/04/68,R2,Acme,10,E1,Cat",
        "01/03/2027,R3,Acme,10,E1,Cat",
        "01/01/2027,R4,Acme,10,E1,Cat",
    ), mode=ImportMode.KEEP_VALID)  # fmt: skip
    assert sorted(Transaction.objects.values_list("reference", flat=True)) == ["R1", "R4"]
    reasons = dict(imp.rejects.values_list("value", "reason"))
    assert reasons == {
        "01/04/68": "Date is in the future (after 22 Feb 2027): a spend file lists payments made",
        "01/03/2027": "Date is in the future (after 22 Feb 2027): a spend file lists payments made",
    }
