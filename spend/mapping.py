"""Canonical spend fields, the header synonyms that name them, and detection of a file's mapping."""

import hashlib
import re

from rapidfuzz import fuzz

# Canonical field -> label. Order is the preview's order.
FIELDS = {
    "authority": "Authority / body",
    "department": "Department / service area",
    "expense_category": "Expense category",
    "expense_code": "Expense code",
    "date": "Payment date",
    "reference": "Transaction reference",
    "amount": "Amount",
    "net_amount": "Net amount",
    "vat_amount": "VAT",
    "capital_revenue": "Capital / revenue",
    "supplier_id": "Supplier id",
    "supplier_name": "Supplier name",
}
REQUIRED = ("date", "amount", "supplier_name")

SYNONYMS = {
    "authority": [
        "authority",
        "body",
        "body name",
        "organisation",
        "organization",
        "client",
        "council",
        "organisation name",
        "public body",
        "local authority",
    ],
    "department": [
        "department",
        "service area",
        "organisational unit",
        "organisatonal unit",
        "directorate",
        "service",
        "service division",
        "cost centre",
        "cost center",
        "service label",
        "department name",
        "division",
    ],
    "expense_category": [
        "expense category",
        "expenditure category",
        "expenditure catergory",
        "expenditure unit",
        "expense type",
        "expenditure type",
        "category",
        "expense description",
        "expense area",
        "purpose",
        "subjective description",
        "account description",
        "spend category",
    ],
    "expense_code": [
        "expense code",
        "expenditure code",
        "account code",
        "subjective code",
        "cost code",
        "nominal code",
        "ledger code",
        "expense type code",
    ],
    "date": [
        "date",
        "paid date",
        "payment date",
        "transaction date",
        "date paid",
        "invoice date",
        "posting date",
        "pay date",
        "effective date",
    ],
    "reference": [
        "transaction reference",
        "reference",
        "trans no",
        "transaction number",
        "transaction no",
        "transaction id",
        "invoice number",
        "invoice no",
        "payment reference",
        "document number",
        "voucher number",
        "ref",
    ],
    "amount": [
        "amount",
        "value",
        "gross amount",
        "total",
        "amount paid",
        "payment amount",
        "gross",
        "total amount",
        "amount gbp",
        "amount excluding vat",
    ],
    "net_amount": ["net amount", "net", "net value", "amount net"],
    "vat_amount": ["vat", "vat amount", "tax", "vat value"],
    "capital_revenue": [
        "capital revenue",
        "capital or revenue",
        "caporrev",
        "cap rev",
        "type",
        "type of expenditure",
        "expenditure type capital revenue",
        "revenue capital",
    ],
    "supplier_id": [
        "supplier id",
        "supplier code",
        "vendor id",
        "vendor code",
        "supplier number",
        "creditor id",
        "creditor number",
        "supplier reference",
        "company number",
    ],
    "supplier_name": [
        "supplier name",
        "supplier",
        "vendor",
        "vendor name",
        "payee",
        "payee name",
        "beneficiary",
        "creditor",
        "creditor name",
        "merchant name",
        "supplier title",
    ],
}

_NON_WORD = re.compile(r"[^a-z0-9]+")
_LOOKUP = {syn: field for field, syns in SYNONYMS.items() for syn in syns}
FUZZY_CUTOFF = 88


def norm_header(text: str) -> str:
    return _NON_WORD.sub(" ", str(text).lower().replace("_", " ")).strip()


def header_field(header: str) -> str | None:
    """The canonical field a header names, by synonym, or by a close spelling of one."""
    key = norm_header(header)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    best, best_score = None, 0.0
    for synonym, field in _LOOKUP.items():
        if len(synonym) < 5:
            continue
        score = fuzz.ratio(key, synonym)
        if score > best_score:
            best, best_score = field, score
    return best if best_score >= FUZZY_CUTOFF else None


def header_score(cells: list[str]) -> int:
    """How many distinct canonical fields a row of cells names (a header row scores high)."""
    return len({f for f in (header_field(c) for c in cells if len(str(c)) <= 60) if f})


def detect_mapping(headers: list[str]) -> dict[str, str]:
    """Canonical field -> header. The first header naming a field wins."""
    mapping: dict[str, str] = {}
    for header in headers:
        field = header_field(header)
        if field and field not in mapping:
            mapping[field] = header
    return mapping


def apply_profile(profile_mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """A saved profile's mapping on this file's headers. Headers match as normalised ("Paid
    Date" is "paid_date", as in the signature that chose the profile). A field the profile maps
    to a column this file lacks, and a required field it does not map, fall back to detection;
    a column still fills one field only."""
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(norm_header(header), header)
    mapping = {
        f: by_norm[norm_header(h)] for f, h in profile_mapping.items() if norm_header(h) in by_norm
    }
    detected = detect_mapping(headers)
    wanted = [f for f in profile_mapping if f not in mapping]
    wanted += [f for f in REQUIRED if f not in profile_mapping]
    for field in wanted:
        header = detected.get(field)
        if header and header not in mapping.values():
            mapping[field] = header
    return mapping


def header_signature(headers: list[str]) -> str:
    return hashlib.sha256("|".join(norm_header(h) for h in headers).encode()).hexdigest()


def missing_required(mapping: dict[str, str]) -> list[str]:
    return [f for f in REQUIRED if not mapping.get(f)]


def mapping_positions(mapping: dict[str, str], headers: list[str]) -> dict[str, int]:
    """Canonical field -> index in the layout's header list."""
    index = {h: i for i, h in reversed(list(enumerate(headers)))}
    return {f: index[h] for f, h in mapping.items() if h in index}
