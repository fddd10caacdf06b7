"""Template tags for the KPI slots on shared pages (contract and vendor pages, navigation)."""

from django import template

from kpis import access, selectors

register = template.Library()


@register.simple_tag
def kpi_contract_summary(contract, user) -> dict:
    """The KPI section of the contract page: two queries whatever the contract."""
    summary = selectors.contract_summary(contract)
    summary["internal"] = access.can_view_reviews(user)
    return summary


@register.simple_tag
def kpi_can_view(user) -> bool:
    return access.can_view_reviews(user)
