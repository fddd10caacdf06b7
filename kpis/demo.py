"""KPI demo data: a library per category, KPIs and schedules on running contracts, and review
histories with trends worth charting (some vendors improving, some declining, a few overdue).

Reads the contracts, awards and staff made by `contracts.demo`; writes in bulk with explicit ids
(COPY on PostgreSQL for the big tables), so 1,000 contracts take a second or two.
"""

import datetime
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from categories.models import Category
from contracts.demo import _insert
from contracts.models import Contract, ContractAward, ContractStatus
from kpis.models import (
    FREQUENCY_MONTHS,
    RATING_SCORE,
    ActionStatus,
    ContractKpi,
    Frequency,
    KpiResult,
    KpiTemplate,
    Rating,
    Review,
    ReviewAction,
    ReviewSchedule,
    ReviewState,
)
from kpis.schedule import add_months, next_due
from kpis.services import rating_suggest

# The library every category gets: (name, unit, target, approaching, higher is better,
# weight, data source, key, typical value, spread).
LIBRARY = [
    ("On-time delivery", "%", 95, 90, True, 3, "Supplier delivery report", True, 93, 4),
    ("Invoice accuracy", "%", 98, 95, True, 2, "Accounts payable", True, 96, 2.5),
    ("Complaints per quarter", "", 2, 4, False, 2, "Customer service log", True, 3, 2),
    ("Social value commitments delivered", "%", 100, 80, True, 1, "Social value plan", False,
     82, 12),
    ("Customer satisfaction", "/5", 4.2, 3.8, True, 1, "Quarterly survey", False, 4.0, 0.35),
]  # fmt: skip
RUNNING = (ContractStatus.ACTIVE, ContractStatus.EXPIRED)
MAX_PERIODS = 10  # the longest history per contract
SCORE_RATING = {4: Rating.GOOD, 3: Rating.APPROACHING, 2: Rating.REQUIRES_IMPROVEMENT,
                1: Rating.INADEQUATE}  # fmt: skip


class Ids:
    """Explicit ids for bulk inserts, continuing after whatever is there."""

    def __init__(self):
        self.next = {}

    def take(self, model) -> int:
        if model not in self.next:
            self.next[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        value = self.next[model]
        self.next[model] += 1
        return value


def seed(ctx) -> None:
    started = timezone.now()
    rng, today = ctx.rng, ctx.today
    ids = Ids()
    now = timezone.now()

    templates = []
    for category_id in Category.objects.order_by("pk").values_list("pk", flat=True):
        for name, unit, target, approaching, higher, weight, source, key, _t, _s in LIBRARY:
            templates.append(
                KpiTemplate(
                    id=ids.take(KpiTemplate), category_id=category_id, name=name, unit=unit,
                    description="", target=Decimal(str(target)),
                    approaching=Decimal(str(approaching)), higher_is_better=higher,
                    weight=weight, data_source=source, is_key=key,
                )
            )  # fmt: skip
    _insert(KpiTemplate, templates)
    template_by = {(t.category_id, t.name): t for t in templates}

    vendors_of: dict[int, list[int]] = {}
    for contract_id, vendor_id in ContractAward.objects.order_by("contract_id", "pk").values_list(
        "contract_id", "vendor_id"
    ):
        vendors_of.setdefault(contract_id, []).append(vendor_id)
    contracts = list(
        Contract.objects.filter(status__in=RUNNING, start_date__lte=today)
        .values(
            "id", "category_id", "status", "start_date", "end_date", "awarded_value",
            "contract_manager_id", "category__primary_contract_manager_id",
            "category__pillar__head_id",
        )
        .order_by("id")
    )  # fmt: skip
    # Each vendor has a trajectory: improving, declining or steady (drift per period, in spreads).
    trajectory: dict[int, float] = {}

    kpis, schedules, reviews, results, actions = [], [], [], [], []
    for c in contracts:
        vendors = vendors_of.get(c["id"])
        if not vendors or rng.random() < 0.25:
            continue  # about a quarter of running contracts have no KPI regime yet
        big = (c["awarded_value"] or 0) >= 5_000_000
        frequency = (
            Frequency.QUARTERLY
            if big
            else rng.choices(list(FREQUENCY_MONTHS), weights=(1, 6, 2, 2))[0]
        )
        months = FREQUENCY_MONTHS[frequency]
        chosen = LIBRARY[:3] + [row for row in LIBRARY[3:] if rng.random() < 0.5]
        contract_kpis = []
        for name, unit, target, approaching, higher, weight, source, key, typical, spread in chosen:
            tuned = target if rng.random() < 0.8 else round(target * rng.uniform(0.97, 1.0), 1)
            if not higher:
                tuned = target
            kpi = ContractKpi(
                id=ids.take(ContractKpi), contract_id=c["id"],
                template_id=template_by[(c["category_id"], name)].pk, name=name, unit=unit,
                description="", target=Decimal(str(tuned)),
                approaching=Decimal(str(approaching)), higher_is_better=higher, weight=weight,
                data_source=source, is_key=key, is_active=True, created_at=now,
            )  # fmt: skip
            kpi.typical, kpi.spread = typical, spread
            kpis.append(kpi)
            contract_kpis.append(kpi)
        anchor = c["start_date"]
        schedule = ReviewSchedule(
            id=ids.take(ReviewSchedule), contract_id=c["id"], category_id=c["category_id"],
            live_until=c["end_date"] if c["status"] == ContractStatus.ACTIVE else datetime.date.min,
            frequency=frequency, anchor=anchor,
            next_due=None, last_period_end=None, latest_rating="", previous_rating="",
        )  # fmt: skip
        schedules.append(schedule)

        # Periods that have ended (up to the contract's end), the latest MAX_PERIODS of them.
        last_day = min(today, c["end_date"] or today)
        ends = []
        k = 1
        while add_months(anchor, k * months) - datetime.timedelta(days=1) < last_day:
            ends.append(k)
            k += 1
        ends = ends[-MAX_PERIODS:]
        roll = rng.random()
        if roll < 0.12 and len(ends) > 1:
            ends = ends[: -rng.choice((1, 2))]  # reviews overdue
        draft_last = roll > 0.94
        manager = c["contract_manager_id"] or c["category__primary_contract_manager_id"]
        if manager is None:
            continue
        for vendor_id in vendors[:2]:
            if vendor_id not in trajectory:
                trajectory[vendor_id] = rng.choice((-0.5, -0.3, 0, 0, 0.15, 0.3, 0.5))
            drift = trajectory[vendor_id]
            ratings = []
            for i, k in enumerate(ends):
                start = add_months(anchor, (k - 1) * months)
                end = add_months(anchor, k * months) - datetime.timedelta(days=1)
                is_draft = draft_last and i == len(ends) - 1
                meeting = min(end + datetime.timedelta(days=rng.randint(5, 25)), today)
                review = Review(
                    id=ids.take(Review), contract_id=c["id"], vendor_id=vendor_id,
                    period_start=start, period_end=end, meeting_date=meeting,
                    attendees="Contract manager; supplier account manager",
                    overall_rating="", overall_score=None, narrative="",
                    state=ReviewState.DRAFT if is_draft else ReviewState.SUBMITTED,
                    is_published=big and not is_draft, amends_id=None, created_by_id=manager,
                    created_at=now, submitted_by_id=None if is_draft else manager,
                    submitted_at=None if is_draft else now, signed_off_by_id=None,
                    signed_off_at=None,
                )  # fmt: skip
                weighted, weights = 0, 0
                progress = i - len(ends) / 2
                for kpi in contract_kpis:
                    sign = 1 if kpi.higher_is_better else -1
                    value = kpi.typical + sign * drift * kpi.spread * progress
                    value += rng.gauss(0, kpi.spread * 0.6)
                    if kpi.unit == "%":
                        value = min(value, 100)
                    value = Decimal(str(round(max(value, 0), 1 if kpi.unit != "" else 0)))
                    rating = rating_suggest(
                        value=value, target=kpi.target, approaching=kpi.approaching,
                        higher_is_better=kpi.higher_is_better,
                    )  # fmt: skip
                    score = RATING_SCORE[rating]
                    weighted += score * kpi.weight
                    weights += kpi.weight
                    results.append(
                        KpiResult(
                            id=ids.take(KpiResult), review_id=review.id, kpi_id=kpi.id,
                            value=value, target=kpi.target, suggested_rating=rating,
                            rating=rating, score=score, comment="", vendor_id=vendor_id,
                            kpi_name=kpi.name, period_end=end, weight=kpi.weight,
                            is_current=not is_draft,
                        )
                    )  # fmt: skip
                overall = SCORE_RATING[max(1, min(4, round(weighted / weights)))]
                review.overall_rating = overall
                review.overall_score = RATING_SCORE[overall]
                review.narrative = _narrative(overall, drift)
                head = c["category__pillar__head_id"]
                if not is_draft and head and end < today - datetime.timedelta(days=180):
                    review.state = ReviewState.SIGNED_OFF
                    review.signed_off_by_id = head
                    review.signed_off_at = now
                reviews.append(review)
                if not is_draft:
                    ratings.append((end, overall))
                if overall in (Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE):
                    due = meeting + datetime.timedelta(days=rng.choice((14, 30, 45)))
                    done = due < today and rng.random() < 0.75
                    actions.append(
                        ReviewAction(
                            id=ids.take(ReviewAction), review_id=review.id,
                            description=rng.choice(ACTIONS), owner_id=manager, due_date=due,
                            status=ActionStatus.DONE if done else ActionStatus.OPEN,
                            done_at=now if done else None,
                        )
                    )  # fmt: skip
            if vendor_id == vendors[0]:
                ratings.sort()
                schedule.last_period_end = ratings[-1][0] if ratings else None
                schedule.latest_rating = ratings[-1][1] if ratings else ""
                schedule.previous_rating = ratings[-2][1] if len(ratings) > 1 else ""
        schedule.next_due = next_due(anchor, months, schedule.last_period_end)

    for kpi in kpis:
        del kpi.typical, kpi.spread
    _insert(ContractKpi, kpis)
    _insert(ReviewSchedule, schedules)
    _insert(Review, reviews)
    _insert(KpiResult, results)
    _insert(ReviewAction, actions)
    seconds = (timezone.now() - started).total_seconds()
    ctx.log(
        f"  {len(templates)} KPI templates, {len(kpis)} contract KPIs, {len(schedules)} "
        f"schedules, {len(reviews)} reviews, {len(results)} KPI scores, {len(actions)} actions "
        f"in {seconds:.1f} s"
    )


ACTIONS = (
    "Send a recovery plan with dates",
    "Root-cause analysis of late deliveries",
    "Credit the disputed invoices",
    "Monthly service meeting until back on target",
    "Share the complaints log each fortnight",
    "Name a dedicated account manager",
)


def _narrative(rating: str, drift: float) -> str:
    trend = "improving" if drift > 0 else "declining" if drift < 0 else "steady"
    opening = {
        Rating.GOOD: "Performance met the targets this period.",
        Rating.APPROACHING: "Performance was close to target.",
        Rating.REQUIRES_IMPROVEMENT: "Several KPIs missed their targets.",
        Rating.INADEQUATE: "Performance fell well short; escalated to the head of category.",
    }[rating]
    return f"{opening} The trend over recent periods is {trend}."
