"""Who may see spend and who may import and map it. Every spend view asks here, and only here."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from categories.models import Role
from categories.selectors import user_role

# Uploading files, confirming payee matches and mapping expense codes.
MANAGER_ROLES = (Role.HUB_ADMIN, Role.HEAD_OF_CATEGORY)


def can_view_spend(user) -> bool:
    """Spend pages and payee names: signed-in staff only (never the public index)."""
    return user.is_authenticated


def can_manage_spend(user) -> bool:
    return user_role(user) in MANAGER_ROLES


def spend_view(view):
    """Signed-in staff; anonymous visitors go to sign-in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_view_spend(request.user):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def spend_manager_view(view):
    """Hub administrators and heads of category; others get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_view_spend(request.user):
            return redirect_to_login(request.get_full_path())
        if not can_manage_spend(request.user):
            raise PermissionDenied("Only hub administrators and heads of category may do this.")
        return view(request, *args, **kwargs)

    return wrapper
