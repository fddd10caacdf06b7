"""Who may see and change contracts. Every contract view asks here, and only here."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from categories.models import Category, Role, category_team_q
from categories.selectors import user_role
from contracts.models import Contract, ContractDocument

# Roles that may create contracts.
CREATOR_ROLES = (Role.SOURCING_MANAGER, Role.HEAD_OF_CATEGORY, Role.HUB_ADMIN)


def can_browse(user) -> bool:
    """The index, public contract pages, vendor directory and lookup."""
    return user.is_authenticated or settings.HUB_PUBLIC_INDEX


def can_see_internal(user) -> bool:
    """Internal contracts and internal fields need a signed-in user."""
    return user.is_authenticated


def visible_contracts(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Contract.objects.all() if queryset is None else queryset
    if can_see_internal(user):
        return queryset
    if settings.HUB_PUBLIC_INDEX:
        return queryset.filter(is_public=True)
    return queryset.none()


def editable_contracts(user, queryset: QuerySet | None = None) -> QuerySet:
    """The contracts this user may edit, as one queryset (used by lists and by the guard)."""
    queryset = Contract.objects.all() if queryset is None else queryset
    role = user_role(user)
    if role is None or role == Role.BUYER:
        return queryset.none()
    if role == Role.HUB_ADMIN:
        return queryset
    own_team = Category.objects.filter(category_team_q(user), pk=OuterRef("category_id"))
    assigned = Contract.objects.managed_by(user).filter(pk=OuterRef("pk"))
    return queryset.filter(Exists(own_team) | Exists(assigned))


def can_create_contract(user) -> bool:
    return user_role(user) in CREATOR_ROLES


def filing_categories(user, current: int | None = None) -> QuerySet:
    """The categories this user may file a contract or a sourcing project in, plus `current`
    (the category it is in now). Sourcing managers and hub administrators choose any (they
    source for every pillar); a head of category the categories of the pillars they lead;
    others the categories they work in (their teams', and those whose contracts they manage
    or cover). So an edit cannot hand work to a pillar or team the user has no part in."""
    categories = Category.objects.all()
    role = user_role(user)
    if role in (Role.SOURCING_MANAGER, Role.HUB_ADMIN):
        return categories
    mine = (
        category_team_q(user)
        | Q(primary_contract_manager=user)
        | Q(secondary_contract_manager=user)
        | Q(cover_contract_manager=user)
    )
    if role == Role.HEAD_OF_CATEGORY:
        mine |= Q(pillar__head=user)
    own = Category.objects.filter(mine).values("pk")
    return categories.filter(Q(pk__in=own) | Q(pk=current))


def can_edit_contract(user, contract: Contract) -> bool:
    return editable_contracts(user, Contract.objects.filter(pk=contract.pk)).exists()


def contract_for_user(user, reference: str, *, perm: str = "view") -> Contract:
    """Fetch a contract by reference, or 404 when it is not visible / 403 when not editable."""
    if perm not in {"view", "change"}:
        raise ValueError(f"unknown permission {perm!r}")
    contract = (
        visible_contracts(user)
        .select_related("category__pillar__head__profile")
        .filter(reference=reference)
        .first()
    )
    if contract is None:
        raise Http404("No such contract.")
    if perm == "change" and not can_edit_contract(user, contract):
        raise PermissionDenied("You may not edit this contract.")
    return contract


def document_for_user(user, reference: str, pk: int) -> ContractDocument:
    """A document as the contract page lists it: 404 when the contract is hidden from the user,
    the document belongs to another contract, or it is internal and the user may not see
    internal items."""
    contract = contract_for_user(user, reference)
    document = ContractDocument.objects.filter(pk=pk, contract=contract).first()
    if document is None or not (document.is_public or can_see_internal(user)):
        raise Http404("No such document.")
    document.contract = contract
    return document
