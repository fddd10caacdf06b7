"""Contract pages: the index and its export, the lookup, a contract, its files, its forms."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from contracts import access, selectors, services
from contracts.exports import CONTRACT_EXPORT_COLUMNS
from contracts.filters import ContractFilter
from contracts.forms import AwardFormSet, ContractForm, award_initial
from contracts.models import Contract
from contracts.tables import ContractTable, PageByIds
from procurement_hub.exports import csv_response, xlsx_response
from procurement_hub.files import file_response
from procurement_hub.tables import PER_PAGE_CHOICES, configure_table

EXPORTERS = {"csv": csv_response, "xlsx": xlsx_response}


def browse_required(view):
    """Pages open to the public when HUB_PUBLIC_INDEX is on, else to signed-in users."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.can_browse(request.user):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _filtered_table(request) -> tuple[ContractFilter, ContractTable]:
    queryset = selectors.with_index_rows(access.visible_contracts(request.user))
    contract_filter = ContractFilter(request.GET, queryset=queryset)
    table = ContractTable(PageByIds(contract_filter.qs), narrowed=contract_filter.narrows())
    return contract_filter, table


@browse_required
def contract_index(request):
    contract_filter, table = _filtered_table(request)
    configure_table(request, table)
    context = {
        "filter": contract_filter,
        "table": table,
        "per_page_choices": PER_PAGE_CHOICES,
        "vendor_name": _chosen_vendor_name(contract_filter),
        "can_create": access.can_create_contract(request.user),
    }
    template = "contracts/_index_results.html" if request.htmx else "contracts/index.html"
    return render(request, template, context)


def _chosen_vendor_name(contract_filter: ContractFilter) -> str:
    vendor = getattr(contract_filter.form, "cleaned_data", {}).get("vendor")
    return vendor.legal_name if vendor else ""


@browse_required
def contract_export(request, fmt: str):
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise Http404("Unknown export format.")
    _filter, table = _filtered_table(request)
    configure_table(request, table)  # Same ordering as the page; every row, not one page.
    rows = table.data.data.iterator(chunk_size=2000)
    stamp = timezone.localdate().isoformat()
    return exporter(rows, CONTRACT_EXPORT_COLUMNS, f"contracts-{stamp}")


@browse_required
def contract_lookup(request):
    query = request.GET.get("q", "")[:200]
    exact, matches = selectors.contract_lookup(access.visible_contracts(request.user), query)
    today = timezone.localdate()
    answers = [(contract, selectors.contract_team(contract, today)) for contract in matches]
    context = {"query": query, "exact": exact, "answers": answers}
    template = "contracts/_lookup_answers.html" if request.htmx else "contracts/lookup.html"
    return render(request, template, context)


@browse_required
def contract_detail(request, reference: str):
    contract = selectors.contract_page(access.contract_for_user(request.user, reference))
    context = {
        "contract": contract,
        "team": selectors.contract_team(contract),
        "show_internal": access.can_see_internal(request.user),
        "can_edit": access.can_edit_contract(request.user, contract),
        "timeline": selectors.contract_timeline(contract),
    }
    return render(request, "contracts/detail.html", context)


@browse_required
def contract_guide(request, reference: str):
    """The user guide file: for whoever may see the contract, as on its page."""
    contract = access.contract_for_user(request.user, reference)
    return file_response(contract.guide_file)


@browse_required
def contract_document(request, reference: str, pk: int):
    """A document's file: internal documents only for users who may see internal items."""
    document = access.document_for_user(request.user, reference, pk)
    return file_response(document.file)


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request):
    if not access.can_create_contract(request.user):
        raise PermissionDenied(
            "Only sourcing managers, heads of category and hub administrators may create contracts."
        )
    return _contract_form(request, contract=None)


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request, reference: str):
    contract = access.contract_for_user(request.user, reference, perm="change")
    return _contract_form(request, contract=contract)


REFERENCE_TAKEN = (
    "A contract with this reference was saved meanwhile (in another tab, or by someone else): "
    "choose another reference."
)


def _save_contract(request, form, awards, contract):
    """Create or update through the service; None (with a field error on the form) when the
    reference was taken between the form's check and the save."""
    fields = form.service_fields()
    rows = {"fields": fields, "authorities": form.cleaned_data["authorities"],
            "awards": awards.award_rows(), "by": request.user}  # fmt: skip
    try:
        if contract is None:
            saved = services.contract_create(**rows)
            messages.success(request, f"Contract {saved.reference} created.")
        else:
            saved = services.contract_update(contract=contract, **rows)
            messages.success(request, f"Contract {saved.reference} saved.")
    except IntegrityError:
        taken = Contract.objects.filter(reference=fields["reference"])
        if contract is not None:
            taken = taken.exclude(pk=contract.pk)
        if not taken.exists():
            raise
        form.add_error("reference", REFERENCE_TAKEN)
        return None
    return saved


def _contract_form(request, *, contract):
    categories = access.filing_categories(
        request.user, contract.category_id if contract is not None else None
    )
    if request.method == "POST":
        form = ContractForm(request.POST, request.FILES, instance=contract, categories=categories)
        awards = AwardFormSet(request.POST, prefix="awards")
        if form.is_valid() and awards.is_valid():
            saved = _save_contract(request, form, awards, contract)
            if saved is not None:
                return redirect(saved)
    else:
        form = ContractForm(instance=contract, categories=categories)
        awards = AwardFormSet(
            prefix="awards", initial=award_initial(contract) if contract else None
        )
    return render(
        request, "contracts/form.html", {"form": form, "awards": awards, "contract": contract}
    )
