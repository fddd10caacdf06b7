"""Template tags for the sourcing sections of shared pages (a fixed number of queries each)."""

from django import template

from sourcing import access, selectors

register = template.Library()


@register.simple_tag
def sourcing_lineage(contract, user) -> dict:
    """Predecessor, successor, extensions and projects of a contract, for signed-in staff."""
    if not access.can_view_pipeline(user):
        return {}
    lineage = selectors.contract_lineage(contract)
    lineage["can_decide"] = access.can_decide(user, contract)
    return lineage
