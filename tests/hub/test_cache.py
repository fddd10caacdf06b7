"""The shared cache: an outage (Redis down) costs speed, never a page or a job."""

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from procurement_hub.cache import cache_delete, cache_get, cache_set
from sourcing import selectors

# Nothing listens on port 1: every call fails at once, as with Redis down.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_reads_and_writes_carry_on_without_the_cache(settings, caplog):
    settings.CACHES = REDIS_DOWN
    with pytest.raises(redis.ConnectionError):  # The backend itself raises…
        cache.get("k")
    cache_set("k", 1, 60)  # …these do not.
    cache_delete("k")
    assert cache_get("k", "fallback") == "fallback"
    assert "cache get k failed" in caplog.text


def test_values_round_trip_when_the_cache_is_up():
    cache_set("hub-test-key", {"a": 1}, 60)
    assert cache_get("hub-test-key") == {"a": 1}
    cache_delete("hub-test-key")
    assert cache_get("hub-test-key") is None


@pytest.mark.django_db
def test_sourcing_lead_times_are_computed_when_the_cache_is_down(settings, client, hub):
    settings.CACHES = REDIS_DOWN
    settings.SOURCING_LEAD_TIME_CACHE_SECONDS = 300
    assert selectors.cached_stage_metrics() == selectors.stage_metrics()
    client.force_login(hub.head)
    assert client.get(reverse("sourcing:renewals")).status_code == 200
