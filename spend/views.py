"""Spend pages: analysis (dashboard, off-contract, contract burn), drill-down, imports, matching."""

import contextlib
import datetime

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from procurement_hub.exports import csv_response
from procurement_hub.forms import FIRST_YEAR, LAST_YEAR
from procurement_hub.tables import PER_PAGE_CHOICES, CappedCount, configure_table
from spend import progress, selectors, services, withdrawal
from spend.access import can_manage_spend, spend_manager_view, spend_view
from spend.exports import (
    REJECT_COLUMNS,
    REPORT_COLUMNS,
    TRANSACTION_COLUMNS,
    rows_to_fix_response,
)
from spend.forms import (
    ExpenseCodeForm,
    MappingForm,
    OffContractFilterForm,
    PayeeConfirmForm,
    SpendFilterForm,
    UploadForm,
    WithdrawForm,
)
from spend.mapping import FIELDS
from spend.matching import CONTRACT_RULE, suggestions_for
from spend.models import ExpenseCode, ImportStatus, Payee, SkipKind, SpendImport, Transaction
from spend.reader import UnreadableFile
from spend.tables import TransactionTable


def _filters(request, form_class=SpendFilterForm):
    form = form_class(request.GET or None)
    return form, form.filters()


def _widen_to_whole_months(request, form):
    """A redirect to the same page with its dates widened to whole months, or None. The
    analysis pages read monthly summaries: this way the form, every drill-down link and every
    export name the dates the figures are for (the payments list alone takes exact dates)."""
    changes = form.whole_months()
    if not changes:
        return None
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return redirect(f"{request.path}?{query.urlencode()}")


def _page(request, items, per_page=selectors.PAGE_SIZE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# Analysis -----------------------------------------------------------------------------------


@spend_view
def dashboard(request):
    form, filters = _filters(request)
    if widened := _widen_to_whole_months(request, form):
        return widened
    data = selectors.dashboard(filters)
    context = {"form": form, "filters": filters, **data}
    return render(request, "spend/dashboard.html", context)


REPORTS = {
    "pillar": selectors.spend_by_pillar,
    "category": selectors.spend_by_category,
    "authority": selectors.spend_by_authority,
    "month": selectors.spend_by_month,
    "supplier": selectors.spend_by_supplier,
    "off-contract": selectors.off_contract_suppliers,
    "contracts": selectors.contract_burn,
}


@spend_view
def report_export(request, report: str):
    if report not in REPORTS:
        raise Http404("Unknown report.")
    form, filters = _filters(request, OffContractFilterForm)
    if report == "off-contract":
        rows = selectors.off_contract_suppliers(filters, threshold=form.threshold_value())
    else:
        rows = REPORTS[report](filters)
    stamp = timezone.localdate().isoformat()
    return csv_response(rows, REPORT_COLUMNS[report], f"spend-{report}-{stamp}")


@spend_view
def off_contract(request):
    form, filters = _filters(request, OffContractFilterForm)
    if widened := _widen_to_whole_months(request, form):
        return widened
    threshold = form.threshold_value()
    page = _page(request, selectors.off_contract_suppliers(filters, threshold=threshold))
    context = {"form": form, "page": page, "threshold": threshold,
               "can_manage": can_manage_spend(request.user)}  # fmt: skip
    return render(request, "spend/off_contract.html", context)


@spend_view
def contract_burn(request):
    form, filters = _filters(request)
    if widened := _widen_to_whole_months(request, form):
        return widened
    page = _page(request, selectors.contract_burn(filters))
    context = {"form": form, "page": page, "warn_percent": settings.SPEND_BURN_WARN_PERCENT}
    return render(request, "spend/contract_burn.html", context)


# Drill-down ---------------------------------------------------------------------------------

DRILL_KEYS = ("payee", "vendor", "contract")
MAX_ID = 2**63 - 1  # The largest id a database column holds.


def _drill(request) -> dict:
    extra = {}
    for key in DRILL_KEYS:
        raw = request.GET.get(key, "")
        if raw.isdecimal() and raw.isascii():
            # No row has id 0. (Python refuses int() of 4,300 digits or more: test the length.)
            extra[key] = int(raw) if len(raw) <= 19 and int(raw) <= MAX_ID else 0
    with contextlib.suppress(ValueError):
        month = datetime.date.fromisoformat(request.GET.get("month", "")).replace(day=1)
        if FIRST_YEAR <= month.year <= LAST_YEAR:
            extra["month"] = month
    if request.GET.get("on_contract") in {"yes", "no"}:
        extra["on_contract"] = request.GET["on_contract"]
    if request.GET.get("unmapped") == "1":  # Payments whose expense code has no category.
        extra["unmapped"] = True
    return extra


# Sorts no index serves: offered while the filters match no more payments than the list holds
# (a sort of up to 10,000 rows), never a sort of millions of rows inside a request.
UNINDEXED_SORTS = {"amount", "reference"}


@spend_view
def transaction_list(request):
    form, filters = _filters(request)
    extra = _drill(request)
    data = CappedCount(selectors.transactions(filters, extra))
    # django-tables2 sorts by every comma-separated column: check each.
    sorts = [s.strip().removeprefix("-") for s in request.GET.get("sort", "").split(",")]
    sort = next((s for s in sorts if s in UNINDEXED_SORTS), "")
    sort_refused = bool(sort) and data.capped
    if sort_refused:  # The newest first instead, and the page says why.
        request.GET = request.GET.copy()
        del request.GET["sort"]
    table = TransactionTable(data)
    configure_table(request, table)
    totals = selectors.payment_totals(filters, extra, all_listed=not table.data.capped)
    context = {
        "form": form,
        "table": table,
        "totals": totals,
        "drilled_to": selectors.drill_subjects(extra),
        "drill": extra,
        "per_page_choices": PER_PAGE_CHOICES,
        "sort_refused": sort if sort_refused else None,
    }
    return render(request, "spend/transactions.html", context)


@spend_view
def transaction_export(request):
    _form, filters = _filters(request)
    rows = selectors.transactions(filters, _drill(request)).order_by("-payment_date", "-pk")
    stamp = timezone.localdate().isoformat()
    return csv_response(
        rows.iterator(chunk_size=2000), TRANSACTION_COLUMNS, f"spend-payments-{stamp}"
    )


@spend_view
def transaction_detail(request, pk: int):
    tx = get_object_or_404(
        Transaction.objects.select_related(
            "authority", "payee", "vendor", "category", "contract", "expense_code", "spend_import"
        ),
        pk=pk,
    )
    context = {"tx": tx, "candidates": selectors.contract_candidates(tx), "rule": CONTRACT_RULE}
    return render(request, "spend/transaction_detail.html", context)


# Imports ------------------------------------------------------------------------------------


@spend_manager_view
def import_list(request):
    imports = SpendImport.objects.select_related("authority", "profile", "created_by")
    return render(request, "spend/import_list.html", {"page": _page(request, imports)})


@spend_manager_view
def import_new(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            spend_import = services.import_create(
                authority=form.cleaned_data["authority"],
                fileobj=upload,
                file_name=upload.name,
                by=request.user,
                profile=form.cleaned_data["profile"],
            )
        except UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            return redirect(spend_import)
    return render(request, "spend/import_new.html", {"form": form})


def _import(pk: int) -> SpendImport:
    return get_object_or_404(
        SpendImport.objects.select_related("authority", "profile", "created_by"), pk=pk
    )


@spend_manager_view
def import_detail(request, pk: int):
    spend_import = _import(pk)
    headers = spend_import.detected.get("headers", [])
    form = None
    if spend_import.status == ImportStatus.PREVIEW:
        initial = {f"map_{k}": v for k, v in spend_import.mapping.items()}
        initial["date_formats"] = spend_import.date_formats
        initial["mode"] = spend_import.mode
        initial["undated_as"] = spend_import.undated_as
        form = MappingForm(request.POST or None, headers=headers, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.import_confirm(
                    spend_import=spend_import,
                    mapping=form.mapping(),
                    mode=form.cleaned_data["mode"],
                    date_formats=form.cleaned_data["date_formats"],
                    undated_as=form.cleaned_data["undated_as"],
                    save_profile_as=form.cleaned_data["save_profile_as"],
                )
            except services.ProfileTaken as exc:
                form.add_error("save_profile_as", str(exc))
            else:
                return redirect(spend_import)
    elif request.method == "POST":
        messages.info(request, "This import was confirmed already.")
        return redirect(spend_import)
    context = _detail_context(spend_import, form)
    return render(request, "spend/import_detail.html", context)


def _detail_context(spend_import: SpendImport, form=None, withdraw_form=None) -> dict:
    headers = spend_import.detected.get("headers", [])
    can_withdraw = spend_import.status in withdrawal.CAN_WITHDRAW
    return {
        "imp": spend_import,
        "form": form,
        "headers": headers,
        "fields": FIELDS,
        "earlier": services.already_imported(spend_import) if form else None,
        "can_import_again": services.can_import_again(spend_import),
        "withdraw_form": withdraw_form or (WithdrawForm() if can_withdraw else None),
        "kept_for_later": withdrawal.kept_for_later_imports(spend_import) if can_withdraw else [],
        "reasons": (reasons := list(_reasons(spend_import))),
        # A row can fail several checks (a blank line: date, amount, supplier…).
        "several_faults": sum(r["n"] for r in reasons if r["kind"] == SkipKind.REJECTED)
        > spend_import.rejected_rows,
        "mapping_used": [(FIELDS.get(k, k), h) for k, h in spend_import.mapping.items()],
        "progress": progress.progress_of(spend_import),
        "undated": services.undated_in_preview(
            headers, spend_import.detected.get("preview", []), spend_import.mapping
        )[0]
        if form
        else 0,
    }


@spend_manager_view
@require_POST
def import_withdraw(request, pk: int):
    """Withdraw an import (its payments leave the hub), with a reason for the record."""
    spend_import = _import(pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        context = _detail_context(spend_import, None, form)
        return render(request, "spend/import_detail.html", context)
    try:
        withdrawal.request(
            spend_import=spend_import, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(spend_import)
    spend_import.refresh_from_db(fields=["status", "message"])
    if spend_import.status == ImportStatus.WITHDRAWN:  # Done at once (no worker: the default).
        messages.success(request, spend_import.message)
    else:
        messages.success(request, "Withdrawing this import: its payments are being removed.")
    return redirect(spend_import)


@spend_manager_view
def import_rows_to_fix(request, pk: int):
    spend_import = _import(pk)
    rows = [r.cells for r in selectors.rejected_rows_with_cells(spend_import)]
    return rows_to_fix_response(spend_import, rows)


@spend_manager_view
@require_POST
def import_again(request, pk: int):
    spend_import = _import(pk)
    try:
        again = services.import_again(spend_import=spend_import, by=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(spend_import)
    messages.info(request, "The same file, ready to import again: correct the mapping or mode.")
    return redirect(again)


def _reasons(spend_import: SpendImport):
    return (
        spend_import.rejects.values("kind", "reason")
        .annotate(n=Count("pk"))
        .order_by("-kind", "-n", "reason")[:10]
    )


@spend_manager_view
def import_progress(request, pk: int):
    imp = _import(pk)
    return render(
        request, "spend/_import_progress.html", {"imp": imp, "progress": progress.progress_of(imp)}
    )


@spend_manager_view
def import_rejects(request, pk: int):
    spend_import = _import(pk)
    rows = spend_import.rejects.order_by("row_number", "pk").iterator(chunk_size=5000)
    return csv_response(rows, REJECT_COLUMNS, f"rejects-{spend_import.pk}")


# Matching -----------------------------------------------------------------------------------


@spend_manager_view
def payee_queue(request):
    set_aside = request.GET.get("set_aside") == "1"
    page = _page(request, selectors.unmatched_payees(set_aside=set_aside))
    suggestions = {} if set_aside else suggestions_for(page.object_list)
    rows = [(payee, suggestions.get(payee.pk, [])) for payee in page.object_list]
    context = {"page": page, "rows": rows, "set_aside": set_aside}
    return render(request, "spend/payees.html", context)


@spend_manager_view
@require_POST
def payee_confirm(request, pk: int):
    payee = get_object_or_404(Payee, pk=pk)
    form = PayeeConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or "Choose a vendor to match.")
    else:
        vendor = form.cleaned_data["vendor_obj"]
        try:
            _confirmed, *others = services.payee_confirm(payee=payee, vendor=vendor)
        except services.Gone as exc:
            messages.error(request, str(exc))
            return redirect("spend:payees")
        also = "".join(f" Also matched: “{p.name}” of {p.authority.name}." for p in others)
        messages.success(
            request,
            f"“{payee.name}” is now an alias of {vendor.legal_name}; payments re-matched.{also}",
        )
    return redirect("spend:payees")


@spend_manager_view
@require_POST
def payee_unmatch(request, pk: int):
    payee = get_object_or_404(Payee.objects.select_related("vendor"), pk=pk)
    vendor = payee.vendor
    try:
        payees = services.payee_unmatch(payee=payee)
    except services.MatchFixed as exc:
        messages.error(request, f"{exc} Change the vendor to change this match.")
    except services.Gone as exc:
        messages.error(request, str(exc))
    else:
        if payees:
            authorities = len({p.authority_id for p in payees})
            where = f" ({authorities} authorities)" if authorities > 1 else ""
            messages.success(
                request,
                f"“{payee.name}” is no longer matched to {vendor.legal_name}{where}; it is back "
                "in the unmatched queue and its payments are re-matched.",
            )
    if vendor is None:
        return redirect("spend:payees")
    return redirect(vendor.get_absolute_url())


@spend_manager_view
@require_POST
def payee_set_aside(request, pk: int):
    payee = get_object_or_404(Payee, pk=pk)
    aside = request.POST.get("aside") != "0"
    try:
        services.payee_set_aside(payee=payee, aside=aside)
    except services.Gone as exc:
        messages.error(request, str(exc))
        return redirect("spend:payees")
    if aside:
        messages.info(request, f"“{payee.name}” is set aside as no hub vendor.")
        return redirect("spend:payees")
    messages.info(request, f"“{payee.name}” is back in the queue.")
    return redirect(reverse("spend:payees") + "?set_aside=1")


@spend_manager_view
def expense_code_list(request):
    form, filters = _filters(request)
    unmapped = request.GET.get("unmapped") == "1"
    page = _page(request, selectors.expense_codes(filters.authority, unmapped_only=unmapped))
    categories = ExpenseCodeForm().fields["category"].queryset.select_related("pillar")
    context = {"form": form, "page": page, "categories": list(categories), "unmapped": unmapped}
    return render(request, "spend/expense_codes.html", context)


@spend_manager_view
@require_POST
def expense_code_update(request, pk: int):
    code = get_object_or_404(ExpenseCode, pk=pk)
    form = ExpenseCodeForm(request.POST)
    if form.is_valid():
        try:
            services.expense_code_map(code=code, category=form.cleaned_data["category"])
        except services.Gone as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Expense code {code} mapped.")
    else:
        messages.error(request, "Choose a category from the list.")
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if target and safe else "spend:expense_codes")
