"""Month arithmetic for contract terms: one definition for the services, the demo and the
bench, so an extension computed anywhere ends on the same day."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later (or earlier), clamped to that month's end."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_month_end(day: datetime.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def extended_end(end: datetime.date, months: int) -> datetime.date:
    """The last day of a term ending on `end` (inclusive) extended by `months`. A term that ends
    on a month's last day ends on the last day of the month `months` later (30 Jun + 2 months:
    31 Aug; 28 Feb 2027 + 12: 29 Feb 2028); any other end keeps its day, clamped to a shorter
    month (15 Mar + 12: 15 Mar; 30 May + 6: 30 Nov; 30 Dec + 2: 28 Feb)."""
    moved = add_months(end, months)
    if is_month_end(end):
        return moved.replace(day=calendar.monthrange(moved.year, moved.month)[1])
    return moved
