"""Reads of KPI reviews: due dates, scorecards, the dashboard, a person's work list, exports."""

import datetime
from collections.abc import Iterable

from django.db.models import Q

from contracts.models import Contract
from kpis.models import ReviewSchedule


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
