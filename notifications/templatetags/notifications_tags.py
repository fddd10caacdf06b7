from django import template

from notifications import selectors

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """The header badge: one query."""
    if not user.is_authenticated:
        return 0
    return selectors.unread_count(user)


@register.simple_tag
def follows_contract(user, contract) -> bool:
    """The follow button on the contract page: one query."""
    if not user.is_authenticated:
        return False
    return selectors.is_following(user, contract)
