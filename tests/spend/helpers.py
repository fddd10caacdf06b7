"""Helpers for the spend tests: run an import of some bytes or a file, as the UI would."""

import io
from pathlib import Path

from django.test import TestCase

from spend import services
from spend.models import ImportMode, SpendImport

DATA = Path(__file__).resolve().parent.parent / "data"
PREVIEWED = object()  # What the preview offers, as a user clicking "Import" takes it.


def run_import(authority, content: bytes, name: str = "spend.csv", *,
               mode: str = ImportMode.KEEP_VALID, mapping: dict | None = None,
               date_formats: str = "", undated_as=PREVIEWED) -> SpendImport:  # fmt: skip
    """Preview then confirm (Celery runs eagerly in tests), and return the finished import.
    The date for undated rows is the preview's unless given (None: reject them)."""
    spend_import = services.import_create(
        authority=authority, fileobj=io.BytesIO(content), file_name=name
    )
    with TestCase.captureOnCommitCallbacks(execute=True):  # The task runs eagerly after commit.
        services.import_confirm(
            spend_import=spend_import,
            mapping=mapping if mapping is not None else spend_import.mapping,
            mode=mode,
            date_formats=date_formats,
            undated_as=spend_import.undated_as if undated_as is PREVIEWED else undated_as,
        )
    spend_import.refresh_from_db()
    return spend_import


def csv_bytes(
    *rows: str, header: str = "Date,Reference,Supplier Name,Amount,Expense Code,Expense Category"
) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


# The columns of most matching tests: a supplier id last, for the registration-id match.
ID_HEADER = "Date,Reference,Supplier Name,Amount,Expense Code,Expense Category,Supplier ID"


def id_rows(*lines: str) -> bytes:
    """A file of these rows under ID_HEADER."""
    return csv_bytes(*lines, header=ID_HEADER)
