"""Reminders and notices: the notification log (which is also the inbox), follows, preferences
and the reminder lead times a hub administrator edits in Django admin."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    EXPIRY = "expiry", _("Contract expiry")
    EXTENSION = "extension", _("Extension decision")
    KPI_REVIEW = "kpi_review", _("KPI review due")
    KPI_OVERDUE = "kpi_overdue", _("KPI review overdue")
    KPI_ESCALATION = "kpi_escalation", _("KPI review overdue (escalated)")
    EXPIRED = "expired", _("Contract expired")
    CHANGE = "change", _("Contract change")
    VALUE_USED = "value_used", _("Contract value nearly used up")


class SubjectType(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    EXTENSION_OPTION = "extension_option", _("Extension option")


class EmailState(models.TextChoices):
    PENDING = "pending", _("Waiting to be emailed")
    DIGEST = "digest", _("Waiting for the weekly digest")
    SENT = "sent", _("Emailed")
    FAILED = "failed", _("Email failed")
    NO_ADDRESS = "no_address", _("No email address")
    DRY_RUN = "dry_run", _("Dry run, not emailed")
    OUTDATED = "outdated", _("Not emailed: outdated before the digest went")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Email each reminder at once")
    DIGEST = "digest", _("One weekly digest email")


class Notification(models.Model):
    """One notice to one person: the exactly-once log of reminders, and the person's inbox.

    The row is claimed (inserted under the unique constraint) before any email goes out, so a
    second scan, a concurrent scan or a retried task can never send the same reminder twice.
    `threshold` says which reminder of the subject this is: for date rules it is the date the
    rule is anchored to and the lead time, e.g. "2027-03-31/-90" (90 days before the end date
    of 31 March 2027), so a moved end date earns fresh reminders.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # notification_inbox_idx starts with recipient
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="notifications"
    )
    subject_type = models.CharField(max_length=20, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    threshold = models.CharField(max_length=60)
    due_date = models.DateField(null=True, blank=True, help_text=_("The date the notice is about."))
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Email delivery: state, attempts, last error and when it went out.
    email_state = models.CharField(
        max_length=12, choices=EmailState.choices, default=EmailState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Which scan or change notice claimed the row (not indexed: for the record and SQLite).
    claim = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "threshold", "recipient"],
                name="notification_once_per_threshold",
            ),
        ]
        indexes = [
            # Inbox: a user's notices, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            # Header badge: unread count per user.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # The admin's kind and email-state filters (its list is newest first by id).
            models.Index(fields=["kind"], name="notification_kind_idx"),
            models.Index(fields=["email_state"], name="notification_email_state_idx"),
            # Sender and digest: rows still waiting for an email.
            models.Index(
                fields=["email_state", "recipient"],
                condition=Q(email_state__in=["pending", "digest"]),
                name="notification_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:detail", args=[self.contract.reference])


class Follow(models.Model):
    """A signed-in user who follows a contract gets its expiry and change notices."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "contract"], name="follow_once"),
        ]
        indexes = [
            # Scan and change notices: followers of a set of contracts.
            models.Index(fields=["contract", "user"], name="follow_contract_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.contract_id}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class Preference(models.Model):
    """How a user wants their notices, and the secret of their calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_delivery_display()}"


def validate_days(value: str) -> None:
    try:
        parse_days(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def parse_days(value: str) -> list[int]:
    """ "270, 180, 90" → [270, 180, 90]; blank → []. Days must be whole and not negative."""
    days = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ValueError(f"{part!r} is not a whole number of days.")
        days.append(int(part))
    return sorted(set(days), reverse=True)


def _days_field(label: str) -> models.CharField:
    """A lead-time field of ReminderSettings: comma-separated days, blank for the default."""
    return models.CharField(
        label,
        max_length=100,
        blank=True,
        validators=[validate_days],
        help_text=_("Comma-separated days, e.g. 270, 180, 90. Leave blank for the default."),
    )


class ReminderSettings(models.Model):
    """The reminder lead times, editable by a hub administrator in Django admin.

    A blank field falls back to the default from settings (HUB_REMINDER_* environment variables).
    There is one row (pk 1).
    """

    expiry_days = _days_field("expiry: days before the end date")
    extension_days = _days_field("extension: days before decide-by")
    kpi_before_days = _days_field("KPI review: days before due")
    kpi_overdue_days = _days_field("KPI review: days overdue")
    kpi_escalate_days = models.PositiveSmallIntegerField(
        "KPI review: days overdue before escalating to the head of category",
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "reminder settings"
        verbose_name_plural = "reminder settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="reminder_settings_single_row"),
        ]

    def __str__(self) -> str:
        return "Reminder lead times"
