"""spend.periods: a range of months as the fewest months, quarters and years."""

import datetime
import itertools

import pytest

from spend.models import Grain
from spend.periods import Span, covering

D = datetime.date
LENGTH = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}
UNIVERSE = [D(2019 + i // 12, i % 12 + 1, 1) for i in range(10 * 12)]  # 2019-2028.


def _periods_read(spans: list[Span]) -> list[tuple[str, datetime.date]]:
    """(grain, first month) of every period the spans read (periods start aligned)."""
    read = []
    for span in spans:
        for start in UNIVERSE:
            index = start.year * 12 + start.month - 1
            if index % LENGTH[span.grain]:
                continue  # No period of this grain starts here.
            if (span.first is None or start >= span.first) and (
                span.last is None or start <= span.last
            ):
                read.append((span.grain, start))
    return read


def _months(grain: str, start: datetime.date) -> list[datetime.date]:
    return UNIVERSE[UNIVERSE.index(start) :][: LENGTH[grain]]


def _enclosing(grain: str, start: datetime.date) -> tuple[str, datetime.date] | None:
    """The next coarser period holding this one."""
    if grain == Grain.MONTH:
        return Grain.QUARTER, start.replace(month=start.month - (start.month - 1) % 3)
    if grain == Grain.QUARTER:
        return Grain.YEAR, start.replace(month=1)
    return None


def test_the_example_in_the_docstring():
    assert covering(D(2023, 6, 1), D(2025, 6, 1)) == [
        Span(Grain.MONTH, D(2023, 6, 1), D(2023, 6, 1)),
        Span(Grain.QUARTER, D(2023, 7, 1), D(2023, 10, 1)),
        Span(Grain.YEAR, D(2024, 1, 1), D(2024, 1, 1)),
        Span(Grain.QUARTER, D(2025, 1, 1), D(2025, 4, 1)),
    ]


def test_open_ends_read_whole_years_by_one_condition():
    assert covering(None, None) == [Span(Grain.YEAR, None, None)]
    assert covering(None, D(2024, 5, 1)) == [
        Span(Grain.YEAR, None, D(2023, 1, 1)),
        Span(Grain.QUARTER, D(2024, 1, 1), D(2024, 1, 1)),
        Span(Grain.MONTH, D(2024, 4, 1), D(2024, 5, 1)),
    ]
    assert covering(None, D(2024, 12, 1)) == [Span(Grain.YEAR, None, D(2024, 1, 1))]
    assert covering(D(2023, 2, 1), None)[-1] == Span(Grain.YEAR, D(2024, 1, 1), None)


@pytest.mark.parametrize("first_year", [2021, 2022])
def test_every_range_reads_each_of_its_months_exactly_once(first_year):
    starts = [None, *[d for d in UNIVERSE if first_year <= d.year <= first_year + 2]]
    ends = [None, *[d for d in UNIVERSE if 2022 <= d.year <= 2024]]
    for first, last in itertools.product(starts, ends):
        if first and last and first > last:
            assert covering(first, last) == []
            continue
        wanted = [
            m for m in UNIVERSE if (first is None or m >= first) and (last is None or m <= last)
        ]
        spans = covering(first, last)
        read = _periods_read(spans)
        assert sorted(m for g, s in read for m in _months(g, s)) == wanted, (first, last, spans)
        # The coarsest grain that fits: a month is read as a month only when its quarter is
        # not wholly in the range, a quarter only when its year is not.
        for grain, start in read:
            coarser = _enclosing(grain, start)
            if coarser:
                assert not set(_months(*coarser)) <= set(wanted), (first, last, grain, start)
        assert len(spans) <= 5, (first, last, spans)
