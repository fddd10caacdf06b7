"""Reminder arithmetic: which reminder of a dated subject is due on a given day.

Every rule is a list of offsets in days from an anchor date (an end date, a decide-by date, a
KPI review due date): -90 means 90 days before it, 7 means 7 days after it. A threshold is
*reached* on `anchor + offset` and stays reached afterwards.

Catch-up rule: a scan sends only the **latest reached** threshold of each subject (the one
closest to today), and only if that threshold has not been sent already. After a daily scan
that is exactly the threshold reached today. After an outage of several days, or on the very
first scan of a hub, each subject gets one reminder for the most recent threshold it passed,
never a burst of stale ones: the 270-day notice that was missed while the server was down is
not worth sending once the 180-day one is due. Earlier thresholds that were skipped stay
unsent (they are not recorded), so the log shows what people were actually told. A contract
that ended during an outage gets its latest threshold when the scan marks it expired, if it
ended within the last 30 days (services._ended_unannounced_rows).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from notifications.models import Kind


@dataclass(frozen=True)
class Rules:
    """Lead times in days, as a hub administrator set them (see selectors.reminder_rules)."""

    expiry_days: tuple[int, ...] = (270, 180, 90, 30, 0)
    extension_days: tuple[int, ...] = (60, 14)
    kpi_before_days: tuple[int, ...] = (14, 0)
    kpi_overdue_days: tuple[int, ...] = (7,)
    kpi_escalate_days: int = 30

    @property
    def expiry_offsets(self) -> tuple[int, ...]:
        return tuple(sorted(-d for d in self.expiry_days))

    @property
    def extension_offsets(self) -> tuple[int, ...]:
        return tuple(sorted(-d for d in self.extension_days))

    @property
    def kpi_offsets(self) -> tuple[int, ...]:
        offsets = {-d for d in self.kpi_before_days} | set(self.kpi_overdue_days)
        offsets.add(self.kpi_escalate_days)
        return tuple(sorted(offsets))


def latest_reached(
    anchor: datetime.date, offsets: Iterable[int], today: datetime.date
) -> int | None:
    """The latest offset whose day (anchor + offset) is on or before today, or None."""
    days_since_anchor = (today - anchor).days
    reached = [offset for offset in offsets if offset <= days_since_anchor]
    return max(reached) if reached else None


def threshold_key(anchor: datetime.date, offset: int) -> str:
    """The log's threshold for a date rule: "2027-03-31/-90" (90 days before 31 March 2027)."""
    return f"{anchor.isoformat()}/{offset}"


def furthest_anchor(offsets: Iterable[int], today: datetime.date) -> datetime.date:
    """The latest anchor date with a threshold reached by today (its earliest threshold)."""
    return today - datetime.timedelta(days=min(offsets))


def kpi_kind(offset: int, rules: Rules) -> str:
    if offset >= rules.kpi_escalate_days:
        return Kind.KPI_ESCALATION
    if offset > 0:
        return Kind.KPI_OVERDUE
    return Kind.KPI_REVIEW


def describe_days(days: int) -> str:
    """Days until a date, as words: "in 90 days", "tomorrow", "today", "3 days ago"."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if days > 0:
        return f"in {days} days"
    return f"{-days} days ago"


def local_day(moment: datetime.datetime) -> datetime.date:
    """The hub's calendar day (TIME_ZONE) at this moment: the scan's "today"."""
    from django.utils import timezone

    return timezone.localtime(moment).date()
