"""KPI pages: My reviews, the dashboard, scorecards, logging and deciding reviews, exports."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from contracts import access as contract_access
from contracts.views import browse_required
from kpis import access, exports, selectors, services
from kpis.filters import DashboardFilterForm
from kpis.forms import (
    ActionFormSet,
    ContractKpiForm,
    EvidenceForm,
    KpiTemplateForm,
    ReviewForm,
    ScheduleForm,
    TemplateCopyForm,
    action_initial,
)
from kpis.models import ActionStatus, KpiTemplate, Rating, ReviewAction
from procurement_hub.exports import csv_response
from procurement_hub.files import file_response
from vendors.models import Vendor


def reviewer_required(view):
    """Signed in, and hub staff other than buyers (review content is internal)."""

    @login_required
    def wrapper(request, *args, **kwargs):
        access.require_review_viewer(request.user)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@reviewer_required
def my_reviews(request):
    context = {"work": selectors.my_reviews(request.user), "today": timezone.localdate()}
    return render(request, "kpis/my_reviews.html", context)


@reviewer_required
def dashboard(request):
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    context = {"form": form, "board": selectors.dashboard(**filters), "today": timezone.localdate()}
    return render(request, "kpis/dashboard.html", context)


@reviewer_required
@require_http_methods(["GET", "POST"])
def library(request):
    """Each category's template KPIs; the category team adds to its own categories."""
    categories = access.library_categories(request.user)
    form = KpiTemplateForm(categories=categories) if categories.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only a category team adds to its KPI library.")
        form = KpiTemplateForm(request.POST, categories=categories)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.kpi_template_add(**data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Template KPI {data['name']!r} added.")
                return redirect("kpis:library")
    templates = KpiTemplate.objects.select_related("category").order_by("category__code", "name")
    return render(request, "kpis/library.html", {"templates": templates, "form": form})


@reviewer_required
def contract_scorecard(request, reference: str):
    contract = access.contract_for_reviewer(request.user, reference)
    card = selectors.contract_scorecard(contract)
    context = {
        "card": card,
        "contract": contract,
        "charts_json": card.charts,
        "can_log": access.can_log_reviews(request.user, contract),
        "today": timezone.localdate(),
    }
    return render(request, "kpis/contract_scorecard.html", context)


@reviewer_required
@require_http_methods(["GET", "POST"])
def contract_kpis(request, reference: str):
    """Set the review schedule and the contract's KPIs (from the library or new)."""
    contract = access.contract_for_reviewer(request.user, reference, perm="change")
    schedule = contract.review_schedule if hasattr(contract, "review_schedule") else None
    schedule_form = ScheduleForm(
        instance=schedule,
        initial=None if schedule else {"anchor": contract.start_date, "frequency": "quarterly"},
    )
    kpi_form = ContractKpiForm()
    copy_form = TemplateCopyForm(contract=contract)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "schedule":
            schedule_form = ScheduleForm(request.POST, instance=schedule)
            if schedule_form.is_valid():
                services.schedule_set(
                    contract=contract,
                    frequency=schedule_form.cleaned_data["frequency"],
                    anchor=schedule_form.cleaned_data["anchor"],
                )
                messages.success(request, "Review schedule saved.")
                return redirect("kpis:contract_kpis", contract.reference)
        elif action == "add":
            kpi_form = ContractKpiForm(request.POST)
            if kpi_form.is_valid():
                try:
                    services.contract_kpi_add(contract=contract, **kpi_form.cleaned_data)
                except ValidationError as exc:
                    _add_errors(kpi_form, exc)
                else:
                    messages.success(request, "KPI added.")
                    return redirect("kpis:contract_kpis", contract.reference)
        elif action == "copy":
            copy_form = TemplateCopyForm(request.POST, contract=contract)
            if copy_form.is_valid():
                added = services.contract_kpis_from_templates(
                    contract=contract, templates=copy_form.cleaned_data["templates"]
                )
                messages.success(request, f"{len(added)} KPI(s) copied from the library.")
                return redirect("kpis:contract_kpis", contract.reference)
        else:
            raise Http404("Unknown action.")
    context = {
        "contract": contract,
        "kpis": contract.kpis.order_by("-is_key", "name"),
        "schedule_form": schedule_form,
        "kpi_form": kpi_form,
        "copy_form": copy_form,
        "schedule": schedule,
    }
    return render(request, "kpis/contract_kpis.html", context)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@reviewer_required
@require_http_methods(["GET", "POST"])
def review_create(request, reference: str):
    contract = access.contract_for_reviewer(request.user, reference, perm="change")
    return _review_form(request, contract=contract, review=None)


@reviewer_required
@require_http_methods(["GET", "POST"])
def review_edit(request, pk: int):
    review = access.review_for_user(request.user, pk, perm="change")
    if not review.is_draft:
        raise PermissionDenied("A submitted review cannot be changed; record an amendment.")
    return _review_form(request, contract=review.contract, review=review)


def _review_form(request, *, contract, review):
    kpis = list(contract.kpis.filter(is_active=True).order_by("-is_key", "name"))
    submitting = request.POST.get("submit") == "1"
    if request.method == "POST":
        form = ReviewForm(
            request.POST, instance=review, contract=contract, kpis=kpis, submitting=submitting
        )
        actions = ActionFormSet(request.POST, prefix="actions")
        if form.is_valid() and actions.is_valid():
            try:
                with transaction.atomic():
                    saved = _save_review(request, form, actions, contract, review)
                    if submitting:
                        services.review_submit(review=saved, by=request.user)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Review submitted." if submitting else "Draft saved.")
                return redirect(saved)
    else:
        initial = {}
        if review is None:
            vendors = list(contract.awards.values_list("vendor_id", flat=True)[:2])
            initial = {"vendor": vendors[0]} if len(vendors) == 1 else {}
            asked = request.GET.get("vendor", "")
            if asked.isdecimal() and asked.isascii() and len(asked) <= 18:  # An id, not junk.
                initial["vendor"] = int(asked)
            initial.update(selectors.next_review_period(contract))
        form = ReviewForm(instance=review, contract=contract, kpis=kpis, initial=initial)
        actions = ActionFormSet(
            prefix="actions", initial=action_initial(review) if review else None
        )
    context = {"form": form, "actions": actions, "contract": contract, "review": review}
    return render(request, "kpis/review_form.html", context)


def _save_review(request, form, actions, contract, review):
    if review is None:
        return services.review_create(
            contract=contract,
            vendor=form.cleaned_data["vendor"],
            fields=form.service_fields(),
            results=form.result_rows(),
            actions=actions.action_rows(),
            by=request.user,
        )
    return services.review_update(
        review=review,
        fields=form.service_fields(),
        results=form.result_rows(),
        actions=actions.action_rows(),
        by=request.user,
    )


def review_detail(request, pk: int):
    """Staff reviewers see every review; others (buyers, the public when the index is public)
    see a review only once it is marked for publication."""
    if not contract_access.can_browse(request.user):
        return redirect_to_login(request.get_full_path())
    review = access.review_for_user(request.user, pk)
    viewer = access.can_view_reviews(request.user)
    results = list(review.results.select_related("kpi").order_by("kpi__name"))
    score, suggested = services.overall_suggest(results)
    context = {
        "review": review,
        "results": results,
        "weighted_score": score,
        "suggested_overall": Rating(suggested).label if suggested else "",
        "actions": review.actions.select_related("owner") if viewer else [],
        "evidence": review.evidence.all() if viewer else [],
        "amendments": review.amendments.order_by("pk") if viewer else [],
        "internal": viewer,
        "can_log": viewer and access.can_log_reviews(request.user, review.contract),
        "can_sign_off": viewer and access.can_sign_off(request.user, review.contract),
        "evidence_form": EvidenceForm(),
        "today": timezone.localdate(),
    }
    return render(request, "kpis/review_detail.html", context)


@reviewer_required
@require_POST
def review_submit(request, pk: int):
    review = access.review_for_user(request.user, pk, perm="change")
    try:
        services.review_submit(review=review, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("kpis:review_edit", review.pk)
    messages.success(request, "Review submitted.")
    return redirect(review)


@reviewer_required
@require_POST
def review_amend(request, pk: int):
    review = access.review_for_user(request.user, pk, perm="change")
    try:
        amendment = services.review_amend(review=review, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(review)
    messages.info(request, "Amendment started: correct the draft and submit it.")
    return redirect("kpis:review_edit", amendment.pk)


@reviewer_required
@require_POST
def review_sign_off(request, pk: int):
    review = access.review_for_user(request.user, pk, perm="sign_off")
    services.review_sign_off(review=review, by=request.user)
    messages.success(request, "Review signed off.")
    return redirect(review)


@reviewer_required
@require_POST
def review_delete(request, pk: int):
    review = access.review_for_user(request.user, pk, perm="change")
    reference = review.contract.reference
    services.review_delete_draft(review=review)
    messages.success(request, "Draft deleted.")
    return redirect("kpis:contract_scorecard", reference)


@reviewer_required
@require_POST
def evidence_add(request, pk: int):
    review = access.review_for_user(request.user, pk, perm="change")
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        services.evidence_add(review=review, by=request.user, **form.cleaned_data)
        messages.success(request, "Evidence attached.")
    else:
        messages.error(request, "Give the evidence a title and choose a file.")
    return redirect(review)


@login_required
def evidence_download(request, pk: int):
    """An evidence file, for those its review page shows it to (404 for everyone else)."""
    evidence = access.evidence_for_user(request.user, pk)
    return file_response(evidence.file)


@reviewer_required
@require_POST
def action_done(request, pk: int):
    action = get_object_or_404(
        ReviewAction.objects.select_related("review__contract__category__pillar"),
        pk=pk,
        status=ActionStatus.OPEN,
    )
    contract = action.review.contract
    if action.owner_id != request.user.pk and not access.can_log_reviews(request.user, contract):
        raise PermissionDenied("Only the owner or the contract's team may close this action.")
    services.action_complete(action=action, by=request.user)
    messages.success(request, "Action marked done.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "kpis:my_reviews"  # never bounce to another site
    return redirect(back)


@reviewer_required
def vendor_scorecard(request, pk: int):
    vendor = get_object_or_404(Vendor, pk=pk)
    card = selectors.vendor_scorecard(vendor)
    context = {"vendor": vendor, "card": card, "trend_json": card.trend}
    return render(request, "kpis/vendor_scorecard.html", context)


@browse_required
def export_key_kpis(request, fmt: str):
    rows = selectors.key_kpi_rows(contract_access.visible_contracts(request.user))
    return _export(fmt, rows, exports.KEY_KPI_COLUMNS, "key-kpis")


@browse_required
def export_assessments(request, fmt: str):
    rows = selectors.latest_assessment_rows(contract_access.visible_contracts(request.user))
    return _export(
        fmt, rows, exports.ASSESSMENT_COLUMNS, "kpi-assessments", exports.assessment_json
    )


def _export(fmt, rows, columns, name, to_json=None):
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        return csv_response(rows.iterator(chunk_size=2000), columns, f"{name}-{stamp}")
    if fmt == "json":
        to_json = to_json or exports.rows_json(columns)
        body = json.dumps(
            {"generated": stamp, "rows": [to_json(row) for row in rows]}, indent=1, default=str
        )
        response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.json"'
        return response
    raise Http404("Unknown export format.")
