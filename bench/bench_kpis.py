"""KPI benchmark: 200,000 contracts with 1,000,000 KPI scores on PostgreSQL.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench_kpis
    uv run python -m bench.bench_kpis [--runs 30] [--fresh]

Seeds the foundation's demo contracts (contracts.demo), then writes the KPI rows with SQL
(50,000 reviewed contracts × 5 quarterly reviews × 4 KPIs), measures server time of the pages
through the Django test client (full middleware stack) and rewrites the `kpis` section of
bench/RESULTS.md. Targets (issue 3): vendor scorecard of the largest vendor p95 ≤ 200 ms,
category dashboard p95 ≤ 300 ms, a constant number of queries per page.
"""

import argparse
import datetime
import os
import platform
import statistics
import time

# The real settings with plain static files (no collectstatic manifest needed).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.results import write_section  # noqa: E402
from categories.models import Authority, Category  # noqa: E402
from contracts import demo as contracts_demo  # noqa: E402
from contracts.management.commands.seed_demo import wipe_data  # noqa: E402
from contracts.models import Contract  # noqa: E402
from kpis.models import KpiResult, Review  # noqa: E402
from procurement_hub.demo import DemoContext  # noqa: E402

CONTRACTS = 200_000
REVIEWED = 50_000
REVIEWS_EACH = 5
KPIS_EACH = 4
SCORES = REVIEWED * REVIEWS_EACH * KPIS_EACH  # 1,000,000
TODAY = datetime.date(2026, 11, 22)
BIG_VENDOR_SQL = "(SELECT min(id) FROM vendors_vendor)"
TARGETS_MS = {"vendor scorecard (largest vendor)": 200, "category dashboard": 300}

KPI_ROWS = [  # name, unit, target, approaching, higher is better, weight
    ("On-time delivery", "%", 95, 90, True, 3),
    ("Invoice accuracy", "%", 98, 95, True, 2),
    ("Complaints per quarter", "", 2, 4, False, 2),
    ("Social value commitments delivered", "%", 100, 80, True, 1),
]


def log(message: str) -> None:
    print(message, flush=True)


def seed_contracts() -> None:
    log(f"Seeding {CONTRACTS:,} demo contracts…")
    with transaction.atomic():
        wipe_data()
        contracts_demo.seed(DemoContext(today=TODAY, contracts=CONTRACTS, log=log))


def seed_kpis() -> None:
    """The KPI rows, in SQL: fast enough to make a million scores in well under a minute."""
    started = time.monotonic()
    author = get_user_model().objects.get(username="admin").pk
    last_quarter_end = datetime.date(TODAY.year, 3 * ((TODAY.month - 1) // 3) + 1, 1)
    last_quarter_end -= datetime.timedelta(days=1)
    kpi_values = ", ".join(
        f"({i}, '{name}', '{unit}', {target}, {approaching}, {str(higher).lower()}, {weight})"
        for i, (name, unit, target, approaching, higher, weight) in enumerate(KPI_ROWS)
    )
    statements = [
        "SELECT setseed(0.2026)",
        # The reviewed contracts: active ones, each with its first awarded vendor; every vendor
        # drifts up or down over time so the trends mean something.
        f"""CREATE TEMP TABLE bench_chosen AS
            SELECT c.id AS contract_id, min(a.vendor_id) AS vendor_id
            FROM contracts_contract c JOIN contracts_contractaward a ON a.contract_id = c.id
            WHERE c.status = 'active' GROUP BY c.id ORDER BY c.id LIMIT {REVIEWED}""",
        # One vendor holds a twentieth of the reviewed contracts (50,000 scores): the "largest
        # vendor" a national supplier would be. It gets an award on each of them.
        f"""UPDATE bench_chosen SET vendor_id = {BIG_VENDOR_SQL}
            WHERE contract_id % 20 = 0""",
        """INSERT INTO contracts_contractaward (contract_id, vendor_id, vendor_contract_number,
                lot, value, awarded_on)
            SELECT contract_id, vendor_id, '', 'bench', NULL, NULL FROM bench_chosen
            WHERE contract_id % 20 = 0 ON CONFLICT DO NOTHING""",
        """CREATE TEMP TABLE bench_drift AS
            SELECT vendor_id, (random() - 0.5) AS drift FROM bench_chosen GROUP BY vendor_id""",
        f"""INSERT INTO kpis_contractkpi (contract_id, name, description, unit, target,
                approaching, higher_is_better, weight, data_source, is_key, is_active, created_at)
            SELECT ch.contract_id, k.name, '', k.unit, k.target, k.approaching, k.higher,
                   k.weight, 'Supplier report', k.i < 3, true, now()
            FROM bench_chosen ch
            CROSS JOIN (VALUES {kpi_values}) AS k(i, name, unit, target, approaching, higher,
                                                  weight)""",
        f"""INSERT INTO kpis_review (contract_id, vendor_id, period_start, period_end,
                meeting_date, attendees, overall_rating, overall_score, narrative, state,
                is_published, created_by_id, created_at, submitted_by_id, submitted_at)
            SELECT ch.contract_id, ch.vendor_id,
                   (DATE '{last_quarter_end}' + 1 - make_interval(months => 3 * (q + 1)))::date,
                   (DATE '{last_quarter_end}' + 1 - make_interval(months => 3 * q)
                    - interval '1 day')::date,
                   (DATE '{last_quarter_end}' + 10 - make_interval(months => 3 * q))::date,
                   '', '', NULL, '', 'draft', random() < 0.3, {author}, now(), {author},
                   now()
            FROM bench_chosen ch CROSS JOIN generate_series(0, {REVIEWS_EACH - 1}) AS q""",
        """INSERT INTO kpis_kpiresult (review_id, kpi_id, value, target, suggested_rating,
                rating, score, comment, vendor_id, kpi_name, period_end, weight, is_current)
            SELECT r.id, k.id, k.target, k.target, s.rating, s.rating, s.score, '',
                   r.vendor_id, k.name, r.period_end, k.weight, true
            FROM kpis_review r
            JOIN kpis_contractkpi k ON k.contract_id = r.contract_id
            JOIN bench_drift d ON d.vendor_id = r.vendor_id
            CROSS JOIN LATERAL (SELECT x.score, CASE x.score WHEN 4 THEN 'good'
                    WHEN 3 THEN 'approaching' WHEN 2 THEN 'requires_improvement'
                    ELSE 'inadequate' END AS rating
                FROM (SELECT greatest(1, least(4, round(2.8 + random() * 1.6
                      + d.drift * (2026 - extract(year FROM r.period_end)) - 0.8)))::int
                      AS score WHERE k.id > 0) AS x) AS s""",
        """UPDATE kpis_review r SET state = 'submitted', overall_score = s.score,
                overall_rating = CASE s.score
                WHEN 4 THEN 'good' WHEN 3 THEN 'approaching' WHEN 2 THEN 'requires_improvement'
                ELSE 'inadequate' END
            FROM (SELECT review_id, round(sum(score * weight)::numeric / sum(weight))::int AS score
                  FROM kpis_kpiresult GROUP BY review_id) s
            WHERE s.review_id = r.id""",
        """INSERT INTO kpis_reviewschedule (contract_id, category_id, live_until, frequency,
                anchor, next_due, last_period_end, latest_rating, previous_rating)
            SELECT contract_id, (SELECT category_id FROM contracts_contract c
                                 WHERE c.id = contract_id),
                   (SELECT end_date FROM contracts_contract c WHERE c.id = contract_id),
                   'quarterly', DATE '2020-01-01',
                   (max(period_end) + 1 + interval '3 months' - interval '1 day')::date,
                   max(period_end),
                   (array_agg(overall_rating ORDER BY period_end DESC))[1],
                   (array_agg(overall_rating ORDER BY period_end DESC))[2]
            FROM kpis_review GROUP BY contract_id""",
        # A tenth of the schedules are behind: their next review is overdue.
        """UPDATE kpis_reviewschedule SET next_due = next_due - interval '6 months'
            WHERE contract_id % 10 = 0""",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    with connection.cursor() as cursor:  # outside the transaction: VACUUM cannot run in one
        cursor.execute("VACUUM ANALYZE")
    log(
        f"  {Review.objects.count():,} reviews and {KpiResult.objects.count():,} KPI scores in "
        f"{time.monotonic() - started:.1f} s"
    )


def measure(client: Client, url: str, runs: int) -> tuple[list[float], int]:
    for _ in range(2):  # warm caches and the template loader
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return times, len(captured.captured_queries)


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="reseed even if the data is there")
    parser.add_argument("--reseed-kpis", action="store_true", help="rewrite only the KPI rows")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run on PostgreSQL: set DATABASE_URL to a scratch database.")
    call_command("migrate", verbosity=0)
    timezone.localdate = lambda *a, **k: TODAY  # the data is dated around TODAY
    if args.fresh or Contract.objects.count() < CONTRACTS:
        seed_contracts()
    if args.fresh or args.reseed_kpis or KpiResult.objects.count() != SCORES:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE kpis_kpiresult, kpis_reviewaction, kpis_reviewevidence, kpis_review, "
                "kpis_contractkpi, kpis_reviewschedule RESTART IDENTITY"
            )
        seed_kpis()
    else:
        log("Reusing the seeded KPI data (pass --fresh to reseed everything).")

    largest = KpiResult.objects.values("vendor").annotate(n=Count("pk")).order_by("-n").first()
    busiest_category = (
        Contract.objects.filter(review_schedule__isnull=False)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    category = Category.objects.select_related("pillar").get(pk=busiest_category["category"])
    authority = Authority.objects.order_by("pk").first()
    reviewed = Review.objects.filter(vendor_id=largest["vendor"]).select_related("contract").first()
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    dashboard = reverse("kpis:dashboard")
    pages = {
        "vendor scorecard (largest vendor)": reverse(
            "kpis:vendor_scorecard", args=[largest["vendor"]]
        ),
        "category dashboard": f"{dashboard}?category={category.pk}",
        "category dashboard, one quarter": f"{dashboard}?category={category.pk}&period=2026-Q2",
        "pillar dashboard": f"{dashboard}?pillar={category.pillar_id}",
        "whole-hub dashboard, by authority": f"{dashboard}?authority={authority.pk}",
        "contract scorecard": reverse(
            "kpis:contract_scorecard", args=[reviewed.contract.reference]
        ),
        "my reviews (contract manager)": reverse("kpis:my_reviews"),
    }
    cm = get_user_model().objects.get(username="cm")
    rows = []
    load_before = os.getloadavg()[0]
    for name, url in pages.items():
        if name.startswith("my reviews"):
            client.force_login(cm)
        times, queries = measure(client, url, args.runs)
        target = TARGETS_MS.get(name)
        verdict = "–" if target is None else ("met" if p95(times) <= target else "**missed**")
        rows.append(
            f"| {name} | {statistics.median(times):.0f} | {p95(times):.0f} | "
            f"{f'≤ {target}' if target else '–'} | {verdict} | {queries} |"
        )
        log(rows[-1])
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
    markdown = "\n".join(
        [
            f"Run {stamp} on {platform.node()} ({platform.machine()}, "
            f"PostgreSQL {connection.pg_version // 10000}), `uv run python -m bench.bench_kpis`, "
            f"{args.runs} timed requests per page after 2 warm-ups, server time through the "
            f"Django test client. Load average during the run: {load_before:.1f} → "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other jobs were running).",
            "",
            f"Data: {Contract.objects.count():,} contracts; {REVIEWED:,} of them reviewed "
            f"quarterly ({REVIEWS_EACH} reviews × {KPIS_EACH} KPIs) = "
            f"{KpiResult.objects.count():,} KPI scores. Largest vendor: {largest['n']:,} scores; "
            f"category {category.code}: {busiest_category['n']:,} reviewed contracts.",
            "",
            "| Page | p50 ms | p95 ms | Target p95 | Verdict | Queries |",
            "|---|---:|---:|---|---|---:|",
            *rows,
            "",
            "Query counts are the same at any data size (tests/kpis/test_views.py locks them "
            "with django_assert_max_num_queries at 1 and 4× the data).",
            f"Settings: HUB_KPI_DUE_SOON_DAYS={settings.HUB_KPI_DUE_SOON_DAYS}.",
        ]
    )
    write_section("kpis", markdown)
    log("bench/RESULTS.md updated (section kpis).")


if __name__ == "__main__":
    main()
