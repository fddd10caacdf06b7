"""Contracts, their awards, extension options and documents."""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from categories.models import Authority, Category, absent_on_q
from vendors.models import Vendor


def default_currency() -> str:
    return settings.HUB_CURRENCY


class ContractKind(models.TextChoices):
    MULTI_AUTHORITY = "multi_authority", _("Multi-authority / statewide")
    FRAMEWORK = "framework", _("Framework")
    SINGLE_SUPPLIER = "single_supplier", _("Single-supplier contract")


class ContractStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROCUREMENT = "in_procurement", _("In procurement")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    SUPERSEDED = "superseded", _("Superseded")


# Statuses whose contracts no longer run; hidden from the index unless asked for.
ENDED_STATUSES = (ContractStatus.EXPIRED, ContractStatus.TERMINATED, ContractStatus.SUPERSEDED)

reference_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9._-]*$",
    _("Use capital letters, digits and . _ - only, e.g. ITS75."),
)


class ContractQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None):
        """Contracts that have not ended: the index's default view."""
        today = today or timezone.localdate()
        return self.exclude(status__in=ENDED_STATUSES).filter(
            Q(end_date__gte=today) | Q(end_date__isnull=True)
        )

    def expiring_within(self, days: int, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.current(today).filter(end_date__lte=today + datetime.timedelta(days=days))

    def managed_by(self, user, today: datetime.date | None = None, *, resolve: bool = False):
        """Contracts this user manages: as effective primary or secondary contract manager
        (the contract's own or inherited from its category), or as cover while the effective
        primary is absent.

        Every condition is on the contract's own columns, against small subqueries of
        categories and people: no join per contract. With `resolve`, those subqueries run
        first (five small queries) and the contracts are filtered by literal ids, which lets
        PostgreSQL combine the contract indexes (BitmapOr) instead of testing hashed subplans
        row by row: the index's "contract manager" filter counts ~30% faster at 200,000
        contracts (bench/RESULTS.md). Subquery form (`resolve=False`) suits use inside other
        queries."""
        today = today or timezone.localdate()
        people = self.model._meta.get_field("contract_manager").related_model.objects
        categories = Category.objects.all()
        covered = categories.filter(cover_contract_manager=user)
        ids = {
            "primary_of": categories.filter(primary_contract_manager=user),
            "secondary_of": categories.filter(secondary_contract_manager=user),
            "covered": covered,
            "absent": people.filter(absent_on_q(today)),
            "covered_primary_absent": covered.filter(
                absent_on_q(today, "primary_contract_manager")
            ),
        }
        ids = {
            name: list(qs.values_list("pk", flat=True)) if resolve else qs.values("pk")
            for name, qs in ids.items()
        }
        return self.filter(
            Q(contract_manager=user)
            | Q(contract_manager__isnull=True, category__in=ids["primary_of"])
            | Q(secondary_contract_manager=user)
            | Q(secondary_contract_manager__isnull=True, category__in=ids["secondary_of"])
            | Q(category__in=ids["covered"], contract_manager__in=ids["absent"])
            | Q(contract_manager__isnull=True, category__in=ids["covered_primary_absent"])
        )


class Contract(models.Model):
    reference = models.CharField(max_length=40, unique=True, validators=[reference_validator])
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="contracts")
    authorities = models.ManyToManyField(Authority, related_name="contracts")
    kind = models.CharField(
        max_length=20, choices=ContractKind.choices, default=ContractKind.SINGLE_SUPPLIER
    )
    status = models.CharField(
        max_length=20, choices=ContractStatus.choices, default=ContractStatus.PLANNED
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(
        null=True, blank=True, help_text=_("The current end date, including extensions taken.")
    )
    max_end_date = models.DateField(
        null=True, blank=True, help_text=_("The latest end date if every extension is taken.")
    )
    estimated_value = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    awarded_value = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default=default_currency)
    sourcing_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts_sourced",
    )
    contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts_managed",
        help_text=_("Leave empty to use the category's primary contract manager."),
    )
    secondary_contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts_managed_secondary",
        help_text=_("Leave empty to use the category's secondary contract manager."),
    )
    cpv_code = models.CharField(
        "CPV code",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{8}(-\d)?$", _("A CPV code looks like 72000000-5."))],
    )
    is_public = models.BooleanField(
        default=True, help_text=_("Public contracts are visible without signing in.")
    )
    # The contract user guide: how buyers use this contract.
    guide_who_may_use = models.TextField("who may use it", blank=True)
    guide_how_to_buy = models.TextField("how to buy", blank=True)
    guide_pricing_basis = models.TextField("pricing basis", blank=True)
    guide_file = models.FileField("user guide file", upload_to="guides/%Y/", blank=True)
    guide_url = models.URLField("user guide link", blank=True)
    # Reference, title, description, category and vendor names (with aliases) in one string,
    # kept by contracts.services. Searched with icontains; trigram-indexed on PostgreSQL.
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["end_date", "reference"]
        indexes = [
            # Index default view and "expires within N days": status filter, end date sort.
            models.Index(fields=["end_date", "reference"], name="contract_end_ref_idx"),
            # The index's default view hides ended contracts and sorts by end date: without this
            # partial index PostgreSQL walks every expired contract before the first current one
            # (bench/RESULTS.md, 200,000 contracts: 330 ms → a few ms).
            models.Index(
                fields=["end_date", "reference"],
                condition=~Q(status__in=["expired", "terminated", "superseded"]),
                name="contract_current_end_idx",
            ),
            models.Index(fields=["status", "end_date"], name="contract_status_end_idx"),
            # "Expires within N days" with the pillar/category and status filters: the page's
            # count and its rows come from this index alone (bench/RESULTS.md).
            # It ends with the id for the authority/vendor EXISTS filters, then the reference and
            # value for the page's ids sorted by either (key columns rather than INCLUDE, which
            # SQLite lacks).
            models.Index(
                fields=["end_date", "category", "status", "id", "reference", "awarded_value"],
                name="contract_end_cat_status_idx",
            ),
            # Category and pillar filters, sorted by end date.
            models.Index(fields=["category", "end_date"], name="contract_category_end_idx"),
            models.Index(fields=["title"], name="contract_title_idx"),
            # Sortable columns. Sorting puts missing values last both ways (contracts/tables.py);
            # on PostgreSQL migration 0002 adds the matching NULLS LAST indexes.
            models.Index(fields=["start_date"], name="contract_start_idx"),
            models.Index(fields=["awarded_value"], name="contract_value_idx"),
            # The admin's kind filter, in the default order.
            models.Index(fields=["kind", "end_date"], name="contract_kind_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="contract_end_after_start",
                violation_error_message=_("The end date must be on or after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(max_end_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(max_end_date__gte=F("end_date")),
                name="contract_max_end_after_end",
                violation_error_message=_(
                    "The maximum end date must be on or after the current end date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
                name="contract_estimated_value_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(awarded_value__isnull=True) | Q(awarded_value__gte=0),
                name="contract_awarded_value_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["active", "expired"])
                | (Q(start_date__isnull=False) & Q(end_date__isnull=False)),
                name="contract_running_has_dates",
                violation_error_message=_(
                    "An active or expired contract needs start and end dates."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:detail", args=[self.reference])

    @property
    def effective_contract_manager(self):
        return self.contract_manager or self.category.primary_contract_manager

    @property
    def effective_secondary_contract_manager(self):
        return self.secondary_contract_manager or self.category.secondary_contract_manager

    def has_ended(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        if self.status in ENDED_STATUSES:
            return True
        return self.end_date is not None and self.end_date < today

    def starts_later(self, today: datetime.date | None = None) -> bool:
        """Signed (active) but not yet running: its start date is still ahead."""
        today = today or timezone.localdate()
        return self.start_date is not None and self.start_date > today

    def days_to_end(self, today: datetime.date | None = None) -> int | None:
        if self.end_date is None:
            return None
        return (self.end_date - (today or timezone.localdate())).days

    def is_expiring_soon(self, today: datetime.date | None = None) -> bool:
        days = self.days_to_end(today)
        return (
            days is not None
            and not self.has_ended(today)
            and days <= settings.HUB_EXPIRING_SOON_DAYS
        )


class ContractAward(models.Model):
    """One awarded vendor on a contract (a framework has many; a lot may have several)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="awards")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="awards")
    vendor_contract_number = models.CharField(max_length=60, blank=True)
    lot = models.CharField(max_length=60, blank=True)
    value = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    awarded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["lot", "vendor__legal_name"]
        indexes = [
            # Vendor filter and vendor detail page: contracts held by a vendor.
            models.Index(fields=["vendor", "contract"], name="award_vendor_contract_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "vendor", "lot"], name="award_vendor_once_per_lot"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="award_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference}: {self.vendor}"


class ExtensionOption(models.Model):
    """An optional extension written into the contract, decided by a date."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="extension_options"
    )
    sequence = models.PositiveSmallIntegerField(help_text=_("1 for the first option, and so on."))
    length_months = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    decide_by = models.DateField(help_text=_("The date by which the option must be decided."))
    exercised = models.BooleanField(default=False)
    exercised_at = models.DateTimeField(null=True, blank=True)
    exercised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["contract", "sequence"]
        indexes = [
            # Reminder scan: undecided options by decide-by date.
            models.Index(
                fields=["decide_by"],
                condition=Q(exercised=False),
                name="extension_undecided_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "sequence"], name="extension_sequence_unique"
            ),
            models.CheckConstraint(
                condition=Q(length_months__gte=1), name="extension_length_positive"
            ),
            models.CheckConstraint(
                condition=Q(exercised=False) | Q(exercised_at__isnull=False),
                name="extension_exercised_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Option {self.sequence}: {self.length_months} months, decide by {self.decide_by}"


class ContractDocument(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="contracts/%Y/", blank=True)
    url = models.URLField(blank=True)
    is_public = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(url=""), name="document_has_file_or_url"
            ),
        ]

    def __str__(self) -> str:
        return self.title
