"""Reads for reminders: lead times, inbox, follows, calendar events, and the other apps' dates."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from contracts.models import Contract, ContractStatus, ExtensionOption
from notifications.models import (
    Delivery,
    Follow,
    Notification,
    Preference,
    ReminderSettings,
    parse_days,
)
from notifications.rules import Rules

logger = logging.getLogger(__name__)


def reminder_rules() -> Rules:
    """Lead times: the admin-edited row where a field is filled in, else the settings default."""
    row = ReminderSettings.objects.filter(pk=1).first()

    def days(field: str, default: tuple[int, ...]) -> tuple[int, ...]:
        value = getattr(row, field, "") if row else ""
        return tuple(parse_days(value)) if value and parse_days(value) else tuple(default)

    escalate = row.kpi_escalate_days if row and row.kpi_escalate_days else None
    return Rules(
        expiry_days=days("expiry_days", settings.HUB_REMINDER_EXPIRY_DAYS),
        extension_days=days("extension_days", settings.HUB_REMINDER_EXTENSION_DAYS),
        kpi_before_days=days("kpi_before_days", settings.HUB_REMINDER_KPI_BEFORE_DAYS),
        kpi_overdue_days=days("kpi_overdue_days", settings.HUB_REMINDER_KPI_OVERDUE_DAYS),
        kpi_escalate_days=escalate or settings.HUB_REMINDER_KPI_ESCALATE_DAYS,
    )


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user, *, unread_only: bool = False) -> QuerySet:
    queryset = Notification.objects.filter(recipient=user).select_related("contract")
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-id")


def is_following(user, contract: Contract) -> bool:
    return Follow.objects.filter(user=user, contract=contract).exists()


def follower_ids(contract_ids) -> dict[int, list[int]]:
    """contract id → ids of the users following it (one query)."""
    followers: dict[int, list[int]] = {}
    for contract_id, user_id in Follow.objects.filter(contract_id__in=contract_ids).values_list(
        "contract_id", "user_id"
    ):
        followers.setdefault(contract_id, []).append(user_id)
    return followers


def digest_user_ids() -> set[int]:
    return set(
        Preference.objects.filter(delivery=Delivery.DIGEST).values_list("user_id", flat=True)
    )


# --- Dates owned by other apps --------------------------------------------------------------


def kpi_review_due_dates(contract_ids=None) -> dict[int, datetime.date]:
    """contract id → next KPI review due date, from the KPI app."""
    try:
        from kpis.selectors import next_review_due_dates
    except ImportError:
        logger.warning("kpis.selectors.next_review_due_dates is missing: no KPI review reminders")
        return {}
    return next_review_due_dates(contract_ids=contract_ids)


def renewal_decided(contract_ids) -> set[int]:
    """Contracts with a re-procurement or extension decision recorded (the sourcing app)."""
    try:
        from sourcing.selectors import contracts_with_renewal_decision
    except ImportError:
        logger.warning("sourcing.selectors.contracts_with_renewal_decision is missing")
        return set()
    return set(contracts_with_renewal_decision(list(contract_ids)))


def term_decided(contract_ids) -> set[int]:
    """Contracts whose current term is decided in any way (extended, re-procured or left to
    expire): none of its extension options is left to decide (the sourcing app)."""
    try:
        from sourcing.models import DecisionKind
        from sourcing.selectors import contracts_with_renewal_decision
    except ImportError:
        logger.warning("sourcing.selectors.contracts_with_renewal_decision is missing")
        return set()
    return contracts_with_renewal_decision(list(contract_ids), kinds=DecisionKind.values)


# --- Calendar feed --------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    day: datetime.date
    summary: str
    description: str
    url: str


def calendar_events(user, today: datetime.date) -> list[CalendarEvent]:
    """Expiry dates, extension decide-by dates and KPI review due dates of the contracts the
    user manages (primary, secondary, cover while absent) or follows. Ended contracts and
    decided options are left out; the feed looks back a year at most."""
    since = today - datetime.timedelta(days=365)
    managed = Contract.objects.managed_by(user, today).values("pk")
    followed = Follow.objects.filter(user=user).values("contract_id")
    contracts = list(
        Contract.objects.filter(status=ContractStatus.ACTIVE)
        .filter(Q(pk__in=managed) | Q(pk__in=followed))
        .only("pk", "reference", "title", "end_date")
        .order_by("end_date")
    )
    base = settings.HUB_BASE_URL
    events = []
    by_id = {c.pk: c for c in contracts}
    for contract in contracts:
        if contract.end_date and contract.end_date >= since:
            events.append(
                CalendarEvent(
                    uid=f"contract-{contract.pk}-end-{contract.end_date:%Y%m%d}",
                    day=contract.end_date,
                    summary=f"{contract.reference} expires",
                    description=f"{contract.reference} – {contract.title}: last day.",
                    url=base + contract.get_absolute_url(),
                )
            )
    options = ExtensionOption.objects.filter(
        contract_id__in=by_id, exercised=False, decide_by__gte=since
    ).only("pk", "contract_id", "sequence", "decide_by", "length_months")
    decided = term_decided(by_id)
    for option in options:
        if option.contract_id in decided:
            continue
        contract = by_id[option.contract_id]
        events.append(
            CalendarEvent(
                uid=f"extension-{option.pk}-{option.decide_by:%Y%m%d}",
                day=option.decide_by,
                summary=f"{contract.reference}: decide extension option {option.sequence}",
                description=(
                    f"{contract.reference} – {contract.title}: decide by today whether to take "
                    f"extension option {option.sequence} ({option.length_months} months)."
                ),
                url=base + contract.get_absolute_url(),
            )
        )
    for contract_id, due in kpi_review_due_dates(contract_ids=list(by_id)).items():
        contract = by_id.get(contract_id)
        if contract is None or due is None or due < since:
            continue
        events.append(
            CalendarEvent(
                uid=f"kpi-review-{contract.pk}-{due:%Y%m%d}",
                day=due,
                summary=f"{contract.reference}: KPI review due",
                description=f"{contract.reference} – {contract.title}: KPI review due.",
                url=base + contract.get_absolute_url(),
            )
        )
    events.sort(key=lambda e: (e.day, e.uid))
    return events


def followed_contracts(user) -> QuerySet:
    """The contracts a user follows, for the preferences page (bounded by the user's follows)."""
    return (
        Contract.objects.filter(follows__user=user)
        .only("pk", "reference", "title", "end_date", "status")
        .order_by("end_date", "reference")
    )
