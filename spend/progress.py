"""Where a running import is, for its progress bar.

Reading rows one by one updates the import's own row (`processed_rows`), which other
connections see at once. The COPY path's steps and the move's steps run inside transactions
that other connections cannot see into, so each step is announced through the cache instead:
Redis when REDIS_URL is set (the worker and the web processes share it), else this process's
memory (the embedded default runs an import inside the request that starts it).
"""

from dataclasses import dataclass

from procurement_hub.cache import cache_delete, cache_get, cache_set

# Reading takes the first half of the bar; the move the second. The percentages are where each
# step starts, weighted by the time each took in the 1,000,000-row benchmark.
READ_SHARE = 50
TIMEOUT_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    percent: int


STEPS = (
    # The COPY path (PostgreSQL, CSV) reads in two steps instead of row by row.
    Step("copy", "loading the file", 2),
    Step("checks", "checking and converting every row", 8),
    # The move, in one transaction.
    Step("payees", "matching payees to vendors", READ_SHARE),
    Step("payments", "matching contracts and saving payments", 55),
    Step("totals", "updating payee and expense-code totals", 88),
    Step("summaries", "refreshing the spend summaries", 91),
)
_BY_KEY = {step.key: step for step in STEPS}


@dataclass(frozen=True)
class Progress:
    percent: int
    step: Step | None = None


def _cache_key(import_id: int) -> str:
    return f"spend:import:{import_id}:step"


def announce(import_id: int, key: str) -> None:
    """Say that the import has started the step `key`. A cache outage never fails the import:
    the bar is only a view of it."""
    if key not in _BY_KEY:
        raise ValueError(f"unknown import step {key!r}")
    cache_set(_cache_key(import_id), key, TIMEOUT_SECONDS)


def forget(import_id: int) -> None:
    cache_delete(_cache_key(import_id))


def progress_of(spend_import) -> Progress:
    """The bar's percentage and the step under way, if one was announced."""
    if spend_import.is_finished or spend_import.status == "withdrawing":  # No steps to show.
        return Progress(100)
    step = _BY_KEY.get(cache_get(_cache_key(spend_import.pk)))
    read = 0
    if spend_import.total_rows:
        read = min(READ_SHARE, READ_SHARE * spend_import.processed_rows // spend_import.total_rows)
    # Reading never passes READ_SHARE and the move's steps start there: the larger one holds.
    return Progress(max(step.percent, read) if step else read, step)
