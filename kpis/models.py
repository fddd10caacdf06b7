"""KPI library, contract KPIs, review schedules, and reviews with results, actions, evidence."""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from categories.models import Category
from contracts.models import Contract
from vendors.models import Vendor


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    ANNUAL = "annual", _("Annual")


# Months in one review period, per frequency.
FREQUENCY_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.ANNUAL: 12,
}


class Rating(models.TextChoices):
    """The Procurement Act 2023 performance scale (contract performance notices)."""

    GOOD = "good", _("Good")
    APPROACHING = "approaching", _("Approaching target")
    REQUIRES_IMPROVEMENT = "requires_improvement", _("Requires improvement")
    INADEQUATE = "inadequate", _("Inadequate")
    OTHER = "other", _("Other")


# Numeric score of a rating, for weighted averages and trends; "Other" has none.
RATING_SCORE = {
    Rating.GOOD: 4,
    Rating.APPROACHING: 3,
    Rating.REQUIRES_IMPROVEMENT: 2,
    Rating.INADEQUATE: 1,
    Rating.OTHER: None,
}
POOR_RATINGS = (Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE)


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SIGNED_OFF = "signed_off", _("Signed off")
    AMENDED = "amended", _("Amended (superseded by a correction)")


# A review in one of these states is the record of its period; drafts and superseded ones are not.
CURRENT_STATES = (ReviewState.SUBMITTED, ReviewState.SIGNED_OFF)


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


def _direction_constraint(prefix: str) -> models.CheckConstraint:
    """The 'approaching' threshold sits on the worse side of the target."""
    return models.CheckConstraint(
        condition=Q(approaching__isnull=True)
        | Q(higher_is_better=True, approaching__lte=F("target"))
        | Q(higher_is_better=False, approaching__gte=F("target")),
        name=f"{prefix}_approaching_on_worse_side",
        violation_error_message=_(
            "The 'approaching' threshold must be below the target when higher is better, "
            "and above it when lower is better."
        ),
    )


class KpiFields(models.Model):
    """What a KPI template and a contract KPI share."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=40, blank=True, help_text=_("e.g. %, days, count."))
    target = models.DecimalField(max_digits=14, decimal_places=4)
    approaching = models.DecimalField(
        "approaching threshold",
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Values between this and the target rate 'Approaching target'."),
    )
    higher_is_better = models.BooleanField(default=True)
    weight = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    data_source = models.CharField(max_length=200, blank=True)
    is_key = models.BooleanField(
        "key KPI", default=False, help_text=_("One of the three most material KPIs, published.")
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name


class KpiTemplate(KpiFields):
    """A category's library KPI, copied onto contracts and tuned there."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="kpi_templates")

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="kpitemplate_name_unique"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="kpitemplate_weight_positive"),
            _direction_constraint("kpitemplate"),
        ]


class ContractKpi(KpiFields):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="kpis")
    template = models.ForeignKey(
        KpiTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "-is_key", "name"]
        verbose_name = "contract KPI"
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="contractkpi_name_unique"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="contractkpi_weight_positive"),
            _direction_constraint("contractkpi"),
        ]
        # The contract FK index serves "this contract's KPIs"; the key-KPI export filters is_key.
        indexes = [
            models.Index(fields=["contract"], condition=Q(is_key=True), name="contractkpi_key_idx"),
        ]


class ReviewSchedule(models.Model):
    """How often a contract is reviewed, and (kept by kpis.services) where it stands.

    `next_due`, `last_period_end`, `latest_rating` and `previous_rating` are denormalised from
    the contract's current reviews so the dashboards and reminders read one row per contract.
    """

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="review_schedule"
    )
    # Copied from the contract by kpis.services (schedule_refresh) so the dashboard's category
    # and pillar filters read the schedules first.
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, editable=False, related_name="+"
    )
    # The last day the contract runs (its end date; far past once ended, far future with no end),
    # copied like the category so the dashboard never walks the contracts table. Kept by
    # schedule_refresh and by schedules_sync_contracts (daily: `manage.py kpi_sync_schedules`).
    live_until = models.DateField(null=True, editable=False)
    frequency = models.CharField(
        max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    anchor = models.DateField(
        help_text=_("Periods run from this date (usually the contract start) in steps.")
    )
    next_due = models.DateField(null=True, blank=True, editable=False)
    last_period_end = models.DateField(null=True, blank=True, editable=False)
    latest_rating = models.CharField(
        max_length=24, choices=Rating.choices, blank=True, editable=False
    )
    previous_rating = models.CharField(
        max_length=24, choices=Rating.choices, blank=True, editable=False
    )

    class Meta:
        indexes = [
            # Reviews due / overdue (dashboard, "My reviews", reminders): by due date.
            models.Index(fields=["next_due"], name="schedule_next_due_idx"),
            # The dashboard filtered by category (or a pillar's categories), live contracts.
            models.Index(fields=["category", "live_until"], name="schedule_category_live_idx"),
            # Rating distribution and "poor twice in a row" on the dashboard.
            models.Index(fields=["latest_rating", "previous_rating"], name="schedule_rating_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference}: {self.get_frequency_display()}"

    @property
    def months(self) -> int:
        return FREQUENCY_MONTHS[self.frequency]


class Review(models.Model):
    """One vendor's performance review on one contract for one period."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="kpi_reviews")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="kpi_reviews")
    period_start = models.DateField()
    period_end = models.DateField()
    meeting_date = models.DateField(null=True, blank=True)
    attendees = models.TextField(blank=True)
    overall_rating = models.CharField(max_length=24, choices=Rating.choices, blank=True)
    overall_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    narrative = models.TextField(blank=True)
    state = models.CharField(max_length=16, choices=ReviewState.choices, default=ReviewState.DRAFT)
    is_published = models.BooleanField(
        "mark for publication",
        default=False,
        help_text=_("Published reviews are visible to buyers and the public."),
    )
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        help_text=_("The submitted review this one corrects."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kpi_reviews_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "-pk"]
        indexes = [
            # Contract scorecard and overlap check: a contract's reviews by period.
            models.Index(fields=["contract", "vendor", "period_end"], name="review_contract_idx"),
            # Vendor scorecard: a vendor's current reviews over time.
            models.Index(fields=["vendor", "state", "period_end"], name="review_vendor_idx"),
            # Dashboard period filter and "My reviews" drafts.
            models.Index(fields=["state", "period_end"], name="review_state_period_idx"),
            models.Index(fields=["created_by", "state"], name="review_author_state_idx"),
            # The admin's list, latest period first, and its rating filter.
            models.Index(fields=["-period_end"], name="review_period_idx"),
            models.Index(fields=["overall_rating", "-period_end"], name="review_rating_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="review_period_end_after_start",
                violation_error_message=_("The period must end on or after its start."),
            ),
            models.CheckConstraint(
                condition=Q(state="draft")
                | (Q(submitted_at__isnull=False) & ~Q(overall_rating="")),
                name="review_submitted_has_time_and_rating",
            ),
            models.CheckConstraint(
                condition=~Q(state="signed_off") | Q(signed_off_at__isnull=False),
                name="review_signed_off_has_time",
            ),
            # One current record per contract, vendor and period, and one draft at a time.
            models.UniqueConstraint(
                fields=["contract", "vendor", "period_start"],
                condition=Q(state__in=["submitted", "signed_off"]),
                name="review_one_current_per_period",
            ),
            models.UniqueConstraint(
                fields=["contract", "vendor", "period_start"],
                condition=Q(state="draft"),
                name="review_one_draft_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} / {self.vendor}: {self.period_start}–{self.period_end}"

    def get_absolute_url(self) -> str:
        return reverse("kpis:review", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.state == ReviewState.DRAFT

    @property
    def is_current(self) -> bool:
        return self.state in CURRENT_STATES


class KpiResult(models.Model):
    """One KPI's measured value and rating in a review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="results")
    kpi = models.ForeignKey(ContractKpi, on_delete=models.PROTECT, related_name="results")
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(
        max_digits=14, decimal_places=4, help_text=_("The KPI's target when reviewed.")
    )
    suggested_rating = models.CharField(max_length=24, choices=Rating.choices, blank=True)
    rating = models.CharField(max_length=24, choices=Rating.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    comment = models.TextField(blank=True)
    # Copied from the review and KPI (kpis.services keeps them) so the vendor scorecard reads
    # one table: a vendor's current scores over time, weighted.
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    kpi_name = models.CharField(max_length=200, default="", help_text=_("The KPI's name then."))
    period_end = models.DateField()
    weight = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["review", "kpi__name"]
        indexes = [
            # Vendor scorecard: a vendor's current scores by period, read from the index alone
            # on PostgreSQL (INCLUDE is ignored elsewhere).
            models.Index(
                fields=["vendor", "period_end"],
                include=["score", "weight", "kpi_name"],
                condition=Q(is_current=True),
                name="result_vendor_current_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["review", "kpi"], name="result_once_per_kpi"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=4),
                name="result_score_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.name}: {self.value} ({self.get_rating_display()})"


class ReviewAction(models.Model):
    """An action agreed at a review, with an owner and a due date."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kpi_actions"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            # The owner's work list: open actions by due date.
            models.Index(fields=["owner", "status", "due_date"], name="action_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_at__isnull=False),
                name="action_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_date < today

    def display_status(self, today: datetime.date) -> str:
        return "overdue" if self.is_overdue(today) else self.status


class ReviewEvidence(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="kpi-evidence/%Y/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name_plural = "review evidence"

    def __str__(self) -> str:
        return self.title
