"""Reads of vendors: the directory, a vendor's page."""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from contracts.models import ContractAward
from procurement_hub.text import search_terms
from vendors.models import Vendor


def vendor_directory(*, text: str = "", contracts: QuerySet) -> QuerySet:
    """Vendors matching the words, each with the number of (visible) contracts it holds."""
    held = (
        ContractAward.objects.filter(vendor=OuterRef("pk"), contract__in=contracts)
        .order_by()
        .values("vendor")
        .annotate(n=Count("contract", distinct=True))
        .values("n")
    )
    queryset = Vendor.objects.annotate(contract_count=Coalesce(Subquery(held), 0))
    for term in search_terms(text):
        queryset = queryset.filter(search_names__contains=term)
    return queryset.prefetch_related("aliases")


def vendor_page(vendor_id: int, *, contracts: QuerySet) -> Vendor:
    """A vendor with its aliases, contacts and the visible contracts it holds."""
    awards = (
        ContractAward.objects.filter(contract__in=contracts)
        .select_related(
            "contract__category",
            "contract__contract_manager",
            "contract__category__primary_contract_manager",
        )
        .order_by("contract__end_date", "contract__reference")
    )
    return (
        Vendor.objects.prefetch_related("aliases", "contacts", Prefetch("awards", queryset=awards))
        .filter(pk=vendor_id)
        .get()
    )


def vendor_suggestions(text: str, *, limit: int = 10) -> list[Vendor]:
    """Vendors whose legal name or an alias contains every word: for the autocomplete."""
    terms = search_terms(text)
    if not terms:
        return []
    queryset = Vendor.objects.all()
    for term in terms:
        queryset = queryset.filter(search_names__contains=term)
    return list(queryset.order_by("legal_name")[:limit])


def vendors_named(text: str, limit: int = 5) -> list[Vendor]:
    """The vendors this text names: by vendor code when one vendor has it, else by legal name or
    alias (case ignored). Legal names are not unique, so there may be several."""
    text = text.strip()
    if not text:
        return []
    by_code = list(Vendor.objects.filter(vendor_code__iexact=text)[:2])
    if len(by_code) == 1:
        return by_code
    named = Q(legal_name__iexact=text) | Q(aliases__name__iexact=text)
    return list(Vendor.objects.filter(named).distinct().order_by("pk")[:limit])


def several_named_message(text: str, vendors: list[Vendor]) -> str:
    codes = ", ".join(f"{v.legal_name} ({v.vendor_code or 'no code'})" for v in vendors)
    return f"Several vendors are called “{text.strip()}”: {codes}. Type the vendor code instead."


def aliases_shown_to(user, aliases) -> list:
    """The aliases this user may see: those learnt from payee names only when signed in."""
    signed_in = user is not None and user.is_authenticated
    return [alias for alias in aliases if signed_in or not alias.from_payee]
