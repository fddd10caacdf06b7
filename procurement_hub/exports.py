"""Streaming CSV and XLSX responses for any list of rows, safe to open in a spreadsheet."""

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

Column = tuple[str, Callable[[object], object]]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A number written as text ("-5", "+1.25"): a spreadsheet reads it as that number, never as a
# formula, so it is left as it is (a published KPI target of -5 must not become "'-5").
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value):
    """Neutralise text a spreadsheet would run as a formula (CSV/formula injection)."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def _xlsx_cell(value):
    """safe_cell, without the control characters XML (and so openpyxl) refuses: a title with
    an ESC in it must not make the whole export fail."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return safe_cell(value)


def csv_response(rows: Iterable, columns: Sequence[Column], filename: str) -> StreamingHttpResponse:
    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([header for header, _ in columns])
        yield "\ufeff" + buffer.getvalue()  # BOM: Excel then reads UTF-8 correctly.
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([_csv_value(get(row)) for _, get in columns])
            yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows: Iterable, columns: Sequence[Column], filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    sheet.append([header for header, _ in columns])
    for row in rows:
        sheet.append([_xlsx_cell(get(row)) for _, get in columns])
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    return safe_cell(value)
