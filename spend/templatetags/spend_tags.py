"""Spend on the contract and vendor pages (one or two summary queries, for signed-in staff), and
what the filter form keeps."""

from django import template
from django.http import QueryDict

from spend import selectors
from spend.access import can_manage_spend, can_view_spend
from spend.values import format_pounds

register = template.Library()

# Query-string keys that applying the filter form keeps (drill-down, sort, page size); the page
# number is left behind: the filtered list starts again at page 1.
KEPT_KEYS = frozenset({"payee", "vendor", "contract", "month", "on_contract", "unmapped", "sort",
                       "per_page"})  # fmt: skip


@register.filter
def kept_by_filters(key: str) -> bool:
    return key in KEPT_KEYS


@register.simple_tag
def contract_spend(contract, user):
    if not can_view_spend(user):
        return None
    return selectors.contract_spend(contract)


@register.simple_tag
def vendor_spend(vendor, user):
    if not can_view_spend(user):
        return None
    spend = selectors.vendor_spend(vendor)
    if spend:
        spend["can_unmatch"] = can_manage_spend(user)
    return spend


@register.filter
def pounds(value, places=0) -> str:
    """{{ amount|pounds }}, {{ amount|pounds:2 }}: spend.values.format_pounds."""
    return format_pounds(value, places)


# The analysis filters a supplier's payments keep (the filter form's fields).
_FILTERS = ("authority", "date_from", "date_to", "pillar", "category")


@register.simple_tag(takes_context=True)
def supplier_query(context, row) -> str:
    """The query string from a ranked supplier row to its payments, in the page's filters: a
    hub vendor's (in the row's authority, where the row has one), else the unmatched payee's."""
    query = QueryDict(mutable=True)
    for key in _FILTERS:
        if values := context["request"].GET.getlist(key):
            query.setlist(key, values)
    if row["vendor_id"]:
        query["vendor"] = row["vendor_id"]
        if row.get("authority_id"):
            query["authority"] = row["authority_id"]
    else:
        query["payee"] = row["unmatched_payee_id"]
    return "?" + query.urlencode()
