"""How a person is named on every page: `{{ user|person }}`, a built-in filter (settings)."""

from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """Full name, else username; "" for nobody (an unassigned role, a deleted account), so
    `|default:"–"` can say so. A missing person never breaks the page."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
