"""Reads of vendors: the directory, a vendor's page."""

import operator
from collections import defaultdict
from collections.abc import Iterable
from functools import reduce

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from contracts.models import ContractAward
from procurement_hub.text import search_terms
from vendors.models import Vendor, VendorAlias


def vendor_directory(*, text: str = "", contracts: QuerySet | None = None) -> QuerySet:
    """Vendors matching the words, each with the number of contracts it holds: all of them, or
    those in `contracts` (what a visitor to the public index may see). Counted from the award
    index alone when every contract counts: sorting 10,250 vendors by it took 1.3 s with a
    look-up of each award's contract, 0.15 s without (bench/RESULTS.md)."""
    held = ContractAward.objects.filter(vendor=OuterRef("pk"))
    if contracts is not None:
        held = held.filter(contract__in=contracts)
    held = held.order_by().values("vendor").annotate(n=Count("contract", distinct=True)).values("n")
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
    return vendors_named_many([text], limit=limit).get(_name_key(text), [])


def vendors_named_many(texts: Iterable[str], limit: int = 5) -> dict[str, list[Vendor]]:
    """vendors_named for many texts in three queries, however many texts (a framework's 200
    award rows): by the text stripped and upper-cased. The database decides what matches
    (iexact, as for one text); the rows it returns are sorted to their texts here."""
    keys = {_name_key(text): text.strip() for text in texts if text.strip()}
    if not keys:
        return {}

    def any_of(field: str) -> Q:
        return reduce(operator.or_, (Q(**{f"{field}__iexact": t}) for t in keys.values()))

    by_code: dict[str, list[Vendor]] = defaultdict(list)
    for vendor in Vendor.objects.filter(any_of("vendor_code")).order_by("pk"):
        by_code[_name_key(vendor.vendor_code)].append(vendor)
    named: dict[str, dict[int, Vendor]] = defaultdict(dict)
    for vendor in Vendor.objects.filter(any_of("legal_name")):
        named[_name_key(vendor.legal_name)][vendor.pk] = vendor
    for alias in VendorAlias.objects.filter(any_of("name")).select_related("vendor"):
        named[_name_key(alias.name)].setdefault(alias.vendor_id, alias.vendor)
    found = {}
    for key in keys:
        if len(by_code[key]) == 1:
            found[key] = by_code[key]
        else:
            found[key] = [named[key][pk] for pk in sorted(named[key])][:limit]
    return found


def _name_key(text: str) -> str:
    return text.strip().upper()


def several_named_message(text: str, vendors: list[Vendor]) -> str:
    codes = ", ".join(f"{v.legal_name} ({v.vendor_code or 'no code'})" for v in vendors)
    return f"Several vendors are called “{text.strip()}”: {codes}. Type the vendor code instead."


def aliases_shown_to(user, aliases) -> list:
    """The aliases this user may see: those learnt from payee names only when signed in."""
    signed_in = user is not None and user.is_authenticated
    return [alias for alias in aliases if signed_in or not alias.from_payee]
