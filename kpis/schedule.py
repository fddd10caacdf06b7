"""Review-period arithmetic: pure functions on dates, no database."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later, clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_containing(
    anchor: datetime.date, months: int, day: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The review period (start, end inclusive) holding `day`, periods stepping from `anchor`.

    Periods are always counted from the anchor (anchor + k·months), so month-end clamping never
    drifts: a 31 Jan anchor gives quarters starting 31 Jan, 30 Apr, 31 Jul, 31 Oct.
    """
    if day < anchor:
        raise ValueError("day is before the schedule's anchor")
    k = ((day.year - anchor.year) * 12 + day.month - anchor.month) // months
    k = max(k, 0)
    while add_months(anchor, (k + 1) * months) <= day:
        k += 1
    while k > 0 and add_months(anchor, k * months) > day:
        k -= 1
    start = add_months(anchor, k * months)
    return start, add_months(anchor, (k + 1) * months) - datetime.timedelta(days=1)


def next_due(
    anchor: datetime.date, months: int, last_period_end: datetime.date | None
) -> datetime.date:
    """When the next review falls due: the end of the first period after the last one reviewed.

    With no review yet, that is the end of the first period. A review due on its period's last
    day is overdue from the day after.
    """
    if last_period_end is None or last_period_end < anchor:
        return add_months(anchor, months) - datetime.timedelta(days=1)
    _start, end = period_containing(anchor, months, last_period_end)
    if end == last_period_end:
        _start, end = period_containing(anchor, months, end + datetime.timedelta(days=1))
    return end
