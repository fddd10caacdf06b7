"""Writes to vendors: keep the folded name column in step with the names."""

from django.db import transaction

from procurement_hub.text import fold
from vendors.models import Vendor, VendorAlias


def vendor_search_names(*, legal_name: str, aliases: list[str]) -> str:
    return fold(" | ".join([legal_name, *aliases]))


def vendor_refresh_search_names(*, vendor: Vendor) -> None:
    """Recompute the vendor's folded names and the search text of the contracts it holds.
    Aliases learnt from spend payees stay out: payee names are for signed-in staff only, and
    the searches of the public index (directory, autocomplete, contract index and lookup)
    match on these names, so a word of a payee's name would find the vendor."""
    from contracts.services import contracts_refresh_search_text

    aliases = list(vendor.aliases.filter(from_payee=False).values_list("name", flat=True))
    vendor.search_names = vendor_search_names(legal_name=vendor.legal_name, aliases=aliases)
    vendor.save(update_fields=["search_names"])
    contracts_refresh_search_text(contract_ids=vendor.awards.values_list("contract_id", flat=True))


@transaction.atomic
def vendor_add_alias(*, vendor: Vendor, name: str, from_payee: bool = False) -> VendorAlias:
    alias, _created = VendorAlias.objects.get_or_create(
        vendor=vendor, name=name.strip(), defaults={"from_payee": from_payee}
    )
    vendor_refresh_search_names(vendor=vendor)
    return alias


@transaction.atomic
def vendor_remove_aliases(*, vendor: Vendor, alias_ids: list[int]) -> None:
    if alias_ids:
        vendor.aliases.filter(pk__in=alias_ids).delete()
        vendor_refresh_search_names(vendor=vendor)
