import pytest

from notifications import selectors


@pytest.fixture(autouse=True)
def _no_other_app_dates(monkeypatch):
    """By default no KPI reviews and no renewal decisions; tests that need them say so."""
    monkeypatch.setattr(selectors, "kpi_review_due_dates", lambda contract_ids=None: {})
    monkeypatch.setattr(selectors, "renewal_decided", lambda contract_ids: set())


@pytest.fixture
def kpi_due(monkeypatch):
    """Set KPI review due dates: kpi_due({contract_id: date})."""
    dates: dict = {}

    def due_dates(contract_ids=None):
        if contract_ids is None:
            return dict(dates)
        return {pk: day for pk, day in dates.items() if pk in set(contract_ids)}

    monkeypatch.setattr(selectors, "kpi_review_due_dates", due_dates)
    return dates.update


@pytest.fixture
def decided(monkeypatch):
    """Mark contracts as having a renewal decision: decided.add(contract.pk)."""
    ids: set = set()
    monkeypatch.setattr(selectors, "renewal_decided", lambda contract_ids: ids & set(contract_ids))
    return ids


@pytest.fixture
def scan(django_capture_on_commit_callbacks):
    """Run the reminder scan with its after-commit deliveries executed (tasks run eagerly)."""
    from notifications.services import reminders_scan

    def run(today, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_scan(today=today, **kwargs)

    return run
