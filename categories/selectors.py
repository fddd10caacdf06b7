"""Reads about the hub's people and structure: roles, absences, who covers whom."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from categories.models import Category, Pillar, Role, StaffProfile

User = get_user_model()


def user_role(user) -> str | None:
    """The user's hub role, or None for anonymous users and users without a profile."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.HUB_ADMIN
    try:
        return user.profile.role
    except StaffProfile.DoesNotExist:
        return None


def user_is_hub_admin(user) -> bool:
    return user_role(user) == Role.HUB_ADMIN


def user_has_role(user, *roles: str) -> bool:
    return user_role(user) in roles


def user_is_absent(user, day: datetime.date) -> bool:
    try:
        return user.profile.is_absent_on(day)
    except StaffProfile.DoesNotExist:
        return False


def staff_with_roles(*roles: str) -> QuerySet:
    """Users holding one of these roles, for bounded choice lists (a few dozen at most)."""
    return (
        User.objects.filter(is_active=True, profile__role__in=roles)
        .select_related("profile")
        .order_by("first_name", "last_name")
    )


def hub_structure() -> QuerySet:
    """Pillars with their head, categories and every person in each category team."""
    people = ("primary_contract_manager", "secondary_contract_manager", "cover_contract_manager")
    categories = Category.objects.select_related(
        *(f"{p}__profile" for p in people)
    ).prefetch_related(
        Prefetch("category_managers", queryset=User.objects.select_related("profile")),
        Prefetch("category_officers", queryset=User.objects.select_related("profile")),
    )
    return Pillar.objects.select_related("head__profile").prefetch_related(
        Prefetch("categories", queryset=categories)
    )
