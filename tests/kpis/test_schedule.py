import datetime

import pytest

from kpis.schedule import add_months, next_due, period_containing

d = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (d(2026, 1, 31), 1, d(2026, 2, 28)),
        (d(2024, 1, 31), 1, d(2024, 2, 29)),
        (d(2026, 11, 15), 3, d(2027, 2, 15)),
        (d(2026, 8, 31), 6, d(2027, 2, 28)),
        (d(2026, 5, 1), 12, d(2027, 5, 1)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_periods_step_from_the_anchor_without_drift():
    anchor = d(2026, 1, 31)
    assert period_containing(anchor, 3, d(2026, 1, 31)) == (d(2026, 1, 31), d(2026, 4, 29))
    assert period_containing(anchor, 3, d(2026, 4, 30)) == (d(2026, 4, 30), d(2026, 7, 30))
    assert period_containing(anchor, 3, d(2026, 11, 1)) == (d(2026, 10, 31), d(2027, 1, 30))


def test_first_review_is_due_at_the_end_of_the_first_period():
    assert next_due(d(2026, 1, 1), 3, None) == d(2026, 3, 31)
    assert next_due(d(2026, 1, 1), 1, None) == d(2026, 1, 31)
    assert next_due(d(2026, 1, 1), 12, None) == d(2026, 12, 31)


def test_next_due_follows_the_last_reviewed_period():
    anchor = d(2026, 1, 1)
    assert next_due(anchor, 3, d(2026, 3, 31)) == d(2026, 6, 30)
    assert next_due(anchor, 6, d(2026, 6, 30)) == d(2026, 12, 31)
    # A review ending mid-period leaves that period's end due.
    assert next_due(anchor, 3, d(2026, 5, 15)) == d(2026, 6, 30)
    # A review ending before the anchor counts as none.
    assert next_due(anchor, 3, d(2025, 12, 31)) == d(2026, 3, 31)


def test_period_before_anchor_is_an_error():
    with pytest.raises(ValueError):
        period_containing(d(2026, 1, 1), 3, d(2025, 12, 31))
