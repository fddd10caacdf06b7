"""Writes of the sourcing pipeline. Views, commands and the demo call these; nothing else writes."""

import datetime
import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from categories.models import Authority
from contracts import services as contract_services
from contracts.models import Contract, ContractDocument, ContractStatus, ExtensionOption
from contracts.terms import extended_end
from procurement_hub.formatting import day
from sourcing.models import (
    AwardLine,
    ContractSuccession,
    DecisionKind,
    Handover,
    HandoverItem,
    HandoverItemKind,
    HistoryKind,
    ProjectHistory,
    ProjectStage,
    ProjectStatus,
    RenewalDecision,
    Route,
    SourcingProject,
    Stage,
)
from sourcing.selectors import WORK_STAGES, LeadTimes, start_by
from vendors.models import VendorContact

# Moves to these stages need the award recorded (the contract exists from then on).
AFTER_AWARD = (Stage.CONTRACT_SIGNED, Stage.MOBILISATION)


def _now() -> datetime.datetime:
    return timezone.now()


def _history(project, kind, by, *, note="", from_stage=None, to_stage=None) -> ProjectHistory:
    return ProjectHistory.objects.create(
        project=project,
        kind=kind,
        by=by,
        note=note,
        from_stage=from_stage,
        to_stage=to_stage,
        at=_now(),
    )


# --- Projects and their plan -----------------------------------------------------------------


def plan_targets(
    *, start: datetime.date, route: str, lead_times: LeadTimes | None = None
) -> dict[int, tuple[datetime.date, datetime.date]]:
    """Target entry and exit of every stage, laid end to end from `start` by learned medians."""
    lead_times = lead_times or LeadTimes()
    targets = {}
    cursor = start
    for stage in WORK_STAGES:
        exit_ = cursor + datetime.timedelta(days=lead_times.stage_days(stage, route))
        targets[stage] = (cursor, exit_)
        cursor = exit_
    targets[Stage.COMPLETE] = (cursor, cursor)
    return targets


def _refresh_plan_state(project: SourcingProject) -> None:
    """Keep the denormalised plan fields that the RAG filters read."""
    row = ProjectStage.objects.filter(project=project, stage=project.stage).first()
    project.stage_target_exit = row.target_exit if row else None
    slip = 0
    if row and row.actual_entry and row.target_entry:
        slip = max((row.actual_entry - row.target_entry).days, 0)
    project.stage_entry_slip_days = slip
    project.save(update_fields=["stage_target_exit", "stage_entry_slip_days", "updated_at"])


@transaction.atomic
def project_create(
    *,
    fields: dict[str, Any],
    authorities: Iterable[Authority] = (),
    by,
    start: datetime.date | None = None,
    targets: dict[int, tuple[datetime.date | None, datetime.date | None]] | None = None,
) -> SourcingProject:
    """Create a project in 'need identified', planned from learned lead times unless `targets`
    are given, and record it in the history."""
    today = timezone.localdate()
    project = SourcingProject(**fields)
    project.stage = Stage.NEED_IDENTIFIED
    project.status = ProjectStatus.ACTIVE
    project.full_clean()
    project.save()
    project.authorities.set(authorities)
    planned = plan_targets(start=start or today, route=project.route)
    if targets:
        planned.update({k: v for k, v in targets.items() if v})
    ProjectStage.objects.bulk_create(
        [
            ProjectStage(
                project=project,
                stage=stage,
                target_entry=planned[stage][0],
                target_exit=planned[stage][1],
                actual_entry=today if stage == Stage.NEED_IDENTIFIED else None,
            )
            for stage in Stage.values
        ]
    )
    _history(project, HistoryKind.CREATED, by, to_stage=Stage.NEED_IDENTIFIED)
    _refresh_plan_state(project)
    return project


@transaction.atomic
def project_update(
    *,
    project: SourcingProject,
    fields: dict[str, Any],
    authorities: Iterable[Authority],
    targets: dict[int, tuple[datetime.date | None, datetime.date | None]],
    by,
) -> SourcingProject:
    """Change a project's details and its stage targets."""
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    project.authorities.set(authorities)
    rows = {row.stage: row for row in ProjectStage.objects.filter(project=project)}
    changed = []
    for stage, (entry, exit_) in targets.items():
        row = rows[stage]
        if (row.target_entry, row.target_exit) != (entry, exit_):
            row.target_entry, row.target_exit = entry, exit_
            row.full_clean()
            changed.append(row)
    ProjectStage.objects.bulk_update(changed, ["target_entry", "target_exit"])
    if changed:
        stages = ", ".join(str(Stage(row.stage).label) for row in changed)
        _history(project, HistoryKind.PLAN, by, note=f"New targets: {stages}")
    _refresh_plan_state(project)
    return project


def _lock(project: SourcingProject) -> SourcingProject:
    return SourcingProject.objects.select_for_update().get(pk=project.pk)


@transaction.atomic
def project_move(*, project: SourcingProject, to_stage: int, by, note: str = "") -> SourcingProject:
    """Move an active project to another stage, recording actual exit and entry dates.

    Forward moves close the current stage today (stages jumped over stay without actuals);
    backward moves reopen the earlier stage and clear the actuals after it. 'Complete' is
    reached only by accepting the handover, and the stages after the award need the award.
    """
    locked = _lock(project)
    to_stage = int(to_stage)
    if to_stage not in Stage.values:
        raise ValidationError({"stage": "Unknown stage."})
    if locked.status != ProjectStatus.ACTIVE:
        raise ValidationError(
            f"A project that is {locked.get_status_display().lower()} cannot move."
        )
    if to_stage == locked.stage:
        raise ValidationError({"stage": "The project is already in that stage."})
    if to_stage == Stage.COMPLETE:
        raise ValidationError({"stage": "A project completes when its handover is accepted."})
    if to_stage in AFTER_AWARD and locked.contract_id is None:
        raise ValidationError({"stage": "Record the award before moving past the award decision."})
    today = timezone.localdate()
    rows = {row.stage: row for row in ProjectStage.objects.filter(project=locked)}
    current, target = rows[locked.stage], rows[to_stage]
    if to_stage > locked.stage:
        current.actual_exit = today
        if current.actual_entry is None or current.actual_entry > today:
            current.actual_entry = today  # None, or recorded in the future: it was entered by now.
    else:
        for stage, row in rows.items():
            if stage > to_stage:
                row.actual_entry = row.actual_exit = None
    target.actual_entry, target.actual_exit = today, None
    ProjectStage.objects.bulk_update(list(rows.values()), ["actual_entry", "actual_exit"])
    from_stage = locked.stage
    locked.stage = to_stage
    locked.save(update_fields=["stage", "updated_at"])
    _history(locked, HistoryKind.MOVED, by, note=note, from_stage=from_stage, to_stage=to_stage)
    _refresh_plan_state(locked)
    return locked


def _set_status(project, *, status, reason, kind, allowed_from, by) -> SourcingProject:
    locked = _lock(project)
    if locked.status not in allowed_from:
        raise ValidationError(
            f"A project that is {locked.get_status_display().lower()} cannot be "
            f"{HistoryKind(kind).label.lower()}."
        )
    reason = (reason or "").strip()
    if status in (ProjectStatus.ON_HOLD, ProjectStatus.CANCELLED) and not reason:
        raise ValidationError({"reason": "Give a reason."})
    locked.status = status
    locked.status_reason = reason if status != ProjectStatus.ACTIVE else ""
    locked.full_clean()
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    _history(locked, kind, by, note=reason)
    return locked


@transaction.atomic
def project_hold(*, project: SourcingProject, reason: str, by) -> SourcingProject:
    return _set_status(
        project,
        status=ProjectStatus.ON_HOLD,
        reason=reason,
        kind=HistoryKind.HELD,
        allowed_from=(ProjectStatus.ACTIVE,),
        by=by,
    )


@transaction.atomic
def project_resume(*, project: SourcingProject, reason: str = "", by) -> SourcingProject:
    return _set_status(
        project,
        status=ProjectStatus.ACTIVE,
        reason=reason,
        kind=HistoryKind.RESUMED,
        allowed_from=(ProjectStatus.ON_HOLD,),
        by=by,
    )


@transaction.atomic
def project_cancel(*, project: SourcingProject, reason: str, by) -> SourcingProject:
    return _set_status(
        project,
        status=ProjectStatus.CANCELLED,
        reason=reason,
        kind=HistoryKind.CANCELLED,
        allowed_from=(ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD),
        by=by,
    )


# --- Renewal decisions -------------------------------------------------------------------------


def _claim_term(contract: Contract) -> Contract:
    """Lock the contract row and check nobody has decided its current term yet."""
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    if locked.end_date is None:
        raise ValidationError("The contract has no end date to decide about.")
    if RenewalDecision.objects.filter(contract=locked, term_end=locked.end_date).exists():
        raise ValidationError(
            f"A decision on the term ending {day(locked.end_date)} is already recorded."
        )
    return locked


def _decide(**fields) -> RenewalDecision:
    decision = RenewalDecision(decided_at=_now(), **fields)
    decision.full_clean(exclude=["option", "project"])
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError as exc:  # A concurrent decider won the race.
        raise ValidationError("Someone else has just recorded a decision on this term.") from exc
    return decision


@transaction.atomic
def contract_extend(
    *, contract: Contract, option: ExtensionOption, rationale: str, approved_by, by
) -> RenewalDecision:
    """Exercise one extension option: once only, never past the maximum end date.

    The contract and option rows are locked (select_for_update) so two people deciding at the
    same moment cannot both exercise it; the second sees the first's decision and is refused.
    """
    locked = _claim_term(contract)
    if locked.status in (ContractStatus.TERMINATED, ContractStatus.SUPERSEDED):
        raise ValidationError(
            f"The contract is {locked.get_status_display().lower()}: it cannot be extended."
        )
    option = ExtensionOption.objects.select_for_update().get(pk=option.pk)
    if option.contract_id != locked.pk:
        raise ValidationError({"option": "That option belongs to another contract."})
    if option.exercised:
        raise ValidationError({"option": f"Option {option.sequence} has already been exercised."})
    if locked.max_end_date is None:
        raise ValidationError("Record the contract's maximum end date before extending it.")
    new_end = extended_end(locked.end_date, option.length_months)
    if new_end > locked.max_end_date:
        raise ValidationError(
            {
                "option": f"Option {option.sequence} would end the contract on {day(new_end)}, "
                f"after its maximum end date {day(locked.max_end_date)}."
            }
        )
    decision = _decide(
        contract=locked,
        kind=DecisionKind.EXTEND,
        term_end=locked.end_date,
        option=option,
        new_end_date=new_end,
        rationale=rationale,
        approved_by=approved_by,
        decided_by=by,
    )
    option.exercised, option.exercised_at, option.exercised_by = True, decision.decided_at, by
    option.save(update_fields=["exercised", "exercised_at", "exercised_by"])
    fields = {"end_date": new_end}
    if locked.status == ContractStatus.EXPIRED and new_end >= timezone.localdate():
        # Recorded after the nightly scan marked the term over: the contract runs on, not left
        # "expired" with a future end date (hidden from the index and every reminder). An
        # extension whose new end has passed too stays expired.
        fields["status"] = ContractStatus.ACTIVE
    contract_services.contract_set(
        contract=locked,
        fields=fields,
        by=by,
        key=f"extension-{decision.pk}",
        note=f"extension option {option.sequence} taken",
    )
    contract.end_date = new_end
    return decision


@transaction.atomic
def contract_reprocure(
    *,
    contract: Contract,
    rationale: str,
    approved_by,
    by,
    owner,
    route: str = Route.OPEN,
    title: str = "",
) -> RenewalDecision:
    """Decide to re-procure: the linked sourcing project is created in the same step, planned
    backwards from the contract's end date by the learned lead time where there is room."""
    locked = _claim_term(contract)
    start = max(timezone.localdate(), start_by(locked.end_date, route=route))
    project = project_create(
        fields={
            "title": title or f"Re-procurement of {locked.reference} {locked.title}"[:300],
            "category": locked.category,
            "estimated_value": locked.awarded_value or locked.estimated_value,
            "route": route,
            "owner": owner,
            "predecessor": locked,
        },
        authorities=list(locked.authorities.all()),
        by=by,
        start=start,
    )
    return _decide(
        contract=locked,
        kind=DecisionKind.REPROCURE,
        term_end=locked.end_date,
        project=project,
        rationale=rationale,
        approved_by=approved_by,
        decided_by=by,
    )


@transaction.atomic
def contract_let_expire(*, contract: Contract, rationale: str, approved_by, by) -> RenewalDecision:
    locked = _claim_term(contract)
    return _decide(
        contract=locked,
        kind=DecisionKind.EXPIRE,
        term_end=locked.end_date,
        rationale=rationale,
        approved_by=approved_by,
        decided_by=by,
    )


# --- Award -----------------------------------------------------------------------------------


def savings_split(
    *, baseline: Decimal, awarded: Decimal, cashable_percent: int
) -> tuple[Decimal, Decimal]:
    """(cashable, non-cashable): the saving baseline − awarded, split by the cashable share.
    A negative saving (a cost increase) is all cashable: budgets must find it."""
    total = baseline - awarded
    if total <= 0:
        return total, Decimal("0.00")
    cashable = (total * Decimal(cashable_percent) / 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return cashable, total - cashable


@dataclass(frozen=True)
class AwardRow:
    vendor: Any
    lot: str = ""
    value: Decimal | None = None
    awarded_on: datetime.date | None = None


@transaction.atomic
def project_award(
    *,
    project: SourcingProject,
    lines: Iterable[AwardRow],
    baseline_cost: Decimal,
    awarded_cost: Decimal,
    cashable_percent: int,
    awarded_on: datetime.date,
    contract_fields: dict[str, Any],
    by,
) -> Contract:
    """Record the award: vendors, lots, values and dates; baseline and awarded cost (savings).

    Creates the contract record (in procurement until the handover is accepted) or, when the
    project already has one, renews it with the new awards and dates. Opens the handover pack.
    """
    locked = _lock(project)
    if locked.status != ProjectStatus.ACTIVE:
        raise ValidationError("Only an active project can be awarded.")
    if locked.stage < Stage.AWARD_DECISION or locked.stage == Stage.COMPLETE:
        raise ValidationError("Record the award at the award decision stage or after it.")
    lines = list(lines)
    if not lines:
        raise ValidationError("Award at least one vendor.")
    awards = [
        {"vendor": line.vendor, "lot": line.lot, "value": line.value, "awarded_on": line.awarded_on}
        for line in lines
    ]
    fields = {
        "title": locked.title,
        "category": locked.category,
        "estimated_value": locked.estimated_value,
        "awarded_value": awarded_cost,
        "sourcing_manager": locked.owner,
        "status": ContractStatus.IN_PROCUREMENT,
        **contract_fields,
    }
    authorities = list(locked.authorities.all())
    if not authorities and locked.predecessor_id:
        authorities = list(locked.predecessor.authorities.all())
    if locked.contract_id:
        contract = contract_services.contract_update(
            contract=locked.contract,
            fields=fields,
            authorities=authorities,
            awards=awards,
            by=by,
        )
    else:
        contract = contract_services.contract_create(
            fields=fields, authorities=authorities, awards=awards, by=by
        )
    AwardLine.objects.filter(project=locked).delete()
    AwardLine.objects.bulk_create(
        [
            AwardLine(
                project=locked,
                vendor=line.vendor,
                lot=line.lot,
                value=line.value,
                awarded_on=line.awarded_on,
            )
            for line in lines
        ]
    )
    cashable, non_cashable = savings_split(
        baseline=baseline_cost, awarded=awarded_cost, cashable_percent=cashable_percent
    )
    locked.contract = contract
    locked.awarded_on = awarded_on
    locked.baseline_cost, locked.awarded_cost = baseline_cost, awarded_cost
    locked.cashable_percent = cashable_percent
    locked.cashable_savings, locked.non_cashable_savings = cashable, non_cashable
    locked.full_clean()
    locked.save()
    handover, _ = Handover.objects.get_or_create(project=locked, defaults={"contract": contract})
    if handover.contract_id != contract.pk:
        handover.contract = contract
        handover.save(update_fields=["contract"])
    HandoverItem.objects.bulk_create(
        [HandoverItem(handover=handover, kind=kind) for kind in HandoverItemKind.values],
        ignore_conflicts=True,
    )
    vendors = ", ".join(sorted({str(line.vendor.legal_name) for line in lines}))
    _history(locked, HistoryKind.AWARDED, by, note=f"{contract.reference} to {vendors}")
    project.contract = contract
    return contract


# --- Handover --------------------------------------------------------------------------------


def parse_lines(content: str) -> list[tuple[int, list[str]]]:
    """(line number, parts) of the non-empty lines, split on '|', each part stripped."""
    return [
        (number, [part.strip() for part in line.split("|")])
        for number, line in enumerate(content.splitlines(), start=1)
        if line.strip()
    ]


def _each_line(content: str, parse) -> list:
    """parse(parts) for each line; every line's fault is reported at once, with its line
    number, not only the first."""
    rows, faults = [], []
    for number, parts in parse_lines(content):
        try:
            rows.append(parse(parts))
        except ValidationError as exc:
            faults += [f"Line {number}: {message}" for message in exc.messages]
    if faults:
        raise ValidationError({"content": faults})
    return rows


KPI_DIRECTIONS = {"": True, "higher": True, "lower": False}


def _kpi_rows(content: str) -> list[dict]:
    """KPIs, one a line: name | target | unit | higher or lower (is better; higher if left
    out), so that 'Complaints | 2 | count | lower' is rated the right way round."""
    return _each_line(content, _kpi_row)


def _kpi_row(parts: list[str]) -> dict:
    if len(parts) < 2 or not parts[0]:
        raise ValidationError("write one KPI a line: name | target | unit | higher/lower.")
    try:
        target = Decimal(parts[1].rstrip("%"))
    except ArithmeticError as exc:
        raise ValidationError(f"the KPI target {parts[1]!r} is not a number.") from exc
    direction = parts[3].lower().removesuffix(" is better") if len(parts) > 3 else ""
    if direction not in KPI_DIRECTIONS:
        raise ValidationError(f"{parts[3]!r}: say 'higher' or 'lower' (which is better).")
    return {
        "name": parts[0],
        "target": target,
        "unit": parts[2] if len(parts) > 2 else "",
        "higher_is_better": KPI_DIRECTIONS[direction],
    }


def _fits(model, field: str, value: str, what: str) -> str:
    """The value, or an error when it is longer than the model's column holds (never cut short
    silently, never a database error)."""
    limit = model._meta.get_field(field).max_length
    if len(value) > limit:
        message = f"The {what} {value[:40]!r}… has {len(value)} characters; {limit} fit."
        raise ValidationError(message)
    return value


def _document_rows(content: str) -> list[tuple[str, str]]:
    return _each_line(content, _document_row)


def _document_row(parts: list[str]) -> tuple[str, str]:
    if len(parts) != 2 or not parts[0]:
        raise ValidationError("write one document a line: title | https://link.")
    try:
        URLValidator(schemes=["http", "https"])(parts[1])
    except ValidationError as exc:
        raise ValidationError(f"{parts[1]!r} is not a web link.") from exc
    title = _fits(ContractDocument, "title", parts[0], "document title")
    return title, _fits(ContractDocument, "url", parts[1], "link")


def _contact_rows(content: str) -> list[dict]:
    """Key contacts, one a line: name | role | email | phone (email and phone optional)."""
    return _each_line(content, _contact_row)


def _contact_row(parts: list[str]) -> dict:
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ValidationError("write one contact a line: name | role | email.")
    email = parts[2] if len(parts) > 2 else ""
    if email:
        try:
            EmailValidator()(email)
        except ValidationError as exc:
            raise ValidationError(f"{email!r} is not an email address.") from exc
    phone = parts[3] if len(parts) > 3 else ""
    values = {"name": parts[0], "role": parts[1], "email": email, "phone": phone}
    return {f: _fits(VendorContact, f, value, f"contact {f}") for f, value in values.items()}


GUIDE_HEADINGS = {
    "who may use": "guide_who_may_use",
    "how to buy": "guide_how_to_buy",
    "pricing basis": "guide_pricing_basis",
}


def _guide_fields(content: str) -> dict[str, str]:
    """Split a drafted guide into the contract's guide fields by 'Heading:' lines; text
    before any heading goes under 'how to buy'."""
    fields: dict[str, list[str]] = {name: [] for name in GUIDE_HEADINGS.values()}
    current = "guide_how_to_buy"
    for line in content.splitlines():
        head, sep, rest = line.partition(":")
        key = GUIDE_HEADINGS.get(head.strip().lower()) if sep else None
        if key:
            current = key
            line = rest.strip()
        if line or fields[current]:
            fields[current].append(line)
    return {name: "\n".join(lines).strip() for name, lines in fields.items() if lines}


VALIDATORS = {
    HandoverItemKind.KPIS: _kpi_rows,
    HandoverItemKind.DOCUMENTS: _document_rows,
    HandoverItemKind.CONTACTS: _contact_rows,
}


@transaction.atomic
def handover_item_update(*, item: HandoverItem, content: str, by) -> HandoverItem:
    """Sourcing drafts an item; an accepted item no longer changes."""
    locked = HandoverItem.objects.select_for_update().get(pk=item.pk)
    if locked.accepted_at is not None:
        raise ValidationError("This item has been accepted and can no longer change.")
    content = content.strip()
    if locked.kind in VALIDATORS:
        VALIDATORS[locked.kind](content)
    locked.content = content
    locked.save(update_fields=["content"])
    return locked


def _contract_kpi_add(**kwargs):
    """kpis.services.contract_kpi_add, imported when used (the KPI app is optional here)."""
    return importlib.import_module("kpis.services").contract_kpi_add(**kwargs)


def _move_followers(*, from_contract, to_contract):
    return importlib.import_module("notifications.services").move_followers(
        from_contract=from_contract, to_contract=to_contract
    )


@transaction.atomic
def handover_item_accept(*, item: HandoverItem, by) -> HandoverItem:
    """The contract manager accepts one item; its content lands on the contract: KPIs through
    the KPI app, the user guide into the contract's guide, documents as contract documents."""
    locked = (
        HandoverItem.objects.select_for_update()
        .select_related("handover__contract")
        .get(pk=item.pk)
    )
    if locked.accepted_at is not None:
        raise ValidationError("This item is already accepted.")
    if not locked.content.strip():
        raise ValidationError("Sourcing has not filled in this item yet.")
    contract = locked.handover.contract
    if locked.kind == HandoverItemKind.KPIS:
        for row in _kpi_rows(locked.content):
            _contract_kpi_add(contract=contract, **row)
    elif locked.kind == HandoverItemKind.USER_GUIDE:
        fields = _guide_fields(locked.content)
        Contract.objects.filter(pk=contract.pk).update(**fields, updated_at=_now())
    elif locked.kind == HandoverItemKind.DOCUMENTS:
        documents = [
            ContractDocument(contract=contract, title=title, url=url, is_public=False)
            for title, url in _document_rows(locked.content)
        ]
        ContractDocument.objects.bulk_create(documents)
    elif locked.kind == HandoverItemKind.CONTACTS:
        _add_vendor_contacts(contract, _contact_rows(locked.content))
    locked.accepted_at, locked.accepted_by = _now(), by
    locked.save(update_fields=["accepted_at", "accepted_by"])
    return locked


def _add_vendor_contacts(contract: Contract, rows: list[dict]) -> None:
    """The contacts join the first awarded vendor's contacts (those not already listed)."""
    award = contract.awards.select_related("vendor").order_by("pk").first()
    if award is None:
        return
    known = set(award.vendor.contacts.values_list("name", "email"))
    VendorContact.objects.bulk_create(
        [
            VendorContact(vendor=award.vendor, **row)
            for row in rows
            if (row["name"], row["email"]) not in known
        ]
    )


@transaction.atomic
def handover_accept(*, handover: Handover, by) -> Contract:
    """Accept the whole pack once every item is accepted: the contract becomes active, its
    predecessor superseded (pointing to it), followers move across and the project completes."""
    locked = Handover.objects.select_for_update().get(pk=handover.pk)
    if locked.accepted_at is not None:
        raise ValidationError("The handover is already accepted.")
    pending = [item for item in locked.items.all() if item.accepted_at is None]
    if pending:
        names = ", ".join(item.get_kind_display() for item in pending)
        raise ValidationError(f"Accept every item first. Still open: {names}.")
    project = _lock(locked.project)
    if project.status != ProjectStatus.ACTIVE:
        raise ValidationError("Only an active project can be handed over.")
    if project.stage < Stage.CONTRACT_SIGNED:
        raise ValidationError("The contract must be signed before the handover is accepted.")
    predecessor = project.predecessor
    if predecessor is not None and (
        ContractSuccession.objects.filter(predecessor=predecessor).exists()
        or ContractSuccession.objects.filter(successor_id=locked.contract_id).exists()
    ):
        raise ValidationError(f"{predecessor.reference} already has a successor.")
    contract = Contract.objects.select_for_update().get(pk=locked.contract_id)
    contract.status = ContractStatus.ACTIVE
    contract.full_clean()
    replaces = predecessor is not None and predecessor.pk != contract.pk
    if replaces:
        contract_services.contract_set(
            contract=Contract.objects.get(pk=predecessor.pk),
            fields={"status": ContractStatus.SUPERSEDED},
            by=by,
            key=f"handover-{locked.pk}",
        )
        ContractSuccession.objects.create(
            predecessor=predecessor, successor=contract, project=project, at=_now()
        )
        # Before the notices go out (on commit): the predecessor's followers hear it here.
        _move_followers(from_contract=predecessor, to_contract=contract)
    contract_services.contract_set(
        contract=contract,
        fields={"status": ContractStatus.ACTIVE},
        by=by,
        key=f"handover-{locked.pk}",
        note=f"replaces {predecessor.reference}, now superseded" if replaces else "",
    )
    now, today = _now(), timezone.localdate()
    locked.accepted_at, locked.accepted_by = now, by
    locked.save(update_fields=["accepted_at", "accepted_by"])
    rows = {row.stage: row for row in ProjectStage.objects.filter(project=project)}
    current = rows[project.stage]
    current.actual_exit = today
    if current.actual_entry is None:
        current.actual_entry = today
    rows[Stage.COMPLETE].actual_entry = rows[Stage.COMPLETE].actual_exit = today
    ProjectStage.objects.bulk_update(list(rows.values()), ["actual_entry", "actual_exit"])
    from_stage = project.stage
    project.stage, project.status = Stage.COMPLETE, ProjectStatus.COMPLETE
    project.save(update_fields=["stage", "status", "updated_at"])
    _history(
        project,
        HistoryKind.HANDOVER,
        by,
        from_stage=from_stage,
        to_stage=Stage.COMPLETE,
        note=f"{contract.reference} active"
        + (f"; {predecessor.reference} superseded" if predecessor else ""),
    )
    _refresh_plan_state(project)
    return contract
