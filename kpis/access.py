"""Who may see, log and sign off KPI reviews. Every KPI view asks here, and only here.

- Review content (scorecards, dashboards, drafts) is for hub staff other than buyers.
- A review marked for publication is open to anyone who may see its contract; its evidence
  stays with review viewers.
- The assigned contract manager(s) and the category team log reviews (contracts.access's
  editable_contracts); the head of the category's pillar (and hub administrators) sign off.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from categories.models import Category, Role, category_team_q
from categories.selectors import user_role
from contracts import access as contract_access
from contracts.models import Contract
from kpis.models import Review, ReviewEvidence


def can_view_reviews(user) -> bool:
    role = user_role(user)
    return role is not None and role != Role.BUYER


def require_review_viewer(user) -> None:
    if not can_view_reviews(user):
        raise PermissionDenied("KPI reviews are for hub staff.")


def can_log_reviews(user, contract: Contract) -> bool:
    return contract_access.can_edit_contract(user, contract)


def can_sign_off(user, contract: Contract) -> bool:
    role = user_role(user)
    if role == Role.HUB_ADMIN:
        return True
    return role == Role.HEAD_OF_CATEGORY and contract.category.pillar.head_id == user.pk


def library_categories(user):
    """Categories whose KPI library this user may add to: their category team, the pillar's
    head, hub administrators."""
    role = user_role(user)
    if role == Role.HUB_ADMIN:
        return Category.objects.all()
    if role is None or role in (Role.BUYER, Role.CONTRACT_MANAGER, Role.SOURCING_MANAGER):
        return Category.objects.none()
    return Category.objects.filter(category_team_q(user)).distinct()


def contract_for_reviewer(user, reference: str, *, perm: str = "view") -> Contract:
    """The contract, for a review viewer ("view") or a review logger ("change")."""
    if not user.is_authenticated:
        raise Http404("No such contract.")
    require_review_viewer(user)
    return contract_access.contract_for_user(user, reference, perm=perm)


def review_for_user(user, pk: int, *, perm: str = "view") -> Review:
    """A review by id: 404 when its contract is hidden or (for outsiders) it is unpublished;
    403 when the user may see it but not do `perm` ("view", "change", "sign_off")."""
    review = (
        Review.objects.select_related("contract__category__pillar", "vendor", "amends")
        .filter(pk=pk, contract__in=contract_access.visible_contracts(user))
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    viewer = can_view_reviews(user)
    if not viewer and not (review.is_published and review.is_current):
        raise Http404("No such review.")
    if perm == "view":
        return review
    if perm == "change" and viewer and can_log_reviews(user, review.contract):
        return review
    if perm == "sign_off" and viewer and can_sign_off(user, review.contract):
        return review
    raise PermissionDenied("You may not do this to the review.")


def evidence_for_user(user, pk: int) -> ReviewEvidence:
    """Evidence as the review page shows it: to review viewers (hub staff other than buyers)
    who may see its review. 404 for everyone else, even where the review itself is published."""
    if not can_view_reviews(user):
        raise Http404("No such evidence.")
    evidence = ReviewEvidence.objects.filter(pk=pk).first()
    if evidence is None:
        raise Http404("No such evidence.")
    evidence.review = review_for_user(user, evidence.review_id)
    return evidence
