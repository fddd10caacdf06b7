"""CSV columns of the spend exports: each analysis and the drill-down; and the rejected rows
of an import, as the file had them."""

import csv
import io
import re
from decimal import Decimal

from django.http import StreamingHttpResponse

PENCE = Decimal("0.01")


def _money(key):
    """Pounds and pence, the same on every database (SQLite's sums drop trailing zeros)."""
    return lambda r: None if r[key] is None else Decimal(r[key]).quantize(PENCE)


_TOTALS = (
    ("Spend", _money("spend")),
    ("On-contract spend", _money("on_contract_spend")),
    ("On-contract share %", lambda r: r["share"]),
    ("Payments", lambda r: r["payments"]),
)

REPORT_COLUMNS = {
    "pillar": (("Pillar", lambda r: r["pillar__name"] or "Unmapped"), *_TOTALS),
    "category": (
        ("Category code", lambda r: r["category__code"] or ""),
        ("Category", lambda r: r["category__name"] or "Unmapped"),
        ("Pillar", lambda r: r["pillar__name"] or ""),
        *_TOTALS,
    ),
    "authority": (("Authority", lambda r: r["authority__name"]), *_TOTALS),
    "month": (("Month", lambda r: r["month"].strftime("%Y-%m")), *_TOTALS),
    "supplier": (
        ("Supplier", lambda r: r["supplier"]),
        ("Hub vendor", lambda r: "yes" if r["vendor_id"] else "no"),
        ("Vendor code", lambda r: r["vendor_code"]),
        *_TOTALS,
    ),
    "off-contract": (
        ("Supplier", lambda r: r["supplier"]),
        ("Hub vendor", lambda r: "yes" if r["vendor_id"] else "no"),
        ("Vendor code", lambda r: r["vendor_code"]),
        ("Authority", lambda r: r["authority__name"]),
        ("Spend", _money("spend")),
        ("Payments", lambda r: r["payments"]),
    ),
    "contracts": (
        ("Reference", lambda r: r["contract"].reference),
        ("Title", lambda r: r["contract"].title),
        ("Status", lambda r: r["contract"].get_status_display()),
        ("Category", lambda r: r["contract"].category.code),
        ("Value", lambda r: r["value"]),
        ("Spend", _money("spend")),
        ("Used %", lambda r: r["percent"]),
        ("Used up", lambda r: "yes" if r["used_up"] else "no"),
    ),
}

TRANSACTION_COLUMNS = (
    ("Payment date", lambda t: t.payment_date),
    ("Authority", lambda t: t.authority.code),
    ("Reference", lambda t: t.reference),
    ("Supplier (as paid)", lambda t: t.supplier_name),
    ("Vendor", lambda t: t.vendor.legal_name if t.vendor else ""),
    ("Department", lambda t: t.department),
    ("Category", lambda t: t.category.code if t.category else ""),
    ("Contract", lambda t: t.contract.reference if t.contract else ""),
    ("Contract candidates", lambda t: t.contract_candidates),
    ("Amount", lambda t: t.amount),
    ("Date assumed", lambda t: "yes" if t.date_assumed else "no"),
)

REJECT_COLUMNS = (
    ("Row", lambda r: r.row_number),
    ("Outcome", lambda r: r.get_kind_display()),
    ("Column", lambda r: r.column),
    ("Value", lambda r: r.value),
    ("Reason", lambda r: r.reason),
)


def rows_to_fix_response(spend_import, rows: list[list[str]]) -> StreamingHttpResponse:
    """The rejected rows under the file's own headers (widened for any row that spilled past
    them), to correct in a spreadsheet and upload as a new file. Values go out exactly as the
    file had them, with no formula guard: "-12.50" must come back as an amount, and the file
    was the uploader's own."""
    headers = list(spend_import.detected.get("headers", []))
    width = max([len(headers), *map(len, rows)])
    headers += [""] * (width - len(headers))

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        bom = "\ufeff"  # Excel then reads it as UTF-8 (accented names, "£" in a header).
        for row in [headers, *rows]:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(row)
            yield bom + buffer.getvalue()
            bom = ""

    stem = _SAFE_NAME.sub("-", spend_import.file_name.rsplit(".", 1)[0])[:80].strip("-") or "spend"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}-rows-to-fix.csv"'
    return response


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")  # Nothing that could break the header.
