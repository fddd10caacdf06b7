"""Sourcing pages: the board, the list, a project, its award and handover, renewal decisions and
reports. Thin: guard access (sourcing.access), bind a form, call a service or selector, render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts.forms import AwardFormSet, award_initial
from contracts.models import Contract
from procurement_hub.exports import csv_response
from procurement_hub.tables import PER_PAGE_CHOICES, configure_table
from sourcing import access, selectors, services
from sourcing.filters import ProjectFilter
from sourcing.forms import (
    AwardForm,
    DecisionForm,
    HandoverItemForm,
    MoveForm,
    ProjectForm,
    ReasonForm,
    ResumeForm,
)
from sourcing.models import (
    DecisionKind,
    Handover,
    HandoverItem,
    Route,
    SourcingProject,
    Stage,
)
from sourcing.tables import ProjectTable


def pipeline_required(view):
    """Signed-in staff other than buyers: sourcing data is internal."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not access.can_view_pipeline(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_error_text(form) -> str:
    """A refused small form's errors as one message: "Reason: This field is required." (these
    forms redirect, so the message must say which field and what is wrong)."""
    return " ".join(
        f"{form.fields[name].label or name.capitalize()}: {' '.join(errors)}"
        if name in form.fields
        else " ".join(errors)
        for name, errors in form.errors.items()
    )


# --- Board and list --------------------------------------------------------------------------


def _board_context(request, params: QueryDict) -> dict:
    project_filter = ProjectFilter(params, queryset=SourcingProject.objects.all())
    columns = selectors.board_columns(project_filter.qs, timezone.localdate())
    shown = [project.pk for column in columns for project in column["projects"]]
    editable = set(
        access.editable_projects(
            request.user, SourcingProject.objects.filter(pk__in=shown)
        ).values_list("pk", flat=True)
    )
    return {
        "filter": project_filter,
        "columns": columns,
        "editable": editable,
        "stages": Stage.choices,
        "board_query": params.urlencode(),
        "can_create": access.can_create_project(request.user),
    }


@pipeline_required
@require_GET
def board(request):
    context = _board_context(request, request.GET)
    template = "sourcing/_board.html" if request.htmx else "sourcing/board.html"
    return render(request, template, context)


@pipeline_required
@require_GET
def project_list(request):
    queryset = SourcingProject.objects.select_related("category", "owner", "predecessor")
    project_filter = ProjectFilter(request.GET, queryset=queryset)
    table = ProjectTable(project_filter.qs)
    configure_table(request, table)
    context = {
        "filter": project_filter,
        "table": table,
        "per_page_choices": PER_PAGE_CHOICES,
        "can_create": access.can_create_project(request.user),
    }
    template = "sourcing/_list_results.html" if request.htmx else "sourcing/list.html"
    return render(request, template, context)


# --- A project -------------------------------------------------------------------------------


@pipeline_required
@require_GET
def project_detail(request, pk: int):
    project = selectors.project_page(access.project_for_user(request.user, pk))
    today = timezone.localdate()
    can_edit = access.can_edit_project(request.user, project)
    context = {
        "project": project,
        "rag": selectors.project_rag(project, today),
        "slip_days": selectors.project_slip_days(project, today),
        "timeline": selectors.project_timeline(project, today),
        "can_edit": can_edit,
        "move_form": MoveForm(initial={"stage": project.stage}),
        "stages": Stage.choices,
        "reason_form": ReasonForm(),
        "handover": getattr(project, "handover", None),
    }
    return render(request, "sourcing/project.html", context)


@pipeline_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    access.require(
        access.can_create_project(request.user),
        "Only sourcing managers, heads of category and hub administrators start projects.",
    )
    form = ProjectForm(request.POST or None, initial={"owner": request.user.pk}, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                fields=form.service_fields(),
                authorities=form.cleaned_data["authorities"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Project “{project.title}” started.")
            return redirect(project)
    return render(request, "sourcing/project_form.html", {"form": form, "project": None})


@pipeline_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    project = access.project_for_user(request.user, pk, perm="change")
    form = ProjectForm(request.POST or None, instance=project, with_plan=True, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                project=project,
                fields=form.service_fields(),
                authorities=form.cleaned_data["authorities"],
                targets=form.targets(),
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Project saved.")
            return redirect(project)
    return render(request, "sourcing/project_form.html", {"form": form, "project": project})


@pipeline_required
@require_POST
def project_move(request, pk: int):
    """Move a project to a stage. htmx gets the board back; a plain form is redirected."""
    project = access.project_for_user(request.user, pk, perm="change")
    form = MoveForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.project_move(
                project=project,
                to_stage=form.cleaned_data["stage"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            error = _error_text(exc)
    else:
        error = _form_error_text(form)
    if request.htmx:
        context = _board_context(request, QueryDict(request.POST.get("board_query", "")))
        context["board_error"] = error
        context["board_error_project"] = project.pk
        # Under its card when the card is on the board (one place, not over the columns).
        context["board_error_on_card"] = any(
            p.pk == project.pk for column in context["columns"] for p in column["projects"]
        )
        # Focus goes back to the card, and a status line says what happened (the board is
        # replaced, so a keyboard user would otherwise land at the top of the page).
        context["board_focus"] = project.pk
        context["board_announce"] = error or (
            f"Moved “{project.title}” to stage {form.cleaned_data['stage']}: "
            f"{Stage(form.cleaned_data['stage']).label}."
        )
        return render(request, "sourcing/_board.html", context, status=200)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, f"“{project.title}” moved to {Stage(form.cleaned_data['stage']).label}."
        )
    return redirect(_safe_next(request, project.get_absolute_url()))


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/sourcing/") and "//" not in target else default


STATUS_ACTIONS = {
    "hold": (services.project_hold, ReasonForm, "Project put on hold."),
    "resume": (services.project_resume, ResumeForm, "Project resumed."),
    "cancel": (services.project_cancel, ReasonForm, "Project cancelled."),
}


@pipeline_required
@require_POST
def project_status(request, pk: int, action: str):
    if action not in STATUS_ACTIONS:
        raise Http404("Unknown action.")
    project = access.project_for_user(request.user, pk, perm="change")
    service, form_class, done = STATUS_ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error_text(form))
        return redirect(project)
    try:
        service(project=project, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return redirect(project)


# --- Award and handover ------------------------------------------------------------------------


@pipeline_required
@require_http_methods(["GET", "POST"])
def project_award(request, pk: int):
    project = access.project_for_user(request.user, pk, perm="change")
    contract = project.contract
    if request.method == "POST":
        form = AwardForm(request.POST, project=project)
        lines = AwardFormSet(request.POST, prefix="awards")
        if form.is_valid() and lines.is_valid():
            rows = [
                services.AwardRow(
                    vendor=row["vendor"],
                    lot=row["lot"],
                    value=row["value"],
                    awarded_on=row["awarded_on"] or form.cleaned_data["awarded_on"],
                )
                for row in lines.award_rows()
            ]
            try:
                contract = services.project_award(
                    project=project,
                    lines=rows,
                    baseline_cost=form.cleaned_data["baseline_cost"],
                    awarded_cost=form.cleaned_data["awarded_cost"],
                    cashable_percent=form.cleaned_data["cashable_percent"],
                    awarded_on=form.cleaned_data["awarded_on"],
                    contract_fields=form.contract_fields(),
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Award recorded: contract {contract.reference}.")
                return redirect(project)
    else:
        initial = {"awarded_on": timezone.localdate(), "cashable_percent": project.cashable_percent}
        if contract:
            initial.update(
                reference=contract.reference,
                start_date=contract.start_date,
                end_date=contract.end_date,
                max_end_date=contract.max_end_date,
                baseline_cost=project.baseline_cost,
                awarded_cost=project.awarded_cost,
                awarded_on=project.awarded_on,
            )
        elif project.predecessor_id:
            initial["baseline_cost"] = project.predecessor.awarded_value
        form = AwardForm(initial=initial, project=project)
        lines = AwardFormSet(prefix="awards", initial=award_initial(contract) if contract else None)
    return render(
        request, "sourcing/award.html", {"project": project, "form": form, "awards": lines}
    )


def _handover_for(request, pk: int) -> Handover:
    project = access.project_for_user(request.user, pk)
    handover = (
        Handover.objects.select_related("contract__category", "project", "accepted_by")
        .filter(project=project)
        .first()
    )
    if handover is None:
        raise Http404("The handover opens when the award is recorded.")
    handover.project = project
    return handover


@pipeline_required
@require_GET
def handover(request, pk: int):
    return _handover_page(request, _handover_for(request, pk))


def _handover_page(request, pack: Handover, *, failed: tuple[int, HandoverItemForm] | None = None):
    """The pack's page; `failed` is (item id, its bound form) when a draft was refused, so the
    text typed comes back beside the error instead of being lost."""
    items = list(pack.items.select_related("accepted_by"))
    can_edit = access.can_edit_project(request.user, pack.project)
    forms = {item.pk: HandoverItemForm(initial={"content": item.content}) for item in items}
    if failed is not None:
        forms[failed[0]] = failed[1]
    context = {
        "project": pack.project,
        "handover": pack,
        "items": [(item, forms[item.pk]) for item in items],
        "can_edit": can_edit,
        "can_accept": access.can_accept_handover(request.user, pack.contract),
        "all_accepted": all(item.accepted_at for item in items),
        "contract_signed": pack.project.stage >= Stage.CONTRACT_SIGNED,
    }
    return render(request, "sourcing/handover.html", context)


def _item_for(request, pk: int, item_pk: int) -> tuple[Handover, HandoverItem]:
    pack = _handover_for(request, pk)
    return pack, get_object_or_404(HandoverItem, pk=item_pk, handover=pack)


@pipeline_required
@require_POST
def handover_item_edit(request, pk: int, item_pk: int):
    pack, item = _item_for(request, pk, item_pk)
    access.require(
        access.can_edit_project(request.user, pack.project), "Only the project's team drafts."
    )
    form = HandoverItemForm(request.POST)
    if form.is_valid():
        try:
            services.handover_item_update(
                item=item, content=form.cleaned_data["content"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("content", _error_text(exc))
        else:
            messages.success(request, f"{item.get_kind_display()} saved.")
            return redirect("sourcing:handover", pk=pk)
    if item.accepted_at:  # Accepted meanwhile: no textarea to show the error under.
        reason = " ".join(form.errors.get("content", []))
        messages.error(request, f"{item.get_kind_display()} not saved: {reason}")
    else:
        messages.error(request, f"{item.get_kind_display()} not saved: see the error below.")
    return _handover_page(request, pack, failed=(item.pk, form))


@pipeline_required
@require_POST
def handover_item_accept(request, pk: int, item_pk: int):
    pack, item = _item_for(request, pk, item_pk)
    access.require(
        access.can_accept_handover(request.user, pack.contract),
        "Only the contract's manager accepts the handover.",
    )
    try:
        services.handover_item_accept(item=item, by=request.user)
    except ValidationError as exc:
        messages.error(request, f"{item.get_kind_display()}: {_error_text(exc)}")
    else:
        messages.success(request, f"{item.get_kind_display()} accepted.")
    return redirect("sourcing:handover", pk=pk)


@pipeline_required
@require_POST
def handover_accept(request, pk: int):
    pack = _handover_for(request, pk)
    access.require(
        access.can_accept_handover(request.user, pack.contract),
        "Only the contract's manager accepts the handover.",
    )
    try:
        contract = services.handover_accept(handover=pack, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("sourcing:handover", pk=pk)
    messages.success(request, f"Handover accepted: {contract.reference} is active.")
    return redirect(contract)


# --- Renewal decisions -----------------------------------------------------------------------


@pipeline_required
@require_GET
def renewals(request):
    lead_times = selectors.LeadTimes()
    queryset = selectors.renewal_pipeline(today=timezone.localdate(), lead_times=lead_times)
    only_late = request.GET.get("late") == "1"
    if only_late:
        queryset = queryset.filter(lead_time_passed=True)
    mine = request.GET.get("mine") == "1"
    if mine:
        queryset = access.decidable_contracts(request.user, queryset)
    paginator_page = _page(request, queryset)
    decidable = set(
        access.decidable_contracts(
            request.user, Contract.objects.filter(pk__in=[c.pk for c in paginator_page])
        ).values_list("pk", flat=True)
    )
    context = {
        "page": paginator_page,
        "lead_days": lead_times.total_days(),
        "decidable": decidable,
        "only_late": only_late,
        "mine": mine,
    }
    return render(request, "sourcing/renewals.html", context)


def _page(request, queryset, per_page: int = 50):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


@pipeline_required
@require_http_methods(["GET", "POST"])
def decide(request, reference: str):
    contract = access.contract_to_decide(request.user, reference)
    form = DecisionForm(request.POST or None, contract=contract, initial={"route": Route.OPEN})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "contract": contract,
            "rationale": data["rationale"],
            "approved_by": data["approved_by"],
            "by": request.user,
        }
        try:
            if data["kind"] == DecisionKind.EXTEND:
                decision = services.contract_extend(option=data["option"], **common)
            elif data["kind"] == DecisionKind.REPROCURE:
                decision = services.contract_reprocure(
                    owner=data["owner"], route=data["route"] or Route.OPEN, **common
                )
            else:
                decision = services.contract_let_expire(**common)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Decision recorded: {decision.get_kind_display()}.")
            if decision.project_id:
                return redirect(decision.project)
            return redirect(contract)
    options = list(contract.extension_options.all())
    decisions = list(
        contract.renewal_decisions.select_related("option", "approved_by", "decided_by")
    )
    lead_times = selectors.LeadTimes()
    context = {
        "contract": contract,
        "form": form,
        "options": options,
        "decisions": decisions,
        "lead_days": lead_times.total_days(),
        "start_by": selectors.start_by(contract.end_date, lead_times=lead_times),
        "today": timezone.localdate(),
    }
    return render(request, "sourcing/decide.html", context)


# --- Metrics and reports -----------------------------------------------------------------------


@pipeline_required
@require_GET
def metrics(request):
    return render(request, "sourcing/metrics.html", selectors.metrics_grid())


@pipeline_required
@require_GET
def forward_plan(request):
    plan = selectors.forward_plan(Contract.objects.all(), timezone.localdate())
    context = {"plan": plan}
    return render(request, "sourcing/forward_plan.html", context)


NOTICE_COLUMNS = [
    ("Project", lambda r: r["title"]),
    ("Category", lambda r: r["category__code"]),
    ("Pillar", lambda r: r["category__pillar__name"]),
    ("Route", lambda r: r["route_label"]),
    ("Estimated value", lambda r: r["estimated_value"]),
    ("Tender expected", lambda r: r["tender_expected"]),
    ("Tender date passed", lambda r: "yes" if r["tender_late"] else ""),
    ("Contract start expected", lambda r: r["contract_start_expected"]),
    ("Authorities", lambda r: r["authorities"]),
    ("Re-procures", lambda r: r["predecessor__reference"] or ""),
    ("Sourcing manager", lambda r: r["owner"]),
]


@pipeline_required
@require_GET
def pipeline_notice(request):
    today = timezone.localdate()
    rows = selectors.pipeline_notice_rows(today)
    return csv_response(rows, NOTICE_COLUMNS, f"pipeline-notice-{today.isoformat()}")


@pipeline_required
@require_GET
def savings(request):
    return render(request, "sourcing/savings.html", {"report": selectors.savings_report()})


@pipeline_required
@require_GET
def workload(request):
    people = selectors.workload(timezone.localdate())
    context = {"people": people, "stages": Stage.choices, "board": reverse("sourcing:board")}
    return render(request, "sourcing/workload.html", context)
