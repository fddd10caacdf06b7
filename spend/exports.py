"""CSV columns of the spend exports: each analysis and the drill-down."""

from decimal import Decimal

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
        ("Supplier (as paid)", lambda r: r["payee__name"]),
        ("Vendor", lambda r: r["vendor__legal_name"] or ""),
        *_TOTALS,
    ),
    "off-contract": (
        ("Supplier (as paid)", lambda r: r["payee__name"]),
        ("Vendor", lambda r: r["vendor__legal_name"] or ""),
        ("Authority", lambda r: r["authority__name"]),
        ("Spend", _money("spend")),
        ("Payments", lambda r: r["payments"]),
    ),
    "contracts": (
        ("Reference", lambda r: r["contract"].reference),
        ("Title", lambda r: r["contract"].title),
        ("Category", lambda r: r["contract"].category.code),
        ("Value", lambda r: r["value"]),
        ("Spend", lambda r: r["spend"]),
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
)

REJECT_COLUMNS = (
    ("Row", lambda r: r.row_number),
    ("Outcome", lambda r: r.get_kind_display()),
    ("Column", lambda r: r.column),
    ("Value", lambda r: r.value),
    ("Reason", lambda r: r.reason),
)
