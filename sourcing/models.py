"""Sourcing projects and their stages, renewal decisions on contracts, awards and handovers."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from categories.models import Authority, Category
from contracts.models import Contract, ExtensionOption
from vendors.models import Vendor


class Route(models.TextChoices):
    OPEN = "open", _("Open procedure")
    RESTRICTED = "restricted", _("Restricted procedure")
    COMPETITIVE_FLEXIBLE = "competitive_flexible", _("Competitive flexible")
    FRAMEWORK_CALL_OFF = "framework_call_off", _("Framework call-off")
    DIRECT_AWARD = "direct_award", _("Direct award")


class Stage(models.IntegerChoices):
    NEED_IDENTIFIED = 1, _("Need identified")
    MARKET_ENGAGEMENT = 2, _("Market engagement")
    STRATEGY_APPROVED = 3, _("Strategy approved")
    TENDER_PUBLISHED = 4, _("Tender published")
    EVALUATION = 5, _("Evaluation")
    AWARD_DECISION = 6, _("Award decision / standstill")
    CONTRACT_SIGNED = 7, _("Contract signed")
    MOBILISATION = 8, _("Mobilisation and handover")
    COMPLETE = 9, _("Complete")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETE = "complete", _("Complete")


class Rag(models.TextChoices):
    GREEN = "green", _("On plan")
    AMBER = "amber", _("Behind plan")
    RED = "red", _("Seriously behind plan")


class SourcingProjectQuerySet(models.QuerySet):
    def open(self):
        """Projects still being worked: active or on hold."""
        return self.filter(status__in=[ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD])


class SourcingProject(models.Model):
    """A new contract being sourced, or the re-procurement of an existing one (`predecessor`)."""

    title = models.CharField(max_length=300)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="projects")
    authorities = models.ManyToManyField(Authority, blank=True, related_name="projects")
    estimated_value = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    route = models.CharField(max_length=24, choices=Route.choices, default=Route.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sourcing_projects",
        help_text=_("The sourcing manager running the project."),
    )
    predecessor = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reprocurements",
        help_text=_("The contract this project re-procures."),
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sourced_by",
        help_text=_("The contract created or renewed at award."),
    )
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.NEED_IDENTIFIED)
    status = models.CharField(
        max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    status_reason = models.TextField(blank=True, help_text=_("Why the project is held/cancelled."))
    # Kept by sourcing.services on every move and plan change, so RAG filters run in the DB.
    stage_target_exit = models.DateField(null=True, blank=True, editable=False)
    stage_entry_slip_days = models.IntegerField(default=0, editable=False)
    # Award and savings (sourcing.services.project_award).
    awarded_on = models.DateField(null=True, blank=True)
    baseline_cost = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    awarded_cost = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    cashable_percent = models.PositiveSmallIntegerField(
        default=100,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of the saving that reduces budgets (the rest is cost avoidance)."),
    )
    cashable_savings = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, editable=False
    )
    non_cashable_savings = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SourcingProjectQuerySet.as_manager()

    class Meta:
        ordering = ["stage_target_exit", "pk"]
        indexes = [
            # Board: each column's open projects, most urgent first (LIMIT per column).
            models.Index(
                fields=["stage", "stage_target_exit", "id"],
                condition=Q(status__in=["active", "on_hold"]),
                name="project_board_open_idx",
            ),
            # List default sort (stage due date, missing last) and status filter.
            models.Index(fields=["stage_target_exit", "id"], name="project_due_idx"),
            models.Index(fields=["status", "stage"], name="project_status_stage_idx"),
            # "My projects" and the workload report.
            models.Index(fields=["owner", "status"], name="project_owner_idx"),
            # Category/pillar filters.
            models.Index(fields=["category", "status"], name="project_category_idx"),
            # Savings report by award year.
            models.Index(fields=["awarded_on"], name="project_awarded_idx"),
            # Sortable list columns.
            models.Index(fields=["estimated_value"], name="project_value_idx"),
            models.Index(fields=["title"], name="project_title_idx"),
            # Stage and route filters and sorts, in the list's default order.
            models.Index(fields=["stage", "stage_target_exit", "id"], name="project_stage_due_idx"),
            models.Index(fields=["route", "stage_target_exit", "id"], name="project_route_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
                name="project_value_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(stage__gte=1) & Q(stage__lte=9), name="project_stage_in_range"
            ),
            models.CheckConstraint(
                condition=Q(cashable_percent__lte=100), name="project_cashable_percent_max_100"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "complete"]) | ~Q(status_reason=""),
                name="project_hold_or_cancel_has_reason",
                violation_error_message=_("Say why the project is on hold or cancelled."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sourcing:project", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)

    @property
    def total_savings(self):
        if self.baseline_cost is None or self.awarded_cost is None:
            return None
        return self.baseline_cost - self.awarded_cost


class ProjectStage(models.Model):
    """The plan and the actuals of one stage of a project."""

    project = models.ForeignKey(SourcingProject, on_delete=models.CASCADE, related_name="stages")
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    target_entry = models.DateField(null=True, blank=True)
    target_exit = models.DateField(null=True, blank=True)
    actual_entry = models.DateField(null=True, blank=True)
    actual_exit = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["project", "stage"]
        indexes = [
            # Time-in-stage metrics: finished stages, grouped by stage.
            models.Index(
                fields=["stage"],
                condition=Q(actual_entry__isnull=False, actual_exit__isnull=False),
                name="stage_finished_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "stage"], name="project_stage_once"),
            models.CheckConstraint(
                condition=Q(target_entry__isnull=True)
                | Q(target_exit__isnull=True)
                | Q(target_exit__gte=F("target_entry")),
                name="stage_target_exit_after_entry",
                violation_error_message=_("A stage's target exit must not precede its entry."),
            ),
            models.CheckConstraint(
                condition=Q(actual_entry__isnull=True)
                | Q(actual_exit__isnull=True)
                | Q(actual_exit__gte=F("actual_entry")),
                name="stage_actual_exit_after_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_stage_display()}"

    @property
    def days_in_stage(self) -> int | None:
        if self.actual_entry is None or self.actual_exit is None:
            return None
        return (self.actual_exit - self.actual_entry).days


class HistoryKind(models.TextChoices):
    CREATED = "created", _("Created")
    MOVED = "moved", _("Stage moved")
    HELD = "held", _("Put on hold")
    RESUMED = "resumed", _("Resumed")
    CANCELLED = "cancelled", _("Cancelled")
    PLAN = "plan", _("Plan changed")
    AWARDED = "awarded", _("Awarded")
    HANDOVER = "handover", _("Handover accepted")


class ProjectHistory(models.Model):
    """What happened to a project, when, and who did it (stage moves, holds, award, handover)."""

    project = models.ForeignKey(SourcingProject, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=12, choices=HistoryKind.choices)
    from_stage = models.PositiveSmallIntegerField(choices=Stage.choices, null=True, blank=True)
    to_stage = models.PositiveSmallIntegerField(choices=Stage.choices, null=True, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "project history"
        indexes = [
            # The project page's history, newest first.
            models.Index(fields=["project", "-at"], name="history_project_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_kind_display()}"


class AwardLine(models.Model):
    """One awarded vendor (per lot) recorded at award; copied to the contract's awards."""

    project = models.ForeignKey(SourcingProject, on_delete=models.CASCADE, related_name="lines")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=60, blank=True)
    value = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    awarded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["lot", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "vendor", "lot"], name="award_line_vendor_once_per_lot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.vendor} {self.lot}".strip()


class DecisionKind(models.TextChoices):
    EXTEND = "extend", _("Extend (exercise an option)")
    REPROCURE = "reprocure", _("Re-procure")
    EXPIRE = "expire", _("Let expire")


class RenewalDecision(models.Model):
    """The decision on how a contract's current term ends. One per term (`term_end`)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="renewal_decisions"
    )
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    term_end = models.DateField(help_text=_("The contract's end date the decision was about."))
    option = models.OneToOneField(
        ExtensionOption,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decision",
    )
    new_end_date = models.DateField(null=True, blank=True)
    project = models.OneToOneField(
        SourcingProject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decision",
    )
    rationale = models.TextField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [
            # The admin's list, newest first, and its kind filter.
            models.Index(fields=["-decided_at"], name="decision_decided_idx"),
            models.Index(fields=["kind", "-decided_at"], name="decision_kind_idx"),
        ]
        constraints = [
            # Two deciders can never both settle the same term (nor take one option twice).
            models.UniqueConstraint(fields=["contract", "term_end"], name="decision_once_per_term"),
            models.CheckConstraint(
                condition=~Q(kind="extend")
                | (Q(option__isnull=False) & Q(new_end_date__isnull=False)),
                name="decision_extend_has_option",
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="decision_has_rationale"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference}: {self.get_kind_display()}"


class ContractSuccession(models.Model):
    """Lineage: `predecessor` was superseded by `successor` when a handover was accepted."""

    predecessor = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="+")
    successor = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(SourcingProject, on_delete=models.SET_NULL, null=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor.reference} → {self.successor.reference}"


class HandoverItemKind(models.TextChoices):
    KPIS = "kpis", _("KPIs proposed")
    USER_GUIDE = "user_guide", _("User guide drafted")
    RISKS = "risks", _("Risks and mitigations")
    MOBILISATION = "mobilisation", _("Mobilisation notes")
    CONTACTS = "contacts", _("Key contacts at the vendor")
    DOCUMENTS = "documents", _("Documents")


class Handover(models.Model):
    """The pack sourcing hands to contract management, accepted item by item."""

    project = models.OneToOneField(
        SourcingProject, on_delete=models.CASCADE, related_name="handover"
    )
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="handovers")
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Handover of {self.contract.reference}"

    def get_absolute_url(self) -> str:
        return reverse("sourcing:handover", args=[self.project_id])


class HandoverItem(models.Model):
    """One item of the pack. `content` is free text; for KPIs and documents one entry a line
    (KPI: `name | target`; document: `title | https://link`)."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=14, choices=HandoverItemKind.choices)
    content = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["handover", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "kind"], name="handover_item_once"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
