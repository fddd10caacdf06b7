"""The vendor directory, a vendor's page and the vendor autocomplete."""

from django.http import Http404
from django.shortcuts import render

from contracts import access
from contracts.views import browse_required
from procurement_hub.tables import PER_PAGE_CHOICES, configure_table
from vendors import selectors
from vendors.models import Vendor
from vendors.tables import VendorTable


@browse_required
def vendor_list(request):
    text = request.GET.get("q", "")[:200]
    # Staff count every contract; a visitor to the public index, only the public ones.
    contracts = (
        None if access.can_see_internal(request.user) else access.visible_contracts(request.user)
    )
    table = VendorTable(selectors.vendor_directory(text=text, contracts=contracts))
    configure_table(request, table)
    context = {"table": table, "query": text, "per_page_choices": PER_PAGE_CHOICES}
    template = "vendors/_list_results.html" if request.htmx else "vendors/list.html"
    return render(request, template, context)


@browse_required
def vendor_detail(request, pk: int):
    try:
        vendor = selectors.vendor_page(pk, contracts=access.visible_contracts(request.user))
    except Vendor.DoesNotExist:
        raise Http404("No such vendor.") from None
    context = {
        "vendor": vendor,
        "aliases": selectors.aliases_shown_to(request.user, vendor.aliases.all()),
        "show_internal": access.can_see_internal(request.user),
    }
    return render(request, "vendors/detail.html", context)


@browse_required
def vendor_autocomplete(request):
    """htmx fragment: up to ten vendors matching what was typed, as choices for a filter."""
    text = request.GET.get("vendor_name", request.GET.get("q", ""))[:100]
    target = request.GET.get("target", "filter")
    context = {"vendors": selectors.vendor_suggestions(text), "target": target}
    return render(request, "vendors/_autocomplete.html", context)
