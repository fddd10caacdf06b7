"""Spend: imported payment transactions, the payees and expense codes they name, and the summary
tables the analysis pages read (kept current by every import; never aggregate the raw table in a
request)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from categories.models import Authority, Category, Pillar
from contracts.models import Contract
from vendors.models import Vendor


def _not_null_index(field: str, *fields: str, name: str) -> models.Index:
    """An index over the rows whose `field` is set: lookups by it never ask for NULL, and every
    row it leaves out is one less entry for an import to write."""
    return models.Index(
        fields=[field, *fields], name=name, condition=Q(**{f"{field}__isnull": False})
    )


def _fact_fk(to, *, optional: bool = False, **options) -> models.ForeignKey:
    """A reference from a fact or summary table: no database constraint (SQL rebuilds these
    tables from ids in bulk, and a constraint check per row halved the import rate), no reverse
    accessor; `optional` ones are cleared when the row they point at goes."""
    options = {
        "on_delete": models.SET_NULL if optional else models.CASCADE,
        "null": optional,
        "blank": optional,
        "related_name": "+",
        "db_constraint": False,
        **options,
    }
    return models.ForeignKey(to, **options)


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("All or nothing: any rejected row stops the import")
    KEEP_VALID = "valid", _("Import the valid rows and list the rejects")


class MappingProfile(models.Model):
    """A saved column mapping for one source of files (e.g. "Oxford City Council quarterly")."""

    name = models.CharField(max_length=120, unique=True)
    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Canonical field -> the source column's header text, e.g. {"date": "Paid Date"}.
    mapping = models.JSONField(default=dict)
    # The normalised headers of the file the profile was saved from: files with the same
    # headers pick this profile by themselves.
    header_signature = models.CharField(max_length=64, blank=True, db_index=True)
    date_formats = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Extra date formats, comma separated, in strftime style, e.g. %d.%m.%Y."),
    )
    # The mode the profile's files import in, preset on their preview: the next quarter is one
    # click in the same mode.
    mode = models.CharField(
        max_length=10, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Awaiting confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Rejected (nothing imported)")
    DUPLICATE = "duplicate", _("Same file already imported")
    FAILED = "failed", _("Failed")
    WITHDRAWING = "withdrawing", _("Being withdrawn")
    WITHDRAWN = "withdrawn", _("Withdrawn (its payments removed)")


# The statuses of an import whose payments are in the hub: its file counts as imported.
HOLDS_PAYMENTS = (ImportStatus.DONE, ImportStatus.WITHDRAWING)


class SpendImport(models.Model):
    """One file imported (or offered for import) for one authority."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    profile = models.ForeignKey(
        MappingProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports"
    )
    file_name = models.CharField(max_length=255)
    upload = models.FileField(upload_to="spend/imports/%Y/")
    content_hash = models.CharField(max_length=64)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    mode = models.CharField(
        max_length=10, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
    )
    # What the reader found: encoding, delimiter, header row, the headers and a few rows.
    detected = models.JSONField(default=dict)
    mapping = models.JSONField(default=dict)
    date_formats = models.CharField(max_length=200, blank=True)
    # The date given to rows whose date cell holds no date (empty, or a time alone), chosen
    # on the preview; None rejects them. Their payments are marked `date_assumed`.
    undated_as = models.DateField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    undated_rows = models.PositiveIntegerField(default=0)  # Imported dated `undated_as`.
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # When a worker claimed it.
    finished_at = models.DateTimeField(null=True, blank=True)
    # The months its payments fall in, set when they are imported: a withdrawal reads only
    # those months of the authority (empty for imports made before it was recorded).
    months = models.JSONField(default=list, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Re-importing the same file adds nothing: one import holding payments per file
            # content (a withdrawn import's file may be imported again).
            models.UniqueConstraint(
                fields=["authority", "content_hash"],
                condition=Q(status__in=HOLDS_PAYMENTS),
                name="spend_import_file_once",
            ),
        ]
        indexes = [
            # "Was this file imported already?" on upload.
            models.Index(fields=["authority", "content_hash"], name="spend_import_hash_idx"),
            # The admin's list, newest first, and its status filter.
            models.Index(fields=["-created_at"], name="spend_import_created_idx"),
            models.Index(fields=["status", "-created_at"], name="spend_import_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.authority.code})"

    def get_absolute_url(self) -> str:
        return reverse("spend:import_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {
            ImportStatus.DONE,
            ImportStatus.REJECTED,
            ImportStatus.DUPLICATE,
            ImportStatus.FAILED,
            ImportStatus.WITHDRAWN,
        }


class SkipKind(models.TextChoices):
    REJECTED = "rejected", "Rejected"
    PRESENT = "present", "Already present"


class ImportReject(models.Model):
    """A row that was not imported, and why: rejected by a check, or already present (a payment
    with the same natural key was there already, from an earlier import or row of the file)."""

    spend_import = models.ForeignKey(SpendImport, on_delete=models.CASCADE, related_name="rejects")
    row_number = models.PositiveIntegerField()
    column = models.CharField(max_length=200, blank=True)
    value = models.CharField(max_length=500, blank=True)
    reason = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=SkipKind.choices, default=SkipKind.REJECTED)
    # The row's cells under the file's headers, on the first entry of each rejected row: the
    # "rows to fix" download gives them back, ready to correct and import again.
    cells = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["spend_import", "row_number", "pk"]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.reason}"


# PostgreSQL memory per sort or hash of an import's set-based steps (SET LOCAL, so only the
# import's own transaction): a million staged rows sort and aggregate without spilling to disk.
IMPORT_WORK_MEM = "256MB"
STAGING_COLUMNS = (
    "spend_import_id", "row_number", "reference", "payment_date", "month", "amount",
    "net_amount", "vat_amount", "department", "expense_key", "expense_code", "expense_name",
    "capital_revenue", "supplier_id", "supplier_name", "payee_key", "date_assumed",
)  # fmt: skip


# Where an import's rows wait for the move. Files read row by row go to spend_stagingrow (shared,
# unlogged); CSV files COPYed on PostgreSQL to a temporary table of the import's own session
# with the same columns (spend.copy_stage). Both names are formatted into SQL: only these two.
STAGING_TABLE = "spend_stagingrow"
SESSION_STAGING_TABLE = "spend_staged"


def staging_table(name: str) -> str:
    """`name`, checked to be one of the two staging tables."""
    if name not in (STAGING_TABLE, SESSION_STAGING_TABLE):
        raise ValueError(f"not a staging table: {name!r}")
    return name


class StagingRow(models.Model):
    """Rows of an import read row by row, on their way in: loaded by COPY of the parsed rows
    (PostgreSQL) or bulk_create, then moved with set-based SQL and deleted. Unlogged on
    PostgreSQL."""

    spend_import = models.ForeignKey(
        SpendImport, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    row_number = models.PositiveIntegerField()
    reference = models.CharField(max_length=100)
    payment_date = models.DateField()
    month = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    net_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    vat_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    department = models.CharField(max_length=200)
    expense_key = models.CharField(max_length=200)
    expense_code = models.CharField(max_length=100)
    expense_name = models.CharField(max_length=200)
    capital_revenue = models.CharField(max_length=20)
    supplier_id = models.CharField(max_length=100)
    supplier_name = models.CharField(max_length=255)
    payee_key = models.CharField(max_length=255)
    date_assumed = models.BooleanField(default=False, db_default=False)

    class Meta:
        indexes = [models.Index(fields=["spend_import", "row_number"], name="spend_staging_idx")]

    def __str__(self) -> str:
        return f"staging row {self.row_number}"


class MatchMethod(models.TextChoices):
    NONE = "", _("Unmatched")
    NAME = "name", _("Exact name or alias")
    REGISTRATION = "registration", _("Registration id")
    CONFIRMED = "confirmed", _("Confirmed by a person")
    # Set aside by a person: no hub vendor (an individual, an internal transfer); it leaves
    # the unmatched queue. An exact name match in a later import still matches it.
    DISMISSED = "dismissed", _("Not a hub vendor (set aside)")


class Payee(models.Model):
    """A supplier as an authority's files name it; matched to a hub vendor where known."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    normalized_name = models.CharField(max_length=255)
    supplier_id = models.CharField(max_length=100, blank=True)
    # The import whose file gave the supplier id: withdrawn, it takes the id back (and the
    # match by registration id it made).
    supplier_id_import = models.PositiveBigIntegerField(null=True, blank=True)
    vendor = models.ForeignKey(
        Vendor, on_delete=models.SET_NULL, null=True, blank=True, related_name="payees"
    )
    match_method = models.CharField(
        max_length=20, choices=MatchMethod.choices, blank=True, default=MatchMethod.NONE
    )
    # All-time totals, added to by imports (spend.matching.add_import_totals) and recounted by
    # re-matching (refresh_totals): the queues' order, and the
    # unfiltered dashboard's suppliers without aggregating anything.
    total_spend = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    on_contract_spend = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    transaction_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-total_spend", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "normalized_name"], name="spend_payee_unique"
            ),
        ]
        indexes = [
            # Unmatched payees queue, sorted by spend.
            models.Index(
                fields=["-total_spend"],
                condition=Q(vendor__isnull=True),
                name="spend_payee_unmatched_idx",
            ),
            # Top suppliers (all time, optionally one authority) and the off-contract list.
            models.Index(fields=["-total_spend"], name="spend_payee_spend_idx"),
            models.Index(fields=["authority", "-total_spend"], name="spend_payee_auth_spend_idx"),
            # The admin's match-method filter, biggest first.
            models.Index(fields=["match_method", "-total_spend"], name="spend_payee_method_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class ExpenseCode(models.Model):
    """An authority's expense code (or category name), mapped to a hub category."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, help_text=_("The code, or the name if no code."))
    code = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    total_spend = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    transaction_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-total_spend", "key"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "key"], name="spend_expense_code_unique"),
        ]
        indexes = [
            # Unmapped codes queue, sorted by spend.
            models.Index(
                fields=["-total_spend"],
                condition=Q(category__isnull=True),
                name="spend_code_unmapped_idx",
            ),
            # The admin's list, biggest first.
            models.Index(fields=["-total_spend"], name="spend_code_spend_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip() or self.key


class Transaction(models.Model):
    """One payment line. Vendor, category and contract are derived and kept by spend.services."""

    # Single-column FK indexes are left out where a composite index below serves the query:
    # every index costs import speed on a table of millions of rows. No database-level FK
    # constraints either (db_constraint=False): each costs a row lock on the parent per
    # inserted row; the set-based SQL takes every id from a join, and Django's collector still
    # applies on_delete.
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    spend_import = models.ForeignKey(
        SpendImport, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    row_number = models.PositiveIntegerField()
    reference = models.CharField(max_length=100)
    payment_date = models.DateField()
    # True when its file gave no date and the importer chose this one (SpendImport.undated_as).
    date_assumed = models.BooleanField(default=False, db_default=False)
    month = models.DateField(help_text=_("First day of the payment's month."))
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    net_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    vat_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    department = models.CharField(max_length=200, blank=True)
    capital_revenue = models.CharField(max_length=20, blank=True)
    supplier_name = models.CharField(max_length=255)
    payee = models.ForeignKey(
        Payee,
        on_delete=models.PROTECT,
        related_name="transactions",
        db_index=False,
        db_constraint=False,
    )
    expense_code = models.ForeignKey(
        ExpenseCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        db_constraint=False,
    )
    vendor = _fact_fk(Vendor, optional=True, db_index=False)
    category = _fact_fk(Category, optional=True, db_index=False)
    contract = _fact_fk(Contract, optional=True, db_index=False)
    # How many contracts could have taken this payment; > 1 means the rule chose one.
    contract_candidates = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-payment_date", "-pk"]
        constraints = [
            # The natural key: authority (through the payee), reference, date, amount, supplier.
            models.UniqueConstraint(
                fields=["payee", "reference", "payment_date", "amount"],
                name="spend_transaction_natural_key",
            ),
        ]
        indexes = [
            # Summary refresh of an authority's months.
            models.Index(fields=["authority", "month"], name="spend_tx_auth_month_idx"),
            # Drill-down lists, newest first, filtered by date, category, vendor or contract.
            models.Index(fields=["payment_date"], name="spend_tx_date_idx"),
            # Only categorised, matched rows need these three: the drill-downs look up a
            # category (or a pillar's), a vendor or a contract, never their absence (the
            # off-contract list filters by date, category or vendor), and an import writes the
            # other rows to fewer indexes (a new authority's codes are all unmapped at first).
            _not_null_index("category", "payment_date", name="spend_tx_cat_date_idx"),
            _not_null_index("vendor", "payment_date", name="spend_tx_vendor_date_idx"),
            _not_null_index("contract", "payment_date", name="spend_tx_contract_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.payment_date} {self.amount}"

    def get_absolute_url(self) -> str:
        return reverse("spend:transaction_detail", args=[self.pk])

    @property
    def is_on_contract(self) -> bool:
        return self.contract_id is not None


class SpendSummary(models.Model):
    """Spend per authority, month, category, payee and on/off contract. The dashboards read this.
    The SupplierSpend view reads it too: see there before changing its columns."""

    # The composite indexes below lead with each un-indexed reference.
    authority = _fact_fk(Authority, db_index=False)
    month = models.DateField()
    pillar = _fact_fk(Pillar, optional=True, db_index=False)
    category = _fact_fk(Category, optional=True, db_index=False)
    payee = _fact_fk(Payee)
    vendor = _fact_fk(Vendor, optional=True, db_index=False)
    on_contract = models.BooleanField()
    total = models.DecimalField(max_digits=16, decimal_places=2)
    tx_count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # Refresh deletes an authority's months; dashboard filters by month range.
            models.Index(fields=["authority", "month"], name="spend_sum_auth_month_idx"),
            models.Index(fields=["month"], name="spend_sum_month_idx"),
            # A filter by category or pillar (and the vendor page) never asks for NULL: rows
            # of unmapped codes and unmatched payees stay out of these three.
            _not_null_index("category", "month", name="spend_sum_cat_month_idx"),
            _not_null_index("pillar", "month", name="spend_sum_pillar_month_idx"),
            # Vendor page: spend over time and by authority.
            _not_null_index("vendor", "month", name="spend_sum_vendor_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.total}"


class Grain(models.TextChoices):
    MONTH = "m", _("month")
    QUARTER = "q", _("quarter")
    YEAR = "y", _("year")


class SupplierPeriod(models.Model):
    """SpendSummary rolled up to quarters and years (`month` is the period's first day): a
    supplier breakdown over any range of months reads whole years and quarters here and only
    the odd months at its ends from SpendSummary (see SupplierSpend). Rebuilt from SpendSummary
    for the quarters and years an import touches. (Summary tables, like transactions, have no
    database FK constraints: SQL rebuilds them from ids.) The SupplierSpend view reads it: see
    there before changing its columns."""

    # The composite indexes below lead with each un-indexed reference.
    authority = _fact_fk(Authority, db_index=False)
    grain = models.CharField(max_length=1, choices=Grain.choices)
    month = models.DateField()
    pillar = _fact_fk(Pillar, optional=True, db_index=False)
    category = _fact_fk(Category, optional=True, db_index=False)
    payee = _fact_fk(Payee)
    vendor = _fact_fk(Vendor, optional=True, db_index=False)
    on_contract = models.BooleanField()
    total = models.DecimalField(max_digits=18, decimal_places=2)
    tx_count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # Refresh deletes an authority's periods; filters by pillar or category and periods.
            models.Index(fields=["authority", "grain", "month"], name="spend_sp_auth_period_idx"),
            _not_null_index("pillar", "grain", "month", name="spend_sp_pillar_period_idx"),
            _not_null_index("category", "grain", "month", name="spend_sp_cat_period_idx"),
            _not_null_index("vendor", name="spend_sp_vendor_idx"),  # Vendor deletes.
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.month:%Y-%m} {self.total}"


def _view_fk(to) -> models.ForeignKey:
    # DO_NOTHING: a delete must never try to write to the view (the tables behind it clear
    # their own rows).
    return models.ForeignKey(
        to, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )


class SupplierSpend(models.Model):
    """A read-only view (migration 0012): SpendSummary's rows as months (grain "m") and
    SupplierPeriod's quarters and years, as one set. Supplier breakdowns filter it by
    `spend.periods.covering()`, which picks each month of a range exactly once, at the coarsest
    grain that fits: 25 months read 1 month, 4 quarters and 1 year instead of 25 months.

    A migration that changes a column of spend_spendsummary or spend_supplierperiod must drop
    the view first and create it again after (migration 0012's VIEW): PostgreSQL refuses to
    alter a column a view uses, and SQLite to rebuild a table a view names."""

    pk = models.CompositePrimaryKey("grain", "id")
    id = models.BigIntegerField()
    grain = models.CharField(max_length=1, choices=Grain.choices)
    month = models.DateField()
    authority = _view_fk(Authority)
    pillar = _view_fk(Pillar)
    category = _view_fk(Category)
    payee = _view_fk(Payee)
    vendor = _view_fk(Vendor)
    on_contract = models.BooleanField()
    total = models.DecimalField(max_digits=18, decimal_places=2)
    tx_count = models.PositiveIntegerField()

    class Meta:
        managed = False
        db_table = "spend_supplierspend"

    def __str__(self) -> str:
        return f"{self.grain} {self.month:%Y-%m} {self.total}"


class PillarSupplier(models.Model):
    """All-time spend per pillar, payee and vendor (on-contract spend a column, not a row): a
    pillar's top suppliers with no date or category filter are read by index, the way the
    payees' all-time totals serve the unfiltered dashboard. Rebuilt from SupplierPeriod's years
    for the payees each summary refresh touches."""

    authority = _fact_fk(Authority, db_index=False)  # Both lead an index below.
    pillar = _fact_fk(Pillar, optional=True, db_index=False)
    payee = _fact_fk(Payee)
    vendor = _fact_fk(Vendor, optional=True)
    total = models.DecimalField(max_digits=18, decimal_places=2)
    on_contract_total = models.DecimalField(max_digits=18, decimal_places=2)
    tx_count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(
                F("pillar"), F("total").desc(), F("payee"), name="spend_ps_pillar_total_idx"
            ),
            models.Index(
                F("authority"),
                F("pillar"),
                F("total").desc(),
                F("payee"),
                name="spend_ps_auth_total_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pillar_id} {self.payee_id} {self.total}"


class SpendCube(models.Model):
    """Spend per authority, month, category and on/off contract, without the payee: small
    enough (authorities × months × categories × 2) that every breakdown of the dashboard but the
    supplier ones reads a few thousand rows at any transaction count. Rebuilt from SpendSummary."""

    authority = _fact_fk(Authority)
    month = models.DateField()
    pillar = _fact_fk(Pillar, optional=True)
    category = _fact_fk(Category, optional=True)
    on_contract = models.BooleanField()
    total = models.DecimalField(max_digits=18, decimal_places=2)
    tx_count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # Refresh deletes an authority's months; the dashboard filters by month range.
            models.Index(fields=["authority", "month"], name="spend_cube_auth_month_idx"),
            models.Index(fields=["month"], name="spend_cube_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.total}"


class ContractSpend(models.Model):
    """Spend per contract, authority and month: the contract page's burn-down reads this."""

    contract = _fact_fk(Contract)
    authority = _fact_fk(Authority)
    month = models.DateField()
    total = models.DecimalField(max_digits=16, decimal_places=2)
    tx_count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "authority", "month"], name="spend_contract_month_unique"
            ),
        ]
        indexes = [
            # Refresh deletes an authority's months.
            models.Index(fields=["authority", "month"], name="spend_cs_auth_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.month:%Y-%m} {self.total}"
