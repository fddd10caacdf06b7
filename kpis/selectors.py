"""Reads of KPI reviews: due dates, scorecards, the dashboard, a person's work list, exports."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from contracts.models import Contract
from kpis import schedule as periods
from kpis.models import (
    CURRENT_STATES,
    POOR_RATINGS,
    ActionStatus,
    ContractKpi,
    KpiResult,
    Rating,
    Review,
    ReviewAction,
    ReviewSchedule,
    ReviewState,
)
from procurement_hub.formatting import day as format_day
from vendors.models import Vendor


def live_contracts():
    """Contracts whose reviews are scheduled: not ended (see ContractQuerySet.current)."""
    return Contract.objects.current()


def next_review_due_dates(contract_ids: Iterable[int] | None = None) -> dict[int, datetime.date]:
    """Contract id → next KPI review due date, for live contracts with a review schedule.

    One query. Used by the reminders (notifications app) and the dashboards.
    """
    schedules = ReviewSchedule.objects.filter(
        Q(next_due__isnull=False), contract__in=live_contracts()
    )
    if contract_ids is not None:
        schedules = schedules.filter(contract_id__in=list(contract_ids))
    return dict(schedules.values_list("contract_id", "next_due"))


def next_review_period(contract: Contract) -> dict:
    """The period the next review covers (form initial data): the schedule period ending on
    the next due date; empty without a schedule."""
    schedule = ReviewSchedule.objects.filter(contract=contract).first()
    if schedule is None or schedule.next_due is None or schedule.next_due < schedule.anchor:
        return {}
    start, end = periods.period_containing(schedule.anchor, schedule.months, schedule.next_due)
    return {"period_start": start, "period_end": end}


def _today() -> datetime.date:
    return timezone.localdate()


def _period_label(day: datetime.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


# --- Contract scorecard -----------------------------------------------------------------------


@dataclass
class ContractScorecard:
    contract: Contract
    schedule: ReviewSchedule | None
    kpis: list
    reviews: list  # current reviews, oldest first
    latest: list  # latest current review per vendor
    drafts: list
    history: list  # superseded (amended) reviews
    actions: list
    charts: list  # one per KPI: {"id", "name", "unit", "target", "labels", "datasets"}
    publication_due: bool


def contract_scorecard(contract: Contract) -> ContractScorecard:
    """Everything the contract scorecard shows, in a fixed number of queries (six)."""
    schedule = ReviewSchedule.objects.filter(contract=contract).first()
    kpis = list(contract.kpis.filter(is_active=True).order_by("-is_key", "name"))
    reviews = Review.objects.filter(contract=contract).select_related("vendor", "created_by")
    reviews = list(reviews.order_by("period_end", "pk"))
    results = KpiResult.objects.filter(review__in=[r.pk for r in reviews]).select_related("kpi")
    by_review: dict[int, list] = defaultdict(list)
    for result in results:
        by_review[result.review_id].append(result)
    for review in reviews:
        review.result_list = sorted(by_review[review.pk], key=lambda r: r.kpi.name)
    current = [r for r in reviews if r.is_current]
    latest_by_vendor: dict[int, Review] = {}
    for review in current:
        latest_by_vendor[review.vendor_id] = review
    actions = list(
        ReviewAction.objects.filter(review__contract=contract, review__state__in=CURRENT_STATES)
        .select_related("owner", "review__contract")
        .order_by("status", "due_date")
    )
    return ContractScorecard(
        contract=contract,
        schedule=schedule,
        kpis=kpis,
        reviews=current,
        latest=list(latest_by_vendor.values()),
        drafts=[r for r in reviews if r.is_draft],
        history=[r for r in reviews if r.state == ReviewState.AMENDED],
        actions=actions,
        charts=_trend_charts(kpis, current),
        publication_due=_publication_due(contract, schedule),
    )


def _trend_charts(kpis: list, reviews: list) -> list[dict]:
    """Per KPI: labels = review period ends; one dataset per vendor, plus the target line."""
    labels = sorted({r.period_end for r in reviews})
    index = {day: i for i, day in enumerate(labels)}
    charts = []
    for kpi in kpis:
        series: dict[str, list] = {}
        targets: list = [None] * len(labels)
        for review in reviews:
            for result in review.result_list:
                if result.kpi_id != kpi.pk:
                    continue
                points = series.setdefault(review.vendor.legal_name, [None] * len(labels))
                i = index[review.period_end]
                points[i] = float(result.value) if result.value is not None else None
                targets[i] = float(result.target)
        datasets = [{"label": name, "data": data} for name, data in series.items()]
        if series:
            datasets.append({"label": "Target", "data": targets, "target": True})
        charts.append(
            {
                "id": kpi.pk,
                "name": kpi.name,
                "unit": kpi.unit,
                "higher_is_better": kpi.higher_is_better,
                "labels": [format_day(end) for end in labels],  # "30 Sep 2026", as the pages
                "datasets": datasets,
            }
        )
    return charts


def _publication_due(contract: Contract, schedule: ReviewSchedule | None) -> bool:
    """Over the publication threshold, live, and no review in the last 12 months."""
    value = contract.awarded_value or contract.estimated_value
    if value is None or value < settings.HUB_KPI_PUBLICATION_THRESHOLD:
        return False
    if contract.has_ended():
        return False
    last = schedule.last_period_end if schedule else None
    return last is None or last < _today() - datetime.timedelta(days=365)


# --- Vendor scorecard -------------------------------------------------------------------------


@dataclass
class VendorScorecard:
    vendor: Vendor
    trend: list  # [{"period", "weighted", "results"}], oldest first
    worst_kpis: list  # [{"kpi__name", "avg", "n"}]
    latest_reviews: list  # latest review per contract, worst first (bounded)
    contract_count: int
    rating_counts: dict


VENDOR_CONTRACTS_SHOWN = 25


def vendor_scorecard(vendor: Vendor, *, months: int = 36) -> VendorScorecard:
    """Across every contract of the last `months`: the weighted KPI score per quarter, the
    worst KPIs over the last 12 months, and each contract's latest overall rating.

    Three queries whatever the size: the scores are read once, grouped by quarter and KPI name
    (from one covering index on PostgreSQL), and folded into the trend and the worst KPIs here.
    """
    today = _today()
    since = today - datetime.timedelta(days=months * 31)
    year_ago = _quarter_start(today - datetime.timedelta(days=365))
    groups = (
        KpiResult.objects.filter(
            vendor=vendor, is_current=True, period_end__gte=since, score__isnull=False
        )
        .annotate(quarter=TruncQuarter("period_end"))
        .values("quarter", "kpi_name")
        .annotate(
            weighted_sum=Sum(F("score") * F("weight")),
            weights=Sum("weight"),
            total=Sum("score"),
            n=Count("pk"),
        )
        .order_by()
    )
    by_quarter: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_name: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in groups:
        quarter = row["quarter"]
        quarter = quarter.date() if isinstance(quarter, datetime.datetime) else quarter
        sums = by_quarter[quarter]
        sums[0] += row["weighted_sum"]
        sums[1] += row["weights"]
        sums[2] += row["n"]
        if quarter >= year_ago:
            by_name[row["kpi_name"]][0] += row["total"]
            by_name[row["kpi_name"]][1] += row["n"]
    trend = [
        {"period": _period_label(q), "weighted": round(w / ws, 2), "results": n}
        for q, (w, ws, n) in sorted(by_quarter.items())
    ]
    worst = sorted(
        ({"kpi_name": name, "avg": t / n, "n": n} for name, (t, n) in by_name.items()),
        key=lambda row: (row["avg"], row["kpi_name"]),
    )[:10]
    return VendorScorecard(
        vendor=vendor, trend=trend, worst_kpis=worst, **_latest_by_contract(vendor, since)
    )


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _latest_by_contract(vendor: Vendor, since: datetime.date) -> dict:
    """The vendor's latest current review per contract since `since`: the count of each overall
    rating, and the worst VENDOR_CONTRACTS_SHOWN of them with their contracts. Two queries."""
    latest: dict[int, tuple] = {}
    rows = (
        Review.objects.filter(vendor=vendor, state__in=CURRENT_STATES, period_end__gte=since)
        .order_by("period_end", "pk")
        .values_list("contract_id", "pk", "period_end", "overall_rating", "overall_score")
    )
    for contract_id, pk, period_end, rating, score in rows:
        latest[contract_id] = (score or 0, -period_end.toordinal(), pk, rating)
    counts: dict[str, int] = defaultdict(int)
    for _score, _day, _pk, rating in latest.values():
        counts[rating] += 1
    worst_ids = [row[2] for row in sorted(latest.values())[:VENDOR_CONTRACTS_SHOWN]]
    shown = Review.objects.filter(pk__in=worst_ids).select_related("contract")
    return {
        "latest_reviews": sorted(
            shown, key=lambda r: (r.overall_score or 0, -r.period_end.toordinal(), r.pk)
        ),
        "contract_count": len(latest),
        "rating_counts": {
            label: counts[value] for value, label in Rating.choices if counts.get(value)
        },
    }


# --- Category and pillar dashboard ------------------------------------------------------------


@dataclass
class Dashboard:
    distribution: list  # [(label, value, count)] in scale order
    overdue: list
    overdue_count: int
    due_soon: list
    due_soon_count: int
    poor_twice: list
    poor_twice_count: int
    publication_gaps: list
    publication_gap_more: bool


DASHBOARD_ROWS = 25


def dashboard(
    *,
    pillar=None,
    category=None,
    authority=None,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> Dashboard:
    """The category / pillar dashboard. Without a period, ratings are each contract's latest;
    with one, they are the current reviews whose period ends in it.

    Four queries at most: one pass over the filtered schedules (through their denormalised
    category) for every count, the rows shown, the period's ratings, the publication gaps.
    """
    today = _today()
    soon = today + datetime.timedelta(days=settings.HUB_KPI_DUE_SOON_DAYS)
    # Schedules carry their contract's category and last running day (kpis.services keeps
    # them), so counting a category's or the whole hub's reviews never touches the contracts.
    schedules = ReviewSchedule.objects.filter(live_until__gte=today)
    contracts = live_contracts()
    if pillar is not None:
        schedules = schedules.filter(category__pillar=pillar)
        contracts = contracts.filter(category__pillar=pillar)
    if category is not None:
        schedules = schedules.filter(category=category)
        contracts = contracts.filter(category=category)
    if authority is not None:
        through = Contract.authorities.through.objects.filter(authority=authority)
        schedules = schedules.filter(Exists(through.filter(contract_id=OuterRef("contract_id"))))
        contracts = contracts.filter(Exists(through.filter(contract_id=OuterRef("pk"))))
    # One pass over the filtered schedules (one small row per contract) gives every count and
    # the first rows of each list; a second query fetches those rows to show.
    overdue, due_soon, poor = [], [], []
    by_rating: dict[str, int] = defaultdict(int)
    rows = schedules.values_list("pk", "next_due", "latest_rating", "previous_rating").order_by()
    for pk, due, latest, previous in rows:
        by_rating[latest] += 1
        if due is not None and due < today:
            overdue.append((due, pk))
        elif due is not None and due <= soon:
            due_soon.append((due, pk))
        if latest in POOR_RATINGS and previous in POOR_RATINGS:
            poor.append((due or today, pk))
    if period is not None:
        by_rating = dict(
            Review.objects.filter(
                contract_id__in=schedules.values("contract_id"),
                state__in=CURRENT_STATES,
                period_end__range=period,
            )
            .order_by()
            .values_list("overall_rating")
            .annotate(n=Count("pk"))
        )
    distribution = [(label, value, by_rating.get(value, 0)) for value, label in Rating.choices]
    shown = {key: sorted(found)[:DASHBOARD_ROWS] for key, found in
             (("overdue", overdue), ("soon", due_soon), ("poor", poor))}  # fmt: skip
    wanted = {pk for found in shown.values() for _key, pk in found}
    by_pk = ReviewSchedule.objects.select_related("contract__category").in_bulk(wanted)
    threshold = settings.HUB_KPI_PUBLICATION_THRESHOLD
    gaps = (
        contracts.filter(
            Q(awarded_value__gte=threshold)
            | Q(awarded_value__isnull=True, estimated_value__gte=threshold)
        )
        .exclude(review_schedule__last_period_end__gte=today - datetime.timedelta(days=365))
        .select_related("category")
        .order_by("end_date", "reference")
    )
    gap_rows = list(gaps[: DASHBOARD_ROWS + 1])
    return Dashboard(
        distribution=distribution,
        overdue=[by_pk[pk] for _due, pk in shown["overdue"]],
        overdue_count=len(overdue),
        due_soon=[by_pk[pk] for _due, pk in shown["soon"]],
        due_soon_count=len(due_soon),
        poor_twice=[by_pk[pk] for _ref, pk in shown["poor"]],
        poor_twice_count=len(poor),
        publication_gaps=gap_rows[:DASHBOARD_ROWS],
        # More than a page of gaps shows as "25+": an exact count costs a second scan.
        publication_gap_more=len(gap_rows) > DASHBOARD_ROWS,
    )


def recent_quarters(count: int = 12) -> list[tuple[str, str]]:
    """Choices for the dashboard's period filter: the last `count` calendar quarters."""
    today = _today()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    choices = []
    for _ in range(count):
        choices.append((f"{year}-Q{quarter}", f"{year} Q{quarter}"))
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return choices


def quarter_range(code: str) -> tuple[datetime.date, datetime.date]:
    year, quarter = int(code[:4]), int(code[-1])
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = periods.add_months(start, 3) - datetime.timedelta(days=1)
    return start, end


# --- My reviews -------------------------------------------------------------------------------


@dataclass
class MyReviews:
    overdue: list
    due_soon: list
    drafts: list
    actions: list


def my_reviews(user) -> MyReviews:
    """A contract manager's work list: reviews overdue and due soon on the contracts they
    manage, their drafts, and the open actions they own. Four queries."""
    today = _today()
    managed = live_contracts().managed_by(user).values("pk")
    schedules = ReviewSchedule.objects.filter(contract__in=managed).select_related("contract")
    horizon = today + datetime.timedelta(days=settings.HUB_KPI_DUE_SOON_DAYS)
    return MyReviews(
        overdue=list(schedules.filter(next_due__lt=today).order_by("next_due")[:100]),
        due_soon=list(
            schedules.filter(next_due__gte=today, next_due__lte=horizon).order_by("next_due")[:100]
        ),
        drafts=list(
            Review.objects.filter(created_by=user, state=ReviewState.DRAFT)
            .select_related("contract", "vendor")
            .order_by("period_end")[:100]
        ),
        actions=list(
            ReviewAction.objects.filter(
                owner=user, status=ActionStatus.OPEN, review__state__in=CURRENT_STATES
            )
            .select_related("review__contract")
            .order_by("due_date")[:100]
        ),
    )


# --- Publication exports ----------------------------------------------------------------------


def key_kpi_rows(contracts: QuerySet):
    """The key KPIs of each visible contract (contract-details notice), contract by contract."""
    return (
        ContractKpi.objects.filter(contract__in=contracts, is_key=True, is_active=True)
        .select_related("contract")
        .order_by("contract__reference", "name")
    )


def latest_assessment_rows(contracts: QuerySet):
    """The latest published assessment per contract and vendor (contract performance notice)."""
    published = Review.objects.filter(contract__in=contracts, is_published=True)
    newer_published = Review.objects.filter(
        contract_id=OuterRef("contract_id"),
        vendor_id=OuterRef("vendor_id"),
        state__in=CURRENT_STATES,
        is_published=True,
        period_end__gt=OuterRef("period_end"),
    )
    return (
        published.filter(state__in=CURRENT_STATES)
        .exclude(Exists(newer_published))
        .select_related("contract", "vendor")
        .prefetch_related(Prefetch("results", queryset=KpiResult.objects.select_related("kpi")))
        .order_by("contract__reference", "vendor__legal_name")
    )


# --- Contract page slot -----------------------------------------------------------------------


def contract_summary(contract: Contract) -> dict:
    """What the contract page's KPI section shows: schedule and latest published reviews.
    Two queries."""
    schedule = ReviewSchedule.objects.filter(contract=contract).first()
    published = list(
        Review.objects.filter(contract=contract, state__in=CURRENT_STATES, is_published=True)
        .select_related("vendor")
        .order_by("-period_end")[:4]
    )
    return {
        "schedule": schedule,
        "published": published,
        "publication_due": _publication_due(contract, schedule),
        "today": _today(),
    }
