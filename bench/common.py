"""What the benchmarks share: a PostgreSQL database of their own, a big seeded hub, timings.

A benchmark script calls `setup(...)` before importing anything from Django, then `seed_hub(...)`
and `timings(...)`. Times are server time through Django's full middleware stack (the test
client, no network), in milliseconds.
"""

import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/hub_seed"


def setup(database_url: str | None = None) -> str:
    """Point Django at the benchmark's database (created if missing), migrated, DEBUG off."""
    url = database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE
    if not url.startswith("postgres"):
        raise SystemExit(f"benchmarks run on PostgreSQL, not {url}")
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"  # DEBUG would record every query and slow every page.
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SESSION_COOKIE_SECURE"] = "0"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement_hub.settings")
    _create_database(url)
    import django

    django.setup()
    from django.conf import settings

    # Production serves hashed names from collectstatic's manifest; the benchmark has none.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return url


def _create_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')


def seed_hub(contracts: int, *, today, reseed: bool = False, log=print) -> None:
    """The foundation's demo hub at this size (contracts.demo only), unless already there."""
    from django.db import connection, transaction

    from contracts.demo import seed
    from contracts.management.commands.seed_demo import wipe_data
    from contracts.models import Contract
    from procurement_hub.demo import DemoContext

    if not reseed and Contract.objects.count() == contracts:
        log(f"Reusing the {contracts:,} contracts already seeded (--reseed to start again).")
        return
    started = time.monotonic()
    with transaction.atomic():
        wipe_data()
        seed(DemoContext(today=today, contracts=contracts, log=log))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # Fresh statistics and visibility map for the planner.
    log(f"Seeded {contracts:,} contracts in {time.monotonic() - started:.0f} s.")


def install_floor_view() -> str:
    """Add a minimal view (it reads the signed-in user, as every page does) under the hub's own
    URLs and middleware: the floor the pages are compared with. Returns its path."""
    import types

    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    from procurement_hub import urls

    def floor(request):
        return HttpResponse(request.user.get_username(), content_type="text/plain")

    module = types.ModuleType("bench_floor_urls")
    module.urlpatterns = [path("bench/floor/", floor), *urls.urlpatterns]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    return "/bench/floor/"


@dataclass
class Timing:
    label: str
    samples: list[float]
    queries: int
    status: int
    cpu: list[float]  # CPU time of the Django process alone (no database, no waiting).

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def cpu_p50(self) -> float:
        return statistics.median(self.cpu)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.samples, n=20, method="inclusive")[18]


def timings(client, label: str, urls: list[str], *, runs: int = 60, warmup: int = 5) -> Timing:
    """Request `urls` in turn, `runs` times in all after `warmup`, and time each response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(warmup):
        client.get(urls[i % len(urls)])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(urls[0])
    queries = len(captured.captured_queries)  # Before the next request clears the log.
    samples, cpu = [], []
    for i in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(urls[i % len(urls)])
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{label}: {urls[i % len(urls)]} gave {response.status_code}")
    return Timing(label, samples, queries, response.status_code, cpu)


def cpu_probe() -> float:
    """Seconds for 20 million steps of a Python loop: how fast this machine is just now."""
    started = time.perf_counter()
    total = 0
    for step in range(20_000_000):
        total += step
    return time.perf_counter() - started
