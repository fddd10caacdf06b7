import pytest


@pytest.fixture(autouse=True)
def _fresh_lead_times(settings):
    """Every sourcing test learns lead times from its own data, never from a cache."""
    settings.SOURCING_LEAD_TIME_CACHE_SECONDS = 0
