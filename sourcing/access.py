"""Who may see and change sourcing projects, decide on contracts and accept handovers.

Every sourcing view asks here, and only here.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from categories.models import Role
from categories.selectors import user_role
from contracts.access import CREATOR_ROLES
from contracts.models import Contract
from sourcing.models import SourcingProject

# Roles that see the pipeline and its reports (sourcing data is internal; buyers do not).
VIEWER_ROLES = frozenset(Role.values) - {Role.BUYER}


def can_view_pipeline(user) -> bool:
    return user_role(user) in VIEWER_ROLES


def can_create_project(user) -> bool:
    return user_role(user) in CREATOR_ROLES


def editable_projects(user, queryset: QuerySet | None = None) -> QuerySet:
    """Sourcing managers edit their own projects; heads of category every project in their
    pillar; hub administrators all."""
    queryset = SourcingProject.objects.all() if queryset is None else queryset
    role = user_role(user)
    if role == Role.HUB_ADMIN:
        return queryset
    if role not in VIEWER_ROLES:
        return queryset.none()
    return queryset.filter(Q(owner=user) | Q(category__pillar__head=user))


def can_edit_project(user, project: SourcingProject) -> bool:
    """editable_projects' rule, for one project already loaded (no query)."""
    role = user_role(user)
    if role == Role.HUB_ADMIN:
        return True
    if role not in VIEWER_ROLES:
        return False
    return project.owner_id == user.pk or project.category.pillar.head_id == user.pk


def project_for_user(user, pk: int, *, perm: str = "view") -> SourcingProject:
    """Fetch a project, or 404 when the user may not see the pipeline / 403 when not editable."""
    if perm not in {"view", "change"}:
        raise ValueError(f"unknown permission {perm!r}")
    if not can_view_pipeline(user):
        raise Http404("No such project.")
    project = (
        SourcingProject.objects.select_related(
            "category__pillar", "owner", "predecessor", "contract", "handover"
        )
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404("No such project.")
    if perm == "change" and not can_edit_project(user, project):
        raise PermissionDenied("You may not edit this project.")
    return project


def decidable_contracts(user, queryset: QuerySet | None = None) -> QuerySet:
    """Contracts whose renewal this user may decide: their contract manager (as the contracts
    app defines it, cover included) or the head of category of the pillar; hub administrators."""
    queryset = Contract.objects.all() if queryset is None else queryset
    role = user_role(user)
    if role == Role.HUB_ADMIN:
        return queryset
    if role not in VIEWER_ROLES:
        return queryset.none()
    managed = Contract.objects.managed_by(user).values("pk")
    return queryset.filter(Q(pk__in=managed) | Q(category__pillar__head=user))


def can_decide(user, contract: Contract) -> bool:
    return decidable_contracts(user, Contract.objects.filter(pk=contract.pk)).exists()


def may_reprocure(user, contract: Contract) -> bool:
    """Who may name a contract as a project's predecessor (the handover supersedes it): those
    who may decide its renewal, and its own sourcing manager."""
    return contract.sourcing_manager_id == user.pk or can_decide(user, contract)


def can_accept_handover(user, contract: Contract) -> bool:
    """Contract managers accept handovers for contracts assigned to them; admins too."""
    role = user_role(user)
    if role == Role.HUB_ADMIN:
        return True
    if role not in VIEWER_ROLES:
        return False
    return Contract.objects.managed_by(user).filter(pk=contract.pk).exists()


def contract_to_decide(user, reference: str) -> Contract:
    if not can_view_pipeline(user):
        raise Http404("No such contract.")
    contract = (
        Contract.objects.select_related("category__pillar").filter(reference=reference).first()
    )
    if contract is None:
        raise Http404("No such contract.")
    if not can_decide(user, contract):
        raise PermissionDenied("Only the contract manager or head of category may decide.")
    return contract


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)
