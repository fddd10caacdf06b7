"""The shared cache, read and written so that an outage costs speed, never a page or a job.

With REDIS_URL (or REDIS_CACHE_URL) the cache is Redis, with one-second socket timeouts; a down
or hung Redis then makes these calls return the default instead of raising.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except Exception:  # Any backend error: redis-py raises its own kinds.
        logger.warning("cache get %s failed", key, exc_info=True)
        return default


def cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("cache set %s failed", key, exc_info=True)


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        logger.warning("cache delete %s failed", key, exc_info=True)
