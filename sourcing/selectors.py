"""Reads of the sourcing pipeline."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear
from django.utils import timezone

from contracts.models import ENDED_STATUSES, Contract, ExtensionOption
from contracts.terms import add_months
from procurement_hub.cache import cache_get, cache_set
from sourcing.models import (
    AwardLine,
    ContractSuccession,
    DecisionKind,
    Handover,
    ProjectHistory,
    ProjectStage,
    ProjectStatus,
    Rag,
    RenewalDecision,
    Route,
    SourcingProject,
    Stage,
)


def contracts_with_renewal_decision(
    contract_ids: Iterable[int],
    *,
    kinds: Iterable[str] = (DecisionKind.EXTEND, DecisionKind.REPROCURE),
) -> set[int]:
    """Ids of these contracts with a decision of one of `kinds` (by default a re-procurement or
    extension) recorded for the term ending on their current end date. An extension moves the
    end date, so the new term needs a decision of its own (and the contract leaves this set
    until one is recorded). A re-procurement project running for a contract (started from the
    project form, with no decision recorded) counts as a re-procurement. One query."""
    ids = list(contract_ids)
    kinds = list(kinds)
    if not ids:
        return set()
    recorded = Exists(
        RenewalDecision.objects.filter(
            contract=OuterRef("pk"), kind__in=kinds, term_end=OuterRef("end_date")
        )
    )
    if DecisionKind.REPROCURE in kinds:
        recorded |= Exists(reprocurement_running())
    return set(Contract.objects.filter(recorded, pk__in=ids).values_list("pk", flat=True))


def reprocurement_running() -> QuerySet:
    """The open (active or on hold) projects re-procuring the outer query's contract."""
    return SourcingProject.objects.open().filter(predecessor=OuterRef("pk"))


# --- Lead times learned from finished stages -----------------------------------------------


@dataclass(frozen=True)
class StageMetric:
    stage: int
    route: str | None  # None: every route together
    median_days: float
    samples: int


def stage_metrics() -> list[StageMetric]:
    """Median days spent in each stage, by route and over all routes, from every stage with an
    actual entry and exit. One grouped query counts stages per (stage, route, days) (a hash
    aggregate, no sort of every row); the exact medians come from those histograms."""
    rows = (
        ProjectStage.objects.filter(
            actual_entry__isnull=False, actual_exit__isnull=False, stage__lt=Stage.COMPLETE
        )
        .annotate(span=ExpressionWrapper(F("actual_exit") - F("actual_entry"), DurationField()))
        .values("stage", "project__route", "span")
        .annotate(n=Count("pk"))
        .order_by()
    )
    histograms: dict[tuple[int, str | None], Counter] = defaultdict(Counter)
    for row in rows:
        days = row["span"].days if isinstance(row["span"], datetime.timedelta) else row["span"]
        histograms[(row["stage"], row["project__route"])][days] += row["n"]
        histograms[(row["stage"], None)][days] += row["n"]
    return [
        StageMetric(
            stage=stage,
            route=route,
            median_days=_histogram_median(counts),
            samples=sum(counts.values()),
        )
        for (stage, route), counts in sorted(
            histograms.items(), key=lambda item: (item[0][0], item[0][1] or "")
        )
    ]


def _histogram_median(counts: Counter) -> float:
    """The median of a multiset given as value → count (as statistics.median would give)."""
    total = sum(counts.values())
    if not total:
        return 0.0
    wanted = {(total - 1) // 2, total // 2}
    found, seen = [], 0
    for value in sorted(counts):
        first, seen = seen, seen + counts[value]
        found += [value for position in sorted(wanted) if first <= position < seen]
    return sum(found) / len(found) if len(found) == 2 else float(found[0])


LEAD_TIME_CACHE_KEY = "sourcing:stage-metrics"


def cached_stage_metrics() -> list[StageMetric]:
    """stage_metrics(), kept SOURCING_LEAD_TIME_CACHE_SECONDS (medians move slowly; the
    time-in-stage page always computes them afresh). 0 turns the cache off."""
    seconds = settings.SOURCING_LEAD_TIME_CACHE_SECONDS
    if seconds <= 0:
        return stage_metrics()
    metrics = cache_get(LEAD_TIME_CACHE_KEY)
    if metrics is None:
        metrics = stage_metrics()
        cache_set(LEAD_TIME_CACHE_KEY, metrics, seconds)
    return metrics


class LeadTimes:
    """Median stage durations, with fallbacks: this route's median when it has enough samples,
    else every route's, else SOURCING_DEFAULT_STAGE_DAYS."""

    def __init__(self, metrics: list[StageMetric] | None = None):
        metrics = cached_stage_metrics() if metrics is None else metrics
        self._by_key = {(m.stage, m.route): m for m in metrics}

    def stage_days(self, stage: int, route: str | None = None) -> int:
        minimum = settings.SOURCING_MIN_SAMPLES
        for key in ((stage, route), (stage, None)):
            metric = self._by_key.get(key)
            if metric is not None and metric.samples >= minimum:
                return max(round(metric.median_days), 1)
        return settings.SOURCING_DEFAULT_STAGE_DAYS

    def total_days(self, route: str | None = None) -> int:
        """Days from need identified to the end of mobilisation: how early to start."""
        return sum(self.stage_days(stage, route) for stage in WORK_STAGES)


WORK_STAGES = [stage for stage in Stage.values if stage != Stage.COMPLETE]


def start_by(
    end_date: datetime.date | None, *, route: str | None = None, lead_times: LeadTimes | None = None
) -> datetime.date | None:
    """The last day to start a re-procurement that should be done by `end_date`, by the
    learned lead time (of `route`, or of every route)."""
    if end_date is None:
        return None
    return end_date - datetime.timedelta(days=(lead_times or LeadTimes()).total_days(route))


def metrics_grid() -> dict:
    """The metrics page: each work stage's metric per route (and all routes), and the total
    lead time per route."""
    all_metrics = stage_metrics()
    lead_times = LeadTimes(all_metrics)
    by_key = {(m.stage, m.route): m for m in all_metrics}
    routes = [(None, "All routes"), *Route.choices]
    rows = [
        {
            "stage": Stage(stage).label,
            "cells": [by_key.get((stage, route)) for route, _label in routes],
        }
        for stage in WORK_STAGES
    ]
    totals = [lead_times.total_days(route) for route, _label in routes]
    return {"routes": routes, "rows": rows, "totals": totals}


# --- RAG against the plan --------------------------------------------------------------------


def project_slip_days(project: SourcingProject, today: datetime.date | None = None) -> int:
    """Days behind plan: late entry into the current stage, or past its target exit."""
    today = today or timezone.localdate()
    late_exit = (today - project.stage_target_exit).days if project.stage_target_exit else 0
    return max(project.stage_entry_slip_days, late_exit, 0)


def project_rag(project: SourcingProject, today: datetime.date | None = None) -> str | None:
    """Green on plan, amber up to SOURCING_RAG_RED_DAYS behind, red beyond; None unless active."""
    if project.status != ProjectStatus.ACTIVE:
        return None
    slip = project_slip_days(project, today)
    if slip <= 0:
        return Rag.GREEN
    return Rag.AMBER if slip <= settings.SOURCING_RAG_RED_DAYS else Rag.RED


def rag_q(rag: str, today: datetime.date | None = None) -> Q:
    """The same arithmetic as project_rag, as a filter the database runs."""
    today = today or timezone.localdate()
    red_days = settings.SOURCING_RAG_RED_DAYS
    active = Q(status=ProjectStatus.ACTIVE)
    red = Q(stage_target_exit__lt=today - datetime.timedelta(days=red_days)) | Q(
        stage_entry_slip_days__gt=red_days
    )
    behind = Q(stage_target_exit__lt=today) | Q(stage_entry_slip_days__gt=0)
    if rag == Rag.RED:
        return active & red
    if rag == Rag.AMBER:
        return active & behind & ~red
    return active & ~behind


# --- Pages -----------------------------------------------------------------------------------


def board_columns(
    queryset: QuerySet, today: datetime.date | None = None, limit: int | None = None
) -> list[dict]:
    """One column per stage with its open projects, most urgent first: at most `limit` cards a
    column (SOURCING_BOARD_COLUMN_LIMIT) and the column's full count. Ten queries at any size."""
    limit = limit or settings.SOURCING_BOARD_COLUMN_LIMIT
    queryset = queryset.open()
    counts = dict(queryset.values_list("stage").annotate(n=Count("pk")).order_by())
    columns = []
    for stage in Stage.values:
        projects = list(
            queryset.filter(stage=stage)
            .select_related("category", "owner", "predecessor")
            .order_by(F("stage_target_exit").asc(nulls_last=True), "pk")[:limit]
        )
        for project in projects:
            project.rag = project_rag(project, today)
        columns.append(
            {
                "stage": stage,
                "label": Stage(stage).label,
                "projects": projects,
                "count": counts.get(stage, 0),
                "more": counts.get(stage, 0) - len(projects),
            }
        )
    return columns


def project_page(project: SourcingProject) -> SourcingProject:
    """Everything the project page shows, in a fixed number of queries: the related lists are
    prefetched onto the project already loaded (by sourcing.access, with its joins)."""
    prefetch_related_objects(
        [project],
        "authorities",
        "stages",
        Prefetch("history", queryset=ProjectHistory.objects.select_related("by")),
        Prefetch("lines", queryset=AwardLine.objects.select_related("vendor")),
    )
    return project


@dataclass(frozen=True)
class TimelineRow:
    stage: int
    label: str
    target_entry: datetime.date | None
    target_exit: datetime.date | None
    actual_entry: datetime.date | None
    actual_exit: datetime.date | None
    state: str  # done, current, future, skipped
    slip_days: int | None  # actual (or today) minus target exit


def project_timeline(project: SourcingProject, today: datetime.date | None = None):
    today = today or timezone.localdate()
    rows = []
    for row in project.stages.all():
        if row.stage == project.stage and project.is_open:
            state = "current"
        elif row.actual_exit or (row.stage == project.stage and row.actual_entry):
            state = "done"
        elif row.stage < project.stage:
            state = "skipped"
        else:
            state = "future"
        end = row.actual_exit or (today if state == "current" else None)
        slip = (end - row.target_exit).days if end and row.target_exit else None
        rows.append(
            TimelineRow(
                stage=row.stage,
                label=Stage(row.stage).label,
                target_entry=row.target_entry,
                target_exit=row.target_exit,
                actual_entry=row.actual_entry,
                actual_exit=row.actual_exit,
                state=state,
                slip_days=slip,
            )
        )
    return rows


# --- Renewal pipeline --------------------------------------------------------------------------


def renewal_pipeline(
    queryset: QuerySet | None = None,
    today: datetime.date | None = None,
    lead_times: LeadTimes | None = None,
) -> QuerySet:
    """Current contracts ending within SOURCING_RENEWAL_HORIZON_MONTHS with no decision for
    their current term, soonest first then largest; `lead_time_passed` is true when fewer days
    remain than the learned lead time of a re-procurement."""
    today = today or timezone.localdate()
    queryset = Contract.objects.all() if queryset is None else queryset
    horizon = add_months(today, settings.SOURCING_RENEWAL_HORIZON_MONTHS)
    lead_days = (lead_times or LeadTimes()).total_days()
    start_by = today + datetime.timedelta(days=lead_days)
    decided = RenewalDecision.objects.filter(contract=OuterRef("pk"), term_end=OuterRef("end_date"))
    open_options = (
        ExtensionOption.objects.filter(contract=OuterRef("pk"), exercised=False)
        .order_by()
        .values("contract")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        # current() spelled as a closed date range, so the end-date index bounds the scan.
        queryset.exclude(status__in=ENDED_STATUSES)
        .filter(end_date__gte=today, end_date__lte=horizon)
        .exclude(Exists(decided))
        .exclude(Exists(reprocurement_running()))
        .annotate(
            lead_time_passed=Case(
                When(end_date__lt=start_by, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            # A subquery, so only the rows shown are counted (no GROUP BY over every contract).
            options_left=Coalesce(Subquery(open_options), 0),
        )
        .select_related(
            "category__pillar", "contract_manager", "category__primary_contract_manager"
        )
        .order_by("end_date", F("awarded_value").desc(nulls_last=True), "reference")
    )


def contract_lineage(contract: Contract) -> dict:
    """Predecessor, successor, extensions taken and sourcing projects of a contract (4 queries)."""
    links = list(
        ContractSuccession.objects.filter(
            Q(predecessor=contract) | Q(successor=contract)
        ).select_related("predecessor", "successor")
    )
    predecessor = next((s.predecessor for s in links if s.successor_id == contract.pk), None)
    successor = next((s.successor for s in links if s.predecessor_id == contract.pk), None)
    decisions = list(
        RenewalDecision.objects.filter(contract=contract)
        .select_related("option", "approved_by", "project")
        .order_by("decided_at")
    )
    projects = list(
        SourcingProject.objects.filter(Q(predecessor=contract) | Q(contract=contract))
        .select_related("owner")
        .order_by("created_at")
    )
    handover = (
        Handover.objects.filter(contract=contract, accepted_at__isnull=False)
        .prefetch_related("items")
        .first()
    )
    return {
        "predecessor": predecessor,
        "successor": successor,
        "decisions": decisions,
        "extensions": [d for d in decisions if d.kind == DecisionKind.EXTEND],
        "current_decision": next(
            (d for d in decisions if contract.end_date and d.term_end == contract.end_date), None
        ),
        "projects": projects,
        # Started from the project form, with no decision recorded: still a re-procurement.
        "reprocurement": next(
            (p for p in projects if p.predecessor_id == contract.pk and p.is_open), None
        ),
        # A decision is pressing once the contract is on the renewal pipeline.
        "horizon_months": settings.SOURCING_RENEWAL_HORIZON_MONTHS,
        "decision_due": contract.end_date is not None
        and contract.end_date
        <= add_months(timezone.localdate(), settings.SOURCING_RENEWAL_HORIZON_MONTHS),
        "handover": handover,
    }


# --- Reports -----------------------------------------------------------------------------------


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def forward_plan(queryset: QuerySet, today: datetime.date | None = None) -> dict:
    """Value and count of current contracts expiring per quarter for the next
    SOURCING_FORWARD_PLAN_MONTHS, by pillar and category. One grouped query."""
    today = today or timezone.localdate()
    first = quarter_start(today)
    end = add_months(today, settings.SOURCING_FORWARD_PLAN_MONTHS)
    quarters = []
    cursor = first
    while cursor <= end:
        quarters.append(cursor)
        cursor = add_months(cursor, 3)
    rows = (
        queryset.exclude(status__in=ENDED_STATUSES)
        .filter(end_date__gte=today, end_date__lte=end)
        .values("category__pillar__name", "category__code", "category__name")
        .annotate(
            year=ExtractYear("end_date"),
            quarter=ExtractQuarter("end_date"),
            # Awarded value, else the estimate (as the value reminder and KPI lists read it).
            value=Sum(Coalesce("awarded_value", "estimated_value")),
            count=Count("pk"),
        )
        .order_by("category__pillar__name", "category__code", "year", "quarter")
    )
    index = {q: i for i, q in enumerate(quarters)}
    totals = [{"value": Decimal(0), "count": 0} for _ in quarters]
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for row in rows:
        quarter = datetime.date(row["year"], 3 * (row["quarter"] - 1) + 1, 1)
        if quarter not in index:
            continue
        key = (row["category__pillar__name"], row["category__code"], row["category__name"])
        cells = groups.setdefault(key, [{"value": Decimal(0), "count": 0} for _ in quarters])
        cell = cells[index[quarter]]
        cell["value"] += row["value"] or 0
        cell["count"] += row["count"]
        totals[index[quarter]]["value"] += row["value"] or 0
        totals[index[quarter]]["count"] += row["count"]
    labels = [f"{q.year} Q{(q.month - 1) // 3 + 1}" for q in quarters]
    by_pillar: dict[str, list[int | float]] = defaultdict(lambda: [0.0] * len(quarters))
    for (pillar, _code, _name), cells in groups.items():
        for i, cell in enumerate(cells):
            by_pillar[pillar][i] += float(cell["value"])
    return {
        "labels": labels,
        "rows": [
            {"pillar": key[0], "code": key[1], "category": key[2], "cells": cells}
            for key, cells in groups.items()
        ],
        "totals": totals,
        "chart": {
            "labels": labels,
            "datasets": [{"label": p, "data": v} for p, v in sorted(by_pillar.items())],
            "counts": [t["count"] for t in totals],
        },
    }


def pipeline_notice(today: datetime.date | None = None) -> QuerySet:
    """Open projects of at least SOURCING_PIPELINE_NOTICE_THRESHOLD whose tender is expected
    (target entry of 'tender published') within SOURCING_PIPELINE_NOTICE_MONTHS and not yet out.
    A project whose planned tender date has passed is late, not dropped: it still goes to
    market, so it stays (first, by its planned date)."""
    today = today or timezone.localdate()
    until = add_months(today, settings.SOURCING_PIPELINE_NOTICE_MONTHS)
    return (
        SourcingProject.objects.open()
        .filter(
            estimated_value__gte=settings.SOURCING_PIPELINE_NOTICE_THRESHOLD,
            stage__lt=Stage.TENDER_PUBLISHED,
        )
        .annotate(
            tender=FilteredRelation("stages", condition=Q(stages__stage=Stage.TENDER_PUBLISHED)),
            mobilise=FilteredRelation("stages", condition=Q(stages__stage=Stage.MOBILISATION)),
            tender_expected=F("tender__target_entry"),
            contract_start_expected=F("mobilise__target_exit"),
        )
        .filter(tender_expected__lte=until)
        .order_by("tender_expected", "pk")
    )


NOTICE_FIELDS = (
    "pk",
    "title",
    "category__code",
    "category__pillar__name",
    "route",
    "estimated_value",
    "tender_expected",
    "contract_start_expected",
    "predecessor__reference",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


def pipeline_notice_rows(today: datetime.date | None = None) -> list[dict]:
    """The pipeline notice as plain rows (two queries, no model instances): the export reads
    thousands of them at hub scale."""
    today = today or timezone.localdate()
    rows = list(pipeline_notice(today).values(*NOTICE_FIELDS))
    through = SourcingProject.authorities.through
    names: dict[int, list[str]] = defaultdict(list)
    for project_id, name in (
        through.objects.filter(sourcingproject_id__in=[row["pk"] for row in rows])
        .order_by("authority__name")
        .values_list("sourcingproject_id", "authority__name")
    ):
        names[project_id].append(name)
    routes = dict(Route.choices)
    for row in rows:
        row["authorities"] = "; ".join(names.get(row["pk"], []))
        row["route_label"] = str(routes.get(row["route"], row["route"]))
        row["tender_late"] = row["tender_expected"] < today
        owner = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
        row["owner"] = owner or row["owner__username"]
    return rows


def savings_report() -> dict:
    """Savings of awarded projects by year, pillar and category (one grouped query)."""
    rows = list(
        SourcingProject.objects.filter(awarded_on__isnull=False)
        .exclude(status=ProjectStatus.CANCELLED)
        .values("category__pillar__name", "category__code", "category__name")
        .annotate(
            year=ExtractYear("awarded_on"),
            baseline=Sum("baseline_cost"),
            awarded=Sum("awarded_cost"),
            cashable=Sum("cashable_savings"),
            non_cashable=Sum("non_cashable_savings"),
            projects=Count("pk"),
        )
        .order_by("-year", "category__pillar__name", "category__code")
    )
    by_year: dict[int, dict] = {}
    by_pillar: dict[tuple[int, str], dict] = {}
    for row in rows:
        for bucket in (
            by_year.setdefault(row["year"], _zero_savings()),
            by_pillar.setdefault((row["year"], row["category__pillar__name"]), _zero_savings()),
        ):
            for key in ("baseline", "awarded", "cashable", "non_cashable", "projects"):
                bucket[key] += row[key] or 0
    return {
        "rows": rows,
        "years": sorted(by_year.items(), reverse=True),
        "pillars": [
            {"year": year, "pillar": pillar, **totals}
            for (year, pillar), totals in sorted(
                by_pillar.items(), key=lambda i: (-i[0][0], i[0][1])
            )
        ],
    }


def _zero_savings() -> dict:
    return {
        "baseline": Decimal(0),
        "awarded": Decimal(0),
        "cashable": Decimal(0),
        "non_cashable": Decimal(0),
        "projects": 0,
    }


def workload(today: datetime.date | None = None) -> list[dict]:
    """Per sourcing manager: open projects by stage, and how many are behind plan."""
    today = today or timezone.localdate()
    behind = rag_q(Rag.AMBER, today) | rag_q(Rag.RED, today)
    rows = (
        SourcingProject.objects.open()
        .values("owner", "owner__first_name", "owner__last_name", "owner__username", "stage")
        .annotate(n=Count("pk"), behind=Count("pk", filter=behind))
        .order_by("owner__first_name", "owner__last_name", "owner")
    )
    people: dict[int, dict] = {}
    for row in rows:
        name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
        person = people.setdefault(
            row["owner"],
            {
                "owner_id": row["owner"],
                "name": name or row["owner__username"],
                "stages": [0] * len(Stage.values),
                "total": 0,
                "behind": 0,
            },
        )
        person["stages"][row["stage"] - 1] += row["n"]
        person["total"] += row["n"]
        person["behind"] += row["behind"]
    return list(people.values())
