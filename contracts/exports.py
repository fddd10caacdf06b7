"""The columns of a contract index export: the same for CSV and XLSX."""

from contracts.tables import person_name

CONTRACT_EXPORT_COLUMNS = (
    ("Reference", lambda c: c.reference),
    ("Title", lambda c: c.title),
    ("Category code", lambda c: c.category.code),
    ("Category", lambda c: c.category.name),
    ("Pillar", lambda c: c.category.pillar.name),
    ("Kind", lambda c: c.get_kind_display()),
    ("Status", lambda c: c.get_status_display()),
    ("Start date", lambda c: c.start_date),
    ("End date", lambda c: c.end_date),
    ("Maximum end date", lambda c: c.max_end_date),
    ("Awarded value", lambda c: c.awarded_value),
    ("Currency", lambda c: c.currency),
    ("Vendors", lambda c: "; ".join(sorted({a.vendor.legal_name for a in c.awards.all()}))),
    ("Authorities", lambda c: "; ".join(a.name for a in c.authorities.all())),
    (
        "Contract manager",
        lambda c: person_name(c.contract_manager or c.category.primary_contract_manager),
    ),
)
