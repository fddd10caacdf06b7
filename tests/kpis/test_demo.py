"""`seed_demo` grows believable KPI histories: trends up and down, a few reviews overdue."""

import io

from django.core.management import call_command
from django.db.models import Count

from kpis import selectors
from kpis.models import KpiResult, KpiTemplate, Review, ReviewSchedule, ReviewState
from tests.factories import TODAY


def _seed():
    call_command("seed_demo", contracts=300, today=TODAY.isoformat(), stdout=io.StringIO())


def test_demo_grows_kpi_histories_with_trends_and_overdue_reviews(db):
    _seed()
    assert KpiTemplate.objects.filter(name="On-time delivery").count() > 5
    assert ReviewSchedule.objects.count() > 50
    assert Review.objects.filter(state=ReviewState.DRAFT).exists()
    assert Review.objects.filter(state=ReviewState.SIGNED_OFF).exists()
    assert Review.objects.filter(is_published=True).exists()
    board = selectors.dashboard()
    assert board.overdue_count > 0 and board.due_soon_count > 0
    # Vendors with a long history: some improve, some decline (first vs last quarter).
    busiest = (
        KpiResult.objects.filter(is_current=True)
        .values("vendor")
        .annotate(n=Count("pk"))
        .filter(n__gte=20)
        .order_by("-n")[:40]
    )
    from vendors.models import Vendor

    directions = set()
    for row in busiest:
        trend = selectors.vendor_scorecard(Vendor(pk=row["vendor"]), months=60).trend
        if len(trend) >= 4:
            first = sum(t["weighted"] for t in trend[:2]) / 2
            last = sum(t["weighted"] for t in trend[-2:]) / 2
            if last - first > 0.3:
                directions.add("improving")
            if first - last > 0.3:
                directions.add("declining")
    assert directions == {"improving", "declining"}


def test_demo_schedules_match_the_reviews(db):
    _seed()
    for schedule in ReviewSchedule.objects.exclude(last_period_end=None)[:50]:
        latest = (
            Review.objects.filter(
                contract_id=schedule.contract_id, state__in=["submitted", "signed_off"]
            )
            .order_by("-period_end")
            .first()
        )
        assert latest.period_end == schedule.last_period_end
