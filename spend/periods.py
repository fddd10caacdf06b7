"""Cover a range of whole months with the fewest summary periods.

The supplier breakdowns read SupplierSpend, which holds every month, quarter and year. A range
is read as the months up to its first whole quarter, the quarters up to its first whole year,
the whole years, then quarters and months again at its end: each month exactly once, at the
coarsest grain that fits. June 2023 to June 2025 is one month, two quarters, one year and two
quarters; with an open end, every whole year on that side is one condition.
"""

import datetime
from typing import NamedTuple

from django.db.models import Q

from spend.models import Grain

_LENGTH = {Grain.YEAR: 12, Grain.QUARTER: 3, Grain.MONTH: 1}


class Span(NamedTuple):
    """Periods of one grain whose first days run from `first` to `last` (None: open)."""

    grain: str
    first: datetime.date | None
    last: datetime.date | None


def _index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _day(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def _pieces(lo: int, hi: int) -> list[tuple[str, int]]:
    """Months lo..hi (inclusive), left to right, each piece the coarsest aligned period that
    fits."""
    pieces = []
    while lo <= hi:
        grain = next(g for g, n in _LENGTH.items() if lo % n == 0 and lo + n - 1 <= hi)
        pieces.append((grain, lo))
        lo += _LENGTH[grain]
    return pieces


def covering(first: datetime.date | None, last: datetime.date | None) -> list[Span]:
    """Spans covering the months from `first`'s to `last`'s (either may be None: open)."""
    if first is None and last is None:
        return [Span(Grain.YEAR, None, None)]
    head: list[Span] = []
    tail: list[Span] = []
    if first is None:
        end = _index(last) + 1
        years_end = end - end % 12  # The first month of the year `last` is not the end of.
        head = [Span(Grain.YEAR, None, _day(years_end - 12))]
        lo, hi = years_end, end - 1
    elif last is None:
        lo = _index(first)
        years_start = lo + (-lo % 12)
        tail = [Span(Grain.YEAR, _day(years_start), None)]
        hi = years_start - 1
    else:
        lo, hi = _index(first), _index(last)
    middle: list[Span] = []
    for grain, start in _pieces(lo, hi):
        if middle and middle[-1].grain == grain:
            middle[-1] = middle[-1]._replace(last=_day(start))
        else:
            middle.append(Span(grain, _day(start), _day(start)))
    return head + middle + tail


def condition(spans: list[Span]) -> Q | None:
    """The filter for SupplierSpend rows in the spans (None: no rows at all)."""
    result = None
    for span in spans:
        term = Q(grain=span.grain)
        if span.first:
            term &= Q(month__gte=span.first)
        if span.last:
            term &= Q(month__lte=span.last)
        result = term if result is None else result | term
    return result
