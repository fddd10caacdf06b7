"""Sourcing demo data: a believable pipeline.

- past projects (complete) whose stage actuals give the time-in-stage medians real data, each
  route with its own pace, with awards and savings over the last three years;
- re-procurements of contracts expiring soon, with the decision that started them;
- new projects in every stage, some late against plan, a few on hold or cancelled;
- projects past award linked to contracts in procurement, with handover packs part-accepted.

Reads staff, categories and contracts made by `contracts.demo`; writes with bulk_create.
"""

import datetime
import itertools
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from categories.models import Category, Role, StaffProfile
from contracts.models import Contract, ContractAward, ContractStatus
from sourcing.models import (
    AwardLine,
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
from sourcing.selectors import WORK_STAGES, add_months

# Typical days per stage (need … mobilisation) for each route; the demo draws around these.
PACE = {
    Route.OPEN: (30, 45, 21, 40, 35, 20, 25, 45),
    Route.RESTRICTED: (30, 50, 25, 60, 40, 20, 25, 45),
    Route.COMPETITIVE_FLEXIBLE: (35, 60, 30, 75, 50, 25, 30, 50),
    Route.FRAMEWORK_CALL_OFF: (15, 10, 10, 20, 15, 10, 10, 30),
    Route.DIRECT_AWARD: (10, 5, 10, 5, 7, 12, 7, 25),
}
ROUTE_WEIGHTS = {
    Route.OPEN: 35,
    Route.RESTRICTED: 15,
    Route.COMPETITIVE_FLEXIBLE: 10,
    Route.FRAMEWORK_CALL_OFF: 35,
    Route.DIRECT_AWARD: 5,
}
HOLD_REASONS = [
    "Budget review by the authority's finance committee.",
    "Waiting for the service redesign to be signed off.",
    "Legal advice on the procurement route pending.",
]
CANCEL_REASONS = ["The need moved in-house.", "Merged into a regional framework."]
HANDOVER_TEXT = {
    HandoverItemKind.KPIS: "On-time delivery | 95 | %\nInvoice accuracy | 98 | %",
    HandoverItemKind.USER_GUIDE: (
        "Who may use: All partner authorities\nHow to buy: Call off through the e-tendering "
        "portal with the order form\nPricing basis: Fixed rates for year one, indexed after"
    ),
    HandoverItemKind.RISKS: "Supplier capacity at go-live: phased start and weekly calls.",
    HandoverItemKind.MOBILISATION: "Kick-off in week one; TUPE list confirmed; data migration.",
    HandoverItemKind.CONTACTS: "Alex Morgan | Account manager | account@vendor.example.com",
    HandoverItemKind.DOCUMENTS: "Signed contract | https://docs.example.gov.uk/contract.pdf",
}


def _route(rng) -> str:
    return rng.choices(list(ROUTE_WEIGHTS), weights=list(ROUTE_WEIGHTS.values()))[0]


def _days(rng, route, stage) -> int:
    typical = PACE[route][stage - 1]
    return max(1, round(rng.gauss(typical, typical * 0.3)))


class _Seeder:
    def __init__(self, ctx):
        self.ctx, self.rng, self.today = ctx, ctx.rng, ctx.today
        self.now = timezone.now()
        profiles = StaffProfile.objects.select_related("user").order_by("user_id")
        self.owners = [p.user for p in profiles if p.role == Role.SOURCING_MANAGER]
        self.owners += [p.user for p in profiles if p.role == Role.HEAD_OF_CATEGORY][:1]
        self.heads = [p.user for p in profiles if p.role == Role.HEAD_OF_CATEGORY] or self.owners
        self.categories = list(Category.objects.order_by("pk"))
        self.projects: list[SourcingProject] = []
        self.history: list[ProjectHistory] = []
        self.plans: dict[int, list] = {}

    # --- building blocks ---

    def project(self, *, title, category_id, route, value, **extra):
        project = SourcingProject(
            title=title[:300],
            category_id=category_id,
            route=route,
            estimated_value=value,
            owner=self.rng.choice(self.owners),
            **extra,
        )
        self.projects.append(project)
        return project

    def plan(self, project, start: datetime.date, stage: int, slip_days: int = 0, finished=False):
        """Targets laid from `start` by the route's pace; actuals up to `stage`, late by
        `slip_days` spread over the finished stages."""
        rng, route = self.rng, project.route
        rows, cursor_t, cursor_a = [], start, start
        per_stage_slip = slip_days / max(stage - 1, 1)
        for s in Stage.values:
            if s == Stage.COMPLETE:
                row = ProjectStage(stage=s, target_entry=cursor_t, target_exit=cursor_t)
                if finished:
                    row.actual_entry = row.actual_exit = cursor_a
                rows.append(row)
                continue
            target_days = PACE[route][s - 1]
            row = ProjectStage(
                stage=s,
                target_entry=cursor_t,
                target_exit=cursor_t + datetime.timedelta(target_days),
            )
            if s < stage or finished:
                actual = _days(rng, route, s) + round(per_stage_slip)
                row.actual_entry, row.actual_exit = cursor_a, cursor_a + datetime.timedelta(actual)
                cursor_a = row.actual_exit
                if finished and cursor_a > self.today:  # a past project ends by today
                    row.actual_exit = cursor_a = max(self.today, row.actual_entry)
            elif s == stage:
                row.actual_entry = cursor_a
            cursor_t = row.target_exit
            rows.append(row)
        _no_actuals_after(rows, self.today)
        self.plans[id(project)] = rows
        return rows

    def history_for(self, project, rows):
        history = [(HistoryKind.CREATED, None, Stage.NEED_IDENTIFIED, rows[0].actual_entry)]
        for prev, row in itertools.pairwise(rows):
            if row.actual_entry and prev.actual_exit:
                history.append((HistoryKind.MOVED, prev.stage, row.stage, row.actual_entry))
        return history

    def save(self):
        SourcingProject.objects.bulk_create(self.projects, batch_size=1000)
        stages, history = [], []
        for project in self.projects:
            rows = self.plans[id(project)]
            for row in rows:
                row.project = project
            stages += rows
            for kind, from_stage, to_stage, day in self.history_for(project, rows):
                at = datetime.datetime.combine(
                    day or self.today, datetime.time(10), tzinfo=datetime.UTC
                )
                history.append(
                    ProjectHistory(
                        project=project,
                        kind=kind,
                        from_stage=from_stage,
                        to_stage=to_stage,
                        by=project.owner,
                        at=at,
                    )
                )
            if project.status in (ProjectStatus.ON_HOLD, ProjectStatus.CANCELLED):
                kind = (
                    HistoryKind.HELD
                    if project.status == ProjectStatus.ON_HOLD
                    else HistoryKind.CANCELLED
                )
                history.append(
                    ProjectHistory(
                        project=project,
                        kind=kind,
                        note=project.status_reason,
                        by=project.owner,
                        at=self.now,
                    )
                )
            current = next((r for r in rows if r.stage == project.stage), None)
            project.stage_target_exit = current.target_exit if current else None
            if current and current.actual_entry and current.target_entry:
                project.stage_entry_slip_days = max(
                    (current.actual_entry - current.target_entry).days, 0
                )
        ProjectStage.objects.bulk_create(stages, batch_size=2000)
        ProjectHistory.objects.bulk_create(history, batch_size=2000)
        SourcingProject.objects.bulk_update(
            self.projects, ["stage_target_exit", "stage_entry_slip_days"], batch_size=1000
        )


def _savings(rng, baseline: Decimal) -> dict:
    awarded = (baseline * Decimal(str(round(rng.uniform(0.82, 1.03), 3)))).quantize(Decimal(1))
    share = rng.choice((100, 100, 70, 50, 0))
    total = baseline - awarded
    cashable = total if total <= 0 else (total * share / 100).quantize(Decimal("0.01"))
    non_cashable = Decimal(0) if total <= 0 else total - cashable
    return {
        "baseline_cost": baseline,
        "awarded_cost": awarded,
        "cashable_percent": share,
        "cashable_savings": cashable,
        "non_cashable_savings": non_cashable,
    }


def seed(ctx) -> None:
    started = timezone.now()
    s = _Seeder(ctx)
    if not s.owners or not s.categories:
        ctx.log("  sourcing: no sourcing managers or categories; nothing to seed.")
        return
    rng, today = s.rng, s.today
    contracts = list(
        Contract.objects.filter(status=ContractStatus.ACTIVE)
        .exclude(end_date__isnull=True)
        .order_by("pk")
        .values(
            "pk", "reference", "title", "category_id", "awarded_value", "start_date", "end_date"
        )
    )
    size = max(len(contracts), 40)

    # 1. Past projects: complete, awarded 0–3 years ago, from which lead times are learned.
    awarded_recently = [
        c for c in contracts if c["start_date"] and c["start_date"] > add_months(today, -36)
    ]
    past = []
    for c in awarded_recently[: max(30, size // 6)]:
        route = _route(rng)
        value = c["awarded_value"] or Decimal(rng.randrange(50, 5000) * 1000)
        project = s.project(
            title=c["title"],
            category_id=c["category_id"],
            route=route,
            value=value,
            stage=Stage.COMPLETE,
            status=ProjectStatus.COMPLETE,
            contract_id=c["pk"],
            awarded_on=c["start_date"] - datetime.timedelta(days=45),
            **_savings(rng, (value * Decimal("1.08")).quantize(Decimal(1))),
        )
        total = sum(PACE[route])
        s.plan(
            project, c["start_date"] - datetime.timedelta(days=total), Stage.COMPLETE, finished=True
        )
        past.append(project)

    # 2. Re-procurements of contracts expiring within 18 months (most of them decided already).
    horizon = add_months(today, 18)
    expiring = [c for c in contracts if today <= c["end_date"] <= horizon]
    rng.shuffle(expiring)
    reprocured = expiring[: len(expiring) // 3]
    decisions = []
    for c in reprocured:
        route = _route(rng)
        lead = sum(PACE[route])
        start = c["end_date"] - datetime.timedelta(days=lead)
        elapsed = (today - start).days
        stage, cursor = Stage.NEED_IDENTIFIED, 0
        for st in WORK_STAGES:
            cursor += PACE[route][st - 1]
            if cursor > elapsed:
                stage = st
                break
        else:  # started late: somewhere mid-tender
            stage = rng.choice((Stage.TENDER_PUBLISHED, Stage.EVALUATION, Stage.AWARD_DECISION))
        stage = min(stage, Stage.AWARD_DECISION)
        late = rng.random() < 0.25
        project = s.project(
            title=f"Re-procurement of {c['reference']} {c['title']}",
            category_id=c["category_id"],
            route=route,
            value=c["awarded_value"],
            predecessor_id=c["pk"],
            stage=stage,
        )
        s.plan(project, min(start, today), stage, slip_days=rng.randint(20, 70) if late else 0)
        decisions.append((c, project))

    # 3. New projects in every stage, some late, a few on hold or cancelled.
    for i in range(max(18, size // 12)):
        category = s.categories[i % len(s.categories)]
        route = _route(rng)
        stage = 1 + i % 6
        status, reason = ProjectStatus.ACTIVE, ""
        if i % 13 == 5:
            status, reason = ProjectStatus.ON_HOLD, rng.choice(HOLD_REASONS)
        elif i % 29 == 7:
            status, reason = ProjectStatus.CANCELLED, rng.choice(CANCEL_REASONS)
        value = Decimal(rng.choice((80, 250, 600, 1200, 2500, 4000, 9000)) * 1000)
        project = s.project(
            title=f"{category.name}: new {rng.choice(['framework', 'service', 'supply'])} {i + 1}",
            category_id=category.pk,
            route=route,
            value=value,
            stage=stage,
            status=status,
            status_reason=reason,
        )
        elapsed = sum(PACE[route][: stage - 1]) + rng.randint(0, PACE[route][stage - 1])
        slip = rng.randint(5, 60) if rng.random() < 0.3 else 0
        s.plan(project, today - datetime.timedelta(days=elapsed + slip), stage, slip_days=slip)

    # 4. Past award: contracts in procurement, signed or mobilising, handover in progress.
    in_procurement = list(
        Contract.objects.filter(status=ContractStatus.IN_PROCUREMENT)
        .exclude(Q(start_date__isnull=True) | Q(end_date__isnull=True))
        .order_by("pk")
        .values("pk", "title", "category_id", "estimated_value", "awarded_value")[:12]
    )
    mobilising = []
    for n, c in enumerate(in_procurement):
        route = _route(rng)
        stage = Stage.CONTRACT_SIGNED if n % 2 else Stage.MOBILISATION
        value = c["awarded_value"] or c["estimated_value"] or Decimal(500000)
        project = s.project(
            title=c["title"],
            category_id=c["category_id"],
            route=route,
            value=value,
            stage=stage,
            contract_id=c["pk"],
            awarded_on=today - datetime.timedelta(days=rng.randint(10, 40)),
            **_savings(rng, (value * Decimal("1.06")).quantize(Decimal(1))),
        )
        s.plan(project, today - datetime.timedelta(days=sum(PACE[route][: stage - 1]) + 5), stage)
        mobilising.append(project)

    s.save()

    approvers = s.heads
    RenewalDecision.objects.bulk_create(
        [
            RenewalDecision(
                contract_id=c["pk"],
                kind=DecisionKind.REPROCURE,
                term_end=c["end_date"],
                project=project,
                rationale="The market has moved; re-tender for better value.",
                approved_by=rng.choice(approvers),
                decided_by=project.owner,
                decided_at=s.now,
            )
            for c, project in decisions
        ]
        + [
            RenewalDecision(
                contract_id=c["pk"],
                kind=DecisionKind.EXPIRE,
                term_end=c["end_date"],
                rationale="Need ends with the programme.",
                approved_by=rng.choice(approvers),
                decided_by=rng.choice(approvers),
                decided_at=s.now,
            )
            for c in expiring[len(expiring) // 3 : len(expiring) // 3 + max(1, len(expiring) // 15)]
        ],
        batch_size=1000,
    )

    awards = ContractAward.objects.filter(
        contract_id__in=[p.contract_id for p in past + mobilising]
    ).values("contract_id", "vendor_id", "lot", "value", "awarded_on")
    by_contract: dict[int, list] = {}
    for award in awards:
        by_contract.setdefault(award["contract_id"], []).append(award)
    lines = []
    for project in past + mobilising:
        seen = set()
        for award in by_contract.get(project.contract_id, []):
            key = (award["vendor_id"], award["lot"])
            if key in seen:
                continue
            seen.add(key)
            lines.append(
                AwardLine(
                    project=project,
                    vendor_id=award["vendor_id"],
                    lot=award["lot"],
                    value=award["value"],
                    awarded_on=award["awarded_on"] or project.awarded_on,
                )
            )
    AwardLine.objects.bulk_create(lines, batch_size=2000)

    handovers = Handover.objects.bulk_create(
        [Handover(project=p, contract_id=p.contract_id) for p in mobilising]
        + [
            Handover(
                project=p,
                contract_id=p.contract_id,
                accepted_at=s.now,
                accepted_by=rng.choice(approvers),
            )
            for p in past
        ]
    )
    items = []
    for handover in handovers:
        accepted_all = handover.accepted_at is not None
        mobilising_now = handover.project.stage == Stage.MOBILISATION
        for k, kind in enumerate(HandoverItemKind.values):
            accepted = accepted_all or (mobilising_now and k < 3)
            items.append(
                HandoverItem(
                    handover=handover,
                    kind=kind,
                    content=HANDOVER_TEXT[kind] if accepted_all or mobilising_now or k < 2 else "",
                    accepted_at=s.now if accepted else None,
                    accepted_by=(handover.accepted_by or approvers[k % len(approvers)])
                    if accepted
                    else None,
                )
            )
    HandoverItem.objects.bulk_create(items, batch_size=2000)
    seconds = (timezone.now() - started).total_seconds()
    ctx.log(
        f"  sourcing: {len(s.projects)} projects ({len(past)} complete, {len(decisions)} "
        f"re-procurements, {len(mobilising)} past award) in {seconds:.1f}s"
    )


def _no_actuals_after(rows: list[ProjectStage], today: datetime.date) -> None:
    """Shift a project back in time, plan and actuals alike, so that no actual date is after
    today: a stage entered in the future made its next move fail (its exit, today, would
    precede its entry). Each stage keeps its length and its slip against the plan (which the
    RAG and the slip figures read)."""
    actuals = [d for row in rows for d in (row.actual_entry, row.actual_exit) if d]
    late = max(actuals, default=today) - today
    if late.days <= 0:
        return
    for row in rows:
        for name in ("actual_entry", "actual_exit", "target_entry", "target_exit"):
            if value := getattr(row, name):
                setattr(row, name, value - late)
