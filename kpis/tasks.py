"""Celery tasks of the KPI app: thin wrappers over kpis.services, safe to run twice."""

from celery import shared_task

from kpis.services import schedules_sync_contracts


@shared_task(name="kpis.tasks.sync_review_schedules")
def sync_review_schedules() -> int:
    """Daily: copy contracts' category and end onto their review schedules (idempotent)."""
    return schedules_sync_contracts()
