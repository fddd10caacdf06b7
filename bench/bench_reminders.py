"""Reminder benchmark: full scans over 200,000 contracts and their KPI review dates.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench_reminders
    uv run python -m bench.bench_reminders [--days 30] [--fresh]

Seeds the foundation's demo contracts (contracts.demo), gives every running contract a KPI review
schedule with a next due date (what the scan reads, through kpis.selectors.next_review_due_dates),
some followers and some digest users, then measures on PostgreSQL:

- the first scan over the whole hub (every reminder reached so far, with catch-up);
- the same scan again (nothing new: the exactly-once path);
- the daily scans of the following days (p50 / p95);
- queries per scan and peak memory of the process.

Delivery is handed to the broker as in production (Celery's in-memory transport here, so the
figures are the scan's, not an SMTP server's). Targets (issue 4): a full scan at 200,000
contracts in ≤ 30 s with bounded memory; a constant number of queries when nothing is due.
Rewrites the `reminders` section of bench/RESULTS.md.
"""

import argparse
import datetime
import os
import platform
import resource
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement_hub.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.results import write_section  # noqa: E402
from contracts import demo as contracts_demo  # noqa: E402
from contracts.management.commands.seed_demo import wipe_data  # noqa: E402
from contracts.models import Contract, ContractStatus  # noqa: E402
from kpis.models import ReviewSchedule  # noqa: E402
from notifications.models import Follow, Notification, Preference  # noqa: E402
from notifications.services import reminders_scan  # noqa: E402
from procurement_hub.celery import app  # noqa: E402
from procurement_hub.demo import DemoContext  # noqa: E402

CONTRACTS = 200_000
TODAY = datetime.date(2026, 11, 22)
TARGET_FULL_SCAN_S = 30


def log(message: str) -> None:
    print(message, flush=True)


def seed_contracts() -> None:
    log(f"Seeding {CONTRACTS:,} demo contracts…")
    with transaction.atomic():
        wipe_data()
        contracts_demo.seed(DemoContext(today=TODAY, contracts=CONTRACTS, log=log))


def seeded() -> bool:
    return Contract.objects.count() >= CONTRACTS and ReviewSchedule.objects.exists()


def seed_reminder_data() -> None:
    """Every running contract gets a KPI review due date (spread from 60 days overdue to 120
    days ahead); buyers follow contracts; a tenth of the staff take the weekly digest."""
    started = time.monotonic()
    statements = [
        "SELECT setseed(0.4)",
        f"""INSERT INTO kpis_reviewschedule (contract_id, frequency, anchor, next_due,
                last_period_end, latest_rating, previous_rating)
            SELECT id, 'quarterly', DATE '2020-01-01',
                   DATE '{TODAY}' - 60 + (random() * 180)::int, NULL, '', ''
            FROM contracts_contract WHERE status = 'active'
            ON CONFLICT (contract_id) DO NOTHING""",
        """INSERT INTO notifications_follow (user_id, contract_id, created_at)
            SELECT u.id, c.id, now()
            FROM auth_user u CROSS JOIN LATERAL (
                SELECT id FROM contracts_contract WHERE status = 'active'
                ORDER BY random() LIMIT 20) c
            WHERE u.id % 3 = 0
            ON CONFLICT DO NOTHING""",
        """INSERT INTO notifications_preference (user_id, delivery, calendar_token)
            SELECT id, CASE WHEN id % 10 = 0 THEN 'digest' ELSE 'immediate' END,
                   md5(random()::text || id)
            FROM auth_user ON CONFLICT DO NOTHING""",
        "ANALYZE",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    log(f"  review dates, follows and preferences in {time.monotonic() - started:.1f} s")


def remember_running() -> None:
    """Note which contracts ran before any scan, so a rerun can undo the scans' auto-expiry."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_reminders_running")
        cursor.execute(
            "CREATE TABLE bench_reminders_running AS "
            "SELECT id FROM contracts_contract WHERE status = 'active'"
        )


def reset_scans() -> None:
    """Forget earlier bench scans: no notices, every contract running again."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_notification")
        cursor.execute(
            "UPDATE contracts_contract SET status = 'active' WHERE status = 'expired' "
            "AND id IN (SELECT id FROM bench_reminders_running)"
        )
        cursor.execute("ANALYZE contracts_contract")


def timed_scan(day: datetime.date) -> tuple[float, int, object]:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = reminders_scan(today=day)
        seconds = time.perf_counter() - started
    workers_deliver()
    return seconds, len(captured.captured_queries), result


def workers_deliver() -> None:
    """Stand in for the Celery workers between scans: what was handed over gets sent (here
    without SMTP), so the next scan sees the log as it would be in production."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notifications_notification SET email_state = 'sent', sent_at = now(), "
            "attempts = 1 WHERE email_state = 'pending'"
        )
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30, help="daily scans after the first")
    parser.add_argument("--fresh", action="store_true", help="reseed even if the data is there")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run on PostgreSQL: set DATABASE_URL to a scratch database.")
    call_command("migrate", verbosity=0)
    timezone.localdate = lambda *a, **k: TODAY  # the demo data is dated around TODAY
    # Hand deliveries to a broker (Celery's in-memory transport), as a worker setup would.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    if args.fresh or Contract.objects.count() < CONTRACTS:
        seed_contracts()
    if args.fresh or not seeded():
        seed_reminder_data()
        remember_running()
    else:
        log("Reusing the seeded database (pass --fresh to reseed).")
    reset_scans()
    contracts = Contract.objects.count()
    running = Contract.objects.filter(status=ContractStatus.ACTIVE).count()
    schedules = Contract.objects.filter(review_schedule__next_due__isnull=False).count()
    rss_before = peak_rss_mb()

    log("First scan over the whole hub…")
    first_s, first_q, first = timed_scan(TODAY)
    log(f"  {first_s:.1f} s, {first_q} queries: {first}")
    rss_after_first = peak_rss_mb()
    again_s, again_q, again = timed_scan(TODAY)
    log(f"  same day again: {again_s:.2f} s, {again_q} queries, {again.total} new")

    daily = []
    for n in range(1, args.days + 1):
        seconds, queries, result = timed_scan(TODAY + datetime.timedelta(days=n))
        daily.append((seconds, queries, result.total, result.expired))
    times = [d[0] for d in daily]
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
    log(f"  daily scans: p50 {p50:.2f} s, p95 {p95:.2f} s")

    # Nothing due: the same hub with no running contract and no review due (rolled back
    # afterwards) must cost the same few queries as an empty one.
    with transaction.atomic():
        Contract.objects.filter(status=ContractStatus.ACTIVE).update(status=ContractStatus.PLANNED)
        ReviewSchedule.objects.update(next_due=None)
        quiet_s, quiet_q, quiet = timed_scan(TODAY)
        transaction.set_rollback(True)
    log(f"  nothing due: {quiet_s:.2f} s, {quiet_q} queries, {quiet.total} new")

    verdict = "met" if first_s <= TARGET_FULL_SCAN_S else "**missed**"
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
    total_notices = Notification.objects.count()
    load = os.getloadavg()[0]
    busy = (
        ": the machine was shared with other work, so times are pessimistic"
        if load > (os.cpu_count() or 1)
        else ""
    )
    markdown = "\n".join(
        [
            f"Run {stamp} on {platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, "
            f"load average {load:.1f} at the end{busy}; PostgreSQL "
            f"{connection.pg_version // 10000}), `uv run python -m bench.bench_reminders "
            f"--days {args.days}`. Deliveries are handed to Celery's in-memory broker; between "
            "scans the bench marks them sent, as the workers would.",
            "",
            f"Data: {contracts:,} contracts ({running:,} running), {schedules:,} KPI review "
            f"due dates (one per running contract: the KPI app keeps each contract's next due "
            f"date on its review schedule, and that is what the scan reads), "
            f"{Follow.objects.count():,} follows, "
            f"{Preference.objects.filter(delivery='digest').count():,} digest users. "
            "The issue's 1,000,000 KPI review dates are not reproduced: the KPI app keeps one "
            "next-due date per contract (kpis.ReviewSchedule), so a scan reads at most one per "
            "contract; review history rows are never read by the scan.",
            "",
            "| Scan | Time | Queries | New notices | Target | Verdict |",
            "|---|---:|---:|---:|---|---|",
            f"| first scan over the whole hub ({TODAY}) | {first_s:.1f} s | {first_q} | "
            f"{first.total:,} (+{first.expired:,} expired) | ≤ {TARGET_FULL_SCAN_S} s | "
            f"{verdict} |",
            f"| same scan again (nothing new) | {again_s:.2f} s | {again_q} | {again.total} | "
            "0 new | " + ("met" if again.total == 0 else "**missed**") + " |",
            f"| daily scans, next {args.days} days, p50 | {p50:.2f} s | "
            f"{statistics.median([d[1] for d in daily]):.0f} | "
            f"{statistics.median([d[2] for d in daily]):,.0f} | – | – |",
            f"| nothing due (no running contract, no review due) | {quiet_s:.2f} s | "
            f"{quiet_q} | {quiet.total} | constant queries | – |",
            f"| daily scans, p95 | {p95:.2f} s | {max(d[1] for d in daily)} (max) | "
            f"{max(d[2] for d in daily):,} (max) | – | – |",
            "",
            f"Memory: peak RSS {rss_before:.0f} MB before the first scan, "
            f"{rss_after_first:.0f} MB after it ({rss_after_first - rss_before:+.0f} MB). The "
            "scan streams contracts in chunks of 5,000 (server-side cursor) and commits each "
            "chunk, so memory does not grow with the hub; the KPI due dates are one "
            "contract-id → date dict.",
            f"Total notices after {args.days + 1} days: {total_notices:,}.",
            "",
            f"When nothing is due the scan issues {quiet_q} queries at this size, the same as on "
            "an empty hub (tests/notifications/test_scan.py::"
            "test_query_count_is_constant_when_nothing_is_due locks that). Per chunk of 5,000 "
            "due contracts the scan adds a fixed handful of queries (renewal decisions, "
            "followers, the insert, the hand-over), never one per contract.",
        ]
    )
    write_section("reminders", markdown)
    log("bench/RESULTS.md updated (section reminders).")


if __name__ == "__main__":
    main()
