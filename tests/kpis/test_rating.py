from decimal import Decimal

import pytest

from kpis.models import Rating
from kpis.services import rating_suggest

D = Decimal


def suggest(value, target=95, approaching=90, higher=True):
    return rating_suggest(
        value=None if value is None else D(str(value)),
        target=D(str(target)),
        approaching=None if approaching is None else D(str(approaching)),
        higher_is_better=higher,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (99, Rating.GOOD),
        (95, Rating.GOOD),  # exactly at target
        (94.99, Rating.APPROACHING),
        (90, Rating.APPROACHING),  # exactly at threshold
        (89.99, Rating.REQUIRES_IMPROVEMENT),
        (85, Rating.REQUIRES_IMPROVEMENT),  # one gap beyond the threshold
        (84.99, Rating.INADEQUATE),
    ],
)
def test_higher_is_better(value, expected):
    assert suggest(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, Rating.GOOD),
        (2, Rating.GOOD),  # exactly at target
        (3, Rating.APPROACHING),
        (4, Rating.APPROACHING),  # exactly at threshold
        (5, Rating.REQUIRES_IMPROVEMENT),
        (6, Rating.REQUIRES_IMPROVEMENT),
        (6.5, Rating.INADEQUATE),
    ],
)
def test_lower_is_better(value, expected):
    assert suggest(value, target=2, approaching=4, higher=False) == expected


def test_without_threshold_anything_short_of_target_requires_improvement():
    assert suggest(95, approaching=None) == Rating.GOOD
    assert suggest(1, approaching=None) == Rating.REQUIRES_IMPROVEMENT
    assert suggest(3, target=2, approaching=None, higher=False) == Rating.REQUIRES_IMPROVEMENT


def test_threshold_equal_to_target_never_reaches_inadequate():
    assert suggest(95, approaching=95) == Rating.GOOD
    assert suggest(10, approaching=95) == Rating.REQUIRES_IMPROVEMENT


def test_no_value_is_other():
    assert suggest(None) == Rating.OTHER


def test_overall_suggestion_is_the_weighted_kpi_score():
    from types import SimpleNamespace as NS

    from kpis.services import overall_suggest

    def result(score, weight):
        return NS(score=score, kpi=NS(weight=weight))

    assert overall_suggest([result(4, 3), result(1, 1)]) == (3.25, Rating.APPROACHING)
    assert overall_suggest([result(4, 1), result(3, 1)]) == (3.5, Rating.GOOD)  # halves round up
    assert overall_suggest([result(None, 5), result(2, 1)]) == (2.0, Rating.REQUIRES_IMPROVEMENT)
    assert overall_suggest([result(None, 1)]) == (None, "")
