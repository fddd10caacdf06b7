"""Spend on the contract and vendor pages: one or two summary queries, for signed-in staff."""

from django import template

from spend import selectors
from spend.access import can_view_spend

register = template.Library()


@register.simple_tag
def contract_spend(contract, user):
    if not can_view_spend(user):
        return None
    return selectors.contract_spend(contract)


@register.simple_tag
def vendor_spend(vendor, user):
    if not can_view_spend(user):
        return None
    return selectors.vendor_spend(vendor)
