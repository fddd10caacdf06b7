"""PostgreSQL's COPY path for CSV files stages, converts and rejects exactly as the row-by-row
path does: the same messy file imported both ways gives the same payments and the same rejects."""

import pytest

from spend import copy_stage, importer
from spend.models import ImportMode, ImportStatus, Transaction
from spend.values import TOO_LONG
from tests.factories import AuthorityFactory
from tests.spend.helpers import run_import

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

HEADER = "Body,,Service Area,Expense Type,Expense Code,Date Paid,Trans No,Net,VAT,Amount,Supplier"
ROWS = [
    'Anytown,,Housing,Repairs & maintenance,R100,03/04/2024,AT-1,1000,200,"1,200.00",Café Ltd',
    "Anytown,,Housing, Repairs & maintenance ,,2024-04-04,AT-2,,,(123.45),CAFÉ LIMITED",
    "Anytown,,Leisure,Consultancy,C200,05/04/2024,AT-3,,,£1,Smith &amp; Jones PLC",
    ",,,,,,,,,,",  # A blank record: skipped, but it keeps its row number.
    "Anytown,,Leisure,Consultancy,C200,31/04/2024,AT-4,,,10.00,Smith and Jones",
    "Anytown,,Leisure,Consultancy,C200,06/04/2024,AT-5,,,five,Smith and Jones",
    "Anytown,,Leisure,Consultancy,C200,06/04/2024,,,,5.00,Smith and Jones",
    "Anytown,,Leisure,Consultancy,C200,06/04/2024,AT-6,x,,5.00,  ",
    "Anytown,,Parks,,P1,7 Apr 2024,  AT-7 ,,,123.450,The Green Co",
    "Anytown,,Parks,,P1,08.04.2024,AT-8,,,-7,Green Co.",
    "Anytown,,Parks,,P1,08/04/2024,AT-9,,,123.45-,Green Co.",
    "Anytown,,Parks,,P1,08/04/2024,AT-10,,,99 CR,Green Co.",
]


@pytest.fixture
def copy_calls(monkeypatch) -> list[bool]:
    """What each import's copy_stage returned (True: the file took the COPY path)."""
    calls = []
    real = copy_stage.copy_stage

    def spy(*args):
        calls.append(real(*args))
        return calls[-1]

    monkeypatch.setattr(importer, "copy_stage", spy)
    return calls


def _content() -> bytes:
    lines = ["", "", "Anytown District Council spend over £500,,,,,,,,,,", HEADER, *ROWS]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _import(monkeypatch, *, copy: bool, mode=ImportMode.KEEP_VALID, content: bytes | None = None):
    used = []

    def spy(*args):
        used.append(copy and copy_stage.copy_stage(*args))
        return used[-1]

    monkeypatch.setattr(importer, "copy_stage", spy)
    authority = AuthorityFactory()
    imp = run_import(authority, content or _content(), "anytown.csv", mode=mode)
    payments = sorted(
        Transaction.objects.filter(authority=authority).values_list(
            "row_number", "reference", "payment_date", "amount", "net_amount", "vat_amount",
            "department", "supplier_name", "payee__normalized_name", "expense_code__key",
            "expense_code__name",
        )
    )  # fmt: skip
    rejects = list(imp.rejects.values_list("row_number", "column", "value", "reason", "cells"))
    counts = (imp.status, imp.total_rows, imp.imported_rows, imp.rejected_rows)
    return used, payments, rejects, counts


def test_copy_path_and_row_path_agree(monkeypatch):
    used, payments, rejects, counts = _import(monkeypatch, copy=True)
    assert used == [True]  # The file took the COPY path.
    _, row_payments, row_rejects, row_counts = _import(monkeypatch, copy=False)
    assert (payments, rejects, counts) == (row_payments, row_rejects, row_counts)
    assert counts == (ImportStatus.DONE, 11, 7, 4)
    assert [r[:2] for r in rejects] == [(9, "Date Paid"), (10, "Amount"), (11, "Trans No"),
                                        (12, "Net"), (12, "Supplier")]  # fmt: skip
    by_ref = {p[1]: p for p in payments}
    assert str(by_ref["AT-2"][3]) == "-123.45"  # Credit notes stay negative.
    assert by_ref["AT-1"][4:6] == (1000, 200)
    assert str(by_ref["AT-7"][3]) == "123.45"
    assert by_ref["AT-2"][8] == by_ref["AT-1"][8] == "cafe"  # One payee, by normalised name.
    assert by_ref["AT-2"][9] == "repairs and maintenance"  # No code: keyed by its name.


def test_all_or_nothing_through_copy_imports_nothing(monkeypatch):
    used, payments, rejects, counts = _import(
        monkeypatch, copy=True, mode=ImportMode.ALL_OR_NOTHING
    )
    assert used == [True]
    assert payments == [] and len(rejects) == 5
    assert counts[0] == ImportStatus.REJECTED


def test_uneven_rows_fall_back_to_the_row_path(copy_calls):
    content = (
        b"Date,Reference,Supplier Name,Amount\n03/04/2024,R1,Acme,5\n\n04/04/2024,R2,Acme,6,\n"
        b"05/04/2024,R3,Acme,7,x\n"
    )
    imp = run_import(AuthorityFactory(), content)
    assert copy_calls == [False]  # A blank line and rows too wide: COPY refuses, rows are read.
    # An empty cell past the header is nothing; a value there means the row's values shifted.
    assert (imp.status, imp.imported_rows, imp.rejected_rows) == (ImportStatus.DONE, 2, 1)


def test_unicode_spaces_are_stripped_as_python_strips_them(monkeypatch):
    content = (
        "Date,Reference,Supplier Name,Amount,Department\n"
        "01/04/2024,\u2003,Acme,5,Parks\n"  # A reference of one em space: missing.
        "02/04/2024,\u2009R2\u3000,\u202fAcme Ltd\u2009,6,\u2002Parks\u2002\n"
        "\u2003,\u2003,\u2003,\u2003,\u2003\n"  # Only spaces: a blank row, skipped.
    ).encode()
    used, payments, rejects, counts = _import(monkeypatch, copy=True, content=content)
    assert used == [True]
    _, row_payments, row_rejects, row_counts = _import(monkeypatch, copy=False, content=content)
    assert (payments, rejects, counts) == (row_payments, row_rejects, row_counts)
    assert [p[1] for p in payments] == ["R2"] and payments[0][6] == "Parks"
    assert [r[3] for r in rejects] == ["Transaction reference is missing"]


def test_stray_quotes_fall_back_and_read_as_python_reads_them(copy_calls):
    """PostgreSQL's CSV reader would start a quoted section at an inch mark and merge rows."""
    content = (
        b'Date,Reference,Supplier Name,Amount\n01/04/2024,R1,Acme 12",5\n'
        b'02/04/2024,R2,Beta 6" pipe,7\n03/04/2024,R3, "Smith, John",9\n'
        b'04/04/2024,R4,"Quoted, Ltd",10\n'
    )
    imp = run_import(AuthorityFactory(), content)
    assert copy_calls == [False]
    names = dict(Transaction.objects.values_list("reference", "supplier_name"))
    assert names == {"R1": 'Acme 12"', "R2": 'Beta 6" pipe', "R4": "Quoted, Ltd"}
    assert (imp.imported_rows, imp.rejected_rows) == (3, 1)  # R3 has five cells: no amount.


def test_well_formed_quoted_fields_keep_the_copy_path(copy_calls):
    content = (
        b'Date,Reference,Supplier Name,Amount\n01/04/2024,R1,"Acme ""The"" Co, Ltd","1,234.50"\n'
    )
    imp = run_import(AuthorityFactory(), content)
    assert copy_calls == [True] and imp.imported_rows == 1
    assert Transaction.objects.get().supplier_name == 'Acme "The" Co, Ltd'


def test_rows_naming_another_authority_are_rejected_alike(monkeypatch):
    AuthorityFactory(code="oth", name="Otherton Council")
    content = (
        b"Body,Date,Reference,Supplier Name,Amount\n"
        b"Anytown,01/04/2024,R1,Acme,5\nOtherton Council,01/04/2024,R2,Acme,6\n"
        b"oth,01/04/2024,R3,Acme,7\n"
    )
    used, payments, rejects, counts = _import(monkeypatch, copy=True, content=content)
    assert used == [True]
    _, row_payments, row_rejects, row_counts = _import(monkeypatch, copy=False, content=content)
    assert (payments, rejects, counts) == (row_payments, row_rejects, row_counts)
    assert [p[1] for p in payments] == ["R1"]
    assert [(r[0], r[1]) for r in rejects] == [(3, "Body"), (4, "Body")]


def test_both_paths_keep_the_cells_of_each_rejected_row_once(monkeypatch):
    used, _payments, rejects, _counts = _import(monkeypatch, copy=True)
    assert used == [True]
    kept = {r[0]: r[4] for r in rejects if r[4]}
    assert sorted(kept) == [9, 10, 11, 12]  # Row 12 has two faults: its cells are kept once.
    assert kept[10][8] == "five" and len(kept[10]) == 10  # The header's ten named columns.
    assert [r[4] for r in rejects if r[0] == 12].count([]) == 1


def test_over_long_references_and_supplier_names_are_rejected_alike(monkeypatch):
    """Cut short, two payments could merge (the second taken for already present): both paths
    reject them instead, with the same reason."""
    long_ref, long_name = "R" * 101, "S" * 256
    rows = [
        f"Anytown,,Parks,,P1,08/04/2024,{long_ref}1,,,5.00,Green Co.",
        f"Anytown,,Parks,,P1,08/04/2024,{long_ref}2,,,5.00,Green Co.",
        f"Anytown,,Parks,,P1,08/04/2024,AT-20,,,5.00,{long_name}",
        f"Anytown,,Parks,,P1,08/04/2024,{'R' * 100},,,5.00,{'S' * 255}",  # Just fits.
    ]
    content = ("\r\n".join([HEADER, *rows]) + "\r\n").encode()
    used, payments, rejects, counts = _import(monkeypatch, copy=True, content=content)
    assert used == [True]
    assert (payments, rejects, counts) == _import(monkeypatch, copy=False, content=content)[1:]
    assert counts == (ImportStatus.DONE, 4, 1, 3)
    too_long = {
        "Trans No": TOO_LONG.format(what="Transaction reference", limit=100),
        "Supplier": TOO_LONG.format(what="Supplier name", limit=255),
    }
    assert [(r[1], r[3]) for r in rejects] == [
        ("Trans No", too_long["Trans No"]),
        ("Trans No", too_long["Trans No"]),
        ("Supplier", too_long["Supplier"]),
    ]
