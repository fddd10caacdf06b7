"""Writes of the KPI app: the library, contract KPIs, schedules and reviews.

Views, the demo and other apps (sourcing's handover) call these; nothing else writes KPI rows.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, DateField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.models import ENDED_STATUSES, Contract, ContractAward
from kpis import schedule as periods
from kpis.models import (
    CURRENT_STATES,
    FREQUENCY_MONTHS,
    POOR_RATINGS,
    RATING_SCORE,
    ActionStatus,
    ContractKpi,
    Frequency,
    KpiResult,
    KpiTemplate,
    Rating,
    Review,
    ReviewAction,
    ReviewEvidence,
    ReviewSchedule,
    ReviewState,
)
from procurement_hub.formatting import day


class ReviewLocked(PermissionDenied):
    """A submitted review is immutable: corrections are amendments."""


def rating_suggest(
    *,
    value: Decimal | None,
    target: Decimal,
    approaching: Decimal | None,
    higher_is_better: bool,
) -> str:
    """The rating a measured value earns.

    Measured in the KPI's direction: at or better than the target is Good; at or better than the
    approaching threshold is Approaching target; within one more target–threshold gap beyond the
    threshold is Requires improvement; further still is Inadequate. Without a threshold, anything
    short of the target Requires improvement. No value: Other.
    """
    if value is None:
        return Rating.OTHER
    sign = 1 if higher_is_better else -1
    v, t = value * sign, target * sign
    if v >= t:
        return Rating.GOOD
    if approaching is None:
        return Rating.REQUIRES_IMPROVEMENT
    a = approaching * sign
    if v >= a:
        return Rating.APPROACHING
    gap = t - a
    if gap == 0 or v >= a - gap:
        return Rating.REQUIRES_IMPROVEMENT
    return Rating.INADEQUATE


def overall_suggest(results: Iterable) -> tuple[float | None, str]:
    """The weighted KPI score (1 Inadequate – 4 Good) of a review's results and the overall
    rating it suggests; KPIs rated Other do not count. (None, "") without scored results."""
    scored = [(r.score, r.kpi.weight) for r in results if r.score is not None]
    weights = sum(w for _s, w in scored)
    if not weights:
        return None, ""
    score = sum(s * w for s, w in scored) / weights
    rating = {4: Rating.GOOD, 3: Rating.APPROACHING, 2: Rating.REQUIRES_IMPROVEMENT}.get(
        int(score + 0.5), Rating.INADEQUATE
    )
    return round(score, 2), rating


# --- Library and contract KPIs ----------------------------------------------------------------


def kpi_template_add(*, category, name: str, target, **fields) -> KpiTemplate:
    """Add a KPI to a category's library (validated: threshold side, unique name)."""
    template = KpiTemplate(category=category, name=name, target=Decimal(str(target)), **fields)
    template.full_clean()
    template.save()
    return template


def contract_kpi_add(
    *,
    contract: Contract,
    name: str,
    unit: str = "",
    target,
    approaching=None,
    higher_is_better: bool = True,
    weight: int = 1,
    description: str = "",
    data_source: str = "",
    is_key: bool = False,
    template: KpiTemplate | None = None,
) -> ContractKpi:
    """Add a KPI to a contract (validated; raises ValidationError on a bad threshold or name)."""
    kpi = ContractKpi(
        contract=contract,
        name=name,
        unit=unit,
        target=Decimal(str(target)),
        approaching=None if approaching is None else Decimal(str(approaching)),
        higher_is_better=higher_is_better,
        weight=weight,
        description=description,
        data_source=data_source,
        is_key=is_key,
        template=template,
    )
    kpi.full_clean()
    kpi.save()
    return kpi


def contract_kpis_from_templates(
    *, contract: Contract, templates: Iterable[KpiTemplate]
) -> list[ContractKpi]:
    """Copy library KPIs onto a contract, skipping names the contract already has."""
    have = set(contract.kpis.values_list("name", flat=True))
    added = []
    for t in templates:
        if t.name in have:
            continue
        added.append(
            contract_kpi_add(
                contract=contract,
                name=t.name,
                unit=t.unit,
                target=t.target,
                approaching=t.approaching,
                higher_is_better=t.higher_is_better,
                weight=t.weight,
                description=t.description,
                data_source=t.data_source,
                is_key=t.is_key,
                template=t,
            )
        )
    return added


# --- Schedule ---------------------------------------------------------------------------------


def _default_anchor(contract: Contract) -> datetime.date:
    return contract.start_date or timezone.localdate()


def schedule_set(
    *, contract: Contract, frequency: str, anchor: datetime.date | None = None
) -> ReviewSchedule:
    """Set (or change) a contract's review frequency; recomputes its next due date."""
    if frequency not in FREQUENCY_MONTHS:
        raise ValidationError({"frequency": f"Unknown frequency {frequency!r}."})
    schedule, _created = ReviewSchedule.objects.get_or_create(
        contract=contract,
        defaults={"frequency": frequency, "anchor": anchor or _default_anchor(contract)},
    )
    schedule.frequency = frequency
    if anchor is not None:
        schedule.anchor = anchor
    return schedule_refresh(schedule=schedule)


def schedule_for(contract: Contract) -> ReviewSchedule:
    """The contract's schedule, creating the default (quarterly from the start) if it has none."""
    try:
        return contract.review_schedule
    except ReviewSchedule.DoesNotExist:
        return schedule_set(contract=contract, frequency=Frequency.QUARTERLY)


def schedule_refresh(*, schedule: ReviewSchedule) -> ReviewSchedule:
    """Recompute the denormalised fields from the contract's current reviews."""
    current = list(
        Review.objects.filter(contract_id=schedule.contract_id, state__in=CURRENT_STATES)
        .order_by("-period_end", "-pk")
        .values_list("vendor_id", "period_end", "overall_rating")
    )
    schedule.category_id, schedule.live_until = (
        Contract.objects.filter(pk=schedule.contract_id)
        .annotate(live_until=live_until_expression())
        .values_list("category_id", "live_until")
        .get()
    )
    schedule.last_period_end = current[0][1] if current else None  # The newest review.
    schedule.latest_rating, schedule.previous_rating = _rating_pair(current)
    schedule.next_due = periods.next_due(
        schedule.anchor,
        FREQUENCY_MONTHS[schedule.frequency],
        _reviewed_up_to(schedule.contract_id, current),
    )
    schedule.full_clean(exclude=["contract"])
    schedule.save()
    return schedule


def _reviewed_up_to(contract_id: int, reviews: list[tuple]) -> datetime.date | None:
    """The last period end every vendor under review has reached, from (vendor, period end,
    rating) rows newest first: on a contract with several vendors, one vendor's review does
    not move the due date past another's outstanding one. A vendor is under review once it has
    a review on the contract and while it is awarded there (a framework's suppliers who are
    never reviewed do not hold the schedule back)."""
    if not reviews:
        return None
    latest: dict[int, datetime.date] = {}
    for vendor_id, end, _rating in reviews:
        latest.setdefault(vendor_id, end)
    awarded = set(
        ContractAward.objects.filter(
            contract_id=contract_id, vendor_id__in=list(latest)
        ).values_list("vendor_id", flat=True)
    )
    held = [end for vendor_id, end in latest.items() if vendor_id in awarded]
    return min(held) if held else reviews[0][1]


def _rating_pair(reviews: list[tuple]) -> tuple[str, str]:
    """The latest and previous ratings the schedule shows, from (vendor, period end, rating)
    rows newest first. Ratings are per vendor: on a framework, one vendor's two latest reviews,
    not the contract's, whichever vendors they rate. A vendor rated poor twice running is the
    one shown (the dashboard flags it); otherwise the vendor of the latest review."""
    by_vendor: dict[int, list[str]] = {}
    for vendor_id, _end, rating in reviews:
        by_vendor.setdefault(vendor_id, []).append(rating)
    pairs = [[*ratings, ""][:2] for ratings in by_vendor.values()]  # Newest vendor first.
    poor = [pair for pair in pairs if all(rating in POOR_RATINGS for rating in pair)]
    latest, previous = (poor or pairs or [["", ""]])[0]
    return latest, previous


def live_until_expression():
    """A contract's last running day, as SQL: far past once ended by status, else its end date
    (far future without one). ContractQuerySet.current() is exactly live_until >= today."""
    return Case(
        When(status__in=ENDED_STATUSES, then=Value(datetime.date.min)),
        default=Coalesce("end_date", Value(datetime.date.max)),
        output_field=DateField(),
    )


def schedules_sync_contracts() -> int:
    """Re-copy every schedule's category and live_until from its contract (one UPDATE); run
    daily, and after bulk contract changes. Returns the number of schedules updated."""
    contract = Contract.objects.filter(pk=OuterRef("contract_id"))
    return ReviewSchedule.objects.update(
        category_id=Subquery(contract.values("category_id")[:1]),
        live_until=Subquery(contract.annotate(day=live_until_expression()).values("day")[:1]),
    )


# --- Reviews ----------------------------------------------------------------------------------


def review_period_errors(
    *,
    contract: Contract,
    vendor,
    period_start: datetime.date,
    period_end: datetime.date,
    exclude: Sequence[int] = (),
    correcting: bool = False,
) -> dict[str, str]:
    """Why this period cannot be reviewed (field → message); empty when it can. A correction
    of a review already logged (`correcting`) may be made however long ago the contract ended."""
    errors: dict[str, str] = {}
    if period_end < period_start:
        errors["period_end"] = "The period must end on or after its start."
        return errors
    today = timezone.localdate()
    grace = settings.HUB_KPI_REVIEW_GRACE_DAYS
    ended = contract.end_date and contract.end_date + datetime.timedelta(days=grace) < today
    if ended and not correcting:
        errors["__all__"] = (
            f"This contract ended on {day(contract.end_date)}; reviews can be logged only "
            f"up to {grace} days after the end."
        )
    if contract.start_date and period_end < contract.start_date:
        errors["period_end"] = (
            f"The period ends before the contract starts ({day(contract.start_date)})."
        )
    overlapping = (
        Review.objects.filter(
            contract=contract,
            vendor=vendor,
            state__in=[*CURRENT_STATES, ReviewState.DRAFT],
            period_start__lte=period_end,
            period_end__gte=period_start,
        )
        .exclude(pk__in=list(exclude))
        .order_by("period_start")
        .first()
    )
    if overlapping is not None:
        errors["period_start"] = (
            f"This period overlaps the {overlapping.get_state_display().lower()} review of "
            f"{day(overlapping.period_start)} – {day(overlapping.period_end)}."
        )
    return errors


def _check_period(review: Review, exclude: Sequence[int]) -> None:
    errors = review_period_errors(
        contract=review.contract,
        vendor=review.vendor,
        period_start=review.period_start,
        period_end=review.period_end,
        exclude=exclude,
        correcting=review.amends_id is not None,
    )
    if errors:
        raise ValidationError(errors)


def _write_results(review: Review, results: Iterable[dict]) -> None:
    """Replace the review's KPI results: rows of kpi, value, rating (blank: suggested), comment."""
    review.results.all().delete()
    rows = []
    for row in results:
        kpi: ContractKpi = row["kpi"]
        if kpi.contract_id != review.contract_id:
            raise ValidationError("A KPI of another contract.")
        suggested = rating_suggest(
            value=row.get("value"),
            target=kpi.target,
            approaching=kpi.approaching,
            higher_is_better=kpi.higher_is_better,
        )
        rating = row.get("rating") or suggested
        rows.append(
            KpiResult(
                review=review,
                kpi=kpi,
                value=row.get("value"),
                target=kpi.target,
                suggested_rating=suggested,
                rating=rating,
                score=RATING_SCORE[Rating(rating)],
                comment=row.get("comment", ""),
                vendor_id=review.vendor_id,
                kpi_name=kpi.name,
                period_end=review.period_end,
                weight=kpi.weight,
                is_current=review.is_current,
            )
        )
    KpiResult.objects.bulk_create(rows)


def _write_actions(review: Review, actions: Iterable[dict]) -> None:
    """Replace the review's actions. A row without a status (the form edits what, who and by
    when, not progress) keeps the status of the action it was: same description and owner."""
    progress: dict[tuple, list] = {}
    for action in review.actions.all():  # In the form's order (kpis.forms.action_initial).
        key = (action.description, action.owner_id)
        progress.setdefault(key, []).append((action.status, action.done_at))
    review.actions.all().delete()
    actions = list(actions)
    rows = [ReviewAction(review=review, **action) for action in actions]
    for row, action in zip(rows, actions, strict=True):
        if "status" not in action:  # Two alike take back their statuses in the form's order.
            kept = progress.get((row.description, row.owner_id), [])
            row.status, row.done_at = kept.pop(0) if kept else (ActionStatus.OPEN, None)
    for row in rows:
        row.full_clean(exclude=["review"])
    ReviewAction.objects.bulk_create(rows)


def _lock_contract(contract: Contract) -> None:
    """Serialise review writes per contract, so two overlapping drafts cannot both pass."""
    Contract.objects.select_for_update().filter(pk=contract.pk).first()


@transaction.atomic
def review_create(
    *,
    contract: Contract,
    vendor,
    fields: dict,
    results: Iterable[dict] = (),
    actions: Iterable[dict] = (),
    by,
    amends: Review | None = None,
) -> Review:
    """Log a draft review (editable until submitted)."""
    _lock_contract(contract)
    if not contract.awards.filter(vendor=vendor).exists():
        raise ValidationError({"vendor": "This vendor holds no award on this contract."})
    review = Review(contract=contract, vendor=vendor, created_by=by, amends=amends, **fields)
    _check_period(review, exclude=[amends.pk] if amends else [])
    review.full_clean()
    review.save()
    _write_results(review, results)
    _write_actions(review, actions)
    return review


@transaction.atomic
def review_update(
    *, review: Review, fields: dict, results: Iterable[dict], actions: Iterable[dict], by
) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.is_draft:
        raise ReviewLocked("A submitted review cannot be changed; record an amendment.")
    _lock_contract(review.contract)
    for name, value in fields.items():
        setattr(review, name, value)
    exclude = [review.pk] + ([review.amends_id] if review.amends_id else [])
    _check_period(review, exclude=exclude)
    review.full_clean()
    review.save()
    _write_results(review, results)
    _write_actions(review, actions)
    return review


@transaction.atomic
def review_submit(*, review: Review, by) -> Review:
    """Freeze a draft. An amendment supersedes the review it corrects; both stay in history."""
    review = Review.objects.select_for_update().select_related("contract").get(pk=review.pk)
    if not review.is_draft:
        raise ReviewLocked("This review is already submitted.")
    if not review.overall_rating:
        raise ValidationError({"overall_rating": "Give an overall rating before submitting."})
    if review.amends_id:
        _carry_over_done_actions(original_id=review.amends_id, draft=review)
        Review.objects.filter(pk=review.amends_id).update(state=ReviewState.AMENDED)
        KpiResult.objects.filter(review_id=review.amends_id).update(is_current=False)
    review.results.update(is_current=True)
    review.state = ReviewState.SUBMITTED
    review.submitted_by = by
    review.submitted_at = timezone.now()
    review.overall_score = RATING_SCORE[Rating(review.overall_rating)]
    review.full_clean()
    review.save()
    schedule_refresh(schedule=schedule_for(review.contract))
    return review


def _carry_over_done_actions(*, original_id: int, draft: Review) -> None:
    """Actions marked done on the review being corrected while its amendment was drafted stay
    done: the draft copied their status when it was started. Matched by description, owner
    and due date (an action the amendment rewrote is the amendment's to close)."""
    done: dict[tuple, list] = {}
    for a in ReviewAction.objects.filter(review_id=original_id, status=ActionStatus.DONE):
        done.setdefault((a.description, a.owner_id, a.due_date), []).append(a.done_at)
    for action in draft.actions.filter(status=ActionStatus.OPEN).order_by("pk"):
        # Two alike, one done: one of the copies is closed, the other stays open.
        closed = done.get((action.description, action.owner_id, action.due_date))
        if closed:
            action.status, action.done_at = ActionStatus.DONE, closed.pop(0)
            action.save(update_fields=["status", "done_at"])


@transaction.atomic
def review_amend(*, review: Review, by) -> Review:
    """Start a correction of a submitted review: a draft copy that replaces it once submitted."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.is_current:
        raise ReviewLocked("Only a submitted or signed-off review can be amended.")
    existing = review.amendments.filter(state=ReviewState.DRAFT).first()
    if existing is not None:
        return existing
    fields = {
        f: getattr(review, f)
        for f in (
            "period_start",
            "period_end",
            "meeting_date",
            "attendees",
            "overall_rating",
            "narrative",
            "is_published",
        )
    }
    results = [
        {"kpi": r.kpi, "value": r.value, "rating": r.rating, "comment": r.comment}
        for r in review.results.select_related("kpi")
    ]
    actions = [
        {
            "description": a.description,
            "owner": a.owner,
            "due_date": a.due_date,
            "status": a.status,
            "done_at": a.done_at,
        }
        for a in review.actions.all()
    ]
    return review_create(
        contract=review.contract,
        vendor=review.vendor,
        fields=fields,
        results=results,
        actions=actions,
        by=by,
        amends=review,
    )


@transaction.atomic
def review_sign_off(*, review: Review, by) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.state != ReviewState.SUBMITTED:
        raise ReviewLocked("Only a submitted review can be signed off.")
    review.state = ReviewState.SIGNED_OFF
    review.signed_off_by = by
    review.signed_off_at = timezone.now()
    review.save(update_fields=["state", "signed_off_by", "signed_off_at"])
    return review


@transaction.atomic
def review_delete_draft(*, review: Review) -> None:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.is_draft:
        raise ReviewLocked("A submitted review cannot be deleted.")
    review.delete()


def evidence_add(*, review: Review, title: str, file, by) -> ReviewEvidence:
    if not review.is_draft:
        raise ReviewLocked("Evidence can be added only to a draft; record an amendment.")
    evidence = ReviewEvidence(review=review, title=title, file=file, uploaded_by=by)
    evidence.full_clean()
    evidence.save()
    return evidence


def action_complete(*, action: ReviewAction, by) -> ReviewAction:
    """Mark an agreed action done (actions move on after the review is frozen)."""
    updated = ReviewAction.objects.filter(pk=action.pk, status=ActionStatus.OPEN).update(
        status=ActionStatus.DONE, done_at=timezone.now()
    )
    if updated:
        action.refresh_from_db()
    return action
