import datetime
import os
from pathlib import Path

import pytest

from categories.models import Role
from tests.browser.support import browser, page, screenshot  # noqa: F401 (shared fixtures)
from tests.factories import TODAY, CategoryFactory, PillarFactory, staff

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A file in ../shared/data, read in place. Skips when absent, unless CI requires it."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("HUB_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"{path} is required (HUB_REQUIRE_SHARED_DATA=1) but missing")
        pytest.skip(f"shared data not present at {path} (a fresh clone without ../shared)")
    return path


@pytest.fixture
def today() -> datetime.date:
    return TODAY


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    """Every test runs on the same day, so dates in factories mean the same thing."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.fixture
def hub(db):
    """A small hub: one pillar with two categories and a person in every role.

    Everyone is reachable as hub.<role>; `other_cm` manages the other category.
    """

    class Hub:
        pass

    h = Hub()
    h.head = staff(Role.HEAD_OF_CATEGORY, job_title="Head of Category")
    h.pillar = PillarFactory(name="Corporate and Commercial", head=h.head)
    h.cm = staff(Role.CONTRACT_MANAGER, job_title="Contract Manager")
    h.cover = staff(Role.CONTRACT_MANAGER, job_title="Contract Manager (cover)")
    h.other_cm = staff(Role.CONTRACT_MANAGER, job_title="Contract Manager")
    h.cat_manager = staff(Role.CATEGORY_MANAGER)
    h.cat_officer = staff(Role.CATEGORY_OFFICER)
    h.sourcing = staff(Role.SOURCING_MANAGER)
    h.buyer = staff(Role.BUYER)
    h.admin = staff(Role.HUB_ADMIN)
    h.category = CategoryFactory(
        code="ITS",
        name="IT Services",
        pillar=h.pillar,
        primary_contract_manager=h.cm,
        cover_contract_manager=h.cover,
    )
    h.category.category_managers.add(h.cat_manager)
    h.category.category_officers.add(h.cat_officer)
    h.other_pillar = PillarFactory(name="Environment and Infrastructure")
    h.other_category = CategoryFactory(
        code="FAC", name="Facilities", pillar=h.other_pillar, primary_contract_manager=h.other_cm
    )
    return h


def pytest_collection_modifyitems(config, items):
    """`postgres_only` tests skip on SQLite (CI runs them on PostgreSQL in its first pass)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in CI's PostgreSQL pass)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


def require_service(name: str, reachable: bool, how: str) -> None:
    """Skip when a service (Redis, a Celery worker) is missing, unless CI requires it."""
    if reachable:
        return
    if os.environ.get("HUB_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required (HUB_REQUIRE_SERVICES=1) but not reachable: {how}")
    pytest.skip(f"{name} not reachable: {how}")
